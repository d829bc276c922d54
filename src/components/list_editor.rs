//! An editable list (seed questions, requirements): one labelled field per item, move and remove
//! buttons, add one, or paste many lines at once. Problems show next to their item.

use leptos::prelude::*;

/// A change to the list.
type ListEdit = Box<dyn FnOnce(&mut Vec<String>)>;

/// The most rows drawn at first: a list of thousands is shown on request.
const SHOWN: usize = 100;

/// `noun` names one item for labels ("seed question"), `id` prefixes element ids.
#[component]
pub fn ListEditor(
    id: &'static str,
    title: &'static str,
    noun: &'static str,
    #[prop(into)] items: Signal<Vec<String>>,
    /// Replaces the whole list.
    on_change: Callback<Vec<String>>,
    /// The problem next to item i (0-based), if any.
    #[prop(into)]
    item_error: Signal<Vec<(usize, String)>>,
    /// The problem of the list as a whole.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let show_all = RwSignal::new(false);
    let pasted = RwSignal::new(String::new());
    let count = move || items.with(Vec::len);
    let edit = move |f: ListEdit| {
        let mut list = items.get_untracked();
        f(&mut list);
        on_change.run(list);
    };
    let row = move |i: usize| {
        let input_id = format!("{id}-{i}");
        let error_id = format!("{id}-{i}-error");
        let err =
            move || item_error.with(|e| e.iter().find(|(j, _)| *j == i).map(|(_, m)| m.clone()));
        let n = i + 1;
        view! {
            <li class="list-row">
                <label for=input_id.clone() class="row-number">{format!("{n}.")}</label>
                <input id=input_id type="text" spellcheck="true"
                    aria-label=format!("{title} {n}")
                    aria-describedby=move || err().map(|_| error_id.clone())
                    aria-invalid=move || err().map(|_| "true")
                    prop:value=move || items.with(|l| l.get(i).cloned().unwrap_or_default())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        edit(Box::new(move |l| if let Some(x) = l.get_mut(i) { *x = v }));
                    } />
                <button type="button" aria-label=format!("Move {noun} {n} up") disabled=move || i == 0
                    on:click=move |_| edit(Box::new(move |l| l.swap(i - 1, i)))>"Up"</button>
                <button type="button" aria-label=format!("Move {noun} {n} down") disabled=move || { i + 1 >= count() }
                    on:click=move |_| edit(Box::new(move |l| if i + 1 < l.len() { l.swap(i, i + 1) }))>"Down"</button>
                <button type="button" aria-label=format!("Remove {noun} {n}")
                    on:click=move |_| edit(Box::new(move |l| { if i < l.len() { l.remove(i); } }))>"Remove"</button>
                {move || err().map(|m| view! { <small id=format!("{id}-{i}-error") class="field-error">{m}</small> })}
            </li>
        }
    };
    let paste_id = format!("{id}-paste");
    let more_hidden = move || !show_all.get() && count() > SHOWN;
    view! {
        <fieldset class="list-editor">
            <legend>{move || format!("{title} ({})", count())}</legend>
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            <ol>
                {move || {
                    let n = count();
                    let shown = if show_all.get() { n } else { n.min(SHOWN) };
                    (0..shown).map(row).collect_view()
                }}
            </ol>
            <Show when=more_hidden>
                <button type="button" on:click=move |_| show_all.set(true)>{move || format!("Show all {}", count())}</button>
            </Show>
            <div class="buttons">
                <button type="button" on:click=move |_| edit(Box::new(|l| l.push(String::new())))>{format!("Add a {noun}")}</button>
            </div>
            <div class="field">
                <label for=paste_id.clone()>{format!("Paste {noun}s, one per line")}</label>
                <textarea id=paste_id rows="3" prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                <button type="button" disabled=move || pasted.with(|p| p.trim().is_empty()) on:click=move |_| {
                    let lines: Vec<String> = pasted.get_untracked().lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
                    edit(Box::new(move |l| l.extend(lines)));
                    pasted.set(String::new());
                }>"Add these lines"</button>
            </div>
        </fieldset>
    }
}
