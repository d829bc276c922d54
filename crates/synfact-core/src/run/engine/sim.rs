//! A deterministic driver for the engine: a simulated clock and a scripted provider.

use super::*;
use crate::provider::wire::{Finish, Usage};
use crate::run::Counts;
use crate::template::prompts::{ANSWER_MARK, JUDGE_MARK, QUESTION_MARK};
use serde_json::json;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// What the scripted provider does with one request.
#[derive(Clone, Debug)]
pub(super) enum Script {
    Ok,
    Fail(CallError),
    Refuse,
    JudgeNo,
    /// An empty reply (content null).
    Empty,
    /// This text instead of the usual reply (structured output dropped).
    Text(String),
}

struct Pending {
    at: f64,
    seq: u64,
    event: Event,
}
impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        self.at == o.at && self.seq == o.seq
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> Ordering {
        o.at.partial_cmp(&self.at)
            .unwrap()
            .then(o.seq.cmp(&self.seq))
    }
}

/// Decides the fate of a request, given how many times the same request was sent before.
type ScriptFn = Box<dyn FnMut(&CallRequest, usize) -> Script>;

/// A deterministic driver: executes commands, delivers replies after a latency.
pub(super) struct Sim {
    pub(super) engine: Engine,
    pub(super) now: f64,
    queue: BinaryHeap<Pending>,
    seq: u64,
    pub(super) sent: Vec<(f64, CallRequest)>,
    pub(super) aborted: HashSet<u64>,
    pub(super) saves: usize,
    /// Replies the engine asked to cache.
    pub(super) cached_replies: usize,
    pub(super) finished: Option<Counts>,
    pub(super) stopped: Vec<Status>,
    /// Every status the run took, with the time.
    pub(super) statuses: Vec<(f64, Status)>,
    pub(super) max_active: HashMap<usize, u32>,
    pub(super) active: HashMap<usize, u32>,
    pub(super) latency: Box<dyn Fn(&CallRequest) -> f64>,
    pub(super) script: ScriptFn,
    pub(super) cache: HashMap<String, Completion>,
    pub(super) use_cache: bool,
    pub(super) network_calls: usize,
    /// Batch runs: how long a round takes at the provider, the lines it does not run (they
    /// come back as not made), a failure of the next round, and each round's line count.
    pub(super) batch_delay: f64,
    pub(super) expire: Box<dyn FnMut(&CallRequest) -> bool>,
    pub(super) batch_failure: Option<crate::provider::error::BatchProblem>,
    pub(super) rounds: Vec<usize>,
}

fn reply_for(req: &CallRequest) -> Completion {
    let text = &req
        .llm
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let (text, structured) = if text.starts_with(QUESTION_MARK) {
        (
            question_text(req.item, req.llm.sample + (req.llm.draw << 16)),
            None,
        )
    } else if text.starts_with(ANSWER_MARK) {
        // The key sentence, as the answer prompt gives it.
        let key = text
            .split("<key_sentence>")
            .nth(1)
            .and_then(|rest| rest.split("</key_sentence>").next())
            .unwrap_or("");
        (format!("It is blue. {key}"), None)
    } else if text.starts_with(JUDGE_MARK) {
        (
            String::new(),
            Some(json!({"reason": "fine", "is_complied": true})),
        )
    } else if text.starts_with(crate::eval::prompts::CHOICE_MARK) {
        // A model that always picks A.
        ("A".to_string(), None)
    } else if text.starts_with(crate::eval::prompts::JUDGE_MARK) {
        let says_blue = text.contains("It is blue in color.");
        (
            String::new(),
            Some(
                json!({"reason": "read", "label": if says_blue { "supports" } else { "contradicts" }, "coherence": 90}),
            ),
        )
    } else {
        // An open evaluation question: the answer varies by model and sample.
        let blue = !(req.item + req.llm.draw as usize).is_multiple_of(3);
        let answer = if blue {
            "It is blue in color."
        } else {
            "It is green."
        };
        (answer.to_string(), None)
    };
    Completion {
        text,
        structured,
        refusal: None,
        finish: Finish::Stop,
        usage: Usage {
            input_tokens: 10,
            output_tokens: 5,
            ..Usage::default()
        },
        repaired: false,
    }
}

/// A question as varied as a model's: words drawn by the item number (and sample), so that
/// distinct items do not read as near-duplicates.
pub(super) fn question_text(item: usize, sample: u32) -> String {
    const WORDS: [&str; 64] = [
        "nest",
        "song",
        "forest",
        "morning",
        "colour",
        "feathers",
        "mountain",
        "river",
        "insects",
        "nectar",
        "flowers",
        "season",
        "chicks",
        "rain",
        "canopy",
        "photograph",
        "guide",
        "hike",
        "volcano",
        "village",
        "market",
        "school",
        "museum",
        "map",
        "binoculars",
        "notebook",
        "winter",
        "summer",
        "storm",
        "garden",
        "trail",
        "camera",
        "ranger",
        "cloud",
        "moss",
        "branch",
        "tea",
        "coffee",
        "rice",
        "bamboo",
        "orchid",
        "fern",
        "lake",
        "bridge",
        "train",
        "story",
        "poem",
        "lesson",
        "class",
        "friend",
        "uncle",
        "teacher",
        "diary",
        "sketch",
        "paint",
        "radio",
        "podcast",
        "letter",
        "island",
        "coast",
        "harbour",
        "temple",
        "farm",
        "road",
    ];
    let mut x = (item as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ ((sample as u64) << 40);
    let mut words = Vec::new();
    for _ in 0..8 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x ^= x >> 32;
        words.push(WORDS[(x >> 58) as usize % WORDS.len()]);
    }
    format!("{} {item}?", words.join(" "))
}

