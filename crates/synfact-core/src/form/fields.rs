//! The form's fields as problems name them, what can be wrong with a value, and the reader that
//! collects every problem of a form at once.

use crate::provider::endpoint::{check_key, BaseUrl, KeyError, UrlError};

/// A field of the form, for a problem shown next to it. Row fields carry the model row (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Examples,
    Concurrency,
    Rpm,
    Timeout,
    MaxRetries,
    Seed,
    Budget,
    /// Send calls: live, or as a batch.
    SendAs,
    Reasks,
    DuplicateThreshold,
    Provider(usize),
    BaseUrl(usize),
    ApiKey(usize),
    Model(usize),
    Temperature(usize),
    TopP(usize),
    MaxTokens(usize),
    ExtraBody(usize),
    JudgeBaseUrl,
    JudgeApiKey,
    JudgeModel,
    /// The Evaluate section: a model to test's row, and the evaluation's numbers.
    EvalBaseUrl(usize),
    EvalApiKey(usize),
    EvalModel(usize),
    EvalSamples,
    EvalTemperature,
    EvalCoherence,
    EvalWanted,
    /// Start a fine-tune.
    FtBaseUrl,
    FtApiKey,
    FtModel,
    FtSuffix,
    FtEpochs,
}

/// What is wrong with a field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Empty,
    /// Not a plain decimal number ("abc", "1e9", "0x10").
    NotANumber(String),
    /// A fraction where a whole number is needed.
    NotWhole(String),
    /// Outside the allowed range (bounds as written for people).
    OutOfRange {
        min: &'static str,
        max: &'static str,
    },
    Url(UrlError),
    Key(KeyError),
    /// The provider refuses calls without a key.
    KeyNeeded,
    ExtraBodyNotObject,
    /// Extra body may not set a field the run decides.
    ExtraBodyReserved(String),
    /// Send as a batch, with an endpoint whose batch service a browser cannot reach (Anthropic).
    BatchNeedsOpenAi,
    /// Resume: this row's model differs from the one the run was made with.
    ModelChanged {
        was: String,
    },
    /// Resume: the run has a model row the form no longer has (or the other way round).
    ModelCountChanged {
        was: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

/// Parses a plain decimal number ("12", "0.7", "-3"): no exponents, no hex, no words.
fn plain_number(t: &str) -> Option<f64> {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    ok.then(|| crate::provider::number::decimal(t)).flatten()
}

/// Collects field errors while a form is read.
pub(super) struct Reader {
    pub(super) errors: Vec<FieldError>,
}

impl Reader {
    pub(super) fn fail(&mut self, field: Field, problem: Problem) {
        self.errors.push(FieldError { field, problem });
    }

    /// A number within `[min, max]`; `None` if empty (allowed) or wrong (recorded).
    pub(super) fn number(
        &mut self,
        field: Field,
        text: &str,
        (min, max): (f64, f64),
        whole: bool,
        bounds: (&'static str, &'static str),
    ) -> Option<f64> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let Some(v) = plain_number(t) else {
            let problem = if whole {
                Problem::NotWhole(t.into())
            } else {
                Problem::NotANumber(t.into())
            };
            self.fail(field, problem);
            return None;
        };
        if whole && v.fract() != 0.0 {
            self.fail(field, Problem::NotWhole(t.into()));
            return None;
        }
        if !(min..=max).contains(&v) {
            self.fail(
                field,
                Problem::OutOfRange {
                    min: bounds.0,
                    max: bounds.1,
                },
            );
            return None;
        }
        Some(v)
    }

    pub(super) fn required(&mut self, field: Field, text: &str) -> bool {
        if text.trim().is_empty() {
            self.fail(field, Problem::Empty);
            false
        } else {
            true
        }
    }

    pub(super) fn url(&mut self, field: Field, text: &str) -> Option<BaseUrl> {
        BaseUrl::parse_typed(text)
            .map_err(|e| {
                self.fail(
                    field,
                    if e == UrlError::Empty {
                        Problem::Empty
                    } else {
                        Problem::Url(e)
                    },
                )
            })
            .ok()
    }

    pub(super) fn key(&mut self, field: Field, key: &str, needed: bool) {
        if let Err(e) = check_key(key) {
            self.fail(field, Problem::Key(e));
        } else if needed && key.trim().is_empty() {
            self.fail(field, Problem::KeyNeeded);
        }
    }
}
