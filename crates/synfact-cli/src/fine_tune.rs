//! `synfact fine-tune`: start a fine-tune from a saved run's chat file (and its validation file
//! when split) and follow it to its end, as the page does (`synfact::fine_tune_job`: the same
//! checks, steps and words). The job is saved with the run, so the same command follows it
//! instead of starting another; `--no-wait` starts or looks once and exits 75 while it runs.

use crate::{
    fail, http, key_var, runtime, saved_run, store, write_choice, FINISHED, STOPPED, USAGE, WAITING,
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
    #[arg(long, default_value = "")]
    suffix: String,
    /// Epochs (default: the provider chooses).
    #[arg(long, default_value = "")]
    epochs: String,
    /// openai, or custom for a compatible server (its key from SYNFACT_API_KEY).
    #[arg(long, default_value = "openai")]
    provider: String,
    #[arg(long)]
    base_url: Option<String>,
    /// Hold out this share of the examples as the validation file (e.g. 0.1).
    #[arg(long)]
    split: Option<f64>,
    /// Start the job (or look at it once) and exit with code 75 while it runs.
    #[arg(long)]
    no_wait: bool,
}

/// Prints the job's line and the events not yet printed (oldest first).
fn show(ft: &FineTune, printed: &mut Vec<String>) {
    for e in ft.events.iter().rev() {
        if !printed.contains(&e.id) {
            eprintln!("  {}: {}", e.level, e.message);
            printed.push(e.id.clone());
        }
    }
    let line = synfact::words::ft_status(ft).replace(
        " Checked here while the page is open; it goes on at the provider if you close it.",
        "",
    );
    eprintln!("{line}");
}

fn save(store: &store::Store, run: &Run) -> Result<(), ExitCode> {
    store
        .save_record(run)
        .map_err(|e| fail(STOPPED, &format!("could not save to the store: {e}")))
}

pub fn fine_tune(store_path: &Path, a: FineTuneArgs) -> ExitCode {
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
        Err(errors) => {
            for e in &errors {
                eprintln!("synfact: {}", synfact::words::field_error(e));
            }
            if form.api_key.trim().is_empty() {
                eprintln!("synfact: the key is read from {}.", key_var(&a.provider));
            }
            return ExitCode::from(USAGE);
        }
    };
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
        let mut ft = match run.fine_tune.clone() {
            // The job started before: followed, never started twice.
            Some(ft) => ft,
            None => {
                let bundle = match write_choice(&run, false, a.split) {
                    Ok(b) => b,
                    Err(e) => return fail(STOPPED, &format!("No fine-tune started: {e}")),
                };
                let (training, validation) = match training_files(&bundle) {
                    Ok(f) => f,
                    Err(e) => return fail(STOPPED, &synfact::words::ft_error(&e)),
                };
                let step = |s| eprintln!("{}", synfact::words::ft_step(&s));
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
        while !ft.status.is_final() {
            if a.no_wait {
                eprintln!("synfact: the job goes on at the provider; run the same command again to follow it.");
                return ExitCode::from(WAITING);
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(poll_delay_ms(unchanged))) => {}
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
                    eprintln!("synfact: {}", synfact::words::ft_error(&e));
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
