//! `synfact push`: a saved run's dataset to the Hugging Face Hub, as the page pushes it (the same
//! files, dataset card, commit and checks: `synfact::hub::push_with`), the token from `HF_TOKEN`
//! and sent only to the Hub, in the Authorization header.

use crate::{fail, runtime, saved_run, write_choice, FINISHED, STOPPED, USAGE};
use std::path::Path;
use std::process::ExitCode;
use synfact::hub::{push_with, Push, PushStep};
use synfact_core::dataset::hub::{hub_files, HubError, HubRequest, HUB};
use synfact_core::provider::endpoint::redact;

/// The environment variable holding the Hub token (the Hugging Face tools' own).
pub const TOKEN_VAR: &str = "HF_TOKEN";

#[derive(clap::Args)]
pub struct PushArgs {
    /// The run's id (`synfact runs`); default the one saved last.
    run: Option<String>,
    /// The dataset repository, `owner/name` (made if it does not exist).
    #[arg(long)]
    repo: String,
    /// Make a new repository private.
    #[arg(long)]
    private: bool,
    /// The licence the dataset card states (its Hub identifier, e.g. cc-by-4.0, mit).
    #[arg(long, default_value = "cc-by-4.0")]
    licence: String,
    /// The Hub's address (a local test server, say).
    #[arg(long, default_value = HUB)]
    hub: String,
    /// Push the text file with DOCTAG lines in place of the plain text file.
    #[arg(long)]
    doctag: bool,
}

async fn send(
    client: &reqwest::Client,
    req: HubRequest,
    token: &str,
) -> Result<(u16, String), HubError> {
    let mut b = match req.method {
        "GET" => client.get(&req.url),
        _ => client.post(&req.url),
    }
    .bearer_auth(token.trim());
    if let Some(t) = req.content_type {
        b = b.header("content-type", t);
    }
    if let Some(body) = req.body {
        b = b.body(body);
    }
    let unreached = |e: reqwest::Error| HubError::Unreachable(redact(&e.to_string(), token));
    let r = b.send().await.map_err(unreached)?;
    let status = r.status().as_u16();
    Ok((status, r.text().await.map_err(unreached)?))
}

pub fn push(store_path: &Path, a: PushArgs) -> ExitCode {
    let licence = a.licence.trim();
    if licence.is_empty()
        || !licence
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+' | '_'))
    {
        return fail(
            USAGE,
            &format!("--licence {licence:?}: a licence identifier as the Hub lists them, such as cc-by-4.0, mit or apache-2.0 (letters, digits, '-', '.', '+')."),
        );
    }
    let token = std::env::var(TOKEN_VAR).unwrap_or_default();
    let (_, run) = match saved_run(store_path, a.run) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let bundle = match write_choice(&run, a.doctag, None) {
        Ok(b) => b,
        Err(e) => return fail(STOPPED, &e),
    };
    let files = hub_files(&bundle, licence);
    let summary = synfact::words::push_summary(&run.template.fact_name);
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let client = reqwest::Client::new();
    let to = Push {
        hub_url: &a.hub,
        token: &token,
        repo: &a.repo,
        private: a.private,
        files: &files,
        summary: &summary,
    };
    let step = |s: PushStep| eprintln!("{}", synfact::words::push_step(&s));
    let result = rt.block_on(push_with(
        |req| {
            let (client, token) = (client.clone(), token.clone());
            async move { send(&client, req, &token).await }
        },
        to,
        step,
    ));
    match result {
        Ok(done) => {
            println!("{}", synfact::words::push_step(&done));
            ExitCode::from(FINISHED)
        }
        Err(e) => {
            // Nothing was sent when the push was refused before its first request.
            let code = if matches!(e, synfact::errors::PushError::Form(_)) {
                USAGE
            } else {
                STOPPED
            };
            let words = synfact::words::push_error(&e);
            let words = words.replace(
                "the Hub token is empty",
                &format!("the Hub token is empty (set {TOKEN_VAR})"),
            );
            fail(code, &words)
        }
    }
}
