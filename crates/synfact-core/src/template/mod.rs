//! A template file: the fact template and its custom prompts, read from JSON with every
//! problem it has found at once (a misspelt field named with its likely meaning, a JSON error
//! with what to do about it). `fact` holds the template itself, `names` its parts and problems,
//! `prompts` the three prompts, `plan` the deterministic plan, `share` share links.

pub mod fact;
pub mod names;
pub mod plan;
pub mod prompts;
pub mod share;

pub use fact::{FactTemplate, BUILT_IN, MAX_FACT_CHARS, MAX_ITEMS, MAX_ITEM_CHARS};
pub use names::{JsonHint, PromptError, PromptKind, TemplateField, TemplateIssue};

use crate::eval::EvalQuestions;
use prompts::Prompts;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A template and its custom prompts: the whole of a template file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateDoc {
    pub template: FactTemplate,
    pub prompts: Prompts,
    /// What an evaluation asks about this fact (written only when there is something).
    pub eval: EvalQuestions,
}

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
        let mut eval = EvalQuestions::default();
        for f in TemplateField::ALL {
            let Some(v) = get(f) else {
                if !f.optional() {
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
                TemplateField::Eval => serde_json::from_value::<EvalQuestions>(v.clone())
                    .ok()
                    .filter(|_| v.is_object())
                    .map(|e| eval = e),
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
                eval,
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
        if self.eval != EvalQuestions::default() {
            v["eval"] = serde_json::to_value(&self.eval).expect("eval questions serialise");
        }
        serde_json::to_string_pretty(&v).expect("a template serialises")
    }
}

/// Reading a template from a file (beside `TemplateDoc::parse`, which it uses).
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

    /// The built-in template with this name.
    pub fn built_in(name: &str) -> Option<Self> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, json)| Self::from_json(json).ok())
    }
}

#[cfg(test)]
mod tests;
