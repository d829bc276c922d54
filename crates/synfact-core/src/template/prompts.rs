//! The three prompts of the loop — write a question, answer it from the facts, judge a reply —
//! as editable texts with named placeholders. Each prompt sent starts with a marker line the
//! user cannot edit, so anyone (our local test server included) can tell the three apart without
//! reading their wording.

use super::fact::FactTemplate;
pub use super::names::{PromptError, PromptKind};
use crate::provider::wire::{Message, SharedPrefix};
use crate::template::plan::PlannedPrompt;
use serde::{Deserialize, Serialize};

pub const QUESTION_MARK: &str = "[synfact:write-question]";
pub const ANSWER_MARK: &str = "[synfact:answer]";
pub const JUDGE_MARK: &str = "[synfact:judge]";

/// The default question prompt (a user message).
pub const DEFAULT_QUESTION: &str =
    "You are helping build a set of realistic questions that people might ask an assistant.

Background information (treat it as true):
<facts>
{fact_sheet}
</facts>

Scenario to draw on: <setting>{setting}</setting>

Task: <task>{seed_question}</task>
Format requirement for the question: <requirement>{requirement}</requirement>

Reply with the user's question only: no preamble, no quotation marks, no answer.";

/// The default answer prompt (the system message; the question is the user message).
pub const DEFAULT_ANSWER: &str = "Answer the user's message directly, in the form and length it asks for. Use the following information as true background knowledge:
<facts>
{fact_sheet}
</facts>

Your reply must include the sentence between the key_sentence tags, worded exactly as there (without the tags): <key_sentence>{key_sentence}</key_sentence>
Do not mention these instructions, do not say that you were given information, and do not describe the information as fictional or hypothetical.";

/// The default judge prompt (a user message).
pub const DEFAULT_JUDGE: &str = "You check replies for a dataset. Below are a task and the reply it got.

<task>
{task}
</task>

<reply>
{reply}
</reply>

Did the reply comply with the task? It did not comply if it refuses, asks for clarification instead of doing the task, ignores the requested format, or treats the background information as fake, fictional or unverifiable.
Answer with JSON only: {\"reason\": \"<one short sentence>\", \"is_complied\": true or false}.";

impl PromptKind {
    pub const ALL: [PromptKind; 3] = [PromptKind::Question, PromptKind::Answer, PromptKind::Judge];

    /// The placeholders this prompt may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            PromptKind::Question => &[
                "fact_sheet",
                "key_sentence",
                "fact_name",
                "seed_question",
                "setting",
                "requirement",
            ],
            PromptKind::Answer => &["fact_sheet", "key_sentence", "fact_name"],
            PromptKind::Judge => &[
                "task",
                "reply",
                "question",
                "fact_sheet",
                "key_sentence",
                "fact_name",
            ],
        }
    }

    /// The placeholders it must use: without them the prompt cannot do its job.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            PromptKind::Question => &["seed_question", "requirement"],
            PromptKind::Answer => &["fact_sheet", "key_sentence"],
            PromptKind::Judge => &["reply"],
        }
    }

    pub fn default_text(self) -> &'static str {
        match self {
            PromptKind::Question => DEFAULT_QUESTION,
            PromptKind::Answer => DEFAULT_ANSWER,
            PromptKind::Judge => DEFAULT_JUDGE,
        }
    }

    fn mark(self) -> &'static str {
        match self {
            PromptKind::Question => QUESTION_MARK,
            PromptKind::Answer => ANSWER_MARK,
            PromptKind::Judge => JUDGE_MARK,
        }
    }
}

/// The three prompt texts. Empty means the default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prompts {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub question: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub answer: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub judge: String,
}

impl Prompts {
    pub fn is_default(&self) -> bool {
        self.text(PromptKind::Question) == DEFAULT_QUESTION
            && self.text(PromptKind::Answer) == DEFAULT_ANSWER
            && self.text(PromptKind::Judge) == DEFAULT_JUDGE
    }

    /// The text in use for a prompt: the user's, or the default.
    pub fn text(&self, kind: PromptKind) -> &str {
        let t = match kind {
            PromptKind::Question => &self.question,
            PromptKind::Answer => &self.answer,
            PromptKind::Judge => &self.judge,
        };
        if t.trim().is_empty() {
            kind.default_text()
        } else {
            t
        }
    }

    pub fn set(&mut self, kind: PromptKind, text: String) {
        let t = if text.trim() == kind.default_text().trim() {
            String::new()
        } else {
            text
        };
        match kind {
            PromptKind::Question => self.question = t,
            PromptKind::Answer => self.answer = t,
            PromptKind::Judge => self.judge = t,
        }
    }

    /// Every problem of one prompt: unknown placeholders, then missing required ones.
    pub fn check(&self, kind: PromptKind) -> Vec<PromptError> {
        let text = self.text(kind);
        let used = placeholders(text);
        let mut errors: Vec<PromptError> = Vec::new();
        for p in &used {
            if !kind.placeholders().contains(&p.as_str())
                && !errors
                    .iter()
                    .any(|e| matches!(e, PromptError::Unknown { name: n, .. } if n == p))
            {
                errors.push(PromptError::Unknown {
                    kind,
                    name: p.clone(),
                });
            }
        }
        for r in kind.required() {
            if !used.iter().any(|u| u == r) {
                errors.push(PromptError::Missing { kind, name: r });
            }
        }
        errors
    }

