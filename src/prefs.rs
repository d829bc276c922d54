//! The form, remembered in localStorage so a reload keeps what the user typed. API keys are kept
//! apart (and only if the user allows it), never inside runs, caches or exports.

use synfact_core::setup::RunForm;

const FORM: &str = "synfact.form.v1";
const KEYS: &str = "synfact.keys.v1";
const TEMPLATE: &str = "synfact.template.v1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The saved form, with its keys put back if they were remembered.
pub fn load_form() -> RunForm {
    let Some(s) = storage() else {
        return RunForm::default();
    };
    let mut form: RunForm = s
        .get_item(FORM)
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    if form.models.is_empty() {
        form = RunForm::default();
    }
    let keys: Vec<String> = s
        .get_item(KEYS)
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    for (m, k) in form.models.iter_mut().zip(keys.iter()) {
        m.api_key = k.clone();
    }
    if let Some(k) = keys.get(form.models.len()) {
        form.judge_api_key = k.clone();
    }
    form
}

/// Saves the form; the keys go to their own entry when `remember_keys`, else are dropped.
pub fn save_form(form: &RunForm, remember_keys: bool) {
    let Some(s) = storage() else { return };
    let mut bare = form.clone();
    let mut keys: Vec<String> = bare
        .models
        .iter_mut()
        .map(|m| std::mem::take(&mut m.api_key))
        .collect();
    keys.push(std::mem::take(&mut bare.judge_api_key));
    if let Ok(t) = serde_json::to_string(&bare) {
        let _ = s.set_item(FORM, &t);
    }
    if remember_keys {
        let _ = s.set_item(KEYS, &serde_json::to_string(&keys).unwrap_or_default());
    } else {
        let _ = s.remove_item(KEYS);
    }
}

pub fn remember_keys() -> bool {
    storage()
        .and_then(|s| s.get_item("synfact.remember_keys").ok().flatten())
        .is_none_or(|v| v == "1")
}

pub fn set_remember_keys(on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item("synfact.remember_keys", if on { "1" } else { "0" });
    }
}

/// The template text last used (the selected built-in's name, and the JSON as edited).
pub fn load_template() -> Option<(String, String)> {
    let t = storage()?.get_item(TEMPLATE).ok()??;
    serde_json::from_str(&t).ok()
}

pub fn save_template(name: &str, json: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(
            TEMPLATE,
            &serde_json::to_string(&(name, json)).unwrap_or_default(),
        );
    }
}
