//! The app's parts, one component per file.

pub mod bind;
pub mod cost_panel;
pub mod estimate;
pub mod eval_results;
pub mod evaluate;
pub mod export_panel;
pub mod fine_tune_panel;
pub mod form_prices;
pub mod hub_push;
pub mod judge_selftest;
pub mod list_editor;
pub mod model_row;
pub mod model_rows;
pub mod price_table;
pub mod progress_table;
pub mod prompt_editor;
pub mod quality_report;
pub mod quality_settings;
pub mod results;
pub mod review_item;
pub mod review_list;
pub mod run_controls;
pub mod run_settings;
pub mod saved_runs;
pub mod select_field;
pub mod storage_panel;
pub mod template_form;
pub mod template_panel;
pub mod text_field;
pub mod yield_grid;

/// Puts the keyboard focus on the first element matching `selector` once the page has drawn it,
/// opening any closed section (`<details>`) around it first.
pub fn focus_after_draw(selector: &'static str) {
    focus_when_drawn(selector, FOCUS_FRAMES);
}

/// How many frames to wait for an element that is not drawn yet (its part of the page may still
/// be loading): about two seconds.
const FOCUS_FRAMES: u32 = 120;

fn focus_when_drawn(selector: &'static str, frames_left: u32) {
    use leptos::prelude::{document, request_animation_frame};
    use wasm_bindgen::JsCast;
    request_animation_frame(move || {
        let Some(el) = document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            if frames_left > 0 {
                focus_when_drawn(selector, frames_left - 1);
            }
            return;
        };
        let mut at = el.parent_element();
        while let Some(e) = at {
            if let Some(d) = e.dyn_ref::<web_sys::HtmlDetailsElement>() {
                d.set_open(true);
            }
            at = e.parent_element();
        }
        let _ = el.focus();
    });
}

/// Scrolls the first element matching `selector` into view once the page has drawn it (a message
/// that answers something done far from it, such as a file dropped at the top of a section whose
/// problems show at its bottom).
pub fn show_after_draw(selector: &'static str) {
    use leptos::prelude::{document, request_animation_frame};
    request_animation_frame(move || {
        if let Some(el) = document().query_selector(selector).ok().flatten() {
            el.scroll_into_view_with_bool(false);
        }
    });
}
