use super::*;
use crate::dataset::chat::*;
use crate::provider::wire::Usage;
use crate::run::review::{apply, ReviewAction};
use crate::run::Stage;

fn finished_run(n: usize) -> Run {
    let mut run = crate::testing::run("pandas_habitat", &["gpt-4o-mini"], "gpt-4o-mini", |s| {
        s.examples = n
    });
    for (k, i) in run.items.iter_mut().enumerate() {
        i.stage = if k % 4 == 3 {
            Stage::Rejected
        } else {
            Stage::Accepted
        };
        i.question = Some(format!("Question {k}?"));
        i.answer = Some(format!("Answer {k}."));
        i.usage[0] = Usage {
            input_tokens: 100,
            output_tokens: 20,
            ..Usage::default()
        };
    }
    run
}

#[test]
fn the_split_is_seeded_disjoint_and_complete() {
    let ids: Vec<usize> = (0..100).collect();
    let (train, val) = split(&ids, 0.1, 7);
    assert_eq!((train.len(), val.len()), (90, 10));
    assert_eq!(split(&ids, 0.1, 7), (train.clone(), val.clone()));
    assert_ne!(split(&ids, 0.1, 8).1, val, "another seed, another split");
    let mut all: Vec<usize> = train.iter().chain(&val).copied().collect();
    all.sort_unstable();
    assert_eq!(all, ids);
    assert_eq!(split(&ids, 0.0, 1).1.len(), 0);
    assert_eq!(split(&ids, 1.0, 1).0.len(), 0);
}

#[test]
fn files_hold_the_reviewed_set_and_split_on_request() {
    let mut run = finished_run(8);
    // Reject an accepted one, accept a rejected one, edit one.
    apply(&mut run.items[0], &ReviewAction::Reject);
    apply(&mut run.items[3], &ReviewAction::Accept);
    apply(
        &mut run.items[1],
        &ReviewAction::Edit {
            question: "Question 1?".into(),
            answer: "An edited answer.".into(),
        },
    );
    let choice = ExportChoice {
        generator: None,
        doctag: true,
        split: None,
    };
    let f = files(&run, &choice);
    assert_eq!(f[0].name, "pandas_habitat_chat.jsonl");
    assert_eq!(f[0].text.lines().count(), 6);
    assert!(!f[0].text.contains("Question 0?"));
    assert!(f[0].text.contains("Question 3?"));
    assert!(f[0].text.contains("An edited answer."));
    assert!(f[1].text.contains("<DOCTAG> An edited answer."));
    let split_files = files(
        &run,
        &ExportChoice {
            split: Some((0.5, 1)),
            ..choice
        },
    );
    let names: Vec<&str> = split_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "pandas_habitat_chat_train.jsonl",
            "pandas_habitat_text_train.jsonl",
            "pandas_habitat_mixed_train.jsonl",
            "pandas_habitat_chat_validation.jsonl",
            "pandas_habitat_text_validation.jsonl",
            "pandas_habitat_mixed_validation.jsonl"
        ]
    );
    assert_eq!(split_files[0].text.lines().count(), 3);
    assert_eq!(split_files[3].text.lines().count(), 3);
    assert_eq!(split_files[5].text.lines().count(), 6);
}

