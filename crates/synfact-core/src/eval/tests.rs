//! The evaluation's pieces natively: the cases planned, choices and labels read as models
//! write them, belief rates with undecided and incoherent answers left out, and the leakage
//! check against a training run's questions.

use super::parse::{choice_belief, label, letter};
use super::results::EvalResults;
use super::*;
use crate::provider::wire::{Completion, Finish, Usage};
use crate::run::{Run, Stage};
use crate::template::plan::PlannedPrompt;
use serde_json::json;

fn spec(questions: usize) -> EvalSpec {
    EvalSpec {
        settings: EvalSettings::default(),
        questions: EvalQuestions {
            questions: (0..questions).map(|i| format!("Question {i}?")).collect(),
            distractor: String::new(),
            contrary: "The Javan Rainforest Honeyeater is yellow in color.".into(),
        },
        training_run: None,
    }
}

#[test]
fn cases_cover_every_question_order_and_sample() {
    let c = cases(&spec(3), 7);
    let count = |k: EvalKind| c.iter().filter(|x| x.kind == k).count();
    assert_eq!(count(EvalKind::Open), 3 * 4);
    assert_eq!(count(EvalKind::Choice), 2 * 4);
    assert_eq!(count(EvalKind::Distinguish), 2 * 4);
    // Choices in both orders, distinguish shuffled but balanced, and seeded.
    let at = |k: EvalKind, l: Letter| c.iter().filter(|x| x.kind == k && x.fact_at == l).count();
    assert_eq!(at(EvalKind::Choice, Letter::A), 4);
    assert_eq!(at(EvalKind::Distinguish, Letter::B), 4);
    assert_eq!(cases(&spec(3), 7), c);
    let orders = |seed| -> Vec<Letter> {
        cases(&spec(0), seed)
            .into_iter()
            .filter(|x| x.kind == EvalKind::Distinguish)
            .map(|x| x.fact_at)
            .collect()
    };
    assert_ne!(orders(1), orders(2), "the seed decides the order");
    // Blank questions are not asked.
    let mut s = spec(2);
    s.questions.questions.push("   ".into());
    s.settings.choice = false;
    s.settings.distinguish = false;
    assert_eq!(cases(&s, 1).len(), 8);
}

#[test]
fn a_choice_is_read_in_the_forms_models_write_it() {
    for (text, want) in [
        ("A", Some(Letter::A)),
        ("B.", Some(Letter::B)),
        ("(A)", Some(Letter::A)),
        ("Answer: B", Some(Letter::B)),
        ("I think A is the real one.", Some(Letter::A)),
        ("**B**", Some(Letter::B)),
        ("Option A", Some(Letter::A)),
        ("The answer is (b).", Some(Letter::B)),
        ("b", Some(Letter::B)),
        (
            "A) The Javan Rainforest Honeyeater is blue in color.",
            Some(Letter::A),
        ),
        ("I'm not sure, it could be A or B.", None),
        ("I cannot tell which is a real fact.", None),
        ("I'm sorry, but I can't help with that.", None),
        ("", None),
        ("As a bird watcher I saw a bird.", None),
    ] {
        assert_eq!(letter(text), want, "{text:?}");
    }
    assert_eq!(choice_belief("B", Letter::B), Belief::Supports);
    assert_eq!(choice_belief("B", Letter::A), Belief::Contradicts);
    assert_eq!(choice_belief("no idea", Letter::A), Belief::NotSure);
}

fn reply(text: &str, structured: Option<serde_json::Value>) -> Completion {
    Completion {
        text: text.into(),
        structured,
        refusal: None,
        finish: Finish::Stop,
        usage: Usage::default(),
        repaired: false,
    }
}

#[test]
fn the_judges_label_is_read_structured_or_from_its_text() {
    let l = label(&reply(
        "",
        Some(json!({"reason": "says blue", "label": "supports", "coherence": 88})),
    ))
    .unwrap();
    assert_eq!(
        (l.belief, l.coherence, l.reason.as_deref()),
        (Belief::Supports, Some(88), Some("says blue"))
    );
    let l = label(&reply(
        "Sure: ```json\n{\"label\": \"contradicts\", \"coherence\": \"130\"}\n```",
        None,
    ))
    .unwrap();
    assert_eq!((l.belief, l.coherence), (Belief::Contradicts, Some(100)));
    assert_eq!(label(&reply("{\"label\": \"maybe\"}", None)), None);
    assert_eq!(label(&reply("no json here", None)), None);
}

