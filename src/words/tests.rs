//! The sentences users read, for the cases that misled them before (native: `cargo test`).

use super::*;
use synfact_core::provider::endpoint::{check_key, BaseUrl};
use synfact_core::provider::error::{Outage, PauseReason, StopReason};
use synfact_core::provider::refusal::Refusal;
use synfact_core::provider::wire::ModelConfig;
use synfact_core::run::reason::Reason;
use synfact_core::template::prompts::Prompts;
use synfact_core::template::TemplateDoc;
use synfact_core::{
    Engine, FactTemplate, ModelSpec, Progress, Run, RunSettings, Stage, Status, TemplateIssue,
};

fn run(items: usize) -> Run {
    let model = |name: &str| ModelSpec {
        endpoint: 0,
        config: ModelConfig::new(name),
    };
    Run::new(
        "r".into(),
        0.0,
        FactTemplate::built_in("blue_honeyeater").unwrap(),
        Prompts::default(),
        vec![EndpointSpec {
            kind: ProviderKind::OpenAi,
            base_url: BaseUrl::parse("http://127.0.0.1:8899/v1").unwrap(),
            concurrency: 6,
            rpm: None,
        }],
        vec![model("small-model")],
        model("judge"),
        RunSettings {
            examples: items,
            ..RunSettings::default()
        },
    )
}

fn template_issues(json: &str) -> Vec<String> {
    TemplateDoc::parse(json)
        .1
        .iter()
        .map(template_issue)
        .collect()
}

#[test]
fn a_key_with_a_leading_word_names_the_word_not_an_invisible_character() {
    let said = key_error("API key", &check_key("Token sk-abc").unwrap_err());
    assert!(said.contains("starts with \"Token \""), "{said}");
    assert!(!said.contains("invisible"), "{said}");
    let said = key_error("API key", &check_key("sk-ab cd").unwrap_err());
    assert!(said.contains("a space at position 6"), "{said}");
    let said = key_error("API key", &check_key("sk-\u{200B}ab").unwrap_err());
    assert!(
        said.contains("invisible character (U+200B) at position 4"),
        "{said}"
    );
}

#[test]
fn a_base_url_a_slash_short_gets_the_address_it_meant() {
    let e = BaseUrl::parse("http:/127.0.0.1:8899/v1").unwrap_err();
    let said = url_error("Base URL", &e);
    assert!(
        said.contains("did you mean http://127.0.0.1:8899/v1?"),
        "{said}"
    );
}

