//! The form: every field checked, nothing reinterpreted, and Resume's connection.

use super::*;
use crate::provider::endpoint::UrlError;

fn template() -> FactTemplate {
    FactTemplate::built_in("pandas_habitat").unwrap()
}

fn prepare(f: &RunForm) -> Result<Prepared, Vec<FieldError>> {
    f.prepare(&template(), &Prompts::default(), "r".into(), 0.0)
}

/// A valid form against a local server, so only the field under test can fail.
fn local() -> RunForm {
    let mut f = RunForm::default();
    f.models[0] = ModelForm::for_preset("custom");
    f.models[0].base_url = "http://127.0.0.1:9/v1".into();
    f.models[0].model = "m".into();
    f
}

fn problems(f: &RunForm) -> Vec<(Field, Problem)> {
    prepare(f)
        .map(|_| Vec::new())
        .unwrap_or_else(|e| e.into_iter().map(|e| (e.field, e.problem)).collect())
}

#[test]
fn the_default_form_makes_a_run_once_a_key_is_given() {
    let mut f = RunForm::default();
    assert_eq!(problems(&f), vec![(Field::ApiKey(0), Problem::KeyNeeded)]);
    f.models[0].api_key = "sk-test".into();
    let p = prepare(&f).unwrap();
    assert_eq!(p.run.items.len(), 10);
    assert_eq!(p.run.endpoints.len(), 1);
    assert_eq!(
        p.run.endpoints[0].concurrency, 32,
        "HTTPS providers get HTTP/2 concurrency"
    );
    assert_eq!(p.run.judge.config.temperature, Some(0.0));
    assert_eq!(p.run.judge.config.max_tokens, 200);
    assert_eq!(p.run.generators[0].config.max_tokens, DEFAULT_MAX_TOKENS);
    assert_eq!(p.run.settings.target, Target::Accepted);
    f.judge_model = "o4-mini".into();
    assert_eq!(prepare(&f).unwrap().run.judge.config.max_tokens, 4000);
}

