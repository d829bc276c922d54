//! Runs kept in this browser: open one to read or resume it, or delete it.

use crate::controller::Controller;
use leptos::prelude::*;
use synfact_core::setup::RunForm;

/// The list of saved runs.
#[component]
pub fn SavedRuns(form: RwSignal<RunForm>) -> impl IntoView {
    let ctl = expect_context::<Controller>();
    view! {
        <section aria-labelledby="saved-heading">
            <h2 id="saved-heading">"Saved runs"</h2>
            <Show when=move || !ctl.saved.get().is_empty() fallback=|| view! { <p>"No saved runs yet."</p> }>
                <table aria-label="Saved runs">
                    <thead>
                        <tr><th scope="col">"Run"</th><th scope="col">"Items"</th><th scope="col">"Accepted"</th>
                            <th scope="col">"Rejected"</th><th scope="col">"Failed"</th><th scope="col">"State"</th><th scope="col">"Actions"</th></tr>
                    </thead>
                    <tbody>
                        {move || ctl.saved.get().into_iter().map(|m| {
                            let title = m.title();
                            let id_open = m.run.id.clone();
                            let id_delete = m.run.id.clone();
                            view! {
                                <tr>
                                    <td>{title.clone()}</td>
                                    <td>{m.total}</td>
                                    <td>{m.accepted}</td>
                                    <td>{m.rejected}</td>
                                    <td>{m.failed}</td>
                                    <td>{if m.finished { "Finished" } else { "Unfinished" }}</td>
                                    <td>
                                        <button type="button" aria-label=format!("Open run {title}")
                                            on:click=move |_| ctl.open(id_open.clone(), form.get_untracked())>"Open"</button>
                                        <button type="button" aria-label=format!("Delete run {title}")
                                            on:click=move |_| ctl.delete(id_delete.clone())>"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}
