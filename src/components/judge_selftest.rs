//! Testing the judge before a run: six answers made from the template (two good; one without
//! the key sentence, a refusal, a disclaimer, a wrong fact) sent to the judge in the form.

use crate::errors::SelfTestError;
use crate::form_state::FormState;
use crate::parts::part;
use crate::provider;
use crate::template_state::TemplateState;
use crate::words;
use leptos::prelude::*;
use leptos::task::spawn_local;
use synfact_core::provider::verdict::parse_verdict;
use synfact_core::quality::selftest;
use synfact_core::TemplateDoc;

/// The last judge self-test (provided once at the root; the quality report shows it too).
#[derive(Clone, Copy)]
pub struct SelfTest(pub RwSignal<Option<Result<selftest::SelfTestResult, SelfTestError>>>);

impl Default for SelfTest {
    fn default() -> Self {
        SelfTest(RwSignal::new(None))
    }
}

/// The self-test button and its result.
#[component]
pub fn JudgeSelfTest() -> impl IntoView {
    let settings = expect_context::<FormState>();
    let tpl = expect_context::<TemplateState>();
    let outcome = expect_context::<SelfTest>().0;
    let busy = RwSignal::new(false);
    let run = move |_| {
        let form = settings.form.get_untracked();
        let doc = TemplateDoc::parse(&tpl.template.with_untracked(|t| t.text.clone())).0;
        let Some(doc) = doc else {
            outcome.set(Some(Err(SelfTestError::NoTemplate)));
            return;
        };
        let (endpoint, key, judge) = match form.judge() {
            Ok(j) => j,
            Err(errors) => {
                outcome.set(Some(Err(SelfTestError::Judge(errors))));
                return;
            }
        };
        busy.set(true);
        outcome.set(None);
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
                        last_error = Some(e);
                        verdicts.push(None);
                    }
                }
            }
            let result = selftest::score(&cases, &verdicts);
            busy.set(false);
            outcome.set(Some(match last_error {
                Some(e) if result.right == 0 => Err(SelfTestError::Unanswered(e)),
                _ => Ok(result),
            }));
        });
    };
    view! {
        <div class="selftest">
            <button type="button" on:click=run disabled=move || busy.get()>"Test the judge"</button>
            <small class="hint">" Six answers made from the template, two good and four bad, sent to the judge above (six calls)."</small>
            <div role="status" aria-label="Judge test">
                {move || busy.get().then_some(words::SELFTEST_BUSY)}
                {move || match outcome.get() {
                    None => None,
                    Some(Err(e)) => Some(view! { <p class="errors">{words::selftest_error(&e)}</p> }.into_any()),
                    Some(Ok(r)) => Some(view! {
                        <p>{words::selftest_summary(&r)}</p>
                        <ul>{r.wrong.iter().map(|(k, why)| view! {
                            <li>{words::selftest_wrong(*k, why.as_deref())}</li>
                        }).collect_view()}</ul>
                    }.into_any()),
                }}
            </div>
        </div>
    }
}

part!(
    /// The judge's self-test: loaded after the first screen.
    judge_selftest_part, later => view! { <JudgeSelfTest /> }
);
