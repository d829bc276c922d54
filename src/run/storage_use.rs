//! What the browser keeps for this site (the reply cache and the saved runs), and clearing the
//! cache.

use super::controller::Controller;
use crate::storage::db::{self, StorageError};
use crate::storage::runs;
use crate::words;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the browser's storage holds for this site.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageUse {
    pub cached_replies: usize,
    pub cache_bytes: u64,
    pub runs: usize,
    pub runs_bytes: u64,
    /// `navigator.storage.estimate()`: bytes used and allowed, where the browser tells.
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

async fn estimate() -> (Option<f64>, Option<f64>) {
    use wasm_bindgen::JsValue;
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
        return (None, None);
    };
    let Ok(promise) = storage.estimate() else {
        return (None, None);
    };
    let Ok(e) = wasm_bindgen_futures::JsFuture::from(promise).await else {
        return (None, None);
    };
    let get = |k: &str| {
        js_sys::Reflect::get(&e, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_f64())
    };
    (get("usage"), get("quota"))
}

impl Controller {
    /// Empties the response cache (runs keep their results; re-running costs calls again).
    pub fn clear_cache(self) {
        spawn_local(async move {
            let result = async { db::clear(&*self.database().await?, db::RESPONSES).await }.await;
            match result {
                Ok(()) => {
                    if let Some(known) = self.known.with_value(|k| k.clone()) {
                        known.borrow_mut().clear();
                    }
                }
                Err(e) => self.problems.set(vec![words::storage_error(&e)]),
            }
            self.storage_changed.update(|n| *n += 1);
        });
    }

    /// How much the cache and the saved runs take, and what the browser allows this site.
    pub async fn storage_use(self) -> Result<StorageUse, StorageError> {
        let database = self.database().await?;
        let cache = db::store_size(&database, db::RESPONSES).await?;
        let items = db::store_size(&database, db::ITEMS).await?;
        let settings = db::store_size(&database, db::RUNS).await?;
        let runs = runs::list(&database).await?.len();
        let (usage, quota) = estimate().await;
        Ok(StorageUse {
            cached_replies: cache.0,
            cache_bytes: cache.1,
            runs,
            runs_bytes: items.1 + settings.1,
            usage,
            quota,
        })
    }
}
