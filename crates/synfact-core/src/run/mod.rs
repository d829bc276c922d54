//! A run as plain data: what was asked for and every item's state. This is what is saved, listed,
//! reopened and resumed; the engine works on it.

pub mod batch;
pub mod calls;
mod counts;
pub mod engine;
pub mod filter;
pub mod reason;
pub mod review;

use crate::provider::endpoint::BaseUrl;
use crate::provider::error::CallError;
use crate::provider::wire::{ModelConfig, ProviderKind, Usage};
use crate::quality::QualitySettings;
use crate::run::reason::Reason;
use crate::template::fact::FactTemplate;
use crate::template::names::PromptKind;
use crate::template::plan::{PlannedPrompt, Planner};
use crate::template::prompts::Prompts;
pub use counts::Counts;
use serde::{Deserialize, Serialize};

/// Where calls go. The API key is not part of it: keys never enter a run record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointSpec {
    pub kind: ProviderKind,
    pub base_url: BaseUrl,
    /// Calls in flight at once. Plain-HTTP servers get at most 6 from a browser.
    pub concurrency: u32,
    /// Optional requests-per-minute ceiling.
    pub rpm: Option<u32>,
}

impl EndpointSpec {
    /// The default concurrency: 6 for plain HTTP (Chromium's per-host limit), more for HTTPS,
    /// where providers speak HTTP/2.
    pub fn default_concurrency(base_url: &BaseUrl) -> u32 {
        if base_url.is_https() {
            32
        } else {
            6
        }
    }
}

/// One model the run calls — a generator or the judge — and the endpoint it is called at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
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

/// What "Examples: N" means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// Keep going until N examples per model are accepted: a rejected item is replaced by a new
    /// one in the same cell of the plan, within a bound on attempts.
    #[default]
    Accepted,
    /// Make exactly N attempts per model, whatever is rejected (the original's behaviour).
    Attempts,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSettings {
    /// Examples per generator.
    pub examples: usize,
    pub target: Target,
    pub seed: u64,
    /// Retries of one step before the item fails.
    pub max_retries: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    pub timeout_ms: u64,
    pub schedule: Schedule,
    /// Pause when the spent cost reaches this many US dollars.
    pub budget_usd: Option<f64>,
    pub quality: QualitySettings,
    /// The prices the budget is counted at, taken when the run was made.
    pub prices: crate::cost::price::PriceTable,
    /// Re-send slow calls at the end of the run (`engine/resend.rs`): at most this share of the
    /// calls sent, extra. `None`: off.
    pub resend_slow: Option<f64>,
    /// Send the calls through the provider's batch service, in rounds (`run/batch.rs`): half
    /// the price, replies within a day, the tab need not stay open.
    pub batch: bool,
}

/// The default cap on re-sent calls: 3 % of the calls sent.
pub const RESEND_SHARE: f64 = 0.03;

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            examples: 10,
            target: Target::Accepted,
            seed: crate::template::plan::DEFAULT_SEED,
            max_retries: 6,
            backoff_base_ms: 1000,
            backoff_max_ms: 60_000,
            timeout_ms: 120_000,
            schedule: Schedule::Pipelined,
            budget_usd: None,
            quality: QualitySettings::default(),
            prices: crate::cost::price::PriceTable::defaults(),
            resend_slow: None,
            batch: false,
        }
    }
}

/// Where an item is. Each step's success moves it one stage on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

    /// The prompt this step's call is made from.
    pub fn prompt_kind(self) -> PromptKind {
        match self {
            Step::WriteQuestion => PromptKind::Question,
            Step::WriteAnswer => PromptKind::Answer,
            Step::JudgeQuestion | Step::JudgeAnswer => PromptKind::Judge,
        }
    }
}

/// A record of one call, kept for the item's history and for benchmarks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallLog {
    pub step: Step,
    pub started_ms: f64,
    pub ms: f64,
    /// The error that made it retry, if it failed.
    pub error: Option<CallError>,
    pub cached: bool,
}

/// The most call records kept per item: enough to read a retry history, bounded for 10,000-item runs.
pub const MAX_CALL_LOGS: usize = 16;

/// A reviewer's decision, which overrides the judge's for export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewDecision {
    Accept,
    Reject,
}

/// What a reviewer did to an item. The original question and answer stay in the item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Review {
    pub decision: Option<ReviewDecision>,
    pub question: Option<String>,
    pub answer: Option<String>,
    pub deleted: bool,
}

impl Review {
    pub fn is_edited(&self) -> bool {
        self.question.is_some() || self.answer.is_some()
    }
}

/// Something worth knowing about an item that is not a failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Note {
    /// A reply held unpaired surrogates, replaced by U+FFFD.
    RepairedText(Step),
    /// The reply did not fit; the call was made again with fewer output tokens.
    ShrankMaxTokens { step: Step, to: u32 },
    /// A local check failed and the step was asked again.
    AskedAgain {
        step: Step,
        failure: crate::quality::CheckFailure,
    },
}

