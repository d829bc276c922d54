use super::*;

fn ok(text: &str, expected: &str) {
    assert_eq!(
        BaseUrl::parse(text).map(|b| b.to_string()),
        Ok(expected.to_string()),
        "{text}"
    );
}

fn bad(text: &str, expected: UrlError) {
    assert_eq!(BaseUrl::parse(text), Err(expected), "{text}");
}

#[test]
fn normalises_what_people_type() {
    ok("https://api.openai.com/v1", "https://api.openai.com/v1");
    ok(
        "  https://api.openai.com/v1/  ",
        "https://api.openai.com/v1",
    );
    ok("HTTP://LocalHost:8080/v1", "http://localhost:8080/v1");
    ok(
        "https://Example.com:443/api/v1//",
        "https://example.com/api/v1",
    );
    ok("http://example.com:80", "http://example.com");
    ok("http://[::1]:11434/v1", "http://[::1]:11434/v1");
    ok("http://127.0.0.1:8787/v1", "http://127.0.0.1:8787/v1");
    ok("http://my_host.internal:1/", "http://my_host.internal:1");
}

#[test]
fn refuses_what_would_send_a_key_astray() {
    bad("", UrlError::Empty);
    bad("   ", UrlError::Empty);
    bad("http://", UrlError::MissingHost);
    bad("https://", UrlError::MissingHost);
    bad("https:///v1", UrlError::MissingHost);
    bad("http://:8080/v1", UrlError::MissingHost);
    bad(
        "https://user:pass@api.example.com/v1",
        UrlError::Credentials,
    );
    bad("https://token@api.example.com/v1", UrlError::Credentials);
    bad(
        "file:///etc/passwd",
        UrlError::UnsupportedScheme("file".into()),
    );
    bad(
        "javascript:alert(1)",
        UrlError::UnsupportedScheme("javascript".into()),
    );
    bad(
        "ftp://example.com/v1",
        UrlError::UnsupportedScheme("ftp".into()),
    );
    bad(
        "ws://example.com/v1",
        UrlError::UnsupportedScheme("ws".into()),
    );
    bad(
        "https://api.example.com/v1?key=1",
        UrlError::QueryOrFragment,
    );
    bad("https://api.example.com/v1#x", UrlError::QueryOrFragment);
    bad("https://api.exa mple.com/v1", UrlError::Whitespace);
    // The address of a call pasted from an API's documentation: refused where it is typed,
    // still read where it was stored.
    assert_eq!(
        BaseUrl::parse_typed("http://127.0.0.1:8131/v1/chat/completions/"),
        Err(UrlError::CallPath {
            suggestion: "http://127.0.0.1:8131/v1".into(),
        })
    );
    assert_eq!(
        BaseUrl::parse_typed("https://api.anthropic.com/v1/messages"),
        Err(UrlError::CallPath {
            suggestion: "https://api.anthropic.com/v1".into(),
        })
    );
    assert!(BaseUrl::parse("https://api.anthropic.com/v1/messages").is_ok());
    assert!(BaseUrl::parse_typed("https://api.anthropic.com/v1").is_ok());
    bad(
        "http://localhost:99999/v1",
        UrlError::BadPort("99999".into()),
    );
    bad("http://localhost:abc/v1", UrlError::BadPort("abc".into()));
    bad(
        "https://bücher.example/v1",
        UrlError::BadHost("bücher.example".into()),
    );
    bad(
        "myserver:8080/v1",
        UrlError::MissingScheme {
            suggestion: "https://myserver:8080/v1".into(),
        },
    );
    bad(
        "localhost:1234",
        UrlError::MissingScheme {
            suggestion: "http://localhost:1234".into(),
        },
    );
    bad(
        "api.openai.com/v1/",
        UrlError::MissingScheme {
            suggestion: "https://api.openai.com/v1".into(),
        },
    );
    // A slash short, or none: the scheme is right, the slashes are not.
    bad(
        "http:/127.0.0.1:8899/v1",
        UrlError::MissingScheme {
            suggestion: "http://127.0.0.1:8899/v1".into(),
        },
    );
    bad(
        "https:api.openai.com/v1",
        UrlError::MissingScheme {
            suggestion: "https://api.openai.com/v1".into(),
        },
    );
}

#[test]
fn parts_and_suggestions() {
    let b = BaseUrl::parse("http://127.0.0.1:8080").unwrap();
    assert_eq!(b.host(), "127.0.0.1:8080");
    assert!(b.is_local() && !b.is_https());
    assert_eq!(
        b.join("chat/completions"),
        "http://127.0.0.1:8080/chat/completions"
    );
    assert_eq!(b.with_v1().unwrap().as_str(), "http://127.0.0.1:8080/v1");
    let v = BaseUrl::parse("https://generativelanguage.googleapis.com/v1beta/openai").unwrap();
    assert_eq!(v.with_v1(), None);
    assert!(!v.is_local());
    for local in [
        "http://localhost:1/v1",
        "http://192.168.1.4/v1",
        "http://172.20.0.1/v1",
        "http://[::1]/v1",
    ] {
        assert!(BaseUrl::parse(local).unwrap().is_local(), "{local}");
    }
    assert!(!BaseUrl::parse("http://172.40.0.1/v1").unwrap().is_local());
    // A version segment anywhere in the path, not in the host.
    let v1 = |s: &str| BaseUrl::parse(s).unwrap().with_v1().map(|b| b.to_string());
    assert_eq!(
        v1("https://v1.example.com"),
        Some("https://v1.example.com/v1".into())
    );
    assert_eq!(
        v1("https://example.com/vendor"),
        Some("https://example.com/vendor/v1".into())
    );
    assert_eq!(
        v1("https://example.com/v"),
        Some("https://example.com/v/v1".into())
    );
    assert_eq!(v1("https://example.com/api/v2/x"), None);
}

