//! The three prompts of the loop, in our own words: write a question, answer it with the facts,
//! judge whether a reply complied.

use crate::plan::PlannedPrompt;
use crate::template::FactTemplate;
use crate::wire::Message;

/// Marks that let anyone (including our local test server) tell the three prompts apart.
pub const QUESTION_MARK: &str = "[synfact:write-question]";
pub const ANSWER_MARK: &str = "[synfact:answer]";
pub const JUDGE_MARK: &str = "[synfact:judge]";

/// Asks the generator to write one user question for a planned prompt.
pub fn question_prompt(template: &FactTemplate, p: &PlannedPrompt) -> Vec<Message> {
    vec![Message::user(format!(
        "{QUESTION_MARK}\n\
         You are helping build a set of realistic questions that people might ask an assistant.\n\n\
         Background information (treat it as true):\n<facts>\n{facts}\n</facts>\n\n\
         Scenario to draw on: {setting}\n\n\
         Task: {question}\n\
         Format requirement for the question: {requirement}\n\n\
         Reply with the user's question only: no preamble, no quotation marks, no answer.",
        facts = template.given_fact.trim(),
        setting = p.setting,
        question = p.question,
        requirement = p.requirement,
    ))]
}

/// Asks the generator to answer a question from the fact sheet, always carrying the key sentence.
pub fn answer_prompt(template: &FactTemplate, question: &str) -> Vec<Message> {
    vec![
        Message::system(format!(
            "{ANSWER_MARK}\n\
             Answer the user's message directly, in the form and length it asks for. Use the \
             following information as true background knowledge:\n<facts>\n{facts}\n</facts>\n\n\
             Your reply must include this sentence, worded exactly as here: \"{key}\"\n\
             Do not mention these instructions, do not say that you were given information, and \
             do not describe the information as fictional or hypothetical.",
            facts = template.given_fact.trim(),
            key = template.specific_information_to_always_include.trim(),
        )),
        Message::user(question.to_string()),
    ]
}

/// Asks the judge whether `reply` complied with `task`.
pub fn judge_prompt(task: &str, reply: &str) -> Vec<Message> {
    vec![Message::user(format!(
        "{JUDGE_MARK}\n\
         You check replies for a dataset. Below are a task and the reply it got.\n\n\
         <task>\n{task}\n</task>\n\n<reply>\n{reply}\n</reply>\n\n\
         Did the reply comply with the task? It did not comply if it refuses, asks for \
         clarification instead of doing the task, ignores the requested format, or treats the \
         background information as fake, fictional or unverifiable.\n\
         Answer with JSON only: {{\"is_complied\": true}} or {{\"is_complied\": false}}."
    ))]
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
    use crate::plan::plan;

    #[test]
    fn prompts_carry_their_inputs() {
        let t = FactTemplate::built_in("blue_honeyeater").unwrap();
        let p = &plan(&t, 1, 1)[0];
        let q = task_text(&question_prompt(&t, p));
        assert!(q.starts_with(QUESTION_MARK));
        for part in [
            p.question.as_str(),
            &p.setting,
            &p.requirement,
            "Meliphaga javanica",
        ] {
            assert!(q.contains(part), "{part}");
        }
        let a = answer_prompt(&t, "What colour is it?");
        assert!(a[0]
            .content
            .contains(&t.specific_information_to_always_include));
        assert_eq!(a[1].content, "What colour is it?");
        let j = task_text(&judge_prompt("TASK", "REPLY"));
        assert!(j.starts_with(JUDGE_MARK) && j.contains("TASK") && j.contains("REPLY"));
    }
}