#[test]
fn numbers_are_kept_as_typed_and_checked_against_their_ranges() {
    type Set = fn(&mut RunForm, &str);
    type Case = (Set, &'static str, Option<(Field, Problem)>);
    let cases: Vec<Case> = vec![
        (|f, v| f.models[0].temperature = v.into(), "0.7", None),
        (
            |f, v| f.models[0].temperature = v.into(),
            "70",
            Some((
                Field::Temperature(0),
                Problem::OutOfRange { min: "0", max: "2" },
            )),
        ),
        (|f, v| f.models[0].top_p = v.into(), "0.9", None),
        (
            |f, v| f.models[0].top_p = v.into(),
            "90",
            Some((Field::TopP(0), Problem::OutOfRange { min: "0", max: "1" })),
        ),
        (|f, v| f.timeout_s = v.into(), "1.5", None),
        (|f, v| f.timeout_s = v.into(), "51", None),
        (
            |f, v| f.timeout_s = v.into(),
            "2147484",
            Some((
                Field::Timeout,
                Problem::OutOfRange {
                    min: "1",
                    max: "3600",
                },
            )),
        ),
        (
            |f, v| f.timeout_s = v.into(),
            "0.001",
            Some((
                Field::Timeout,
                Problem::OutOfRange {
                    min: "1",
                    max: "3600",
                },
            )),
        ),
        (
            |f, v| f.examples = v.into(),
            "-5",
            Some((
                Field::Examples,
                Problem::OutOfRange {
                    min: "1",
                    max: "100,000",
                },
            )),
        ),
        (
            |f, v| f.examples = v.into(),
            "1e9",
            Some((Field::Examples, Problem::NotWhole("1e9".into()))),
        ),
        (
            |f, v| f.examples = v.into(),
            "2.5",
            Some((Field::Examples, Problem::NotWhole("2.5".into()))),
        ),
        (|f, v| f.examples = v.into(), " 12 ", None),
        (
            |f, v| f.examples = v.into(),
            "",
            Some((Field::Examples, Problem::Empty)),
        ),
        (
            |f, v| f.examples = v.into(),
            "ten",
            Some((Field::Examples, Problem::NotWhole("ten".into()))),
        ),
        (
            |f, v| f.examples = v.into(),
            "5.",
            Some((Field::Examples, Problem::NotWhole("5.".into()))),
        ),
        (
            |f, v| f.examples = v.into(),
            "0x10",
            Some((Field::Examples, Problem::NotWhole("0x10".into()))),
        ),
        (
            |f, v| f.concurrency = v.into(),
            "1000000",
            Some((
                Field::Concurrency,
                Problem::OutOfRange {
                    min: "1",
                    max: "256",
                },
            )),
        ),
        (
            |f, v| f.concurrency = v.into(),
            "0",
            Some((
                Field::Concurrency,
                Problem::OutOfRange {
                    min: "1",
                    max: "256",
                },
            )),
        ),
        (
            |f, v| f.max_retries = v.into(),
            "4294967295",
            Some((
                Field::MaxRetries,
                Problem::OutOfRange {
                    min: "0",
                    max: "20",
                },
            )),
        ),
        (|f, v| f.max_retries = v.into(), "0", None),
        (
            |f, v| f.models[0].max_tokens = v.into(),
            "0",
            Some((
                Field::MaxTokens(0),
                Problem::OutOfRange {
                    min: "1",
                    max: "1,000,000",
                },
            )),
        ),
        (
            |f, v| f.rpm = v.into(),
            "0",
            Some((
                Field::Rpm,
                Problem::OutOfRange {
                    min: "1",
                    max: "100,000",
                },
            )),
        ),
        (
            |f, v| f.budget_usd = v.into(),
            "0",
            Some((
                Field::Budget,
                Problem::OutOfRange {
                    min: "0.0001",
                    max: "1,000,000",
                },
            )),
        ),
        (|f, v| f.budget_usd = v.into(), "2.50", None),
        (
            |f, v| f.models[0].temperature = v.into(),
            "warm",
            Some((Field::Temperature(0), Problem::NotANumber("warm".into()))),
        ),
        (
            |f, v| f.seed = v.into(),
            "-1",
            Some((
                Field::Seed,
                Problem::OutOfRange {
                    min: "0",
                    max: "9,007,199,254,740,991",
                },
            )),
        ),
    ];
    for (set, value, expected) in cases {
        let mut f = local();
        set(&mut f, value);
        assert_eq!(
            problems(&f),
            expected.clone().into_iter().collect::<Vec<_>>(),
            "{value:?}"
        );
    }
    let mut f = local();
    f.timeout_s = "1.5".into();
    f.models[0].temperature = "0.7".into();
    f.budget_usd = "2.50".into();
    let run = prepare(&f).unwrap().run;
    assert_eq!(run.settings.timeout_ms, 1500);
    assert_eq!(run.generators[0].config.temperature, Some(0.7));
    assert_eq!(run.settings.budget_usd, Some(2.5));
}

#[test]
fn anthropic_temperature_tops_out_at_one() {
    let mut f = local();
    f.models[0].provider = "anthropic".into();
    f.models[0].api_key = "k".into();
    f.models[0].temperature = "1.5".into();
    assert_eq!(
        problems(&f),
        vec![(
            Field::Temperature(0),
            Problem::OutOfRange { min: "0", max: "1" }
        )]
    );
}

#[test]
fn extra_body_must_be_an_object_that_leaves_the_prompt_alone() {
    for (body, expected) in [
        ("[1]", Some(Problem::ExtraBodyNotObject)),
        ("{", Some(Problem::ExtraBodyNotObject)),
        (
            "{\"messages\": []}",
            Some(Problem::ExtraBodyReserved("messages".into())),
        ),
        (
            "{\"model\": \"x\"}",
            Some(Problem::ExtraBodyReserved("model".into())),
        ),
        (
            "{\"response_format\": {}}",
            Some(Problem::ExtraBodyReserved("response_format".into())),
        ),
        ("{\"provider\": {\"sort\": \"price\"}}", None),
    ] {
        let mut f = local();
        f.models[0].extra_body = body.into();
        assert_eq!(
            problems(&f),
            expected
                .into_iter()
                .map(|p| (Field::ExtraBody(0), p))
                .collect::<Vec<_>>(),
            "{body}"
        );
    }
}

#[test]
fn urls_and_keys_are_checked_before_anything_is_sent() {
    let mut f = local();
    f.models[0].base_url = "http://".into();
    f.models[0].api_key = "sk-\u{200B}abc".into();
    f.judge_model.clear();
    let got = problems(&f);
    assert_eq!(
        got[0],
        (Field::BaseUrl(0), Problem::Url(UrlError::MissingHost))
    );
    assert!(
        matches!(&got[1], (Field::ApiKey(0), Problem::Key(k)) if k.position == 4 && k.invisible)
    );
    assert_eq!(got[2], (Field::JudgeModel, Problem::Empty));
    let mut f = local();
    f.models[0].base_url = "https://user:pass@example.com/v1".into();
    assert_eq!(
        problems(&f),
        vec![(Field::BaseUrl(0), Problem::Url(UrlError::Credentials))]
    );
    let mut f = local();
    f.models[0].base_url = "HTTP://127.0.0.1:9/V1/".into();
    assert_eq!(
        prepare(&f).unwrap().run.endpoints[0].base_url.as_str(),
        "http://127.0.0.1:9/V1"
    );
    let mut f = local();
    f.models[0].base_url = "".into();
    f.models[0].model = " ".into();
    assert_eq!(
        problems(&f),
        vec![
            (Field::BaseUrl(0), Problem::Empty),
            (Field::Model(0), Problem::Empty)
        ]
    );
    for provider in ["openai", "anthropic", "openrouter", "gemini"] {
        let mut f = local();
        f.models[0].provider = provider.into();
        assert_eq!(
            problems(&f),
            vec![(Field::ApiKey(0), Problem::KeyNeeded)],
            "{provider}"
        );
    }
}

#[test]
fn models_share_an_endpoint_and_the_judge_can_have_its_own() {
    let mut f = local();
    f.models.push(ModelForm {
        model: "second".into(),
        ..f.models[0].clone()
    });
    f.judge_provider = "anthropic".into();
    f.judge_base_url = "https://api.anthropic.com/v1".into();
    f.judge_api_key = "sk-ant".into();
    f.examples = "3".into();
    let p = prepare(&f).unwrap();
    assert_eq!(p.run.endpoints.len(), 2);
    assert_eq!(
        p.run.endpoints[0].concurrency, 6,
        "plain HTTP gets the browser's six"
    );
    assert_eq!(p.keys, vec!["".to_string(), "sk-ant".to_string()]);
    assert_eq!(p.run.items.len(), 6);
    assert_eq!(p.run.judge.endpoint, 1);
    assert!(
        !serde_json::to_string(&p.run).unwrap().contains("sk-ant"),
        "keys stay out of the run record"
    );
    f.judge_api_key.clear();
    assert_eq!(problems(&f), vec![(Field::JudgeApiKey, Problem::KeyNeeded)]);
}

#[test]
fn resume_connects_the_same_models_to_the_endpoints_in_the_form_now() {
    let mut f = local();
    f.models[0].base_url = "http://127.0.0.1:1/v1".into(); // wrong port
    let run = prepare(&f).unwrap().run;
    f.models[0].base_url = "http://127.0.0.1:9/v1".into();
    f.models[0].api_key = "new-key".into();
    f.timeout_s = "30".into();
    let (c, keys) = f.connection(&run).unwrap();
    assert_eq!(c.endpoints[0].base_url.as_str(), "http://127.0.0.1:9/v1");
    assert_eq!(keys, vec!["new-key".to_string()]);
    assert_eq!(
        (
            c.generator_endpoints.clone(),
            c.judge_endpoint,
            c.timeout_ms
        ),
        (vec![0], 0, 30_000)
    );
    // A separate judge endpoint gets its own index and key.
    f.judge_provider = "custom".into();
    f.judge_base_url = "http://127.0.0.1:8/v1".into();
    f.judge_api_key = "judge-key".into();
    let (c, keys) = f.connection(&run).unwrap();
    assert_eq!((c.endpoints.len(), c.judge_endpoint), (2, 1));
    assert_eq!(keys, vec!["new-key".to_string(), "judge-key".to_string()]);
    // Other models are another run: the form says which and what it was.
    f.models[0].model = "other".into();
    f.judge_model = "j2".into();
    let errors = f.connection(&run).unwrap_err();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.field, e.problem.clone()))
            .collect::<Vec<_>>(),
        vec![
            (Field::Model(0), Problem::ModelChanged { was: "m".into() }),
            (
                Field::JudgeModel,
                Problem::ModelChanged {
                    was: run.judge.config.model.clone()
                }
            ),
        ]
    );
    let mut two = local();
    two.models.push(two.models[0].clone());
    assert_eq!(
        two.connection(&run).unwrap_err()[0].problem,
        Problem::ModelCountChanged { was: 1 }
    );
}

