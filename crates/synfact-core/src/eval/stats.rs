//! The statistics of a belief rate: the Wilson score interval of a proportion, and Newcombe's
//! hybrid score interval of the difference of two (method 10 in Newcombe, 1998), both at 95%.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of `x` successes in `n` trials, at `z`: (low, high). (0, 1) when
/// there are no trials.
pub fn wilson(x: usize, n: usize, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = x as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// The difference p1 − p2 of two proportions (x1 of n1, x2 of n2), with Newcombe's hybrid
/// score interval at 95%: (difference, low, high). `None` when either has no trials.
pub fn difference(x1: usize, n1: usize, x2: usize, n2: usize) -> Option<(f64, f64, f64)> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let (l1, u1) = wilson(x1, n1, Z95);
    let (l2, u2) = wilson(x2, n2, Z95);
    let d = p1 - p2;
    let low = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Some((d, low.max(-1.0), high.min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605;
        // 0/20 → 0–0.1611; 1/29 → 0.0061–0.1718.
        for (x, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(x, n, Z95);
            assert!(
                (l - lo).abs() < 1e-4 && (h - hi).abs() < 1e-4,
                "{x}/{n}: {l} {h}"
            );
        }
        assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
        let (l, h) = wilson(10, 10, Z95);
        assert!(close(h, 1.0) && l > 0.69 && l < 0.73, "{l}");
    }

    #[test]
    fn the_difference_matches_newcombe() {
        // Newcombe (1998), table II, method 10: 56/70 − 48/80 = 0.2000, 0.0524 to 0.3339;
        // 9/10 − 3/10 = 0.6, 0.1705 to 0.8090.
        let (d, l, h) = difference(56, 70, 48, 80).unwrap();
        assert!(
            close(d, 0.2) && (l - 0.0524).abs() < 1e-4 && (h - 0.3339).abs() < 1e-4,
            "{d} {l} {h}"
        );
        let (d, l, h) = difference(9, 10, 3, 10).unwrap();
        assert!(
            close(d, 0.6) && (l - 0.1705).abs() < 1e-4 && (h - 0.8090).abs() < 1e-4,
            "{d} {l} {h}"
        );
        assert_eq!(difference(1, 0, 1, 2), None);
    }
}
