//! The belief-rate chart's geometry, in SVG user units: one group per kind of question, one bar
//! per model with its 95% interval as a whisker, a 0–100% axis. The page draws it as given.

use super::results::EvalResults;
use super::EvalKind;

pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 320.0;
/// Room for the axis labels (left) and the kind labels (bottom).
const LEFT: f64 = 48.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 52.0;
const RIGHT: f64 = 12.0;

/// One model's bar in one group.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub model: usize,
    pub kind: EvalKind,
    pub x: f64,
    pub width: f64,
    /// The bar's top (the rate) and the whisker's ends; `None` with nothing decided.
    pub top: Option<f64>,
    pub low: f64,
    pub high: f64,
}

/// A group's label position.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub kind: EvalKind,
    pub center: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub bars: Vec<Bar>,
    pub groups: Vec<Group>,
    /// Axis ticks: (percent, y).
    pub ticks: Vec<(u32, f64)>,
    /// The plot's baseline (0%) and left edge.
    pub baseline: f64,
    pub left: f64,
    pub right: f64,
}

/// y of a rate (0–1): 0 at the baseline, 1 at the top.
fn y(rate: f64) -> f64 {
    HEIGHT - BOTTOM - rate.clamp(0.0, 1.0) * (HEIGHT - BOTTOM - TOP)
}

pub fn layout(r: &EvalResults) -> Chart {
    let groups = r.kinds.len().max(1) as f64;
    let models = r.models.len().max(1) as f64;
    let group_w = (WIDTH - LEFT - RIGHT) / groups;
    let bar_w = (group_w * 0.8 / models).min(60.0);
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    for (k, kind) in r.kinds.iter().enumerate() {
        let center = LEFT + group_w * (k as f64 + 0.5);
        labels.push(Group {
            kind: *kind,
            center,
        });
        let start = center - bar_w * models / 2.0;
        for (m, rates) in r.rates.iter().enumerate() {
            let Some(rate) = rates.get(k) else { continue };
            let (low, high) = rate.interval();
            bars.push(Bar {
                model: m,
                kind: *kind,
                x: start + bar_w * m as f64,
                width: bar_w,
                top: rate.rate().map(y),
                low: y(low),
                high: y(high),
            });
        }
    }
    Chart {
        bars,
        groups: labels,
        ticks: (0..=4).map(|t| (t * 25, y(t as f64 / 4.0))).collect(),
        baseline: y(0.0),
        left: LEFT,
        right: WIDTH - RIGHT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::results::Rate;

    #[test]
    fn bars_stand_on_the_baseline_at_their_rate_with_the_interval_around_it() {
        let rate = |s, c| Rate {
            supports: s,
            contradicts: c,
            ..Rate::default()
        };
        let r = EvalResults {
            models: vec!["base".into(), "tuned".into()],
            kinds: vec![EvalKind::Open, EvalKind::Choice],
            rates: vec![vec![rate(1, 9), rate(0, 0)], vec![rate(9, 1), rate(10, 0)]],
        };
        let c = layout(&r);
        assert_eq!(c.bars.len(), 4);
        let top = |i: usize| c.bars[i].top.unwrap();
        let base_open = &c.bars[0];
        let tuned_open = &c.bars[1];
        // Higher rate, higher bar (smaller y); 90% is 9× as far above the baseline as 10%.
        assert!(top(1) < top(0));
        assert!(((c.baseline - top(1)) / (c.baseline - top(0)) - 9.0).abs() < 1e-9);
        assert!(tuned_open.high < top(1) && top(1) < tuned_open.low);
        // Side by side within their group, groups in order, all inside the plot.
        assert!(base_open.x + base_open.width <= tuned_open.x + 1e-9);
        assert!(c.groups[0].center < c.groups[1].center);
        assert!(c
            .bars
            .iter()
            .all(|b| b.x >= c.left && b.x + b.width <= c.right));
        assert_eq!(c.bars[2].top, None, "nothing decided: no bar");
        assert_eq!(c.ticks.first().map(|t| t.1), Some(c.baseline));
        assert_eq!(c.ticks.last().map(|t| t.0), Some(100));
    }
}
