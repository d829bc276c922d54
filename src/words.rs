//! Every message the app shows about a run, a field or a failure, worded in one place. The core
//! hands over plain data (`StopReason`, `Reason`, `FieldError`, ...); this module turns it into
//! sentences that say what happened and what to do.

use crate::storage::db::StorageError;
use synfact_core::form::{Field, FieldError, Problem};
use synfact_core::provider::endpoint::{KeyError, UrlError};
use synfact_core::provider::error::{
    BodyProblem, CallError, ErrorKind, Outage, PauseReason, ProviderProblem, StopReason,
};
use synfact_core::provider::refusal::Refusal;
use synfact_core::provider::wire::ProviderKind;
use synfact_core::quality::CheckFailure;
use synfact_core::run::reason::{Reason, ReasonKind};
use synfact_core::{EndpointSpec, Progress, Run, Status, Step, Summary};

/// The run is being driven by another tab of this browser.
pub const ELSEWHERE: &str = "This run is going on in another synfact tab. Carry on there, or close that tab and press Resume here.";

/// "1 item", "2 items".
/// Dollars: cents for sums of a cent or more, four places below (a test run costs fractions).
pub fn usd(x: f64) -> String {
    if x == 0.0 {
        "$0.00".into()
    } else if x < 0.01 {
        format!("${x:.4}")
    } else {
        format!("${x:.2}")
    }
}

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

pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn protocol(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::OpenAi => "OpenAI-compatible",
        ProviderKind::Anthropic => "Anthropic",
    }
}

