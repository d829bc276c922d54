//! A round of a batch run as the provider holds it: its batches (one model per file, cut at the
//! provider's limits), planned from the engine's calls and saved with the run, so a page opened
//! later follows the same batches instead of submitting the calls again. The adapter uploads,
//! creates and polls; the decisions are here.

use crate::provider::batch::{
    batch_content, input_line, limits, not_run, outcome, split, BatchInfo, BatchStatus, LineResult,
};
use crate::provider::error::{CallError, ErrorKind};
use crate::provider::wire::{Completion, LlmCall, ProviderKind};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The round at the provider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchState {
    /// The round's number (1 for the questions).
    pub round: u32,
    pub jobs: Vec<BatchJob>,
}

/// One batch: one model's calls of a round (or part of them, past a file's limits).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchJob {
    pub endpoint: usize,
    pub model: String,
    /// Its lines' custom ids, in file order.
    pub custom_ids: Vec<String>,
    /// The uploaded input file, once uploaded.
    pub file_id: Option<String>,
    /// The batch, once created.
    pub batch_id: Option<String>,
    /// As last polled.
    pub status: Option<BatchStatus>,
    pub completed: u64,
    pub failed: u64,
    /// Its results were read and handed to the engine.
    pub collected: bool,
}

/// A job to submit, with its input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobFile {
    pub job: BatchJob,
    pub content: String,
}

impl BatchState {
    /// A job is still to be submitted, run or read.
    pub fn pending(&self) -> bool {
        self.jobs.iter().any(|j| !j.collected)
    }

    /// The provider's count of the round's lines done (answered or failed), and of all.
    pub fn at_provider(&self) -> (u64, u64) {
        self.jobs.iter().fold((0, 0), |(done, total), j| {
            let n = if j.collected {
                j.custom_ids.len() as u64
            } else {
                (j.completed + j.failed).min(j.custom_ids.len() as u64)
            };
            (done + n, total + j.custom_ids.len() as u64)
        })
    }

    /// Takes in a poll of job `k`; true when anything changed.
    pub fn update(&mut self, k: usize, info: &BatchInfo) -> bool {
        let Some(job) = self.jobs.get_mut(k) else {
            return false;
        };
        let before = job.clone();
        job.status = Some(info.status.clone());
        job.completed = info.completed;
        job.failed = info.failed;
        *job != before
    }
}

/// One call of a round, as a batch line: its custom id, endpoint (and its protocol) and request.
#[derive(Clone)]
pub struct Line<'a> {
    pub id: String,
    pub endpoint: usize,
    pub kind: ProviderKind,
    pub llm: &'a LlmCall,
}

/// The round's batches: the calls grouped by endpoint and model (a batch holds one model), in
/// the calls' order, each group cut at its protocol's limits (and at most `max_lines` lines and
/// `max_bytes` bytes), each with what it submits (an input file, or a request body).
pub fn plan_files(calls: &[Line], max_lines: usize, max_bytes: usize) -> Vec<JobFile> {
    let mut groups: Vec<((usize, &str), ProviderKind, Vec<&Line>)> = Vec::new();
    for c in calls {
        let key = (c.endpoint, c.llm.config.model.as_str());
        match groups.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, g)) => g.push(c),
            None => groups.push((key, c.kind, vec![c])),
        }
    }
    let mut out = Vec::new();
    for ((endpoint, model), kind, group) in groups {
        let ids: Vec<String> = group.iter().map(|c| c.id.clone()).collect();
        let lines: Vec<String> = group
            .iter()
            .zip(&ids)
            .map(|(c, id)| input_line(kind, id, c.llm))
            .collect();
        let (most_lines, most_bytes) = limits(kind);
        for range in split(&lines, most_lines.min(max_lines), most_bytes.min(max_bytes)) {
            let content = batch_content(kind, &lines[range.clone()]);
            out.push(JobFile {
                job: BatchJob {
                    endpoint,
                    model: model.to_string(),
                    custom_ids: ids[range].to_vec(),
                    file_id: None,
                    batch_id: None,
                    status: None,
                    completed: 0,
                    failed: 0,
                    collected: false,
                },
                content,
            });
        }
    }
    out
}

