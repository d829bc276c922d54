//! `synfact`: the page's engine on the command line. The same templates and share links, plan,
//! cache keys, checks, files and sentences; its own IO (tokio, reqwest, a redb store).

mod batch;
mod drive;
mod evaluate;
mod fine_tune;
mod http;
mod progress;
mod push;
mod run;
mod store;
mod words;

use clap::{Parser, Subcommand};
use run::{carry_out, form_of_models, run_command, How, RunArgs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use synfact_core::dataset::{bundle, ExportChoice};
use synfact_core::template::share;
use synfact_core::{Run, Status, TemplateDoc};

/// Exit codes: what a script needs to tell apart.
pub(crate) const FINISHED: u8 = 0;
/// Paused or stopped (a provider problem, the budget, an outage): the status line says why.
pub(crate) const STOPPED: u8 = 1;
/// The command, a setting or the template is wrong: nothing was sent.
pub(crate) const USAGE: u8 = 2;
/// Interrupted (Ctrl-C): run the same command again to resume.
pub(crate) const INTERRUPTED: u8 = 130;
/// `--no-wait`: the round is at the provider's batch service; run the same command again later
/// (sysexits' "temporary failure, try again").
pub(crate) const WAITING: u8 = 75;

#[derive(Parser)]
#[command(
    name = "synfact",
    version = synfact::VERSION,
    about = "Turn one fact template into a fine-tuning dataset: the page's engine on the command line. Keys come from the environment: OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY, SYNFACT_API_KEY (any other server).",
    after_help = "Exit codes: 0 finished; 1 paused or stopped (the status line says why); 2 a wrong command, setting or template (nothing was sent); 75 with --no-wait, a round is at the provider's batch service (run the same command again later); 130 interrupted (run the same command again to resume)."
)]
struct Cli {
    /// The store of cached replies and runs.
    #[arg(long, global = true, default_value = "synfact.redb")]
    store: PathBuf,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Make a dataset. Running the same command again resumes it: the plan is the same and the
    /// cache answers every call already answered.
    Run(Box<RunArgs>),
    /// Put a template's eval questions to models (a fine-tuned one and its base, say) and
    /// report how often each answers as if it believes the fact.
    Evaluate(Box<evaluate::EvalArgs>),
    /// Push a saved run's dataset to the Hugging Face Hub (the token from HF_TOKEN).
    Push(push::PushArgs),
    /// Start a fine-tune from a saved run's chat file and follow it (OpenAI's fine-tuning API
    /// or a compatible server); the same command follows a job already started.
    FineTune(fine_tune::FineTuneArgs),
    /// Write a saved run's files (chat and text JSONL, the mixed file, the manifest).
    Export(ExportArgs),
    /// Check a chat JSONL file line by line, as the page's format check does.
    Check {
        /// The chat JSONL file.
        file: PathBuf,
    },
    /// List the built-in templates.
    Templates,
    /// List the saved runs in the store.
    Runs,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// The run's id (`synfact runs`); default the dataset run made last.
    run: Option<String>,
    /// The directory the files are written to.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// The text file with DOCTAG lines.
    #[arg(long)]
    doctag: bool,
    /// Hold out this share for validation (e.g. 0.1).
    #[arg(long, allow_negative_numbers = true)]
    split: Option<f64>,
}

/// The environment variable holding the key of a provider.
fn key_var(provider: &str) -> &'static str {
    match provider {
        "openai" => "OPENAI_API_KEY",
        "anthropic" => "ANTHROPIC_API_KEY",
        "openrouter" => "OPENROUTER_API_KEY",
        _ => "SYNFACT_API_KEY",
    }
}

/// A key typed on the command line would be kept in the shell's history: refused.
fn key_in_arguments(args: &[String]) -> Option<&str> {
    args.iter().map(String::as_str).find(|a| {
        a.starts_with("--api-key")
            || a.starts_with("--key")
            || a.starts_with("--judge-api-key")
            || a.starts_with("--token")
            || a.starts_with("--hf-token")
    })
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("synfact: {}", words::say(message));
    ExitCode::from(code)
}

/// The providers the form knows (`--provider`).
const PROVIDERS: [&str; 8] = [
    "openai",
    "anthropic",
    "openrouter",
    "gemini",
    "ollama",
    "llamacpp",
    "lmstudio",
    "custom",
];

