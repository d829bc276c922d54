//! A local provider server: OpenAI chat completions and Anthropic Messages over real HTTP, with
//! CORS, request checking, deterministic replies, fault injection and request counts.
//! It shares no code with the app: it is written from the providers' published shapes.

pub mod anthropic;
pub mod faults;
pub mod openai;
pub mod reply;
pub mod schema;
pub mod tls;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use faults::{Dice, Faults, Transient};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Counts a test can read at `GET /_stats`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    /// Every POST to a model endpoint.
    pub requests: u64,
    pub by_route: BTreeMap<String, u64>,
    pub by_kind: BTreeMap<String, u64>,
    /// Requests answered with a completion (status 200, whole body).
    pub completions: u64,
    /// Requests refused as invalid (400) or unauthenticated (401).
    pub invalid: u64,
    pub unauthorized: u64,
    pub faults: BTreeMap<String, u64>,
    pub refusals: u64,
    pub judge_no: u64,
    /// Sum of the latency added to completed requests, in ms.
    pub latency_ms_total: f64,
    /// Sum of the whole time the server spent on completed requests (checks, latency, reply), in ms.
    pub served_ms_total: f64,
    /// Our own replies that failed the published response schema (should stay 0).
    pub self_check_failures: u64,
    pub last_invalid: Option<String>,
    /// The most requests that were being answered at one time (shows HTTP/2 multiplexing).
    pub max_in_flight: u64,
    #[serde(skip)]
    pub in_flight: u64,
}

pub struct Inner {
    pub faults: Faults,
    pub dice: Dice,
    pub stats: Stats,
}

/// Shared server state.
#[derive(Clone)]
pub struct AppState {
    pub inner: Arc<Mutex<Inner>>,
    pub schemas: Arc<schema::Schemas>,
    /// When set, requests must carry this key.
    pub api_key: Option<String>,
}

impl AppState {
    pub fn new(faults: Faults, api_key: Option<String>) -> AppState {
        let dice = Dice::new(faults.seed);
        AppState {
            inner: Arc::new(Mutex::new(Inner {
                faults,
                dice,
                stats: Stats::default(),
            })),
            schemas: Arc::new(schema::Schemas::load()),
            api_key,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub fn count(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut self.lock().stats)
    }

    /// Latency and at most one transient fault for a request that passed its checks.
    pub fn roll(&self) -> (f64, Option<Transient>, Faults) {
        let mut g = self.lock();
        let faults = g.faults.clone();
        let latency = g.dice.latency_ms(&faults);
        let transient = g.dice.transient(&faults);
        (latency, transient, faults)
    }
}

/// Applies a rolled latency and fault. Returns the fault's response, if any.
pub async fn delay_and_fault(
    state: &AppState,
    latency_ms: f64,
    transient: Option<Transient>,
    faults: &Faults,
    error_body: impl Fn(StatusCode, &str, &str) -> Value,
) -> Option<Response> {
    // Counted before the wait: a client that gives up on a hang drops this future mid-sleep.
    if let Some(name) = transient
        .and_then(|t| serde_json::to_value(t).ok())
        .and_then(|v| v.as_str().map(str::to_string))
    {
        state.count(|s| *s.faults.entry(name).or_default() += 1);
    }
    let wait = match transient {
        Some(Transient::Hang) => faults.hang_ms as f64,
        _ => latency_ms,
    };
    if wait > 0.0 {
        let _guard = InFlightGuard::enter(state);
        tokio::time::sleep(Duration::from_secs_f64(wait / 1000.0)).await;
    }
    let t = transient?;
    let wait_s = faults.retry_after_ms as f64 / 1000.0;
    let resp = match t {
        Transient::RateLimited => {
            let msg = format!("Rate limit reached for requests. Please try again in {wait_s:.3}s.");
            let mut r = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                error_body(StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded", &msg),
            );
            let h = r.headers_mut();
            h.insert(
                "retry-after-ms",
                HeaderValue::from_str(&faults.retry_after_ms.to_string()).ok()?,
            );
            h.insert(
                "retry-after",
                HeaderValue::from_str(&format!("{}", (wait_s.ceil() as u64).max(1))).ok()?,
            );
            r
        }
        Transient::ServerError => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "The server had an error while processing your request.",
            ),
        ),
        Transient::Overloaded => {
            let status = StatusCode::from_u16(529).expect("529 is a valid status");
            json_response(status, error_body(status, "overloaded", "Overloaded"))
        }
        Transient::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "<html>upstream hiccup</html>",
        )
            .into_response(),
        // A truncated body is made by the caller, which has the full body.
        Transient::Truncated | Transient::Hang => return None,
    };
    Some(resp)
}

