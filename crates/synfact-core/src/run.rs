//! A run as plain data: what was asked for and every item's state. This is what is saved, listed,
//! reopened and resumed; the engine works on it.

use crate::plan::{plan, PlannedPrompt};
use crate::template::FactTemplate;
use crate::wire::{ModelConfig, ProviderKind, Usage};
use serde::{Deserialize, Serialize};

/// Where calls go. The API key is not part of it: keys never enter a run record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointSpec {
    pub kind: ProviderKind,
    pub base_url: String,
    /// Calls in flight at once. Plain-HTTP servers get at most 6 from a browser.
    pub concurrency: u32,
    /// Optional requests-per-minute ceiling.
    pub rpm: Option<u32>,
}

impl EndpointSpec {
    /// The default concurrency: 6 for plain HTTP (Chromium's per-host limit), more for HTTPS,
    /// where providers speak HTTP/2.
    pub fn default_concurrency(base_url: &str) -> u32 {
        if base_url.trim().starts_with("https://") {
            32
        } else {
            6
        }
    }

    pub fn label(&self) -> String {
        format!("The {} endpoint {}", self.kind.label(), self.base_url)
    }
}

/// One model that writes questions and answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    pub endpoint: usize,
    pub config: ModelConfig,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    /// An item moves on as soon as its previous step is done.
    Pipelined,
    /// All questions before any answer, as the original does (kept for comparison).
    StageBarrier,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// Examples per generator.
    pub examples: usize,
    pub seed: u64,
    /// Retries of one step before the item fails.
    pub max_retries: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    pub timeout_ms: u64,
    pub schedule: Schedule,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            examples: 10,
            seed: crate::plan::DEFAULT_SEED,
            max_retries: 6,
            backoff_base_ms: 1000,
            backoff_max_ms: 60_000,
            timeout_ms: 120_000,
            schedule: Schedule::Pipelined,
        }
    }
}

/// Where an item is. Each step's success moves it one stage on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Stage {
    Planned,
    /// The question is written and waits for the judge.
    Question,
    /// The judge accepted the question; the answer is next.
    QuestionJudged,
    /// The answer is written and waits for the judge.
    Answer,
    Accepted,
    Rejected,
    Failed,
}

impl Stage {
    pub fn is_terminal(self) -> bool {
        matches!(self, Stage::Accepted | Stage::Rejected | Stage::Failed)
    }
}

/// One model call in an item's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Step {
    WriteQuestion,
    JudgeQuestion,
    WriteAnswer,
    JudgeAnswer,
}

impl Step {
    pub const ALL: [Step; 4] = [
        Step::WriteQuestion,
        Step::JudgeQuestion,
        Step::WriteAnswer,
        Step::JudgeAnswer,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::WriteQuestion => "Questions",
            Step::JudgeQuestion => "Question checks",
            Step::WriteAnswer => "Answers",
            Step::JudgeAnswer => "Answer checks",
        }
    }

    /// The step an item at `stage` takes next.
    pub fn next_for(stage: Stage) -> Option<Step> {
        match stage {
            Stage::Planned => Some(Step::WriteQuestion),
            Stage::Question => Some(Step::JudgeQuestion),
            Stage::QuestionJudged => Some(Step::WriteAnswer),
            Stage::Answer => Some(Step::JudgeAnswer),
            _ => None,
        }
    }

    pub fn is_judge(self) -> bool {
        matches!(self, Step::JudgeQuestion | Step::JudgeAnswer)
    }
}

/// A record of one call, kept for the item's history and for benchmarks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallLog {
    pub step: Step,
    pub started_ms: f64,
    pub ms: f64,
    /// "ok", or the error that made it retry.
    pub outcome: String,
    pub cached: bool,
}

/// One planned example and how far it got.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: usize,
    pub generator: usize,
    pub prompt: PlannedPrompt,
    pub stage: Stage,
    pub question: Option<String>,
    pub answer: Option<String>,
    /// Why it was rejected or failed.
    pub reason: Option<String>,
    /// The step at which it was rejected or failed.
    pub ended_at: Option<Step>,
    /// Retries per step.
    pub retries: [u32; 4],
    pub usage: Usage,
    pub calls: Vec<CallLog>,
}

impl Item {
    /// Steps completed with a reply (a rejecting reply counts).
    pub fn steps_done(&self) -> usize {
        match self.stage {
            Stage::Planned => 0,
            Stage::Question => 1,
            Stage::QuestionJudged => 2,
            Stage::Answer => 3,
            Stage::Accepted => 4,
            Stage::Rejected => self.ended_at.map_or(0, |s| s.index() + 1),
            Stage::Failed => self.ended_at.map_or(0, |s| s.index()),
        }
    }
}

/// Everything about one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub created_ms: f64,
    pub template: FactTemplate,
    pub endpoints: Vec<EndpointSpec>,
    pub generators: Vec<Generator>,
    pub judge: Generator,
    pub settings: RunSettings,
    pub items: Vec<Item>,
}

impl Run {
    /// A new run with its plan: `settings.examples` items for each generator.
    pub fn new(
        id: String,
        created_ms: f64,
        template: FactTemplate,
        endpoints: Vec<EndpointSpec>,
        generators: Vec<Generator>,
        judge: Generator,
        settings: RunSettings,
    ) -> Run {
        let prompts = plan(&template, settings.examples, settings.seed);
        let mut items = Vec::with_capacity(prompts.len() * generators.len());
        for g in 0..generators.len() {
            for p in &prompts {
                items.push(Item {
                    id: items.len(),
                    generator: g,
                    prompt: p.clone(),
                    stage: Stage::Planned,
                    question: None,
                    answer: None,
                    reason: None,
                    ended_at: None,
                    retries: [0; 4],
                    usage: Usage::default(),
                    calls: Vec::new(),
                });
            }
        }
        Run {
            id,
            created_ms,
            template,
            endpoints,
            generators,
            judge,
            settings,
            items,
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for i in &self.items {
            match i.stage {
                Stage::Accepted => s.accepted += 1,
                Stage::Rejected => s.rejected += 1,
                Stage::Failed => s.failed += 1,
                _ => s.open += 1,
            }
        }
        s
    }

    /// Accepted items, optionally of one generator only, in plan order.
    pub fn accepted(&self, generator: Option<usize>) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| {
            i.stage == Stage::Accepted && generator.is_none_or(|g| g == i.generator)
        })
    }

    /// The chat JSONL of the accepted items.
    pub fn chat_jsonl(&self, generator: Option<usize>) -> String {
        crate::export::jsonl(self.accepted(generator).map(|i| {
            crate::export::chat_line(
                i.question.as_deref().unwrap_or(""),
                i.answer.as_deref().unwrap_or(""),
            )
        }))
    }

    /// The text JSONL of the accepted items.
    pub fn text_jsonl(&self, generator: Option<usize>, doctag: bool) -> String {
        crate::export::jsonl(
            self.accepted(generator)
                .map(|i| crate::export::text_line(i.answer.as_deref().unwrap_or(""), doctag)),
        )
    }
}

/// Counts of items by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub accepted: usize,
    pub rejected: usize,
    pub failed: usize,
    pub open: usize,
}

impl Summary {
    /// The line the run status shows when a run ends.
    pub fn finished_line(&self) -> String {
        format!(
            "Finished: {} accepted, {} rejected, {} failed",
            self.accepted, self.rejected, self.failed
        )
    }
}
