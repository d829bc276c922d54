//! The retry policy, case by case: each line is one failure and what must happen.

use super::*;
use crate::provider::error::BodyProblem;

fn http(status: u16, code: Option<&str>, error_type: Option<&str>, message: &str) -> CallError {
    CallError::new(
        ErrorKind::Http {
            status,
            code: code.map(Into::into),
            error_type: error_type.map(Into::into),
        },
        message,
    )
}

fn check(error: CallError, reached: bool, expected: Decision) {
    assert_eq!(decide(&error, reached), expected, "{error:?}");
}

#[test]
fn transient_failures_are_retried() {
    for e in [
        CallError::new(ErrorKind::Network, "x"),
        CallError::new(ErrorKind::Timeout { after_ms: 1 }, "x"),
        CallError::new(ErrorKind::Body(BodyProblem::NotJson), "x"),
        CallError::new(ErrorKind::Body(BodyProblem::Empty), ""),
        CallError::new(
            ErrorKind::Body(BodyProblem::ErrorObject),
            "Upstream provider overloaded",
        ),
        http(408, None, None, "x"),
        http(409, None, None, "x"),
        http(429, Some("rate_limit_exceeded"), None, "x"),
        http(500, None, None, "x"),
        http(503, None, None, "x"),
        http(529, None, Some("overloaded_error"), "x"),
        http(599, None, None, "x"),
    ] {
        check(e, false, Decision::Retry);
    }
}

#[test]
fn permanent_failures_stop_the_run_naming_the_problem() {
    use ProviderProblem::*;
    let cases = [
        (http(400, None, None, "bad"), BadRequest { status: 400 }),
        (http(422, None, None, "bad"), BadRequest { status: 422 }),
        (http(401, None, None, "Incorrect API key"), KeyRejected),
        (
            http(
                401,
                None,
                Some("authentication_error"),
                "CORS requests must set 'anthropic-dangerous-direct-browser-access' header",
            ),
            BrowserAccessRefused,
        ),
        (http(403, None, None, "no"), Forbidden),
        (http(404, None, None, "no such model"), NotFound),
        (
            http(429, Some("insufficient_quota"), None, "quota"),
            NoQuota,
        ),
        (
            http(429, None, Some("insufficient_quota"), "quota"),
            NoQuota,
        ),
        (
            http(
                400,
                None,
                Some("invalid_request_error"),
                "You have reached your specified API usage limits; spend limit",
            ),
            Billing,
        ),
        (http(400, None, Some("billing_error"), "billing"), Billing),
        (http(402, None, None, "pay"), Billing),
        (
            http(400, None, None, "Your credit balance is too low"),
            Billing,
        ),
        (
            CallError::new(ErrorKind::Request, "Headers.append: invalid value"),
            RequestRefused,
        ),
    ];
    for (e, problem) in cases {
        check(e, true, Decision::StopRun(problem));
    }
}

#[test]
fn a_web_page_stops_the_run_only_before_the_endpoint_ever_answered() {
    let page = CallError::new(
        ErrorKind::NotAnApi {
            status: 200,
            redirected: true,
        },
        "Sign in",
    );
    check(
        page.clone(),
        false,
        Decision::StopRun(ProviderProblem::NotAnApi {
            status: 200,
            redirected: true,
        }),
    );
    check(page, true, Decision::Retry);
}

#[test]
fn an_aborted_call_is_forgotten() {
    check(
        CallError::new(ErrorKind::Aborted, ""),
        false,
        Decision::Forget,
    );
}

#[test]
fn a_prompt_too_long_for_the_context_fails_only_its_item() {
    for (code, error_type, message) in [
        (Some("context_length_exceeded"), None, "This model's maximum context length is 8192 tokens."),
        (None, Some("exceed_context_size_error"), "request (2162 tokens) exceeds the available context size (2048 tokens), try increasing it"),
        (None, None, "request (2162 tokens) exceeds the available context size (2048 tokens)"),
        (None, Some("invalid_request_error"), "prompt is too long: 210000 tokens > 200000 maximum"),
        (None, None, "This model's maximum context length is 4096 tokens"),
        (None, None, "Input is too long for requested model."),
        (Some("context_length_exceeded"), None, "Bad request."),
        (None, Some("exceed_context_size_error"), "Bad request."),
    ] {
        let e = http(400, code, error_type, message);
        match decide(&e, true) {
            Decision::FailItem(Reason::TooLong { detail }) => assert_eq!(detail, message),
            d => panic!("{message}: {d:?}"),
        }
    }
    // The same words on a 500 are the server's problem: retried.
    check(http(500, None, None, "context size"), true, Decision::Retry);
    check(
        http(413, None, None, "too many tokens"),
        true,
        Decision::FailItem(Reason::TooLong {
            detail: "too many tokens".into(),
        }),
    );
}

#[test]
fn the_room_left_for_a_reply_is_read_from_openais_message() {
    let m = "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (5000 in the messages, 4000 in the completion). Please reduce the length of the messages or completion.";
    assert_eq!(fitting_max_tokens(m, 4000), Some(8192 - 5000 - 16));
    assert_eq!(
        fitting_max_tokens(m, 3000),
        None,
        "already small enough: something else is wrong"
    );
    let full = "maximum context length is 8192 tokens. However, you requested 9000 tokens (8190 in the messages, 10 in the completion)";
    assert_eq!(
        fitting_max_tokens(full, 4000),
        None,
        "the messages alone fill the context"
    );
    assert_eq!(
        fitting_max_tokens(
            "request (2162 tokens) exceeds the available context size (2048 tokens)",
            4000
        ),
        None
    );
    let tight = "maximum context length is 100 tokens. (68 in the messages, 40 in the completion)";
    assert_eq!(fitting_max_tokens(tight, 40), Some(16));
    let tighter =
        "maximum context length is 100 tokens. (69 in the messages, 40 in the completion)";
    assert_eq!(
        fitting_max_tokens(tighter, 40),
        None,
        "less than 16 tokens of room is no room"
    );
}

#[test]
fn backoff_grows_is_capped_and_honours_hints() {
    assert_eq!(backoff_ms(1, 500, 30_000, None, 0.0), 250);
    assert_eq!(backoff_ms(1, 500, 30_000, None, 0.999_999), 499);
    assert_eq!(backoff_ms(2, 500, 30_000, None, 0.0), 500);
    assert_eq!(backoff_ms(3, 500, 30_000, None, 0.999_999), 1999);
    assert_eq!(backoff_ms(30, 500, 30_000, None, 0.999_999), 29_999);
    assert_eq!(
        backoff_ms(7, 500, 30_000, None, 0.0),
        15_000,
        "capped before the jitter"
    );
    // A hint is a floor; the jitter above it is at most one base interval.
    assert_eq!(backoff_ms(1, 500, 30_000, Some(5_000), 0.0), 5_000);
    assert_eq!(backoff_ms(5, 500, 30_000, Some(5_000), 0.999_999), 5_500);
    assert_eq!(backoff_ms(3, 500, 30_000, Some(1_200), 0.999_999), 1_700);
    assert_eq!(backoff_ms(3, 500, 30_000, Some(1_200), 0.5), 1_500);
    assert_eq!(
        backoff_ms(0, 500, 30_000, None, 0.0),
        250,
        "retry 0 counts as the first"
    );
}