/// A provider's name checked.
fn check_provider(provider: &str) -> Result<(), ExitCode> {
    if PROVIDERS.contains(&provider) {
        return Ok(());
    }
    Err(fail(
        USAGE,
        &format!(
            "--provider {provider}: not a provider synfact knows; use one of {}.",
            PROVIDERS.join(", ")
        ),
    ))
}

/// The form's problems, said for a terminal; where a key is missing, where it is read from.
fn field_errors(errors: &[synfact_core::form::FieldError], provider: &str) -> ExitCode {
    for e in errors {
        eprintln!("synfact: {}", words::say(&synfact::words::field_error(e)));
    }
    if errors
        .iter()
        .any(|e| e.problem == synfact_core::form::Problem::KeyNeeded)
    {
        eprintln!(
            "synfact: keys are read from the environment: {} for --provider {provider}.",
            key_var(provider)
        );
    }
    ExitCode::from(USAGE)
}

/// A share of the examples held out (`--split`), checked.
fn check_split(split: Option<f64>) -> Result<(), ExitCode> {
    match split {
        Some(f) if !(f > 0.0 && f < 1.0) => Err(fail(
            USAGE,
            &format!("--split {f}: the share held out for validation is a number between 0 and 1, such as 0.1."),
        )),
        _ => Ok(()),
    }
}

/// A template from a file, a share link or a built-in's name.
fn read_template(arg: &str) -> Result<TemplateDoc, Vec<String>> {
    if let Some(at) = arg.find("#t=") {
        return share::decode(&arg[at + 1..]).map_err(|e| vec![synfact::words::link_error(&e)]);
    }
    let path = Path::new(arg);
    if !path.exists() {
        if let Some(template) = synfact_core::FactTemplate::built_in(arg) {
            return Ok(TemplateDoc {
                template,
                ..TemplateDoc::default()
            });
        }
        return Err(vec![format!(
            "{arg}: no such file, share link or built-in template (see `synfact templates`)."
        )]);
    }
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{arg}: {e}")])?;
    let (doc, issues) = TemplateDoc::parse(&text);
    let errors: Vec<String> = issues
        .iter()
        .filter(|i| !i.is_warning())
        .map(synfact::words::template_issue)
        .collect();
    match doc {
        Some(d) if errors.is_empty() => Ok(d),
        _ => Err(errors),
    }
}

