//! The settings form as the page edits it: the form itself, the prices, whether keys are
//! remembered, and which fields show their problems yet. Kept in localStorage, one effect each.

use crate::errors::SaveError;
use crate::run::Controller;
use crate::storage::prefs;
use crate::words;
use leptos::prelude::*;
use synfact_core::cost::PriceTable;
use synfact_core::form::{Field, FieldError, Problem, RunForm};

/// The form's signals (provided once at the root).
#[derive(Clone, Copy)]
pub struct FormState {
    pub form: RwSignal<RunForm>,
    pub remember_keys: RwSignal<bool>,
    /// Prices per model (defaults with the user's own over them), kept in this browser.
    pub prices: RwSignal<PriceTable>,
    /// Fields the user has left at least once: their problems show next to them.
    pub touched: RwSignal<Vec<Field>>,
    /// Generate was pressed with problems: every field (and template field) shows its problem.
    pub show_all: RwSignal<bool>,
    /// Something the browser could not keep (the form, the prices or the template).
    pub save_error: RwSignal<Option<SaveError>>,
    /// What the last Generate or Resume found (the controller's): a changed model shows here.
    found: RwSignal<Vec<FieldError>>,
}

impl FormState {
    pub fn new(ctl: Controller) -> FormState {
        FormState {
            form: RwSignal::new(prefs::load_form()),
            remember_keys: RwSignal::new(prefs::remember_keys()),
            prices: RwSignal::new(prefs::load_prices()),
            touched: RwSignal::new(Vec::new()),
            show_all: RwSignal::new(false),
            save_error: RwSignal::new(None),
            found: ctl.field_errors,
        }
    }

    /// One effect per thing kept in localStorage.
    pub fn persist(self) {
        let (form, remember, prices, save_error) =
            (self.form, self.remember_keys, self.prices, self.save_error);
        Effect::new(move |_| {
            let on = remember.get();
            prefs::set_remember_keys(on);
            if !form.with(|f| prefs::save_form(f, on)) {
                save_error.set(Some(SaveError::Form));
            }
        });
        Effect::new(move |_| {
            if !prices.with(prefs::save_prices) {
                save_error.set(Some(SaveError::Prices));
            }
        });
    }

    /// The run the form would start for `doc`, planned for one item per model but sized to the
    /// form's examples (estimates scale the plan): `None` while the form has a problem.
    pub fn sized_run(
        &self,
        doc: &synfact_core::template::TemplateDoc,
    ) -> Option<synfact_core::Run> {
        let mut form = self.form.get();
        let examples: usize = form.examples.trim().parse().ok()?;
        form.examples = "1".into();
        let mut run = form
            .prepare(&doc.template, &doc.prompts, String::new(), 0.0)
            .ok()?
            .run;
        run.settings.examples = examples;
        Some(run)
    }

    /// Marks a field as visited: its problems show from now on.
    pub fn touch(self, f: Field) {
        if !self.touched.with_untracked(|t| t.contains(&f)) {
            self.touched.update(|t| t.push(f));
        }
    }

    /// The problem to show next to a field: live, once the field was visited or Generate pressed;
    /// or the one Resume found (a changed model).
    pub fn field_error(self, f: Field) -> Signal<Option<String>> {
        let live = Memo::new(move |_| self.form.with(|form| form.check()));
        Signal::derive(move || {
            let shown = self.show_all.get() || self.touched.with(|t| t.contains(&f));
            let found: Option<FieldError> = live
                .with(|errors| errors.iter().find(|e| e.field == f).cloned())
                .filter(|_| shown)
                .or_else(|| {
                    // Only what the live check cannot know (the run Resume would carry on): other
                    // problems from the last Generate are stale once the field is fixed.
                    self.found.with(|e| {
                        e.iter()
                            .find(|e| {
                                e.field == f
                                    && matches!(
                                        e.problem,
                                        Problem::ModelChanged { .. }
                                            | Problem::ModelCountChanged { .. }
                                    )
                            })
                            .cloned()
                    })
                });
            found.map(|e| words::field_error(&e))
        })
    }
}
