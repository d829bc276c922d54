//! The response cache: completions in IndexedDB under `synfact_core::cache_key` hashes.
//! Keys are hashes of the request without the API key, so no key is ever stored.

use crate::db;
use idb::Database;
use synfact_core::wire::Completion;

/// Looks up a cached completion. A corrupt entry counts as a miss.
pub async fn get(database: &Database, key: &str) -> Result<Option<Completion>, String> {
    Ok(db::get(database, db::RESPONSES, key).await?.and_then(|text| serde_json::from_str(&text).ok()))
}

/// Stores a completion; resolves once the write is committed.
pub async fn put(database: &Database, key: &str, completion: &Completion) -> Result<(), String> {
    let text = serde_json::to_string(completion).map_err(|e| e.to_string())?;
    db::put_all(database, db::RESPONSES, &[(key.to_string(), text)]).await
}
