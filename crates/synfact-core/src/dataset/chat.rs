//! Chat JSONL: the fine-tuning format's rules checked on the kept items, a chat file read back
//! whole (every message of a line), opened as a finished run, and each item's chat line (an
//! imported conversation byte for byte while it is not edited).

use crate::dataset::export::chat_line;
use crate::run::{ChatMessage, Imported, Item, Run};
use serde_json::{json, Value};

/// What is wrong with one chat example.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChatProblem {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("no messages")]
    NoMessages,
    #[error("bad role in message {0}")]
    BadRole(usize),
    #[error("empty message {0}")]
    EmptyContent(usize),
    #[error("no exchange")]
    NoExchange,
    #[error("no final reply")]
    NoFinalReply,
    #[error("tool call in message {0}")]
    ToolCall(usize),
    #[error("not text in message {0}")]
    NotText(usize),
}

/// Checks one exported example's texts against the chat fine-tuning rules.
pub fn check_texts(question: &str, answer: &str) -> Result<(), ChatProblem> {
    if question.trim().is_empty() {
        return Err(ChatProblem::EmptyContent(1));
    }
    if answer.trim().is_empty() {
        return Err(ChatProblem::EmptyContent(2));
    }
    // Text is valid UTF-8 by construction: a reply's unpaired surrogates were replaced by U+FFFD
    // when it was read (and noted on the item).
    Ok(())
}

/// A kept item whose chat line breaks a rule, by its number in the run (1-based, as shown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemProblem {
    pub item: usize,
    pub problem: ChatProblem,
}

/// Every kept item whose texts break the chat format.
pub fn check_run(run: &Run, generator: Option<usize>) -> Vec<ItemProblem> {
    run.kept(generator)
        .filter_map(|i| {
            check_texts(
                i.final_question().unwrap_or(""),
                i.final_answer().unwrap_or(""),
            )
            .err()
            .map(|problem| ItemProblem {
                item: i.id + 1,
                problem,
            })
        })
        .collect()
}

/// One example read from a chat JSONL file: its last exchange, what came before it, and the
/// line itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatExample {
    pub question: String,
    pub answer: String,
    /// The messages before the last exchange (a system message, earlier turns).
    pub context: Vec<ChatMessage>,
    /// The line as read.
    pub line: String,
}

/// Reads one chat JSONL line, every message of it. The last two messages must be a user message
/// and the assistant's reply: they become the item's question and answer.
pub fn read_chat_line(line: &str) -> Result<ChatExample, ChatProblem> {
    let v: Value = serde_json::from_str(line).map_err(|e| ChatProblem::NotJson(e.to_string()))?;
    let messages = v
        .get("messages")
        .and_then(Value::as_array)
        .ok_or(ChatProblem::NoMessages)?;
    let mut read = Vec::with_capacity(messages.len());
    for (n, m) in messages.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str);
        if !matches!(role, Some("system" | "user" | "assistant")) {
            return Err(ChatProblem::BadRole(n + 1));
        }
        if m.get("tool_calls").is_some() || m.get("function_call").is_some() {
            return Err(ChatProblem::ToolCall(n + 1));
        }
        let content = match m.get("content") {
            Some(Value::String(c)) => c,
            None | Some(Value::Null) => return Err(ChatProblem::EmptyContent(n + 1)),
            Some(_) => return Err(ChatProblem::NotText(n + 1)),
        };
        if content.trim().is_empty() {
            return Err(ChatProblem::EmptyContent(n + 1));
        }
        read.push(ChatMessage {
            role: role.unwrap_or_default().to_string(),
            content: content.clone(),
        });
    }
    let n = read.len();
    if n < 2 || read[n - 1].role != "assistant" || read[n - 2].role != "user" {
        let exchange = read
            .windows(2)
            .any(|w| w[0].role == "user" && w[1].role == "assistant");
        return Err(if exchange {
            ChatProblem::NoFinalReply
        } else {
            ChatProblem::NoExchange
        });
    }
    let answer = read.pop().map(|m| m.content).unwrap_or_default();
    let question = read.pop().map(|m| m.content).unwrap_or_default();
    Ok(ChatExample {
        question,
        answer,
        context: read,
        line: line.to_string(),
    })
}

