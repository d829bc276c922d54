//! synfact's browser app: Leptos components over thin adapters (fetch, IndexedDB, timers,
//! downloads) that execute what `synfact_core`'s run engine asks for.

pub mod app;
pub mod cache;
pub mod components;
pub mod controller;
pub mod db;
pub mod download;
pub mod driver;
pub mod prefs;
pub mod provider;
pub mod runs;

pub use app::App;

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