/// The judge's short reason for one of its verdicts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Verdicts {
    pub question: Option<String>,
    pub answer: Option<String>,
}

/// One message of an imported conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

/// An example read from a chat JSONL file, kept whole: the item's question and answer are its
/// last exchange, and everything before it (a system message, earlier turns) is kept here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// The line as it was read: exported unchanged while the last exchange is not edited.
    pub line: String,
    /// The messages before the last exchange, in order.
    pub context: Vec<ChatMessage>,
}

/// One planned example and how far it got.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: usize,
    pub generator: usize,
    pub prompt: PlannedPrompt,
    /// The item this one replaces ("stop at N accepted" tops up rejected cells).
    #[serde(default)]
    pub replaces: Option<usize>,
    pub stage: Stage,
    pub question: Option<String>,
    pub answer: Option<String>,
    /// Why it was rejected or failed.
    pub reason: Option<Reason>,
    /// The step at which it was rejected or failed.
    pub ended_at: Option<Step>,
    /// Retries per step.
    pub retries: [u32; 4],
    /// Samples asked per step beyond the first (after a local check failed): the next call's
    /// sample number, part of its cache key.
    #[serde(default)]
    pub samples: [u32; 4],
    /// A smaller output limit after the reply did not fit the model's context.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Tokens per step, summed over every reply.
    pub usage: [Usage; 4],
    #[serde(default)]
    pub verdicts: Verdicts,
    pub calls: Vec<CallLog>,
    #[serde(default)]
    pub review: Review,
    #[serde(default)]
    pub notes: Vec<Note>,
    /// How many earlier items of this model had the same prompt: part of the question call's
    /// sample number, so an item never reuses another's cached question.
    #[serde(default)]
    pub draw: u32,
    /// Dollars paid for this item's replies from providers (cached replies cost nothing), at the
    /// run's prices: what the budget counts, kept across reloads.
    #[serde(default)]
    pub spent_usd: f64,
    /// The whole conversation, for an example read from a chat JSONL file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<Imported>,
    /// An evaluation's question and what the answer showed (evaluation runs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval: Option<crate::eval::EvalCase>,
}

impl Item {
    pub fn new(
        id: usize,
        generator: usize,
        prompt: PlannedPrompt,
        replaces: Option<usize>,
    ) -> Item {
        Item {
            id,
            generator,
            prompt,
            replaces,
            stage: Stage::Planned,
            question: None,
            answer: None,
            reason: None,
            ended_at: None,
            retries: [0; 4],
            samples: [0; 4],
            max_tokens: None,
            usage: [Usage::default(); 4],
            verdicts: Verdicts::default(),
            calls: Vec::new(),
            review: Review::default(),
            notes: Vec::new(),
            draw: 0,
            spent_usd: 0.0,
            imported: None,
            eval: None,
        }
    }

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

    /// The question as exported: the reviewer's edit, else the model's.
    pub fn final_question(&self) -> Option<&str> {
        self.review.question.as_deref().or(self.question.as_deref())
    }

    /// The answer as exported: the reviewer's edit, else the model's.
    pub fn final_answer(&self) -> Option<&str> {
        self.review.answer.as_deref().or(self.answer.as_deref())
    }

    /// Whether the item belongs to the dataset: accepted by the judge or the reviewer, not
    /// rejected by the reviewer, not deleted, and with both texts.
    pub fn is_kept(&self) -> bool {
        if self.review.deleted || self.final_question().is_none() || self.final_answer().is_none() {
            return false;
        }
        match self.review.decision {
            Some(ReviewDecision::Accept) => true,
            Some(ReviewDecision::Reject) => false,
            None => self.stage == Stage::Accepted,
        }
    }

    /// Total tokens over every step.
    pub fn total_usage(&self) -> Usage {
        let mut u = Usage::default();
        for s in &self.usage {
            u.add(s);
        }
        u
    }

    /// Records a call, keeping the history bounded (the oldest records go first).
    pub fn log(&mut self, entry: CallLog) {
        if self.calls.len() >= MAX_CALL_LOGS {
            self.calls.remove(0);
        }
        self.calls.push(entry);
    }
}

/// Everything about one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub created_ms: f64,
    pub template: FactTemplate,
    #[serde(default)]
    pub prompts: Prompts,
    pub endpoints: Vec<EndpointSpec>,
    pub generators: Vec<ModelSpec>,
    pub judge: ModelSpec,
    pub settings: RunSettings,
    pub items: Vec<Item>,
    /// What an evaluation run asks (`None`: a dataset run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval: Option<crate::eval::EvalSpec>,
    /// A fine-tune started from this run's dataset, followed across reloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine_tune: Option<crate::eval::fine_tune::FineTune>,
    /// The batches of the round at the provider, saved so a reopened page follows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<batch::BatchState>,
}

