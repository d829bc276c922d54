//! Saved runs: the run's settings in one record, each item in its own, so progress is saved as
//! it happens and a reload can resume.

use crate::db;
use idb::Database;
use serde::{Deserialize, Serialize};
use synfact_core::{Item, Run, Summary};

/// A run without its items, plus counts for the list of saved runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    pub run: Run,
    pub total: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub failed: usize,
    pub finished: bool,
}

impl RunMeta {
    pub fn of(run: &Run, finished: bool) -> RunMeta {
        let Summary {
            accepted,
            rejected,
            failed,
            ..
        } = run.summary();
        let bare = Run {
            id: run.id.clone(),
            created_ms: run.created_ms,
            template: run.template.clone(),
            endpoints: run.endpoints.clone(),
            generators: run.generators.clone(),
            judge: run.judge.clone(),
            settings: run.settings.clone(),
            items: Vec::new(),
        };
        RunMeta {
            run: bare,
            total: run.items.len(),
            accepted,
            rejected,
            failed,
            finished,
        }
    }

    /// A short name for lists and buttons.
    pub fn title(&self) -> String {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(self.run.created_ms));
        let when: String = date
            .to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED)
            .into();
        format!("{} — {when}", self.run.template.fact_name)
    }
}

fn item_key(run_id: &str, item: usize) -> String {
    format!("{run_id}/{item:07}")
}

/// Saves the run's record (and, when `with_items`, every item).
pub async fn save(
    database: &Database,
    run: &Run,
    finished: bool,
    with_items: bool,
) -> Result<(), String> {
    let meta = serde_json::to_string(&RunMeta::of(run, finished)).map_err(|e| e.to_string())?;
    db::put_all(database, db::RUNS, &[(run.id.clone(), meta)]).await?;
    if with_items {
        save_items(database, &run.id, run.items.iter()).await?;
    }
    Ok(())
}

/// The entries that save a run's record and some of its items, for `db::put_many`.
pub fn entries<'a>(
    run: &Run,
    finished: bool,
    items: impl Iterator<Item = &'a Item>,
) -> Vec<(&'static str, String, String)> {
    let mut out: Vec<(&'static str, String, String)> = items
        .map(|i| {
            (
                db::ITEMS,
                item_key(&run.id, i.id),
                serde_json::to_string(i).expect("items serialise"),
            )
        })
        .collect();
    out.push((
        db::RUNS,
        run.id.clone(),
        serde_json::to_string(&RunMeta::of(run, finished)).expect("runs serialise"),
    ));
    out
}

/// Saves some items of a run in one transaction.
pub async fn save_items<'a>(
    database: &Database,
    run_id: &str,
    items: impl Iterator<Item = &'a Item>,
) -> Result<(), String> {
    let entries: Vec<(String, String)> = items
        .map(|i| {
            (
                item_key(run_id, i.id),
                serde_json::to_string(i).expect("items serialise"),
            )
        })
        .collect();
    db::put_all(database, db::ITEMS, &entries).await
}

/// Every saved run, newest first.
pub async fn list(database: &Database) -> Result<Vec<RunMeta>, String> {
    let mut metas: Vec<RunMeta> = db::get_prefix(database, db::RUNS, "")
        .await?
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    metas.sort_by(|a, b| b.run.created_ms.total_cmp(&a.run.created_ms));
    Ok(metas)
}

/// A whole run with its items.
pub async fn load(database: &Database, id: &str) -> Result<(Run, bool), String> {
    let meta: RunMeta = db::get(database, db::RUNS, id)
        .await?
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| format!("The saved run {id} could not be read."))?;
    let mut run = meta.run;
    let items: Vec<Item> = db::get_prefix(database, db::ITEMS, &format!("{id}/"))
        .await?
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    if items.len() != meta.total {
        return Err(format!(
            "The saved run {id} is incomplete ({} of {} items could be read).",
            items.len(),
            meta.total
        ));
    }
    run.items = items;
    Ok((run, meta.finished))
}

/// Deletes a run and its items (cached replies stay: they may serve other runs).
pub async fn delete(database: &Database, id: &str) -> Result<(), String> {
    db::delete(database, db::ITEMS, &format!("{id}/"), true).await?;
    db::delete(database, db::RUNS, id, false).await
}
