//! The names of a template's parts — its fields and its three prompts — and everything a
//! template can get wrong, as data (the app words it).

use serde::{Deserialize, Serialize};

/// A field of a template file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplateField {
    FactName,
    GivenFact,
    KeySentence,
    Questions,
    Requirements,
    Prompts,
    /// The evaluation's questions and statements (`eval`).
    Eval,
}

impl TemplateField {
    pub const ALL: [TemplateField; 7] = [
        TemplateField::FactName,
        TemplateField::GivenFact,
        TemplateField::KeySentence,
        TemplateField::Questions,
        TemplateField::Requirements,
        TemplateField::Prompts,
        TemplateField::Eval,
    ];

    /// Whether a file may leave the field out (synfact's own additions to the original's).
    pub fn optional(self) -> bool {
        matches!(self, TemplateField::Prompts | TemplateField::Eval)
    }

    /// The name in the file (the original module's).
    pub fn key(self) -> &'static str {
        match self {
            TemplateField::FactName => "fact_name",
            TemplateField::GivenFact => "given_fact",
            TemplateField::KeySentence => "specific_information_to_always_include",
            TemplateField::Questions => "questions",
            TemplateField::Requirements => "question_requirements",
            TemplateField::Prompts => "prompts",
            TemplateField::Eval => "eval",
        }
    }
}

/// What makes JSON text unreadable, in terms of what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonHint {
    /// A line break typed inside a string.
    RawNewline,
    /// A tab typed inside a string.
    RawTab,
    /// Another control character inside a string (its code).
    RawControl(u32),
    /// A `\ud800`-style escape without its pair: half a character.
    LoneSurrogate,
    /// Curly quotes where straight ones belong.
    SmartQuotes,
    TrailingComma,
    /// The text stops before the JSON does.
    Truncated,
    /// The parser's own words.
    Other(String),
}

/// Something wrong with a template (or worth a warning).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateIssue {
    NotJson {
        line: usize,
        column: usize,
        hint: JsonHint,
    },
    NotAnObject,
    /// A chat JSONL file (a dataset), not a template.
    ChatFile,
    /// A key given twice: only one value could be kept.
    DuplicateKey(String),
    /// A key that is not a template field; the closest field name, if one is close.
    UnknownField {
        name: String,
        suggestion: Option<&'static str>,
    },
    Missing(TemplateField),
    WrongType(TemplateField),
    Empty(TemplateField),
    EmptyItem {
        field: TemplateField,
        index: usize,
    },
    /// The same text twice in a list (1-based indexes).
    DuplicateItem {
        field: TemplateField,
        index: usize,
        first: usize,
    },
    /// `fact_name` names the downloaded files: letters, digits, '_', '-', '.'.
    BadName(String),
    TooLong {
        field: TemplateField,
        chars: usize,
        max: usize,
    },
    /// An item of a list longer than allowed (1-based index).
    ItemTooLong {
        field: TemplateField,
        index: usize,
        max: usize,
    },
    TooMany {
        field: TemplateField,
        count: usize,
        max: usize,
    },
    /// The key sentence shares no word of substance with the fact sheet: likely about another
    /// subject (a fact sheet or key sentence pasted from elsewhere). A key sentence that states a
    /// new fact about the fact sheet's subject is the point of a template and is not flagged.
    KeySentenceUnrelated,
    /// A custom prompt's placeholders are wrong.
    Prompt(PromptError),
}

impl TemplateIssue {
    /// The field a problem belongs to, if one.
    pub fn field(&self) -> Option<TemplateField> {
        match self {
            TemplateIssue::Missing(f)
            | TemplateIssue::WrongType(f)
            | TemplateIssue::Empty(f)
            | TemplateIssue::EmptyItem { field: f, .. }
            | TemplateIssue::DuplicateItem { field: f, .. }
            | TemplateIssue::TooLong { field: f, .. }
            | TemplateIssue::ItemTooLong { field: f, .. }
            | TemplateIssue::TooMany { field: f, .. } => Some(*f),
            TemplateIssue::BadName(_) => Some(TemplateField::FactName),
            TemplateIssue::KeySentenceUnrelated => Some(TemplateField::KeySentence),
            TemplateIssue::Prompt(_) => Some(TemplateField::Prompts),
            TemplateIssue::NotJson { .. }
            | TemplateIssue::NotAnObject
            | TemplateIssue::ChatFile
            | TemplateIssue::DuplicateKey(_)
            | TemplateIssue::UnknownField { .. } => None,
        }
    }

    /// Whether the parsed template lacks something the file holds (a field under an unknown
    /// name, a value of the wrong type, the other value of a key given twice): writing the
    /// template back as JSON would drop it.
    pub fn drops_content(&self) -> bool {
        matches!(
            self,
            TemplateIssue::UnknownField { .. }
                | TemplateIssue::WrongType(_)
                | TemplateIssue::DuplicateKey(_)
        )
    }

    /// A warning lets the template be used; anything else must be fixed first.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            TemplateIssue::UnknownField { .. }
                | TemplateIssue::KeySentenceUnrelated
                | TemplateIssue::DuplicateItem { .. }
        )
    }
}

/// Which of the three prompts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PromptKind {
    Question,
    Answer,
    Judge,
}

/// A problem with one prompt text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    #[error("unknown placeholder {{{name}}}")]
    Unknown { kind: PromptKind, name: String },
    #[error("missing placeholder {{{name}}}")]
    Missing {
        kind: PromptKind,
        name: &'static str,
    },
}
