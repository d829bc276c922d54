//! Fine-tuning calls over `fetch`: the core's requests sent as they are, a file as a multipart
//! form (the browser sets the boundary), the key in the Authorization header only and scrubbed
//! from any error text. A call the browser could not make at all (the network, or a route that
//! does not answer a browser's CORS preflight) is told apart from an HTTP error.

use synfact_core::provider::endpoint::redact;
use synfact_core::provider::files::{Body, Request};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{FormData, Headers, RequestInit, Response};

/// How long one fine-tuning call may take (an upload of a large file included).
const TIMEOUT_MS: u32 = 300_000;

/// Why a call got no HTTP answer: the browser's words (key scrubbed).
#[derive(Clone, Debug, PartialEq)]
pub struct Unreached(pub String);

fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Sends `req` with `key`: the HTTP status and body, or why there was none.
pub async fn send(req: &Request, key: &str) -> Result<(u16, String), Unreached> {
    let fail = |e: JsValue| Unreached(redact(&js_text(&e), key));
    let headers = Headers::new().map_err(fail)?;
    headers
        .append("Authorization", &format!("Bearer {}", key.trim()))
        .map_err(fail)?;
    let init = RequestInit::new();
    init.set_method(req.method);
    match &req.body {
        Body::None => {}
        Body::Json(text) => {
            headers
                .append("Content-Type", "application/json")
                .map_err(fail)?;
            init.set_body(&JsValue::from_str(text));
        }
        Body::File {
            purpose,
            file_name,
            content,
        } => {
            let form = FormData::new().map_err(fail)?;
            form.append_with_str("purpose", purpose).map_err(fail)?;
            let blob =
                gloo_file::Blob::new_with_options(content.as_str(), Some("application/jsonl"));
            let blob: &web_sys::Blob = blob.as_ref();
            form.append_with_blob_and_filename("file", blob, file_name)
                .map_err(fail)?;
            init.set_body(&form);
        }
    }
    init.set_headers(&headers);
    let abort = web_sys::AbortController::new().map_err(fail)?;
    init.set_signal(Some(&abort.signal()));
    let _timer = {
        let abort = abort.clone();
        gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || abort.abort())
    };
    let request = web_sys::Request::new_with_str_and_init(&req.url, &init).map_err(fail)?;
    let window = web_sys::window().ok_or_else(|| Unreached("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(fail)?
        .unchecked_into();
    let body = JsFuture::from(response.text().map_err(fail)?)
        .await
        .map_err(fail)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), redact(&body, key)))
}
