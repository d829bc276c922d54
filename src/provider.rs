//! One provider call over `fetch`, with a timeout and an abort handle. The API key goes only
//! into this request's headers, and is scrubbed from any error text. Every way the call can go
//! wrong — a header the browser refuses, a network failure, a timeout — comes back as a
//! `CallError`: a call is never lost.

use std::cell::Cell;
use std::rc::Rc;
use synfact_core::provider::endpoint::{redact, BaseUrl};
use synfact_core::provider::error::{CallError, ErrorKind};
use synfact_core::provider::wire::{
    build_request, parse_response, Completion, LlmCall, ProviderKind, RawReply,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, Response};

/// The browser's words for a JS error value.
fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Calls the provider. `controller` aborts the call (Cancel); the timeout aborts it too.
pub async fn call(
    kind: ProviderKind,
    base_url: &BaseUrl,
    key: &str,
    llm: &LlmCall,
    timeout_ms: u64,
    controller: &AbortController,
) -> Result<Completion, CallError> {
    let http = build_request(kind, base_url, key, llm);
    let scrub = |text: String| redact(&text, key);
    let request_error = |e: JsValue| CallError::new(ErrorKind::Request, scrub(js_text(&e)));
    let headers = Headers::new().map_err(request_error)?;
    for (k, v) in &http.headers {
        headers.append(k, v).map_err(request_error)?;
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&http.body));
    init.set_signal(Some(&controller.signal()));
    let request = Request::new_with_str_and_init(&http.url, &init).map_err(request_error)?;

    let timed_out = Rc::new(Cell::new(false));
    let _timer = {
        let flag = timed_out.clone();
        let c = controller.clone();
        // The form allows at most an hour, well inside a 32-bit timer.
        gloo_timers::callback::Timeout::new(timeout_ms.min(i32::MAX as u64) as u32, move || {
            flag.set(true);
            c.abort();
        })
    };
    let failed = |e: JsValue| {
        if timed_out.get() {
            CallError::new(
                ErrorKind::Timeout {
                    after_ms: timeout_ms,
                },
                "",
            )
        } else if controller.signal().aborted() {
            CallError::new(ErrorKind::Aborted, "")
        } else {
            CallError::new(ErrorKind::Network, scrub(js_text(&e)))
        }
    };
    let window =
        web_sys::window().ok_or_else(|| CallError::new(ErrorKind::Request, "no window"))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(&failed)?
        .unchecked_into();
    let text_promise = response.text().map_err(&failed)?;
    let body = match JsFuture::from(text_promise).await {
        Ok(b) => b.as_string().unwrap_or_default(),
        Err(e) => {
            let mut err = failed(e);
            // The connection dropped part-way through the body.
            if err.kind == ErrorKind::Network {
                err.kind = ErrorKind::Body(synfact_core::provider::error::BodyProblem::Truncated);
            }
            return Err(err);
        }
    };
    let response_headers = response.headers();
    let header = |name: &str| response_headers.get(name).ok().flatten();
    parse_response(
        kind,
        &RawReply {
            status: response.status(),
            header: &header,
            redirected: response.redirected(),
            body: &body,
        },
    )
    .map_err(|mut e| {
        e.detail = scrub(e.detail);
        e
    })
}
