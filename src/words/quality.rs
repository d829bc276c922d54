//! The quality report and the judge's self-test.

use crate::errors::SelfTestError;
use synfact_core::quality::report::QualityReport;
use synfact_core::quality::selftest::{CaseKind, SelfTestResult};
use synfact_core::run::reason::ReasonKind;

/// A reason's short name, as the losses table lists it.
pub fn reason_kind(k: ReasonKind) -> &'static str {
    match k {
        ReasonKind::Refused => "refused",
        ReasonKind::Empty => "empty replies",
        ReasonKind::CutOff => "cut off at the token limit",
        ReasonKind::JudgeRejected => "rejected by the judge",
        ReasonKind::NoVerdict => "no verdict from the judge",
        ReasonKind::JudgeRefused => "the judge refused",
        ReasonKind::GaveUp => "gave up after retries",
        ReasonKind::TooLong => "too long for the model",
        ReasonKind::MissingKeySentence => "without the key sentence",
        ReasonKind::Disclaimer => "disclaimer",
        ReasonKind::Leak => "mentions the set-up",
        ReasonKind::Requirement => "misses its requirement",
        ReasonKind::Duplicate => "near-duplicate question",
        ReasonKind::Reviewer => "rejected in review",
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// The report's lines, in order.
pub fn quality_lines(q: &QualityReport) -> Vec<String> {
    vec![
        format!(
            "Plan cells covered: {} of {} ({:.0}%)",
            q.cells_covered,
            q.cells,
            pct(q.cells_covered, q.cells)
        ),
        format!(
            "Kept answers with the key sentence: {} of {}",
            q.with_key_sentence, q.kept
        ),
        format!("Near-duplicate questions removed: {}", q.duplicates_removed),
        format!("Steps asked again after a local check: {}", q.asked_again),
        format!(
            "Question variety (distinct word pairs): {:.0}%",
            q.distinct_question_pairs * 100.0
        ),
    ]
}

/// A self-test case, as "wrong on …" names it.
pub fn case_kind(k: CaseKind) -> &'static str {
    match k {
        CaseKind::Good => "a good answer",
        CaseKind::GoodInOtherWords => "a good answer in other words",
        CaseKind::MissingKeySentence => "an answer without the key sentence",
        CaseKind::Refusal => "a refusal",
        CaseKind::Disclaimer => "an answer calling the facts fictional",
        CaseKind::WrongFact => "an answer contradicting the key sentence",
    }
}

/// The self-test's score.
pub fn selftest_summary(r: &SelfTestResult) -> String {
    format!(
        "The judge got {} of {} test answers right ({:.0}%).",
        r.right,
        r.total,
        r.accuracy() * 100.0
    )
}

/// One case the judge got wrong, with what it said.
pub fn selftest_wrong(k: CaseKind, why: Option<&str>) -> String {
    format!(
        "Wrong on {}{}",
        case_kind(k),
        why.map(|w| format!(": \"{w}\"")).unwrap_or_default()
    )
}

/// The self-test in the quality report.
pub fn selftest_short(r: &SelfTestResult) -> String {
    format!("Judge self-test: {} of {} right.", r.right, r.total)
}

/// Why the self-test did not run.
pub fn selftest_error(e: &SelfTestError) -> String {
    match e {
        SelfTestError::NoTemplate => {
            "Fix the template first: the test answers are made from it.".into()
        }
        SelfTestError::Judge(errors) => {
            let list: Vec<String> = errors.iter().map(super::field_error).collect();
            list.join(" ")
        }
        SelfTestError::Unanswered(e) => {
            format!("The judge could not be asked: {}", super::call_error(e))
        }
    }
}

pub const SELFTEST_BUSY: &str = "Testing the judge…";
