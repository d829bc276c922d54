//! The IndexedDB database: one connection, JSON text values, errors in the user's words.

use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode};
use wasm_bindgen::JsValue;

pub const DB_NAME: &str = "synfact";
pub const RESPONSES: &str = "responses";
pub const RUNS: &str = "runs";
pub const ITEMS: &str = "items";

/// Turns an IndexedDB failure into a sentence, calling out a full disk.
pub fn describe(e: idb::Error) -> String {
    let text = format!("{e:?}");
    if text.contains("QuotaExceeded") {
        "The browser's storage for this site is full. Delete old runs (Saved runs) or free disk space; nothing already saved was lost.".into()
    } else {
        format!("The browser's storage (IndexedDB) failed: {e}")
    }
}

/// Opens (and on first use creates) the database.
pub async fn open() -> Result<Database, String> {
    let factory = Factory::new().map_err(|e| format!("This browser has no IndexedDB ({e}); synfact needs it to keep runs and cached replies."))?;
    let mut request = factory.open(DB_NAME, Some(1)).map_err(describe)?;
    request.on_upgrade_needed(|event| {
        let Ok(db) = event.database() else { return };
        for name in [RESPONSES, RUNS, ITEMS] {
            if !db.store_names().iter().any(|n| n == name) {
                let _ = db.create_object_store(name, ObjectStoreParams::new());
            }
        }
    });
    request.await.map_err(describe)
}

/// Stores text values under string keys, several in one transaction.
pub async fn put_all(
    db: &Database,
    store: &str,
    entries: &[(String, String)],
) -> Result<(), String> {
    let entries: Vec<(&str, String, String)> = entries
        .iter()
        .map(|(k, v)| (store, k.clone(), v.clone()))
        .collect();
    put_many(db, &entries).await
}

/// Stores (store, key, text) entries across stores in one transaction: all or nothing.
pub async fn put_many(db: &Database, entries: &[(&str, String, String)]) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut stores: Vec<&str> = entries.iter().map(|(s, _, _)| *s).collect();
    stores.sort_unstable();
    stores.dedup();
    let tx = db
        .transaction(&stores, TransactionMode::ReadWrite)
        .map_err(describe)?;
    for (store, k, v) in entries {
        let s = tx.object_store(store).map_err(describe)?;
        s.put(&JsValue::from_str(v), Some(&JsValue::from_str(k)))
            .map_err(describe)?;
    }
    let result = tx.commit().map_err(describe)?.await.map_err(describe)?;
    if result.is_committed() {
        Ok(())
    } else {
        Err("Saving to the browser's storage was aborted (is the disk full?).".into())
    }
}

/// The text stored under `key`, if any.
pub async fn get(db: &Database, store: &str, key: &str) -> Result<Option<String>, String> {
    let tx = db
        .transaction(&[store], TransactionMode::ReadOnly)
        .map_err(describe)?;
    let s = tx.object_store(store).map_err(describe)?;
    let v = s
        .get(JsValue::from_str(key))
        .map_err(describe)?
        .await
        .map_err(describe)?;
    Ok(v.and_then(|v| v.as_string()))
}

fn prefix_range(prefix: &str) -> Result<Query, String> {
    let range = KeyRange::bound(
        &JsValue::from_str(prefix),
        &JsValue::from_str(&format!("{prefix}\u{ffff}")),
        Some(false),
        Some(false),
    )
    .map_err(describe)?;
    Ok(Query::KeyRange(range))
}

/// Every value whose key starts with `prefix` ("" for all), in key order.
pub async fn get_prefix(db: &Database, store: &str, prefix: &str) -> Result<Vec<String>, String> {
    let tx = db
        .transaction(&[store], TransactionMode::ReadOnly)
        .map_err(describe)?;
    let s = tx.object_store(store).map_err(describe)?;
    let query = if prefix.is_empty() {
        None
    } else {
        Some(prefix_range(prefix)?)
    };
    let values = s
        .get_all(query, None)
        .map_err(describe)?
        .await
        .map_err(describe)?;
    Ok(values.into_iter().filter_map(|v| v.as_string()).collect())
}

/// Deletes one key, or every key with a prefix.
pub async fn delete(
    db: &Database,
    store: &str,
    key_or_prefix: &str,
    prefix: bool,
) -> Result<(), String> {
    let tx = db
        .transaction(&[store], TransactionMode::ReadWrite)
        .map_err(describe)?;
    let s = tx.object_store(store).map_err(describe)?;
    let query = if prefix {
        prefix_range(key_or_prefix)?
    } else {
        Query::Key(JsValue::from_str(key_or_prefix))
    };
    s.delete(query).map_err(describe)?.await.map_err(describe)?;
    tx.commit().map_err(describe)?.await.map_err(describe)?;
    Ok(())
}

/// Every key of a store.
pub async fn keys(db: &Database, store: &str) -> Result<Vec<String>, String> {
    let tx = db
        .transaction(&[store], TransactionMode::ReadOnly)
        .map_err(describe)?;
    let s = tx.object_store(store).map_err(describe)?;
    let keys = s
        .get_all_keys(None, None)
        .map_err(describe)?
        .await
        .map_err(describe)?;
    Ok(keys.into_iter().filter_map(|k| k.as_string()).collect())
}