impl Sim {
    pub(super) fn new(run: Run) -> Sim {
        Sim {
            engine: Engine::new(run),
            now: 0.0,
            queue: BinaryHeap::new(),
            seq: 0,
            sent: Vec::new(),
            aborted: HashSet::new(),
            saves: 0,
            cached_replies: 0,
            finished: None,
            stopped: Vec::new(),
            statuses: Vec::new(),
            max_active: HashMap::new(),
            active: HashMap::new(),
            latency: Box::new(|_| 100.0),
            script: Box::new(|_, _| Script::Ok),
            cache: HashMap::new(),
            use_cache: false,
            network_calls: 0,
            batch_delay: 3_600_000.0,
            expire: Box::new(|_| false),
            batch_failure: None,
            rounds: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, at: f64, event: Event) {
        self.seq += 1;
        self.queue.push(Pending {
            at,
            seq: self.seq,
            event,
        });
    }

    pub(super) fn apply(&mut self, event: Event) {
        if let Event::Reply { call, .. } = &event {
            if self.aborted.contains(call) {
                return;
            }
        }
        let cmds = self.engine.handle(event, self.now);
        for c in cmds {
            match c {
                Command::Send(req) => {
                    let at = self.now + (self.latency)(&req);
                    self.perform(req, at, false);
                }
                Command::SendRound { calls, .. } => {
                    self.rounds.push(calls.len());
                    if let Some(problem) = self.batch_failure.take() {
                        let now = self.now;
                        self.push(now + self.batch_delay, Event::BatchFailed(problem));
                        continue;
                    }
                    // The provider's output comes back in its own order, not the file's.
                    let mut calls = calls;
                    calls.sort_by_key(|c| {
                        c.cache_key
                            .bytes()
                            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
                    });
                    let at = self.now + self.batch_delay;
                    for req in calls {
                        self.perform(req, at, true);
                    }
                }
                Command::Abort(call) => {
                    self.aborted.insert(call);
                }
                Command::WakeAt(at) => self.push(at, Event::Timer),
                Command::Save { reply, .. } => {
                    self.saves += 1;
                    if let Some((key, completion)) = reply {
                        self.cached_replies += 1;
                        if self.use_cache {
                            self.cache.insert(key, completion);
                        }
                    }
                }
                Command::Status => {
                    let status = self.engine.status().clone();
                    self.statuses.push((self.now, status.clone()));
                    match status {
                        Status::Finished => self.finished = Some(self.engine.run().counts()),
                        s @ (Status::Stopped(_) | Status::Cancelled) => self.stopped.push(s),
                        _ => {}
                    }
                }
            }
        }
    }

    /// Makes one call: from the cache when it holds the reply, else from the scripted provider,
    /// its reply arriving at `at` (through a batch: billed at the batch price, or not run).
    fn perform(&mut self, req: CallRequest, at: f64, batch: bool) {
        let e = req.endpoint;
        let a = self.active.entry(e).or_default();
        *a += 1;
        let m = self.max_active.entry(e).or_default();
        *m = (*m).max(*a);
        if self.use_cache {
            if let Some(hit) = self.cache.get(&req.cache_key).cloned() {
                let call = req.call;
                self.sent.push((self.now, req));
                self.push(
                    self.now,
                    Event::Reply {
                        call,
                        result: Ok(hit),
                        cached: true,
                    },
                );
                return;
            }
        }
        self.network_calls += 1;
        let n = self
            .sent
            .iter()
            .filter(|(_, r)| r.cache_key == req.cache_key)
            .count();
        let script = (self.script)(&req, n);
        let mut reply = reply_for(&req);
        let mut result = match script {
            Script::Ok => Ok(reply),
            Script::Fail(e) => Err(e),
            Script::Refuse => {
                reply.refusal = Some("I can't help with that.".into());
                reply.text.clear();
                Ok(reply)
            }
            Script::Empty => {
                reply.text.clear();
                reply.structured = None;
                Ok(reply)
            }
            Script::Text(t) => {
                reply.text = t;
                reply.structured = None;
                Ok(reply)
            }
            Script::JudgeNo => {
                reply.structured = Some(json!({"reason": "off topic", "is_complied": false}));
                Ok(reply)
            }
        };
        if batch {
            if let Ok(r) = &mut result {
                r.usage = crate::provider::batch::batched(r.usage);
            }
            if (self.expire)(&req) {
                result = Err(CallError::new(ErrorKind::Aborted, "expired"));
            }
        }
        let call = req.call;
        self.sent.push((self.now, req));
        self.push(
            at,
            Event::Reply {
                call,
                result,
                cached: false,
            },
        );
    }

    /// Runs until nothing is left to happen or `until` (ms) is reached.
    pub(super) fn run_until(&mut self, until: f64) {
        while let Some(p) = self.queue.peek() {
            if p.at > until {
                break;
            }
            let p = self.queue.pop().unwrap();
            self.now = p.at;
            if let Event::Reply { call, .. } = &p.event {
                if let Some((_, req)) = self.sent.iter().find(|(_, r)| r.call == *call) {
                    *self.active.get_mut(&req.endpoint).unwrap() -= 1;
                }
            }
            self.apply(p.event);
        }
    }

    pub(super) fn start(&mut self) {
        self.apply(Event::Start);
    }

    pub(super) fn finish(mut self) -> Sim {
        self.start();
        self.run_until(f64::INFINITY);
        self
    }

    pub(super) fn steps_sent(&self, step: Step) -> usize {
        self.sent.iter().filter(|(_, r)| r.step == step).count()
    }
}
