//! The command line's store: cached replies and runs (settings, items, status) in one `redb`
//! file. redb rather than SQLite: pure Rust (no C compiler on the user's machine or in CI), a
//! typed key-value store is all the page's IndexedDB stores need, and each write transaction is
//! atomic — a reply and the item it moved on are committed together, as in the page.

use redb::{Database, ReadableTable, TableDefinition};
use std::path::Path;
use synfact_core::provider::wire::Completion;
use synfact_core::run::batch::BatchState;
use synfact_core::{Item, Run, Status};

const CACHE: TableDefinition<&str, &[u8]> = TableDefinition::new("cache");
const RUNS: TableDefinition<&str, &[u8]> = TableDefinition::new("runs");
const ITEMS: TableDefinition<&str, &[u8]> = TableDefinition::new("items");
const STATUS: TableDefinition<&str, &[u8]> = TableDefinition::new("status");
/// A batch run's round at the provider, written the moment a batch's id exists (before the
/// next is submitted), apart from the run's record: a kill never loses a batch already paid for.
const BATCH: TableDefinition<&str, &[u8]> = TableDefinition::new("batch");

/// The store's page cache.
const CACHE_BYTES: usize = 64 * 1024 * 1024;

pub struct Store {
    db: Database,
}

/// A store error, in words.
pub type Result<T> = std::result::Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn item_key(run: &str, idx: usize) -> String {
    format!("{run}/{idx:08}")
}

/// A saved run as `synfact runs` lists it.
pub struct Summary {
    pub run: Run,
    pub status: Option<Status>,
}

/// What one flush writes for run `run_id`: replies to cache, items, the run's record (without
/// its items) and its status.
#[derive(Default)]
pub struct Writes {
    pub run_id: String,
    pub replies: Vec<(String, Completion)>,
    pub items: Vec<Item>,
    pub run: Option<Run>,
    pub status: Option<Status>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        // redb caches 1 GiB by default; the engine holds the run in memory already, so the
        // store's own cache is kept small (measured: 1.6 GB peak at 100,000 items with the default).
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(err)?;
        let tx = db.begin_write().map_err(err)?;
        for t in [CACHE, RUNS, ITEMS, STATUS, BATCH] {
            tx.open_table(t).map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(Store { db })
    }

    /// Writes everything in one transaction: a saved item is never ahead of its cached reply.
    pub fn write(&self, w: &Writes) -> Result<()> {
        let tx = self.db.begin_write().map_err(err)?;
        {
            let mut cache = tx.open_table(CACHE).map_err(err)?;
            for (key, c) in &w.replies {
                let v = serde_json::to_vec(c).map_err(err)?;
                cache.insert(key.as_str(), v.as_slice()).map_err(err)?;
            }
            if let Some(run) = &w.run {
                let v = serde_json::to_vec(&run.without_items()).map_err(err)?;
                tx.open_table(RUNS)
                    .map_err(err)?
                    .insert(w.run_id.as_str(), v.as_slice())
                    .map_err(err)?;
            }
            let mut items = tx.open_table(ITEMS).map_err(err)?;
            for i in &w.items {
                let v = serde_json::to_vec(i).map_err(err)?;
                items
                    .insert(item_key(&w.run_id, i.id).as_str(), v.as_slice())
                    .map_err(err)?;
            }
            if let Some(status) = &w.status {
                let v = serde_json::to_vec(status).map_err(err)?;
                tx.open_table(STATUS)
                    .map_err(err)?
                    .insert(w.run_id.as_str(), v.as_slice())
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    pub fn cached(&self, key: &str) -> Result<Option<Completion>> {
        let tx = self.db.begin_read().map_err(err)?;
        let t = tx.open_table(CACHE).map_err(err)?;
        match t.get(key).map_err(err)? {
            Some(v) => serde_json::from_slice(v.value()).map(Some).map_err(err),
            None => Ok(None),
        }
    }

    /// A saved run with its items, and its status when saved.
    pub fn load(&self, id: &str) -> Result<Option<(Run, Option<Status>)>> {
        let tx = self.db.begin_read().map_err(err)?;
        let runs = tx.open_table(RUNS).map_err(err)?;
        let Some(v) = runs.get(id).map_err(err)? else {
            return Ok(None);
        };
        let mut run: Run = serde_json::from_slice(v.value()).map_err(err)?;
        let items = tx.open_table(ITEMS).map_err(err)?;
        let (lo, hi) = (format!("{id}/"), format!("{id}/\u{ffff}"));
        for entry in items.range(lo.as_str()..hi.as_str()).map_err(err)? {
            let (_, v) = entry.map_err(err)?;
            run.items
                .push(serde_json::from_slice(v.value()).map_err(err)?);
        }
        run.items.sort_by_key(|i| i.id);
        if let Some(v) = tx.open_table(BATCH).map_err(err)?.get(id).map_err(err)? {
            run.batch = serde_json::from_slice(v.value()).map_err(err)?;
        }
        let status = tx
            .open_table(STATUS)
            .map_err(err)?
            .get(id)
            .map_err(err)?
            .and_then(|v| serde_json::from_slice(v.value()).ok());
        Ok(Some((run, status)))
    }

    /// Writes a run's record (its settings, batch round and fine-tune; not its items).
    pub fn save_record(&self, run: &Run) -> Result<()> {
        self.write(&Writes {
            run_id: run.id.clone(),
            run: Some(run.without_items()),
            ..Writes::default()
        })
    }

    /// Writes run `id`'s round at the provider (`None`: no round is).
    pub fn save_batch(&self, id: &str, state: Option<&BatchState>) -> Result<()> {
        let tx = self.db.begin_write().map_err(err)?;
        {
            let v = serde_json::to_vec(&state).map_err(err)?;
            tx.open_table(BATCH)
                .map_err(err)?
                .insert(id, v.as_slice())
                .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Every saved run's record (without its items) and its status, oldest first.
    pub fn summaries(&self) -> Result<Vec<Summary>> {
        let tx = self.db.begin_read().map_err(err)?;
        let runs = tx.open_table(RUNS).map_err(err)?;
        let status = tx.open_table(STATUS).map_err(err)?;
        let mut out = Vec::new();
        for entry in runs.iter().map_err(err)? {
            let (k, v) = entry.map_err(err)?;
            let run: Run = serde_json::from_slice(v.value()).map_err(err)?;
            let st = status
                .get(k.value())
                .map_err(err)?
                .and_then(|v| serde_json::from_slice(v.value()).ok());
            out.push(Summary { run, status: st });
        }
        out.sort_by(|a, b| a.run.created_ms.total_cmp(&b.run.created_ms));
        Ok(out)
    }

    /// The dataset run (not an evaluation) made last.
    pub fn latest_dataset(&self) -> Result<Option<String>> {
        Ok(self
            .summaries()?
            .into_iter()
            .rev()
            .find(|s| s.run.eval.is_none())
            .map(|s| s.run.id))
    }
}