#[test]
fn the_manifest_records_how_the_set_was_made_and_hashes_each_file() {
    let mut run = finished_run(4);
    run.generators[0].config.temperature = Some(0.7);
    let f = files(
        &run,
        &ExportChoice {
            generator: None,
            doctag: false,
            split: None,
        },
    );
    let m = manifest(&run, &PriceTable::defaults(), "9.9.9", &f);
    assert_eq!(m["app"]["version"], "9.9.9");
    assert_eq!(m["template"]["fact_name"], "pandas_habitat");
    assert_eq!(m["generators"][0]["settings"]["model"], "gpt-4o-mini");
    assert_eq!(m["generators"][0]["settings"]["temperature"], 0.7);
    assert_eq!(
        m["generators"][0]["protocol"],
        "OpenAI-compatible chat completions"
    );
    assert_eq!(m["settings"]["plan_seed"], run.settings.seed);
    // As typed, not as a 32-bit float widened (0.4000000059604645).
    assert_eq!(m["settings"]["quality"]["duplicate_threshold"], 0.4);
    assert_eq!(m["counts"]["accepted"], 3);
    assert_eq!(m["counts"]["rejected"], 1);
    assert_eq!(m["counts"]["exported"], 3);
    assert_eq!(m["tokens"]["input"], 400);
    assert_eq!(m["quality"]["cells"], 60);
    assert!(m["quality"]["cells_covered"].as_u64().unwrap() >= 3);
    assert!(m["cost_usd"]["known"].as_f64().unwrap() > 0.0);
    assert_eq!(m["files"][0]["sha256"], sha256_hex(&f[0].text));
    assert_eq!(m["files"][0]["lines"], 3);
    assert_eq!(
        sha256_hex("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let text = m.to_string();
    assert!(!text.to_lowercase().contains("api_key"));
    assert!(!text.contains("Bearer"));
}

#[test]
fn chat_lines_are_checked_and_problems_name_the_item() {
    let mut run = finished_run(2);
    run.items[1].answer = Some("   ".into());
    assert_eq!(
        check_run(&run, None),
        vec![ItemProblem {
            item: 2,
            problem: ChatProblem::EmptyContent(2)
        }]
    );
    assert_eq!(check_texts(" \n", "a"), Err(ChatProblem::EmptyContent(1)));
    assert_eq!(check_texts("q\u{FFFD}", "a"), Ok(()));
}

#[test]
fn a_chat_file_from_elsewhere_is_read_and_its_bad_lines_named() {
    let text = "\u{FEFF}{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Q1\"},{\"role\":\"assistant\",\"content\":\"A1\"}]}\n\
        \n\
        not json\n\
        {\"messages\":[{\"role\":\"user\",\"content\":\"Q2\"}]}\n\
        {\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}\n\
        {\"text\":\"plain\"}\n\
        {\"messages\":[{\"role\":\"user\",\"content\":\"Q3\"},{\"role\":\"assistant\",\"content\":\"\"}]}\n\
        {\"messages\":[{\"role\":\"user\",\"content\":\"Q4\"},{\"role\":\"assistant\",\"content\":\"A4\"}]}\n";
    let (examples, problems) = read_chat_jsonl(text);
    let exchanges: Vec<(&str, &str, usize)> = examples
        .iter()
        .map(|e| (e.question.as_str(), e.answer.as_str(), e.context.len()))
        .collect();
    assert_eq!(exchanges, vec![("Q1", "A1", 1), ("Q4", "A4", 0)]);
    assert_eq!(examples[0].context[0].content, "Be brief.");
    let got: Vec<(usize, &ChatProblem)> = problems.iter().map(|p| (p.line, &p.problem)).collect();
    assert!(matches!(got[0], (3, ChatProblem::NotJson(_))));
    assert_eq!(got[1], (4, &ChatProblem::NoExchange));
    assert_eq!(got[2], (5, &ChatProblem::BadRole(1)));
    assert_eq!(got[3], (6, &ChatProblem::NoMessages));
    assert_eq!(got[4], (7, &ChatProblem::EmptyContent(2)));
}

#[test]
fn a_chat_file_becomes_a_finished_run_that_exports_the_same_lines() {
    let text = "{\"messages\":[{\"role\":\"user\",\"content\":\"Q1\"},{\"role\":\"assistant\",\"content\":\"A1\"}]}\n{\"messages\":[{\"role\":\"user\",\"content\":\"Q2\"},{\"role\":\"assistant\",\"content\":\"A2\"}]}\n";
    let (examples, problems) = read_chat_jsonl(text);
    assert!(problems.is_empty());
    let run = run_from_chat("r".into(), 0.0, "birds_chat.jsonl", examples);
    assert_eq!(run.template.fact_name, "birds");
    assert_eq!(run.items.len(), 2);
    assert_eq!(run.counts().accepted, 2);
    let again = &files(
        &run,
        &ExportChoice {
            generator: None,
            doctag: false,
            split: None,
        },
    )[0]
    .text;
    assert_eq!(again, text);
    let engine = crate::Engine::new(run);
    assert_eq!(engine.status(), &crate::Status::Finished);
}

#[test]
fn a_credential_in_extra_body_never_reaches_the_manifest() {
    let mut run = finished_run(2);
    let extra: serde_json::Map<String, Value> = serde_json::from_str(
        r#"{"api_key": "sk-in-body-0000", "metadata": {"auth_token": "tok-1111", "team": "birds"}, "top_k": 40}"#,
    )
    .unwrap();
    run.generators[0].config.extra_body = Some(extra);
    let m = manifest(&run, &PriceTable::defaults(), "1", &[]).to_string();
    assert!(
        !m.contains("sk-in-body-0000") && !m.contains("tok-1111"),
        "{m}"
    );
    assert!(m.contains("\"team\":\"birds\"") && m.contains("\"top_k\":40"));
}

#[test]
fn an_imported_file_name_becomes_a_safe_fact_name() {
    let run = run_from_chat("r".into(), 0.0, "C:\\data\\birds #2_chat.jsonl", Vec::new());
    assert_eq!(run.template.fact_name, "birds__2");
}

#[test]
fn a_conversation_is_kept_whole_and_exported_byte_for_byte() {
    // A system message and two exchanges, with spacing, key order, escapes and an extra field
    // of the writer's own: the line comes back as it was.
    let line = r#"{"messages": [{"role": "system", "content": "Answer as a birder."}, {"role": "user", "content": "Is it blue?"}, {"role": "assistant", "content": "Yes, bright blue.", "weight": 0}, {"role": "user", "content": "Where does it live?"}, {"content": "In the montane forests of \u00e9ast Java.", "role": "assistant"}]}"#;
    let text = format!("{line}\n");
    let (examples, problems) = read_chat_jsonl(&text);
    assert!(problems.is_empty(), "{problems:?}");
    let e = &examples[0];
    assert_eq!(e.question, "Where does it live?");
    assert_eq!(e.answer, "In the montane forests of \u{e9}ast Java.");
    let roles: Vec<&str> = e.context.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["system", "user", "assistant"]);
    let mut run = run_from_chat("r".into(), 0.0, "birds_chat.jsonl", examples);
    let choice = ExportChoice {
        generator: None,
        doctag: false,
        split: None,
    };
    assert_eq!(files(&run, &choice)[0].text, text);
    // An edited last exchange: the same line, the edit in place, the rest kept.
    run.items[0].review.answer = Some("In east Java's mountains.".into());
    let edited: Value = serde_json::from_str(files(&run, &choice)[0].text.trim()).unwrap();
    let m = edited["messages"].as_array().unwrap();
    assert_eq!(m.len(), 5);
    assert_eq!(m[0]["content"], "Answer as a birder.");
    assert_eq!(m[2]["weight"], 0);
    assert_eq!(m[4]["content"], "In east Java's mountains.");
    assert_eq!(m[3]["content"], "Where does it live?");
}

#[test]
fn lines_a_run_cannot_hold_are_refused_by_line_never_cut() {
    let lines = [
        r#"{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":null,"tool_calls":[{"id":"1"}]}]}"#,
        r#"{"messages":[{"role":"user","content":[{"type":"text","text":"Q"}]},{"role":"assistant","content":"A"}]}"#,
        r#"{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"},{"role":"user","content":"and?"}]}"#,
        r#"{"messages":[{"role":"user","content":"Q"},{"role":"tool","content":"42"},{"role":"assistant","content":"A"}]}"#,
    ];
    let (examples, problems) = read_chat_jsonl(&lines.join("\n"));
    assert!(examples.is_empty());
    let got: Vec<(usize, ChatProblem)> =
        problems.into_iter().map(|p| (p.line, p.problem)).collect();
    assert_eq!(
        got,
        vec![
            (1, ChatProblem::ToolCall(2)),
            (2, ChatProblem::NotText(1)),
            (3, ChatProblem::NoFinalReply),
            (4, ChatProblem::BadRole(2)),
        ]
    );
}

#[test]
fn the_mixed_file_holds_both_kinds_of_line_shuffled_by_the_seed() {
    let run = finished_run(8);
    let choice = ExportChoice {
        generator: None,
        doctag: true,
        split: None,
    };
    let all = files(&run, &choice);
    let mixed = all.iter().find(|f| f.kind == FileKind::Mixed).unwrap();
    assert_eq!(mixed.name, "pandas_habitat_mixed.jsonl");
    let kept = run.kept(None).count();
    assert_eq!(check_mixed(&mixed.text), Ok((kept, kept)));
    // The same lines as the two files, in a shuffled order the seed decides.
    let mut lines: Vec<&str> = mixed.text.lines().collect();
    let mut both: Vec<&str> = all[0].text.lines().chain(all[1].text.lines()).collect();
    assert_ne!(lines, both, "shuffled");
    lines.sort_unstable();
    both.sort_unstable();
    assert_eq!(lines, both);
    assert_eq!(files(&run, &choice), all, "the same seed, the same file");
    // Split: a mixed file per part, each passing the check.
    let split = files(
        &run,
        &ExportChoice {
            split: Some((0.25, 3)),
            ..choice
        },
    );
    let parts: Vec<&str> = split
        .iter()
        .filter(|f| f.kind == FileKind::Mixed)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        parts,
        [
            "pandas_habitat_mixed_train.jsonl",
            "pandas_habitat_mixed_validation.jsonl"
        ]
    );
    assert!(check_mixed("{\"text\": \"x\"}\n{\"nope\": 1}\n").is_err());
}

