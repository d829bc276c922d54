//! What an evaluation will cost before it starts: each item's answer call, and the judge's call
//! for open answers only (choices are read locally), from the prompts with typical answers.

use super::{tokens_of, Estimate, PriceTable, JUDGE_TOKENS};
use crate::eval::EvalKind;
use crate::provider::wire::Usage;
use crate::run::calls::{call_for_item, Texts};
use crate::run::{Run, Step};

/// Tokens of a typical open answer, and of a choice's reply ("A", "Answer: B").
const OPEN_TOKENS: u64 = 80;
const CHOICE_TOKENS: u64 = 5;

pub(super) fn estimate_eval(run: &Run, prices: &PriceTable) -> Estimate {
    let mut est = Estimate {
        items: run.items.len() as u64,
        usd: Some(0.0),
        ..Estimate::default()
    };
    for item in &run.items {
        let Some(case) = &item.eval else { continue };
        let open = case.kind == EvalKind::Open;
        let answer_out = if open { OPEN_TOKENS } else { CHOICE_TOKENS };
        let mut probe = item.clone();
        probe.answer = Some("x".repeat((answer_out * 4) as usize));
        let steps: &[Step] = if open {
            &[Step::WriteAnswer, Step::JudgeAnswer]
        } else {
            &[Step::WriteAnswer]
        };
        for &step in steps {
            let call = call_for_item(run, &probe, step, Texts::Final);
            let input: u64 = call
                .messages
                .iter()
                .map(|m| tokens_of(&m.content) + 4)
                .sum();
            let output = if step.is_judge() {
                JUDGE_TOKENS
            } else {
                answer_out
            };
            est.calls += 1;
            est.input_tokens += input;
            est.output_tokens += output;
            let model = &run.model_at(item, step).config.model;
            est.usd = match (est.usd, prices.price_of(model)) {
                (Some(sum), Some(p)) => Some(
                    sum + p.cost(&Usage {
                        input_tokens: input,
                        output_tokens: output,
                        ..Usage::default()
                    }),
                ),
                _ => None,
            };
        }
    }
    est
}
