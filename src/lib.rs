//! synfact's browser app: Leptos components over thin adapters (fetch, IndexedDB, timers,
//! downloads) that execute what `synfact_core`'s run engine asks for.

/// The app's version, as its files record it (the command line records the same).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod api;
pub mod app;
pub mod components;
pub mod download;
pub mod errors;
pub mod eval_state;
pub mod fine_tune_job;
pub mod fine_tune_state;
pub mod form_state;
pub mod hub;
pub mod parts;
pub mod provider;
pub mod review;
pub mod run;
pub mod storage;
pub mod template_state;
pub mod words;

pub use app::App;

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