/// Starts round `round`, or takes it up where a saved state left it (a run reopened while its
/// round was at the provider follows those batches instead of submitting the calls again):
/// new batches are planned only for calls no saved batch holds. Returns the state and what each
/// new job submits, by its index.
pub fn take_up(
    saved: Option<BatchState>,
    round: u32,
    calls: &[Line],
) -> (BatchState, HashMap<usize, String>) {
    let mut state = saved
        .filter(|b| b.round == round && b.pending())
        .unwrap_or(BatchState {
            round,
            jobs: Vec::new(),
        });
    let held: HashSet<&String> = state.jobs.iter().flat_map(|j| &j.custom_ids).collect();
    let fresh: Vec<Line> = calls
        .iter()
        .filter(|c| !held.contains(&c.id))
        .cloned()
        .collect();
    let mut contents = HashMap::new();
    for f in plan_files(&fresh, usize::MAX, usize::MAX) {
        contents.insert(state.jobs.len(), f.content);
        state.jobs.push(f.job);
    }
    (state, contents)
}

/// A finished batch's lines as the engine's replies, in the order to hand them over: replies
/// first, failures after (a failure that stops the run must not come before replies already
/// paid for), then every call of the batch that was not run or came back in no file (expired,
/// cancelled: `Aborted`, so it goes in the next round without counting a try). `calls` maps a
/// line's custom id to its call; lines of other batches are ignored.
pub fn hand_over(
    kind: ProviderKind,
    results: &[(String, LineResult)],
    ids: &[String],
    calls: &HashMap<String, u64>,
) -> Vec<(u64, Result<Completion, CallError>)> {
    let mut replies = Vec::new();
    let mut failures = Vec::new();
    let mut answered = HashSet::new();
    for (cid, line) in results {
        let Some(&call) = calls.get(cid) else {
            continue;
        };
        if not_run(line) || !answered.insert(cid) {
            continue;
        }
        match outcome(kind, line) {
            Ok(reply) => replies.push((call, Ok(reply))),
            Err(e) => failures.push((call, Err(e))),
        }
    }
    replies.extend(failures);
    for cid in ids.iter().filter(|c| !answered.contains(c)) {
        if let Some(&call) = calls.get(cid) {
            replies.push((call, Err(CallError::new(ErrorKind::Aborted, "not run"))));
        }
    }
    replies
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::wire::{Message, ModelConfig};

    fn call(item: usize, model: &str, endpoint: usize) -> (String, usize, LlmCall) {
        let llm = LlmCall {
            messages: vec![Message::user(format!("question {item}"))],
            config: ModelConfig::new(model),
            schema: None,
            sample: 0,
            draw: 0,
            shared: None,
        };
        (format!("i{item}"), endpoint, llm)
    }

    fn lines(calls: &[(String, usize, LlmCall)]) -> Vec<Line<'_>> {
        calls
            .iter()
            .map(|(id, endpoint, llm)| Line {
                id: id.clone(),
                endpoint: *endpoint,
                kind: ProviderKind::OpenAi,
                llm,
            })
            .collect()
    }

    #[test]
    fn a_round_makes_one_batch_per_model_cut_at_the_limits() {
        let calls = [
            call(0, "a", 0),
            call(1, "b", 0),
            call(2, "a", 0),
            call(3, "a", 1),
            call(4, "a", 0),
        ];
        let files = plan_files(&lines(&calls), 2, 1 << 20);
        let shape: Vec<(usize, &str, usize)> = files
            .iter()
            .map(|f| (f.job.endpoint, f.job.model.as_str(), f.job.custom_ids.len()))
            .collect();
        assert_eq!(shape, [(0, "a", 2), (0, "a", 1), (0, "b", 1), (1, "a", 1)]);
        // Each file's lines are its ids, in order, one model each.
        for f in &files {
            let ids: Vec<String> = f
                .content
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                .inspect(|v| assert_eq!(v["body"]["model"], f.job.model.as_str()))
                .map(|v| v["custom_id"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(ids, f.job.custom_ids);
        }
        assert_eq!(files[0].job.custom_ids[0], "i0");
    }

    #[test]
    fn the_count_at_the_provider_and_pending_follow_the_jobs() {
        let calls = [call(0, "a", 0), call(1, "a", 0), call(2, "b", 0)];
        let mut state = BatchState {
            round: 1,
            jobs: plan_files(&lines(&calls), 10, 1 << 20)
                .into_iter()
                .map(|f| f.job)
                .collect(),
        };
        assert!(state.pending());
        assert_eq!(state.at_provider(), (0, 3));
        let info = BatchInfo {
            id: "b1".into(),
            status: BatchStatus::InProgress,
            output_file_id: None,
            error_file_id: None,
            total: 2,
            completed: 1,
            failed: 0,
            errors: vec![],
        };
        assert!(state.update(0, &info));
        assert!(!state.update(0, &info));
        assert_eq!(state.at_provider(), (1, 3));
        state.jobs[1].collected = true;
        assert_eq!(state.at_provider(), (2, 3));
        state.jobs[0].collected = true;
        assert!(!state.pending());
    }

    #[test]
    fn a_round_is_taken_up_where_it_was_saved_and_only_new_calls_are_planned() {
        let calls = [call(0, "a", 0), call(1, "a", 0), call(2, "a", 0)];
        let (state, contents) = take_up(None, 1, &lines(&calls[..2]));
        assert_eq!(state.jobs.len(), 1);
        assert_eq!(contents.len(), 1);
        let mut saved = state.clone();
        saved.jobs[0].batch_id = Some("b1".into());
        // The same round reopened with one call more: the saved batch is kept, one new job.
        let (again, contents) = take_up(Some(saved.clone()), 1, &lines(&calls));
        assert_eq!(again.jobs.len(), 2);
        assert_eq!(again.jobs[0].batch_id.as_deref(), Some("b1"));
        assert_eq!(again.jobs[1].custom_ids, ["i2"]);
        assert_eq!(contents.keys().collect::<Vec<_>>(), [&1]);
        // Another round's state is not taken up.
        let (next, _) = take_up(Some(saved), 2, &lines(&calls));
        assert_eq!((next.round, next.jobs.len()), (2, 1));
        assert_eq!(next.jobs[0].custom_ids.len(), 3);
    }

    #[test]
    fn an_anthropic_round_submits_request_bodies() {
        let calls = [call(0, "claude", 0), call(1, "claude", 0)];
        let mut ls = lines(&calls);
        for l in &mut ls {
            l.kind = ProviderKind::Anthropic;
        }
        let files = plan_files(&ls, usize::MAX, usize::MAX);
        assert_eq!(files.len(), 1);
        let v: serde_json::Value = serde_json::from_str(&files[0].content).unwrap();
        assert_eq!(v["requests"][1]["custom_id"], "i1");
        assert_eq!(v["requests"][0]["params"]["model"], "claude");
    }

    #[test]
    fn replies_are_handed_over_before_failures_and_unrun_calls_come_back_aborted() {
        let reply = |id: &str, text: &str| {
            (
                id.to_string(),
                LineResult::Reply {
                    status: 200,
                    body: format!(
                        r#"{{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{{"index":0,"message":{{"role":"assistant","content":"{text}"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}}}"#
                    ),
                },
            )
        };
        let results = vec![
            (
                "a".to_string(),
                LineResult::Reply {
                    status: 500,
                    body: r#"{"error":{"message":"boom"}}"#.into(),
                },
            ),
            reply("b", "B"),
            (
                "c".to_string(),
                LineResult::NotMade {
                    code: "batch_expired".into(),
                    message: "late".into(),
                },
            ),
            reply("z", "not ours"),
            reply("b", "B again"),
        ];
        let ids: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let calls: HashMap<String, u64> = ids.iter().cloned().zip(1..).collect();
        let out = hand_over(ProviderKind::OpenAi, &results, &ids, &calls);
        let shape: Vec<(u64, String)> = out
            .iter()
            .map(|(c, r)| {
                (
                    *c,
                    match r {
                        Ok(c) => c.text.clone(),
                        Err(e) if e.kind == ErrorKind::Aborted => "aborted".into(),
                        Err(_) => "failed".into(),
                    },
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (2, "B".into()),
                (1, "failed".into()),
                (3, "aborted".into()),
                (4, "aborted".into())
            ]
        );
    }
}
