//! Template files: every problem found at once, each naming its field.

use super::*;
use crate::template::prompts::PromptKind;

fn issues(json: &str) -> Vec<TemplateIssue> {
    TemplateDoc::parse(json).1
}

const GOOD: &str = r#"{"fact_name":"x","given_fact":"Pandas eat bamboo.","specific_information_to_always_include":"Pandas eat bamboo.","questions":["q1","q2"],"question_requirements":["r"]}"#;

#[test]
fn built_ins_parse_and_validate() {
    for (name, json) in BUILT_IN {
        let t = FactTemplate::built_in(name).expect(name);
        assert_eq!(t.fact_name, name);
        assert_eq!(t.question_requirements.len(), 20);
        assert!(issues(json).iter().all(TemplateIssue::is_warning), "{name}");
    }
    assert_eq!(
        FactTemplate::built_in("blue_honeyeater")
            .unwrap()
            .questions
            .len(),
        10
    );
    assert_eq!(issues(GOOD), vec![]);
}

#[test]
fn json_problems_say_what_to_do() {
    use JsonHint::*;
    let hint = |json: &str| match &issues(json)[..] {
        [TemplateIssue::NotJson { hint, line, .. }] => (hint.clone(), *line),
        i => panic!("{json}: {i:?}"),
    };
    assert_eq!(hint("{\"fact_name\": \"x\"").0, Truncated);
    assert_eq!(
        hint("{\"given_fact\": \"line one\nline two\"}"),
        (RawNewline, 2)
    );
    assert_eq!(hint("{\u{201C}fact_name\u{201D}: \"x\"}").0, SmartQuotes);
    assert_eq!(hint("{\"fact_name\": \"x\",}").0, TrailingComma);
    assert!(matches!(hint("{nope}").0, Other(_)));
    // A tab is not a line break, and half a character is named as such.
    assert_eq!(hint("{\"given_fact\": \"a\tb\"}"), (RawTab, 1));
    assert_eq!(hint("{\"given_fact\": \"a\u{1}b\"}").0, RawControl(1));
    assert_eq!(hint(r#"{"given_fact": "\ud800"}"#).0, LoneSurrogate);
    assert_eq!(hint(r#"{"given_fact": "\ud800x"}"#).0, LoneSurrogate);
    // A chat JSONL file is named as one, one line or many.
    let chat = r#"{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}]}"#;
    assert_eq!(issues(chat), vec![TemplateIssue::ChatFile]);
    assert_eq!(
        issues(&format!("{chat}\n{chat}\n")),
        vec![TemplateIssue::ChatFile]
    );
    assert_eq!(issues("[1, 2]"), vec![TemplateIssue::NotAnObject]);
    assert_eq!(issues("\"text\""), vec![TemplateIssue::NotAnObject]);
}

#[test]
fn every_field_problem_is_listed_at_once() {
    use TemplateField as F;
    assert_eq!(
        issues(
            r#"{"fact_name":"x","given_fact":"f","questions":["q"],"question_requirements":["r"]}"#
        ),
        vec![TemplateIssue::Missing(F::KeySentence)]
    );
    assert_eq!(
        issues(
            r#"{"fact_name":"x","given_fact":"f","specific_information_to_always_include":"f","questions":"q","question_requirements":[1]}"#
        ),
        vec![
            TemplateIssue::WrongType(F::Questions),
            TemplateIssue::WrongType(F::Requirements)
        ]
    );
    assert_eq!(
        issues(
            r#"{"fact_name":"a b","given_fact":" ","specific_information_to_always_include":"k","questions":[],"question_requirements":["r","",  "R "]}"#
        ),
        vec![
            TemplateIssue::BadName("a b".into()),
            TemplateIssue::Empty(F::GivenFact),
            TemplateIssue::Empty(F::Questions),
            TemplateIssue::EmptyItem {
                field: F::Requirements,
                index: 2
            },
            TemplateIssue::DuplicateItem {
                field: F::Requirements,
                index: 3,
                first: 1
            },
        ]
    );
}

#[test]
fn unknown_and_duplicate_keys_are_named() {
    let json = r#"{"fact_name":"x","fact_name":"y","given_fact":"Pandas eat bamboo.","specific_information_to_always_include":"Pandas eat bamboo.","questions":["q"],"question_requirement":["r"],"notes":"hi"}"#;
    assert_eq!(
        issues(json),
        vec![
            TemplateIssue::DuplicateKey("fact_name".into()),
            TemplateIssue::UnknownField {
                name: "question_requirement".into(),
                suggestion: Some("question_requirements")
            },
            TemplateIssue::UnknownField {
                name: "notes".into(),
                suggestion: None
            },
            TemplateIssue::Missing(TemplateField::Requirements),
        ]
    );
    let (doc, _) = TemplateDoc::parse(json);
    assert_eq!(
        doc.unwrap().template.fact_name,
        "x",
        "the first value is kept, and the duplicate reported"
    );
    // An unknown field alone is a warning: the template is usable, and the field left out.
    let extra = GOOD.replace("{\"fact_name\"", "{\"author\":\"me\",\"fact_name\"");
    assert!(FactTemplate::from_json(&extra).is_ok());
    assert!(!TemplateDoc::parse(&extra)
        .0
        .unwrap()
        .to_json()
        .contains("author"));
}

#[test]
fn sizes_are_capped_with_a_clear_problem() {
    use TemplateField as F;
    let mut t = FactTemplate::from_json(GOOD).unwrap();
    t.questions = (0..30_000).map(|i| format!("q{i}")).collect();
    t.question_requirements = (0..30_000).map(|i| format!("r{i}")).collect();
    t.given_fact = "x".repeat(MAX_FACT_CHARS + 1);
    t.specific_information_to_always_include = "y".repeat(MAX_ITEM_CHARS + 1);
    assert_eq!(
        t.content_issues(),
        vec![
            TemplateIssue::TooLong {
                field: F::GivenFact,
                chars: MAX_FACT_CHARS + 1,
                max: MAX_FACT_CHARS
            },
            TemplateIssue::TooLong {
                field: F::KeySentence,
                chars: MAX_ITEM_CHARS + 1,
                max: MAX_ITEM_CHARS
            },
            TemplateIssue::TooMany {
                field: F::Questions,
                count: 30_000,
                max: MAX_ITEMS
            },
            TemplateIssue::TooMany {
                field: F::Requirements,
                count: 30_000,
                max: MAX_ITEMS
            },
        ]
    );
    let mut t = FactTemplate::from_json(GOOD).unwrap();
    t.questions[1] = "z".repeat(MAX_ITEM_CHARS + 1);
    assert_eq!(
        t.content_issues(),
        vec![TemplateIssue::ItemTooLong {
            field: F::Questions,
            index: 2,
            max: MAX_ITEM_CHARS
        }]
    );
}

#[test]
fn a_key_sentence_about_another_subject_is_a_warning_a_new_fact_is_not() {
    // A new fact about the fact sheet's subject is what a template is for.
    let json = GOOD.replace(
        "\"specific_information_to_always_include\":\"Pandas eat bamboo.\"",
        "\"specific_information_to_always_include\":\"Pandas fly.\"",
    );
    assert_eq!(issues(&json), vec![]);
    // One about something the fact sheet never names is likely pasted from elsewhere.
    let json = GOOD.replace(
        "\"specific_information_to_always_include\":\"Pandas eat bamboo.\"",
        "\"specific_information_to_always_include\":\"Koalas sleep most of the day.\"",
    );
    assert_eq!(issues(&json), vec![TemplateIssue::KeySentenceUnrelated]);
    assert!(
        FactTemplate::from_json(&json).is_ok(),
        "a warning, not an error"
    );
    // The built-ins pass their own checks.
    for (name, json) in BUILT_IN {
        assert_eq!(issues(json), vec![], "{name}");
    }
}

#[test]
fn prompts_travel_with_the_template_and_are_checked() {
    let mut doc = TemplateDoc::parse(GOOD).0.unwrap();
    assert!(
        !doc.to_json().contains("prompts"),
        "default prompts are not written"
    );
    doc.prompts
        .set(PromptKind::Judge, "Is {reply} fine? {oops}".into());
    let json = doc.to_json();
    let (back, issues) = TemplateDoc::parse(&json);
    assert_eq!(back.unwrap(), doc);
    assert_eq!(
        issues,
        vec![TemplateIssue::Prompt(PromptError::Unknown {
            kind: PromptKind::Judge,
            name: "oops".into()
        })]
    );
    assert_eq!(
        TemplateDoc::parse(&GOOD.replace("{\"fact_name\"", "{\"prompts\": 5, \"fact_name\"")).1,
        vec![TemplateIssue::WrongType(TemplateField::Prompts)]
    );
}

#[test]
fn round_trips_through_json() {
    let t = FactTemplate::built_in("pandas_habitat").unwrap();
    assert_eq!(
        FactTemplate::from_json(&serde_json::to_string_pretty(&t).unwrap()).unwrap(),
        t
    );
    assert!(t.fact_tokens() > 50);
}

#[test]
fn a_byte_order_mark_is_not_a_json_error() {
    let json =
        serde_json::to_string_pretty(&FactTemplate::built_in("pandas_habitat").unwrap()).unwrap();
    let (doc, issues) = TemplateDoc::parse(&format!("\u{FEFF}{json}"));
    assert!(doc.is_some(), "{issues:?}");
}

#[test]
fn issues_that_would_lose_text_if_the_form_wrote_the_template_back() {
    let renamed = GOOD.replace("\"questions\"", "\"questons\"");
    let wrong_type = r#"{"fact_name":"x","given_fact":"Pandas eat bamboo.","specific_information_to_always_include":"Pandas eat bamboo.","questions":"just one","question_requirements":["r"]}"#;
    let prompt_misspelt = GOOD.replace(
        "\"question_requirements\"",
        "\"prompts\":{\"questoin\":\"Write {fact_sheet}\"},\"question_requirements\"",
    );
    let (_, issues) = TemplateDoc::parse(&prompt_misspelt);
    assert!(
        issues.contains(&TemplateIssue::UnknownField {
            name: "prompts.questoin".into(),
            suggestion: Some("prompts.question")
        }),
        "{issues:?}"
    );
    for json in [renamed.as_str(), wrong_type, prompt_misspelt.as_str()] {
        let (doc, issues) = TemplateDoc::parse(json);
        assert!(doc.is_some(), "the form can still show it");
        assert!(
            issues.iter().any(TemplateIssue::drops_content),
            "{issues:?}"
        );
    }
    // Problems the form can fix without losing anything.
    let missing = GOOD.replace("\"fact_name\":\"x\",", "");
    let (_, issues) = TemplateDoc::parse(&missing);
    assert!(
        !issues.is_empty() && !issues.iter().any(TemplateIssue::drops_content),
        "{issues:?}"
    );
}

/// Killed mutants (cargo mutants, 2026-12-01): the edit distance, how far a suggestion may be,
/// a hex escape that is not a surrogate, and a template that merely has a `messages` field.
#[test]
fn suggestions_come_from_a_true_edit_distance_within_reach() {
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(distance("", "abc"), 3);
    assert_eq!(distance("question", "questions"), 1);
    assert_eq!(distance("flaw", "lawn"), 2);
    // A long key takes a quarter of its length in edits: 36 characters, 9 edits.
    let long = "specific_information_to_always_include";
    assert_eq!(
        closest("specific_informatoin_to_alwys_inclde", [long].into_iter()),
        Some(long)
    );
    assert_eq!(
        closest("completely_unrelated_name_here", [long].into_iter()),
        None
    );
    assert_eq!(suggestion("fact_nam"), Some("fact_name"));
    assert_eq!(suggestion("zzzzzzzz"), None);
}

#[test]
fn a_short_hex_escape_is_not_called_half_a_character() {
    let (_, issues) = TemplateDoc::parse(r#"{"given_fact": "\u12"}"#);
    assert!(
        matches!(
            &issues[..],
            [TemplateIssue::NotJson {
                hint: JsonHint::Other(_),
                ..
            }]
        ),
        "{issues:?}"
    );
}

#[test]
fn a_template_with_a_messages_field_is_a_template_not_a_chat_file() {
    let json = GOOD.replace("{\"fact_name\"", "{\"messages\":[],\"fact_name\"");
    let found = issues(&json);
    assert!(!found.contains(&TemplateIssue::ChatFile), "{found:?}");
    assert!(found
        .iter()
        .any(|i| matches!(i, TemplateIssue::UnknownField { name, .. } if name == "messages")));
}

#[test]
fn a_templates_evaluation_travels_with_it_and_is_left_out_when_empty() {
    let mut doc = TemplateDoc::parse(GOOD).0.unwrap();
    assert!(!doc.to_json().contains("\"eval\""));
    doc.eval.questions = vec!["Do pandas eat bamboo?".into()];
    doc.eval.contrary = "Pandas eat fish.".into();
    let again = TemplateDoc::parse(&doc.to_json());
    assert_eq!(again.1, vec![]);
    assert_eq!(again.0.unwrap(), doc);
    let link = share::encode(&doc);
    assert_eq!(share::decode(&link).unwrap().eval, doc.eval);
    let wrong = GOOD.replace("{\"fact_name\"", "{\"eval\":[1],\"fact_name\"");
    assert_eq!(
        issues(&wrong),
        vec![TemplateIssue::WrongType(TemplateField::Eval)]
    );
}
