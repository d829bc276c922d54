//! Pushes the dataset to the Hugging Face Hub: sends the core's `hub` requests with the token in
//! the Authorization header only, and scrubs the token from any error text.

use synfact_core::endpoint::redact;
use synfact_core::hub::{self, HubError, HubRequest};
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

async fn send(req: &HubRequest, token: &str, repo: &str) -> Result<serde_json::Value, String> {
    let failed = |e: JsValue| {
        let text = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}"));
        format!(
            "The Hub could not be reached ({}): check the network, and that the Hub address is right.",
            redact(&text, token)
        )
    };
    let headers = Headers::new().map_err(failed)?;
    headers
        .append("authorization", &format!("Bearer {}", token.trim()))
        .map_err(|_| {
            "The Hub token holds a character a request header cannot carry: paste it again."
                .to_string()
        })?;
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
    let window = web_sys::window().ok_or("no window")?;
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
        .map_err(|e: HubError| redact(&e.to_string(), token))
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
) -> Result<PushStep, String> {
    let (owner, name) = hub::check(token, repo, files).map_err(|e| format!("Not pushed: {e}."))?;
    let repo_id = format!("{owner}/{name}");
    step(PushStep::Checking);
    let me = send(&hub::whoami(hub_url), token, &repo_id).await?;
    let user = hub::user_of(&me).map_err(|e| e.to_string())?;
    step(PushStep::Creating);
    match send(
        &hub::create_repo(hub_url, &owner, &name, &user, private),
        token,
        &repo_id,
    )
    .await
    {
        Ok(_) => {}
        // 409: it exists already; the commit adds to it.
        Err(e) if e.contains("answered 409") => {}
        Err(e) => return Err(e),
    }
    step(PushStep::Uploading(files.len()));
    let pre = send(&hub::preupload(hub_url, &repo_id, files), token, &repo_id).await?;
    let lfs = hub::lfs_files(&pre).map_err(|e| e.to_string())?;
    if let Some(f) = lfs.first() {
        return Err(format!("Not pushed: the Hub wants {f} through Git LFS, which synfact does not speak; split the dataset or push it with huggingface-cli."));
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
