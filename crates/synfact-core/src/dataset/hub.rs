//! Publishing a dataset to the Hugging Face Hub over its HTTP API, as plain requests and replies:
//! who the token belongs to (`GET /api/whoami-v2`), creating the dataset repository
//! (`POST /api/repos/create`, where 409 means it exists), asking how each file is uploaded
//! (`POST /api/datasets/{repo}/preupload/{revision}`) and committing every file at once
//! (`POST /api/datasets/{repo}/commit/{revision}`, NDJSON: a header line, then one line per file
//! with its base64 content). The adapter sends them; the token goes only in its headers.

use crate::dataset::{DatasetFile, FileKind};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

/// The Hub's address.
pub const HUB: &str = "https://huggingface.co";
/// The largest file a plain (non-LFS) commit carries; larger ones need Git LFS, which this
/// client does not speak.
pub const MAX_REGULAR_BYTES: usize = 10 * 1024 * 1024;

/// What is wrong before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HubInputError {
    #[error("no token")]
    NoToken,
    #[error("bad repository id")]
    BadRepo,
    /// A file over `MAX_REGULAR_BYTES` (its name).
    #[error("{0} too large")]
    TooLarge(String),
    #[error("nothing to push")]
    Empty,
    #[error("bad Hub address")]
    BadAddress,
}

/// What went wrong at the Hub.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HubError {
    #[error("401")]
    Unauthorized,
    #[error("403 on {repo}")]
    Forbidden { repo: String },
    #[error("{status}: {message}")]
    Http { status: u16, message: String },
    /// A reply that is not what the API documents (what was wrong).
    #[error("unreadable reply: {0}")]
    Unreadable(String),
    /// No HTTP answer (the browser's words).
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The token holds a character a request header cannot carry.
    #[error("token not sendable")]
    TokenNotSendable,
}

/// A dataset repository id, `owner/name`, checked.
pub fn check_repo(repo: &str) -> Result<(String, String), HubInputError> {
    let repo = repo.trim();
    let (owner, name) = repo.split_once('/').ok_or(HubInputError::BadRepo)?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 96
            && !s.starts_with(['.', '-'])
            && !s.contains("..")
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if ok(owner) && ok(name) {
        Ok((owner.to_string(), name.to_string()))
    } else {
        Err(HubInputError::BadRepo)
    }
}

/// The Hub's address, checked: https, or http only to this computer (a local test server), so
/// the token never travels in the clear or to a relative address on the app's own site.
pub fn check_address(hub: &str) -> Result<String, HubInputError> {
    let url =
        crate::provider::endpoint::BaseUrl::parse(hub).map_err(|_| HubInputError::BadAddress)?;
    if url.is_https() || url.is_local() {
        Ok(url.as_str().trim_end_matches('/').to_string())
    } else {
        Err(HubInputError::BadAddress)
    }
}

/// What a push goes to, once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushTarget {
    /// The Hub's address, without a trailing slash.
    pub hub: String,
    pub owner: String,
    pub name: String,
}

/// Checks everything that can be checked before a request, and names every problem at once.
pub fn check(
    hub: &str,
    token: &str,
    repo: &str,
    files: &[DatasetFile],
) -> Result<PushTarget, Vec<HubInputError>> {
    let mut problems = Vec::new();
    let address = check_address(hub).map_err(|e| problems.push(e)).ok();
    if token.trim().is_empty() {
        problems.push(HubInputError::NoToken);
    }
    let ids = check_repo(repo).map_err(|e| problems.push(e)).ok();
    if files
        .iter()
        .all(|f| f.kind == FileKind::Other || f.text.is_empty())
    {
        problems.push(HubInputError::Empty);
    }
    problems.extend(
        files
            .iter()
            .filter(|f| f.text.len() > MAX_REGULAR_BYTES)
            .map(|f| HubInputError::TooLarge(f.name.clone())),
    );
    match (address, ids) {
        (Some(hub), Some((owner, name))) if problems.is_empty() => {
            Ok(PushTarget { hub, owner, name })
        }
        _ => Err(problems),
    }
}

/// A request for the adapter to send (with `Authorization: Bearer <token>` added).
#[derive(Clone, Debug, PartialEq)]
pub struct HubRequest {
    pub method: &'static str,
    pub url: String,
    pub content_type: Option<&'static str>,
    pub body: Option<String>,
}

fn base(hub: &str) -> &str {
    hub.trim_end_matches('/')
}

pub fn whoami(hub: &str) -> HubRequest {
    HubRequest {
        method: "GET",
        url: format!("{}/api/whoami-v2", base(hub)),
        content_type: None,
        body: None,
    }
}

pub fn create_repo(hub: &str, owner: &str, name: &str, user: &str, private: bool) -> HubRequest {
    let mut body = json!({"type": "dataset", "name": name, "private": private});
    if !owner.eq_ignore_ascii_case(user) {
        body["organization"] = json!(owner);
    }
    HubRequest {
        method: "POST",
        url: format!("{}/api/repos/create", base(hub)),
        content_type: Some("application/json"),
        body: Some(body.to_string()),
    }
}

