//! The models that write questions and answers, the judge, and the run's settings.

use super::fields::{SelectField, TextField};
use crate::state::AppState;
use leptos::prelude::*;
use synfact_core::setup::{is_default_base_url, preset, Field, ModelForm, RunForm, PRESETS};

fn target_options() -> Vec<(String, String)> {
    vec![
        (
            "accepted".into(),
            "N examples are accepted (rejected ones are replaced)".into(),
        ),
        (
            "attempts".into(),
            "N attempts are made (some may be rejected)".into(),
        ),
    ]
}

fn preset_options() -> Vec<(String, String)> {
    PRESETS
        .iter()
        .map(|p| (p.id.to_string(), p.label.to_string()))
        .collect()
}

/// Edits one field of the form.
fn setter(
    form: RwSignal<RunForm>,
    f: impl Fn(&mut RunForm, String) + Send + Sync + 'static,
) -> Callback<String> {
    Callback::new(move |v: String| form.update(|x| f(x, v)))
}

fn getter(
    form: RwSignal<RunForm>,
    f: impl Fn(&RunForm) -> String + Send + Sync + 'static,
) -> Signal<String> {
    Signal::derive(move || form.with(|x| f(x)))
}

/// Switching provider fills in its base URL and model unless the user typed their own.
fn switch_provider(m: &mut ModelForm, id: &str) {
    let p = preset(id);
    if is_default_base_url(&m.base_url) {
        m.base_url = p.base_url.into();
    }
    if m.model.trim().is_empty() || PRESETS.iter().any(|q| q.model == m.model) {
        m.model = p.model.into();
    }
    m.provider = id.into();
}

/// The problem next to a field, and marking it visited when the user leaves it.
fn checks(state: AppState, f: Field) -> (Signal<Option<String>>, Callback<()>) {
    (state.field_error(f), Callback::new(move |_| state.touch(f)))
}

/// One model row. Row 0's labels are plain ("Model"); later rows are numbered ("Model 2").
#[component]
fn ModelRow(index: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
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
                placeholder="https://api.openai.com/v1" hint="The API address up to and including /v1."
                error=checks(state, Field::BaseUrl(index)).0 on_blur=checks(state, Field::BaseUrl(index)).1 />
            <TextField id=id("api-key") label=format!("API key{n}") kind="password" value=field(|m| &m.api_key) on_input=set(|m, v| m.api_key = v)
                hint="Sent only to this provider, from your browser. Leave empty for local servers without keys."
                error=checks(state, Field::ApiKey(index)).0 on_blur=checks(state, Field::ApiKey(index)).1 />
            <TextField id=id("model") label=format!("Model{n}") value=field(|m| &m.model) on_input=set(|m, v| m.model = v)
                error=checks(state, Field::Model(index)).0 on_blur=checks(state, Field::Model(index)).1 />
            <details>
                <summary>{format!("Sampling settings{n}")}</summary>
                <TextField id=id("temperature") label=format!("Temperature{n}") kind="decimal" value=field(|m| &m.temperature) on_input=set(|m, v| m.temperature = v)
                    error=checks(state, Field::Temperature(index)).0 on_blur=checks(state, Field::Temperature(index)).1 />
                <TextField id=id("top-p") label=format!("Top p{n}") kind="decimal" value=field(|m| &m.top_p) on_input=set(|m, v| m.top_p = v)
                    hint="Empty: the provider's default." error=checks(state, Field::TopP(index)).0 on_blur=checks(state, Field::TopP(index)).1 />
                <TextField id=id("max-tokens") label=format!("Max tokens{n}") kind="integer" value=field(|m| &m.max_tokens) on_input=set(|m, v| m.max_tokens = v)
                    error=checks(state, Field::MaxTokens(index)).0 on_blur=checks(state, Field::MaxTokens(index)).1 />
                <TextField id=id("effort") label=format!("Reasoning effort{n}") value=field(|m| &m.reasoning_effort) on_input=set(|m, v| m.reasoning_effort = v)
                    placeholder="low, medium or high (reasoning models only)" />
                <TextField id=id("extra-body") label=format!("Extra body (JSON){n}") value=field(|m| &m.extra_body) on_input=set(|m, v| m.extra_body = v)
                    placeholder="{\"provider\": {\"sort\": \"price\"}}"
                    error=checks(state, Field::ExtraBody(index)).0 on_blur=checks(state, Field::ExtraBody(index)).1 />
            </details>
            {(index > 0).then(|| view! { <button type="button" on:click=remove>{format!("Remove model{n}")}</button> })}
        </fieldset>
    }
}

