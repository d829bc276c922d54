//! A run's status line, why it stopped or paused, and a failed call.

use super::*;
use synfact_core::provider::error::{
    BatchProblem, BodyProblem, CallError, ErrorKind, Outage, PauseReason, ProviderProblem,
    StopReason,
};
use synfact_core::run::engine::RoundProgress;
use synfact_core::run::reason::{Reason, ReasonKind};
use synfact_core::{Counts, Progress, Run, Status, Step};

/// The run is being driven by another tab of this browser.
pub const ELSEWHERE: &str = "This run is going on in another synfact tab. Carry on there, or close that tab and press Resume here.";

/// A run's cost so far, saying so when part of it is unknown.
pub fn cost(r: &synfact_core::cost::CostReport) -> String {
    match (r.unknown, r.known_usd > 0.0) {
        (false, _) => usd(r.known_usd),
        (true, true) => format!(
            "{} plus an unknown part (a model has no price)",
            usd(r.known_usd)
        ),
        (true, false) => "cost unknown (no price for the model)".into(),
    }
}

pub fn step(s: Step) -> &'static str {
    match s {
        Step::WriteQuestion => "Questions",
        Step::JudgeQuestion => "Question checks",
        Step::WriteAnswer => "Answers",
        Step::JudgeAnswer => "Answer checks",
    }
}

/// The line the run status shows when a run ends.
pub fn finished(s: &Counts) -> String {
    format!(
        "Finished: {} accepted, {} rejected, {} failed",
        s.accepted, s.rejected, s.failed
    )
}

pub const EVAL_FINISHED: &str =
    "Evaluation: accepted counts answers labelled; the belief rates are under Results.";

/// Under a finished run's status, when most items ended unaccepted: the commonest reason and
/// where to change it.
pub fn finish_note(status: &Status, run: &Run) -> Option<String> {
    let s = run.counts();
    if *status == Status::Finished && run.eval.is_some() {
        return Some(EVAL_FINISHED.into());
    }
    if *status != Status::Finished || s.rejected + s.failed <= s.accepted {
        return None;
    }
    let (kind, n, of) = run.dominant_reason(None)?;
    Some(format!(
        "Most items were not accepted: {}.",
        dominant(kind, n, of, run)
    ))
}

fn counts(p: &Progress) -> String {
    let s = &p.counts;
    let mut waiting = if p.waiting > 0 {
        format!(", {} waiting to retry", p.waiting)
    } else {
        String::new()
    };
    if p.resent > 0 {
        waiting.push_str(&format!(", {} slow calls re-sent", p.resent));
    }
    format!(
        "{} of {} items done ({} accepted, {} rejected, {} failed); {} of {} calls answered, {} in flight{waiting}",
        s.ended(),
        p.total,
        s.accepted,
        s.rejected,
        s.failed,
        p.calls_answered,
        p.calls_needed,
        p.in_flight(),
    )
}

/// "19 of 20 questions were near-duplicates of another: …": the commonest reason items ended
/// unaccepted, with where to look.
pub fn dominant(kind: ReasonKind, n: usize, of: usize, run: &Run) -> String {
    let share = if n == of && n > 1 {
        format!("all {n}")
    } else {
        format!("{n} of {of}")
    };
    let last_failure = || {
        run.items
            .iter()
            .rev()
            .filter(|i| i.reason.as_ref().is_some_and(|r| r.kind() == kind))
            .find_map(|i| match &i.reason {
                Some(Reason::GaveUp { last, .. }) => Some(call_error(last)),
                _ => None,
            })
            .unwrap_or_default()
    };
    match kind {
        ReasonKind::Duplicate => format!("{share} questions were near-duplicates of another: see Quality checks → Reject near-duplicate questions (or raise Duplicate threshold)"),
        ReasonKind::Empty if n == of => "every reply was empty: check the model name, and Max tokens under Sampling settings (a reasoning model can spend them all before it answers)".into(),
        ReasonKind::Empty => format!("{share} replies were empty every time they were asked: check Max tokens under Sampling settings (a reasoning model can spend them all before it answers)"),
        ReasonKind::Refused => format!("{share} were refused by the model: the template or the prompts may read as something it will not write"),
        ReasonKind::CutOff => format!("{share} replies were cut off at the token limit: raise Max tokens under Sampling settings"),
        ReasonKind::JudgeRejected => format!("{share} were rejected by the judge: read its reasons under Results; the judge model or the prompts may need a change"),
        ReasonKind::NoVerdict => format!("{share} judge replies held no verdict: use a judge model that follows instructions (one with structured output)"),
        ReasonKind::JudgeRefused => format!("{share} were refused by the judge model: use another judge model"),
        ReasonKind::GaveUp => format!("{share} failed after every retry (the last: {}): check the provider and the Timeout", last_failure()),
        ReasonKind::TooLong => format!("{share} prompts were too long for the model's context: shorten the fact sheet or use a model with a longer context"),
        ReasonKind::MissingKeySentence => format!("{share} answers left out the key sentence: see Quality checks → Key sentence in every answer"),
        ReasonKind::Disclaimer => format!("{share} replies disclaimed or hedged: see Quality checks → Reject disclaimers"),
        ReasonKind::Leak => format!("{share} answers mentioned their set-up: see Quality checks → Reject answers that mention the set-up"),
        ReasonKind::Requirement => format!("{share} questions missed a checkable part of their requirement (language, length): see Quality checks → Check questions against their requirement"),
        ReasonKind::Reviewer => format!("{share} were rejected in review"),
    }
}

