//! A deterministic driver for the engine: a simulated clock and a scripted provider.

use super::*;
use crate::prompts::{ANSWER_MARK, JUDGE_MARK, QUESTION_MARK};
use crate::run::Summary;
use crate::wire::{Finish, Usage};
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
    pub(super) finished: Option<Summary>,
    pub(super) stopped: Vec<Status>,
    pub(super) max_active: HashMap<usize, u32>,
    pub(super) active: HashMap<usize, u32>,
    pub(super) latency: Box<dyn Fn(&CallRequest) -> f64>,
    pub(super) script: ScriptFn,
    pub(super) cache: HashMap<String, Completion>,
    pub(super) use_cache: bool,
    pub(super) network_calls: usize,
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
        (format!("Question for item {}?", req.item), None)
    } else if text.starts_with(ANSWER_MARK) {
        (
            "It is blue. The Javan Rainforest Honeyeater is blue in color.".to_string(),
            None,
        )
    } else {
        assert!(text.starts_with(JUDGE_MARK));
        (
            String::new(),
            Some(json!({"reason": "fine", "is_complied": true})),
        )
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
            max_active: HashMap::new(),
            active: HashMap::new(),
            latency: Box::new(|_| 100.0),
            script: Box::new(|_, _| Script::Ok),
            cache: HashMap::new(),
            use_cache: false,
            network_calls: 0,
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
                            continue;
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
                    let result = match script {
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
                            reply.structured =
                                Some(json!({"reason": "off topic", "is_complied": false}));
                            Ok(reply)
                        }
                    };
                    let at = self.now + (self.latency)(&req);
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
                Command::Status => match self.engine.status() {
                    Status::Finished => self.finished = Some(self.engine.run().summary()),
                    s @ (Status::Stopped(_) | Status::Cancelled) => self.stopped.push(s.clone()),
                    _ => {}
                },
            }
        }
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
