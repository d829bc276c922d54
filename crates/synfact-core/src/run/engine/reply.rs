//! What a reply (or a failed call) does to its item: the checks and verdicts that move it on,
//! ask again or end it, the retry policy applied, and the top-up of an item that ended
//! unaccepted.

use super::*;

impl Engine {
    pub(super) fn on_reply(
        &mut self,
        call: u64,
        result: Result<Completion, CallError>,
        cached: bool,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        // Replies to calls that were aborted (cancel, stop, the other copy answered) are ignored.
        let Some(f) = self.in_flight.remove(&call) else {
            return;
        };
        self.busy[f.endpoint] = self.busy[f.endpoint].saturating_sub(1);
        // A re-sent call: the first reply wins; a failure waits for the other copy.
        let mut lost_twin = false;
        if let Some(t) = f.twin {
            if let Err(error) = &result {
                if let Some(other) = self.in_flight.get_mut(&t) {
                    // The survivor is the item's call now (counted in flight, never copied again).
                    other.twin = None;
                    other.resent = false;
                    other.copied = true;
                    self.pending[f.item] = Some(t);
                    self.health[f.endpoint].failed(f.item, error, now);
                    return;
                }
            } else if let Some(other) = self.in_flight.remove(&t) {
                self.busy[other.endpoint] = self.busy[other.endpoint].saturating_sub(1);
                out.push(Command::Abort(t));
                lost_twin = true;
            }
        }
        self.set_pending(f.item, None);
        if cached {
            // A reply from the cache cost the provider nothing: give back its place in the minute.
            if let Some(pos) = self.sent[f.endpoint].iter().rposition(|&t| t == f.started) {
                self.sent[f.endpoint].remove(pos);
            }
        }
        let step = f.step;
        if !cached && result.is_ok() {
            // From the first copy: what the item waited (a winning copy's own time would hide
            // how slow its first was).
            self.resend.took(step, now - f.first_sent);
        }
        let log = |error: Option<CallError>| CallLog {
            step,
            started_ms: f.first_sent,
            ms: now - f.first_sent,
            error,
            cached,
        };
        let mut reply_to_cache = None;
        match result {
            Ok(reply) => {
                self.reached[f.endpoint] = true;
                self.health[f.endpoint].answered(now);
                if !cached {
                    let model = self
                        .run
                        .model_at(&self.run.items[f.item], step)
                        .config
                        .model
                        .as_str();
                    // The aborted copy of a re-sent call is billed as if it had answered the same.
                    let copies = if lost_twin { 2.0 } else { 1.0 };
                    if let Some(p) = self.run.settings.prices.price_of(model) {
                        let usd = p.cost(&reply.usage) * copies;
                        self.spent_usd += usd;
                        self.run.items[f.item].spent_usd += usd;
                    }
                }
                let item = &mut self.run.items[f.item];
                item.usage[step.index()].add(&reply.usage);
                if lost_twin && !cached {
                    item.usage[step.index()].add(&reply.usage);
                }
                item.log(log(None));
                if reply.repaired {
                    item.notes.push(Note::RepairedText(step));
                }
                match self.advance(f.item, step, &reply) {
                    Advance::Used(stage) => {
                        self.set_stage(f.item, stage);
                        if !cached {
                            reply_to_cache = Some((f.cache_key, reply));
                        }
                    }
                    Advance::AskAgain { cache, failure } => {
                        // A fresh sample: a new sample number, so a new cache key.
                        let item = &mut self.run.items[f.item];
                        item.samples[step.index()] += 1;
                        if let Some(failure) = failure {
                            item.notes.push(Note::AskedAgain { step, failure });
                        }
                        // A reply that failed a local check was still a real reply: cached, so
                        // a resumed run decides the same way without asking again.
                        if cache && !cached {
                            reply_to_cache = Some((f.cache_key, reply));
                        }
                    }
                    Advance::Unusable(stage) => self.set_stage(f.item, stage),
                }
            }
            Err(error) => {
                let reached = self.reached[f.endpoint];
                let retries = self.run.items[f.item].retries[step.index()];
                let decision =
                    if error.kind == ErrorKind::Network && !reached && retries >= UNREACHABLE_AFTER
                    {
                        Decision::StopRun(ProviderProblem::Unreachable)
                    } else {
                        decide(&error, reached)
                    };
                if decision == Decision::Forget {
                    self.enqueue(f.item, now);
                    return;
                }
                self.run.items[f.item].log(log(Some(error.clone())));
                self.health[f.endpoint].failed(f.item, &error, now);
                match decision {
                    Decision::Forget => unreachable!("handled above"),
                    Decision::Retry => self.retry(f.item, step, f.endpoint, &error, now),
                    Decision::FailItem(reason) => {
                        let current = self.run.items[f.item]
                            .max_tokens
                            .unwrap_or(self.model_of(f.item, step).max_tokens);
                        match fitting_max_tokens(&error.detail, current) {
                            Some(n) => {
                                let item = &mut self.run.items[f.item];
                                item.max_tokens = Some(n);
                                item.notes.push(Note::ShrankMaxTokens { step, to: n });
                            }
                            None => self.end(f.item, step, Stage::Failed, reason),
                        }
                    }
                    Decision::StopRun(problem) => {
                        out.push(Command::Save {
                            item: f.item,
                            reply: None,
                        });
                        self.enqueue(f.item, now);
                        self.stop(
                            Status::Stopped(StopReason::Provider {
                                endpoint: f.endpoint,
                                problem,
                                detail: error.detail,
                            }),
                            out,
                        );
                        return;
                    }
                }
            }
        }
        out.push(Command::Save {
            item: f.item,
            reply: reply_to_cache,
        });
        self.after_change(f.item, now, out);
    }

