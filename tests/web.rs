//! In-browser tests (headless Chromium via wasm-bindgen-test): the IndexedDB cache and run
//! store, the path every reply takes through the executor, and the accessible names the UI
//! promises.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use synfact::run::{Executor, RunView};
use synfact::storage::db;
use synfact::storage::{cache, prefs, runs};
use synfact_core::form::RunForm;
use synfact_core::provider::wire::{Completion, Finish, ModelConfig, ProviderKind, Usage};
use synfact_core::template::prompts::Prompts;
use synfact_core::{
    BaseUrl, EndpointSpec, Event, FactTemplate, ModelSpec, Run, RunSettings, Stage, Status,
};
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
            ..Usage::default()
        },
        repaired: false,
    }
}

#[wasm_bindgen_test]
async fn cache_round_trip_and_miss() {
    let database = db::open().await.unwrap();
    let key = format!("test-{}", js_sys::Math::random());
    assert_eq!(cache::get(&database, &key).await.unwrap(), None);
    db::write(&database, &[cache::put(&key, &completion("It is blue."))])
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
    db::write(
        &database,
        &[db::Write::Put(
            db::RESPONSES,
            "corrupt".into(),
            "{not json".into(),
        )],
    )
    .await
    .unwrap();
    assert_eq!(cache::get(&database, "corrupt").await.unwrap(), None);
}

fn run(id: &str, base: &str, examples: usize) -> Run {
    Run::new(
        id.into(),
        js_sys::Date::now(),
        FactTemplate::built_in("pandas_habitat").unwrap(),
        Prompts::default(),
        vec![EndpointSpec {
            kind: ProviderKind::OpenAi,
            base_url: BaseUrl::parse(base).unwrap(),
            concurrency: 6,
            rpm: None,
        }],
        vec![ModelSpec {
            endpoint: 0,
            config: ModelConfig::new("m"),
        }],
        ModelSpec {
            endpoint: 0,
            config: ModelConfig::new("j"),
        },
        RunSettings {
            examples,
            ..RunSettings::default()
        },
    )
}

#[wasm_bindgen_test]
async fn runs_save_list_load_and_delete() {
    let database = db::open().await.unwrap();
    let id = format!("run-test-{}", js_sys::Math::random());
    let mut r = run(&id, "http://127.0.0.1:1/v1", 12);
    runs::create(&database, &r, &Status::Idle).await.unwrap();
    r.items[3].stage = Stage::Accepted;
    r.items[3].question = Some("Q".into());
    r.items[3].answer = Some("A".into());
    db::write(
        &database,
        &[
            runs::item(&id, &r.items[3]),
            runs::progress(&r, &Status::Running),
        ],
    )
    .await
    .unwrap();

    let listed = runs::list(&database).await.unwrap();
    let p = listed.iter().find(|m| m.id == id).expect("listed");
    assert_eq!(
        (p.total, p.counts.accepted, p.state),
        (12, 1, runs::RunState::Running)
    );

    let (loaded, _) = runs::load(&database, &id).await.unwrap();
    assert_eq!(loaded, r);

    runs::delete(&database, &id, &[]).await.unwrap();
    assert!(runs::load(&database, &id).await.is_err());
    assert!(!runs::list(&database)
        .await
        .unwrap()
        .iter()
        .any(|m| m.id == id));
}

