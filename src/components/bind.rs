//! Binding form fields to the app state: getters, setters, and the problem shown next to a field.

use crate::form_state::FormState;
use leptos::prelude::*;
use synfact_core::form::{Field, RunForm, PRESETS};

/// The provider choices, as (id, label).
pub fn preset_options() -> Vec<(String, String)> {
    PRESETS
        .iter()
        .map(|p| (p.id.to_string(), p.label.to_string()))
        .collect()
}

/// Edits one field of the form.
pub fn setter(
    form: RwSignal<RunForm>,
    f: impl Fn(&mut RunForm, String) + Send + Sync + 'static,
) -> Callback<String> {
    Callback::new(move |v: String| form.update(|x| f(x, v)))
}

/// Reads one field of the form.
pub fn getter(
    form: RwSignal<RunForm>,
    f: impl Fn(&RunForm) -> String + Send + Sync + 'static,
) -> Signal<String> {
    Signal::derive(move || form.with(|x| f(x)))
}

/// The problem next to a field, and marking it visited when the user leaves it.
pub fn checks(settings: FormState, f: Field) -> (Signal<Option<String>>, Callback<()>) {
    (
        settings.field_error(f),
        Callback::new(move |_| settings.touch(f)),
    )
}

/// A control's `aria-describedby`: its hint (when it has one) and its problem (while it has one).
pub fn described_by(
    id: &str,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    let (h, e) = (format!("{id}-hint"), format!("{id}-error"));
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(h.clone());
        }
        if error.with(Option::is_some) {
            ids.push(e.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}
