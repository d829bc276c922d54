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

impl Field {
    /// Where the field stands on the page, top to bottom: the model rows (each row's fields in
    /// turn), the judge, the run's size and budget, the run settings, the quality checks; then
    /// the Evaluate section and the fine-tune's form. Problems are listed in this order, so the
    /// first named is the field the cursor goes to.
    pub fn page_order(self) -> (u8, usize, u8) {
        use Field::*;
        match self {
            Provider(i) => (0, i, 0),
            BaseUrl(i) => (0, i, 1),
            ApiKey(i) => (0, i, 2),
            Model(i) => (0, i, 3),
            Temperature(i) => (0, i, 4),
            TopP(i) => (0, i, 5),
            MaxTokens(i) => (0, i, 6),
            ExtraBody(i) => (0, i, 7),
            JudgeBaseUrl => (1, 0, 0),
            JudgeApiKey => (1, 0, 1),
            JudgeModel => (1, 0, 2),
            Examples => (2, 0, 0),
            SendAs => (2, 0, 1),
            Budget => (2, 0, 2),
            Concurrency => (3, 0, 0),
            Rpm => (3, 0, 1),
            Timeout => (3, 0, 2),
            MaxRetries => (3, 0, 3),
            Seed => (3, 0, 4),
            DuplicateThreshold => (4, 0, 0),
            Reasks => (4, 0, 1),
            EvalBaseUrl(i) => (5, i, 0),
            EvalApiKey(i) => (5, i, 1),
            EvalModel(i) => (5, i, 2),
            EvalSamples => (6, 0, 0),
            EvalTemperature => (6, 0, 1),
            EvalCoherence => (6, 0, 2),
            EvalWanted => (6, 0, 3),
            FtBaseUrl => (7, 0, 0),
            FtApiKey => (7, 0, 1),
            FtModel => (7, 0, 2),
            FtSuffix => (7, 0, 3),
            FtEpochs => (7, 0, 4),
        }
    }
}

/// Sorts problems into the page's order (`Field::page_order`), keeping the order of a field's
/// own problems. By insertion: a form has a handful of problems, and the standard library's
/// stable sort, made for this one list, added 4 KB to the first screen's wasm.
pub fn in_page_order(errors: &mut [FieldError]) {
    for i in 1..errors.len() {
        let mut j = i;
        while j > 0 && errors[j - 1].field.page_order() > errors[j].field.page_order() {
            errors.swap(j - 1, j);
            j -= 1;
        }
    }
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
