//! One provider call over `fetch`, with a timeout and an abort handle. The API key goes only
//! into this request's headers, and is scrubbed from any error text.

use gloo_net::http::Request;
use std::cell::Cell;
use std::rc::Rc;
use synfact_core::retry::redact;
use synfact_core::wire::{
    build_request, parse_response, CallError, Completion, ErrorKind, LlmCall, ProviderKind,
};
use web_sys::AbortController;

/// Calls the provider. `controller` aborts the call (Cancel); the timeout aborts it too.
pub async fn call(
    kind: ProviderKind,
    base_url: &str,
    key: &str,
    llm: &LlmCall,
    timeout_ms: u64,
    controller: &AbortController,
) -> Result<Completion, CallError> {
    let http = build_request(kind, base_url, key, llm);
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let flag = timed_out.clone();
        let c = controller.clone();
        gloo_timers::callback::Timeout::new(timeout_ms.min(u32::MAX as u64) as u32, move || {
            flag.set(true);
            c.abort();
        })
    };
    let signal = controller.signal();
    let failed = |e: gloo_net::Error| {
        if timed_out.get() {
            CallError::new(
                ErrorKind::Timeout,
                format!("no reply within {} s", timeout_ms / 1000),
            )
        } else if signal.aborted() {
            CallError::new(ErrorKind::Aborted, "cancelled")
        } else {
            let detail = redact(&e.to_string(), key);
            let local = http.url.contains("://localhost")
                || http.url.contains("://127.")
                || http.url.contains("://[::1]");
            let hint = if local {
                " For a local server: is it running, and does it allow this page's origin (CORS; e.g. OLLAMA_ORIGINS for Ollama)? Chrome may also ask permission to reach local addresses."
            } else {
                ""
            };
            CallError::new(
                ErrorKind::Network,
                format!("could not reach {} ({detail}).{hint}", http.url),
            )
        }
    };
    let mut builder = Request::post(&http.url).abort_signal(Some(&signal));
    for (k, v) in &http.headers {
        builder = builder.header(k, v);
    }
    let request = builder
        .body(http.body.clone())
        .map_err(|e| CallError::new(ErrorKind::Network, e.to_string()))?;
    let response = request.send().await.map_err(&failed)?;
    let status = response.status();
    let headers = response.headers();
    let body = match response.text().await {
        Ok(b) => b,
        Err(e) => {
            let mut err = failed(e);
            if err.kind == ErrorKind::Network {
                err.kind = ErrorKind::Malformed;
            }
            return Err(err);
        }
    };
    drop(timer);
    parse_response(kind, status, &|name| headers.get(name), &body).map_err(|mut e| {
        e.message = redact(&e.message, key);
        e
    })
}