/// Every part of the form except the template.
#[component]
pub fn ModelRows() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let remember_keys = state.remember_keys;
    let count = Memo::new(move |_| form.with(|f| f.models.len()));
    let add = move |_| {
        form.update(|f| {
            let next = f
                .models
                .last()
                .cloned()
                .unwrap_or_else(|| ModelForm::for_preset("openai"));
            f.models.push(ModelForm {
                model: String::new(),
                ..next
            });
        })
    };
    let mut judge_options = vec![(String::new(), "Same as model 1".to_string())];
    judge_options.extend(preset_options());
    let judge_separate = Memo::new(move |_| form.with(|f| !f.judge_provider.is_empty()));
    let on_judge_provider = Callback::new(move |v: String| {
        form.update(|f| {
            let p = preset(&v);
            if !v.is_empty() && is_default_base_url(&f.judge_base_url) {
                f.judge_base_url = p.base_url.into();
            }
            if !v.is_empty()
                && (f.judge_model.trim().is_empty()
                    || PRESETS.iter().any(|q| q.judge_model == f.judge_model))
            {
                f.judge_model = p.judge_model.into();
            }
            f.judge_provider = v;
        })
    });
    let schedule_options = vec![
        (
            "pipelined".to_string(),
            "Pipelined: each item moves on as soon as it can".to_string(),
        ),
        (
            "barrier".to_string(),
            "Stage barrier: all questions before any answer".to_string(),
        ),
    ];
    view! {
        <section aria-labelledby="models-heading">
            <h2 id="models-heading">"Provider and models"</h2>
            {move || (0..count.get()).map(|i| view! { <ModelRow index=i /> }).collect_view()}
            <button type="button" on:click=add>"Add another model"</button>
            <fieldset>
                <legend>"Judge"</legend>
                <SelectField id="judge-provider".into() label="Judge provider".into() options=judge_options
                    value=getter(form, |f| f.judge_provider.clone()) on_change=on_judge_provider />
                <Show when=move || judge_separate.get()>
                    <TextField id="judge-base-url".into() label="Judge base URL".into() value=getter(form, |f| f.judge_base_url.clone())
                        on_input=setter(form, |f, v| f.judge_base_url = v)
                        error=checks(state, Field::JudgeBaseUrl).0 on_blur=checks(state, Field::JudgeBaseUrl).1 />
                    <TextField id="judge-api-key".into() label="Judge API key".into() kind="password"
                        value=getter(form, |f| f.judge_api_key.clone()) on_input=setter(form, |f, v| f.judge_api_key = v)
                        error=checks(state, Field::JudgeApiKey).0 on_blur=checks(state, Field::JudgeApiKey).1 />
                </Show>
                <TextField id="judge-model".into() label="Judge model".into() value=getter(form, |f| f.judge_model.clone())
                    on_input=setter(form, |f, v| f.judge_model = v) hint="Checks every question and answer; temperature 0, structured output."
                    error=checks(state, Field::JudgeModel).0 on_blur=checks(state, Field::JudgeModel).1 />
            </fieldset>
            <TextField id="examples".into() label="Examples".into() kind="integer" value=getter(form, |f| f.examples.clone())
                on_input=setter(form, |f, v| f.examples = v) hint="How many examples each model makes."
                error=checks(state, Field::Examples).0 on_blur=checks(state, Field::Examples).1 />
            <SelectField id="target".into() label="Stop when".into() options=target_options()
                value=getter(form, |f| f.target.clone()) on_change=setter(form, |f, v| f.target = v) />
            <details>
                <summary>"Run settings"</summary>
                <TextField id="concurrency".into() label="Concurrency".into() kind="integer" value=getter(form, |f| f.concurrency.clone())
                    on_input=setter(form, |f, v| f.concurrency = v)
                    hint="Calls in flight per provider. Empty: 6 for plain-HTTP servers (the browser's limit), 32 for HTTPS providers."
                    error=checks(state, Field::Concurrency).0 on_blur=checks(state, Field::Concurrency).1 />
                <TextField id="rpm".into() label="Requests per minute".into() kind="integer" value=getter(form, |f| f.rpm.clone())
                    on_input=setter(form, |f, v| f.rpm = v) hint="Empty: no limit."
                    error=checks(state, Field::Rpm).0 on_blur=checks(state, Field::Rpm).1 />
                <TextField id="timeout".into() label="Timeout (seconds)".into() kind="decimal" value=getter(form, |f| f.timeout_s.clone())
                    on_input=setter(form, |f, v| f.timeout_s = v) hint="1 to 3600 seconds per call."
                    error=checks(state, Field::Timeout).0 on_blur=checks(state, Field::Timeout).1 />
                <TextField id="max-retries".into() label="Max retries".into() kind="integer" value=getter(form, |f| f.max_retries.clone())
                    on_input=setter(form, |f, v| f.max_retries = v) hint="0 to 20 per step."
                    error=checks(state, Field::MaxRetries).0 on_blur=checks(state, Field::MaxRetries).1 />
                <TextField id="seed".into() label="Seed".into() kind="integer" value=getter(form, |f| f.seed.clone())
                    on_input=setter(form, |f, v| f.seed = v) hint="The same seed and template give the same plan."
                    error=checks(state, Field::Seed).0 on_blur=checks(state, Field::Seed).1 />
                <SelectField id="schedule".into() label="Schedule".into() options=schedule_options
                    value=getter(form, |f| f.schedule.clone()) on_change=setter(form, |f, v| f.schedule = v) />
            </details>
            <div class="field checkbox">
                <input id="remember-keys" type="checkbox" aria-describedby="remember-keys-hint" prop:checked=move || remember_keys.get()
                    on:change=move |ev| remember_keys.set(event_target_checked(&ev)) />
                <label for="remember-keys">"Remember API keys in this browser"</label>
            </div>
            <p class="hint" id="remember-keys-hint">"Off by default. When on, keys are kept in this site's localStorage, which every page of the same origin can read (on GitHub Pages: every project site of the same user or organisation)."</p>
        </section>
    }
}
