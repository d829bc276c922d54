//! The plumbing shared by OpenAI's files, fine-tuning and batch routes: requests as plain data
//! (the adapter sends them with the key in its header only), errors read from replies, the
//! polling back-off, and the upload of a file.

use crate::provider::endpoint::BaseUrl;
use crate::provider::wire::ProviderKind;
use serde_json::Value;

/// A request's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    None,
    Json(String),
    /// A file upload: the adapter builds the multipart form (the browser sets the boundary).
    File {
        purpose: &'static str,
        file_name: String,
        content: String,
    },
}

/// One request to a provider's files, fine-tuning or batch routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub body: Body,
}

/// The headers that carry `key` on the protocol's non-chat routes (files, batches): OpenAI's
/// bearer token (none for a local server without a key), Anthropic's `x-api-key` with its
/// version. A native client adds them; a browser sends only OpenAI's.
pub fn auth_headers(kind: ProviderKind, key: &str) -> Vec<(&'static str, String)> {
    let key = key.trim();
    match kind {
        ProviderKind::OpenAi if key.is_empty() => Vec::new(),
        ProviderKind::OpenAi => vec![("authorization", format!("Bearer {key}"))],
        ProviderKind::Anthropic => vec![
            ("x-api-key", key.to_string()),
            ("anthropic-version", "2023-06-01".to_string()),
        ],
    }
}

pub fn url(base: &BaseUrl, path: &str) -> String {
    format!("{}/{path}", base.as_str().trim_end_matches('/'))
}

/// What went wrong with a call to a provider's files, fine-tuning or batch routes that answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// An HTTP error with the provider's error object: its message, and the parameter and code
    /// it names (what to fix).
    #[error("{status}: {message}")]
    Http {
        status: u16,
        message: String,
        param: Option<String>,
        code: Option<String>,
    },
    /// A reply that is not what the API documents.
    #[error("unreadable: {0}")]
    Unreadable(String),
}

pub fn json_of(status: u16, body: &str) -> Result<Value, ApiError> {
    let v: Option<Value> = serde_json::from_str(body).ok();
    if !(200..300).contains(&status) {
        let e = v.as_ref().and_then(|v| v.get("error"));
        let text = |k: &str| {
            e.and_then(|e| e.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        return Err(ApiError::Http {
            status,
            message: text("message").unwrap_or_else(|| body.chars().take(300).collect()),
            param: text("param"),
            code: text("code"),
        });
    }
    v.ok_or_else(|| ApiError::Unreadable(body.chars().take(120).collect()))
}

/// The id of an uploaded file.
pub fn read_file(status: u16, body: &str) -> Result<String, ApiError> {
    let v = json_of(status, body)?;
    v.get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ApiError::Unreadable("no \"id\" in the file".into()))
}

/// How long to wait before polling a job (a fine-tune, a batch) again, after `unchanged` polls in a row that changed
/// nothing: 1 s, growing by half each time, at most 30 s.
pub fn poll_delay_ms(unchanged: u32) -> u64 {
    (1000.0 * 1.5f64.powi(unchanged.min(20) as i32)).min(30_000.0) as u64
}
