//! Running a run in the browser: the controller (what the buttons do), the executor (engine
//! commands → fetch, IndexedDB, timers), the saver (writes kept until they commit) and the
//! view (what the page shows, published a few times a second).

mod controller;
mod executor;
pub mod lock;
mod saver;
mod view;

pub use controller::{Controller, StorageUse};
pub use executor::Executor;
pub use view::{Phase, Revision, RunView};
