//! A local provider server: OpenAI chat completions and Anthropic Messages over real HTTP, with
//! CORS, request checking, deterministic replies, fault injection and request counts.
//! It shares no code with the app: it is written from the providers' published shapes.

pub mod anthropic;
pub mod batch;
pub mod eval;
pub mod faults;
pub mod fine_tune;
pub mod hub;
pub mod message_batches;
pub mod openai;
pub mod prompt_cache;
pub mod reply;
pub mod schema;
pub mod tls;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use faults::{Dice, Faults, Transient};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

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
    /// Quality faults put into replies, by kind (near_duplicate, no_key_sentence, disclaimer, cut_off).
    pub injected: BTreeMap<String, u64>,
    /// The last prompt received of each kind (question, answer, judge), as sent: a test can
    /// check that an edited prompt reached the provider.
    pub last_prompts: BTreeMap<String, String>,
    pub refusals: u64,
    pub judge_no: u64,
    /// Every distinct API key received (Bearer or x-api-key): a test can check that each key went
    /// only to its own provider.
    pub keys_seen: std::collections::BTreeSet<String>,
    /// Sum of the latency added to completed requests, in ms.
    pub latency_ms_total: f64,
    /// Sum of the whole time the server spent on completed requests (checks, latency, reply), in ms.
    pub served_ms_total: f64,
    /// Our own replies that failed the published response schema (should stay 0).
    pub self_check_failures: u64,
    pub last_invalid: Option<String>,
    /// Input tokens the prompt caches served (OpenAI's and Anthropic's reads), and wrote
    /// (Anthropic's breakpoints), over the completed requests.
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    /// Batches created and cancelled, lines run through the chat route, 429s on the batch routes.
    pub batches_created: u64,
    pub batches_cancelled: u64,
    pub batch_lines: u64,
    pub batch_429: u64,
    /// The most requests that were being answered at one time (shows HTTP/2 multiplexing).
    pub max_in_flight: u64,
    #[serde(skip)]
    pub in_flight: u64,
}

pub struct Inner {
    pub faults: Faults,
    pub dice: Dice,
    pub stats: Stats,
    /// Completions so far per request body (by hash): a repeated request is a fresh sample.
    pub repeats: std::collections::HashMap<u64, u32>,
    /// Dataset repositories pushed to the local Hub, by `owner/name`.
    pub hub: BTreeMap<String, hub::Repo>,
    /// Files and fine-tuning jobs.
    pub ft: fine_tune::Store,
    /// The providers' prompt caches.
    pub prompt_caches: prompt_cache::Caches,
    /// Batches.
    pub batches: batch::Store,
}

/// The token the local Hub accepts unless `--hub-token` says otherwise.
pub const HUB_TOKEN: &str = "hf_local_test_token";

/// Shared server state.
#[derive(Clone)]
pub struct AppState {
    pub inner: Arc<Mutex<Inner>>,
    pub schemas: Arc<schema::Schemas>,
    /// When set, requests must carry this key.
    pub api_key: Option<String>,
    /// The token the local Hub accepts.
    pub hub_token: Option<String>,
}

