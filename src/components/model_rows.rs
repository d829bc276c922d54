//! The models that write questions and answers, the judge, and the run's settings.

use super::bind::{checks, getter, preset_options, setter};
use super::estimate::estimate_part;
use super::form_prices::form_prices_part;
use super::judge_selftest::judge_selftest_part;
use super::model_row::ModelRow;
use super::run_settings::run_settings_part;
use super::select_field::SelectField;
use super::text_field::TextField;
use crate::form_state::FormState;
use crate::parts::{load, Lazy};
use leptos::prelude::*;
use synfact_core::form::{is_default_base_url, preset, Field, ModelForm, PRESETS};

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

/// Every part of the form except the template.
#[component]
pub fn ModelRows() -> impl IntoView {
    let settings = expect_context::<FormState>();
    let form = settings.form;
    let remember_keys = settings.remember_keys;
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
    let send_options = vec![
        (
            "live".to_string(),
            "Live: calls go out now, results in minutes".to_string(),
        ),
        (
            "batch".to_string(),
            "As a batch: half the price, results within 24 hours (OpenAI and compatible servers)"
                .to_string(),
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
                        error=checks(settings, Field::JudgeBaseUrl).0 on_blur=checks(settings, Field::JudgeBaseUrl).1 />
                    <TextField id="judge-api-key".into() label="Judge API key".into() kind="password"
                        value=getter(form, |f| f.judge_api_key.clone()) on_input=setter(form, |f, v| f.judge_api_key = v)
                        error=checks(settings, Field::JudgeApiKey).0 on_blur=checks(settings, Field::JudgeApiKey).1 />
                </Show>
                <TextField id="judge-model".into() label="Judge model".into() value=getter(form, |f| f.judge_model.clone())
                    on_input=setter(form, |f, v| f.judge_model = v) hint="Checks every question and answer; temperature 0, structured output."
                    error=checks(settings, Field::JudgeModel).0 on_blur=checks(settings, Field::JudgeModel).1 />
                <Lazy what="judge self-test" loading=load!(judge_selftest_part) reserve="reserve-selftest" />
            </fieldset>
            <TextField id="examples".into() label="Examples".into() kind="integer" value=getter(form, |f| f.examples.clone())
                on_input=setter(form, |f, v| f.examples = v) hint="How many examples each model makes."
                error=checks(settings, Field::Examples).0 on_blur=checks(settings, Field::Examples).1 />
            <SelectField id="target".into() label="Stop when".into() options=target_options()
                value=getter(form, |f| f.target.clone()) on_change=setter(form, |f, v| f.target = v) />
            <SelectField id="send-as".into() label="Send calls".into() options=send_options
                value=getter(form, |f| f.send_as.clone()) on_change=setter(form, |f, v| f.send_as = v)
                hint="As a batch, the provider runs each round of calls (questions, their judgments, answers, theirs) in its own time at half the list price; you can close this tab and open the page later to collect the results."
                error=checks(settings, Field::SendAs).0 />
            <TextField id="budget".into() label="Budget (USD)".into() kind="decimal" value=getter(form, |f| f.budget_usd.clone())
                on_input=setter(form, |f, v| f.budget_usd = v)
                hint="Optional. The run pauses when what it spent reaches this; raise it and press Resume to go on."
                error=checks(settings, Field::Budget).0 on_blur=checks(settings, Field::Budget).1 />
            <Lazy what="estimate of calls and cost" loading=load!(estimate_part) reserve="reserve-estimate" />
            <Lazy what="price fields of the form" loading=load!(form_prices_part) />
            <Lazy what="run settings" loading=load!(run_settings_part) reserve="reserve-details-2" />
            <div class="field checkbox">
                <input id="remember-keys" type="checkbox" aria-describedby="remember-keys-hint" prop:checked=move || remember_keys.get()
                    on:change=move |ev| remember_keys.set(event_target_checked(&ev)) />
                <label for="remember-keys">"Remember API keys in this browser"</label>
            </div>
            <p class="hint" id="remember-keys-hint">"Off by default. When on, keys are kept in this site's localStorage, which every page of the same origin can read (on GitHub Pages: every project site of the same user or organisation)."</p>
        </section>
    }
}
