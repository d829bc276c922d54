//! synfact's pure logic. Nothing here does IO: the browser app (and the native test driver)
//! executes the commands the run engine returns and feeds the results back as events.

pub mod cache_key;
pub mod cost;
pub mod dataset;
pub mod endpoint;
pub mod engine;
pub mod error;
pub mod export;
#[cfg(test)]
mod fuzz_tests;
pub mod hub;
pub mod listing;
pub mod number;
pub mod plan;
pub mod prompts;
pub mod quality;
pub mod reason;
pub mod refusal;
pub mod retry;
pub mod review;
pub mod run;
pub mod setup;
pub mod share;
pub mod template;
#[cfg(test)]
mod testing;
pub mod verdict;
pub mod wire;

pub use endpoint::BaseUrl;
pub use engine::{Command, Connection, Engine, Event, Progress, Status};
pub use error::{CallError, ErrorKind, PauseReason, ProviderProblem, StopReason};
pub use reason::Reason;
pub use run::{
    EndpointSpec, Item, ModelSpec, Run, RunSettings, Schedule, Stage, Step, Summary, Target,
};
pub use template::{FactTemplate, TemplateDoc, TemplateField, TemplateIssue};
