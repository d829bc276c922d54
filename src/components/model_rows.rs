//! The models that write questions and answers, the judge, and the run's settings.

use super::bind::{checks, getter, preset_options, setter};
use super::estimate::EstimateLine;
use super::judge_selftest::judge_selftest_part;
use super::model_row::ModelRow;
use super::price_table::PriceTable;
use super::quality_settings::QualitySettings;
use super::select_field::SelectField;
use super::text_field::TextField;
use crate::form_state::FormState;
use crate::parts::{load, Lazy};
use crate::run::Controller;
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
    let ctl = expect_context::<Controller>();
    let form = settings.form;
    let remember_keys = settings.remember_keys;
    let count = Memo::new(move |_| form.with(|f| f.models.len()));
    // The form's models without a list price, apart from those of the shown run (whose table,
    // under Tokens and cost, has them): their prices can be given, and corrected, before a first
    // run.
    let defaults = synfact_core::cost::PriceTable::defaults();
    let unpriced = Memo::new(move |_| {
        ctl.view.revision.track();
        let in_run: Vec<String> = ctl
            .with_run(|r| {
                r.generators
                    .iter()
                    .chain([&r.judge])
                    .map(|g| g.config.model.clone())
                    .collect()
            })
            .unwrap_or_default();
        let mut m: Vec<String> = form.with(|f| {
            f.models
                .iter()
                .map(|m| m.model.trim().to_string())
                .chain([f.judge_model.trim().to_string()])
                .filter(|m| !m.is_empty() && defaults.price_of(m).is_none() && !in_run.contains(m))
                .collect()
        });
        m.sort_unstable();
        m.dedup();
        m
    });
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
    let resend_options = vec![
        ("off".to_string(), "Off".to_string()),
        (
            "on".to_string(),
            "On: when slots sit idle at the end, send a slow call again (up to 3% extra calls, billed)"
                .to_string(),
        ),
    ];
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
                        error=checks(settings, Field::JudgeBaseUrl).0 on_blur=checks(settings, Field::JudgeBaseUrl).1 />
                    <TextField id="judge-api-key".into() label="Judge API key".into() kind="password"
                        value=getter(form, |f| f.judge_api_key.clone()) on_input=setter(form, |f, v| f.judge_api_key = v)
                        error=checks(settings, Field::JudgeApiKey).0 on_blur=checks(settings, Field::JudgeApiKey).1 />
                </Show>
                <TextField id="judge-model".into() label="Judge model".into() value=getter(form, |f| f.judge_model.clone())
                    on_input=setter(form, |f, v| f.judge_model = v) hint="Checks every question and answer; temperature 0, structured output."
                    error=checks(settings, Field::JudgeModel).0 on_blur=checks(settings, Field::JudgeModel).1 />
                <Lazy what="judge self-test" loading=load!(judge_selftest_part) />
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
            <EstimateLine />
            <Show when=move || unpriced.with(|m| !m.is_empty())>
                <details class="form-prices" open>
                    <summary>"Prices of the models without a list price"</summary>
                    <p class="hint">"A cost estimate and Budget (USD) need them: US dollars per million tokens."</p>
                    <PriceTable models=unpriced.into() label="Prices of the models without a list price" id_prefix="form-price" />
                </details>
            </Show>
            <details>
                <summary>"Run settings"</summary>
                <TextField id="concurrency".into() label="Concurrency".into() kind="integer" value=getter(form, |f| f.concurrency.clone())
                    on_input=setter(form, |f, v| f.concurrency = v)
                    hint="Calls in flight per provider. Empty: 6 for plain-HTTP servers (the browser's limit), 32 for HTTPS providers."
                    error=checks(settings, Field::Concurrency).0 on_blur=checks(settings, Field::Concurrency).1 />
                <TextField id="rpm".into() label="Requests per minute".into() kind="integer" value=getter(form, |f| f.rpm.clone())
                    on_input=setter(form, |f, v| f.rpm = v) hint="Empty: no limit."
                    error=checks(settings, Field::Rpm).0 on_blur=checks(settings, Field::Rpm).1 />
                <TextField id="timeout".into() label="Timeout (seconds)".into() kind="decimal" value=getter(form, |f| f.timeout_s.clone())
                    on_input=setter(form, |f, v| f.timeout_s = v) hint="1 to 3600 seconds per call."
                    error=checks(settings, Field::Timeout).0 on_blur=checks(settings, Field::Timeout).1 />
                <TextField id="max-retries".into() label="Max retries".into() kind="integer" value=getter(form, |f| f.max_retries.clone())
                    on_input=setter(form, |f, v| f.max_retries = v) hint="0 to 20 per step."
                    error=checks(settings, Field::MaxRetries).0 on_blur=checks(settings, Field::MaxRetries).1 />
                <TextField id="seed".into() label="Seed".into() kind="integer" value=getter(form, |f| f.seed.clone())
                    on_input=setter(form, |f, v| f.seed = v) hint="The same seed and template give the same plan."
                    error=checks(settings, Field::Seed).0 on_blur=checks(settings, Field::Seed).1 />
                <SelectField id="schedule".into() label="Schedule".into() options=schedule_options
                    value=getter(form, |f| f.schedule.clone()) on_change=setter(form, |f, v| f.schedule = v) />
                <SelectField id="resend-slow".into() label="Re-send slow calls at the end".into() options=resend_options
                    value=getter(form, |f| f.resend_slow.clone()) on_change=setter(form, |f, v| f.resend_slow = v) />
            </details>
            <QualitySettings />
            <div class="field checkbox">
                <input id="remember-keys" type="checkbox" aria-describedby="remember-keys-hint" prop:checked=move || remember_keys.get()
                    on:change=move |ev| remember_keys.set(event_target_checked(&ev)) />
                <label for="remember-keys">"Remember API keys in this browser"</label>
            </div>
            <p class="hint" id="remember-keys-hint">"Off by default. When on, keys are kept in this site's localStorage, which every page of the same origin can read (on GitHub Pages: every project site of the same user or organisation)."</p>
        </section>
    }
}