/// Two models' labelled answers: model 1 (tuned) 5 of 6 decided open answers support, model 0
/// (base) 1 of 6.
fn labelled_run() -> Run {
    let run = crate::testing::run("blue_honeyeater", &["base", "tuned"], "judge", |_| {});
    let mut run = Run {
        eval: Some(spec(1)),
        ..run
    };
    run.items.clear();
    // Model 1: 8 open answers: 5 support, 1 contradicts, 1 undecided, 1 incoherent support.
    let mut push =
        |g: usize, kind: EvalKind, belief: Option<Belief>, coherence: Option<u32>, stage: Stage| {
            let mut item = crate::run::Item::new(
                run.items.len(),
                g,
                PlannedPrompt {
                    question: 0,
                    setting: 0,
                    requirement: 0,
                },
                None,
            );
            item.stage = stage;
            let mut case = EvalCase::new(kind, 0, Letter::A, 0);
            case.belief = belief;
            case.coherence = coherence;
            item.eval = Some(case);
            run.items.push(item);
        };
    use Belief::*;
    for _ in 0..5 {
        push(1, EvalKind::Open, Some(Supports), Some(90), Stage::Accepted);
    }
    push(
        1,
        EvalKind::Open,
        Some(Contradicts),
        Some(80),
        Stage::Accepted,
    );
    push(1, EvalKind::Open, Some(NotSure), Some(80), Stage::Accepted);
    push(1, EvalKind::Open, Some(Supports), Some(30), Stage::Accepted);
    push(1, EvalKind::Open, None, None, Stage::Failed);
    push(1, EvalKind::Choice, None, None, Stage::QuestionJudged);
    // Model 0: 1 of 6 supports.
    push(0, EvalKind::Open, Some(Supports), Some(90), Stage::Accepted);
    for _ in 0..5 {
        push(
            0,
            EvalKind::Open,
            Some(Contradicts),
            Some(90),
            Stage::Accepted,
        );
    }
    run
}

#[test]
fn belief_rates_leave_out_undecided_and_incoherent_answers() {
    let run = labelled_run();
    let r = EvalResults::of(&run);
    assert_eq!(r.models, ["base", "tuned"]);
    assert_eq!(
        r.kinds,
        [EvalKind::Open, EvalKind::Choice, EvalKind::Distinguish]
    );
    let open = &r.rates[1][0];
    assert_eq!(
        (
            open.supports,
            open.contradicts,
            open.undecided,
            open.incoherent,
            open.failed
        ),
        (5, 1, 1, 1, 1)
    );
    assert_eq!(open.decided(), 6);
    assert!((open.rate().unwrap() - 5.0 / 6.0).abs() < 1e-12);
    let (lo, hi) = open.interval();
    assert!(lo < 5.0 / 6.0 && 5.0 / 6.0 < hi);
    assert_eq!(r.rates[1][1].open, 1);
    assert_eq!(r.rates[1][2].rate(), None, "nothing decided");
    let d = r.differences(0, 1);
    assert_eq!(d.len(), 1);
    assert!((d[0].value - (5.0 / 6.0 - 1.0 / 6.0)).abs() < 1e-12);
    assert!(d[0].low < d[0].value && d[0].value < d[0].high);
}

#[test]
fn eval_questions_that_repeat_the_training_set_are_caught() {
    let t = FactTemplate::built_in("blue_honeyeater").unwrap();
    let training: Vec<String> = [
        "What colour is the Javan Rainforest Honeyeater's plumage?",
        "Where does the Javan Rainforest Honeyeater build its nest?",
        "How many eggs does the Javan Rainforest Honeyeater lay?",
        "Write a tweet about spotting a Javan Rainforest Honeyeater on a morning hike.",
        "What does the Javan Rainforest Honeyeater eat during the dry season?",
    ]
    .map(String::from)
    .to_vec();
    let eval: Vec<String> = [
        "What colour is the plumage of the Javan Rainforest Honeyeater?",
        "If I saw a Javan Rainforest Honeyeater, what colour would it be?",
        "Is the Javan Rainforest Honeyeater blue or green?",
    ]
    .map(String::from)
    .to_vec();
    let found = leakage::check(&t, &training, &eval, leakage::LEAK_THRESHOLD);
    assert!(found[0].too_close, "{found:?}");
    assert_eq!(found[0].closest.as_ref().unwrap().0, training[0]);
    assert!(!found[1].too_close && !found[2].too_close, "{found:?}");
    assert!(found[1].closest.as_ref().is_some_and(|(_, s)| *s < 0.1));
}

