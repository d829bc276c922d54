//! The app's parts, one component per file.

pub mod bind;
pub mod list_editor;
pub mod model_row;
pub mod model_rows;
pub mod progress_table;
pub mod prompt_editor;
pub mod results;
pub mod run_controls;
pub mod saved_runs;
pub mod select_field;
pub mod storage_panel;
pub mod template_form;
pub mod template_panel;
pub mod text_field;