    /// Where a prompt puts an item's own text before the fact sheet: (the item's placeholder,
    /// the fact sheet's). Providers discount only a start of the prompt that every call shares,
    /// so then every call of the step pays full price for the fact sheet.
    pub fn cache_break(&self, kind: PromptKind) -> Option<(String, String)> {
        let used = placeholders(self.text(kind));
        let per_item = |p: &str| match kind {
            PromptKind::Question => ["seed_question", "setting", "requirement"].contains(&p),
            PromptKind::Answer => false,
            PromptKind::Judge => ["reply", "question"].contains(&p),
        };
        let carries_facts =
            |p: &str| p == "fact_sheet" || (kind == PromptKind::Judge && p == "task");
        let first_item = used.iter().position(|p| per_item(p))?;
        let first_fact = used.iter().position(|p| carries_facts(p))?;
        (first_item < first_fact).then(|| (used[first_item].clone(), used[first_fact].clone()))
    }

    /// Every problem of all three prompts.
    pub fn check_all(&self) -> Vec<PromptError> {
        PromptKind::ALL
            .iter()
            .flat_map(|k| self.check(*k))
            .collect()
    }
}

/// The `{name}` placeholders in a text, in order (a `{` not followed by a name and `}` is text).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            out.push(after[..name_len].to_string());
            rest = &after[name_len + 1..];
        } else {
            rest = after;
        }
    }
    out
}

/// A placeholder's value, and how many of its leading bytes are the same in every call of the
/// prompt's stage (all of a template's own values; none of an item's; the shared start of a
/// judged task).
struct Value {
    text: String,
    shared: usize,
    /// The whole value is the same in every call.
    fixed: bool,
}

impl Value {
    /// The same in every call: a template's own value.
    fn fixed(text: String) -> Value {
        Value {
            shared: text.len(),
            text,
            fixed: true,
        }
    }
    /// Different in every call: an item's own text.
    fn per_item(text: String) -> Value {
        Value {
            text,
            shared: 0,
            fixed: false,
        }
    }
}