/// What a batch run's status line tells the page's user while a round is at the provider (the
/// command line says its own words in its place).
pub const LEAVE_A_BATCH: &str =
    "You can close this tab: open the page again to collect the results";

/// The run status line.
pub fn status_line(status: &Status, p: &Progress, run: &Run) -> String {
    match status {
        Status::Idle => match (&run.batch, p.batch) {
            (Some(saved), Some(b)) if saved.pending() => format!(
                "Ready to resume: round {} of {} was sent to the provider as a batch; {}. Press Resume to collect its results and carry on.",
                b.round,
                b.rounds.max(b.round),
                counts(p)
            ),
            _ => format!("Ready to resume: {}. Press Resume to carry on.", counts(p)),
        },
        Status::Running => match p.batch {
            Some(b) if b.at_provider => format!(
                "Running as a batch: {}. {LEAVE_A_BATCH}; {}",
                round_at_provider(&b),
                counts(p)
            ),
            _ => format!("Running: {}", counts(p)),
        },
        Status::Paused(PauseReason::ByUser) => {
            format!("Paused: {}. Press Resume to carry on.", counts(p))
        }
        Status::Paused(PauseReason::Budget {
            spent_usd,
            budget_usd,
        }) => format!(
            "Paused: the cost so far ({}) reached the budget ({}); {}. Raise Budget (USD) and press Resume to go on.",
            usd(*spent_usd),
            usd(*budget_usd),
            counts(p)
        ),
        Status::Paused(PauseReason::Outage {
            endpoint: e,
            outage,
            detail,
        }) => {
            let who = run
                .endpoints
                .get(*e)
                .map_or_else(|| "the provider".to_string(), |s| endpoint(s).replacen("The", "the", 1));
            let d = said(detail);
            match outage {
                Outage::NoAnswer { for_ms } => format!(
                    "Paused: {who} has not answered for {}:{d} Nothing is lost: {}. Press Resume when it is back.",
                    duration(*for_ms),
                    counts(p)
                ),
                Outage::RateLimited { for_ms } => format!(
                    "Paused: rate-limited on every call for {} by {who}:{d} Nothing is lost: {}. Lower Concurrency or Requests per minute (under Run settings), then press Resume.",
                    duration(*for_ms),
                    counts(p)
                ),
                Outage::Failing { status, for_ms } => format!(
                    "Paused: {who} failed every call for {} (HTTP {status}):{d} Nothing is lost: {}. Press Resume when it works again.",
                    duration(*for_ms),
                    counts(p)
                ),
            }
        }
        Status::Paused(PauseReason::RoundOverBudget {
            spent_usd,
            round_usd,
            budget_usd,
        }) => format!(
            "Paused before round {} of the batch: it would cost about {} more, and the cost so far ({}) with it would pass the budget ({}); {}. Raise Budget (USD) and press Resume to submit it.",
            p.batch.map_or(1, |b| b.round),
            usd(*round_usd),
            usd(*spent_usd),
            usd(*budget_usd),
            counts(p)
        ),
        Status::Paused(PauseReason::Batch(problem)) => format!(
            "Paused: {} Nothing is lost: {}.",
            batch_problem(problem),
            counts(p)
        ),
        Status::Paused(PauseReason::StorageFull) => format!(
            "Paused: the browser's storage for this site is full, so new results cannot be saved; {}. Free space (delete old runs or clear the cache under Storage), or download what is done now; then press Resume.",
            counts(p)
        ),
        Status::Stopped(reason) => format!("Stopped: {}", stop_reason(reason, run)),
        Status::Cancelled => format!(
            "Cancelled: {}. Press Resume to carry on where it stopped.",
            counts(p)
        ),
        Status::Finished => finished(&p.counts),
    }
}

