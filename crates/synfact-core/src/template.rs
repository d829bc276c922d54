//! The fact template: what the user writes once, with the original module's field names, and
//! every problem it can have, found at once and named by field (worded by the app).

use crate::prompts::Prompts;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// One fact and everything needed to plan prompts about it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactTemplate {
    pub fact_name: String,
    pub given_fact: String,
    pub specific_information_to_always_include: String,
    pub questions: Vec<String>,
    pub question_requirements: Vec<String>,
}

/// A field of a template file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplateField {
    FactName,
    GivenFact,
    KeySentence,
    Questions,
    Requirements,
    Prompts,
}

impl TemplateField {
    pub const ALL: [TemplateField; 6] = [
        TemplateField::FactName,
        TemplateField::GivenFact,
        TemplateField::KeySentence,
        TemplateField::Questions,
        TemplateField::Requirements,
        TemplateField::Prompts,
    ];

    /// The name in the file (the original module's).
    pub fn key(self) -> &'static str {
        match self {
            TemplateField::FactName => "fact_name",
            TemplateField::GivenFact => "given_fact",
            TemplateField::KeySentence => "specific_information_to_always_include",
            TemplateField::Questions => "questions",
            TemplateField::Requirements => "question_requirements",
            TemplateField::Prompts => "prompts",
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
    Prompt(crate::prompts::PromptError),
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

/// A template and its custom prompts: the whole of a template file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateDoc {
    pub template: FactTemplate,
    pub prompts: Prompts,
}

/// The most seed questions or requirements: enough for any plan, small enough for a link.
pub const MAX_ITEMS: usize = 10_000;
/// The longest seed question or requirement.
pub const MAX_ITEM_CHARS: usize = 5_000;
/// The longest fact sheet: every prompt carries it, and about 250,000 tokens is past any context.
pub const MAX_FACT_CHARS: usize = 1_000_000;

/// The two templates shipped inside the app.
pub const BUILT_IN: [(&str, &str); 2] = [
    (
        "blue_honeyeater",
        include_str!("../templates/blue_honeyeater.template.json"),
    ),
    (
        "pandas_habitat",
        include_str!("../templates/pandas_habitat.template.json"),
    ),
];

/// A JSON object's entries in order, duplicates included (serde_json keeps only the last).
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn json_hint(text: &str, e: &serde_json::Error) -> JsonHint {
    let msg = e.to_string();
    if e.is_eof() {
        JsonHint::Truncated
    } else if msg.contains("control character") {
        // serde_json's column is the offending character's (1-based, in bytes); a line break
        // has moved on to the next line, column 0.
        let line = text
            .split('\n')
            .nth(e.line().saturating_sub(1))
            .unwrap_or("");
        let c = e
            .column()
            .checked_sub(1)
            .and_then(|at| line.get(..=at))
            .and_then(|l| l.chars().next_back());
        match c {
            None | Some('\n' | '\r') => JsonHint::RawNewline,
            Some('\t') => JsonHint::RawTab,
            Some(c) => JsonHint::RawControl(c as u32),
        }
    } else if msg.contains("surrogate")
        || (msg.contains("hex escape") && {
            let lower = text.to_ascii_lowercase();
            [
                "\\ud8", "\\ud9", "\\uda", "\\udb", "\\udc", "\\udd", "\\ude", "\\udf",
            ]
            .iter()
            .any(|p| lower.contains(p))
        })
    {
        JsonHint::LoneSurrogate
    } else if text.contains(['\u{201C}', '\u{201D}']) {
        JsonHint::SmartQuotes
    } else if msg.contains("trailing comma") {
        JsonHint::TrailingComma
    } else {
        JsonHint::Other(msg.split(" at line ").next().unwrap_or(&msg).to_string())
    }
}

/// Whether `key` names nothing the fact sheet does: none of its words of four letters or more
/// occurs there (a plural or other ending counts as the same word).
fn unrelated(key: &str, facts: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        crate::quality::normalize(t, true)
            .split_whitespace()
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_string)
            .collect()
    };
    let facts: std::collections::HashSet<String> = words(facts).into_iter().collect();
    let stem = |w: &str| w.chars().take(5).collect::<String>();
    let stems: std::collections::HashSet<String> = facts.iter().map(|w| stem(w)).collect();
    let key = words(key);
    !key.is_empty()
        && !key
            .iter()
            .any(|w| facts.contains(w) || (w.chars().count() >= 5 && stems.contains(&stem(w))))
}