    /// After an item changed: schedule its next step, or top up if it ended unaccepted.
    pub(super) fn after_change(&mut self, idx: usize, now: f64, out: &mut Vec<Command>) {
        self.enqueue(idx, now);
        let item = &self.run.items[idx];
        let rejudged = item.stage.is_terminal() && self.rejudging.remove(&idx);
        if !rejudged
            && matches!(item.stage, Stage::Rejected | Stage::Failed)
            && self.run.settings.target == Target::Accepted
        {
            match self.topup.replace(&self.run, idx) {
                topup::Next::Item(new) => self.push_item(*new, now, out),
                topup::Next::Nothing => {}
                topup::Next::Stop(reason) => {
                    if self.status == Status::Running {
                        self.stop(Status::Stopped(reason), out);
                    }
                }
            }
        }
    }

    pub(super) fn retry(
        &mut self,
        idx: usize,
        step: Step,
        endpoint: usize,
        error: &CallError,
        now: f64,
    ) {
        let max = self.run.settings.max_retries;
        if self.run.items[idx].retries[step.index()] >= max
            && self.health[endpoint].shared(idx, error)
        {
            // Out of retries, but other items fail the same way: the provider's trouble, not
            // this item's. It stays unfinished and the run pauses.
            if let Some(outage) = self.health[endpoint].outage(now, true) {
                self.pause_for_outage(endpoint, outage, error.detail.clone());
                self.ready_at[idx] = now;
                return;
            }
        }
        let (base, cap) = (
            self.run.settings.backoff_base_ms,
            self.run.settings.backoff_max_ms,
        );
        let item = &mut self.run.items[idx];
        let n = &mut item.retries[step.index()];
        *n += 1;
        if *n > max {
            let tries = *n;
            self.end(
                idx,
                step,
                Stage::Failed,
                Reason::GaveUp {
                    tries,
                    last: error.clone(),
                },
            );
        } else {
            let unit: f64 = self.rng.random();
            // A batch run retries in its next round: the round itself is the wait.
            let wait = if self.run.settings.batch {
                0
            } else {
                backoff_ms(*n, base, cap, error.retry_after_ms, unit)
            };
            self.ready_at[idx] = now + wait as f64;
        }
    }

    pub(super) fn end(&mut self, idx: usize, step: Step, stage: Stage, reason: Reason) {
        let item = &mut self.run.items[idx];
        item.ended_at = Some(step);
        item.reason = Some(reason);
        self.set_stage(idx, stage);
    }