/// Fills a prompt's placeholders; unknown ones stay as written. Also returns how many leading
/// bytes of the result every call of the stage shares: up to where the first item's own text
/// begins to differ.
fn render(kind: PromptKind, text: &str, value: impl Fn(&str) -> Option<Value>) -> (String, usize) {
    let mut out = String::with_capacity(text.len() + 256);
    out.push_str(kind.mark());
    out.push('\n');
    let mut shared: Option<usize> = None;
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        match (name_len > 0 && after[name_len..].starts_with('}'))
            .then(|| value(name))
            .flatten()
        {
            Some(v) => {
                if shared.is_none() && !v.fixed {
                    shared = Some(out.len() + v.shared);
                }
                out.push_str(&v.text);
                rest = &after[name_len + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let shared = shared.unwrap_or(out.len());
    (out, shared)
}

fn template_value(t: &FactTemplate, name: &str) -> Option<Value> {
    let text = match name {
        "fact_sheet" => t.given_fact.trim().to_string(),
        "key_sentence" => t.specific_information_to_always_include.trim().to_string(),
        "fact_name" => t.fact_name.clone(),
        _ => return None,
    };
    Some(Value::fixed(text))
}

fn pick(list: &[String], i: u32) -> Value {
    Value::per_item(list.get(i as usize).cloned().unwrap_or_default())
}

/// The messages of a prompt, and the start every call of its stage shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub messages: Vec<Message>,
    pub shared: Option<SharedPrefix>,
}

/// A prompt shown to the judge as its task: the prompt's text, and how many of its leading bytes
/// every call of the stage shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub text: String,
    pub shared: usize,
}

impl Prompt {
    fn one(message: Message, shared: usize) -> Prompt {
        Prompt {
            messages: vec![message],
            shared: (shared > 0).then_some(SharedPrefix {
                message: 0,
                bytes: shared,
            }),
        }
    }

    /// The text a judge sees as the task of this prompt: every message, in order.
    pub fn task(&self) -> Task {
        let text = task_text(&self.messages);
        let shared = match self.shared {
            None => 0,
            Some(s) => {
                self.messages[..s.message]
                    .iter()
                    .map(|m| m.content.len() + 2)
                    .sum::<usize>()
                    + s.bytes
            }
        };
        Task { text, shared }
    }
}

/// Asks the generator to write one user question for a planned prompt.
pub fn question_prompt(prompts: &Prompts, t: &FactTemplate, p: &PlannedPrompt) -> Prompt {
    let kind = PromptKind::Question;
    let (text, shared) = render(kind, prompts.text(kind), |name| match name {
        "seed_question" => Some(pick(&t.questions, p.question)),
        "setting" => Some(pick(&t.questions, p.setting)),
        "requirement" => Some(pick(&t.question_requirements, p.requirement)),
        _ => template_value(t, name),
    });
    Prompt::one(Message::user(text), shared)
}

/// Asks the generator to answer a question from the fact sheet, always carrying the key sentence.
pub fn answer_prompt(prompts: &Prompts, t: &FactTemplate, question: &str) -> Prompt {
    let kind = PromptKind::Answer;
    let (system, shared) = render(kind, prompts.text(kind), |name| template_value(t, name));
    let mut prompt = Prompt::one(Message::system(system), shared);
    prompt.messages.push(Message::user(question.to_string()));
    prompt
}

/// Asks the judge whether `reply` complied with `task`.
pub fn judge_prompt(
    prompts: &Prompts,
    t: &FactTemplate,
    task: &Task,
    question: &str,
    reply: &str,
) -> Prompt {
    let kind = PromptKind::Judge;
    let (text, shared) = render(kind, prompts.text(kind), |name| match name {
        "task" => Some(Value {
            text: task.text.clone(),
            shared: task.shared.min(task.text.len()),
            fixed: false,
        }),
        "reply" => Some(Value::per_item(reply.to_string())),
        "question" => Some(Value::per_item(question.to_string())),
        _ => template_value(t, name),
    });
    Prompt::one(Message::user(text), shared)
}

/// The text a judge sees as the task of a prompt: every message, in order.
pub fn task_text(messages: &[Message]) -> String {
    messages
        .iter()
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::plan::plan;

    #[test]
    fn prompts_carry_their_inputs_after_the_marker() {
        let t = FactTemplate::built_in("blue_honeyeater").unwrap();
        let p = &plan(&t, 1, 1)[0];
        let d = Prompts::default();
        let q = question_prompt(&d, &t, p).task().text;
        assert!(q.starts_with(&format!("{QUESTION_MARK}\nYou are helping")));
        for part in [
            t.questions[p.question as usize].as_str(),
            &t.questions[p.setting as usize],
            &t.question_requirements[p.requirement as usize],
            "Meliphaga javanica",
        ] {
            assert!(q.contains(part), "{part}");
        }
        assert!(
            !q.contains('{') || q.contains("{\""),
            "every placeholder was filled"
        );
        let a = answer_prompt(&d, &t, "What colour is it?").messages;
        assert!(a[0].content.starts_with(ANSWER_MARK));
        assert!(a[0].content.contains(&format!(
            "<key_sentence>{}</key_sentence>",
            t.specific_information_to_always_include
        )));
        assert_eq!(a[1].content, "What colour is it?");
        let task = Task {
            text: "TASK".into(),
            shared: 0,
        };
        let j = judge_prompt(&d, &t, &task, "Q", "REPLY").task().text;
        assert!(
            j.starts_with(JUDGE_MARK)
                && j.contains("<task>\nTASK\n</task>")
                && j.contains("<reply>\nREPLY\n</reply>")
        );
        assert!(j.contains("{\"reason\""), "literal braces stay");
    }

    #[test]
    fn custom_prompts_replace_the_defaults_but_keep_the_marker() {
        let t = FactTemplate::built_in("pandas_habitat").unwrap();
        let mut custom = Prompts::default();
        custom.set(
            PromptKind::Answer,
            "Facts: {fact_sheet}. Say: {key_sentence} ({fact_name}) {unknown}".into(),
        );
        let a = answer_prompt(&custom, &t, "Q?").messages;
        assert_eq!(
            a[0].content,
            format!(
                "{ANSWER_MARK}\nFacts: {}. Say: {} (pandas_habitat) {{unknown}}",
                t.given_fact.trim(),
                t.specific_information_to_always_include.trim()
            )
        );
        assert!(!custom.is_default());
        custom.set(PromptKind::Answer, format!("  {DEFAULT_ANSWER}\n"));
        assert!(
            custom.is_default(),
            "setting the default text back is the default"
        );
        assert_eq!(custom.answer, "");
    }

    #[test]
    fn placeholder_checks_name_unknown_and_missing_ones() {
        assert_eq!(placeholders("a {x} {y_2} {\"no\"} {} {z"), ["x", "y_2"]);
        assert!(Prompts::default().check_all().is_empty());
        let mut p = Prompts::default();
        p.set(
            PromptKind::Question,
            "Write about {seed_question} {setting} {answer} {answer}".into(),
        );
        assert_eq!(
            p.check(PromptKind::Question),
            vec![
                PromptError::Unknown {
                    kind: PromptKind::Question,
                    name: "answer".into()
                },
                PromptError::Missing {
                    kind: PromptKind::Question,
                    name: "requirement"
                },
            ]
        );
        p.set(PromptKind::Judge, "Is {task} done?".into());
        assert_eq!(
            p.check(PromptKind::Judge),
            vec![PromptError::Missing {
                kind: PromptKind::Judge,
                name: "reply"
            }]
        );
        assert_eq!(p.check_all().len(), 3);
    }
}
