//! Starting a fine-tune from the page, as plain requests and replies over OpenAI's fine-tuning
//! API (and any server with the same routes): upload the training and validation files
//! (`POST /files`, multipart, purpose `fine-tune`), create the job (`POST /fine_tuning/jobs`),
//! follow it (`GET /fine_tuning/jobs/{id}` and `…/events`), cancel it. The adapter sends them,
//! with the key in its header only. `curl_commands` does the same from a terminal, for a
//! browser the routes do not answer.

use crate::provider::endpoint::BaseUrl;
use crate::provider::files::{json_of, url, ApiError, Body, Request};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Uploads a JSONL file for fine-tuning.
pub fn upload(base: &BaseUrl, file_name: &str, content: &str) -> Request {
    Request {
        method: "POST",
        url: url(base, "files"),
        body: Body::File {
            purpose: "fine-tune",
            file_name: file_name.to_string(),
            content: content.to_string(),
        },
    }
}

/// The fewest training examples OpenAI's fine-tuning takes (its documented minimum).
pub const MIN_EXAMPLES: usize = 10;

/// What a job is made from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSpec {
    /// The base model, e.g. `gpt-4o-mini-2024-07-18`.
    pub model: String,
    /// Up to 64 characters in the fine-tuned model's name.
    pub suffix: String,
    /// Epochs; `None` lets the provider choose.
    pub epochs: Option<u32>,
}

/// Creates the job.
pub fn create(base: &BaseUrl, spec: &JobSpec, training: &str, validation: Option<&str>) -> Request {
    let mut body = json!({"model": spec.model.trim(), "training_file": training});
    if let Some(v) = validation {
        body["validation_file"] = json!(v);
    }
    if !spec.suffix.trim().is_empty() {
        body["suffix"] = json!(spec.suffix.trim());
    }
    if let Some(n) = spec.epochs {
        body["hyperparameters"] = json!({"n_epochs": n});
    }
    Request {
        method: "POST",
        url: url(base, "fine_tuning/jobs"),
        body: Body::Json(body.to_string()),
    }
}

pub fn get(base: &BaseUrl, id: &str) -> Request {
    Request {
        method: "GET",
        url: url(base, &format!("fine_tuning/jobs/{id}")),
        body: Body::None,
    }
}

/// The job's newest events (the API lists them newest first).
pub fn events(base: &BaseUrl, id: &str) -> Request {
    Request {
        method: "GET",
        url: url(base, &format!("fine_tuning/jobs/{id}/events?limit=20")),
        body: Body::None,
    }
}

pub fn cancel(base: &BaseUrl, id: &str) -> Request {
    Request {
        method: "POST",
        url: url(base, &format!("fine_tuning/jobs/{id}/cancel")),
        body: Body::None,
    }
}

/// Where a job stands, as the API names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    ValidatingFiles,
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// A status this version does not know (its name).
    Other(String),
}

impl JobStatus {
    fn parse(s: &str) -> JobStatus {
        match s {
            "validating_files" => JobStatus::ValidatingFiles,
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            other => JobStatus::Other(other.to_string()),
        }
    }

    /// Nothing more will happen to the job.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// A job event, as the API lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEvent {
    pub id: String,
    pub created_at: i64,
    pub level: String,
    pub message: String,
}

/// A fine-tune started from a run, saved with it so a reload follows it on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FineTune {
    pub base_url: BaseUrl,
    pub spec: JobSpec,
    pub training_file: String,
    pub validation_file: Option<String>,
    pub job_id: String,
    pub status: JobStatus,
    /// The new model's name, once the job succeeded.
    pub fine_tuned_model: Option<String>,
    /// The job's error, when it failed (the provider's words).
    pub error: Option<String>,
    /// The newest events, newest first.
    #[serde(default)]
    pub events: Vec<JobEvent>,
}

impl FineTune {
    /// Takes in what a poll read (the job, and its events when they were read); true when
    /// anything changed.
    pub fn update(
        &mut self,
        status: JobStatus,
        model: Option<String>,
        error: Option<String>,
        events: Option<Vec<JobEvent>>,
    ) -> bool {
        let before = self.clone();
        self.status = status;
        self.fine_tuned_model = model.or(self.fine_tuned_model.take());
        self.error = error.or(self.error.take());
        if let Some(e) = events {
            self.events = e;
        }
        *self != before
    }
}

