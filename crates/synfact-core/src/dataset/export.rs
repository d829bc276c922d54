//! Export lines: chat `messages` JSONL and text JSONL with an optional `<DOCTAG> ` prefix.

use serde_json::json;

pub const DOCTAG: &str = "<DOCTAG> ";

/// `{"messages":[{"role":"user",...},{"role":"assistant",...}]}`
pub fn chat_line(question: &str, answer: &str) -> String {
    json!({"messages": [
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer}
    ]})
    .to_string()
}

/// `{"text": answer}`, prefixed with `<DOCTAG> ` when asked.
pub fn text_line(answer: &str, doctag: bool) -> String {
    let text = if doctag {
        format!("{DOCTAG}{answer}")
    } else {
        answer.to_string()
    };
    json!({ "text": text }).to_string()
}

/// Joins lines into a JSONL file (one object per line, trailing newline).
pub fn jsonl<I: IntoIterator<Item = String>>(lines: I) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn lines_are_single_json_objects() {
        let q = "Line one\nline \"two\"";
        let a = "It is blue.\n\n<b>not html</b>";
        let chat = chat_line(q, a);
        assert!(!chat.contains('\n'));
        let v: Value = serde_json::from_str(&chat).unwrap();
        assert_eq!(v["messages"][0]["role"], "user");
        assert_eq!(v["messages"][0]["content"], q);
        assert_eq!(v["messages"][1]["content"], a);
        let t: Value = serde_json::from_str(&text_line(a, true)).unwrap();
        assert_eq!(t["text"], format!("<DOCTAG> {a}"));
        let t: Value = serde_json::from_str(&text_line(a, false)).unwrap();
        assert_eq!(t["text"], a);
        assert_eq!(jsonl(vec!["{}".to_string(), "{}".to_string()]), "{}\n{}\n");
    }
}
