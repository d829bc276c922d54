//! Pushes the dataset to the Hugging Face Hub: sends the core's `hub` requests with the token in
//! the Authorization header only, and scrubs the token from any error text.

use crate::errors::PushError;
use synfact_core::dataset::hub::{self, HubError, HubRequest};
use synfact_core::provider::endpoint::redact;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// Where a push stands, for its status line.
#[derive(Clone, Debug, PartialEq)]
pub enum PushStep {
    Checking,
    Creating,
    Uploading(usize),
    Done { url: String, commit: String },
}

async fn send(req: &HubRequest, token: &str, repo: &str) -> Result<serde_json::Value, PushError> {
    send_raw(req, token, repo)
        .await
        .map_err(|e| scrub(e, token))
}

/// The error with any trace of the token taken out of its texts.
fn scrub(e: HubError, token: &str) -> PushError {
    PushError::Hub(match e {
        HubError::Http { status, message } => HubError::Http {
            status,
            message: redact(&message, token),
        },
        HubError::Unreadable(t) => HubError::Unreadable(redact(&t, token)),
        HubError::Unreachable(t) => HubError::Unreachable(redact(&t, token)),
        other => other,
    })
}

/// Sends a request and reads the Hub's reply.
async fn send_raw(
    req: &HubRequest,
    token: &str,
    repo: &str,
) -> Result<serde_json::Value, HubError> {
    let failed = |e: JsValue| {
        let text = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}"));
        HubError::Unreachable(redact(&text, token))
    };
    let headers = Headers::new().map_err(failed)?;
    headers
        .append("authorization", &format!("Bearer {}", token.trim()))
        .map_err(|_| HubError::TokenNotSendable)?;
    if let Some(t) = req.content_type {
        headers.append("content-type", t).map_err(failed)?;
    }
    let init = RequestInit::new();
    init.set_method(req.method);
    init.set_headers(&headers);
    if let Some(b) = &req.body {
        init.set_body(&JsValue::from_str(b));
    }
    let request = Request::new_with_str_and_init(&req.url, &init).map_err(failed)?;
    let window = web_sys::window().ok_or_else(|| failed(JsValue::from_str("no window")))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(failed)?
        .unchecked_into();
    let body = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .unwrap_or_default();
    hub::read_reply(response.status(), &body, repo)
}

/// Whoami, create (an existing repository is fine), preupload, commit. `step` reports progress.
pub async fn push(
    hub_url: &str,
    token: &str,
    repo: &str,
    private: bool,
    files: &[synfact_core::dataset::DatasetFile],
    summary: &str,
    step: impl Fn(PushStep),
) -> Result<PushStep, PushError> {
    let hub::PushTarget {
        hub: hub_url,
        owner,
        name,
    } = hub::check(hub_url, token, repo, files).map_err(PushError::Form)?;
    let hub_url = &hub_url;
    let repo_id = format!("{owner}/{name}");
    step(PushStep::Checking);
    let me = send(&hub::whoami(hub_url), token, &repo_id).await?;
    let user = hub::user_of(&me).map_err(|e| scrub(e, token))?;
    step(PushStep::Creating);
    let create = hub::create_repo(hub_url, &owner, &name, &user, private);
    match send_raw(&create, token, &repo_id).await {
        Ok(_) => {}
        // 409: it exists already; 403: the token may not create repositories but may still write
        // to an existing one (the preupload below says which). The commit adds to it.
        Err(HubError::Http { status: 409, .. }) | Err(HubError::Forbidden { .. }) => {}
        Err(e) => return Err(scrub(e, token)),
    }
    step(PushStep::Uploading(files.len()));
    let pre = send(&hub::preupload(hub_url, &repo_id, files), token, &repo_id).await?;
    let lfs = hub::lfs_files(&pre).map_err(|e| scrub(e, token))?;
    if let Some(f) = lfs.first() {
        return Err(PushError::NeedsLfs(f.clone()));
    }
    let done = send(
        &hub::commit(hub_url, &repo_id, summary, files),
        token,
        &repo_id,
    )
    .await?;
    Ok(PushStep::Done {
        url: format!("{}/datasets/{repo_id}", hub_url.trim_end_matches('/')),
        commit: done
            .get("commitOid")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .chars()
            .take(12)
            .collect(),
    })
}
