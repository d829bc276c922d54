//! Text as the checks compare it: quote and dash styles unified, spacing collapsed, and, when
//! lenient, case and punctuation ignored. Used by the template's checks, the quality checks and
//! the near-duplicate detector.

/// Text as compared by the key-sentence check: quote and dash styles unified, spacing collapsed;
/// `lenient` also ignores case and punctuation (words only).
pub fn normalize(text: &str, lenient: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{00A0}' | '\u{2009}' | '\u{202F}' => ' ',
            c => c,
        };
        let keep = if lenient {
            c.is_alphanumeric()
        } else {
            !c.is_whitespace()
        };
        if keep {
            if lenient {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

/// Whether `text` carries `sentence` (see `normalize`). Lenient matching is on whole words.
pub fn contains_sentence(text: &str, sentence: &str, lenient: bool) -> bool {
    let needle = normalize(sentence, lenient);
    if needle.is_empty() {
        return true;
    }
    let hay = normalize(text, lenient);
    if lenient {
        format!(" {hay} ").contains(&format!(" {needle} "))
    } else {
        hay.contains(&needle)
    }
}