/// Counts a request that got a reply (whole, or cut short by an injected fault).
pub fn answered(
    state: &AppState,
    transient: Option<Transient>,
    latency: f64,
    started: std::time::Instant,
    outcome: &reply::Outcome,
) {
    state.count(|s| {
        if transient.is_none() {
            s.completions += 1;
            s.latency_ms_total += latency;
            s.served_ms_total += started.elapsed().as_secs_f64() * 1000.0;
        }
        match outcome {
            reply::Outcome::Refusal(_) => s.refusals += 1,
            reply::Outcome::Verdict(false) => s.judge_no += 1,
            _ => {}
        }
    });
}

/// A JSON response with a status.
pub fn json_response(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// The reply body, cut in half when the fault asks for it.
pub fn maybe_truncate(body: Value, transient: Option<Transient>) -> Response {
    let text = body.to_string();
    let text = if transient == Some(Transient::Truncated) {
        text[..text.len() / 2].to_string()
    } else {
        text
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}

/// Joined text of the messages with a role, from either protocol's message list.
pub fn texts(messages: &[Value], role: &str) -> String {
    messages
        .iter()
        .filter(|m| m.get("role").and_then(Value::as_str) == Some(role))
        .map(|m| content_text(m.get("content").unwrap_or(&Value::Null)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text of a content field: a string, or an array of text blocks.
pub fn content_text(c: &Value) -> String {
    match c {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// A header's value as text.
pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// How a real provider echoes a wrong key: the first and last few characters.
pub fn masked(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

async fn cors(req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let requested = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned();
    let mut resp = if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        if let Some(rh) = requested {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, rh);
        }
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        r
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        origin.unwrap_or(HeaderValue::from_static("*")),
    );
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(
            "retry-after, retry-after-ms, x-should-retry, request-id, x-request-id",
        ),
    );
    resp
}

async fn stats(State(state): State<AppState>) -> Json<Stats> {
    Json(state.lock().stats.clone())
}

async fn reset(State(state): State<AppState>) -> Json<Value> {
    let mut g = state.lock();
    g.stats = Stats::default();
    g.dice = Dice::new(g.faults.seed);
    Json(json!({"ok": true}))
}

async fn get_control(State(state): State<AppState>) -> Json<Faults> {
    Json(state.faults())
}

/// Merges the given fields into the fault settings and reseeds the dice.
async fn set_control(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"error": "send a JSON object of fault settings"}),
            )
        }
    };
    let mut g = state.lock();
    let mut current = serde_json::to_value(&g.faults).expect("faults serialise");
    for (k, v) in patch.as_object().expect("checked above") {
        if current.get(k).is_none() {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"error": format!("unknown setting {k}")}),
            );
        }
        current[k] = v.clone();
    }
    match serde_json::from_value::<Faults>(current) {
        Ok(f) => {
            g.dice = Dice::new(f.seed);
            g.faults = f.clone();
            Json(f).into_response()
        }
        Err(e) => json_response(StatusCode::BAD_REQUEST, json!({"error": e.to_string()})),
    }
}

async fn not_found() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"error": {"message": "Unknown request URL. Use /v1/chat/completions or /v1/messages.", "type": "invalid_request_error", "param": null, "code": "unknown_url"}}),
    )
}

/// The whole server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(openai::chat_completions))
        .route("/v1/messages", post(anthropic::messages))
        .route("/_stats", get(stats))
        .route("/_reset", post(reset))
        .route("/_control", get(get_control).post(set_control))
        .route("/health", get(|| async { "ok" }))
        .fallback(not_found)
        .layer(middleware::from_fn(cors))
        .with_state(state)
}

/// Bytes of a body, for handlers that must see invalid JSON themselves.
pub async fn body_bytes(body: Body) -> Vec<u8> {
    axum::body::to_bytes(body, 32 * 1024 * 1024)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default()
}

/// Serves `app` on an already bound listener, over HTTPS with HTTP/2 when `tls` is set.
pub async fn serve(listener: std::net::TcpListener, app: Router, tls: bool) {
    if tls {
        let config = axum_server::tls_rustls::RustlsConfig::from_config(tls::server_config());
        axum_server::from_tcp_rustls(listener, config)
            .serve(app.into_make_service())
            .await
            .expect("server runs");
    } else {
        listener.set_nonblocking(true).expect("nonblocking");
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        axum::serve(listener, app).await.expect("server runs");
    }
}

/// Starts a server on a free loopback port in this process; returns its base URL (".../v1").
pub async fn spawn(state: AppState, tls: bool) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(serve(listener, router(state), tls));
    format!("{}://{addr}/v1", if tls { "https" } else { "http" })
}

/// Counts a request as being answered while it lives (dropped too when the client gives up).
struct InFlightGuard<'a>(&'a AppState);

impl<'a> InFlightGuard<'a> {
    fn enter(state: &'a AppState) -> Self {
        state.count(|s| {
            s.in_flight += 1;
            s.max_in_flight = s.max_in_flight.max(s.in_flight);
        });
        InFlightGuard(state)
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.0.count(|s| s.in_flight -= 1);
    }
}
