//! The response cache: completions in IndexedDB under `synfact_core::provider::cache_key` hashes.
//! Keys are hashes of the request without the API key, so no key is ever stored.

use super::db::{self, Result, Write};
use idb::Database;
use std::collections::HashSet;
use synfact_core::provider::wire::Completion;

/// Looks up a cached completion. A corrupt entry counts as a miss.
pub async fn get(database: &Database, key: &str) -> Result<Option<Completion>> {
    Ok(db::get(database, db::RESPONSES, key)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok()))
}

/// A write that caches a completion, to go in the same transaction as the item it moved on.
pub fn put(key: &str, completion: &Completion) -> Write {
    Write::Put(
        db::RESPONSES,
        key.to_string(),
        serde_json::to_string(completion).expect("completions serialise"),
    )
}

/// The keys of every cached reply, so a fresh call needs no lookup.
pub async fn known_keys(database: &Database) -> Result<HashSet<String>> {
    Ok(db::keys(database, db::RESPONSES)
        .await?
        .into_iter()
        .collect())
}
