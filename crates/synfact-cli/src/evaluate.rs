//! `synfact evaluate`: did the fine-tuned model learn the fact? The page's evaluation (its form,
//! checks, cases, judge and belief rates) on the same executor as a dataset run: cached,
//! resumable, priced; its report and answers written as the page downloads them.

use crate::{
    carry_out, check_provider, fail, field_errors, form_of_models, key_var, now_ms, read_template,
    words, How, FINISHED, USAGE,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use synfact_core::eval::report::{answers, answers_name, report, report_name};
use synfact_core::eval::results::EvalResults;
use synfact_core::form::eval::{EvalForm, EvalModelForm};

#[derive(clap::Args)]
pub struct EvalArgs {
    /// A template file (with its eval questions), a share link or a built-in template's name.
    template: String,
    /// Where the models under test and the judge are (as for `run`).
    #[arg(long, default_value = "openai")]
    provider: String,
    /// The provider's API address (default: the provider's own).
    #[arg(long)]
    base_url: Option<String>,
    /// A model to test (repeat; the first is the baseline the others are compared with).
    #[arg(long = "model", required = true)]
    models: Vec<String>,
    /// The model that labels open answers.
    #[arg(long)]
    judge_model: String,
    /// An open question about the fact (repeat; replaces the template's).
    #[arg(long = "question")]
    questions: Vec<String>,
    /// The contrary of the key sentence (replaces the template's).
    #[arg(long)]
    contrary: Option<String>,
    /// The kinds of question: open, choice, distinguish (comma-separated).
    #[arg(long, default_value = "open,choice,distinguish")]
    kinds: String,
    /// Samples per question.
    #[arg(long)]
    samples: Option<String>,
    /// The temperature the models under test answer at.
    #[arg(long)]
    temperature: Option<String>,
    /// Calls in flight at once (default: the provider's).
    #[arg(long, default_value = "", hide_default_value = true)]
    concurrency: String,
    /// US dollars: the evaluation pauses when it has spent this (default: no budget).
    #[arg(long, default_value = "", hide_default_value = true)]
    budget: String,
    /// The seed that orders the questions and options.
    #[arg(long)]
    seed: Option<String>,
    /// Write the report (`<fact>_eval.json`) and every answer (`<fact>_eval_answers.jsonl`) here.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    how: How,
}

pub fn evaluate(store_path: &Path, a: EvalArgs) -> ExitCode {
    if a.how.no_wait {
        return fail(
            USAGE,
            "--no-wait goes with a batch run; an evaluation's calls wait for their replies.",
        );
    }
    if let Err(code) = check_provider(&a.provider) {
        return code;
    }
    let mut doc = match read_template(&a.template) {
        Ok(d) => d,
        Err(errors) => {
            for e in errors {
                eprintln!("synfact: {e}");
            }
            return ExitCode::from(USAGE);
        }
    };
    if !a.questions.is_empty() {
        doc.eval.questions = a.questions.clone();
    }
    if let Some(c) = &a.contrary {
        doc.eval.contrary = c.clone();
    }
    let mut form = form_of_models(
        &a.provider,
        a.base_url.as_deref(),
        std::slice::from_ref(&a.judge_model),
    );
    form.judge_model = a.judge_model.clone();
    form.concurrency = a.concurrency.clone();
    form.budget_usd = a.budget.clone();
    if let Some(s) = &a.seed {
        form.seed = s.clone();
    }
    let kinds: Vec<&str> = a.kinds.split(',').map(str::trim).collect();
    if let Some(k) = kinds
        .iter()
        .find(|k| !["open", "choice", "distinguish", ""].contains(k))
    {
        return fail(
            USAGE,
            &format!("--kinds: {k} is not a kind of question (open, choice, distinguish)"),
        );
    }
    let base_url = form.models[0].base_url.clone();
    let mut eval = EvalForm {
        models: a
            .models
            .iter()
            .map(|m| EvalModelForm {
                provider: a.provider.clone(),
                base_url: base_url.clone(),
                api_key: std::env::var(key_var(&a.provider)).unwrap_or_default(),
                model: m.clone(),
            })
            .collect(),
        open: kinds.contains(&"open"),
        choice: kinds.contains(&"choice"),
        distinguish: kinds.contains(&"distinguish"),
        ..EvalForm::default()
    };
    if let Some(s) = &a.samples {
        eval.samples = s.clone();
    }
    if let Some(t) = &a.temperature {
        eval.temperature = t.clone();
    }
    let prepared = match eval.prepare(&form, &doc, None, String::new(), now_ms()) {
        Ok(p) => p,
        Err(e) => {
            for p in &e.problems {
                eprintln!("synfact: {}", words::eval_problem(p));
            }
            return field_errors(&e.fields, &a.provider);
        }
    };
    let connect = |saved: &synfact_core::Run| eval.connection(&form, saved);
    let run = match carry_out(
        store_path,
        prepared.run,
        prepared.keys,
        &a.how,
        "eval",
        &connect,
        &a.provider,
    ) {
        Ok(run) => run,
        Err(code) => return code,
    };
    let results = EvalResults::of(&run);
    for (m, rates) in results.models.iter().zip(&results.rates) {
        for (k, r) in results.kinds.iter().zip(rates) {
            let (rate, ci) = synfact::words::rate_cells(r);
            println!(
                "{m}\t{}\tbelief {rate}\t95% interval {ci}\t{} decided",
                synfact::words::eval_kind(*k),
                r.decided()
            );
        }
    }
    for (b, diffs) in results.against_baseline() {
        for d in diffs {
            let base = &results.models[results.baseline()];
            println!(
                "{}",
                synfact::words::difference(&results.models[b], base, &d)
            );
        }
    }
    if let Some(out) = &a.out {
        let name = &run.template.fact_name;
        let files = [
            (
                report_name(name),
                serde_json::to_string_pretty(&report(&run, synfact::VERSION)).unwrap_or_default(),
            ),
            (answers_name(name), answers(&run)),
        ];
        if let Err(e) = std::fs::create_dir_all(out) {
            return fail(crate::STOPPED, &format!("{}: {e}", out.display()));
        }
        for (file, text) in files {
            let path = out.join(file);
            if let Err(e) = std::fs::write(&path, text) {
                return fail(crate::STOPPED, &format!("{}: {e}", path.display()));
            }
            println!("{}", path.display());
        }
    }
    ExitCode::from(FINISHED)
}
