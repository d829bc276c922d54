//! `synfact fine-tune`: start a fine-tune from a saved run's chat file (and its validation file
//! when split) and follow it to its end, as the page does (`synfact::fine_tune_job`: the same
//! checks, steps and words). The job is saved with the run, so the same command follows it
//! instead of starting another; `--no-wait` starts or looks once and exits 75 while it runs.

use crate::{
    check_split, fail, field_errors, http, key_var, runtime, saved_run, store, words, write_choice,
    FINISHED, STOPPED, USAGE, WAITING,
};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use synfact::fine_tune_job::{poll_with, start_with, training_files};
use synfact_core::eval::fine_tune::{FineTune, JobStatus};
use synfact_core::form::fine_tune::FineTuneForm;
use synfact_core::provider::files::{poll_delay_ms, Request};
use synfact_core::provider::wire::ProviderKind;
use synfact_core::Run;

#[derive(clap::Args)]
pub struct FineTuneArgs {
    /// The run's id (`synfact runs`); default the one saved last.
    run: Option<String>,
    /// The base model to fine-tune.
    #[arg(long, default_value = "gpt-4o-mini-2024-07-18")]
    model: String,
    /// Up to 64 characters in the new model's name.
    #[arg(long, default_value = "", hide_default_value = true)]
    suffix: String,
    /// Epochs (default: the provider chooses).
    #[arg(long, default_value = "", hide_default_value = true)]
    epochs: String,
    /// openai, or custom for a compatible server (its key from SYNFACT_API_KEY).
    #[arg(long, default_value = "openai")]
    provider: String,
    /// The provider's API address (default: OpenAI's).
    #[arg(long)]
    base_url: Option<String>,
    /// Hold out this share of the examples as the validation file (e.g. 0.1).
    #[arg(long, allow_negative_numbers = true)]
    split: Option<f64>,
    /// Start the job (or look at it once) and exit with code 75 while it runs.
    #[arg(long)]
    no_wait: bool,
    /// Start a new job even though one was started from this run before (which is otherwise
    /// followed, not started again).
    #[arg(long)]
    new: bool,
}

/// Prints the job's line and the events not yet printed (oldest first).
fn show(ft: &FineTune, printed: &mut Vec<String>) {
    for e in ft.events.iter().rev() {
        if !printed.contains(&e.id) {
            eprintln!("  {}: {}", e.level, e.message);
            printed.push(e.id.clone());
        }
    }
    eprintln!("{}", words::say(&synfact::words::ft_status(ft)));
}

fn save(store: &store::Store, run: &Run) -> Result<(), ExitCode> {
    store
        .save_record(run)
        .map_err(|e| fail(STOPPED, &format!("could not save to the store: {e}")))
}

pub fn fine_tune(store_path: &Path, a: FineTuneArgs) -> ExitCode {
    if let Err(code) = check_split(a.split) {
        return code;
    }
    if !["openai", "custom"].contains(&a.provider.as_str()) {
        return fail(
            USAGE,
            &format!("--provider {}: fine-tuning goes through OpenAI's fine-tuning API: use openai, or custom for a compatible server.", a.provider),
        );
    }
    let (store, mut run) = match saved_run(store_path, a.run.clone()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut form = FineTuneForm {
        api_key: std::env::var(key_var(&a.provider)).unwrap_or_default(),
        model: a.model.clone(),
        suffix: a.suffix.clone(),
        epochs: a.epochs.clone(),
        ..FineTuneForm::default()
    };
    if let Some(b) = &a.base_url {
        form.base_url = b.clone();
    }
    let (base, key, spec) = match form.prepare() {
        Ok(p) => p,
        Err(errors) => return field_errors(&errors, &a.provider),
    };
    if a.new {
        run.fine_tune = None;
    }
    if let Some(saved) = &run.fine_tune {
        if saved.spec.model != spec.model
            || saved.spec.suffix != spec.suffix
            || saved.spec.epochs != spec.epochs
            || saved.base_url != base
        {
            eprintln!(
                "synfact: following the job started from this run before ({}, base model {} at {}), not the settings given now; --new starts another.",
                saved.job_id,
                saved.spec.model,
                saved.base_url.as_str()
            );
        }
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let client = reqwest::Client::new();
    let send = |req: Request| {
        let (client, key) = (client.clone(), key.clone());
        async move { http::route(&client, ProviderKind::OpenAi, &key, &req).await }
    };
    rt.block_on(async {
        let started_before = run.fine_tune.is_some();
        let mut ft = match run.fine_tune.clone() {
            // The job started before: followed, never started twice.
            Some(ft) => ft,
            None => {
                let bundle = match write_choice(&run, false, a.split) {
                    Ok(b) => b,
                    Err(e) => return fail(USAGE, &format!("No fine-tune started: {e}")),
                };
                let (training, validation) = match training_files(&bundle) {
                    Ok(f) => f,
                    // Nothing sent: too few examples, or nothing to train on.
                    Err(e) => return fail(USAGE, &synfact::words::ft_error(&e)),
                };
                let step = |s| eprintln!("{}", words::say(&synfact::words::ft_step(&s)));
                let files = (&training, validation.as_ref());
                match start_with(&send, &base, &spec, files, step).await {
                    Ok(ft) => ft,
                    Err(e) => return fail(STOPPED, &synfact::words::ft_error(&e)),
                }
            }
        };
        run.fine_tune = Some(ft.clone());
        if let Err(code) = save(&store, &run) {
            return code;
        }
        let mut printed = Vec::new();
        show(&ft, &mut printed);
        let mut unchanged = 0;
        let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
        // A job started before is looked at once now (the saved state may be old).
        let mut look_now = started_before;
        while !ft.status.is_final() {
            if a.no_wait && !look_now {
                eprintln!("synfact: the job goes on at the provider; run the same command again to follow it.");
                return ExitCode::from(WAITING);
            }
            let wait = if std::mem::take(&mut look_now) {
                0
            } else {
                poll_delay_ms(unchanged)
            };
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(wait)) => {}
                _ = &mut interrupt => {
                    eprintln!("synfact: stopped following; the job goes on at the provider. Run the same command again to follow it.");
                    return ExitCode::from(crate::INTERRUPTED);
                }
            }
            match poll_with(&send, &mut ft).await {
                Ok(true) => {
                    unchanged = 0;
                    run.fine_tune = Some(ft.clone());
                    if let Err(code) = save(&store, &run) {
                        return code;
                    }
                    show(&ft, &mut printed);
                }
                Ok(false) => unchanged += 1,
                // Not reached: tried again, less often.
                Err(e @ synfact::errors::FineTuneError::Refused { .. }) => {
                    unchanged += 1;
                    eprintln!("synfact: {}", words::say(&synfact::words::ft_error(&e)));
                }
                Err(e) => return fail(STOPPED, &synfact::words::ft_error(&e)),
            }
        }
        match (&ft.status, &ft.fine_tuned_model) {
            (JobStatus::Succeeded, Some(model)) => {
                println!("{model}");
                ExitCode::from(FINISHED)
            }
            _ => ExitCode::from(STOPPED),
        }
    })
}