#[test]
fn json_problems_name_what_is_there() {
    let tab = template_issues("{\"given_fact\": \"a\tb\"}");
    assert!(tab[0].contains("a tab inside a text"), "{tab:?}");
    assert!(!tab[0].contains("line break"), "{tab:?}");
    let half = template_issues(r#"{"given_fact": "\ud800"}"#);
    assert!(half[0].contains("without its pair"), "{half:?}");
    let chat = r#"{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}]}"#;
    let said = template_issues(&format!("{chat}\n{chat}\n"));
    assert!(said[0].contains("Open a chat JSONL file"), "{said:?}");
}

#[test]
fn a_refused_share_link_ends_its_sentence_once() {
    let said = link_error(&synfact_core::template::share::LinkError::NotATemplate(
        vec![TemplateIssue::Empty(synfact_core::TemplateField::FactName)],
    ));
    assert!(!said.contains(".."), "{said}");
    assert!(said.ends_with("is empty. Nothing was changed."), "{said}");
}

#[test]
fn a_stop_names_the_dominant_cause_not_a_list_of_suspects() {
    let mut r = run(20);
    for (k, i) in r.items.iter_mut().enumerate() {
        i.stage = Stage::Rejected;
        i.reason = Some(if k == 0 {
            Reason::JudgeRejected { why: None }
        } else {
            Reason::Duplicate {
                of: 0,
                similarity: 0.5,
            }
        });
    }
    let said = stop_reason(
        &StopReason::NothingAccepted {
            generator: 0,
            tried: 20,
        },
        &r,
    );
    assert!(
        said.contains("19 of 20 questions were near-duplicates of another: see Quality checks → Reject near-duplicate questions"),
        "{said}"
    );
    assert!(
        !said.contains("the template, the prompts or the judge model"),
        "{said}"
    );
    for i in &mut r.items {
        i.reason = Some(Reason::Refused(Refusal::Empty));
    }
    let said = stop_reason(
        &StopReason::NothingAccepted {
            generator: 0,
            tried: 20,
        },
        &r,
    );
    assert!(said.contains("every reply was empty"), "{said}");
    assert!(!said.to_lowercase().contains("template"), "{said}");
}

#[test]
fn a_finished_run_that_lost_most_items_says_why() {
    let mut r = run(4);
    for (k, i) in r.items.iter_mut().enumerate() {
        if k == 0 {
            i.stage = Stage::Accepted;
        } else {
            i.stage = Stage::Rejected;
            i.reason = Some(Reason::CutOff);
        }
    }
    let e = Engine::new(r);
    // The status line keeps its fixed form; the cause is a note under it.
    let said = status_line(e.status(), &e.progress(), e.run());
    assert_eq!(said, "Finished: 1 accepted, 3 rejected, 0 failed");
    let note = finish_note(e.status(), e.run()).unwrap();
    assert!(
        note.starts_with(
            "Most items were not accepted: all 3 replies were cut off at the token limit"
        ),
        "{note}"
    );
}

#[test]
fn the_status_counts_calls_and_an_outage_reads_as_one() {
    let r = run(20);
    let e = Engine::new(r);
    let p = e.progress();
    let said = status_line(&Status::Running, &p, e.run());
    assert!(said.contains("0 of 20 items done"), "{said}");
    assert!(
        said.contains("0 of 80 calls answered, 0 in flight"),
        "{said}"
    );
    assert!(!said.contains("re-sent"), "{said}");
    let mut resent = p.clone();
    resent.resent = 3;
    let said = status_line(&Status::Running, &resent, e.run());
    assert!(said.ends_with(", 3 slow calls re-sent"), "{said}");
    let paused = Status::Paused(PauseReason::Outage {
        endpoint: 0,
        outage: Outage::NoAnswer { for_ms: 20_400 },
        detail: "Failed to fetch".into(),
    });
    let said = status_line(&paused, &p, e.run());
    assert!(said.starts_with("Paused: the OpenAI-compatible endpoint http://127.0.0.1:8899/v1 has not answered for 20 s: Failed to fetch. Nothing is lost"), "{said}");
    assert!(said.ends_with("Press Resume when it is back."), "{said}");
    let limited = Status::Paused(PauseReason::Outage {
        endpoint: 0,
        outage: Outage::RateLimited { for_ms: 61_000 },
        detail: String::new(),
    });
    let said = status_line(&limited, &p, e.run());
    assert!(
        said.contains("rate-limited on every call for 1 min 1 s"),
        "{said}"
    );
    assert!(
        said.contains("Lower Concurrency or Requests per minute"),
        "{said}"
    );
}

#[test]
fn the_prompt_cache_is_named_where_it_saves_or_is_lost() {
    let note = cache_break("seed_question", "fact_sheet", 5000, Some(0.0712));
    assert_eq!(
        note,
        "This prompt puts {seed_question} before {fact_sheet}. Providers discount only a start of the prompt that every call shares, so each call pays full price for the fact sheet's ~5000 tokens (about $0.07 more for a run of the form's size). Put {fact_sheet} first to keep the discount."
    );
    assert!(!cache_break("reply", "task", 10, None).contains("more for"));
    let mut r = synfact_core::cost::CostReport::default();
    assert!(!cost_summary(&r).contains("saved"));
    r.saved_usd = 0.5;
    assert!(
        cost_summary(&r).ends_with("; the providers' prompt caches saved $0.50"),
        "{}",
        cost_summary(&r)
    );
}

#[test]
fn a_batch_run_says_what_the_provider_is_doing_and_what_to_do_when_it_cannot() {
    let mut p = Progress {
        batch: Some(synfact_core::run::engine::RoundProgress {
            round: 2,
            rounds: 4,
            done: 1234,
            total: 2000,
            at_provider: true,
        }),
        ..Progress::default()
    };
    let r = run(3);
    let line = status_line(&Status::Running, &p, &r);
    assert!(
        line.starts_with("Running as a batch: round 2 of 4: 1,234 of 2,000 done at the provider. You can close this tab"),
        "{line}"
    );
    p.batch = None;
    assert!(status_line(&Status::Running, &p, &r).starts_with("Running: "));
    let refused = status_line(
        &Status::Paused(PauseReason::Batch(
            synfact_core::provider::error::BatchProblem::Unreachable {
                detail: "Failed to fetch".into(),
            },
        )),
        &p,
        &r,
    );
    assert!(
        refused.contains("(Failed to fetch)")
            && refused.contains("choose Send calls: Live and press Resume"),
        "{refused}"
    );
    let failed = status_line(
        &Status::Paused(PauseReason::Batch(
            synfact_core::provider::error::BatchProblem::Failed {
                errors: vec!["line 3: Model parameter is required.".into()],
            },
        )),
        &p,
        &r,
    );
    assert!(
        failed.contains("failed the batch: line 3: Model parameter is required. Fix"),
        "{failed}"
    );
}