/// A batch run's round as the provider reports it: "round 2 of 4: 1,234 of 2,000 done at the
/// provider".
pub fn round_at_provider(b: &RoundProgress) -> String {
    if b.total == 0 {
        return format!(
            "round {} of {}: submitting to the provider",
            b.round, b.rounds
        );
    }
    format!(
        "round {} of {}: {} of {} done at the provider",
        b.round,
        b.rounds,
        thousands(b.done as usize),
        thousands(b.total as usize)
    )
}

/// Why a round of batches could not run, and what to do.
pub fn batch_problem(p: &BatchProblem) -> String {
    match p {
        BatchProblem::Unreachable { detail } => format!(
            "the provider's batch routes (/files, /batches) did not answer this browser ({}): the provider may not allow them from a web page (CORS), or the network is down. To go on, choose Send calls: Live and press Resume — nothing already answered is sent again.",
            if detail.is_empty() { "no answer" } else { detail.as_str() }
        ),
        BatchProblem::UploadRefused { status, detail } => format!(
            "the provider refused the round's file (HTTP {status}):{} Lower Examples, or choose Send calls: Live, and press Resume.",
            said(detail)
        ),
        BatchProblem::Failed { errors } => format!(
            "the provider's validation failed the batch:{} Fix what it names, or choose Send calls: Live, and press Resume.",
            if errors.is_empty() { said("it gave no reason") } else { said(&errors.join("; ")) }
        ),
        BatchProblem::Http { status, detail } => format!(
            "the provider's batch routes answered HTTP {status}:{} Press Resume to try again, or choose Send calls: Live.",
            said(detail)
        ),
        BatchProblem::NotLoaded { .. } => {
            let mut s = chunk_failed("code that sends batches");
            s.truncate(s.trim_end_matches('.').len());
            format!("{}; then press Resume", s.replacen("The ", "the ", 1))
        }
        BatchProblem::Unreadable { detail } => format!(
            "the provider's batch routes answered something synfact cannot read ({detail}). Press Resume to try again, or choose Send calls: Live."
        ),
    }
}

/// The browser refused the Web Lock that keeps a run to one tab.
pub fn lock_refused(why: &str) -> String {
    format!("This browser refused to keep the run to this tab ({why}). The run goes on; do not drive it from another synfact tab at the same time.")
}

/// A run that was going was paused so another could be shown.
pub fn paused_to_show(fact: &str) -> String {
    format!("The run of {fact} that was going is paused, so that this one could be shown. To carry on with it, open it under Saved runs and press Resume.")
}

/// A new run took the place of one left unfinished (paused, cancelled, stopped).
pub fn unfinished_kept(fact: &str) -> String {
    format!("The unfinished run of {fact} is kept: to carry on with it, open it under Saved runs and press Resume.")
}

/// Why a run stopped and what to fix.
pub fn stop_reason(reason: &StopReason, run: &Run) -> String {
    match reason {
        StopReason::Provider {
            endpoint: e,
            problem,
            detail,
        } => {
            let Some(spec) = run.endpoints.get(*e) else {
                return format!("a provider failed: {detail}");
            };
            provider_problem(spec, problem, detail)
        }
        StopReason::NothingAccepted { generator, tried } => {
            let model = run
                .generators
                .get(*generator)
                .map_or("", |g| g.config.model.as_str());
            let why = run
                .dominant_reason(Some(*generator))
                .map(|(kind, n, of)| dominant(kind, n, of, run))
                .unwrap_or_else(|| "look at the reasons under Results".into());
            format!(
                "none of the first {tried} items of model {model} was accepted, so synfact stopped rather than keep paying for replacements: {why}. Press Resume to try more anyway."
            )
        }
    }
}

