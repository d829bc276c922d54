//! Testing the judge before a run: six answers made from the template (two good; one without
//! the key sentence, a refusal, a disclaimer, a wrong fact) sent to the judge in the form.

use crate::provider;
use crate::state::AppState;
use crate::words;
use leptos::prelude::*;
use leptos::task::spawn_local;
use synfact_core::provider::verdict::parse_verdict;
use synfact_core::quality::selftest::{self, CaseKind, SelfTestResult};
use synfact_core::TemplateDoc;

fn kind_name(k: CaseKind) -> &'static str {
    match k {
        CaseKind::Good => "a good answer",
        CaseKind::GoodInOtherWords => "a good answer in other words",
        CaseKind::MissingKeySentence => "an answer without the key sentence",
        CaseKind::Refusal => "a refusal",
        CaseKind::Disclaimer => "an answer calling the facts fictional",
        CaseKind::WrongFact => "an answer contradicting the key sentence",
    }
}

/// The self-test button and its result.
#[component]
pub fn JudgeSelfTest() -> impl IntoView {
    let state = expect_context::<AppState>();
    let busy = RwSignal::new(false);
    let run = move |_| {
        let form = state.form.get_untracked();
        let doc = TemplateDoc::parse(&state.template.with_untracked(|t| t.text.clone())).0;
        let Some(doc) = doc else {
            state.selftest.set(Some(Err(
                "Fix the template first: the test answers are made from it.".into(),
            )));
            return;
        };
        let (endpoint, key, judge) = match form.judge() {
            Ok(j) => j,
            Err(errors) => {
                let list: Vec<String> = errors.iter().map(words::field_error).collect();
                state.selftest.set(Some(Err(list.join(" "))));
                return;
            }
        };
        busy.set(true);
        state.selftest.set(None);
        spawn_local(async move {
            let cases = selftest::cases(&doc.template);
            let mut verdicts = Vec::new();
            let mut last_error = None;
            for c in &cases {
                let call = selftest::judge_call(&doc.prompts, &doc.template, &judge, c);
                let Ok(abort) = web_sys::AbortController::new() else {
                    break;
                };
                match provider::call(
                    endpoint.kind,
                    &endpoint.base_url,
                    &key,
                    &call,
                    60_000,
                    &abort,
                )
                .await
                {
                    Ok(reply) => verdicts.push(Some(parse_verdict(&reply))),
                    Err(e) => {
                        last_error = Some(words::call_error(&e));
                        verdicts.push(None);
                    }
                }
            }
            let result = selftest::score(&cases, &verdicts);
            busy.set(false);
            state
                .selftest
                .set(Some(if result.right == 0 && last_error.is_some() {
                    Err(format!(
                        "The judge could not be asked: {}",
                        last_error.unwrap_or_default()
                    ))
                } else {
                    Ok(result)
                }));
        });
    };
    let summary = |r: &SelfTestResult| {
        format!(
            "The judge got {} of {} test answers right ({:.0}%).",
            r.right,
            r.total,
            r.accuracy() * 100.0
        )
    };
    view! {
        <div class="selftest">
            <button type="button" on:click=run disabled=move || busy.get()>"Test the judge"</button>
            <small class="hint">" Six answers made from the template, two good and four bad, sent to the judge above (six calls)."</small>
            <div role="status" aria-label="Judge test">
                {move || busy.get().then(|| "Testing the judge…".to_string())}
                {move || match state.selftest.get() {
                    None => None,
                    Some(Err(e)) => Some(view! { <p class="errors">{e}</p> }.into_any()),
                    Some(Ok(r)) => Some(view! {
                        <p>{summary(&r)}</p>
                        <ul>{r.wrong.iter().map(|(k, why)| view! {
                            <li>{format!("Wrong on {}{}", kind_name(*k), why.as_ref().map(|w| format!(": \"{w}\"")).unwrap_or_default())}</li>
                        }).collect_view()}</ul>
                    }.into_any()),
                }}
            </div>
        </div>
    }
}
