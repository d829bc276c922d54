//! Small application state kept in IndexedDB: the working template (which may be megabytes).

use super::db::{self, Result, Write};
use idb::Database;
use serde::{Deserialize, Serialize};

const WORKING_TEMPLATE: &str = "working-template";

/// The template being edited: which one it is and its file as typed (valid or not).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkingTemplate {
    /// A built-in's name, "mine:<id>" for one of My templates, "custom" (edited or imported,
    /// not saved) or "shared" (opened from a link, not saved).
    pub choice: String,
    /// The template file as typed in the JSON view: the template and any custom prompts.
    pub text: String,
    /// Edited since it was loaded or saved.
    pub dirty: bool,
}

impl WorkingTemplate {
    /// One of My templates: edits are saved to it as they happen.
    pub fn mine(&self) -> Option<&str> {
        self.choice.strip_prefix("mine:")
    }

    /// Edits that exist nowhere else (a changed built-in, an import, a shared link).
    pub fn is_unsaved(&self) -> bool {
        self.dirty && matches!(self.choice.as_str(), "custom" | "shared")
    }
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
