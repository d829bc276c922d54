//! The user's own templates, kept in IndexedDB: each a template file (template and prompts).

use super::db::{self, Result, Write};
use idb::Database;
use serde::{Deserialize, Serialize};

/// One of "My templates".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedTemplate {
    pub id: String,
    /// The template file (`TemplateDoc::to_json`).
    pub json: String,
    /// Its fact name, for the list.
    pub name: String,
    pub updated_ms: f64,
}

/// Every saved template, by name.
pub async fn list(database: &Database) -> Result<Vec<SavedTemplate>> {
    let mut all: Vec<SavedTemplate> = db::get_prefix(database, db::TEMPLATES, "")
        .await?
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    all.sort_unstable_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(all)
}

pub async fn save(database: &Database, t: &SavedTemplate) -> Result<()> {
    let text = serde_json::to_string(t).expect("a template record serialises");
    db::write(database, &[Write::Put(db::TEMPLATES, t.id.clone(), text)]).await
}

pub async fn delete(database: &Database, id: &str) -> Result<()> {
    db::write(database, &[Write::Delete(db::TEMPLATES, id.to_string())]).await
}
