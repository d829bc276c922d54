//! The review list: filters with counts, a virtualised list of items (only the rows in view are
//! drawn, so 10,000 items scroll like 10), bulk actions and keyboard triage.

use super::review_item::ReviewItem;
use crate::review::{ReviewState, ROW_HOME};
use crate::run::Controller;
use crate::words;
use leptos::ev;
use leptos::prelude::*;
use synfact_core::run::review::ReviewAction;
use synfact_core::{Item, Stage};
use wasm_bindgen::JsCast;

/// Height of one row, in pixels (fixed, so a row's place is its position times this).
const ROW: f64 = 64.0;
/// Height of the scrolled list.
const VIEW: f64 = 448.0;
/// Rows drawn beyond the visible ones, above and below.
const OVERSCAN: usize = 6;

/// What one row shows (all of it is the row's key: a change of any part redraws it).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Row {
    id: usize,
    at: usize,
    model: String,
    state: String,
    question: String,
    detail: String,
}

fn row(run: &synfact_core::Run, i: &Item, at: usize) -> Row {
    let detail = match (i.final_answer(), &i.reason) {
        (_, Some(r)) if i.stage != Stage::Accepted => words::reason(r, i.ended_at),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    Row {
        id: i.id,
        at,
        model: run
            .generators
            .get(i.generator)
            .map(|g| g.config.model.clone())
            .unwrap_or_default(),
        state: words::item_state(i),
        question: i
            .final_question()
            .unwrap_or(words::NO_QUESTION_YET)
            .to_string(),
        detail,
    }
}

fn is_text_target(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| {
            matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || e.closest(".review").ok().flatten().is_none() && e.tag_name() != "BODY"
        })
}

