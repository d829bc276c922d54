//! synfact's pure logic. Nothing here does IO: the browser app (and the native test driver)
//! executes the commands the run engine returns and feeds the results back as events.
//!
//! The folders name the parts: `template` (the fact template, its prompts, the plan, share
//! links), `provider` (endpoints, the wire formats, errors and retries, reading verdicts),
//! `run` (a run as data, its engine, review and filters), `quality` (local checks,
//! near-duplicates, the judge self-test), `dataset` (export files, chat JSONL, the manifest,
//! the Hub), `cost` (prices, the run's cost, the estimate) and `form` (the settings form → a
//! run). The names re-exported below are the surface a front end needs.

pub mod cost;
pub mod dataset;
pub mod eval;
pub mod form;
pub mod provider;
pub mod quality;
pub mod run;
pub mod template;
pub mod text;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testing;

pub use provider::endpoint::BaseUrl;
pub use provider::error::{CallError, ErrorKind, Outage, PauseReason, ProviderProblem, StopReason};
pub use run::engine::{Command, Connection, Engine, Event, Progress, Status};
pub use run::reason::Reason;
pub use run::{
    Counts, EndpointSpec, Item, ModelSpec, Run, RunSettings, Schedule, Stage, Step, Target,
};
pub use template::{FactTemplate, TemplateDoc, TemplateField, TemplateIssue};
