//! The settings form: field names and what is wrong with a value.

use super::*;
use synfact_core::form::{Field, FieldError, Problem};
use synfact_core::provider::endpoint::{KeyError, UrlError};

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
        Field::SendAs => "Send calls".into(),
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
        Field::EvalBaseUrl(i) => row("Test base URL", i),
        Field::EvalApiKey(i) => row("Test API key", i),
        Field::EvalModel(i) => row("Model to test", i),
        Field::EvalSamples => "Samples per question".into(),
        Field::EvalTemperature => "Eval temperature".into(),
        Field::EvalCoherence => "Coherence threshold".into(),
        Field::EvalWanted => "Eval questions to write".into(),
        Field::FtBaseUrl => "Fine-tuning base URL".into(),
        Field::FtApiKey => "Fine-tuning API key".into(),
        Field::FtModel => "Base model".into(),
        Field::FtSuffix => "Suffix".into(),
        Field::FtEpochs => "Epochs".into(),
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
        Problem::BatchNeedsOpenAi => format!(
            "{name}: Anthropic's Message Batches do not answer a browser, so a run with an Anthropic model is sent live: choose Live."
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
