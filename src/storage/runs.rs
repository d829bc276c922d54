//! Saved runs: each run's settings in one record (written when it is created or reconnected),
//! its counts and state in a small record rewritten with every save, and each item in its own
//! record, so saving costs what changed, not the size of the run.

use super::db::{self, Result, StorageError, Write};
use idb::Database;
use serde::{Deserialize, Serialize};
use synfact_core::{Counts, Item, Run, Status};

/// Where a saved run stands, for the list of saved runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunState {
    Running,
    Paused,
    Stopped,
    Cancelled,
    Finished,
}

impl RunState {
    pub fn of(status: &Status) -> RunState {
        match status {
            Status::Idle | Status::Running => RunState::Running,
            Status::Paused(_) => RunState::Paused,
            Status::Stopped(_) => RunState::Stopped,
            Status::Cancelled => RunState::Cancelled,
            Status::Finished => RunState::Finished,
        }
    }
}

/// A run's counts and state: what the list of saved runs shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunProgress {
    pub id: String,
    pub created_ms: f64,
    pub fact_name: String,
    pub total: usize,
    /// Saved as `summary` (the record's name for it since version 2).
    #[serde(rename = "summary")]
    pub counts: Counts,
    pub state: RunState,
    /// `Run::fingerprint`: runs that make the same calls share it.
    #[serde(default)]
    pub fingerprint: String,
    /// Items with a review decision or edit.
    #[serde(default)]
    pub reviewed: usize,
    /// The run's status when saved, so a reload shows why it stopped or paused.
    #[serde(default)]
    pub status: Option<Status>,
    /// An evaluation run (listed as one).
    #[serde(default)]
    pub evaluation: bool,
}

impl RunProgress {
    pub fn of(run: &Run, status: &Status) -> RunProgress {
        RunProgress {
            id: run.id.clone(),
            created_ms: run.created_ms,
            fact_name: run.template.fact_name.clone(),
            total: run.items.len(),
            counts: run.counts(),
            state: RunState::of(status),
            fingerprint: run.fingerprint(),
            reviewed: run
                .items
                .iter()
                .filter(|i| i.review.decision.is_some() || i.review.is_edited() || i.review.deleted)
                .count(),
            status: Some(status.clone()),
            evaluation: run.eval.is_some(),
        }
    }
}

fn item_key(run_id: &str, item: usize) -> String {
    format!("{run_id}/{item:07}")
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("run records serialise")
}

/// The write that saves a run's settings (everything but its items).
pub fn settings(run: &Run) -> Write {
    Write::Put(db::RUNS, run.id.clone(), json(&run.without_items()))
}

/// The write that saves one item.
pub fn item(run_id: &str, item: &Item) -> Write {
    Write::Put(db::ITEMS, item_key(run_id, item.id), json(item))
}

/// The write that saves a run's counts and state (with the run's fingerprint: hashing the
/// run's set-up is large code too).
pub fn progress(run: &Run, status: &Status) -> Write {
    let p = RunProgress::of(run, status);
    Write::Put(db::PROGRESS, p.id.clone(), json(&p))
}

/// The writes that save a run's records. Serialising a run and its items is large code, needed
/// only once a run is made: these come from the chunk of what loads after the first screen.
#[derive(Clone, Copy)]
pub struct Writers {
    /// A run's settings record (the run without its items).
    pub settings: fn(&Run) -> Write,
    /// One item of a run.
    pub item: fn(&str, &Item) -> Write,
    /// A run's counts and state.
    pub progress: fn(&Run, &Status) -> Write,
    /// What runs that make the same calls share (`Run::fingerprint`).
    pub fingerprint: fn(&Run) -> String,
}

/// The writers (in the chunk with the engine's half; see `load_writers`).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
pub fn writers() -> std::result::Result<Writers, crate::parts::ChunkError> {
    Ok(Writers::ALL)
}

impl Writers {
    /// Named only by code in the chunk, so their code stays there.
    pub const ALL: Writers = Writers {
        settings,
        item,
        progress,
        fingerprint: Run::fingerprint,
    };
}

/// The writers, their chunk fetched if it is not here yet.
pub async fn load_writers() -> Result<Writers> {
    crate::parts::call_split!(writers())
        .await
        .map_err(StorageError::chunk(crate::parts::SplitCode::RunSaving))
}

/// Saves a new run whole: settings, every item, counts.
pub async fn create(database: &Database, run: &Run, status: &Status) -> Result<()> {
    let Writers {
        settings,
        item,
        progress,
        ..
    } = load_writers().await?;
    // Items first, a chunk per transaction: serialising 10,000 items at once held the page for a
    // quarter of a second. The run's own records come last, so a run is listed (and can be
    // opened) only once every item is stored.
    for chunk in run.items.chunks(CREATE_CHUNK) {
        let writes: Vec<Write> = chunk.iter().map(|i| item(&run.id, i)).collect();
        db::write(database, &writes).await?;
    }
    db::write(database, &[settings(run), progress(run, status)]).await
}

/// Items written per transaction when a run is created.
const CREATE_CHUNK: usize = 500;

/// Every saved run's counts, newest first.
pub async fn list(database: &Database) -> Result<Vec<RunProgress>> {
    let texts = db::get_prefix(database, db::PROGRESS, "").await?;
    let mut list = crate::parts::call_split!(decode_progress(texts))
        .await
        .map_err(StorageError::chunk(crate::parts::SplitCode::SavedRuns))?;
    list.sort_unstable_by(|a, b| {
        b.created_ms
            .total_cmp(&a.created_ms)
            .then_with(|| b.id.cmp(&a.id))
    });
    Ok(list)
}

/// Reads saved counts (a run's status holds every reason a run can pause: decoding it is large):
/// in the chunk of what loads after the first screen. Unreadable records are passed over.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
fn decode_progress(
    texts: Vec<String>,
) -> std::result::Result<Vec<RunProgress>, crate::parts::ChunkError> {
    Ok(texts
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect())
}

/// A whole run with its items, and its saved counts.
pub async fn load(database: &Database, id: &str) -> Result<(Run, RunProgress)> {
    let unreadable = || StorageError::Unreadable(id.to_string());
    let mut run: Run = db::get(database, db::RUNS, id)
        .await?
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(unreadable)?;
    let progress: RunProgress = db::get(database, db::PROGRESS, id)
        .await?
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(unreadable)?;
    let items: Vec<Item> = db::get_prefix(database, db::ITEMS, &format!("{id}/"))
        .await?
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    // Items are written before the counts that include them, so there are never fewer.
    if items.len() < progress.total || items.iter().enumerate().any(|(i, it)| it.id != i) {
        return Err(StorageError::Incomplete {
            id: id.to_string(),
            read: items.len(),
            total: progress.total,
        });
    }
    run.items = items;
    Ok((run, progress))
}

/// Deletes a run and its items, and the cached replies in `replies` (its own, not shared with a
/// run that may still need them).
pub async fn delete(database: &Database, id: &str, replies: &[String]) -> Result<()> {
    let mut writes = vec![
        Write::DeletePrefix(db::ITEMS, format!("{id}/")),
        Write::Delete(db::RUNS, id.to_string()),
        Write::Delete(db::PROGRESS, id.to_string()),
    ];
    writes.extend(
        replies
            .iter()
            .map(|k| Write::Delete(db::RESPONSES, k.clone())),
    );
    db::write(database, &writes).await
}