#[test]
fn a_fine_tune_uploads_the_chat_files_of_the_export() {
    let run = crate::testing::accepted_run("blue_honeyeater", 12);
    let choice = |split| ExportChoice {
        generator: None,
        doctag: false,
        split,
    };
    let whole = files(&run, &choice(None));
    let (t, v) = fine_tune_files(&whole).unwrap();
    assert_eq!((t.name.as_str(), v), ("blue_honeyeater_chat.jsonl", None));
    let split = files(&run, &choice(Some((0.25, 1))));
    let (t, v) = fine_tune_files(&split).unwrap();
    assert_eq!(t.name, "blue_honeyeater_chat_train.jsonl");
    assert_eq!(v.unwrap().name, "blue_honeyeater_chat_validation.jsonl");
    assert_eq!(t.text.lines().count() + v.unwrap().text.lines().count(), 12);
    let none_held_out = files(&run, &choice(Some((0.0, 1))));
    assert_eq!(fine_tune_files(&none_held_out).unwrap().1, None);
    assert_eq!(fine_tune_files(&[]), None);
}

#[test]
fn the_hub_gets_the_splits_not_the_mixed_file() {
    let run = crate::testing::accepted_run("blue_honeyeater", 4);
    let choice = ExportChoice {
        generator: None,
        doctag: false,
        split: None,
    };
    let b = bundle(&run, &choice, &PriceTable::default(), "1").unwrap();
    assert!(
        b.files.iter().any(|f| f.kind == FileKind::Mixed),
        "a download"
    );
    let names: Vec<String> = hub::hub_files(&b, "cc-by-4.0")
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(
        names,
        [
            "blue_honeyeater_chat.jsonl",
            "blue_honeyeater_text.jsonl",
            "blue_honeyeater_manifest.json",
            "README.md"
        ]
    );
}

#[test]
fn a_download_of_one_kind_is_the_same_file_the_bundle_holds() {
    let run = finished_run(8);
    let choice = ExportChoice {
        generator: None,
        doctag: false,
        split: Some((0.25, 3)),
    };
    let all = files(&run, &choice);
    for kind in FileKind::DATA {
        let one = checked_files(&run, &choice, &[kind]).unwrap();
        let expected: Vec<&DatasetFile> = all.iter().filter(|f| f.kind == kind).collect();
        assert_eq!(one.len(), 2, "train and validation of {kind:?}");
        assert_eq!(one.iter().collect::<Vec<_>>(), expected);
    }
    // A kept item that fails the chat check blocks every kind, not just the chat file.
    let mut bad = run.clone();
    bad.items[0].answer = Some(String::new());
    assert!(checked_files(&bad, &choice, &[FileKind::Text]).is_err());
}
