//! The browser's storage.

use crate::errors::SaveError;
use crate::storage::db::StorageError;
use crate::storage::runs::RunState;

/// A problem with the browser's storage, and what to do.
pub fn storage_error(e: &StorageError) -> String {
    match e {
        StorageError::Unavailable(d) => format!(
            "This browser gives synfact no IndexedDB ({d}), so runs and cached replies cannot be kept. Private windows of some browsers do this; use a normal window."
        ),
        StorageError::Full => "The browser's storage for this site is full. Delete old runs or clear the cache (under Storage), or free disk space; what is already saved is kept, and results made since stay in this tab until saved.".into(),
        StorageError::Blocked => "Another synfact tab holds an older version of the saved data open. Close the other synfact tabs, then reload this one.".into(),
        StorageError::Unreadable(id) => format!("The saved run {id} could not be read (it may come from another version of synfact)."),
        StorageError::Incomplete { id, read, total } => format!(
            "The saved run {id} is incomplete ({read} of {total} items could be read)."
        ),
        StorageError::Failed(d) => format!("The browser's storage (IndexedDB) failed: {d}"),
        // Read at start-up, with no button to press again.
        StorageError::Chunk {
            code: code @ crate::parts::SplitCode::SavedRuns,
            ..
        } => chunk_failed(split_code(*code)),
        StorageError::Chunk { code, .. } => chunk_failed_retry(split_code(*code)),
    }
}

/// Something the browser could not keep.
pub fn save_error(e: &SaveError) -> String {
    match e {
        SaveError::Form => "The form could not be saved in this browser (localStorage is full or disabled); it is kept while this tab is open.".into(),
        SaveError::Prices => "The price table could not be saved in this browser (localStorage is full or disabled); it is kept while this tab is open.".into(),
        SaveError::Template(e) => format!(
            "The template could not be saved in this browser: {}",
            storage_error(e)
        ),
        SaveError::MyTemplate { name, error } => format!(
            "The template {name} could not be saved in this browser: {}",
            storage_error(error)
        ),
    }
}

/// A saved run's state, as the list of saved runs shows it.
pub fn run_state(s: RunState) -> &'static str {
    match s {
        RunState::Running => "Unfinished",
        RunState::Paused => "Paused",
        RunState::Stopped => "Stopped",
        RunState::Cancelled => "Cancelled",
        RunState::Finished => "Finished",
    }
}

/// "12.3 MB" (decimal units, as the browser's storage settings show them).
pub fn size(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.0} KB", (bytes / 1e3).ceil())
    }
}

/// What the cache and the saved runs take, and what the browser allows.
pub fn storage_lines(u: &crate::run::StorageUse) -> Vec<String> {
    let mut out = vec![
        format!(
            "Cached replies: {} ({})",
            u.cached_replies,
            size(u.cache_bytes as f64)
        ),
        format!("Saved runs: {} ({})", u.runs, size(u.runs_bytes as f64)),
    ];
    if let (Some(used), Some(quota)) = (u.usage, u.quota) {
        out.push(format!(
            "This site uses {} of the {} the browser allows it.",
            size(used),
            size(quota)
        ));
    }
    out
}

/// What code in a chunk does, as the message about its chunk names it.
pub fn split_code(code: crate::parts::SplitCode) -> &'static str {
    use crate::parts::SplitCode as C;
    match code {
        C::RunEngine => "part of synfact that runs a run",
        C::SavedRun => "part of synfact that reads a saved run",
        C::SavedRuns => "part of synfact that reads saved runs",
        C::RunSaving => "part of synfact that saves runs",
        C::LinkOpening => "part of synfact that opens share links",
        C::LinkMaking => "part of synfact that makes share links",
        C::FineTuneFollowing => "part of synfact that follows a fine-tuning job",
        C::TemplateActions => "part of synfact that changes, saves, imports and exports templates",
    }
}

/// A further part whose code could not be fetched, when the page already says so once above.
pub fn chunk_failed_too(what: &str) -> String {
    format!("The {what} could not be loaded either: reload the page to get it.")
}

/// What a reload keeps (a key only when the user chose to remember keys).
const KEPT: &str = "Runs, templates and settings are kept in this browser; API keys only when \"Remember API keys in this browser\" is on.";

/// A part of the page whose code could not be fetched (it loads after the first screen).
/// (The loader's own words, "failed to load split module", mean nothing to a user: left out.)
pub fn chunk_failed(what: &str) -> String {
    format!(
        "The {what} could not be loaded. The network may be gone, or synfact was updated since this page opened: reload the page to get it. {KEPT}"
    )
}

/// Code a button needed could not be fetched: pressing it again fetches it again.
pub fn chunk_failed_retry(what: &str) -> String {
    format!(
        "The {what} could not be loaded. The network may be gone, or synfact was updated since this page opened: press the button again once the network is back, or reload the page. {KEPT}"
    )
}
