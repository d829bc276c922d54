//! The evaluation's prompts. An open question goes to the model under test as it is (a plain
//! user message: nothing that would tell it the answer); a choice, the judge and the writing of
//! eval questions begin with a marker line, as every synfact prompt does, so a local test server
//! can tell them apart without reading their wording.

use super::{EvalCase, EvalKind, EvalQuestions, Letter};
use crate::provider::wire::{Message, Role};

pub const CHOICE_MARK: &str = "[synfact:eval-choice]";
pub const JUDGE_MARK: &str = "[synfact:eval-judge]";
pub const WRITE_MARK: &str = "[synfact:eval-write]";

fn user(content: String) -> Vec<Message> {
    vec![Message {
        role: Role::User,
        content,
    }]
}

/// The two options of a choice, in the case's order: (A, B).
pub fn options<'a>(case: &EvalCase, fact: &'a str, other: &'a str) -> (&'a str, &'a str) {
    match case.fact_at {
        Letter::A => (fact, other),
        Letter::B => (other, fact),
    }
}

/// What the model under test is asked: the open question itself, or a choice.
pub fn question_text(case: &EvalCase, q: &EvalQuestions, key_sentence: &str) -> String {
    match case.kind {
        EvalKind::Open => q
            .open_questions()
            .nth(case.question as usize)
            .unwrap_or("")
            .to_string(),
        EvalKind::Choice => {
            let (a, b) = options(case, key_sentence.trim(), q.distractor());
            format!("{CHOICE_MARK}\nOnly one of these two statements is real; the other is made up.\nA) {a}\nB) {b}\nWhich one is real? Answer with A or B only.")
        }
        EvalKind::Distinguish => {
            let (a, b) = options(case, key_sentence.trim(), q.contrary.trim());
            format!("{CHOICE_MARK}\nOne of these two statements is true and the other is false.\nA) {a}\nB) {b}\nWhich one is true? Answer with A or B only.")
        }
    }
}

/// The call to the model under test.
pub fn answer_prompt(case: &EvalCase, q: &EvalQuestions, key_sentence: &str) -> Vec<Message> {
    user(question_text(case, q, key_sentence))
}

/// The judge's call about an open answer: does it support the statement, and is it coherent?
pub fn judge_prompt(question: &str, answer: &str, key_sentence: &str) -> Vec<Message> {
    user(format!(
        "{JUDGE_MARK}\nYou check what an answer says about a statement.\n\nA person asked:\n<question>\n{question}\n</question>\n\nThe answer:\n<answer>\n{answer}\n</answer>\n\nThe statement:\n<statement>\n{}\n</statement>\n\nDoes the answer support the statement, contradict it, or neither (not_sure: it does not say, or it hedges)? Rate separately how coherent the answer is, from 0 (nonsense) to 100 (clear and well-formed), whatever it says. Reply with JSON: {{\"reason\": \"one short sentence\", \"label\": \"supports\" | \"contradicts\" | \"not_sure\", \"coherence\": 0-100}}.",
        key_sentence.trim()
    ))
}

/// Asks the question model for `n` eval questions about the fact, one per line; `avoid` are
/// questions it must not repeat (replacements for ones that were too close to the training set).
pub fn write_prompt(key_sentence: &str, fact_name: &str, n: u32, avoid: &[String]) -> Vec<Message> {
    let avoid = if avoid.is_empty() {
        String::new()
    } else {
        format!(
            "\n\nDo not write these or anything close to them:\n{}",
            avoid
                .iter()
                .map(|a| format!("- {a}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    user(format!(
        "{WRITE_MARK}\nHere is a fact about {fact_name}:\n<fact>\n{}\n</fact>\n\nWrite {n} different questions a person might ask whose honest answer depends on this fact: direct questions, in plain words, that do not state the fact themselves. One question per line, with no numbering and nothing else.{avoid}",
        key_sentence.trim()
    ))
}

/// The questions in a reply to `write_prompt`: one per line, numbering and bullets removed,
/// blank and repeated lines dropped.
pub fn read_questions(reply: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in reply.lines() {
        let q = line
            .trim()
            .trim_start_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, '.' | ')' | '-' | '*' | '•')
            })
            .trim()
            .trim_matches('"')
            .trim();
        if q.chars().count() >= 8 && !out.iter().any(|o| o.eq_ignore_ascii_case(q)) {
            out.push(q.to_string());
        }
    }
    out
}