impl Run {
    /// A new run with its plan: `settings.examples` items for each generator.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        created_ms: f64,
        template: FactTemplate,
        prompts: Prompts,
        endpoints: Vec<EndpointSpec>,
        generators: Vec<ModelSpec>,
        judge: ModelSpec,
        settings: RunSettings,
    ) -> Run {
        let planner = Planner::new(&template, settings.seed);
        let mut items = Vec::with_capacity(settings.examples * generators.len());
        // Prompts repeat once the plan has gone through every setting of every cell.
        let mut draws: std::collections::HashMap<PlannedPrompt, u32> = Default::default();
        for g in 0..generators.len() {
            draws.clear();
            for k in 0..settings.examples as u64 {
                let Some(p) = planner.prompt(k) else { break };
                let mut item = Item::new(items.len(), g, p, None);
                let draw = draws.entry(p).or_default();
                item.draw = *draw;
                *draw += 1;
                items.push(item);
            }
        }
        Run {
            id,
            created_ms,
            template,
            prompts,
            endpoints,
            generators,
            judge,
            settings,
            items,
            eval: None,
            fine_tune: None,
            batch: None,
        }
    }

    /// A hash of everything that decides the run's calls (template, prompts, endpoints, models,
    /// settings): two runs with the same fingerprint make the same calls.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let endpoints: Vec<(ProviderKind, &BaseUrl)> = self
            .endpoints
            .iter()
            .map(|e| (e.kind, &e.base_url))
            .collect();
        let what = serde_json::json!([
            self.template,
            self.prompts,
            endpoints,
            self.generators,
            self.judge,
            self.settings.examples,
            self.settings.target,
            self.settings.seed,
            self.settings.quality,
            self.eval,
        ]);
        let digest = Sha256::digest(what.to_string().as_bytes());
        digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
    }

    pub fn planner(&self) -> Planner {
        Planner::new(&self.template, self.settings.seed)
    }

    /// The run's record without its items (which are saved one by one): a copy that does not
    /// clone the items first.
    pub fn without_items(&self) -> Run {
        Run {
            id: self.id.clone(),
            created_ms: self.created_ms,
            template: self.template.clone(),
            prompts: self.prompts.clone(),
            endpoints: self.endpoints.clone(),
            generators: self.generators.clone(),
            judge: self.judge.clone(),
            settings: self.settings.clone(),
            items: Vec::new(),
            eval: self.eval.clone(),
            fine_tune: self.fine_tune.clone(),
            batch: self.batch.clone(),
        }
    }

    pub fn counts(&self) -> Counts {
        Counts::of(&self.items)
    }

    /// The items that belong to the dataset (after review), optionally of one generator, in plan order.
    pub fn kept(&self, generator: Option<usize>) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(move |i| i.is_kept() && generator.is_none_or(|g| g == i.generator))
    }

    /// The model an item's step goes to: the judge for judging steps, else the item's own
    /// model. The one answer to "which model" (calls, cost, the budget).
    pub fn model_at(&self, item: &Item, step: Step) -> &ModelSpec {
        self.model_for(item.generator, step)
    }

    /// The model a step of generator `generator`'s items goes to (see `model_at`).
    pub fn model_for(&self, generator: usize, step: Step) -> &ModelSpec {
        if step.is_judge() {
            &self.judge
        } else {
            &self.generators[generator]
        }
    }

    /// The commonest reason items (of one generator, or all) ended unaccepted: its kind, how
    /// many it ended, and how many ended unaccepted in all. `None` when none did.
    pub fn dominant_reason(
        &self,
        generator: Option<usize>,
    ) -> Option<(reason::ReasonKind, usize, usize)> {
        let mut counts: std::collections::BTreeMap<reason::ReasonKind, usize> = Default::default();
        let mut all = 0;
        for i in self.items.iter().filter(|i| {
            matches!(i.stage, Stage::Rejected | Stage::Failed)
                && generator.is_none_or(|g| g == i.generator)
        }) {
            all += 1;
            if let Some(r) = &i.reason {
                *counts.entry(r.kind()).or_default() += 1;
            }
        }
        // Ties go to the kind listed first (the earlier step).
        let (kind, n) =
            counts
                .into_iter()
                .fold(None, |best: Option<(_, usize)>, (k, n)| match best {
                    Some((_, m)) if m >= n => best,
                    _ => Some((k, n)),
                })?;
        Some((kind, n, all))
    }

    /// The seed question, setting and requirement texts of a planned prompt.
    pub fn prompt_texts(&self, p: &PlannedPrompt) -> (&str, &str, &str) {
        let t = &self.template;
        (
            pick(&t.questions, p.question),
            pick(&t.questions, p.setting),
            pick(&t.question_requirements, p.requirement),
        )
    }
}

fn pick(list: &[String], i: u32) -> &str {
    list.get(i as usize).map_or("", String::as_str)
}