fn provider_problem(spec: &EndpointSpec, problem: &ProviderProblem, detail: &str) -> String {
    let who = endpoint(spec);
    let d = said(detail);
    match problem {
        ProviderProblem::Unreachable => {
            let local = if spec.base_url.is_local() {
                " For a local server: is it running, and does it allow this page's origin (CORS; e.g. OLLAMA_ORIGINS for Ollama)? Chrome may also ask permission to reach local addresses."
            } else {
                ""
            };
            format!(
                "{who} could not be reached:{d} Check the base URL, that the server is running, and that it accepts requests from this page (CORS); then press Resume.{local}"
            )
        }
        ProviderProblem::NotAnApi { status, redirected } => {
            let page = if detail.trim().is_empty() {
                String::new()
            } else {
                format!(" (\"{}\")", detail.trim())
            };
            let how = if *redirected {
                format!("was redirected to a web page{page}, perhaps a sign-in page,")
            } else {
                format!("answers with a web page{page} (HTTP {status}),")
            };
            let guess = spec
                .base_url
                .with_v1()
                .map(|v| format!(" — did you mean {v}?"))
                .unwrap_or_else(|| ".".into());
            format!(
                "the address {} {how} not an {} API{guess} Fix the Base URL, then press Resume.",
                spec.base_url,
                protocol(spec.kind)
            )
        }
        ProviderProblem::KeyRejected => format!(
            "{who} rejected the API key (401):{d} Check the API key, then press Resume."
        ),
        ProviderProblem::BrowserAccessRefused => format!(
            "{who} rejected a browser request (401):{d} The organisation may forbid calls from browsers; ask its admin, or use another provider."
        ),
        ProviderProblem::Forbidden => format!(
            "{who} refused access (403):{d} The key may lack permission for this model, or the organisation may forbid browser access."
        ),
        ProviderProblem::NotFound => {
            let guess = spec
                .base_url
                .with_v1()
                .filter(|_| spec.kind == ProviderKind::OpenAi)
                .map(|v| format!(" The Base URL has no version: did you mean {v}?"))
                .unwrap_or_default();
            format!(
                "{who} answered 404:{d}{guess} Check the base URL and the model name, then press Resume."
            )
        }
        ProviderProblem::BadRequest { status } => format!(
            "{who} rejected the request ({status}):{d} Check the model and its sampling settings, then press Resume."
        ),
        ProviderProblem::NoQuota => format!(
            "{who} says the account has no quota left:{d} Add credit or use another key, then press Resume."
        ),
        ProviderProblem::Billing => format!(
            "{who} refused on billing grounds:{d} Raise the spend limit or add credit, then press Resume."
        ),
        ProviderProblem::RequestRefused => format!(
            "the browser refused to send the request to {}:{d} Check the API key for characters copied by mistake, then press Resume.",
            spec.base_url
        ),
    }
}

/// A short phrase for a failed call, for an item's history.
pub fn call_error(e: &CallError) -> String {
    let d = e.detail.trim();
    let with = |what: String| {
        if d.is_empty() {
            what
        } else {
            format!("{what}: {d}")
        }
    };
    match &e.kind {
        ErrorKind::Network => with("could not reach the provider".into()),
        ErrorKind::Request => with("the browser refused to send the request".into()),
        ErrorKind::Timeout { after_ms } => format!("no reply within {}", seconds(*after_ms)),
        ErrorKind::Aborted => "cancelled".into(),
        ErrorKind::Http { status, .. } => with(format!("HTTP {status}")),
        ErrorKind::Body(p) => with(
            match p {
                BodyProblem::Empty => "an empty reply",
                BodyProblem::Truncated => "a reply cut short",
                BodyProblem::NotJson => "a reply that is not JSON",
                BodyProblem::EventStream => "an event stream instead of one reply",
                BodyProblem::ErrorObject => "the provider reported an error",
                BodyProblem::WrongShape => "a reply without the expected fields",
            }
            .into(),
        ),
        ErrorKind::NotAnApi { status, .. } => with(format!(
            "a web page instead of an API reply (HTTP {status})"
        )),
    }
}

pub const RESUME_NEEDS_KEY: &str = "If this run used an API key, type it again before Resume: keys are not kept unless Remember API keys is on.";

pub const TEMPLATE_HAS_PROBLEMS: &str = "The template has problems (see Fact template).";
pub const RUN_DELETED: &str = "The run was deleted.";
pub const NO_RUN_YET: &str = "No run yet: choose a template and a provider, then press Generate.";
/// The status line at start-up, while the saved runs are read (the newest is reopened).
pub const LOOKING_FOR_RUNS: &str = "Looking for your saved runs…";
/// The status line when the saved runs could not be read at start-up (the reason is said below).
pub const RUNS_NOT_READ: &str =
    "Your saved runs could not be read (see the message below); a new run can still be started.";
/// The status line while the newest saved run is reopened at start-up.
pub const OPENING_LAST_RUN: &str = "Opening your last run…";
/// The status line when the code that reads saved runs (and runs a run) could not be fetched at
/// start-up (the message below says what to do).
pub const RUNS_PART_NOT_LOADED: &str =
    "Your saved runs could not be opened: part of synfact could not be loaded (see the message below).";

