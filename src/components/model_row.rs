//! One model row of the form: provider, base URL, key, model and its sampling settings.

use super::bind::{checks, getter, preset_options, setter};
use super::select_field::SelectField;
use super::text_field::TextField;
use crate::form_state::FormState;
use leptos::prelude::*;
use synfact_core::form::{is_default_base_url, preset, Field, ModelForm, PRESETS};

/// Switching provider fills in its base URL and model unless the user typed their own. A key
/// typed for the old provider is dropped when the address moves to the new one's: a key goes
/// only to its own provider.
fn switch_provider(m: &mut ModelForm, id: &str) {
    let p = preset(id);
    if is_default_base_url(&m.base_url) {
        if m.provider != id && m.base_url.trim() != p.base_url {
            m.api_key.clear();
        }
        m.base_url = p.base_url.into();
    }
    if m.model.trim().is_empty() || PRESETS.iter().any(|q| q.model == m.model) {
        m.model = p.model.into();
    }
    m.provider = id.into();
}

/// One model row. Row 0's labels are plain ("Model"); later rows are numbered ("Model 2").
#[component]
pub fn ModelRow(index: usize) -> impl IntoView {
    let settings = expect_context::<FormState>();
    let form = settings.form;
    let n = if index == 0 {
        String::new()
    } else {
        format!(" {}", index + 1)
    };
    let id = |name: &str| format!("{name}-{index}");
    let field = move |get: fn(&ModelForm) -> &String| {
        getter(form, move |f| {
            f.models.get(index).map(get).cloned().unwrap_or_default()
        })
    };
    let set = move |put: fn(&mut ModelForm, String)| {
        setter(form, move |f, v| {
            if let Some(m) = f.models.get_mut(index) {
                put(m, v)
            }
        })
    };
    let on_provider = Callback::new(move |v: String| {
        form.update(|f| {
            let judge_was_default = PRESETS.iter().any(|p| p.judge_model == f.judge_model)
                || f.judge_model.trim().is_empty();
            if let Some(m) = f.models.get_mut(index) {
                switch_provider(m, &v);
            }
            if index == 0 && f.judge_provider.is_empty() && judge_was_default {
                f.judge_model = preset(&v).judge_model.into();
            }
        })
    });
    let remove = move |_| {
        form.update(|f| {
            if f.models.len() > 1 && index < f.models.len() {
                f.models.remove(index);
            }
        })
    };
    view! {
        <fieldset class="model-row">
            <legend>{if index == 0 { "Model 1".to_string() } else { format!("Model{n}") }}</legend>
            <SelectField id=id("provider") label=format!("Provider{n}") options=preset_options() value=field(|m| &m.provider) on_change=on_provider />
            <TextField id=id("base-url") label=format!("Base URL{n}") value=field(|m| &m.base_url) on_input=set(|m, v| m.base_url = v)
                placeholder="http://your-server:port/v1" hint="The API address up to and including /v1."
                error=checks(settings, Field::BaseUrl(index)).0 on_blur=checks(settings, Field::BaseUrl(index)).1 />
            <TextField id=id("api-key") label=format!("API key{n}") kind="password" value=field(|m| &m.api_key) on_input=set(|m, v| m.api_key = v)
                hint="Sent only to this provider, from your browser. Leave empty for local servers without keys."
                error=checks(settings, Field::ApiKey(index)).0 on_blur=checks(settings, Field::ApiKey(index)).1 />
            <TextField id=id("model") label=format!("Model{n}") value=field(|m| &m.model) on_input=set(|m, v| m.model = v)
                error=checks(settings, Field::Model(index)).0 on_blur=checks(settings, Field::Model(index)).1 />
            <details>
                <summary>{format!("Sampling settings{n}")}</summary>
                <TextField id=id("temperature") label=format!("Temperature{n}") kind="decimal" value=field(|m| &m.temperature) on_input=set(|m, v| m.temperature = v)
                    error=checks(settings, Field::Temperature(index)).0 on_blur=checks(settings, Field::Temperature(index)).1 />
                <TextField id=id("top-p") label=format!("Top p{n}") kind="decimal" value=field(|m| &m.top_p) on_input=set(|m, v| m.top_p = v)
                    hint="Empty: the provider's default." error=checks(settings, Field::TopP(index)).0 on_blur=checks(settings, Field::TopP(index)).1 />
                <TextField id=id("max-tokens") label=format!("Max tokens{n}") kind="integer" value=field(|m| &m.max_tokens) on_input=set(|m, v| m.max_tokens = v)
                    error=checks(settings, Field::MaxTokens(index)).0 on_blur=checks(settings, Field::MaxTokens(index)).1 />
                <TextField id=id("effort") label=format!("Reasoning effort{n}") value=field(|m| &m.reasoning_effort) on_input=set(|m, v| m.reasoning_effort = v)
                    placeholder="low, medium or high (reasoning models only)" />
                <TextField id=id("extra-body") label=format!("Extra body (JSON){n}") value=field(|m| &m.extra_body) on_input=set(|m, v| m.extra_body = v)
                    placeholder="{\"provider\": {\"sort\": \"price\"}}"
                    error=checks(settings, Field::ExtraBody(index)).0 on_blur=checks(settings, Field::ExtraBody(index)).1 />
            </details>
            {(index > 0).then(|| view! { <button type="button" on:click=remove>{format!("Remove model{n}")}</button> })}
        </fieldset>
    }
}