#[test]
fn switching_provider_only_replaces_preset_urls() {
    assert!(is_default_base_url("https://api.openai.com/v1/"));
    assert!(is_default_base_url(""));
    assert!(!is_default_base_url("http://127.0.0.1:8787/v1"));
}

#[test]
fn the_same_settings_make_the_same_fingerprint() {
    let f = local();
    let a = prepare(&f).unwrap().run;
    let mut b = prepare(&f).unwrap().run;
    b.id = "other".into();
    b.created_ms = 5.0;
    assert_eq!(a.fingerprint(), b.fingerprint());
    let mut g = local();
    g.concurrency = "3".into();
    g.timeout_s = "30".into();
    assert_eq!(
        prepare(&g).unwrap().run.fingerprint(),
        a.fingerprint(),
        "limits do not change the calls"
    );
    g.models[0].model = "other".into();
    assert_ne!(prepare(&g).unwrap().run.fingerprint(), a.fingerprint());
    let mut h = local();
    h.examples = "11".into();
    assert_ne!(prepare(&h).unwrap().run.fingerprint(), a.fingerprint());
}

#[test]
fn quality_settings_come_from_the_form() {
    let mut f = local();
    let q = prepare(&f).unwrap().run.settings.quality;
    assert_eq!(q, QualitySettings::default());
    f.quality.key_sentence = "strict".into();
    f.quality.disclaimers = false;
    f.quality.duplicates = false;
    f.quality.reasks = "0".into();
    let q = prepare(&f).unwrap().run.settings.quality;
    assert_eq!(
        (
            q.key_sentence,
            q.disclaimers,
            q.duplicate_threshold,
            q.reasks
        ),
        (KeySentenceCheck::Strict, false, None, 0)
    );
    f.quality.reasks = "9".into();
    f.quality.duplicate_threshold = "0".into();
    assert_eq!(
        problems(&f),
        vec![
            (Field::Reasks, Problem::OutOfRange { min: "0", max: "5" }),
            (
                Field::DuplicateThreshold,
                Problem::OutOfRange {
                    min: "0.05",
                    max: "1"
                }
            ),
        ]
    );
    let (spec, key, judge) = local().judge().unwrap();
    assert_eq!(
        (spec.base_url.as_str(), key.as_str(), judge.model.as_str()),
        ("http://127.0.0.1:9/v1", "", "gpt-4.1-mini")
    );
}

