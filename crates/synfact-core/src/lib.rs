//! synfact's pure logic. Nothing here does IO: the browser app (and the native test driver)
//! executes the commands the run engine returns and feeds the results back as events.

pub mod cache_key;
pub mod engine;
pub mod export;
pub mod plan;
pub mod prompts;
pub mod refusal;
pub mod retry;
pub mod run;
pub mod setup;
pub mod template;
pub mod verdict;
pub mod wire;

pub use engine::{Command, Engine, Event, Progress, Status};
pub use run::{EndpointSpec, Generator, Item, Run, RunSettings, Schedule, Stage, Step, Summary};
pub use template::{FactTemplate, TemplateError};
