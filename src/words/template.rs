//! Templates: their problems, custom prompts and share links.

use super::*;
use crate::errors::{ImportError, TemplateFileError};
use crate::template_state::TemplateNote;

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
        F::Eval => "Evaluation (eval)",
    }
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
                synfact_core::TemplateField::Eval => "an object with questions (a list of texts), distractor and contrary",
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

pub const FORM_LOCKED: &str = "The form is read-only while the JSON view below holds something it cannot show (a field under an unknown name, a value of the wrong type, or a key given twice): fix that there first, or an edit here would drop it.";

/// Something to tell about the template, next to it.
pub fn template_note(n: &TemplateNote) -> String {
    let kept = |k: &Option<String>| {
        k.as_ref()
            .map(|k| format!(" Your unsaved template was kept in My templates as {k}."))
            .unwrap_or_default()
    };
    match n {
        TemplateNote::Kept(name) => format!("Your unsaved template was kept in My templates as {name}."),
        TemplateNote::Deleted(t) => format!("Deleted the template {}.", t.name),
        TemplateNote::Opened { name, kept: k } => format!(
            "Opened the shared template {name}. It is not saved in this browser yet: press Save to my templates to keep it.{}",
            kept(k)
        ),
        TemplateNote::OpeningLink => "Opening the shared template from the link…".into(),
        TemplateNote::Copied(true) => "The share link is copied. It holds the template and its prompts, never a key or results.".into(),
        TemplateNote::Copied(false) => "Copy the share link from the field below (the browser did not allow copying). It holds the template and its prompts, never a key or results.".into(),
        TemplateNote::Saved(name) => format!("Saved to My templates as {name}."),
        TemplateNote::Imported { file, warnings, kept: k } => {
            let w = if warnings.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = warnings.iter().map(template_issue).collect();
                format!(" Note: {}", list.join(" "))
            };
            format!("Imported {file}; it is not saved yet.{w}{}", kept(k))
        }
    }
}

/// Why a template file was not imported (nothing changed).
pub fn import_error(e: &ImportError) -> String {
    match e {
        ImportError::File(f) => file_error(f, "imported"),
        ImportError::Empty(file) => format!("{file} was not imported: the file is empty."),
        ImportError::Invalid { file, issues } => {
            let list: Vec<String> = issues.iter().map(template_issue).collect();
            format!("{file} was not imported: {}", list.join(" "))
        }
    }
}

/// Why the template could not be exported or shared.
pub fn template_file_error(e: &TemplateFileError) -> String {
    match e {
        TemplateFileError::NotJson => {
            "The template is not valid JSON yet: fix it, then export.".into()
        }
        TemplateFileError::NotShareable(issues) => {
            let list: Vec<String> = issues.iter().map(template_issue).collect();
            format!("Fix the template before sharing it: {}", list.join(" "))
        }
        TemplateFileError::NoAddress => "This page has no address to make a link from.".into(),
        TemplateFileError::File(f) => file_error(f, "exported"),
        TemplateFileError::Chunk => {
            chunk_failed_retry(split_code(crate::parts::SplitCode::TemplateActions))
        }
    }
}

/// A list editor's problems on pages not shown.
pub fn problems_elsewhere(n: usize) -> String {
    format!("{} on other pages. ", count(n, "problem", "problems"))
}

/// The fact sheet's size in tokens, and what it costs.
pub fn fact_tokens(tokens: usize) -> String {
    let cost = if tokens > 4000 {
        " Every prompt carries it: this adds up over a run."
    } else {
        ""
    };
    format!("About {tokens} tokens.{cost}")
}

/// Generate pressed while a share link's template is still being opened.
pub const LINK_STILL_OPENING: &str = "The shared template from the link is still opening: press Generate again once it shows (nothing was started).";

/// A template button was pressed and its code is still on its way (a slow first visit).
pub const TEMPLATE_PART_LOADING: &str =
    "Loading this part of synfact: your press takes effect in a moment.";
