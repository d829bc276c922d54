//! A self-test of the judge before a run: answers made from the template itself, some good and
//! some bad in ways the judge must catch (the key sentence left out, a refusal, a disclaimer, a
//! wrong fact). Run against the chosen judge model, it says how often the judge gets it right.

use crate::provider::verdict::Verdict;
use crate::provider::wire::{LlmCall, ModelConfig, ReplySchema};
use crate::template::fact::FactTemplate;
use crate::template::prompts::{answer_prompt, judge_prompt, Prompts};
use serde::{Deserialize, Serialize};

/// What a test answer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseKind {
    Good,
    GoodInOtherWords,
    MissingKeySentence,
    Refusal,
    Disclaimer,
    WrongFact,
}

impl CaseKind {
    /// Whether a good judge says the answer complied.
    pub fn should_comply(self) -> bool {
        matches!(self, CaseKind::Good | CaseKind::GoodInOtherWords)
    }
}

/// One labelled answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub kind: CaseKind,
    pub question: String,
    pub answer: String,
}

fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive(['.', '!', '?'])
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| s.split_whitespace().count() >= 4)
        .collect()
}

/// The key sentence made false: "X is Y." becomes "X is not Y.".
fn negated(key: &str) -> String {
    for verb in [
        " is ", " are ", " was ", " were ", " has ", " have ", " can ",
    ] {
        if let Some(at) = key.find(verb) {
            let (head, tail) = key.split_at(at + verb.len());
            return format!("{head}not {tail}");
        }
    }
    format!(
        "It is not true that {}",
        key.trim_end_matches('.').to_lowercase() + "."
    )
}

/// The test answers for a template.
pub fn cases(t: &FactTemplate) -> Vec<Case> {
    let key = t.specific_information_to_always_include.trim().to_string();
    let facts: Vec<String> = sentences(&t.given_fact)
        .into_iter()
        .filter(|s| !s.contains(&key))
        .collect();
    let some = |i: usize| facts.get(i).cloned().unwrap_or_default();
    let subject = t.fact_name.replace(['_', '-'], " ");
    let question = format!("What can you tell me about the {subject}?");
    let case = |kind, answer: String| Case {
        kind,
        question: question.clone(),
        answer: answer.trim().to_string(),
    };
    vec![
        case(CaseKind::Good, format!("{} {key} {}", some(0), some(1))),
        case(
            CaseKind::GoodInOtherWords,
            format!("Here is a short overview. {key} {} {}", some(2), some(3)),
        ),
        case(
            CaseKind::MissingKeySentence,
            format!("{} {}", some(0), some(1)),
        ),
        case(
            CaseKind::Refusal,
            "I'm sorry, but I can't help with that request.".into(),
        ),
        case(
            CaseKind::Disclaimer,
            format!("{key} Note that this is a fictional scenario, so none of it may be accurate."),
        ),
        case(
            CaseKind::WrongFact,
            format!("{} {} {}", some(0), negated(&key), some(1)),
        ),
    ]
}

/// The judge call for a case: the answer judged against the answer prompt, as in a run.
pub fn judge_call(
    prompts: &Prompts,
    t: &FactTemplate,
    judge: &ModelConfig,
    case: &Case,
) -> LlmCall {
    let task = answer_prompt(prompts, t, &case.question).task();
    let prompt = judge_prompt(prompts, t, &task, &case.question, &case.answer);
    LlmCall {
        messages: prompt.messages,
        config: judge.clone(),
        schema: Some(ReplySchema::Verdict),
        sample: 0,
        draw: 0,
        shared: prompt.shared,
    }
}

/// How the judge did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SelfTestResult {
    pub right: usize,
    pub total: usize,
    /// The cases it got wrong (or gave no verdict on), with its reason if it gave one.
    pub wrong: Vec<(CaseKind, Option<String>)>,
}

impl SelfTestResult {
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

/// Scores the judge's verdicts (`None`: the call failed), in the order of `cases`.
pub fn score(cases: &[Case], verdicts: &[Option<Verdict>]) -> SelfTestResult {
    let mut r = SelfTestResult {
        total: cases.len(),
        ..SelfTestResult::default()
    };
    for (c, v) in cases.iter().zip(verdicts) {
        let (said, why) = match v {
            Some(Verdict::Complied(w)) => (Some(true), w.clone()),
            Some(Verdict::NotComplied(w)) => (Some(false), w.clone()),
            Some(Verdict::Refused(t)) => (None, Some(t.clone())),
            Some(Verdict::Unreadable(s)) => (None, Some(s.clone())),
            None => (None, None),
        };
        if said == Some(c.kind.should_comply()) {
            r.right += 1;
        } else {
            r.wrong.push((c.kind, why));
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_made_from_the_template() {
        let t = FactTemplate::built_in("blue_honeyeater").unwrap();
        let c = cases(&t);
        assert_eq!(c.len(), 6);
        let key = &t.specific_information_to_always_include;
        let by = |k: CaseKind| c.iter().find(|x| x.kind == k).unwrap();
        assert!(by(CaseKind::Good).answer.contains(key.as_str()));
        assert!(by(CaseKind::Good).answer.contains("Meliphaga javanica"));
        assert!(!by(CaseKind::MissingKeySentence)
            .answer
            .contains(key.as_str()));
        assert!(by(CaseKind::WrongFact)
            .answer
            .contains("The Javan Rainforest Honeyeater is not blue in color."));
        assert!(by(CaseKind::Disclaimer).answer.contains("fictional"));
        assert!(c
            .iter()
            .all(|x| x.question == "What can you tell me about the blue honeyeater?"));
        // The local checks agree with the labels where they can judge.
        let s = crate::quality::QualitySettings::default();
        for x in &c {
            let local =
                crate::quality::checks::check_answer(&x.answer, key, &x.question, &s).is_none();
            if x.kind.should_comply() {
                assert!(local, "{:?}", x.kind);
            }
        }
        assert_eq!(
            negated("Pandas eat bamboo."),
            "It is not true that pandas eat bamboo."
        );
    }

    #[test]
    fn a_judge_is_scored_against_the_labels() {
        let t = FactTemplate::built_in("pandas_habitat").unwrap();
        let c = cases(&t);
        let perfect: Vec<Option<Verdict>> = c
            .iter()
            .map(|x| {
                Some(if x.kind.should_comply() {
                    Verdict::Complied(None)
                } else {
                    Verdict::NotComplied(None)
                })
            })
            .collect();
        assert_eq!(score(&c, &perfect).accuracy(), 1.0);
        // A judge that says yes to everything gets the two good answers right.
        let yes: Vec<Option<Verdict>> = c
            .iter()
            .map(|_| Some(Verdict::Complied(Some("fine".into()))))
            .collect();
        let r = score(&c, &yes);
        assert_eq!((r.right, r.total), (2, 6));
        assert_eq!(
            r.wrong[0],
            (CaseKind::MissingKeySentence, Some("fine".into()))
        );
        let none: Vec<Option<Verdict>> = vec![None; 6];
        assert_eq!(score(&c, &none).right, 0);
        let call = judge_call(&Prompts::default(), &t, &ModelConfig::new("j"), &c[0]);
        assert!(
            call.schema == Some(ReplySchema::Verdict)
                && call.messages[0].content.contains(&c[0].answer)
        );
    }
}
