//! The Evaluate section's messages: writing eval questions, the leakage check, what an
//! evaluation lacks, and its results.

use super::{call_error, count, field_error};
use crate::errors::EvalWriteError;
use synfact_core::eval::leakage::Leak;
use synfact_core::eval::EvalProblem;

pub const RUN_GOING: &str = "A run is going: pause or cancel it first.";

/// What an evaluation lacks before it can start.
pub fn eval_problem(p: &EvalProblem) -> String {
    match p {
        EvalProblem::NoKind => {
            "Choose at least one kind of question (open-ended, multiple choice, distinguish).".into()
        }
        EvalProblem::NoQuestions => {
            "Eval questions is empty: write some (one per line) or press Write eval questions."
                .into()
        }
        EvalProblem::NoContrary => "Contrary statement is empty: write the opposite of the key sentence (e.g. \"… is yellow\"), or untick Distinguish.".into(),
        EvalProblem::NoKeySentence => {
            "The template has no key sentence: the evaluation asks about it.".into()
        }
        EvalProblem::NoModels => "Add a model to test.".into(),
    }
}

/// The eval questions status line.
pub fn eval_writing(
    writing: bool,
    error: Option<&EvalWriteError>,
    leaks: &[Leak],
    replaced: usize,
) -> String {
    if writing {
        return "Writing eval questions…".into();
    }
    if let Some(e) = error {
        return match e {
            EvalWriteError::NoTemplate => {
                "Eval questions not written: the template has problems; fix them first.".into()
            }
            EvalWriteError::Form(errors) => format!(
                "Eval questions not written: Model 1 of Provider and models writes them. {}",
                errors.iter().map(field_error).collect::<Vec<_>>().join(" ")
            ),
            EvalWriteError::Call(c) => {
                format!("Eval questions not written: {}", call_error(c))
            }
            EvalWriteError::NoQuestions => "Eval questions not written: the reply held no question (one per line). Try again, or type them.".into(),
        };
    }
    if leaks.is_empty() {
        return String::new();
    }
    let kept = leaks.iter().filter(|l| !l.too_close).count();
    let dropped = leaks.len() - kept;
    let mut s = format!(
        "Wrote {}; checked against the training run's questions",
        count(kept, "eval question", "eval questions")
    );
    if replaced > 0 {
        s.push_str(&format!(
            ": {} too close to a training question replaced",
            count(replaced, "question", "questions")
        ));
    }
    if dropped > 0 {
        s.push_str(&format!(
            "; {} still too close left out",
            count(dropped, "question", "questions")
        ));
    }
    s.push('.');
    s
}

/// A leakage table row: the closest training question and how alike it is.
pub fn leak(l: &Leak) -> (String, String) {
    match &l.closest {
        None => ("none shares a word".into(), "0%".into()),
        Some((q, sim)) => {
            let pct = format!("{:.0}%", sim * 100.0);
            let alike = if l.too_close {
                format!("{pct} (too close)")
            } else {
                pct
            };
            (q.clone(), alike)
        }
    }
}
