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

/// Sends a request with `fetch`, the token in its Authorization header only: the status and body.
pub async fn fetch(req: HubRequest, token: String) -> Result<(u16, String), HubError> {
    let failed = |e: JsValue| {
        let text = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}"));
        HubError::Unreachable(redact(&text, &token))
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
    Ok((response.status(), body))
}

/// What a push needs besides its sender.
pub struct Push<'a> {
    pub hub_url: &'a str,
    pub token: &'a str,
    pub repo: &'a str,
    pub private: bool,
    pub files: &'a [synfact_core::dataset::DatasetFile],
    pub summary: &'a str,
}

/// Pushes from the page, through `fetch`.
pub async fn push(p: Push<'_>, step: impl Fn(PushStep)) -> Result<PushStep, PushError> {
    let token = p.token.to_string();
    push_with(|req| fetch(req, token.clone()), p, step).await
}

/// Whoami, create (an existing repository is fine), preupload, commit. `step` reports progress.
/// Whoever sends (the page's `fetch`, the command line's HTTP client) puts the token in the
/// Authorization header of each request and nowhere else.
pub async fn push_with<S, F>(
    send: S,
    p: Push<'_>,
    step: impl Fn(PushStep),
) -> Result<PushStep, PushError>
where
    S: Fn(HubRequest) -> F,
    F: std::future::Future<Output = Result<(u16, String), HubError>>,
{
    let Push {
        hub_url,
        token,
        repo,
        private,
        files,
        summary,
    } = p;
    // A request's reply read, or the Hub's error as it said it; `ask` scrubs the token from it.
    let reply = |req: &HubRequest, repo: &str| {
        let answer = send(req.clone());
        let repo = repo.to_string();
        async move {
            let (status, body) = answer.await?;
            hub::read_reply(status, &body, &repo)
        }
    };
    let ask = |req: &HubRequest, repo: &str| {
        let r = reply(req, repo);
        async move { r.await.map_err(|e| scrub(e, token)) }
    };
    let hub::PushTarget {
        hub: hub_url,
        owner,
        name,
    } = hub::check(hub_url, token, repo, files).map_err(PushError::Form)?;
    let hub_url = &hub_url;
    let repo_id = format!("{owner}/{name}");
    step(PushStep::Checking);
    let me = ask(&hub::whoami(hub_url), &repo_id).await?;
    let user = hub::user_of(&me).map_err(|e| scrub(e, token))?;
    step(PushStep::Creating);
    let create = hub::create_repo(hub_url, &owner, &name, &user, private);
    match reply(&create, &repo_id).await {
        Ok(_) => {}
        // 409: it exists already; 403: the token may not create repositories but may still write
        // to an existing one (the preupload below says which). The commit adds to it.
        Err(HubError::Http { status: 409, .. }) | Err(HubError::Forbidden { .. }) => {}
        Err(e) => return Err(scrub(e, token)),
    }
    step(PushStep::Uploading(files.len()));
    let pre = ask(&hub::preupload(hub_url, &repo_id, files), &repo_id).await?;
    let lfs = hub::lfs_files(&pre).map_err(|e| scrub(e, token))?;
    if let Some(f) = lfs.first() {
        return Err(PushError::NeedsLfs(f.clone()));
    }
    let done = ask(&hub::commit(hub_url, &repo_id, summary, files), &repo_id).await?;
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
