//! The app's parts, one per file.

pub mod fields;
pub mod model_rows;
pub mod results;
pub mod run_controls;
pub mod saved_runs;
pub mod template_panel;
