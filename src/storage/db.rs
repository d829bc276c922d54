//! The IndexedDB database: one connection, JSON text values, typed errors (worded in `words`).

use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};

pub const DB_NAME: &str = "synfact";
/// Version 2 split each run into a settings record and a small progress record; runs saved by
/// version 1 have another shape and are cleared on upgrade (cached replies are kept).
const DB_VERSION: u32 = 2;
/// Cached replies, by cache key.
pub const RESPONSES: &str = "responses";
/// A run's settings (the run without its items), by run id.
pub const RUNS: &str = "runs";
/// Items, by "run id/item number".
pub const ITEMS: &str = "items";
/// Each run's counts and state, by run id: small, rewritten with every save.
pub const PROGRESS: &str = "progress";
/// The user's templates, by template id.
pub const TEMPLATES: &str = "templates";
/// Small application state (the working template), by name.
pub const STATE: &str = "state";

const STORES: [&str; 6] = [RESPONSES, RUNS, ITEMS, PROGRESS, TEMPLATES, STATE];

/// What went wrong with the browser's storage.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// No IndexedDB at all (some private modes).
    #[error("IndexedDB is unavailable: {0}")]
    Unavailable(String),
    /// The quota for this site is used up.
    #[error("storage full")]
    Full,
    /// Another tab holds an older version of the database open.
    #[error("blocked by another tab")]
    Blocked,
    /// A saved record could not be read back.
    #[error("unreadable record {0}")]
    Unreadable(String),
    /// A saved run is missing items.
    #[error("run {id}: {read} of {total} items")]
    Incomplete {
        id: String,
        read: usize,
        total: usize,
    },
    /// Anything else, in the browser's words.
    #[error("{0}")]
    Failed(String),
    /// Code in a chunk of the release build could not be fetched: which, and the loader's words.
    #[error("the chunk of {code:?} could not be loaded: {detail}")]
    Chunk {
        code: crate::parts::SplitCode,
        detail: String,
    },
}

impl StorageError {
    /// For `map_err`: the chunk holding `code` could not be fetched.
    pub fn chunk(
        code: crate::parts::SplitCode,
    ) -> impl FnOnce(crate::parts::ChunkError) -> StorageError {
        move |e| StorageError::Chunk { code, detail: e.0 }
    }
}

impl From<idb::Error> for StorageError {
    fn from(e: idb::Error) -> StorageError {
        if exception_name(&e).as_deref() == Some("QuotaExceededError") {
            StorageError::Full
        } else {
            StorageError::Failed(e.to_string())
        }
    }
}

/// The name of the DOMException behind an `idb` error (`QuotaExceededError`, …), if there is one.
fn exception_name(e: &idb::Error) -> Option<String> {
    use idb::Error as E;
    let value: &JsValue = match e {
        E::DomException(d) => return Some(d.name()),
        E::AddFailed(v)
        | E::ClearFailed(v)
        | E::CountFailed(v)
        | E::CursorAdvanceFailed(v)
        | E::CursorContinueFailed(v)
        | E::CursorKeyNotFound(v)
        | E::CursorPrimaryKeyNotFound(v)
        | E::CursorValueNotFound(v)
        | E::DeleteFailed(v)
        | E::GetAllFailed(v)
        | E::GetAllKeysFailed(v)
        | E::GetFailed(v)
        | E::GetKeyFailed(v)
        | E::IndexCreateFailed(v)
        | E::IndexDeleteFailed(v)
        | E::IndexedDbDeleteFailed(v)
        | E::IndexedDbNotFound(v)
        | E::IndexedDbOpenFailed(v)
        | E::IndexNotFound(v)
        | E::KeyPathNotFound(v)
        | E::KeyRangeBoundNotFound(v)
        | E::KeyRangeCreateFailed(v)
        | E::KeyRangeIncludesFailed(v)
        | E::ObjectStoreCreateFailed(v)
        | E::ObjectStoreDeleteFailed(v)
        | E::ObjectStoreNotFound(v)
        | E::OpenCursorFailed(v)
        | E::OpenKeyCursorFailed(v)
        | E::RequestErrorNotFound(v)
        | E::RequestResultNotFound(v)
        | E::TransactionAbortError(v)
        | E::TransactionCommitError(v)
        | E::TransactionModeNotFound(v)
        | E::TransactionOpenFailed(v)
        | E::UpdateFailed(v) => v,
        _ => return None,
    };
    value.dyn_ref::<web_sys::DomException>().map(|d| d.name())
}

pub type Result<T> = std::result::Result<T, StorageError>;

