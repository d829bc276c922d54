//! The fact template itself, with the original module's field names: its limits, the built-in
//! templates, and the checks of its content, every problem found at once and named by field.

use super::names::{TemplateField, TemplateIssue};
use serde::{Deserialize, Serialize};

/// One fact and everything needed to plan prompts about it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactTemplate {
    pub fact_name: String,
    pub given_fact: String,
    pub specific_information_to_always_include: String,
    pub questions: Vec<String>,
    pub question_requirements: Vec<String>,
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
        include_str!("../../templates/blue_honeyeater.template.json"),
    ),
    (
        "pandas_habitat",
        include_str!("../../templates/pandas_habitat.template.json"),
    ),
];

/// Whether a fact name may hold this character: it names the downloaded files.
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

impl FactTemplate {
    /// Every problem in the content (not the JSON): each naming its field.
    pub fn content_issues(&self) -> Vec<TemplateIssue> {
        use TemplateField as F;
        let mut out = Vec::new();
        if self.fact_name.trim().is_empty() {
            out.push(TemplateIssue::Empty(F::FactName));
        } else if !self.fact_name.chars().all(is_name_char) {
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

    /// A rough token count of the fact sheet (four characters a token), which every prompt carries.
    pub fn fact_tokens(&self) -> usize {
        self.given_fact.chars().count().div_ceil(4)
    }
}

/// Whether `key` names nothing the fact sheet does: none of its words of four letters or more
/// occurs there (a plural or other ending counts as the same word).
fn unrelated(key: &str, facts: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        crate::text::normalize(t, true)
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
