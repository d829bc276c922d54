//! The run's settings (concurrency, rate, timeout, retries, seed, schedule, re-sending) and the
//! quality checks: folded away under the form, so they load just after the first screen.

use super::bind::{checks, getter, setter};
use super::quality_settings::QualitySettings;
use super::select_field::SelectField;
use super::text_field::TextField;
use crate::form_state::FormState;
use leptos::prelude::*;
use synfact_core::form::Field;

/// Run settings and quality checks.
#[component]
pub fn RunSettings() -> impl IntoView {
    let settings = expect_context::<FormState>();
    let form = settings.form;
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
    }
}

crate::parts::part!(
    /// The run settings and quality checks: loaded after the first screen.
    run_settings_part, later => view! { <RunSettings /> }
);
