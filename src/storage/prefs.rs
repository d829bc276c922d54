//! What the browser remembers between visits in localStorage (via `gloo-storage`): the form,
//! and — only if the user opts in — the API keys, apart from it. The working template lives in
//! IndexedDB (`db::STATE`): it can be far larger than localStorage holds.

use gloo_storage::{LocalStorage, Storage};
use synfact_core::form::RunForm;

const FORM: &str = "synfact.form.v1";
const KEYS: &str = "synfact.keys.v1";
const REMEMBER: &str = "synfact.remember_keys";

/// The saved form, with its keys put back if the user chose to remember them.
pub fn load_form() -> RunForm {
    let mut form: RunForm = LocalStorage::get(FORM).unwrap_or_default();
    if form.models.is_empty() {
        form = RunForm::default();
    }
    if remember_keys() {
        let keys: Vec<String> = LocalStorage::get(KEYS).unwrap_or_default();
        for (m, k) in form.models.iter_mut().zip(keys.iter()) {
            m.api_key = k.clone();
        }
        if let Some(k) = keys.get(form.models.len()) {
            form.judge_api_key = k.clone();
        }
    }
    form
}

/// A URL with any `user:password@` taken out: a password never goes into storage.
fn without_credentials(url: &mut String) {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            url.replace_range(scheme_end + 3..scheme_end + 3 + at + 1, "");
        }
    }
}

/// The form without any key or URL credentials: what is saved, always.
pub fn without_keys(form: &RunForm) -> (RunForm, Vec<String>) {
    let mut bare = form.clone();
    for m in &mut bare.models {
        without_credentials(&mut m.base_url);
    }
    without_credentials(&mut bare.judge_base_url);
    let mut keys: Vec<String> = bare
        .models
        .iter_mut()
        .map(|m| std::mem::take(&mut m.api_key))
        .collect();
    keys.push(std::mem::take(&mut bare.judge_api_key));
    (bare, keys)
}

/// Saves the form; the keys go to their own entry only when `remember_keys`, else are removed.
/// Returns false if the browser refused (storage full or disabled).
pub fn save_form(form: &RunForm, remember_keys: bool) -> bool {
    let (bare, keys) = without_keys(form);
    let saved = LocalStorage::set(FORM, &bare).is_ok();
    if remember_keys {
        saved && LocalStorage::set(KEYS, &keys).is_ok()
    } else {
        LocalStorage::delete(KEYS);
        saved
    }
}

/// Whether the user chose to keep keys in this browser. Off unless they ticked it.
pub fn remember_keys() -> bool {
    LocalStorage::get::<bool>(REMEMBER).unwrap_or(false)
}

pub fn set_remember_keys(on: bool) {
    if on {
        let _ = LocalStorage::set(REMEMBER, true);
    } else {
        LocalStorage::delete(REMEMBER);
        LocalStorage::delete(KEYS);
        LocalStorage::delete(EVAL_KEYS);
        LocalStorage::delete(HUB_TOKEN);
    }
}

const PRICES: &str = "synfact.prices.v1";

/// The price table: the defaults with the user's own entries over them.
pub fn load_prices() -> synfact_core::cost::PriceTable {
    let mut t = synfact_core::cost::PriceTable::defaults();
    let own: synfact_core::cost::PriceTable = LocalStorage::get(PRICES).unwrap_or_default();
    t.prices.extend(own.prices);
    t
}

/// Keeps the entries that differ from the defaults. Returns false if the browser refused.
pub fn save_prices(table: &synfact_core::cost::PriceTable) -> bool {
    let defaults = synfact_core::cost::PriceTable::defaults();
    let own = synfact_core::cost::PriceTable {
        prices: table
            .prices
            .iter()
            .filter(|(m, p)| defaults.prices.get(*m) != Some(p))
            .map(|(m, p)| (m.clone(), *p))
            .collect(),
    };
    LocalStorage::set(PRICES, &own).is_ok()
}

const HUB_TOKEN: &str = "synfact.hub_token.v1";

/// The Hub token, kept like an API key: only when the user chose to remember keys.
pub fn load_hub_token() -> String {
    if remember_keys() {
        LocalStorage::get(HUB_TOKEN).unwrap_or_default()
    } else {
        String::new()
    }
}

pub fn save_hub_token(token: &str) {
    if remember_keys() && !token.is_empty() {
        let _ = LocalStorage::set(HUB_TOKEN, token);
    } else {
        LocalStorage::delete(HUB_TOKEN);
    }
}

const EVAL_FORM: &str = "synfact.eval.v1";
const EVAL_KEYS: &str = "synfact.eval-keys.v1";

/// The saved Evaluate section, with its keys put back if the user chose to remember them.
pub fn load_eval_form() -> synfact_core::form::eval::EvalForm {
    let mut form: synfact_core::form::eval::EvalForm =
        LocalStorage::get(EVAL_FORM).unwrap_or_default();
    if remember_keys() {
        let keys: Vec<String> = LocalStorage::get(EVAL_KEYS).unwrap_or_default();
        for (m, k) in form.models.iter_mut().zip(keys) {
            m.api_key = k;
        }
    }
    form
}

/// Saves the Evaluate section like the form: never a key unless `remember_keys`, never a URL's
/// credentials. Returns false if the browser refused.
pub fn save_eval_form(form: &synfact_core::form::eval::EvalForm, remember_keys: bool) -> bool {
    let mut bare = form.clone();
    let keys: Vec<String> = bare
        .models
        .iter_mut()
        .map(|m| {
            without_credentials(&mut m.base_url);
            std::mem::take(&mut m.api_key)
        })
        .collect();
    let saved = LocalStorage::set(EVAL_FORM, &bare).is_ok();
    if remember_keys {
        saved && LocalStorage::set(EVAL_KEYS, &keys).is_ok()
    } else {
        LocalStorage::delete(EVAL_KEYS);
        saved
    }
}

const FT_FORM: &str = "synfact.fine-tune.v1";
const FT_KEY: &str = "synfact.fine-tune-key.v1";

/// The Start a fine-tune form, its key only when the user chose to remember keys.
pub fn load_ft_form() -> synfact_core::form::fine_tune::FineTuneForm {
    let mut form: synfact_core::form::fine_tune::FineTuneForm =
        LocalStorage::get(FT_FORM).unwrap_or_default();
    if remember_keys() {
        form.api_key = LocalStorage::get(FT_KEY).unwrap_or_default();
    }
    form
}

/// Saves the fine-tune form like the others: the key only when `remember_keys`, never a URL's
/// credentials. Returns false if the browser refused.
pub fn save_ft_form(
    form: &synfact_core::form::fine_tune::FineTuneForm,
    remember_keys: bool,
) -> bool {
    let mut bare = form.clone();
    without_credentials(&mut bare.base_url);
    let key = std::mem::take(&mut bare.api_key);
    let saved = LocalStorage::set(FT_FORM, &bare).is_ok();
    if remember_keys && !key.is_empty() {
        saved && LocalStorage::set(FT_KEY, &key).is_ok()
    } else {
        LocalStorage::delete(FT_KEY);
        saved
    }
}
