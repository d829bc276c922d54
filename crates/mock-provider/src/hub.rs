//! A small local stand-in for the Hugging Face Hub's HTTP API, enough to push a dataset:
//! `GET /api/whoami-v2`, `POST /api/repos/create`, `POST /api/datasets/{owner}/{name}/preupload/{rev}`
//! and `POST /api/datasets/{owner}/{name}/commit/{rev}` (NDJSON with base64 files), with the
//! Hub's status codes for a wrong token (401), a repository the token may not write (403) and an
//! existing repository (409). `GET /_hub` shows what was committed. The token it accepts is the
//! server's `--hub-token`; it belongs to the user `alice`, who may also write to `synfact-org`.

use crate::{json_response, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const USER: &str = "alice";
const ORG: &str = "synfact-org";

/// A dataset repository as committed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Repo {
    pub private: bool,
    pub commits: Vec<String>,
    /// Path → text of the latest commit of each file.
    pub files: BTreeMap<String, String>,
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, json!({ "error": message }))
}

/// The caller, if its token is the one this server accepts.
#[allow(clippy::result_large_err)] // an axum Response is the error a handler returns
fn authorised(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (token, &state.hub_token) {
        (Some(t), Some(expected)) if t == expected => Ok(()),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "Invalid credentials in Authorization header",
        )),
    }
}

fn may_write(owner: &str) -> bool {
    owner == USER || owner == ORG
}

pub async fn whoami(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(r) = authorised(&state, &headers) {
        return r;
    }
    json_response(
        StatusCode::OK,
        json!({"type": "user", "name": USER, "orgs": [{"name": ORG}]}),
    )
}

pub async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authorised(&state, &headers) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Invalid JSON body");
    };
    if v["type"] != "dataset" {
        return error(
            StatusCode::BAD_REQUEST,
            "This server only makes dataset repositories",
        );
    }
    let Some(name) = v["name"].as_str() else {
        return error(StatusCode::BAD_REQUEST, "\"name\" is required");
    };
    let owner = v["organization"].as_str().unwrap_or(USER);
    if !may_write(owner) {
        return error(
            StatusCode::FORBIDDEN,
            "You don't have the rights to create a dataset under this namespace",
        );
    }
    let id = format!("{owner}/{name}");
    let mut inner = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    if inner.hub.contains_key(&id) {
        return error(
            StatusCode::CONFLICT,
            "You already created this dataset repo",
        );
    }
    inner.hub.insert(
        id.clone(),
        Repo {
            private: v["private"].as_bool().unwrap_or(false),
            ..Repo::default()
        },
    );
    json_response(
        StatusCode::OK,
        json!({"url": format!("https://huggingface.co/datasets/{id}"), "name": id}),
    )
}

#[allow(clippy::result_large_err)]
fn repo_check(
    state: &AppState,
    headers: &HeaderMap,
    owner: &str,
    name: &str,
) -> Result<String, Response> {
    authorised(state, headers)?;
    let id = format!("{owner}/{name}");
    if !may_write(owner) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "You don't have the rights to write to this repository",
        ));
    }
    let inner = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    if !inner.hub.contains_key(&id) {
        return Err(error(StatusCode::NOT_FOUND, "Repository not found"));
    }
    Ok(id)
}

pub async fn preupload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((owner, name, _rev)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    if let Err(r) = repo_check(&state, &headers, &owner, &name) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Invalid JSON body");
    };
    let Some(files) = v["files"].as_array() else {
        return error(StatusCode::BAD_REQUEST, "\"files\" is required");
    };
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            let big = f["size"].as_u64().unwrap_or(0) > 10 * 1024 * 1024;
            json!({"path": f["path"], "uploadMode": if big { "lfs" } else { "regular" }, "shouldIgnore": false})
        })
        .collect();
    json_response(StatusCode::OK, json!({ "files": files }))
}

pub async fn commit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((owner, name, _rev)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    use base64::Engine as _;
    let id = match repo_check(&state, &headers, &owner, &name) {
        Ok(id) => id,
        Err(r) => return r,
    };
    if headers.get("content-type").and_then(|v| v.to_str().ok()) != Some("application/x-ndjson") {
        return error(
            StatusCode::BAD_REQUEST,
            "Content-Type must be application/x-ndjson",
        );
    }
    let text = String::from_utf8_lossy(&body);
    let mut summary = None;
    let mut files = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return error(StatusCode::BAD_REQUEST, "Each line must be a JSON object");
        };
        match v["key"].as_str() {
            Some("header") => summary = v["value"]["summary"].as_str().map(str::to_string),
            Some("file") => {
                let (Some(path), Some(content)) =
                    (v["value"]["path"].as_str(), v["value"]["content"].as_str())
                else {
                    return error(StatusCode::BAD_REQUEST, "A file needs a path and content");
                };
                if v["value"]["encoding"] != "base64" {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "Only base64 file content is accepted",
                    );
                }
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(content) else {
                    return error(StatusCode::BAD_REQUEST, "Invalid base64 content");
                };
                files.insert(
                    path.to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                );
            }
            _ => return error(StatusCode::BAD_REQUEST, "Unknown line key"),
        }
    }
    let Some(summary) = summary else {
        return error(StatusCode::BAD_REQUEST, "The first line must be the header");
    };
    let mut inner = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    let repo = inner.hub.get_mut(&id).expect("checked above");
    repo.commits.push(summary);
    let oid = format!("{:040x}", repo.commits.len());
    repo.files.extend(files);
    json_response(
        StatusCode::OK,
        json!({"commitUrl": format!("https://huggingface.co/datasets/{id}/commit/{oid}"), "commitOid": oid}),
    )
}

/// What was pushed, for tests.
pub async fn show(State(state): State<AppState>) -> Response {
    let inner = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    json_response(
        StatusCode::OK,
        serde_json::to_value(&inner.hub).unwrap_or_default(),
    )
}