pub fn preupload(hub: &str, repo: &str, files: &[DatasetFile]) -> HubRequest {
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            let head = &f.text.as_bytes()[..f.text.len().min(512)];
            json!({"path": f.name, "size": f.text.len(), "sample": STANDARD.encode(head)})
        })
        .collect();
    HubRequest {
        method: "POST",
        url: format!("{}/api/datasets/{repo}/preupload/main", base(hub)),
        content_type: Some("application/json"),
        body: Some(json!({ "files": files }).to_string()),
    }
}

/// Every file the Hub wants through Git LFS, from its preupload reply.
pub fn lfs_files(reply: &Value) -> Result<Vec<String>, HubError> {
    let files = reply
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| HubError::Unreadable("no \"files\" in the preupload reply".into()))?;
    Ok(files
        .iter()
        .filter(|f| f.get("uploadMode").and_then(Value::as_str) == Some("lfs"))
        .filter_map(|f| f.get("path").and_then(Value::as_str).map(str::to_string))
        .collect())
}

pub fn commit(hub: &str, repo: &str, summary: &str, files: &[DatasetFile]) -> HubRequest {
    let mut lines = vec![
        json!({"key": "header", "value": {"summary": summary, "description": ""}}).to_string(),
    ];
    for f in files {
        lines.push(
            json!({"key": "file", "value": {"path": f.name, "encoding": "base64", "content": STANDARD.encode(f.text.as_bytes())}})
                .to_string(),
        );
    }
    HubRequest {
        method: "POST",
        url: format!("{}/api/datasets/{repo}/commit/main", base(hub)),
        content_type: Some("application/x-ndjson"),
        body: Some(lines.join("\n") + "\n"),
    }
}

/// Turns a Hub reply into its JSON, or a typed error (with the Hub's own message).
pub fn read_reply(status: u16, body: &str, repo: &str) -> Result<Value, HubError> {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("error").and_then(Value::as_str))
        .map(str::to_string)
        .unwrap_or_else(|| body.chars().take(200).collect());
    match status {
        200..=299 => parsed.ok_or_else(|| HubError::Unreadable(body.chars().take(200).collect())),
        401 => Err(HubError::Unauthorized),
        403 => Err(HubError::Forbidden {
            repo: repo.to_string(),
        }),
        _ => Err(HubError::Http { status, message }),
    }
}

/// The user name a token belongs to, from `whoami-v2`.
pub fn user_of(reply: &Value) -> Result<String, HubError> {
    reply
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| HubError::Unreadable("no \"name\" in the whoami reply".into()))
}

/// Everything a push commits: the example files, the manifest and the dataset card (`README.md`).
pub fn hub_files(bundle: &crate::dataset::Bundle, licence: &str) -> Vec<DatasetFile> {
    let card = dataset_card(&bundle.described, licence, &bundle.files);
    // The mixed file repeats the chat and text lines: a download for training scripts, not a
    // split of the dataset repository.
    let mut all: Vec<DatasetFile> = bundle
        .files
        .iter()
        .filter(|f| f.kind != FileKind::Mixed)
        .cloned()
        .collect();
    all.push(bundle.manifest.clone());
    all.push(DatasetFile::other("README.md".into(), card));
    all
}

/// The dataset card (README.md): YAML front matter the Hub reads (licence, configs for the data
/// files, task), then the template, models and counts from the manifest.
pub fn dataset_card(manifest: &Value, licence: &str, files: &[DatasetFile]) -> String {
    let fact = manifest["template"]["fact_name"]
        .as_str()
        .unwrap_or("dataset");
    let data_files: Vec<String> = files
        .iter()
        .filter(|f| f.kind == FileKind::Chat)
        .map(|f| {
            let split = f.split.unwrap_or("train");
            format!("      - split: {split}\n        path: \"{}\"", f.name)
        })
        .collect();
    let models: Vec<String> = manifest["generators"]
        .as_array()
        .map(|g| {
            g.iter()
                .filter_map(|m| m["settings"]["model"].as_str().map(|s| format!("`{s}`")))
                .collect()
        })
        .unwrap_or_default();
    let c = &manifest["counts"];
    format!(
        "---\nlicense: {licence}\ntask_categories:\n  - text-generation\nconfigs:\n  - config_name: default\n    data_files:\n{}\n---\n\n# {fact}\n\nSynthetic fine-tuning examples about one fact, made with synfact from a fact template.\n\n- Key sentence every answer carries: {}\n- Models: {}; judge: `{}`\n- Examples: {} exported ({} accepted by the judge, {} rejected, {} failed, {} edited in review)\n- Plan seed: {}\n\nThe fact sheet, prompts and settings are in `{}`.\n",
        data_files.join("\n"),
        manifest["template"]["specific_information_to_always_include"].as_str().unwrap_or(""),
        models.join(", "),
        manifest["judge"]["settings"]["model"].as_str().unwrap_or(""),
        c["exported"], c["accepted"], c["rejected"], c["failed"], c["edited"],
        manifest["settings"]["plan_seed"],
        crate::dataset::manifest_name(fact),
    )
}

#[cfg(test)]
mod tests;