/// The dataset's files of a run, or every item that cannot be written, in the page's words.
fn write_choice(
    run: &Run,
    doctag: bool,
    split: Option<f64>,
) -> Result<synfact_core::dataset::Bundle, String> {
    let choice = ExportChoice {
        generator: None,
        doctag,
        split: split.map(|f| (f, run.settings.seed)),
    };
    bundle(run, &choice, &run.settings.prices, synfact::VERSION).map_err(|problems| {
        problems
            .iter()
            .map(|p| {
                format!(
                    "item {}: {}",
                    p.item + 1,
                    synfact::words::chat_problem(&p.problem)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Writes the dataset's files; names each on standard output (a JSON object each with `json`).
fn write_bundle(
    run: &Run,
    out: &Path,
    doctag: bool,
    split: Option<f64>,
    json: bool,
) -> Result<(), String> {
    let b = write_choice(run, doctag, split)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for f in b.files.iter().chain([&b.manifest]) {
        let path = out.join(&f.name);
        std::fs::write(&path, &f.text).map_err(|e| format!("{}: {e}", path.display()))?;
        if json {
            println!("{}", serde_json::json!({ "file": path }));
        } else {
            println!("{}", path.display());
        }
    }
    Ok(())
}

/// The command line's runtime: one thread (the work is IO; the engine is fast).
fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(USAGE, &e.to_string()))
}

/// A store that must exist already (the commands that read one), or the exit code saying why not.
fn existing_store(store_path: &Path) -> Result<store::Store, ExitCode> {
    if !store_path.exists() {
        return Err(fail(
            USAGE,
            &format!(
                "no store at {}: `synfact run` makes one (give its path with --store).",
                store_path.display()
            ),
        ));
    }
    store::Store::open(store_path).map_err(|e| {
        fail(
            USAGE,
            &format!("cannot open the store {}: {e}", store_path.display()),
        )
    })
}

/// A saved dataset run (`id`, or the one made last) with its store, or the exit code saying why
/// not. An evaluation is not a dataset: it is refused by name and passed over by default.
fn saved_run(store_path: &Path, id: Option<String>) -> Result<(store::Store, Run), ExitCode> {
    let store = existing_store(store_path)?;
    let id = match id {
        Some(id) => id,
        None => match store.latest_dataset() {
            Ok(Some(id)) => id,
            Ok(None) => {
                return Err(fail(
                    USAGE,
                    &format!("no dataset run in the store {}", store_path.display()),
                ))
            }
            Err(e) => return Err(fail(USAGE, &e)),
        },
    };
    match store.load(&id) {
        Ok(Some((run, _))) if run.eval.is_some() => Err(fail(
            USAGE,
            &format!("{id} is an evaluation, not a dataset: `synfact evaluate … --out DIR` writes its report and answers."),
        )),
        Ok(Some((run, _))) => Ok((store, run)),
        Ok(None) => Err(fail(
            USAGE,
            &format!(
                "no run {id} in the store {} (see `synfact runs`)",
                store_path.display()
            ),
        )),
        Err(e) => Err(fail(USAGE, &e)),
    }
}

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(a) = key_in_arguments(&args) {
        let name = a.split('=').next().unwrap_or(a);
        return fail(
            USAGE,
            &format!("{name}: keys and tokens are read from the environment only (OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY, SYNFACT_API_KEY, HF_TOKEN): a key given as an argument would stay in your shell's history."),
        );
    }
    let cli = Cli::parse();
    match cli.command {
        Cmd::Run(a) => run_command(&cli.store, *a),
        Cmd::Evaluate(a) => evaluate::evaluate(&cli.store, *a),
        Cmd::Push(a) => push::push(&cli.store, a),
        Cmd::FineTune(a) => fine_tune::fine_tune(&cli.store, a),
        Cmd::Export(a) => {
            if let Err(code) = check_split(a.split) {
                return code;
            }
            let (_, run) = match saved_run(&cli.store, a.run) {
                Ok(r) => r,
                Err(code) => return code,
            };
            match write_bundle(&run, &a.out, a.doctag, a.split, false) {
                Ok(()) => ExitCode::from(FINISHED),
                Err(e) => fail(STOPPED, &e),
            }
        }
        Cmd::Check { file } => {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => return fail(USAGE, &format!("{}: {e}", file.display())),
            };
            let (examples, problems) = synfact_core::dataset::chat::read_chat_jsonl(&text);
            for p in &problems {
                println!(
                    "line {}: {}",
                    p.line,
                    synfact::words::chat_problem(&p.problem)
                );
            }
            println!(
                "{} examples, {} lines with a problem",
                examples.len(),
                problems.len()
            );
            if examples.is_empty() && problems.is_empty() {
                return fail(
                    STOPPED,
                    &format!("{}: no example in the file", file.display()),
                );
            }
            ExitCode::from(if problems.is_empty() {
                FINISHED
            } else {
                STOPPED
            })
        }
        Cmd::Templates => {
            for (name, _) in synfact_core::template::BUILT_IN {
                println!("{name}");
            }
            ExitCode::from(FINISHED)
        }
        Cmd::Runs => {
            let listed = existing_store(&cli.store).map(|s| s.summaries());
            match listed {
                Ok(Ok(runs)) if runs.is_empty() => {
                    eprintln!("synfact: no run in the store {}", cli.store.display());
                    ExitCode::from(FINISHED)
                }
                Ok(Ok(runs)) => {
                    for r in runs {
                        let kind = if r.run.eval.is_some() {
                            "evaluation"
                        } else {
                            "dataset"
                        };
                        let status = match &r.status {
                            Some(Status::Finished) => "finished",
                            Some(Status::Paused(_)) => "paused",
                            Some(Status::Stopped(_)) => "stopped",
                            Some(Status::Cancelled) => "cancelled",
                            _ => "not finished",
                        };
                        println!(
                            "{}\t{kind}\t{}\t{} items\t{status}",
                            r.run.id, r.run.template.fact_name, r.run.settings.examples
                        );
                    }
                    ExitCode::from(FINISHED)
                }
                Ok(Err(e)) => fail(USAGE, &e),
                Err(code) => code,
            }
        }
    }
}
