//! Start a fine-tune from the run shown: the chat files (as chosen for download: models, split)
//! go to OpenAI's fine-tuning API, or a server with the same routes; the job's status and
//! events show here until it ends; its new model goes to Models to test in one click.

use super::focus_after_draw;
use super::text_field::TextField;
use crate::errors::{DownloadError, FineTuneError};
use crate::eval_state::EvalState;
use crate::fine_tune_state::{FineTuneState, FtStep};
use crate::run::Controller;
use crate::words;
use leptos::prelude::*;
use synfact_core::dataset::Bundle;
use synfact_core::eval::fine_tune::JobStatus;
use synfact_core::form::eval::EvalModelForm;
use synfact_core::form::fine_tune::FineTuneForm;
use synfact_core::form::Field;

/// The section. `bundle` gives the dataset as chosen for download.
#[component]
pub fn FineTunePanel(bundle: Callback<(), Result<Bundle, DownloadError>>) -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let ft = expect_context::<FineTuneState>();
    let eval = expect_context::<EvalState>();
    let form = ft.form;
    let job = Memo::new(move |_| {
        ctl.view.revision.track();
        ctl.with_run(|r| r.fine_tune.clone()).flatten()
    });
    let field = move |get: fn(&FineTuneForm) -> String, put: fn(&mut FineTuneForm, String)| {
        (
            Signal::derive(move || form.with(get)),
            Callback::new(move |v: String| form.update(|f| put(f, v))),
        )
    };
    let error_of = move |f: Field| {
        Signal::derive(move || {
            if !ft.tried.get() {
                return None;
            }
            form.with(|form| {
                form.check()
                    .into_iter()
                    .find(|e| e.field == f)
                    .map(|e| words::field_error(&e))
            })
        })
    };
    let (url, set_url) = field(|f| f.base_url.clone(), |f, v| f.base_url = v);
    let (key, set_key) = field(|f| f.api_key.clone(), |f, v| f.api_key = v);
    let (model, set_model) = field(|f| f.model.clone(), |f, v| f.model = v);
    let (suffix, set_suffix) = field(|f| f.suffix.clone(), |f, v| f.suffix = v);
    let (epochs, set_epochs) = field(|f| f.epochs.clone(), |f, v| f.epochs = v);
    let busy = move || ft.step.get() != FtStep::Idle;
    let going = move || job.with(|j| j.as_ref().is_some_and(|j| !j.status.is_final()));
    // The new model becomes a model to test: in the first row if that is still empty.
    let add_to_test = move || {
        let Some(j) = job.get_untracked() else { return };
        let Some(name) = j.fine_tuned_model.clone() else {
            return;
        };
        let key = form.with_untracked(|f| f.api_key.clone());
        let base = j.base_url.as_str().to_string();
        let provider = if synfact_core::form::preset("openai").base_url == base {
            "openai"
        } else {
            "custom"
        };
        eval.form.update(|f| {
            let row = EvalModelForm {
                provider: provider.into(),
                base_url: base,
                api_key: key,
                model: name,
            };
            if f.models.iter().any(|m| m.model.trim() == row.model) {
                return;
            }
            match f.models.iter().position(|m| m.model.trim().is_empty()) {
                Some(i) => f.models[i] = row,
                None => f.models.push(row),
            }
        });
        focus_after_draw("#evaluate-heading");
    };
    let save_files = move || {
        let result = bundle.run(()).and_then(|b| {
            let (t, v) =
                synfact_core::dataset::fine_tune_files(&b.files).ok_or(DownloadError::NoRun)?;
            for f in std::iter::once(t).chain(v) {
                crate::download::save_text(&f.name, &f.text, "application/jsonl")?;
            }
            Ok(())
        });
        if let Err(e) = result {
            ft.error.set(Some(FineTuneError::Files(e)));
        }
    };
    let copy = move || {
        if let (Some(text), Some(w)) = (ft.terminal.get_untracked(), web_sys::window()) {
            let _ = w.navigator().clipboard().write_text(&text);
        }
    };
    view! {
        <section aria-labelledby="fine-tune-heading" class="fine-tune">
            <h3 id="fine-tune-heading">"Start a fine-tune"</h3>
            <p class="hint">"Uploads the chat file (as chosen above: models, split into training and validation) to the provider's fine-tuning API and creates a job. The key goes only to that provider, and is kept in this browser only if Remember API keys is ticked."</p>
            <TextField id="ft-base-url".into() label="Fine-tuning base URL".into() value=url on_input=set_url error=error_of(Field::FtBaseUrl) />
            <TextField id="ft-api-key".into() label="Fine-tuning API key".into() kind="password" value=key on_input=set_key error=error_of(Field::FtApiKey) />
            <TextField id="ft-model".into() label="Base model".into() value=model on_input=set_model error=error_of(Field::FtModel) />
            <TextField id="ft-suffix".into() label="Suffix".into() hint="Up to 64 characters in the new model's name." value=suffix on_input=set_suffix error=error_of(Field::FtSuffix) />
            <TextField id="ft-epochs".into() label="Epochs".into() kind="integer" hint="Empty: the provider chooses." value=epochs on_input=set_epochs error=error_of(Field::FtEpochs) />
            <div class="buttons">
                <button type="button" aria-disabled=move || (busy() || going()).then_some("true")
                    on:click=move |_| if !going() { ft.start(ctl, bundle.run(())) }>"Start a fine-tune"</button>
                <Show when=going>
                    <button type="button" aria-disabled=move || busy().then_some("true") on:click=move |_| ft.cancel(ctl)>"Cancel fine-tune"</button>
                </Show>
                <Show when=move || job.with(|j| j.as_ref().is_some_and(|j| j.status == JobStatus::Succeeded && j.fine_tuned_model.is_some()))>
                    <button type="button" on:click=move |_| add_to_test()>"Add to Models to test"</button>
                </Show>
            </div>
            <Show when=move || ft.error.with(Option::is_some)>
                <p role="alert" class="errors">{move || ft.error.get().map(|e| words::ft_error(&e))}</p>
            </Show>
            <p role="status" aria-label="Fine-tune status" class="status">{move || {
                let step = words::ft_step(&ft.step.get());
                if !step.is_empty() { step } else { job.get().map(|j| words::ft_status(&j)).unwrap_or_default() }
            }}</p>
            <Show when=move || job.with(|j| j.as_ref().is_some_and(|j| !j.events.is_empty()))>
                <ul aria-label="Fine-tuning events" class="events">
                    {move || job.get().map(|j| j.events.into_iter().map(|e| view! { <li class="text">{e.message}</li> }).collect_view())}
                </ul>
            </Show>
            <Show when=move || ft.terminal.with(Option::is_some)>
                <div class="terminal">
                    <p>"From a terminal with curl and jq, with the key in OPENAI_API_KEY (it is not written in the commands), beside the downloaded files:"</p>
                    <pre aria-label="Terminal commands" tabindex="0">{move || ft.terminal.get()}</pre>
                    <div class="buttons">
                        <button type="button" on:click=move |_| save_files()>"Download the files to upload"</button>
                        <button type="button" on:click=move |_| copy()>"Copy the commands"</button>
                    </div>
                </div>
            </Show>
        </section>
    }
}