/// Waits for the next macrotask, so spawned futures and timers get to run.
async fn tick(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// The path every reply takes: a cached reply is served without the network, and what it moved
/// on is saved with it in one transaction; a reply that is not cached when the run is reopened
/// is asked for again, never assumed.
#[wasm_bindgen_test]
async fn a_reply_and_the_progress_it_caused_are_saved_together() {
    let database = Rc::new(db::open().await.unwrap());
    let id = format!("run-path-{}", js_sys::Math::random());
    // An address where nothing listens: only cached replies can move the run on.
    let r = run(&id, "http://127.0.0.1:9/v1", 1);
    runs::create(&database, &r, &Status::Idle).await.unwrap();
    let engine = synfact_core::Engine::new(r.clone());
    let call = engine.call_for(0, synfact_core::Step::WriteQuestion);
    let key = synfact_core::provider::cache_key::cache_key(
        ProviderKind::OpenAi,
        &r.endpoints[0].base_url,
        &call,
    );
    db::write(
        &database,
        &[cache::put(&key, &completion("Where do pandas live?"))],
    )
    .await
    .unwrap();
    let known = Rc::new(RefCell::new(HashSet::from([key.clone()])));
    // The owner lives as long as the test: dropping it would dispose the view's signals.
    let owner = leptos::prelude::Owner::new();
    let view = owner.with(RunView::new);
    let executor = Executor::new(
        r,
        vec![String::new()],
        database.clone(),
        known,
        view,
        Box::new(|| {}),
        synfact::run::load_engine()
            .await
            .expect("the engine's half"),
    );
    executor.dispatch(Event::Start);
    // The question comes from the cache; the judge call goes to the dead address.
    for _ in 0..50 {
        tick(20).await;
        if executor.with_run(|r| r.items[0].stage) == Stage::Question {
            break;
        }
    }
    executor.dispatch(Event::Pause);
    executor.flush();
    tick(100).await;
    let (saved, progress) = runs::load(&database, &id).await.unwrap();
    assert_eq!(saved.items[0].stage, Stage::Question);
    assert_eq!(
        saved.items[0].question.as_deref(),
        Some("Where do pandas live?")
    );
    assert!(saved.items[0].calls[0].cached);
    assert_eq!(progress.total, 1);
    executor.discard();
    drop(owner);
}

#[wasm_bindgen_test]
async fn the_saved_form_holds_no_key_unless_the_user_opted_in() {
    let mut form = RunForm::default();
    form.models[0].api_key = "sk-secret-form-key".into();
    form.judge_api_key = "sk-secret-judge".into();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let everything = || {
        (0..storage.length().unwrap())
            .filter_map(|i| storage.key(i).unwrap())
            .map(|k| storage.get_item(&k).unwrap().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    };
    prefs::set_remember_keys(false);
    assert!(!prefs::remember_keys(), "off unless ticked");
    prefs::save_form(&form, false);
    assert!(!everything().contains("sk-secret"), "{}", everything());
    assert_eq!(prefs::load_form().models[0].api_key, "");
    prefs::set_remember_keys(true);
    prefs::save_form(&form, true);
    assert!(everything().contains("sk-secret-form-key"));
    assert_eq!(prefs::load_form().models[0].api_key, "sk-secret-form-key");
    assert_eq!(prefs::load_form().judge_api_key, "sk-secret-judge");
    // Turning it off forgets the keys at once.
    prefs::set_remember_keys(false);
    assert!(!everything().contains("sk-secret"));
}

#[wasm_bindgen_test]
async fn every_promised_control_has_a_bound_label() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    // Kept mounted: the app's start-up tasks outlive the test.
    std::mem::forget(leptos::mount::mount_to(
        host.clone().unchecked_into(),
        synfact::App,
    ));
    // The template panel shows once the saved template has been read.
    for _ in 0..100 {
        if host.query_selector("#template").unwrap().is_some() {
            break;
        }
        tick(50).await;
    }
    for name in [
        "Template",
        "Template JSON",
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
            matches!(control.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"),
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

/// Regression (issue: a house a newcomer can walk): a rejected Web Locks request used to leave
/// `acquire` waiting forever, and Generate at "starting".
#[wasm_bindgen_test]
async fn a_refused_lock_request_is_told_not_waited_on() {
    use synfact::run::lock::{acquire, Acquired};
    let navigator = web_sys::window().unwrap().navigator();
    let locks = js_sys::Reflect::get(&navigator, &"locks".into()).unwrap();
    let request = js_sys::Reflect::get(&locks, &"request".into()).unwrap();
    let refuse = js_sys::Function::new_no_args(
        "return Promise.reject(new DOMException('The request was denied.', 'SecurityError'));",
    );
    js_sys::Reflect::set(&locks, &"request".into(), &refuse).unwrap();
    let got = acquire("run-refused").await;
    js_sys::Reflect::set(&locks, &"request".into(), &request).unwrap();
    match got {
        Acquired::Refused(why) => assert_eq!(why, "SecurityError: The request was denied."),
        _ => panic!("a refused request is told as refused"),
    }
    // And a normal request still holds the lock.
    assert!(matches!(acquire("run-held").await, Acquired::Held(_)));
}
