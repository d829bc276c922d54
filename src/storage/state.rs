//! Small application state kept in IndexedDB: the working template (which may be megabytes).

use super::db::{self, Result, Write};
use idb::Database;
use serde::{Deserialize, Serialize};
use synfact_core::prompts::Prompts;

const WORKING_TEMPLATE: &str = "working-template";

/// The template being edited: the choice in the Template list and the JSON as typed (valid or not).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkingTemplate {
    pub choice: String,
    pub text: String,
    /// Custom prompts travel with the template.
    pub prompts: Prompts,
}

pub async fn load_template(database: &Database) -> Result<Option<WorkingTemplate>> {
    Ok(db::get(database, db::STATE, WORKING_TEMPLATE)
        .await?
        .and_then(|t| serde_json::from_str(&t).ok()))
}

pub async fn save_template(database: &Database, t: &WorkingTemplate) -> Result<()> {
    let text = serde_json::to_string(t).expect("a template serialises");
    db::write(
        database,
        &[Write::Put(db::STATE, WORKING_TEMPLATE.into(), text)],
    )
    .await
}
