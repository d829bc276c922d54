//! The page's sentences, said for a terminal: where the page names a button or field (press
//! Resume, Raise Budget (USD), Send calls: Live, the API key field), the command line names the
//! command, option or environment variable that does the same. Everything else is the page's.

use synfact_core::eval::EvalProblem;

/// Page words → command-line words, applied in order (longer phrases first).
const SAY: [(&str, &str); 23] = [
    (
        ", and that it accepts requests from this page (CORS); then press Resume.",
        ", then run the same command again.",
    ),
    (
        " For a local server: is it running, and does it allow this page's origin (CORS; e.g. OLLAMA_ORIGINS for Ollama)? Chrome may also ask permission to reach local addresses.",
        "",
    ),
    ("Raise Budget (USD) and press Resume", "Run the same command again with a higher --budget"),
    (
        "Lower Concurrency or Requests per minute (under Run settings), then press Resume",
        "Lower --concurrency or --rpm and run the same command again",
    ),
    ("choose Send calls: Live and press Resume", "run the same command again without --batch"),
    ("or choose Send calls: Live, and press Resume", "or run it without --batch"),
    ("or choose Send calls: Live", "or run the same command again without --batch"),
    ("Lower Examples", "Lower --examples"),
    (
        "Raise Examples and press Generate (with the split on, a lower Validation share also leaves more lines for training)",
        "Make a run with more --examples (or hold out a smaller --split)",
    ),
    ("raise Examples and press Generate", "make a run with more --examples"),
    (
        "The browser got no answer",
        "No answer came",
    ),
    (
        ". The provider may not allow its fine-tuning routes to be called from a web page (CORS), or the network is down. Nothing was started by this page: download the files and run the commands below in a terminal instead.",
        ": check --base-url and the network, then run the same command again.",
    ),
    ("put the key in the API key field", "put the key in its environment variable"),
    ("Check the API key for characters copied by mistake", "Check the key in the environment for characters copied by mistake"),
    ("Check the API key", "Check the key in the environment"),
    ("Check the base URL", "Check --base-url"),
    ("then press Resume", "then run the same command again"),
    ("Press Resume to carry on where it stopped", "Run the same command again to carry on where it stopped"),
    ("Press Resume", "Run the same command again"),
    ("press Resume", "run the same command again"),
    (
        "You can close this tab: open the page again to collect the results",
        "It goes on at the provider if you stop here: the same command collects the results",
    ),
    ("Checked here while the page is open; it goes on at the provider if you close it.", ""),
    ("the belief rates are under Results.", "the belief rates follow."),
];

/// A page sentence, said for the command line.
pub fn say(page: &str) -> String {
    let mut s = page.to_string();
    for (from, to) in SAY {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s.trim_end().to_string()
}

/// Why an evaluation cannot start, with the options that fix it.
pub fn eval_problem(p: &EvalProblem) -> String {
    match p {
        EvalProblem::NoKind => "--kinds names no kind of question: use open, choice and/or distinguish.".into(),
        EvalProblem::NoQuestions => "no eval questions: give --question (repeat it for several), or a template file with eval questions (the page writes them: Write eval questions, then Save).".into(),
        EvalProblem::NoContrary => "no contrary statement for the distinguish questions: give --contrary \"… is yellow\" (the opposite of the key sentence), or leave distinguish out of --kinds.".into(),
        other => synfact::words::eval_problem(other),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn page_buttons_become_commands() {
        let paused = super::say("Paused: 3 of 10 items done. Press Resume to carry on.");
        assert_eq!(
            paused,
            "Paused: 3 of 10 items done. Run the same command again to carry on."
        );
        let budget = super::say(
            "Paused: reached the budget ($0.0050). Raise Budget (USD) and press Resume to go on.",
        );
        assert!(budget.contains("with a higher --budget"), "{budget}");
        assert!(!super::say("x could not be reached: refused. Check the base URL, that the server is running, and that it accepts requests from this page (CORS); then press Resume. For a local server: is it running, and does it allow this page's origin (CORS; e.g. OLLAMA_ORIGINS for Ollama)? Chrome may also ask permission to reach local addresses.").contains("page"));
    }
}