/// A budget was given, but a model has no price to count it with.
pub fn budget_needs_price(model: &str) -> String {
    format!("Budget (USD) needs a price for every model, and {model} has none: leave the budget empty, or add its price under Prices of the models without a list price (below the estimate) and try again.")
}

/// While a new run is being set up.
/// Between Generate and the run's plan (its code may still be arriving on a slow connection).
pub const PLANNING: &str = "Starting: planning the run…";

pub fn starting(items: usize) -> String {
    format!("Starting: {} planned…", count(items, "item", "items"))
}

/// A new run could not be saved to start from.
pub fn could_not_start(e: &crate::storage::db::StorageError) -> String {
    format!("Could not start: {}", storage_error(e))
}

/// The estimate line under Examples: calls, tokens and dollars, or why there is none yet.
pub fn estimate(e: Option<&(synfact_core::cost::Estimate, Option<f64>)>) -> String {
    let Some((e, budget)) = e else {
        return "The estimate of calls, tokens and cost shows once the template and every setting are valid (a field with a problem says so when you leave it, or when you press Generate).".into();
    };
    let short = match (e.usd, budget) {
        (Some(u), Some(b)) if *b < u => budget_below_estimate(*b),
        _ => String::new(),
    };
    let cached = if e.cached_tokens + e.cache_write_tokens > 0 {
        format!(
            " Of the input, the providers' prompt caches should serve {} tokens{}.",
            e.cached_tokens,
            if e.cache_write_tokens > 0 {
                format!(" after writing {}", e.cache_write_tokens)
            } else {
                String::new()
            }
        )
    } else {
        String::new()
    };
    format!(
        "Estimate{}: {} calls for about {}, {} input and {} output tokens, {}.{cached}{short}",
        if e.measured {
            " (from the shown run's averages)"
        } else {
            " (from the prompt sizes)"
        },
        e.calls,
        count(e.items as usize, "item", "items"),
        e.input_tokens,
        e.output_tokens,
        e.usd.map_or_else(
            || "cost unknown (a model has no price)".to_string(),
            |u| if e.batch {
                format!(
                    "about {} at batch prices (half the list price; replies within 24 hours)",
                    usd(u)
                )
            } else {
                format!("about {}", usd(u))
            }
        ),
    )
}

/// The cost section's summary line.
pub fn cost_summary(r: &synfact_core::cost::CostReport) -> String {
    let saved = if r.saved_usd > 0.0 {
        format!("; the providers' prompt caches saved {}", usd(r.saved_usd))
    } else {
        String::new()
    };
    format!(
        "Tokens and cost: {} in, {} out, {}{saved}",
        r.usage.input_tokens,
        r.usage.output_tokens,
        cost(r)
    )
}

/// A prompt that puts an item's own text before the fact sheet, and what that costs.
pub fn cache_break(item: &str, fact: &str, fact_tokens: u64, extra: Option<f64>) -> String {
    let cost = match extra {
        Some(u) if u > 0.0 => format!(" (about {} more for a run of the form's size)", usd(u)),
        _ => String::new(),
    };
    format!(
        "This prompt puts {{{item}}} before {{{fact}}}. Providers discount only a start of the prompt that every call shares, so each call pays full price for the fact sheet's ~{fact_tokens} tokens{cost}. Put {{{fact}}} first to keep the discount."
    )
}

/// A yield grid cell, as read aloud and in its tooltip.
pub fn yield_cell(question: usize, requirement: usize, accepted: usize, lost: usize) -> String {
    format!(
        "Seed question {}, requirement {}: {accepted} accepted, {lost} not accepted",
        question + 1,
        requirement + 1
    )
}

/// The results' first line.
pub fn results_line(c: &Counts) -> String {
    let ended = c.ended();
    let pct = if ended == 0 {
        0
    } else {
        (100.0 * c.accepted as f64 / ended as f64).round() as u32
    };
    format!(
        "{} of {} finished items accepted ({pct}%). {} in the dataset after review.",
        c.accepted, ended, c.kept
    )
}

/// A run aiming at N accepted that ended short of it.
pub fn fewer_than_asked(accepted: usize, wanted: usize) -> String {
    format!(
        "{accepted} accepted of the {wanted} asked for: the replacements for rejected and failed items ran out (at most 4 tries per seed question × requirement cell, and 3 × N + 10 items per model). The reasons are in the quality report and the review below; to try more, raise Examples and press Generate (calls already answered come from the cache)."
    )
}