/// A job as the API describes it: (id, status, fine-tuned model, error message).
pub fn read_job(
    status: u16,
    body: &str,
) -> Result<(String, JobStatus, Option<String>, Option<String>), ApiError> {
    let v = json_of(status, body)?;
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::Unreadable("no \"id\" in the job".into()))?;
    let st = v
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::Unreadable("no \"status\" in the job".into()))?;
    let model = v
        .get("fine_tuned_model")
        .and_then(Value::as_str)
        .map(str::to_string);
    let error = v
        .get("error")
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((id.to_string(), JobStatus::parse(st), model, error))
}

/// A job's events, newest first.
pub fn read_events(status: u16, body: &str) -> Result<Vec<JobEvent>, ApiError> {
    let v = json_of(status, body)?;
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::Unreadable("no \"data\" in the events".into()))?;
    Ok(data
        .iter()
        .filter_map(|e| {
            Some(JobEvent {
                id: e.get("id")?.as_str()?.to_string(),
                created_at: e.get("created_at").and_then(Value::as_i64).unwrap_or(0),
                level: e
                    .get("level")
                    .and_then(Value::as_str)
                    .unwrap_or("info")
                    .to_string(),
                message: e.get("message")?.as_str()?.to_string(),
            })
        })
        .collect())
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The same steps from a terminal, with `curl` and `jq`: upload the files (saved beside it
/// under these names), create the job, follow it. The key is read from `$OPENAI_API_KEY`,
/// never written in.
pub fn curl_commands(
    base: &BaseUrl,
    spec: &JobSpec,
    training: &str,
    validation: Option<&str>,
) -> String {
    let api = base.as_str().trim_end_matches('/');
    let upload = |var: &str, file: &str| {
        format!(
            "{var}=$(curl -sS {} -H \"Authorization: Bearer $OPENAI_API_KEY\" -F purpose=fine-tune -F file=@{} | jq -r .id)",
            shell_quote(&format!("{api}/files")),
            shell_quote(file)
        )
    };
    let mut out = vec![upload("TRAIN", training)];
    let mut body = format!(
        "{{\"model\": {}, \"training_file\": \"'\"$TRAIN\"'\"",
        serde_json::to_string(spec.model.trim()).unwrap_or_default()
    );
    if let Some(v) = validation {
        out.push(upload("VALID", v));
        body.push_str(", \"validation_file\": \"'\"$VALID\"'\"");
    }
    if !spec.suffix.trim().is_empty() {
        body.push_str(&format!(
            ", \"suffix\": {}",
            serde_json::to_string(spec.suffix.trim()).unwrap_or_default()
        ));
    }
    if let Some(n) = spec.epochs {
        body.push_str(&format!(", \"hyperparameters\": {{\"n_epochs\": {n}}}"));
    }
    body.push('}');
    out.push(format!(
        "JOB=$(curl -sS {} -H \"Authorization: Bearer $OPENAI_API_KEY\" -H 'Content-Type: application/json' -d '{body}' | jq -r .id)",
        shell_quote(&format!("{api}/fine_tuning/jobs"))
    ));
    out.push(format!(
        "curl -sS {}/\"$JOB\" -H \"Authorization: Bearer $OPENAI_API_KEY\" | jq '{{status, fine_tuned_model, error}}'",
        shell_quote(&format!("{api}/fine_tuning/jobs"))
    ));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::files::{poll_delay_ms, read_file};

    #[test]
    fn polling_backs_off_while_nothing_changes_and_an_update_keeps_what_it_knew() {
        let delays: Vec<u64> = (0..12).map(poll_delay_ms).collect();
        assert_eq!(&delays[..4], [1000, 1500, 2250, 3375]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(delays[11], 30_000);
        let mut ft = FineTune {
            base_url: base(),
            spec: JobSpec::default(),
            training_file: "file-a".into(),
            validation_file: None,
            job_id: "ftjob-1".into(),
            status: JobStatus::Queued,
            fine_tuned_model: None,
            error: None,
            events: Vec::new(),
        };
        assert!(!ft.update(JobStatus::Queued, None, None, None));
        let ev = JobEvent {
            id: "e1".into(),
            created_at: 1,
            level: "info".into(),
            message: "Job started".into(),
        };
        assert!(ft.update(JobStatus::Running, None, None, Some(vec![ev.clone()])));
        assert!(ft.update(JobStatus::Succeeded, Some("ft:m:org::x".into()), None, None));
        assert_eq!(ft.events, [ev], "events not read this time are kept");
        assert_eq!(ft.fine_tuned_model.as_deref(), Some("ft:m:org::x"));
        assert!(ft.status.is_final());
    }

    fn base() -> BaseUrl {
        BaseUrl::parse("https://api.openai.com/v1").unwrap()
    }

    #[test]
    fn requests_follow_the_documented_routes() {
        let spec = JobSpec {
            model: "gpt-4o-mini-2024-07-18".into(),
            suffix: "honeyeater".into(),
            epochs: Some(3),
        };
        let r = create(&base(), &spec, "file-a", Some("file-b"));
        assert_eq!(
            (r.method, r.url.as_str()),
            ("POST", "https://api.openai.com/v1/fine_tuning/jobs")
        );
        let Body::Json(b) = r.body else { panic!() };
        let v: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(v["training_file"], "file-a");
        assert_eq!(v["validation_file"], "file-b");
        assert_eq!(v["hyperparameters"]["n_epochs"], 3);
        assert_eq!(v["suffix"], "honeyeater");
        assert_eq!(
            get(&base(), "ftjob-1").url,
            "https://api.openai.com/v1/fine_tuning/jobs/ftjob-1"
        );
        assert!(events(&base(), "ftjob-1")
            .url
            .ends_with("/fine_tuning/jobs/ftjob-1/events?limit=20"));
        assert_eq!(cancel(&base(), "j").method, "POST");
        let u = upload(&base(), "x_chat_train.jsonl", "{}\n");
        assert_eq!(u.url, "https://api.openai.com/v1/files");
        assert!(matches!(
            u.body,
            Body::File {
                purpose: "fine-tune",
                ..
            }
        ));
    }

    #[test]
    fn replies_and_errors_are_read() {
        assert_eq!(
            read_file(200, r#"{"id":"file-1","object":"file"}"#).unwrap(),
            "file-1"
        );
        let (id, st, model, err) = read_job(
            200,
            r#"{"id":"ftjob-1","status":"succeeded","fine_tuned_model":"ft:gpt-4o-mini:org::abc","error":null}"#,
        )
        .unwrap();
        assert_eq!(
            (id.as_str(), st, model.as_deref(), err),
            (
                "ftjob-1",
                JobStatus::Succeeded,
                Some("ft:gpt-4o-mini:org::abc"),
                None
            )
        );
        assert_eq!(
            read_job(200, r#"{"id":"j","status":"paused_by_x"}"#)
                .unwrap()
                .1,
            JobStatus::Other("paused_by_x".into())
        );
        let e = read_file(400, r#"{"error":{"message":"Invalid file format.","type":"invalid_request_error","param":"file","code":"invalid_file_format"}}"#).unwrap_err();
        assert_eq!(
            e,
            ApiError::Http {
                status: 400,
                message: "Invalid file format.".into(),
                param: Some("file".into()),
                code: Some("invalid_file_format".into())
            }
        );
        let ev = read_events(200, r#"{"object":"list","data":[{"id":"e2","created_at":2,"level":"info","message":"Step 10/30"},{"id":"e1","created_at":1,"level":"info","message":"Job started"}],"has_more":false}"#).unwrap();
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].message, "Step 10/30");
        assert!(matches!(
            read_job(200, "<html>"),
            Err(ApiError::Unreadable(_))
        ));
    }

    #[test]
    fn the_terminal_commands_read_the_key_from_the_environment() {
        let spec = JobSpec {
            model: "gpt-4o-mini-2024-07-18".into(),
            suffix: String::new(),
            epochs: None,
        };
        let c = curl_commands(
            &base(),
            &spec,
            "birds_chat_train.jsonl",
            Some("birds_chat_validation.jsonl"),
        );
        assert!(c.contains("$OPENAI_API_KEY"));
        assert!(c.contains("file=@'birds_chat_train.jsonl'"));
        assert!(c.contains("\"validation_file\""));
        assert_eq!(c.lines().count(), 4);
        assert!(!c.contains("sk-"));
    }
}
