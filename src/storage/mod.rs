//! The browser's storage: IndexedDB (runs, cached replies, templates) and localStorage (the form).

pub mod cache;
pub mod db;
pub mod prefs;
pub mod runs;
pub mod templates;
pub mod working;
