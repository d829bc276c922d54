//! Runs kept in this browser: open one to read or resume it, or delete it.

use crate::errors::{OpenError, OpenedNote};
use crate::run::Controller;
use crate::storage::runs::RunProgress;
use crate::words;
use leptos::prelude::*;

fn title(p: &RunProgress) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(p.created_ms));
    let when: String = date
        .to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED)
        .into();
    let kind = if p.evaluation { " evaluation" } else { "" };
    format!("{}{kind} — {when}", p.fact_name)
}

/// The list of saved runs.
#[component]
pub fn SavedRuns() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let file_message = RwSignal::new(None::<Result<OpenedNote, OpenError>>);
    let on_file = move |ev: web_sys::Event| {
        use wasm_bindgen::JsCast;
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        if let Some(i) = input {
            i.set_value("");
        }
        leptos::task::spawn_local(async move {
            let result = match crate::download::read_file(file).await {
                Ok((name, text)) => ctl.open_file(name, text),
                Err(e) => Err(OpenError::from(e)),
            };
            file_message.set(match result {
                Ok(None) => None,
                Ok(Some(note)) => Some(Ok(note)),
                Err(e) => Some(Err(e)),
            });
        });
    };
    view! {
        <section aria-labelledby="saved-heading">
            <h2 id="saved-heading">"Saved runs"</h2>
            <div class="field">
                <label for="open-jsonl">"Open a chat JSONL file"</label>
                <input id="open-jsonl" type="file" accept=".jsonl,.json,application/jsonl,text/plain" aria-describedby="open-jsonl-hint" on:change=on_file />
                <small id="open-jsonl-hint" class="hint">"Any chat-format dataset (made here or elsewhere) opens as a run you can review, edit and export. It stays in this browser."</small>
            </div>
            {move || file_message.get().map(|m| match m {
                Ok(note) => view! { <p role="status" class="note">{words::opened(&note)}</p> }.into_any(),
                Err(e) => view! { <p role="alert" class="errors">{words::open_error(&e)}</p> }.into_any(),
            })}
            <Show when=move || !ctl.saved.get().is_empty() fallback=|| view! { <p>"No saved runs yet."</p> }>
                <div class="table-wrap">
                <table aria-label="Saved runs">
                    <thead>
                        <tr><th scope="col">"Run"</th><th scope="col">"Items"</th><th scope="col">"Accepted"</th>
                            <th scope="col">"Rejected"</th><th scope="col">"Failed"</th><th scope="col">"State"</th><th scope="col">"Actions"</th></tr>
                    </thead>
                    <tbody>
                        {move || ctl.saved.get().into_iter().map(|m| {
                            let title = title(&m);
                            let id_open = m.id.clone();
                            let id_delete = m.id.clone();
                            view! {
                                <tr>
                                    <td>{title.clone()}</td>
                                    <td>{m.total}</td>
                                    <td>{m.counts.accepted}</td>
                                    <td>{m.counts.rejected}</td>
                                    <td>{m.counts.failed}</td>
                                    <td>{words::run_state(m.state)}</td>
                                    <td>
                                        <button type="button" aria-label=format!("Open run {title}")
                                            on:click=move |_| ctl.open(id_open.clone())>"Open"</button>
                                        <button type="button" aria-label=format!("Delete run {title}")
                                            on:click=move |_| ctl.delete(id_delete.clone())>"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </Show>
        </section>
    }
}

crate::parts::part!(
    /// The saved runs: loaded after the first screen.
    saved_runs_part, later => view! { <SavedRuns /> }
);
