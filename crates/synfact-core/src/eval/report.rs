//! An evaluation's downloads: the report (`<fact>_eval.json`: what was asked, of which models,
//! the belief rates with their intervals and the differences from the first model) and every
//! answer (`<fact>_eval_answers.jsonl`: one line per question put, with its label).

use super::results::{EvalResults, Outcome, Rate};
use super::{EvalKind, Letter};
use crate::run::Run;
use serde_json::{json, Value};

pub fn report_name(fact_name: &str) -> String {
    format!("{fact_name}_eval.json")
}

pub fn answers_name(fact_name: &str) -> String {
    format!("{fact_name}_eval_answers.jsonl")
}

fn rate_json(kind: EvalKind, r: &Rate) -> Value {
    let (low, high) = r.interval();
    json!({
        "kind": kind,
        "belief_rate": r.rate(),
        "ci95": r.rate().map(|_| [low, high]),
        "n": r.decided(),
        "supports": r.supports,
        "contradicts": r.contradicts,
        "undecided": r.undecided,
        "incoherent": r.incoherent,
        "failed": r.failed,
        "not_answered": r.open,
    })
}

/// The report of an evaluation run (`Value::Null` for a dataset run).
pub fn report(run: &Run, version: &str) -> Value {
    let Some(spec) = &run.eval else {
        return Value::Null;
    };
    let results = EvalResults::of(run);
    let models: Vec<Value> = results
        .models
        .iter()
        .zip(&results.rates)
        .map(|(m, rates)| {
            json!({
                "model": m,
                "rates": results.kinds.iter().zip(rates).map(|(k, r)| rate_json(*k, r)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let base = results.baseline();
    let differences: Vec<Value> = results
        .against_baseline()
        .into_iter()
        .flat_map(|(m, ds)| ds.into_iter().map(move |d| (m, d)))
        .map(|(m, d)| {
            json!({
                "model": results.models[m],
                "minus": results.models[base],
                "kind": d.kind,
                "difference": d.value,
                "ci95": [d.low, d.high],
            })
        })
        .collect();
    json!({
        "app": {"name": "synfact", "version": version},
        "run": run.id,
        "fact_name": run.template.fact_name,
        "key_sentence": run.template.specific_information_to_always_include,
        "training_run": spec.training_run,
        "fine_tune": run.fine_tune.as_ref().map(|f| json!({
            "job": f.job_id, "base_model": f.spec.model, "fine_tuned_model": f.fine_tuned_model,
        })),
        "judge": run.judge.config.model,
        "settings": spec.settings,
        "questions": spec.questions,
        "seed": run.settings.seed,
        "models": models,
        "differences": differences,
        "answers": answer_values(run),
    })
}

fn letter(l: Letter) -> &'static str {
    match l {
        Letter::A => "A",
        Letter::B => "B",
    }
}

/// Every answer of an evaluation run, one JSON object per line, in the run's order.
pub fn answers(run: &Run) -> String {
    let mut out = String::new();
    for line in answer_values(run) {
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// Every answer with its label, in the run's order.
fn answer_values(run: &Run) -> Vec<Value> {
    let threshold = run
        .eval
        .as_ref()
        .map_or(0, |s| s.settings.coherence_threshold);
    let mut out = Vec::new();
    for item in &run.items {
        let Some(case) = &item.eval else { continue };
        let label = Outcome::of(item, threshold);
        let mut line = json!({
            "model": run.generators.get(item.generator).map(|g| g.config.model.as_str()),
            "kind": case.kind,
            "question": item.question,
            "sample": case.sample,
            "answer": item.answer,
            "label": label,
        });
        if case.kind == EvalKind::Open {
            line["coherence"] = json!(case.coherence);
            line["judge_reason"] = json!(case.reason);
        } else {
            line["fact_is"] = json!(letter(case.fact_at));
        }
        out.push(line);
    }
    out
}
