//! In-browser tests (headless Chromium via wasm-bindgen-test): the IndexedDB cache and run store,
//! and the accessible names the UI promises.

#![cfg(target_arch = "wasm32")]

use synfact::{cache, db, runs};
use synfact_core::wire::{Completion, Finish, ModelConfig, ProviderKind, Usage};
use synfact_core::{EndpointSpec, FactTemplate, Generator, Run, RunSettings, Stage};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn completion(text: &str) -> Completion {
    Completion {
        text: text.into(),
        structured: None,
        refusal: None,
        finish: Finish::Stop,
        usage: Usage {
            input_tokens: 3,
            output_tokens: 4,
        },
    }
}

#[wasm_bindgen_test]
async fn cache_round_trip_and_miss() {
    let database = db::open().await.unwrap();
    let key = format!("test-{}", js_sys::Math::random());
    assert_eq!(cache::get(&database, &key).await.unwrap(), None);
    cache::put(&database, &key, &completion("It is blue."))
        .await
        .unwrap();
    assert_eq!(
        cache::get(&database, &key).await.unwrap(),
        Some(completion("It is blue."))
    );
    // A second connection (a reloaded tab) sees the committed entry.
    let again = db::open().await.unwrap();
    assert_eq!(
        cache::get(&again, &key).await.unwrap().unwrap().text,
        "It is blue."
    );
}

#[wasm_bindgen_test]
async fn a_corrupt_cache_entry_is_a_miss_not_a_crash() {
    let database = db::open().await.unwrap();
    db::put_all(
        &database,
        db::RESPONSES,
        &[("corrupt".into(), "{not json".into())],
    )
    .await
    .unwrap();
    assert_eq!(cache::get(&database, "corrupt").await.unwrap(), None);
}

fn run(id: &str) -> Run {
    Run::new(
        id.into(),
        js_sys::Date::now(),
        FactTemplate::built_in("pandas_habitat").unwrap(),
        vec![EndpointSpec {
            kind: ProviderKind::OpenAi,
            base_url: "http://127.0.0.1:1/v1".into(),
            concurrency: 6,
            rpm: None,
        }],
        vec![Generator {
            endpoint: 0,
            config: ModelConfig::new("m"),
        }],
        Generator {
            endpoint: 0,
            config: ModelConfig::new("j"),
        },
        RunSettings {
            examples: 12,
            ..RunSettings::default()
        },
    )
}

#[wasm_bindgen_test]
async fn runs_save_list_load_and_delete() {
    let database = db::open().await.unwrap();
    let id = format!("run-test-{}", js_sys::Math::random());
    let mut r = run(&id);
    runs::save(&database, &r, false, true).await.unwrap();
    r.items[3].stage = Stage::Accepted;
    r.items[3].question = Some("Q".into());
    r.items[3].answer = Some("A".into());
    runs::save_items(&database, &id, r.items[3..4].iter())
        .await
        .unwrap();
    runs::save(&database, &r, false, false).await.unwrap();

    let listed = runs::list(&database).await.unwrap();
    let meta = listed.iter().find(|m| m.run.id == id).expect("listed");
    assert_eq!((meta.total, meta.accepted, meta.finished), (12, 1, false));
    assert!(meta.run.items.is_empty(), "the list holds no items");

    let (loaded, finished) = runs::load(&database, &id).await.unwrap();
    assert!(!finished);
    assert_eq!(loaded, r);

    runs::delete(&database, &id).await.unwrap();
    assert!(runs::load(&database, &id).await.is_err());
    assert!(!runs::list(&database)
        .await
        .unwrap()
        .iter()
        .any(|m| m.run.id == id));
}

#[wasm_bindgen_test]
async fn every_promised_control_has_a_bound_label() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let _handle = leptos::mount::mount_to(host.clone().unchecked_into(), synfact::App);
    for name in [
        "Template",
        "Provider",
        "Base URL",
        "API key",
        "Model",
        "Judge model",
        "Examples",
    ] {
        let labels = host.query_selector_all("label").unwrap();
        let label = (0..labels.length())
            .filter_map(|i| labels.item(i))
            .find(|l| l.text_content().as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no label \"{name}\""));
        let target = label
            .unchecked_ref::<web_sys::Element>()
            .get_attribute("for")
            .unwrap();
        let control = document
            .get_element_by_id(&target)
            .unwrap_or_else(|| panic!("label \"{name}\" points nowhere"));
        assert!(
            matches!(control.tag_name().as_str(), "INPUT" | "SELECT"),
            "{name}"
        );
        if name == "API key" {
            assert_eq!(control.get_attribute("type").as_deref(), Some("password"));
        }
    }
    let status = host
        .query_selector("[role=status]")
        .unwrap()
        .expect("a status region");
    assert_eq!(
        status.get_attribute("aria-label").as_deref(),
        Some("Run status")
    );
    let buttons: Vec<String> = {
        let b = host.query_selector_all("button").unwrap();
        (0..b.length())
            .filter_map(|i| b.item(i))
            .filter_map(|n| n.text_content())
            .collect()
    };
    assert!(buttons.iter().any(|b| b == "Generate"), "{buttons:?}");
}
