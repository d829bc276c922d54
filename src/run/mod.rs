//! Running a run in the browser: the controller (what the buttons do to a run), saved runs
//! (listing, opening, deleting, importing chat JSONL), storage use, the executor (engine
//! commands → fetch, IndexedDB, timers), the saver (writes kept until they commit) and the view
//! (what the page shows, published a few times a second).

mod controller;
mod executor;
pub mod lock;
mod saved;
mod saver;
mod storage_use;
mod view;

pub use controller::Controller;
pub use executor::{load_engine, prefetch as prefetch_engine, Carry, EngineFns, Executor};
pub use storage_use::StorageUse;
pub use view::{Phase, Revision, RunView};
