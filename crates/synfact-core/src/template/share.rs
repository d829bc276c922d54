//! Share links: a template (and its custom prompts) in a URL fragment, `#t=1.<payload>`, where
//! the payload is the template file, zlib-compressed (`miniz_oxide`, whose Adler-32 check catches
//! a cut or altered link) and base64url-encoded. Never a key, a base URL or a result: only the
//! template file goes in. The fragment never reaches a web server.

use crate::template::names::TemplateIssue;
use crate::template::TemplateDoc;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// The fragment's prefix, before the version.
pub const PREFIX: &str = "#t=";
/// The format this build writes and reads.
pub const VERSION: u32 = 1;
/// The most a link may expand to: a guard against a tiny link that inflates to gigabytes.
pub const MAX_EXPANDED: usize = 8 * 1024 * 1024;

/// Why a link cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// The fragment does not start with `#t=`.
    #[error("not a share link")]
    NotALink,
    /// `#t=<x>.`: no version number, or a scheme of another program.
    #[error("foreign link")]
    Foreign,
    /// Made by a newer synfact.
    #[error("future version {0}")]
    FutureVersion(u32),
    /// The payload is not base64url: cut or altered.
    #[error("damaged payload")]
    Damaged,
    /// The payload does not decompress, or fails its checksum: cut or altered.
    #[error("truncated or altered payload")]
    Corrupt,
    /// It expands past `MAX_EXPANDED`.
    #[error("too large")]
    TooLarge,
    /// It decodes, but is not a usable template.
    #[error("not a template")]
    NotATemplate(Vec<TemplateIssue>),
}

/// The fragment (`#t=1.…`) for a template.
pub fn encode(doc: &TemplateDoc) -> String {
    let json = doc.to_json();
    // Compact JSON: whitespace would only lengthen the link.
    let compact = serde_json::from_str::<serde_json::Value>(&json)
        .map(|v| v.to_string())
        .unwrap_or(json);
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(compact.as_bytes(), 9);
    format!("{PREFIX}{VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The template in a fragment (with or without its leading `#`).
pub fn decode(fragment: &str) -> Result<TemplateDoc, LinkError> {
    let f = fragment.trim();
    let f = f.strip_prefix('#').unwrap_or(f);
    let rest = f.strip_prefix(&PREFIX[1..]).ok_or(LinkError::NotALink)?;
    let (version, payload) = rest.split_once('.').ok_or(LinkError::Foreign)?;
    let version: u32 = version.parse().map_err(|_| LinkError::Foreign)?;
    if version > VERSION {
        return Err(LinkError::FutureVersion(version));
    }
    if version == 0 {
        return Err(LinkError::Foreign);
    }
    // Links pasted from mail or chat may carry spaces, line breaks or percent-escapes of them
    // (%0A, %20, …), which are not part of the payload.
    let payload: String = percent_decoded(payload)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let packed = URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .map_err(|_| LinkError::Damaged)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_EXPANDED)
        .map_err(|e| {
            if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                LinkError::TooLarge
            } else {
                LinkError::Corrupt
            }
        })?;
    let text = String::from_utf8(bytes).map_err(|_| LinkError::Corrupt)?;
    let (doc, issues) = TemplateDoc::parse(&text);
    let errors: Vec<TemplateIssue> = issues.into_iter().filter(|i| !i.is_warning()).collect();
    match doc {
        Some(d) if errors.is_empty() => Ok(d),
        _ => Err(LinkError::NotATemplate(errors)),
    }
}

