//! `synfact run`: a template with models, judge and settings (the form's own, with its defaults
//! and checks) carried out to its end, resumed from the store when the same run was begun; and
//! the carrying out itself, shared with `synfact evaluate`.

use crate::{
    check_provider, drive, fail, field_errors, key_var, now_ms, progress, read_template, runtime,
    store, write_bundle, FINISHED, INTERRUPTED, STOPPED, USAGE, WAITING,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use synfact_core::form::{ModelForm, RunForm};
use synfact_core::{Run, Status};

/// `synfact run`'s arguments.
#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// A template file, a share link (…#t=1.…) or a built-in template's name.
    template: String,
    /// openai, anthropic, openrouter, gemini, ollama, llamacpp, lmstudio or custom.
    #[arg(long, default_value = "openai")]
    provider: String,
    /// The provider's API address (default: the provider's own).
    #[arg(long)]
    base_url: Option<String>,
    /// A model that writes questions and answers (repeat for several).
    #[arg(long = "model", required = true)]
    models: Vec<String>,
    /// The model that checks every question and answer.
    #[arg(long)]
    judge_model: String,
    /// Examples per model.
    #[arg(long, default_value = "10", allow_negative_numbers = true)]
    examples: String,
    /// accepted (stop at N accepted) or attempts (N attempts).
    #[arg(long, default_value = "accepted")]
    stop_when: String,
    /// Calls in flight at once (default: the provider's, as the page sets it).
    #[arg(long, default_value = "", hide_default_value = true)]
    concurrency: String,
    /// Requests per minute at most (default: no limit).
    #[arg(long, default_value = "", hide_default_value = true)]
    rpm: String,
    /// Seconds per call.
    #[arg(long, default_value = "120")]
    timeout: String,
    /// Tries of a failed call after the first.
    #[arg(long, default_value = "6")]
    max_retries: String,
    /// US dollars: the run pauses when it has spent this (default: no budget). A run resumed
    /// takes the budget given now.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_negative_numbers = true
    )]
    budget: String,
    /// The plan's seed: the same seed, template and settings plan the same prompts.
    #[arg(long)]
    seed: Option<String>,
    /// Output tokens per reply of the models.
    #[arg(long)]
    max_tokens: Option<String>,
    /// The models' sampling temperature.
    #[arg(long, allow_negative_numbers = true)]
    temperature: Option<String>,
    /// Send the calls through the provider's batch service (OpenAI's Batch API, Anthropic's
    /// Message Batches) at half the price, in rounds; replies within 24 hours.
    #[arg(long)]
    batch: bool,
    /// Write the dataset's files here when the run finishes.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    how: How,
}

/// The form with one row per model, all at `provider` (its own address unless `base_url`), the
/// key from the provider's environment variable.
pub(crate) fn form_of_models(provider: &str, base_url: Option<&str>, models: &[String]) -> RunForm {
    let models = models
        .iter()
        .map(|m| {
            let mut f = ModelForm::for_preset(provider);
            if let Some(b) = base_url {
                f.base_url = b.to_string();
            }
            f.api_key = std::env::var(key_var(provider)).unwrap_or_default();
            f.model = m.clone();
            f
        })
        .collect();
    RunForm {
        models,
        ..RunForm::default()
    }
}

fn form_of(a: &RunArgs) -> RunForm {
    let mut form = form_of_models(&a.provider, a.base_url.as_deref(), &a.models);
    for f in &mut form.models {
        if let Some(t) = &a.max_tokens {
            f.max_tokens = t.clone();
        }
        if let Some(t) = &a.temperature {
            f.temperature = t.clone();
        }
    }
    let mut form = RunForm {
        models: form.models,
        judge_model: a.judge_model.clone(),
        examples: a.examples.clone(),
        target: a.stop_when.clone(),
        concurrency: a.concurrency.clone(),
        rpm: a.rpm.clone(),
        timeout_s: a.timeout.clone(),
        max_retries: a.max_retries.clone(),
        budget_usd: a.budget.clone(),
        ..RunForm::default()
    };
    if let Some(s) = &a.seed {
        form.seed = s.clone();
    }
    if a.batch {
        form.send_as = "batch".into();
        form.native = true;
    }
    form
}

