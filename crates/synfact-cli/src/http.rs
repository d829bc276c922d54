//! One model call over HTTP: the core's request (the key only in its own provider's header), the
//! reply read by the core exactly as the page reads it, failures told apart the same way; and
//! the requests of the files and batch routes.

use std::time::Duration;
use synfact_core::provider::endpoint::{redact, BaseUrl};
use synfact_core::provider::error::{BodyProblem, CallError, ErrorKind};
use synfact_core::provider::files::{auth_headers, Body, Request};
use synfact_core::provider::wire::{
    build_request, parse_response, Completion, LlmCall, ProviderKind, RawReply,
};

pub async fn call(
    client: &reqwest::Client,
    kind: ProviderKind,
    base: &BaseUrl,
    key: &str,
    llm: &LlmCall,
    timeout_ms: u64,
) -> Result<Completion, CallError> {
    let http = build_request(kind, base, key, llm);
    let scrub = |t: String| redact(&t, key);
    let mut req = client
        .post(&http.url)
        .timeout(Duration::from_millis(timeout_ms))
        .body(http.body);
    for (k, v) in &http.headers {
        req = req.header(k, v);
    }
    let response = req.send().await.map_err(|e| {
        if e.is_timeout() {
            CallError::new(
                ErrorKind::Timeout {
                    after_ms: timeout_ms,
                },
                "",
            )
        } else if e.is_builder() {
            CallError::new(ErrorKind::Request, scrub(e.to_string()))
        } else {
            CallError::new(ErrorKind::Network, scrub(e.to_string()))
        }
    })?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.map_err(|e| {
        if e.is_timeout() {
            CallError::new(
                ErrorKind::Timeout {
                    after_ms: timeout_ms,
                },
                "",
            )
        } else {
            CallError::new(
                ErrorKind::Body(BodyProblem::Truncated),
                scrub(e.to_string()),
            )
        }
    })?;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    parse_response(
        kind,
        &RawReply {
            status,
            header: &header,
            redirected: false,
            body: &body,
        },
    )
    .map_err(|mut e| {
        e.detail = scrub(e.detail);
        e
    })
}

/// A request to a provider's files or batch routes, with the key in its protocol's headers only:
/// the status and body, or why nothing answered (the key removed from the words).
pub async fn route(
    client: &reqwest::Client,
    kind: ProviderKind,
    key: &str,
    req: &Request,
) -> Result<(u16, String), String> {
    let mut b = match req.method {
        "GET" => client.get(&req.url),
        _ => client.post(&req.url),
    }
    .timeout(Duration::from_secs(300));
    for (k, v) in auth_headers(kind, key) {
        b = b.header(k, v);
    }
    b = match &req.body {
        Body::None => b,
        Body::Json(text) => b
            .header("content-type", "application/json")
            .body(text.clone()),
        Body::File {
            purpose,
            file_name,
            content,
        } => b.multipart(
            reqwest::multipart::Form::new()
                .text("purpose", *purpose)
                .part(
                    "file",
                    reqwest::multipart::Part::text(content.clone()).file_name(file_name.clone()),
                ),
        ),
    };
    let scrub = |e: reqwest::Error| redact(&e.to_string(), key);
    let response = b.send().await.map_err(scrub)?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.map_err(scrub)?))
}