/// `%0A` → a line break, `%2D` → `-`: escapes of ASCII decoded, anything else left as it is (a
/// payload never holds `%`, so what is left is damage, found by the base64 decoder).
fn percent_decoded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 1..at + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .filter(u8::is_ascii);
        match code {
            Some(b) => {
                out.push(b as char);
                rest = &rest[at + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::prompts::PromptKind;
    use crate::template::{FactTemplate, BUILT_IN};
    use proptest::prelude::*;

    fn doc(name: &str) -> TemplateDoc {
        TemplateDoc {
            template: FactTemplate::built_in(name).unwrap(),
            prompts: Default::default(),
            eval: Default::default(),
        }
    }

    #[test]
    fn every_built_in_round_trips() {
        for (name, _) in BUILT_IN {
            let d = doc(name);
            let link = encode(&d);
            assert!(link.starts_with("#t=1."));
            assert!(link[5..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            assert_eq!(decode(&link).unwrap(), d, "{name}");
            // Without the '#', and with a line break a mail program added.
            let wrapped = format!("{}\n{}", &link[1..40], &link[40..]);
            assert_eq!(decode(&wrapped).unwrap(), d);
            // With a line break or a space escaped by the program it was copied from.
            for escape in ["%0A", "%0D%0A", "%20", "%09"] {
                let escaped = format!("{}{escape}{}", &link[..40], &link[40..]);
                assert_eq!(decode(&escaped).unwrap(), d, "{escape}");
            }
        }
    }

    #[test]
    fn custom_prompts_travel_and_a_100_kb_fact_sheet_still_shares() {
        let mut d = doc("blue_honeyeater");
        d.prompts
            .set(PromptKind::Judge, "Judge {reply} strictly.".into());
        // 100 KB of varied text (compresses like prose, not like one repeated line).
        let words = [
            "blue",
            "honeyeater",
            "canopy",
            "nectar",
            "Java",
            "montane",
            "forest",
            "song",
            "pairs",
            "nest",
        ];
        let mut x: u64 = 7;
        let mut fact = String::new();
        while fact.len() < 100_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            fact.push_str(words[(x >> 33) as usize % words.len()]);
            fact.push(if x.is_multiple_of(11) { '.' } else { ' ' });
        }
        d.template.given_fact = fact;
        let link = encode(&d);
        let back = decode(&link).unwrap();
        assert_eq!(back, d);
        assert!(link.len() < 100_000, "{} characters", link.len());
    }

    #[test]
    fn each_kind_of_broken_link_says_what_it_is() {
        let good = encode(&doc("pandas_habitat"));
        assert_eq!(decode("#about"), Err(LinkError::NotALink));
        assert_eq!(decode("#t=abc"), Err(LinkError::Foreign));
        assert_eq!(decode("#t=x.abc"), Err(LinkError::Foreign));
        assert_eq!(decode("#t=0.abc"), Err(LinkError::Foreign));
        assert_eq!(
            decode(&good.replacen("#t=1.", "#t=2.", 1)),
            Err(LinkError::FutureVersion(2))
        );
        assert_eq!(decode(&format!("{good}!*")), Err(LinkError::Damaged));
        // Cut short, and one character changed: the checksum or the inflater notices.
        assert_eq!(decode(&good[..good.len() - 12]), Err(LinkError::Corrupt));
        let mut altered: Vec<char> = good.chars().collect();
        let mid = altered.len() / 2;
        altered[mid] = if altered[mid] == 'A' { 'B' } else { 'A' };
        let altered: String = altered.into_iter().collect();
        assert!(matches!(
            decode(&altered),
            Err(LinkError::Corrupt | LinkError::Damaged)
        ));
        // Well formed, but not a template.
        let not = format!(
            "#t=1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
                b"{\"fact_name\": 3}",
                9
            ))
        );
        assert!(matches!(decode(&not), Err(LinkError::NotATemplate(e)) if !e.is_empty()));
        // A bomb: a small link that would expand to 50 MB.
        let bomb = format!(
            "#t=1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
                &vec![b' '; 50_000_000],
                9
            ))
        );
        assert!(bomb.len() < 200_000);
        assert_eq!(decode(&bomb), Err(LinkError::TooLarge));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn no_fragment_makes_the_decoder_panic(s in ".{0,400}") {
            let _ = decode(&s);
            let _ = decode(&format!("#t=1.{s}"));
        }

        #[test]
        fn no_bytes_make_the_decoder_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = decode(&format!("#t=1.{}", URL_SAFE_NO_PAD.encode(&bytes)));
            let mut z = miniz_oxide::deflate::compress_to_vec_zlib(&bytes, 6);
            z.truncate(z.len() / 2 + 1);
            let _ = decode(&format!("#t=1.{}", URL_SAFE_NO_PAD.encode(&z)));
        }

        #[test]
        fn no_text_makes_the_template_parser_panic(s in "\\PC{0,300}") {
            let _ = TemplateDoc::parse(&s);
            let _ = TemplateDoc::parse(&format!("{{\"fact_name\": {s}}}"));
        }
    }
}