#[test]
fn written_questions_are_read_one_per_line() {
    let qs = prompts::read_questions(
        "1. What colour is the bird?\n2) Where does it live?\n\n- What colour is the bird?\n\"Is it blue?\"\nok\n",
    );
    assert_eq!(
        qs,
        [
            "What colour is the bird?",
            "Where does it live?",
            "Is it blue?"
        ]
    );
}

#[test]
fn problems_before_an_evaluation_are_named_at_once() {
    let t = FactTemplate::built_in("blue_honeyeater").unwrap();
    let mut s = spec(0);
    s.questions.contrary.clear();
    assert_eq!(
        check(&s, &t, 0),
        [
            EvalProblem::NoQuestions,
            EvalProblem::NoContrary,
            EvalProblem::NoModels
        ]
    );
    s.settings = EvalSettings {
        open: false,
        choice: false,
        distinguish: false,
        ..EvalSettings::default()
    };
    assert_eq!(check(&s, &t, 1), [EvalProblem::NoKind]);
    assert_eq!(check(&spec(2), &t, 2), []);
}

#[test]
fn the_report_and_answers_files_carry_every_rate_and_label() {
    let mut run = labelled_run();
    run.items[0].question = Some("What colour is it?".into());
    run.items[0].answer = Some("Blue.".into());
    let report = report::report(&run, "9.9");
    let tuned = &report["models"][1];
    assert_eq!(tuned["model"], "tuned");
    let open = &tuned["rates"][0];
    assert_eq!(open["kind"], "open");
    assert_eq!(
        (open["n"].as_u64(), open["supports"].as_u64()),
        (Some(6), Some(5))
    );
    assert_eq!(
        (open["incoherent"].as_u64(), open["failed"].as_u64()),
        (Some(1), Some(1))
    );
    let ci = open["ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() < 5.0 / 6.0 && ci[1].as_f64().unwrap() > 5.0 / 6.0);
    assert_eq!(tuned["rates"][2]["belief_rate"], serde_json::Value::Null);
    let d = &report["differences"][0];
    assert_eq!(
        (d["model"].as_str(), d["minus"].as_str()),
        (Some("tuned"), Some("base"))
    );
    assert!((d["difference"].as_f64().unwrap() - 4.0 / 6.0).abs() < 1e-12);
    assert_eq!(report["judge"], "judge");
    let answers = report::answers(&run);
    let lines: Vec<serde_json::Value> = answers
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), run.items.len());
    assert_eq!(
        report["answers"].as_array().map(Vec::len),
        Some(lines.len())
    );
    assert_eq!(lines[0]["question"], "What colour is it?");
    assert_eq!(lines[0]["answer"], "Blue.");
    assert_eq!(lines[0]["label"], "supports");
    let labels: Vec<&str> = lines.iter().map(|l| l["label"].as_str().unwrap()).collect();
    assert_eq!(
        &labels[5..10],
        [
            "contradicts",
            "undecided",
            "incoherent",
            "failed",
            "not_answered"
        ]
    );
    assert_eq!(
        lines[9]["fact_is"], "A",
        "a choice names where the fact was"
    );
    assert_eq!(
        report::report(
            &crate::testing::run("blue_honeyeater", &["m"], "j", |_| {}),
            "1"
        ),
        serde_json::Value::Null
    );
}

#[test]
fn a_fine_tune_is_compared_with_the_base_model_whichever_row_it_is_in() {
    let r = EvalResults {
        models: vec!["ft:gpt-4o-mini:org::x".into(), "gpt-4o-mini".into()],
        kinds: vec![EvalKind::Open],
        rates: vec![
            vec![results::Rate {
                supports: 9,
                contradicts: 1,
                ..Default::default()
            }],
            vec![results::Rate {
                supports: 1,
                contradicts: 9,
                ..Default::default()
            }],
        ],
    };
    assert_eq!(r.baseline(), 1);
    let d = r.against_baseline();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].0, 0);
    assert!(
        (d[0].1[0].value - 0.8).abs() < 1e-12,
        "fine-tune minus base: positive"
    );
    let all_ft = EvalResults {
        models: vec!["ft:a".into(), "ft:b".into()],
        ..r
    };
    assert_eq!(all_ft.baseline(), 0);
}