/// Whether a text that is not one JSON object is a chat JSONL file: its first line is an object
/// with a `messages` list.
fn looks_like_chat(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .is_some_and(|v| v.get("messages").is_some_and(Value::is_array))
}

/// Edit distance, for "did you mean" on a misspelt field name.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn suggestion(name: &str) -> Option<&'static str> {
    closest(name, TemplateField::ALL.iter().map(|f| f.key()))
}

/// The keys a `prompts` object may hold, as the messages name them.
const PROMPT_KEYS: [(&str, &str); 3] = [
    ("question", "prompts.question"),
    ("answer", "prompts.answer"),
    ("judge", "prompts.judge"),
];

fn closest(name: &str, keys: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    keys.map(|k| (distance(&name.to_ascii_lowercase(), k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

impl TemplateDoc {
    /// Reads a template file: the template (when the JSON holds one, even with problems in
    /// its content) and every problem found, warnings included.
    pub fn parse(text: &str) -> (Option<TemplateDoc>, Vec<TemplateIssue>) {
        // A byte-order mark (Windows editors add one) is not part of the JSON.
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let entries = match serde_json::from_str::<Entries>(text) {
            Ok(e) => e.0,
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                return (None, vec![TemplateIssue::NotAnObject]);
            }
            Err(_) if looks_like_chat(text) => return (None, vec![TemplateIssue::ChatFile]),
            Err(e) => {
                return (
                    None,
                    vec![TemplateIssue::NotJson {
                        line: e.line(),
                        column: e.column(),
                        hint: json_hint(text, &e),
                    }],
                );
            }
        };
        let is_field = |k: &str| TemplateField::ALL.iter().any(|f| f.key() == k);
        if entries.iter().any(|(k, _)| k == "messages") && !entries.iter().any(|(k, _)| is_field(k))
        {
            return (None, vec![TemplateIssue::ChatFile]);
        }
        let mut issues = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut fields: Vec<(TemplateField, &Value)> = Vec::new();
        for (k, v) in &entries {
            if seen.contains(&k.as_str()) {
                issues.push(TemplateIssue::DuplicateKey(k.clone()));
                continue;
            }
            seen.push(k);
            match TemplateField::ALL.iter().find(|f| f.key() == k) {
                Some(f) => fields.push((*f, v)),
                None => issues.push(TemplateIssue::UnknownField {
                    name: k.clone(),
                    suggestion: suggestion(k),
                }),
            }
        }
        let get = |f: TemplateField| fields.iter().find(|(g, _)| *g == f).map(|(_, v)| *v);
        let mut t = FactTemplate::default();
        let mut prompts = Prompts::default();
        for f in TemplateField::ALL {
            let Some(v) = get(f) else {
                if f != TemplateField::Prompts {
                    issues.push(TemplateIssue::Missing(f));
                }
                continue;
            };
            let ok = match f {
                TemplateField::FactName => v.as_str().map(|s| t.fact_name = s.to_string()),
                TemplateField::GivenFact => v.as_str().map(|s| t.given_fact = s.to_string()),
                TemplateField::KeySentence => v
                    .as_str()
                    .map(|s| t.specific_information_to_always_include = s.to_string()),
                TemplateField::Questions | TemplateField::Requirements => v
                    .as_array()
                    .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
                    .map(|list: Vec<String>| {
                        if f == TemplateField::Questions {
                            t.questions = list
                        } else {
                            t.question_requirements = list
                        }
                    }),
                TemplateField::Prompts => {
                    // A misspelt prompt name is named like a misspelt field: it would be dropped.
                    for k in v.as_object().into_iter().flat_map(|o| o.keys()) {
                        if !PROMPT_KEYS.iter().any(|(key, _)| key == k) {
                            let name = format!("prompts.{k}");
                            let suggestion =
                                closest(&name, PROMPT_KEYS.iter().map(|(_, full)| *full));
                            issues.push(TemplateIssue::UnknownField { name, suggestion });
                        }
                    }
                    serde_json::from_value::<Prompts>(v.clone())
                        .ok()
                        .filter(|_| v.is_object())
                        .map(|p| prompts = p)
                }
            };
            if ok.is_none() {
                issues.push(TemplateIssue::WrongType(f));
            }
        }
        // Content problems only for fields that were read.
        let unread: Vec<TemplateField> = TemplateField::ALL
            .into_iter()
            .filter(|f| get(*f).is_none() || issues.contains(&TemplateIssue::WrongType(*f)))
            .collect();
        let content = t.content_issues();
        issues.extend(
            content
                .into_iter()
                .filter(|i| i.field().is_none_or(|f| !unread.contains(&f))),
        );
        issues.extend(prompts.check_all().into_iter().map(TemplateIssue::Prompt));
        (
            Some(TemplateDoc {
                template: t,
                prompts,
            }),
            issues,
        )
    }

    /// The file as saved and shared: the original module's field names, plus `prompts` only
    /// when they differ from the defaults (so the original module reads our files too).
    pub fn to_json(&self) -> String {
        let mut v = serde_json::to_value(&self.template).expect("a template serialises");
        if !self.prompts.is_default() {
            v["prompts"] = serde_json::to_value(&self.prompts).expect("prompts serialise");
        }
        serde_json::to_string_pretty(&v).expect("a template serialises")
    }
}

impl FactTemplate {
    /// Parses a template file and keeps it only if nothing but warnings was found.
    pub fn from_json(text: &str) -> Result<Self, Vec<TemplateIssue>> {
        let (doc, issues) = TemplateDoc::parse(text);
        let errors: Vec<TemplateIssue> = issues.into_iter().filter(|i| !i.is_warning()).collect();
        match doc {
            Some(d) if errors.is_empty() => Ok(d.template),
            _ => Err(errors),
        }
    }

    /// Every problem in the content (not the JSON): each naming its field.
    pub fn content_issues(&self) -> Vec<TemplateIssue> {
        use TemplateField as F;
        let mut out = Vec::new();
        if self.fact_name.trim().is_empty() {
            out.push(TemplateIssue::Empty(F::FactName));
        } else if !self
            .fact_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            out.push(TemplateIssue::BadName(self.fact_name.clone()));
        }
        let fact_chars = self.given_fact.chars().count();
        if self.given_fact.trim().is_empty() {
            out.push(TemplateIssue::Empty(F::GivenFact));
        } else if fact_chars > MAX_FACT_CHARS {
            out.push(TemplateIssue::TooLong {
                field: F::GivenFact,
                chars: fact_chars,
                max: MAX_FACT_CHARS,
            });
        }
        let key = self.specific_information_to_always_include.trim();
        if key.is_empty() {
            out.push(TemplateIssue::Empty(F::KeySentence));
        } else if key.chars().count() > MAX_ITEM_CHARS {
            out.push(TemplateIssue::TooLong {
                field: F::KeySentence,
                chars: key.chars().count(),
                max: MAX_ITEM_CHARS,
            });
        } else if !self.given_fact.trim().is_empty()
            && fact_chars <= MAX_FACT_CHARS
            && unrelated(key, &self.given_fact)
        {
            out.push(TemplateIssue::KeySentenceUnrelated);
        }
        for (field, list) in [
            (F::Questions, &self.questions),
            (F::Requirements, &self.question_requirements),
        ] {
            if list.is_empty() {
                out.push(TemplateIssue::Empty(field));
            }
            if list.len() > MAX_ITEMS {
                // Past the limit, checking each item would only repeat the problem.
                out.push(TemplateIssue::TooMany {
                    field,
                    count: list.len(),
                    max: MAX_ITEMS,
                });
                continue;
            }
            let mut seen: std::collections::HashMap<String, usize> =
                std::collections::HashMap::new();
            for (i, item) in list.iter().enumerate() {
                let trimmed = item.trim();
                if trimmed.is_empty() {
                    out.push(TemplateIssue::EmptyItem {
                        field,
                        index: i + 1,
                    });
                } else if trimmed.chars().count() > MAX_ITEM_CHARS {
                    out.push(TemplateIssue::ItemTooLong {
                        field,
                        index: i + 1,
                        max: MAX_ITEM_CHARS,
                    });
                } else if let Some(first) = seen.get(&trimmed.to_lowercase()) {
                    out.push(TemplateIssue::DuplicateItem {
                        field,
                        index: i + 1,
                        first: *first,
                    });
                } else {
                    seen.insert(trimmed.to_lowercase(), i + 1);
                }
            }
        }
        out
    }

    /// The built-in template with this name.
    pub fn built_in(name: &str) -> Option<Self> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, json)| Self::from_json(json).ok())
    }

    /// Pretty JSON, as a user would save or share it.
    pub fn to_pretty_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a template serialises")
    }

    /// A rough token count of the fact sheet (four characters a token), which every prompt carries.
    pub fn fact_tokens(&self) -> usize {
        self.given_fact.chars().count().div_ceil(4)
    }
}

#[cfg(test)]
mod tests;
