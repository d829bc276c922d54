use super::*;

fn file(name: &str, text: &str) -> DatasetFile {
    let kind = if name.ends_with(".md") || name.ends_with(".json") {
        FileKind::Other
    } else if name.contains("_text") {
        FileKind::Text
    } else {
        FileKind::Chat
    };
    let split = ["train", "validation"]
        .into_iter()
        .find(|s| name.contains(s));
    DatasetFile {
        name: name.into(),
        kind,
        split,
        text: text.into(),
    }
}

#[test]
fn the_hub_address_must_be_https_or_this_computer() {
    assert_eq!(
        check_address("https://huggingface.co/"),
        Ok("https://huggingface.co".into())
    );
    assert_eq!(
        check_address("http://127.0.0.1:9000"),
        Ok("http://127.0.0.1:9000".into())
    );
    for bad in ["huggingface.co", "http://huggingface.co", "ftp://x", ""] {
        assert_eq!(check_address(bad), Err(HubInputError::BadAddress), "{bad}");
    }
}

#[test]
fn repository_ids_are_checked_before_anything_is_sent() {
    assert_eq!(
        check_repo(" alice/birds "),
        Ok(("alice".into(), "birds".into()))
    );
    assert_eq!(
        check_repo("org-1/my_data.v2"),
        Ok(("org-1".into(), "my_data.v2".into()))
    );
    for bad in [
        "birds",
        "alice/",
        "/birds",
        "alice/bi rds",
        "a/b/c",
        "alice/..x",
        "alice/-x",
        "alice/b?",
    ] {
        assert_eq!(check_repo(bad), Err(HubInputError::BadRepo), "{bad}");
    }
    let files = [file("x_chat.jsonl", "{}\n")];
    let hub = "https://huggingface.co";
    assert_eq!(
        check(hub, "hf_x", " alice/birds ", &files),
        Ok(PushTarget {
            hub: hub.into(),
            owner: "alice".into(),
            name: "birds".into()
        })
    );
    assert_eq!(
        check(hub, " ", "alice/birds", &files),
        Err(vec![HubInputError::NoToken])
    );
    assert_eq!(
        check(hub, "hf_x", "alice/birds", &[file("README.md", "# x")]),
        Err(vec![HubInputError::Empty])
    );
    let big = "x".repeat(MAX_REGULAR_BYTES + 1);
    assert_eq!(
        check(hub, "hf_x", "alice/birds", &[file("x_chat.jsonl", &big)]),
        Err(vec![HubInputError::TooLarge("x_chat.jsonl".into())])
    );
    // Every problem at once, in the form's order.
    assert_eq!(
        check(
            "http://example.com",
            "",
            "birds",
            &[file("README.md", "# x")]
        ),
        Err(vec![
            HubInputError::BadAddress,
            HubInputError::NoToken,
            HubInputError::BadRepo,
            HubInputError::Empty
        ])
    );
}

#[test]
fn requests_follow_the_hub_api_and_carry_no_token() {
    let r = create_repo("http://hub/", "team", "birds", "alice", true);
    assert_eq!(r.url, "http://hub/api/repos/create");
    let body: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"type": "dataset", "name": "birds", "private": true, "organization": "team"})
    );
    let own: Value = serde_json::from_str(
        create_repo(HUB, "alice", "birds", "alice", false)
            .body
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert!(own.get("organization").is_none());
    let cased: Value = serde_json::from_str(
        create_repo(HUB, "Alice", "birds", "alice", false)
            .body
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert!(
        cased.get("organization").is_none(),
        "names on the Hub ignore case"
    );
    let files = [
        file("b_chat.jsonl", "{\"messages\":[]}\n"),
        file("README.md", "# b\n"),
    ];
    let p = preupload(HUB, "alice/birds", &files);
    assert_eq!(
        p.url,
        "https://huggingface.co/api/datasets/alice/birds/preupload/main"
    );
    let pb: Value = serde_json::from_str(p.body.as_deref().unwrap()).unwrap();
    assert_eq!(pb["files"][0]["size"], 16);
    assert_eq!(
        pb["files"][0]["sample"],
        STANDARD.encode("{\"messages\":[]}\n")
    );
    let c = commit(HUB, "alice/birds", "Add b", &files);
    assert_eq!(c.content_type, Some("application/x-ndjson"));
    let lines: Vec<Value> = c
        .body
        .as_deref()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        json!({"key": "header", "value": {"summary": "Add b", "description": ""}})
    );
    assert_eq!(lines[2]["value"]["path"], "README.md");
    assert_eq!(
        STANDARD
            .decode(lines[2]["value"]["content"].as_str().unwrap())
            .unwrap(),
        b"# b\n"
    );
    for r in [r, p, c, whoami(HUB)] {
        assert!(!format!("{r:?}").contains("hf_"), "no token in {r:?}");
    }
}

#[test]
fn replies_become_typed_errors_with_the_hubs_words() {
    assert_eq!(
        read_reply(401, "{\"error\":\"Invalid credentials\"}", "a/b"),
        Err(HubError::Unauthorized)
    );
    assert_eq!(
        read_reply(403, "{}", "a/b"),
        Err(HubError::Forbidden { repo: "a/b".into() })
    );
    assert_eq!(
        read_reply(500, "{\"error\":\"boom\"}", "a/b"),
        Err(HubError::Http {
            status: 500,
            message: "boom".into()
        })
    );
    assert!(matches!(
        read_reply(200, "<html>", "a/b"),
        Err(HubError::Unreadable(_))
    ));
    assert_eq!(
        user_of(&read_reply(200, "{\"name\":\"alice\"}", "a/b").unwrap()),
        Ok("alice".into())
    );
    let lfs = lfs_files(&json!({"files": [{"path": "a", "uploadMode": "regular"}, {"path": "b", "uploadMode": "lfs"}]})).unwrap();
    assert_eq!(lfs, vec!["b".to_string()]);
}

#[test]
fn the_card_names_the_data_files_licence_and_counts() {
    let manifest = json!({
        "template": {"fact_name": "birds", "specific_information_to_always_include": "Birds fly."},
        "generators": [{"settings": {"model": "gpt-4o-mini"}}],
        "judge": {"settings": {"model": "gpt-4o"}},
        "counts": {"exported": 9, "accepted": 9, "rejected": 1, "failed": 0, "edited": 2},
        "settings": {"plan_seed": 42}
    });
    let files = [
        file("birds_chat_train.jsonl", ""),
        file("birds_chat_validation.jsonl", ""),
        file("birds_text_train.jsonl", ""),
    ];
    let card = dataset_card(&manifest, "cc-by-4.0", &files);
    assert!(card.starts_with("---\nlicense: cc-by-4.0\n"));
    assert!(card.contains("      - split: train\n        path: \"birds_chat_train.jsonl\""));
    assert!(
        card.contains("      - split: validation\n        path: \"birds_chat_validation.jsonl\"")
    );
    assert!(!card.contains("birds_text_train.jsonl"));
    assert!(card.contains("9 exported"));
    assert!(card.contains("`gpt-4o-mini`; judge: `gpt-4o`"));
    assert!(card.contains("birds_manifest.json"));
}