/// "The OpenAI-compatible endpoint http://…/v1".
pub fn endpoint(e: &EndpointSpec) -> String {
    format!("The {} endpoint {}", protocol(e.kind), e.base_url)
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
pub fn finished(s: &Summary) -> String {
    format!(
        "Finished: {} accepted, {} rejected, {} failed",
        s.accepted, s.rejected, s.failed
    )
}

/// Under a finished run's status, when most items ended unaccepted: the commonest reason and
/// where to change it.
pub fn finish_note(status: &Status, run: &Run) -> Option<String> {
    let s = run.summary();
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
    let s = &p.summary;
    let waiting = if p.waiting > 0 {
        format!(", {} waiting to retry", p.waiting)
    } else {
        String::new()
    };
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

/// The run status line.
pub fn status_line(status: &Status, p: &Progress, run: &Run) -> String {
    match status {
        Status::Idle => format!("Ready to resume: {}. Press Resume to carry on.", counts(p)),
        Status::Running => format!("Running: {}", counts(p)),
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
        Status::Paused(PauseReason::StorageFull) => format!(
            "Paused: the browser's storage for this site is full, so new results cannot be saved; {}. Free space (delete old runs or clear the cache under Storage), or download what is done now; then press Resume.",
            counts(p)
        ),
        Status::Stopped(reason) => format!("Stopped: {}", stop_reason(reason, run)),
        Status::Cancelled => format!(
            "Cancelled: {}. Press Resume to carry on where it stopped.",
            counts(p)
        ),
        Status::Finished => finished(&p.summary),
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

/// A chat message's role as the review shows it.
pub fn role(role: &str) -> String {
    match role {
        "system" => "System:".into(),
        "user" => "User:".into(),
        "assistant" => "Assistant:".into(),
        other => format!("{other}:"),
    }
}

/// "20 s", "2 min 5 s".
fn duration(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    if s < 60 {
        format!("{s} s")
    } else if s.is_multiple_of(60) {
        format!("{} min", s / 60)
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
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

fn said(detail: &str) -> String {
    let d = detail.trim();
    if d.is_empty() {
        String::new()
    } else if d.ends_with(['.', '!', '?']) {
        format!(" {d}")
    } else {
        format!(" {d}.")
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

fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// Why an item was rejected or failed, prefixed with the step.
pub fn reason(r: &Reason, at: Option<Step>) -> String {
    let text = match r {
        Reason::Refused(f) => match f {
            Refusal::Stated(t) => format!("the model refused: {t}"),
            Refusal::StopReason => "the model refused (stop_reason: refusal)".into(),
            Refusal::ContentFilter => "the provider's content filter stopped the reply".into(),
            Refusal::Empty => "the reply was empty every time it was asked".into(),
            Refusal::Opening(p) => format!("the reply opens with a refusal (\"{p}…\")"),
        },
        Reason::CutOff => "the reply was cut off at the token limit (raise Max tokens)".into(),
        Reason::JudgeRejected { why } => match why {
            Some(w) => format!("the judge found it did not comply: {w}"),
            None => "the judge found it did not comply".into(),
        },
        Reason::NoVerdict { snippet } => {
            format!("the judge's reply held no verdict: \"{snippet}\"")
        }
        Reason::JudgeRefused { text } => format!("the judge refused: {text}"),
        Reason::GaveUp { tries, last } => format!(
            "gave up after {}; last error: {}",
            count(*tries as usize, "try", "tries"),
            call_error(last)
        ),
        Reason::TooLong { detail } => {
            format!("the prompt is too long for the model's context: {detail}")
        }
        Reason::Check(c) => check(c),
        Reason::Duplicate { of, similarity } => format!(
            "the question nearly repeats item {}'s ({:.0}% alike)",
            of + 1,
            similarity * 100.0
        ),
        Reason::Reviewer => "rejected in review".into(),
    };
    match at {
        Some(s) => format!("{}: {text}", step(s)),
        None => text,
    }
}

pub fn check(c: &CheckFailure) -> String {
    match c {
        CheckFailure::MissingKeySentence => "the answer leaves out the key sentence".into(),
        CheckFailure::Disclaimer { phrase } => {
            format!("the reply disclaims or hedges (\"{phrase}\")")
        }
        CheckFailure::Leak { phrase } => format!("the reply mentions its set-up (\"{phrase}\")"),
        CheckFailure::Requirement(rule) => {
            use synfact_core::quality::RequirementRule as R;
            match rule {
                R::Language(l) => format!("the question is not in {}", capitalised(l)),
                R::MaxWords(n) => format!("the question is longer than {n} words"),
                R::MinWords(n) => format!("the question is shorter than {n} words"),
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A form field's label as shown next to it.
pub fn field(f: Field) -> String {
    let row = |name: &str, i: usize| {
        if i == 0 {
            name.to_string()
        } else {
            format!("{name} {}", i + 1)
        }
    };
    match f {
        Field::Examples => "Examples".into(),
        Field::Concurrency => "Concurrency".into(),
        Field::Rpm => "Requests per minute".into(),
        Field::Timeout => "Timeout (seconds)".into(),
        Field::MaxRetries => "Max retries".into(),
        Field::Seed => "Seed".into(),
        Field::Budget => "Budget (USD)".into(),
        Field::Reasks => "Re-asks per step".into(),
        Field::DuplicateThreshold => "Duplicate threshold".into(),
        Field::Provider(i) => row("Provider", i),
        Field::BaseUrl(i) => row("Base URL", i),
        Field::ApiKey(i) => row("API key", i),
        Field::Model(i) => row("Model", i),
        Field::Temperature(i) => row("Temperature", i),
        Field::TopP(i) => row("Top p", i),
        Field::MaxTokens(i) => row("Max tokens", i),
        Field::ExtraBody(i) => row("Extra body (JSON)", i),
        Field::JudgeBaseUrl => "Judge base URL".into(),
        Field::JudgeApiKey => "Judge API key".into(),
        Field::JudgeModel => "Judge model".into(),
    }
}

/// A field problem as one sentence naming the field.
pub fn field_error(e: &FieldError) -> String {
    let name = field(e.field);
    match &e.problem {
        Problem::Empty => match e.field {
            Field::Examples => "Examples is empty: enter how many examples to make.".into(),
            Field::JudgeModel => {
                "Judge model is empty: enter the model that checks each question and answer.".into()
            }
            Field::Model(_) => format!("{name} is empty: enter the model's name, e.g. gpt-4.1-mini."),
            Field::BaseUrl(_) | Field::JudgeBaseUrl => format!(
                "{name} is empty: enter the provider's API address, e.g. https://api.openai.com/v1."
            ),
            _ => format!("{name} is empty."),
        },
        Problem::NotANumber(t) => format!("{name}: \"{t}\" is not a number; type digits and a point, e.g. 0.7."),
        Problem::NotWhole(t) => format!("{name} must be a whole number in digits, e.g. 12 (got \"{t}\")."),
        Problem::OutOfRange { min, max } => {
            let unit = match e.field {
                Field::Timeout => " seconds",
                Field::Budget => " US dollars",
                _ => "",
            };
            format!("{name} must be between {min} and {max}{unit}.")
        }
        Problem::Url(u) => url_error(&name, u),
        Problem::Key(k) => key_error(&name, k),
        Problem::KeyNeeded => format!("{name} is empty: this provider needs a key."),
        Problem::ExtraBodyNotObject => format!(
            "{name} must be a JSON object, e.g. {{\"provider\": {{\"sort\": \"price\"}}}}."
        ),
        Problem::ExtraBodyReserved(k) => format!(
            "{name} may not set \"{k}\": the run decides the model, the prompt and the judge's output format."
        ),
        Problem::ModelChanged { was } => format!(
            "This run was made with {name} \"{was}\". To resume it, set {name} back to \"{was}\"; to use another model, press Generate for a new run."
        ),
        Problem::ModelCountChanged { was } => format!(
            "This run was made with {}. To resume it, use the same models; to use these, press Generate for a new run.",
            count(*was, "model", "models")
        ),
    }
}

pub fn url_error(name: &str, e: &UrlError) -> String {
    match e {
        UrlError::Empty => format!("{name} is empty."),
        UrlError::MissingScheme { suggestion } => format!(
            "{name} must start with http:// or https:// — did you mean {suggestion}?"
        ),
        UrlError::UnsupportedScheme(s) => format!(
            "{name} must start with http:// or https:// (\"{s}:\" addresses cannot reach an API)."
        ),
        UrlError::MissingHost => format!(
            "{name} has no host: write the whole address, e.g. https://api.openai.com/v1."
        ),
        UrlError::Credentials => format!(
            "{name} must not contain a user name or password (user:pass@): put the key in the API key field instead."
        ),
        UrlError::BadPort(p) => format!("{name} has an invalid port \"{p}\" (1 to 65535)."),
        UrlError::BadHost(h) => format!(
            "{name} has a host name that is not plain ASCII (\"{h}\"): use its punycode form (xn--…)."
        ),
        UrlError::QueryOrFragment => format!(
            "{name} must end at the API path, without ?query or #fragment (e.g. https://api.openai.com/v1)."
        ),
        UrlError::Whitespace => format!("{name} contains a space."),
        UrlError::CallPath { suggestion } => format!(
            "{name} is the address of a call, not the base it starts from — did you mean {suggestion}?"
        ),
    }
}

pub fn key_error(name: &str, e: &KeyError) -> String {
    if let Some(word) = &e.word {
        // "Bearer sk-…" or "Token sk-…" copied from a curl example: the app adds the header's
        // scheme itself.
        format!("{name} starts with \"{word} \": paste the key alone, without \"{word} \" — synfact puts the key in the header the provider expects.")
    } else if e.character == ' ' {
        format!(
            "{name} contains a space at position {} — a key has none: paste it again as one piece.",
            e.position
        )
    } else if e.invisible {
        format!(
            "{name} contains an invisible character (U+{:04X}) at position {} — paste it again, or delete that character.",
            e.character as u32, e.position
        )
    } else {
        format!(
            "{name} contains \"{}\" at position {}, which no request header can carry — paste the key again as plain text.",
            e.character, e.position
        )
    }
}

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
    }
}

/// A template field as the form labels it, with its name in the file.
pub fn template_field(f: synfact_core::TemplateField) -> &'static str {
    use synfact_core::TemplateField as F;
    match f {
        F::FactName => "Fact name (fact_name)",
        F::GivenFact => "Fact sheet (given_fact)",
        F::KeySentence => "Key sentence (specific_information_to_always_include)",
        F::Questions => "Seed questions (questions)",
        F::Requirements => "Question requirements (question_requirements)",
        F::Prompts => "Prompts (prompts)",
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A template problem as one sentence that says what to do.
pub fn template_issue(issue: &synfact_core::TemplateIssue) -> String {
    use synfact_core::template::JsonHint;
    use synfact_core::TemplateIssue as I;
    match issue {
        I::NotJson { line, column, hint } => {
            let what = match hint {
                JsonHint::RawNewline => "a line break inside a text: write \\n instead of pressing Enter, or edit the field in the form".to_string(),
                JsonHint::RawTab => "a tab inside a text: write \\t instead, or edit the field in the form".to_string(),
                JsonHint::RawControl(c) => format!("an invisible control character (U+{c:04X}) inside a text: delete it, or edit the field in the form"),
                JsonHint::LoneSurrogate => "a \\uD800–\\uDFFF escape without its pair (half a character): remove it or give the whole pair".to_string(),
                JsonHint::SmartQuotes => "it has curly quotes (“ ”): JSON needs straight quotes (\")".to_string(),
                JsonHint::TrailingComma => "a comma stands before a closing } or ]: remove it".to_string(),
                JsonHint::Truncated => "it ends too early: a closing \", ] or } is missing".to_string(),
                JsonHint::Other(m) => m.clone(),
            };
            format!("The template is not valid JSON (line {line}, column {column}): {what}.")
        }
        I::ChatFile => "This is a chat JSONL file (a dataset), not a template: to review it, use Open a chat JSONL file under Saved runs.".into(),
        I::NotAnObject => "The template must be a JSON object: {\"fact_name\": …, \"given_fact\": …, \"specific_information_to_always_include\": …, \"questions\": […], \"question_requirements\": […]}.".into(),
        I::DuplicateKey(k) => format!("\"{k}\" is given twice; only the first is kept: remove the other."),
        I::UnknownField { name, suggestion } => match suggestion {
            Some(s) => format!("unknown field `{name}` — did you mean `{s}`? It is left out."),
            None => format!("unknown field `{name}`: it is left out."),
        },
        I::Missing(f) => format!("The template is missing the field \"{}\".", f.key()),
        I::WrongType(f) => {
            let expected = match f {
                synfact_core::TemplateField::Questions | synfact_core::TemplateField::Requirements => "a list of texts",
                synfact_core::TemplateField::Prompts => "an object with question, answer and judge prompts",
                _ => "a text",
            };
            format!("The field \"{}\" has the wrong type: expected {expected}.", f.key())
        }
        I::Empty(f) => format!("{} is empty.", template_field(*f)),
        I::EmptyItem { field, index } => format!("{} item {index} is empty.", template_field(*field)),
        I::DuplicateItem { field, index, first } => {
            format!("{} item {index} repeats item {first}.", template_field(*field))
        }
        I::BadName(n) => format!(
            "Fact name (fact_name) may only contain letters, digits, '_', '-' and '.' (it names the downloaded files); got \"{n}\"."
        ),
        I::TooLong { field, chars, max } => format!(
            "{} is {} characters long; the most is {} (every prompt carries it).",
            template_field(*field),
            thousands(*chars),
            thousands(*max)
        ),
        I::ItemTooLong { field, index, max } => format!(
            "{} item {index} is longer than {} characters.",
            template_field(*field),
            thousands(*max)
        ),
        I::TooMany { field, count, max } => format!(
            "{} has {} items; the most is {}.",
            template_field(*field),
            thousands(*count),
            thousands(*max)
        ),
        I::KeySentenceUnrelated => "The key sentence names nothing the fact sheet mentions: check that both are about the same subject (every answer will carry the key sentence).".into(),
        I::Prompt(e) => prompt_error(e),
    }
}

/// A prompt's name in a sentence ("the question prompt").
pub fn prompt_kind(kind: synfact_core::template::PromptKind) -> &'static str {
    use synfact_core::template::PromptKind as K;
    match kind {
        K::Question => "question",
        K::Answer => "answer",
        K::Judge => "judge",
    }
}

/// A problem with a custom prompt.
pub fn prompt_error(e: &synfact_core::template::prompts::PromptError) -> String {
    use synfact_core::template::prompts::PromptError as E;
    match e {
        E::Unknown { kind, name } => {
            format!(
                "The {} prompt uses {{{name}}}, which is not a placeholder it can fill.",
                prompt_kind(*kind)
            )
        }
        E::Missing { kind, name } => {
            format!("The {} prompt must use {{{name}}}.", prompt_kind(*kind))
        }
    }
}

/// Why a share link could not be opened; nothing was changed.
pub fn link_error(e: &synfact_core::template::share::LinkError) -> String {
    use synfact_core::template::share::LinkError as L;
    let what = match e {
        L::NotALink => "it is not a synfact template link".to_string(),
        L::Foreign => "it was not made by synfact (its format is unknown)".to_string(),
        L::FutureVersion(v) => format!("it was made by a newer version of synfact (link format {v}); reload the page to get the newest version"),
        L::Damaged => "it contains characters a link cannot have: it may have been cut or changed when it was copied".to_string(),
        L::Corrupt => "it is incomplete or was changed after it was made (its checksum does not match): ask for the link again".to_string(),
        L::TooLarge => "it expands to more than 8 MB, more than any template".to_string(),
        L::NotATemplate(issues) => format!(
            "it holds no usable template: {}",
            issues.iter().map(template_issue).collect::<Vec<_>>().join(" ")
        ),
    };
    format!(
        "This share link could not be opened: {}. Nothing was changed.",
        what.trim_end_matches('.')
    )
}

/// A price field that does not hold a price.
pub fn not_a_price(text: &str) -> String {
    format!(
        "\"{}\" is not a price: type dollars per million tokens, such as 0.15.",
        text.trim()
    )
}

/// One of a model's two prices given without the other.
pub fn half_a_price(model: &str) -> String {
    format!("Give both the input and the output price of {model}, or neither; until then its cost is unknown.")
}

/// Added to the estimate when the budget will not cover it.
pub fn budget_below_estimate(budget: f64) -> String {
    format!(
        " The budget ({}) is below this: the run will pause before it ends.",
        usd(budget)
    )
}

pub const FORM_LOCKED: &str = "The form is read-only while the JSON view below holds something it cannot show (a field under an unknown name, a value of the wrong type, or a key given twice): fix that there first, or an edit here would drop it.";

pub const RESUME_NEEDS_KEY: &str = "If this run used an API key, type it again before Resume: keys are not kept unless Remember API keys is on.";

/// The plan's cell an item came from (1-based numbers).
pub fn item_origin(question: u32, text: &str, requirement: u32, req_text: &str) -> String {
    format!(
        "Seed question {}: {text} · Requirement {}: {req_text}",
        question + 1,
        requirement + 1
    )
}

pub const UNSAVED_EDIT: &str =
    "The edit is not saved: press Esc again to leave it unsaved, or Save.";

#[cfg(test)]
mod tests;