    /// What a reply does to its item.
    pub(super) fn advance(&mut self, idx: usize, step: Step, reply: &Completion) -> Advance {
        if self.run.eval.is_some() {
            return self.advance_eval(idx, step, reply);
        }
        let quality = self.run.settings.quality.clone();
        let reasks = quality.reasks;
        let (key_sentence, requirement) = {
            let (_, _, r) = self.run.prompt_texts(&self.run.items[idx].prompt);
            (
                self.run
                    .template
                    .specific_information_to_always_include
                    .clone(),
                r.to_string(),
            )
        };
        let item = &mut self.run.items[idx];
        let can_ask_again = item.samples[step.index()] < reasks;
        let reject = |item: &mut Item, reason: Reason| {
            item.ended_at = Some(step);
            item.reason = Some(reason);
            Stage::Rejected
        };
        // A local check failed: ask again while samples are left, then reject.
        let failed = |item: &mut Item, failure: CheckFailure| {
            if can_ask_again {
                Advance::AskAgain {
                    cache: true,
                    failure: Some(failure),
                }
            } else {
                Advance::Used(reject(item, Reason::Check(failure)))
            }
        };
        match step {
            Step::WriteQuestion | Step::WriteAnswer => {
                match refusal(reply) {
                    // An empty reply is a glitch more often than a refusal: ask again, and never cache it.
                    Some(Refusal::Empty) if can_ask_again => {
                        return Advance::AskAgain {
                            cache: false,
                            failure: None,
                        }
                    }
                    Some(Refusal::Empty) => {
                        return Advance::Unusable(reject(item, Reason::Refused(Refusal::Empty)))
                    }
                    Some(r) => return Advance::Used(reject(item, Reason::Refused(r))),
                    None => {}
                }
                if step == Step::WriteAnswer && reply.finish == Finish::Length {
                    if can_ask_again {
                        return Advance::AskAgain {
                            cache: true,
                            failure: None,
                        };
                    }
                    return Advance::Used(reject(item, Reason::CutOff));
                }
                let text = reply.text.trim().to_string();
                if step == Step::WriteQuestion {
                    if let Some(failure) = check_question(&text, &requirement, &quality) {
                        return failed(item, failure);
                    }
                    if let Some(dedup) = &mut self.dedup {
                        dedup.observe(&text);
                        let items = &self.run.items;
                        // A twin that was rejected or failed since will not be in the dataset.
                        let twin = dedup.twin(&text, |t| {
                            !matches!(items[t].stage, Stage::Rejected | Stage::Failed)
                        });
                        let item = &mut self.run.items[idx];
                        if let Some(t) = twin {
                            item.question = Some(text);
                            return Advance::Used(reject(
                                item,
                                Reason::Duplicate {
                                    of: t.item,
                                    similarity: t.similarity,
                                },
                            ));
                        }
                        dedup.insert(idx, &text);
                    }
                    self.run.items[idx].question = Some(text);
                    Advance::Used(Stage::Question)
                } else {
                    let asked = format!("{} {requirement}", item.final_question().unwrap_or(""));
                    if let Some(failure) = check_answer(&text, &key_sentence, &asked, &quality) {
                        return failed(item, failure);
                    }
                    item.answer = Some(text);
                    Advance::Used(Stage::Answer)
                }
            }
            Step::JudgeQuestion | Step::JudgeAnswer => {
                let slot = if step == Step::JudgeQuestion {
                    &mut item.verdicts.question
                } else {
                    &mut item.verdicts.answer
                };
                match parse_verdict(reply) {
                    Verdict::Complied(why) => {
                        *slot = why;
                        Advance::Used(if step == Step::JudgeQuestion {
                            Stage::QuestionJudged
                        } else {
                            Stage::Accepted
                        })
                    }
                    Verdict::NotComplied(why) => {
                        *slot = why.clone();
                        Advance::Used(reject(item, Reason::JudgeRejected { why }))
                    }
                    Verdict::Refused(text) => {
                        Advance::Used(reject(item, Reason::JudgeRefused { text }))
                    }
                    Verdict::Unreadable(_) if can_ask_again => Advance::AskAgain {
                        cache: false,
                        failure: None,
                    },
                    Verdict::Unreadable(snippet) => {
                        Advance::Unusable(reject(item, Reason::NoVerdict { snippet }))
                    }
                }
            }
        }
    }
}

/// What a reply did.
impl Engine {
    /// What a reply does to an evaluation item: an answer is kept as it is (a refusal is an
    /// answer too: it decides nothing); a choice is read at once, an open answer goes to the
    /// judge, whose label ends the item. Only an empty reply or a label-less judgment is asked
    /// again.
    fn advance_eval(&mut self, idx: usize, step: Step, reply: &Completion) -> Advance {
        let reasks = self.run.settings.quality.reasks;
        let item = &mut self.run.items[idx];
        let can_ask_again = item.samples[step.index()] < reasks;
        let Some(case) = item.eval.as_mut() else {
            return Advance::Unusable(Stage::Failed);
        };
        if step.is_judge() {
            return match crate::eval::parse::label(reply) {
                Some(l) => {
                    case.belief = Some(l.belief);
                    case.coherence = l.coherence;
                    case.reason = l.reason.clone();
                    item.verdicts.answer = l.reason;
                    Advance::Used(Stage::Accepted)
                }
                None if can_ask_again => Advance::AskAgain {
                    cache: false,
                    failure: None,
                },
                None => {
                    item.ended_at = Some(step);
                    item.reason = Some(Reason::NoVerdict {
                        snippet: reply.text.chars().take(120).collect(),
                    });
                    Advance::Unusable(Stage::Rejected)
                }
            };
        }
        let text = reply
            .refusal
            .clone()
            .unwrap_or_else(|| reply.text.trim().to_string());
        if text.trim().is_empty() {
            if can_ask_again {
                return Advance::AskAgain {
                    cache: false,
                    failure: None,
                };
            }
            case.belief = Some(crate::eval::Belief::NotSure);
            item.answer = Some(String::new());
            return Advance::Unusable(Stage::Accepted);
        }
        let decided = match case.kind {
            crate::eval::EvalKind::Open => None,
            _ => Some(crate::eval::parse::choice_belief(&text, case.fact_at)),
        };
        item.answer = Some(text);
        match decided {
            Some(belief) => {
                case.belief = Some(belief);
                Advance::Used(Stage::Accepted)
            }
            None => Advance::Used(Stage::Answer),
        }
    }
}

pub(super) enum Advance {
    /// The reply moved the item to this stage; it is worth caching.
    Used(Stage),
    /// Ask the same step again with a fresh sample: the reply failed a local check (`failure`;
    /// a real reply, cached) or was unusable (not cached).
    AskAgain {
        cache: bool,
        failure: Option<CheckFailure>,
    },
    /// The reply was unusable and there are no samples left: the item ends at this stage, and
    /// the reply is not cached, so a later run asks again.
    Unusable(Stage),
}