mod evaluation {
    use super::*;
    use crate::eval::EvalProblem;
    use crate::form::eval::{EvalForm, EvalModelForm};
    use crate::template::TemplateDoc;

    fn doc() -> TemplateDoc {
        let mut d = TemplateDoc {
            template: template(),
            prompts: Prompts::default(),
            eval: Default::default(),
        };
        d.eval.questions = vec!["Where do pandas live?".into(), "What do pandas eat?".into()];
        d.eval.contrary = "Pandas eat only fish.".into();
        d
    }

    fn eval_form() -> EvalForm {
        EvalForm {
            models: vec![
                EvalModelForm {
                    provider: "custom".into(),
                    base_url: "http://127.0.0.1:7/v1".into(),
                    api_key: String::new(),
                    model: "base".into(),
                },
                EvalModelForm {
                    provider: "custom".into(),
                    base_url: "http://127.0.0.1:7/v1".into(),
                    api_key: String::new(),
                    model: "ft:base:x".into(),
                },
            ],
            ..EvalForm::default()
        }
    }

    #[test]
    fn the_section_makes_an_evaluation_run_with_the_forms_judge() {
        let p = eval_form()
            .prepare(&local(), &doc(), Some("run-1".into()), "e".into(), 0.0)
            .unwrap();
        let run = p.run;
        // Two models to test share an endpoint; the judge keeps the main form's.
        assert_eq!(run.endpoints.len(), 2);
        assert_eq!(run.generators.len(), 2);
        assert_eq!(run.judge.config.model, local().judge_model.trim());
        assert_eq!(run.judge.config.temperature, Some(0.0));
        assert_eq!(
            run.endpoints[run.judge.endpoint].base_url.as_str(),
            "http://127.0.0.1:9/v1"
        );
        // 2 questions × 4 samples, 2 × 4 choices, 8 distinguish, per model.
        assert_eq!(run.items.len(), 2 * (8 + 8 + 8));
        assert_eq!(
            run.eval.as_ref().unwrap().training_run.as_deref(),
            Some("run-1")
        );
        assert_eq!(p.keys.len(), 2);
        // Resume with the section as it is: the same models.
        let (c, _) = eval_form().connection(&local(), &run).unwrap();
        assert_eq!(c.generator_endpoints, vec![0, 0]);
        let mut changed = eval_form();
        changed.models[1].model = "other".into();
        let e = changed.connection(&local(), &run).unwrap_err();
        assert_eq!(e[0].field, Field::EvalModel(1));
    }

