//! The app's parts, one component per file.

pub mod bind;
pub mod cost_panel;
pub mod estimate;
pub mod export_panel;
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
pub mod saved_runs;
pub mod select_field;
pub mod storage_panel;
pub mod template_form;
pub mod template_panel;
pub mod text_field;
pub mod yield_grid;
