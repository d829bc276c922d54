//! Property tests over the parsers that read what users and providers send: no input makes them
//! panic, and what they accept keeps its meaning.

use crate::provider::verdict::parse_verdict;
use crate::provider::wire::{parse_response, ProviderKind, RawReply};
use crate::template::TemplateDoc;
use proptest::prelude::*;

/// JSON-ish text: fragments of templates and replies shuffled with arbitrary characters, so the
/// parsers get past the first byte more often than with random strings alone.
fn jsonish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\\",
        "\\u",
        "d800",
        "null",
        "true",
        "1e999",
        "-0",
        "\"fact_name\"",
        "\"given_fact\"",
        "\"questions\"",
        "\"question_requirements\"",
        "\"specific_information_to_always_include\"",
        "\"prompts\"",
        "\"choices\"",
        "\"message\"",
        "\"content\"",
        "\"tool_calls\"",
        "\"arguments\"",
        "\"error\"",
        "\"usage\"",
        "\"type\"",
        "\"text\"",
        "\"is_complied\"",
        "<html>",
        "data: ",
        "\n",
        " ",
        "é",
        "\u{202E}",
        "\u{0}",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(str::to_string), any::<String>()],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_template_parser_never_panics(text in jsonish()) {
        let _ = TemplateDoc::parse(&text);
    }

    #[test]
    fn reply_parsers_never_panic(body in jsonish(), status in prop::sample::select(vec![200u16, 400, 401, 429, 500, 502]), html in any::<bool>()) {
        let header = move |name: &str| (name == "content-type").then(|| if html { "text/html".to_string() } else { "application/json".to_string() });
        for kind in [ProviderKind::OpenAi, ProviderKind::Anthropic] {
            if let Ok(reply) = parse_response(kind, &RawReply { status, header: &header, redirected: false, body: &body }) {
                let _ = parse_verdict(&reply);
            }
        }
    }

    #[test]
    fn a_template_that_parses_survives_its_own_json(name in "[a-z_]{1,12}", fact in "[A-Za-z .]{1,80}") {
        let json = serde_json::json!({
            "fact_name": name, "given_fact": fact, "specific_information_to_always_include": fact,
            "questions": ["Ask about it."], "question_requirements": ["Keep it short."],
        }).to_string();
        let (doc, issues) = TemplateDoc::parse(&json);
        let doc = doc.unwrap_or_else(|| panic!("{issues:?}"));
        let (again, _) = TemplateDoc::parse(&doc.to_json());
        prop_assert_eq!(again.map(|d| d.template), Some(doc.template));
    }
}