/// Filters, the list, and the open item.
#[component]
pub fn ReviewList() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let s = expect_context::<ReviewState>();
    let revision = ctl.view.revision;
    let scroll = RwSignal::new(0.0f64);
    let list_ref = NodeRef::<leptos::html::Div>::new();
    let counts = s.counts;
    let rows = move || {
        let first = ((scroll.get() / ROW) as usize).saturating_sub(OVERSCAN);
        let n = (VIEW / ROW) as usize + 2 * OVERSCAN;
        let ids = s.page(first, n);
        revision.track();
        ctl.with_run(|run| {
            ids.iter()
                .enumerate()
                .filter_map(|(k, &id)| run.items.get(id).map(|i| row(run, i, first + k)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    // Keeps the open item in view when the keyboard moves it.
    Effect::new(move |_| {
        let Some(at) = s.open.get().and_then(|id| s.position(id)) else {
            return;
        };
        if let Some(div) = list_ref.get() {
            let top = at as f64 * ROW;
            let now = div.scroll_top() as f64;
            if top < now || top + ROW > now + VIEW {
                div.set_scroll_top((top - VIEW / 2.0).max(0.0) as i32);
            }
        }
    });
    let open = move |id: usize| {
        s.editing.set(false);
        s.message.set(None);
        s.open.set(Some(id));
    };
    // When the keyboard focus is on a row, J, K, A and R keep it on the open item's row (which
    // the list may have drawn anew), so the focus ring and the item the keys act on are the same.
    let focus_in_list = move || {
        list_ref.get_untracked().is_some_and(|div| {
            document()
                .active_element()
                .is_some_and(|a| div.contains(Some(&a)))
        })
    };
    let triage = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if e.ctrl_key() || e.meta_key() || e.alt_key() || is_text_target(&e) {
            return;
        }
        if ctl.with_run(|_| ()).is_none() || s.editing.get_untracked() {
            return;
        }
        let one = || s.open.get_untracked().map(|id| vec![id]);
        let on_row = focus_in_list();
        match e.key().as_str() {
            "j" | "J" => s.step(1),
            "k" | "K" => s.step(-1),
            "a" | "A" => match one() {
                Some(ids) => s.act(ctl, ids, ReviewAction::Accept),
                None => return,
            },
            "r" | "R" => match one() {
                Some(ids) => s.act(ctl, ids, ReviewAction::Reject),
                None => return,
            },
            "e" | "E" => {
                if s.open.get_untracked().is_none() {
                    return;
                }
                s.editing.set(true);
            }
            _ => return,
        }
        if on_row && !s.editing.get_untracked() {
            s.focus(ROW_HOME);
        }
        e.prevent_default();
    });
    on_cleanup(move || triage.remove());
    let question_options = move || {
        revision.track();
        ctl.with_run(|r| r.template.questions.clone())
            .unwrap_or_default()
    };
    let requirement_options = move || {
        revision.track();
        ctl.with_run(|r| r.template.question_requirements.clone())
            .unwrap_or_default()
    };
    let model_options = move || {
        revision.track();
        ctl.with_run(|r| {
            r.generators
                .iter()
                .map(|g| g.config.model.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let bulk = move |action: ReviewAction| s.act(ctl, s.all_ids(), action);
    let shown = move || s.shown();
    view! {
        <div class="review">
            <div class="filters">
                <div class="field">
                    <label for="show-items">"Show items"</label>
                    <select id="show-items" on:change=move |ev| s.show.set(event_target_value(&ev))>
                        <option value="all" selected=move || s.show.get() == "all">"All"</option>
                        <option value="accepted" selected=move || s.show.get() == "accepted">"Accepted"</option>
                        <option value="rejected" selected=move || s.show.get() == "rejected">"Rejected"</option>
                        <option value="failed" selected=move || s.show.get() == "failed">"Failed"</option>
                        <option value="edited" selected=move || s.show.get() == "edited">"Edited"</option>
                        <option value="kept" selected=move || s.show.get() == "kept">"In the dataset"</option>
                        <option value="deleted" selected=move || s.show.get() == "deleted">"Deleted"</option>
                        <option value="open" selected=move || s.show.get() == "open">"Unfinished"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="filter-model">"Filter by model"</label>
                    <select id="filter-model" on:change=move |ev| s.model.set(event_target_value(&ev).parse().ok())>
                        <option value="">"All models"</option>
                        {move || model_options().into_iter().enumerate().map(|(k, m)| {
                            view! { <option value=k.to_string() selected=move || s.model.get() == Some(k)>{format!("Model {}: {m}", k + 1)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-question">"Filter by seed question"</label>
                    <select id="filter-question" on:change=move |ev| s.question.set(event_target_value(&ev).parse().ok())>
                        <option value="">"All seed questions"</option>
                        {move || question_options().into_iter().enumerate().map(|(k, q)| {
                            let k = k as u32;
                            view! { <option value=k.to_string() selected=move || s.question.get() == Some(k)>{format!("{}. {q}", k + 1)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-requirement">"Filter by requirement"</label>
                    <select id="filter-requirement" on:change=move |ev| s.requirement.set(event_target_value(&ev).parse().ok())>
                        <option value="">"All requirements"</option>
                        {move || requirement_options().into_iter().enumerate().map(|(k, q)| {
                            let k = k as u32;
                            view! { <option value=k.to_string() selected=move || s.requirement.get() == Some(k)>{format!("{}. {q}", k + 1)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-text">"Find text"</label>
                    <input id="filter-text" type="search" prop:value=move || s.text.get()
                        on:input=move |ev| s.text.set(event_target_value(&ev)) />
                </div>
            </div>
            <p class="hint" aria-live="polite">{move || words::showing(shown(), &counts.get())}</p>
            <div class="buttons">
                <button type="button" disabled=move || shown() == 0 on:click=move |_| bulk(ReviewAction::Accept)>
                    {move || words::bulk("Accept", shown())}
                </button>
                <button type="button" disabled=move || shown() == 0 on:click=move |_| bulk(ReviewAction::Reject)>
                    {move || words::bulk("Reject", shown())}
                </button>
                <button type="button" disabled=move || shown() == 0 on:click=move |_| bulk(ReviewAction::Undecide)>
                    "Use the judge's decisions for all shown"
                </button>
            </div>
            <p class="hint keys">"Keys: J next · K previous · A accept · R reject · E edit · Enter opens an item · Esc leaves editing."</p>
            <div class="review-panes">
                <div class="review-list" node_ref=list_ref style:height=format!("{VIEW}px")
                    on:scroll=move |ev| {
                        if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                            scroll.set(d.scroll_top() as f64);
                        }
                    }>
                    <ul aria-label="Items" style:height=move || format!("{}px", shown() as f64 * ROW)>
                        <For each=rows key=|r: &Row| r.clone()
                            children=move |r: Row| {
                                let id = r.id;
                                view! {
                                    <li tabindex=move || if s.open.get().is_none_or(|o| o == id) { "0" } else { "-1" }
                                        class=move || if s.open.get() == Some(id) { "row open" } else { "row" }
                                        aria-current=move || (s.open.get() == Some(id)).then_some("true")
                                        aria-posinset=r.at + 1 aria-setsize=shown
                                        style:top=format!("{}px", r.at as f64 * ROW) style:height=format!("{ROW}px")
                                        on:click=move |_| open(id)
                                        on:focus=move |_| { s.hold_focus(ROW_HOME); if s.open.get_untracked() != Some(id) { open(id) } }
                                        on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Enter" { e.prevent_default(); open(id) }>
                                        <span class="row-head">{format!("#{} · {} · {}", r.id + 1, r.state, r.model)}</span>
                                        <span class="row-question">{r.question}</span>
                                        <span class="row-detail">{r.detail}</span>
                                    </li>
                                }
                            } />
                    </ul>
                </div>
                <ReviewItem />
            </div>
        </div>
    }
}
