//! The response cache: completions in IndexedDB under `synfact_core::cache_key` hashes.
//! Keys are hashes of the request without the API key, so no key is ever stored.

use crate::db;
use idb::Database;
use std::collections::HashSet;
use synfact_core::wire::Completion;

/// Looks up a cached completion. A corrupt entry counts as a miss.
pub async fn get(database: &Database, key: &str) -> Result<Option<Completion>, String> {
    Ok(db::get(database, db::RESPONSES, key)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok()))
}

/// Stores a completion; resolves once the write is committed.
pub async fn put(database: &Database, key: &str, completion: &Completion) -> Result<(), String> {
    db::put_many(database, &[entry(key, completion)]).await
}

/// A cache entry for `db::put_many`, to be written together with the run's progress.
pub fn entry(key: &str, completion: &Completion) -> (&'static str, String, String) {
    (
        db::RESPONSES,
        key.to_string(),
        serde_json::to_string(completion).expect("completions serialise"),
    )
}

/// The keys of every cached reply, so a fresh call needs no lookup.
pub async fn known_keys(database: &Database) -> Result<HashSet<String>, String> {
    Ok(db::keys(database, db::RESPONSES)
        .await?
        .into_iter()
        .collect())
}
