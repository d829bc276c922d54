//! Decimal numbers typed by people or sent in headers ("0.7", "12", "1.5e3", "-3").
//!
//! Hand-written instead of `str::parse::<f64>`: the standard parser carries a 21 KB table of
//! powers of five (for correct rounding of any input), which was 4 % of the app's download, and
//! nothing here needs more than what this gives. Numbers of up to 15 significant digits with an
//! exponent of at most 22 either way (every number a form or a header holds) come out exactly as
//! the standard parser makes them: one correctly rounded multiplication or division of two exact
//! values. Longer or larger ones are within a few units in the last place. Words ("inf", "NaN")
//! are not numbers.

/// Powers of ten that an f64 holds exactly.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Significant digits kept; the rest only move the exponent (u64 holds 19 digits).
const MAX_DIGITS: u32 = 19;

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` (".5" and "5." too); anything else is `None`.
pub fn decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut mantissa: u64 = 0;
    let mut kept = 0u32;
    let mut exponent: i64 = 0;
    let mut digits = 0usize;
    let mut seen_point = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                let d = u64::from(b - b'0');
                if kept < MAX_DIGITS {
                    if mantissa > 0 || d > 0 {
                        kept += 1;
                    }
                    mantissa = mantissa * 10 + d;
                    if seen_point {
                        exponent -= 1;
                    }
                } else if !seen_point {
                    // A digit past the kept ones, before the point: the number is 10 times larger.
                    exponent += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        let sign: i64 = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let start = i;
        let mut e: i64 = 0;
        while let Some(&b @ b'0'..=b'9') = bytes.get(i) {
            // Saturates: any exponent past a few hundred gives 0 or infinity anyway.
            e = (e * 10 + i64::from(b - b'0')).min(100_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        exponent += sign * e;
    }
    if i != bytes.len() {
        return None;
    }
    let value = scale(mantissa, exponent);
    Some(if negative { -value } else { value })
}

/// `mantissa × 10^exponent`.
fn scale(mantissa: u64, exponent: i64) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let m = mantissa as f64;
    let exact = mantissa < (1 << 53);
    match usize::try_from(exponent.unsigned_abs()) {
        Ok(e) if exact && e < EXACT_POW10.len() => {
            if exponent >= 0 {
                m * EXACT_POW10[e]
            } else {
                m / EXACT_POW10[e]
            }
        }
        _ => {
            // Out of the exact range: steps of 10^22 keep each rounding small.
            let mut value = m;
            let mut left = exponent;
            while left != 0 && value != 0.0 && value.is_finite() {
                let step = left.clamp(-22, 22);
                let p = EXACT_POW10[step.unsigned_abs() as usize];
                value = if step > 0 { value * p } else { value / p };
                left -= step;
            }
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;
    use proptest::prelude::*;

    #[test]
    fn numbers_people_type() {
        let cases: [(&str, Option<f64>); 20] = [
            ("0.7", Some(0.7)),
            ("12", Some(12.0)),
            ("-3", Some(-3.0)),
            ("+2.5", Some(2.5)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            ("1e9", Some(1e9)),
            ("1.5E-3", Some(0.0015)),
            ("0.1", Some(0.1)),
            ("0.15", Some(0.15)),
            ("000123.4500", Some(123.45)),
            ("1e400", Some(f64::INFINITY)),
            ("1e-400", Some(0.0)),
            ("", None),
            ("-", None),
            (".", None),
            ("1e", None),
            ("inf", None),
            ("NaN", None),
            ("1.2.3", None),
        ];
        for (text, want) in cases {
            assert_eq!(decimal(text), want, "{text:?}");
        }
        for bad in ["1,5", " 1", "1 ", "0x10", "1e+", "--1", "1e5.5", "½"] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn digits_past_nineteen_still_count() {
        assert_eq!(
            decimal("12345678901234567890123"),
            Some(1.2345678901234568e22)
        );
        assert_eq!(decimal("0.000000000000000000000012345"), Some(1.2345e-23));
    }

    proptest! {
        /// Up to 15 significant digits and exponents within ±22: exactly the standard parser's value.
        #[test]
        fn short_numbers_match_the_standard_parser(int in 0u64..1_000_000_000, frac in 0u32..1_000_000, places in 0usize..6, exp in -16i32..=16) {
            let text = format!("{int}.{frac:0places$}e{exp}", places = places.max(1));
            prop_assert_eq!(decimal(&text), text.parse::<f64>().ok());
        }

        /// Anything longer is within a few units in the last place of the standard parser's value.
        #[test]
        fn long_numbers_are_close(digits in "[1-9][0-9]{0,30}", point in 0usize..30, exp in -300i32..300) {
            let point = point.min(digits.len());
            let (int, frac) = digits.split_at(point);
            let text = format!("{}.{}e{exp}", if int.is_empty() { "0" } else { int }, if frac.is_empty() { "0" } else { frac });
            let (ours, std) = (decimal(&text).unwrap(), text.parse::<f64>().unwrap());
            if std.is_finite() && std.is_normal() {
                prop_assert!(((ours - std) / std).abs() < 1e-14, "{text}: {ours} vs {std}");
            }
        }

        /// Whatever the text, no panic; a number only if the standard parser also sees one.
        #[test]
        fn never_panics_and_never_invents(text in ".{0,40}") {
            if decimal(&text).is_some() {
                prop_assert!(text.parse::<f64>().is_ok(), "{text:?}");
            }
        }

        /// Number-shaped text: accepted exactly when the standard parser accepts it, with the same
        /// sign and, away from the edges of the f64 range (where the two may round differently to
        /// zero or infinity), a value within a few units in the last place.
        #[test]
        fn number_shaped_text_agrees_with_the_standard_parser(text in "[+-]?[0-9]{0,22}(\\.[0-9]{0,22})?([eE][+-]?[0-9]{0,4})?") {
            let std = text.parse::<f64>().ok();
            let ours = decimal(&text);
            prop_assert_eq!(ours.is_some(), std.is_some(), "{}", text);
            if let (Some(o), Some(s)) = (ours, std) {
                prop_assert_eq!(o.is_sign_negative(), s.is_sign_negative(), "{}", text);
                if s == 0.0 && !text.contains(['1', '2', '3', '4', '5', '6', '7', '8', '9']) {
                    prop_assert_eq!(o, 0.0, "{}", text);
                }
                if s.is_normal() && (1e-300..1e300).contains(&s.abs()) {
                    prop_assert!(((o - s) / s).abs() < 1e-14, "{}: {} vs {}", text, o, s);
                }
            }
        }
    }
}
