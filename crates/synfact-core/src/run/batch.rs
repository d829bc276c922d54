//! A round of a batch run as the provider holds it: its batches (one model per file, cut at the
//! provider's limits), planned from the engine's calls and saved with the run, so a page opened
//! later follows the same batches instead of submitting the calls again. The adapter uploads,
//! creates and polls; the decisions are here.

use crate::provider::batch::{input_line, split, BatchInfo, BatchStatus};
use crate::provider::wire::LlmCall;
use serde::{Deserialize, Serialize};

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

/// One call of a round, as a batch line: its custom id, endpoint and request.
pub struct Line<'a> {
    pub id: String,
    pub endpoint: usize,
    pub llm: &'a LlmCall,
}

/// The round's input files: the calls grouped by endpoint and model (a batch holds one model),
/// in the calls' order, each group cut at `max_lines` lines and `max_bytes` bytes.
pub fn plan_files(calls: &[Line], max_lines: usize, max_bytes: usize) -> Vec<JobFile> {
    let mut groups: Vec<((usize, &str), Vec<&Line>)> = Vec::new();
    for c in calls {
        let key = (c.endpoint, c.llm.config.model.as_str());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(c),
            None => groups.push((key, vec![c])),
        }
    }
    let mut out = Vec::new();
    for ((endpoint, model), group) in groups {
        let ids: Vec<String> = group.iter().map(|c| c.id.clone()).collect();
        let lines: Vec<String> = group
            .iter()
            .zip(&ids)
            .map(|(c, id)| input_line(id, c.llm))
            .collect();
        for range in split(&lines, max_lines, max_bytes) {
            let mut content = lines[range.clone()].join("\n");
            content.push('\n');
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
}