/// An item's chat line: an imported conversation as it was read (with its last exchange as
/// edited, if it was), else the question and the answer.
pub fn chat_line_of(item: &Item) -> String {
    let question = item.final_question().unwrap_or("");
    let answer = item.final_answer().unwrap_or("");
    let Some(imported) = &item.imported else {
        return chat_line(question, answer);
    };
    if !item.review.is_edited() {
        return imported.line.clone();
    }
    // Edited: the same line with the last exchange's texts replaced, every other field kept.
    let mut v: Value = serde_json::from_str(&imported.line).unwrap_or(Value::Null);
    match v.get_mut("messages").and_then(Value::as_array_mut) {
        Some(messages) if messages.len() >= 2 => {
            let n = messages.len();
            messages[n - 2]["content"] = Value::from(question);
            messages[n - 1]["content"] = Value::from(answer);
            v.to_string()
        }
        // Not reached: the line was read with this shape.
        _ => {
            let mut messages: Vec<Value> = imported
                .context
                .iter()
                .map(|m| json!({"role": m.role, "content": m.content}))
                .collect();
            messages.push(json!({"role": "user", "content": question}));
            messages.push(json!({"role": "assistant", "content": answer}));
            json!({ "messages": messages }).to_string()
        }
    }
}

/// A line of a file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    /// 1-based.
    pub line: usize,
    pub problem: ChatProblem,
}

/// Reads a chat JSONL file: every example, and every line that is not one (blank lines are
/// skipped). The caller decides whether a file with problems is shown at all.
pub fn read_chat_jsonl(text: &str) -> (Vec<ChatExample>, Vec<LineProblem>) {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut examples = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match read_chat_line(line) {
            Ok(e) => examples.push(e),
            Err(problem) => problems.push(LineProblem {
                line: n + 1,
                problem,
            }),
        }
    }
    (examples, problems)
}

/// A finished run holding the examples of a chat JSONL file, so the file can be reviewed,
/// filtered, edited and exported like a run. Its model names are "imported"; it makes no calls.
pub fn run_from_chat(id: String, now_ms: f64, file_name: &str, examples: Vec<ChatExample>) -> Run {
    use crate::provider::endpoint::BaseUrl;
    use crate::provider::wire::{ModelConfig, ProviderKind};
    use crate::run::{EndpointSpec, Item, ModelSpec, RunSettings, Stage, Target};
    let stem: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim_end_matches(".jsonl")
        .trim_end_matches("_chat")
        .chars()
        .map(|c| {
            if crate::template::fact::is_name_char(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let template = crate::template::fact::FactTemplate {
        fact_name: if stem.is_empty() {
            "imported".into()
        } else {
            stem.to_string()
        },
        given_fact: String::new(),
        specific_information_to_always_include: String::new(),
        questions: vec![format!("Examples read from {file_name}")],
        question_requirements: vec!["As written in the file".into()],
    };
    let model = ModelSpec {
        endpoint: 0,
        config: ModelConfig::new("imported"),
    };
    let mut run = Run::new(
        id,
        now_ms,
        template,
        crate::template::prompts::Prompts::default(),
        vec![EndpointSpec {
            kind: ProviderKind::OpenAi,
            base_url: BaseUrl::parse("http://localhost/v1").expect("a fixed, valid URL"),
            concurrency: 1,
            rpm: None,
        }],
        vec![model.clone()],
        model,
        RunSettings {
            examples: 0,
            target: Target::Attempts,
            ..RunSettings::default()
        },
    );
    let prompt = crate::template::plan::PlannedPrompt {
        question: 0,
        setting: 0,
        requirement: 0,
    };
    for (k, e) in examples.into_iter().enumerate() {
        let mut item = Item::new(k, 0, prompt, None);
        item.stage = Stage::Accepted;
        item.question = Some(e.question);
        item.answer = Some(e.answer);
        item.imported = Some(Imported {
            line: e.line,
            context: e.context,
        });
        run.items.push(item);
    }
    run.settings.examples = run.items.len();
    run
}

/// What a line of a mixed file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MixedLine {
    Chat,
    Text,
}

/// Checks a mixed file: every line a chat example or a `{"text": …}` line with text. Returns
/// how many of each, or the first line that is neither.
pub fn check_mixed(text: &str) -> Result<(usize, usize), LineProblem> {
    let (mut chat, mut plain) = (0, 0);
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let text_line = serde_json::from_str::<Value>(line).ok().and_then(|v| {
            v.get("text")
                .and_then(Value::as_str)
                .map(|t| !t.trim().is_empty())
        });
        match (text_line, read_chat_line(line)) {
            (Some(true), _) => plain += 1,
            (_, Ok(_)) => chat += 1,
            (_, Err(problem)) => {
                return Err(LineProblem {
                    line: n + 1,
                    problem,
                })
            }
        }
    }
    Ok((chat, plain))
}