#[test]
fn ports_and_brackets_are_checked_exactly() {
    bad("http://localhost:0/v1", UrlError::BadPort("0".into()));
    bad("http://localhost:+80/v1", UrlError::BadPort("+80".into()));
    ok("http://localhost:/v1", "http://localhost/v1");
    ok(
        "http://[::ffff:127.0.0.1]:8/v1",
        "http://[::ffff:127.0.0.1]:8/v1",
    );
    bad("http://[::1/v1", UrlError::BadHost("[::1".into()));
    bad("http://[::g]/v1", UrlError::BadHost("[::g]".into()));
    bad(
        "mailto:someone",
        UrlError::UnsupportedScheme("mailto".into()),
    );
    bad(
        "host:8080",
        UrlError::MissingScheme {
            suggestion: "https://host:8080".into(),
        },
    );
}

#[test]
fn serialises_as_a_plain_string_and_refuses_bad_ones() {
    let b = BaseUrl::parse("https://a.example/v1").unwrap();
    assert_eq!(
        serde_json::to_string(&b).unwrap(),
        "\"https://a.example/v1\""
    );
    assert_eq!(
        serde_json::from_str::<BaseUrl>("\"https://a.example/v1/\"").unwrap(),
        b
    );
    assert!(serde_json::from_str::<BaseUrl>("\"http://\"").is_err());
}

#[test]
fn redaction_removes_keys_and_their_masked_echoes() {
    let m = redact(
        "Incorrect API key provided: sk-abc***wxyz. You can find",
        "sk-abcdefwxyz",
    );
    assert_eq!(m, "Incorrect API key provided: [redacted] You can find");
    assert_eq!(
        redact("bad key sk-live-12345 here", "sk-live-12345"),
        "bad key [redacted] here"
    );
    assert_eq!(redact("plain text", ""), "plain text");
    // The key itself, wherever it is, once it is 4 characters or more.
    assert_eq!(redact("xabcdx", "abcd"), "x[redacted]x");
    assert_eq!(
        redact("xabcx", "abc"),
        "xabcx",
        "3 characters would hit ordinary words"
    );
    // Key-like words, whatever the key: over 6 characters with a key prefix or a mask.
    assert_eq!(redact("k sk-abcd k", "zzzz"), "k [redacted] k");
    assert_eq!(redact("k sk-abc k", "zzzz"), "k sk-abc k");
    assert_eq!(redact("AIzaSyA1 hf_abcdefg", ""), "[redacted] [redacted]");
    assert_eq!(
        redact("ab***cd a***bc ab**cdef", ""),
        "[redacted] a***bc ab**cdef"
    );
    // Words are whitespace-separated, newlines and tabs included, and the spacing is kept.
    assert_eq!(
        redact("line\nsk-abcdefg\tend  two", ""),
        "line\n[redacted]\tend  two"
    );
    assert_eq!(redact("(sk-abcdefg).", ""), "[redacted]");
    assert_eq!(redact("", "sk-abcdefg"), "");
}

#[test]
fn keys_must_be_printable_ascii() {
    assert_eq!(check_key("  sk-abc123_-.XYZ  "), Ok(()));
    assert_eq!(check_key(""), Ok(()));
    let e = check_key("sk-proj-\u{200B}abc").unwrap_err();
    assert_eq!(
        (e.position, e.character, e.invisible),
        (9, '\u{200B}', true)
    );
    let e = check_key("“sk-abc”").unwrap_err();
    assert_eq!((e.position, e.invisible), (1, false));
    let e = check_key("sk-✓").unwrap_err();
    assert_eq!((e.position, e.character), (4, '✓'));
    // A space is seen, not invisible: said as a space.
    let e = check_key("sk-a b").unwrap_err();
    assert!(!e.invisible && e.position == 5 && e.character == ' ' && e.word.is_none());
    assert!(check_key("sk-\u{FEFF}").unwrap_err().invisible);
    // A header's scheme copied with the key: the word is named, whatever it is.
    assert_eq!(
        check_key("Token sk-abc").unwrap_err().word.as_deref(),
        Some("Token")
    );
    assert_eq!(
        check_key("Bearer sk-abc").unwrap_err().word.as_deref(),
        Some("Bearer")
    );
    assert_eq!(check_key("sk-abc def").unwrap_err().word, None);
}