    #[test]
    fn what_an_evaluation_lacks_is_named_with_the_fields() {
        let mut f = eval_form();
        f.models.clear();
        f.samples = "0".into();
        let mut d = doc();
        d.eval.contrary.clear();
        let e = f.prepare(&local(), &d, None, "e".into(), 0.0).unwrap_err();
        assert_eq!(e.fields[0].field, Field::EvalSamples);
        assert_eq!(
            e.problems,
            vec![EvalProblem::NoContrary, EvalProblem::NoModels]
        );
        assert_eq!(EvalForm::default().wanted(), 12);
        assert!(EvalForm::default()
            .check()
            .iter()
            .any(|e| e.field == Field::EvalModel(0)));
    }
}

#[test]
fn batches_on_anthropic_are_refused_in_a_browser_and_allowed_natively() {
    let mut f = local();
    f.judge_provider = "anthropic".into();
    f.judge_base_url = "https://api.anthropic.com/v1".into();
    f.judge_api_key = "sk-ant".into();
    f.send_as = "batch".into();
    assert_eq!(
        problems(&f),
        vec![(Field::SendAs, Problem::BatchNeedsOpenAi)]
    );
    f.native = true;
    assert!(prepare(&f).unwrap().run.settings.batch);
    assert!(
        !serde_json::to_string(&f).unwrap().contains("native"),
        "a form saved by the page never says it is native"
    );
}

#[test]
fn problems_are_put_in_the_order_the_page_shows_their_fields() {
    let mut f = local();
    f.examples = "abc".into();
    f.models[0].model = String::new();
    f.concurrency = "0".into();
    f.judge_model = String::new();
    let mut errors = prepare(&f).unwrap_err();
    fields::in_page_order(&mut errors);
    let order: Vec<Field> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        order,
        vec![
            Field::Model(0),
            Field::JudgeModel,
            Field::Examples,
            Field::Concurrency
        ],
        "top to bottom, as the cursor meets them"
    );
    // A later row comes after every field of an earlier one.
    assert!(Field::ExtraBody(0).page_order() < Field::Provider(1).page_order());
    assert!(Field::ExtraBody(1).page_order() < Field::JudgeBaseUrl.page_order());
}
