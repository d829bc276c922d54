//! An editable list (seed questions, requirements): one labelled field per item, move and remove
//! buttons, add one, or paste many lines at once. Problems show next to their item.

use leptos::prelude::*;

/// A change to the list.
type ListEdit = Box<dyn FnOnce(&mut Vec<String>)>;

/// Rows drawn at once: a list of thousands is shown a page at a time, so an edit redraws at
/// most this many rows (all 10,000 at once held the page for seconds).
const PAGE: usize = 100;

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
    let page = RwSignal::new(0usize);
    let pasted = RwSignal::new(String::new());
    let count = move || items.with(Vec::len);
    let pages = move || count().div_ceil(PAGE).max(1);
    // A list that shrank keeps a page that exists.
    let page_now = move || page.get().min(pages() - 1);
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
    // Problems on other pages: the first one is a button away.
    let elsewhere = move || {
        let p = page_now();
        item_error.with(|e| {
            let off: Vec<usize> = e
                .iter()
                .map(|(i, _)| *i)
                .filter(|i| i / PAGE != p)
                .collect();
            off.iter().min().map(|first| (off.len(), *first))
        })
    };
    view! {
        <fieldset class="list-editor">
            <legend>{move || format!("{title} ({})", count())}</legend>
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            <ol>
                {move || {
                    let from = page_now() * PAGE;
                    (from..count().min(from + PAGE)).map(row).collect_view()
                }}
            </ol>
            <Show when=move || { pages() > 1 }>
                <div class="buttons pager">
                    <button type="button" disabled=move || page_now() == 0
                        on:click=move |_| page.set(page_now().saturating_sub(1))>{format!("Previous {PAGE} {noun}s")}</button>
                    <span>{move || {
                        let from = page_now() * PAGE;
                        format!("{}–{} of {}", from + 1, count().min(from + PAGE), count())
                    }}</span>
                    <button type="button" disabled=move || { page_now() + 1 >= pages() }
                        on:click=move |_| page.set(page_now() + 1)>{format!("Next {PAGE} {noun}s")}</button>
                </div>
            </Show>
            {move || elsewhere().map(|(n, first)| view! {
                <p class="field-error">
                    {crate::words::problems_elsewhere(n)}
                    <button type="button" on:click=move |_| page.set(first / PAGE)>{format!("Show {noun} {}", first + 1)}</button>
                </p>
            })}
            <div class="buttons">
                <button type="button" on:click=move |_| {
                    edit(Box::new(|l| l.push(String::new())));
                    // The new row is on the last page.
                    page.set(pages() - 1);
                }>{format!("Add a {noun}")}</button>
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