impl AppState {
    pub fn new(faults: Faults, api_key: Option<String>) -> AppState {
        let dice = Dice::new(faults.seed);
        AppState {
            inner: Arc::new(Mutex::new(Inner {
                faults,
                dice,
                stats: Stats::default(),
                repeats: Default::default(),
                hub: BTreeMap::new(),
                ft: fine_tune::Store::default(),
                prompt_caches: Default::default(),
                batches: Default::default(),
            })),
            schemas: Arc::new(schema::Schemas::load()),
            api_key,
            hub_token: Some(HUB_TOKEN.to_string()),
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

    /// Decides the reply (see `reply::decide`), counting injected quality faults.
    pub fn decide(
        &self,
        kind: reply::PromptKind,
        model: &str,
        system: &str,
        user: &str,
        faults: &Faults,
        body: &[u8],
    ) -> reply::Outcome {
        let mut injected = Vec::new();
        let repeat = self.repeat(body);
        if kind == reply::PromptKind::Other {
            if let Some(o) = eval::outcome(model, user, faults, repeat) {
                return o;
            }
        }
        let outcome = reply::decide_noting(kind, system, user, faults, repeat, &mut injected);
        self.count(|s| {
            for name in injected {
                *s.injected.entry(name.into()).or_default() += 1;
            }
        });
        outcome
    }

    /// How many times this request body was answered before (and counts this time).
    pub fn repeat(&self, body: &[u8]) -> u32 {
        let mut g = self.lock();
        let key = faults::fnv1a(0, &[body]);
        let n = g.repeats.entry(key).or_default();
        *n += 1;
        *n - 1
    }

    /// The context size, if one is set, and the prompt's size when it exceeds it.
    pub fn too_long(&self, prompt: &str) -> Option<(u64, u64)> {
        let n = self.lock().faults.context_tokens?;
        let t = reply::tokens(prompt);
        (t > n).then_some((t, n))
    }

    /// Looks a prompt up in a provider's cache (nothing when the cache is switched off).
    pub fn cache_lookup(
        &self,
        f: impl FnOnce(&prompt_cache::Caches) -> (prompt_cache::CacheUse, prompt_cache::Store),
    ) -> (prompt_cache::CacheUse, prompt_cache::Store) {
        let g = self.lock();
        if g.faults.no_prompt_cache {
            return (Default::default(), prompt_cache::Store::Nothing);
        }
        f(&g.prompt_caches)
    }

    /// Stores a prompt in the cache as its reply goes out, and counts what the cache did.
    pub fn cache_store(&self, used: prompt_cache::CacheUse, store: prompt_cache::Store) {
        let mut g = self.lock();
        g.stats.cache_read_tokens += used.read;
        g.stats.cache_write_tokens += used.written;
        g.prompt_caches.store(store)
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
        Transient::ProxyPage => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
        )
            .into_response(),
        Transient::ErrorBody => json_response(
            StatusCode::OK,
            json!({"error": {"message": "Upstream provider overloaded", "code": 502}}),
        ),
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
    let text = reply::with_lone_surrogate(body.to_string());
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
            .collect::<String>(),
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

/// CORS as the providers answer it: any origin (reflected), the headers the preflight asks for,
/// and the retry headers readable from a page.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            HeaderName::from_static("retry-after"),
            HeaderName::from_static("retry-after-ms"),
            HeaderName::from_static("x-should-retry"),
            HeaderName::from_static("request-id"),
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(Duration::from_secs(600))
}

async fn stats(State(state): State<AppState>) -> Json<Stats> {
    Json(state.lock().stats.clone())
}

async fn reset(State(state): State<AppState>) -> Json<Value> {
    let mut g = state.lock();
    g.stats = Stats::default();
    g.dice = Dice::new(g.faults.seed);
    g.repeats.clear();
    g.prompt_caches = Default::default();
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

const WEB_PAGE: &str = "<!DOCTYPE html><html><head><title>Welcome to the example site</title></head><body><h1>Hello</h1><script>window.__pwned='page'</script></body></html>";

/// A web site where an API might have been expected: a page for any request under `/web`.
async fn web_page() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        WEB_PAGE,
    )
        .into_response()
}

/// A server that does not implement the route, answering with its own HTML page.
async fn web_501() -> Response {
    (
        StatusCode::NOT_IMPLEMENTED,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><head><title>501 Not Implemented</title></head><body>Not Implemented</body></html>",
    )
        .into_response()
}

/// A login wall: every request under `/login-wall` is redirected to a sign-in page.
async fn login_wall() -> Response {
    (StatusCode::FOUND, [(header::LOCATION, "/web/sign-in")]).into_response()
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
        .route("/api/whoami-v2", get(hub::whoami))
        .route("/api/repos/create", post(hub::create))
        .route(
            "/api/datasets/{owner}/{name}/preupload/{rev}",
            post(hub::preupload),
        )
        .route(
            "/api/datasets/{owner}/{name}/commit/{rev}",
            post(hub::commit),
        )
        .route("/_hub", get(hub::show))
        .route("/v1/files", post(fine_tune::upload))
        .route("/v1/files/{id}/content", get(fine_tune::content))
        .route("/v1/batches", post(batch::create))
        .route("/v1/batches/{id}", get(batch::get))
        .route("/v1/batches/{id}/cancel", post(batch::cancel))
        .route("/v1/messages/batches", post(message_batches::create))
        .route("/v1/messages/batches/{id}", get(message_batches::get))
        .route(
            "/v1/messages/batches/{id}/cancel",
            post(message_batches::cancel),
        )
        .route(
            "/v1/messages/batches/{id}/results",
            get(message_batches::results),
        )
        .route("/v1/fine_tuning/jobs", post(fine_tune::create))
        .route("/v1/fine_tuning/jobs/{id}", get(fine_tune::get))
        .route("/v1/fine_tuning/jobs/{id}/events", get(fine_tune::events))
        .route("/v1/fine_tuning/jobs/{id}/cancel", post(fine_tune::cancel))
        .route("/web/{*rest}", get(web_page).post(web_page))
        .route("/web501/{*rest}", get(web_501).post(web_501))
        .route("/login-wall/{*rest}", get(login_wall).post(login_wall))
        .fallback(not_found)
        // Batch input files run to 200 MB (axum takes 2 MB by default).
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024))
        .layer(cors())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refuse_cors,
        ))
        .layer(axum::middleware::map_response(timing_allowed))
        .with_state(state)
}

/// Routes named by `--no-cors` answer without CORS headers, as a provider that does not allow
/// browsers on them: the browser refuses the preflight, and the page sees a network failure.
async fn refuse_cors(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path().to_string();
    let refused = state
        .faults()
        .no_cors
        .iter()
        .any(|p| !p.is_empty() && path.starts_with(p.as_str()));
    let mut r = next.run(request).await;
    if refused {
        let names: Vec<HeaderName> = r
            .headers()
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for n in names {
            r.headers_mut().remove(n);
        }
    }
    r
}

/// Lets a page read the detailed Resource Timing of its calls here (when the request started, when
/// the first byte came back), which the profiling benchmark splits each call's time with.
async fn timing_allowed(mut r: Response) -> Response {
    r.headers_mut().insert(
        HeaderName::from_static("timing-allow-origin"),
        HeaderValue::from_static("*"),
    );
    r
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