/// Opens (and on first use creates) the database.
pub async fn open() -> Result<Database> {
    let factory = Factory::new().map_err(|e| StorageError::Unavailable(e.to_string()))?;
    let mut request = factory.open(DB_NAME, Some(DB_VERSION))?;
    request.on_upgrade_needed(|event| {
        let Ok(db) = event.database() else { return };
        let old = event.old_version().unwrap_or(0);
        for name in STORES {
            let exists = db.store_names().iter().any(|n| n == name);
            // Version 1 stored runs in another shape: start those stores afresh.
            if exists && old < 2 && (name == RUNS || name == ITEMS) {
                let _ = db.delete_object_store(name);
                let _ = db.create_object_store(name, ObjectStoreParams::new());
            } else if !exists {
                let _ = db.create_object_store(name, ObjectStoreParams::new());
            }
        }
    });
    // Another tab holding an older version open blocks the upgrade: told apart from a failure.
    let blocked = std::rc::Rc::new(std::cell::Cell::new(false));
    let b = blocked.clone();
    request.on_blocked(move |_| b.set(true));
    request.await.map_err(|e| {
        if blocked.get() {
            StorageError::Blocked
        } else {
            e.into()
        }
    })
}

/// One write in a transaction: put a text value, or delete a key or every key with a prefix.
pub enum Write {
    Put(&'static str, String, String),
    Delete(&'static str, String),
    DeletePrefix(&'static str, String),
}

impl Write {
    fn store(&self) -> &'static str {
        match self {
            Write::Put(s, ..) | Write::Delete(s, _) | Write::DeletePrefix(s, _) => s,
        }
    }
}

/// Carries out writes across stores in one transaction: all or nothing. A full disk shows as
/// `StorageError::Full`, whether the browser refuses a put or aborts the commit.
pub async fn write(db: &Database, writes: &[Write]) -> Result<()> {
    if writes.is_empty() {
        return Ok(());
    }
    let mut stores: Vec<&str> = writes.iter().map(Write::store).collect();
    stores.sort_unstable();
    stores.dedup();
    let tx = db.transaction(&stores, TransactionMode::ReadWrite)?;
    // Kept to read the abort reason: idb's future does not report it.
    let raw: web_sys::IdbTransaction = tx.into();
    let tx = idb::Transaction::from(raw.clone());
    for w in writes {
        let s = tx.object_store(w.store())?;
        match w {
            Write::Put(_, k, v) => {
                s.put(&JsValue::from_str(v), Some(&JsValue::from_str(k)))?;
            }
            Write::Delete(_, k) => {
                s.delete(Query::Key(JsValue::from_str(k)))?;
            }
            Write::DeletePrefix(_, p) => {
                s.delete(prefix_range(p)?)?;
            }
        }
    }
    let result = tx.commit()?.await;
    let quota = || {
        raw.error()
            .is_some_and(|e| e.name() == "QuotaExceededError")
    };
    match result {
        Ok(r) if r.is_committed() => Ok(()),
        Ok(_) if quota() => Err(StorageError::Full),
        Ok(_) => Err(StorageError::Failed(
            raw.error()
                .map(|e| e.message())
                .unwrap_or_else(|| "the save was aborted".into()),
        )),
        Err(_) if quota() => Err(StorageError::Full),
        Err(e) => Err(e.into()),
    }
}

/// The text stored under `key`, if any.
pub async fn get(db: &Database, store: &str, key: &str) -> Result<Option<String>> {
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let s = tx.object_store(store)?;
    let v = s.get(JsValue::from_str(key))?.await?;
    Ok(v.and_then(|v| v.as_string()))
}

fn prefix_range(prefix: &str) -> Result<Query> {
    let range = KeyRange::bound(
        &JsValue::from_str(prefix),
        &JsValue::from_str(&format!("{prefix}\u{ffff}")),
        Some(false),
        Some(false),
    )?;
    Ok(Query::KeyRange(range))
}

/// Every value whose key starts with `prefix` ("" for all), in key order.
pub async fn get_prefix(db: &Database, store: &str, prefix: &str) -> Result<Vec<String>> {
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let s = tx.object_store(store)?;
    let query = if prefix.is_empty() {
        None
    } else {
        Some(prefix_range(prefix)?)
    };
    let values = s.get_all(query, None)?.await?;
    Ok(values.into_iter().filter_map(|v| v.as_string()).collect())
}

/// Every key of a store.
pub async fn keys(db: &Database, store: &str) -> Result<Vec<String>> {
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let s = tx.object_store(store)?;
    let keys = s.get_all_keys(None, None)?.await?;
    Ok(keys.into_iter().filter_map(|k| k.as_string()).collect())
}

/// The bytes the values of a store take as text (UTF-16 code units × 2, as the browser keeps them).
pub async fn store_size(db: &Database, store: &str) -> Result<(usize, u64)> {
    let values = get_prefix(db, store, "").await?;
    let bytes = values
        .iter()
        .map(|v| v.encode_utf16().count() as u64 * 2)
        .sum();
    Ok((values.len(), bytes))
}

/// Empties a store.
pub async fn clear(db: &Database, store: &str) -> Result<()> {
    let tx = db.transaction(&[store], TransactionMode::ReadWrite)?;
    tx.object_store(store)?.clear()?.await?;
    tx.commit()?.await?;
    Ok(())
}
