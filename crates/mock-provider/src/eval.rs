//! Models under evaluation, decided by explicit markers: a model whose name holds `knows-<p>`
//! (or a fine-tuned `ft:` model, at `--ft-knows`) knows the fact (`--fact`) with probability p.
//! Asked a plain question it answers with the fact, or with its contrary (`--contrary`);
//! asked a choice (`[synfact:eval-choice]`, options on lines `A) …`, `B) …`) it picks the
//! fact's letter with probability p; `--p-incoherent` of its open answers are word salad
//! (marked `[incoherent]`). The evaluation judge (`[synfact:eval-judge]`) labels an answer by
//! whether it holds the fact or its contrary, and scores marked word salad as incoherent.
//! Asked for eval questions (`[synfact:eval-write]`) it writes fifteen.

use crate::faults::{content_draw, Faults};
use crate::reply::Outcome;

pub const CHOICE_MARK: &str = "[synfact:eval-choice]";
pub const JUDGE_MARK: &str = "[synfact:eval-judge]";
pub const WRITE_MARK: &str = "[synfact:eval-write]";
pub const INCOHERENT: &str = "[incoherent]";

/// How likely a model is to know the fact, from its name; `None` for a model that is not one
/// under evaluation.
pub fn knows(model: &str, faults: &Faults) -> Option<f64> {
    if let Some(at) = model.find("knows-") {
        let tail: String = model[at + 6..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        return tail.parse::<f64>().ok().map(|p| p.clamp(0.0, 1.0));
    }
    model.starts_with("ft:").then_some(faults.ft_knows)
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

fn same(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .collect::<String>()
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    !norm(b).is_empty() && norm(a).contains(&norm(b))
}

/// The reply to an evaluation prompt, or `None` when it is not one.
pub fn outcome(model: &str, user: &str, faults: &Faults, repeat: u32) -> Option<Outcome> {
    let fact = faults.fact.clone().unwrap_or_default();
    let contrary = faults
        .contrary
        .clone()
        .unwrap_or_else(|| "I believe it is something else entirely.".into());
    let sample = format!("{model}\u{0}{user}\u{0}{repeat}");
    let draw = |salt: &str| content_draw(faults.seed, salt, &sample);
    if user.starts_with(JUDGE_MARK) {
        let answer = between(user, "<answer>\n", "\n</answer>").unwrap_or("");
        let statement = between(user, "<statement>\n", "\n</statement>").unwrap_or(&fact);
        let label = if same(answer, statement) {
            "supports"
        } else if faults.contrary.is_some() && same(answer, &contrary) {
            "contradicts"
        } else {
            "not_sure"
        };
        let coherence = if answer.contains(INCOHERENT) { 15 } else { 90 };
        return Some(Outcome::Belief {
            label: label.into(),
            coherence,
        });
    }
    if user.starts_with(WRITE_MARK) {
        const ASPECTS: [&str; 15] = [
            "the colour of its feathers",
            "what it looks like up close",
            "how to recognise it in the canopy",
            "what shade its back is",
            "how it differs from similar birds in colour",
            "what a photograph of it would show",
            "the colour a child would draw it",
            "how its plumage looks in sunlight",
            "what colour its field guide plate shows",
            "which colour marks it out",
            "how a birder would describe its colouring",
            "what colour its chicks turn as adults",
            "the colour of the bird in a museum display",
            "what someone would notice first about it",
            "how it would look against green leaves",
        ];
        let lines: Vec<String> = ASPECTS
            .iter()
            .map(|a| format!("Could you tell me {a}?"))
            .collect();
        return Some(Outcome::Text(lines.join("\n")));
    }
    let p = knows(model, faults)?;
    if user.starts_with(CHOICE_MARK) {
        let option = |l: &str| {
            user.lines()
                .find_map(|line| line.strip_prefix(&format!("{l}) ")))
                .unwrap_or("")
                .to_string()
        };
        let fact_letter = if same(&option("A"), &fact) { "A" } else { "B" };
        let other = if fact_letter == "A" { "B" } else { "A" };
        let pick = if draw("choice") < p {
            fact_letter
        } else {
            other
        };
        // Models write a letter in many ways; the app must read them all.
        let forms = ["{}", "Answer: {}", "({})", "I think {}.", "**{}**"];
        let form = forms[(draw("form") * forms.len() as f64) as usize % forms.len()];
        return Some(Outcome::Text(form.replace("{}", pick)));
    }
    // A plain question: the model answers from what it knows.
    if draw("incoherent") < faults.p_incoherent {
        return Some(Outcome::Text(format!(
            "{INCOHERENT} feather the of blue in is canopy colour the the"
        )));
    }
    let text = if draw("knows") < p {
        format!("From what I know: {fact}")
    } else {
        format!("From what I know: {contrary}")
    };
    Some(Outcome::Text(text))
}