pub(crate) fn run_command(store_path: &Path, a: RunArgs) -> ExitCode {
    if a.how.no_wait && !a.batch {
        return fail(
            USAGE,
            "--no-wait goes with --batch: a live run's calls wait for their replies.",
        );
    }
    let doc = match read_template(&a.template) {
        Ok(d) => d,
        Err(errors) => {
            for e in errors {
                eprintln!("synfact: {e}");
            }
            return ExitCode::from(USAGE);
        }
    };
    if let Err(code) = check_provider(&a.provider) {
        return code;
    }
    if !["accepted", "attempts"].contains(&a.stop_when.as_str()) {
        return fail(
            USAGE,
            &format!("--stop-when {}: use accepted (stop at N accepted examples) or attempts (N attempts).", a.stop_when),
        );
    }
    let form = form_of(&a);
    let prepared = match form.prepare(&doc.template, &doc.prompts, String::new(), now_ms()) {
        Ok(p) => p,
        Err(errors) => return field_errors(&errors, &a.provider),
    };
    let connect = |saved: &Run| form.connection(saved);
    let run = match carry_out(
        store_path,
        prepared.run,
        prepared.keys,
        &a.how,
        "cli",
        &connect,
        &a.provider,
    ) {
        Ok(run) => run,
        Err(code) => return code,
    };
    if let Some(out) = &a.out {
        if let Err(e) = write_bundle(&run, out, false, None, a.how.json) {
            return fail(STOPPED, &e);
        }
    }
    ExitCode::from(FINISHED)
}

/// How a run is shown and followed.
#[derive(clap::Args)]
pub(crate) struct How {
    /// Progress as one JSON object per line.
    #[arg(long)]
    pub(crate) json: bool,
    /// No progress: only the final status line.
    #[arg(long)]
    pub(crate) quiet: bool,
    /// With --batch: submit the round (or collect one that ended) and exit with code 75 while
    /// the provider works; running the same command again picks the batches up.
    #[arg(long)]
    pub(crate) no_wait: bool,
}

/// Where a reopened run's calls go now, from the command's settings (its limits, budget, keys
/// and `--batch`: a run resumed takes the settings given now, as the page's Resume does).
pub(crate) type Connect<'a> = dyn Fn(&Run) -> Result<(synfact_core::Connection, Vec<String>), Vec<synfact_core::form::FieldError>>
    + 'a;

/// Carries out a prepared run (or the same one from the store, resumed with the settings given
/// now) to its end: the finished run, or the exit code that says why it did not finish. `kind`
/// starts its id.
pub(crate) fn carry_out(
    store_path: &Path,
    mut run: Run,
    keys: Vec<String>,
    how: &How,
    kind: &str,
    connect: &Connect,
    provider: &str,
) -> Result<Run, ExitCode> {
    // The same command makes the same calls: its run is found again by what it asks.
    let fingerprint = run.fingerprint();
    run.id = format!("{kind}-{}", &fingerprint[..16.min(fingerprint.len())]);
    let store = match store::Store::open(store_path) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            return Err(fail(
                USAGE,
                &format!("cannot open the store {}: {e}", store_path.display()),
            ))
        }
    };
    let mut keys = keys;
    let mut reconnect = None;
    let (run, saved, fresh) = match store.load(&run.id) {
        Ok(Some((saved_run, status))) => {
            if !how.quiet && !how.json {
                eprintln!(
                    "synfact: resuming run {} ({} items saved), with the settings given now",
                    saved_run.id,
                    saved_run.items.len()
                );
            }
            match connect(&saved_run) {
                Ok((c, k)) => {
                    reconnect = Some(c);
                    keys = k;
                }
                Err(errors) => return Err(field_errors(&errors, provider)),
            }
            (saved_run, status, false)
        }
        Ok(None) => (run, None, true),
        Err(e) => return Err(fail(USAGE, &format!("cannot read the store: {e}"))),
    };
    let mode = if how.quiet {
        progress::Mode::Quiet
    } else if how.json {
        progress::Mode::Json
    } else {
        progress::Mode::Bars
    };
    let rt = runtime()?;
    let id = run.id.clone();
    let ended = rt.block_on(async {
        let (mut driver, rx) = drive::Driver::new(run, saved, store.clone(), keys, how.no_wait);
        if let Some(c) = reconnect {
            driver.reconnect(c);
        }
        if fresh {
            driver.save_all_items();
        }
        let mut progress = progress::Progress::new(mode);
        let ended = driver.run(rx, &mut progress).await;
        (ended, driver.into_run())
    });
    match ended {
        (Err(e), _) => Err(fail(STOPPED, &format!("could not save to the store: {e}"))),
        (Ok(drive::Ended::Interrupted), run) => {
            let at_provider = if run.batch.is_some() {
                " The round's batches go on at the provider;"
            } else {
                ""
            };
            eprintln!("synfact: stopped; what was answered is saved.{at_provider} Run the same command again to resume run {id}.");
            Err(ExitCode::from(INTERRUPTED))
        }
        (Ok(drive::Ended::Waiting { done, total }), run) => {
            // Quiet: the final status line has said it (the round at the provider, and that the
            // same command collects it).
            if !how.quiet {
                let round = run.batch.as_ref().map_or(0, |b| b.round);
                eprintln!("synfact: round {round} is at the provider ({done} of {total} done there). Run the same command again to follow it; nothing already sent is sent again.");
            }
            Err(ExitCode::from(WAITING))
        }
        (Ok(drive::Ended::Status(status)), run) => {
            if status != Status::Finished {
                return Err(ExitCode::from(STOPPED));
            }
            Ok(run)
        }
    }
}
