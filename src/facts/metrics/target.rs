//! A KPI target read by the machine: `">= 4% of lapsed users"`, `"< 300 ms"`,
//! `"between 2 and 5 d"`. The comparison and number come first; text after them describes.

use serde::Serialize;
use std::fmt;

/// The forms a target may take, for error messages.
pub const ACCEPTED: &str = "`>= 4%`, `> 120`, `<= 300 ms`, `< 2 h`, `between 3 and 5 d` (a comparison, a number, an optional unit `%`, `ms`, `s`, `h` or `d`; text after it describes the target)";

/// A unit a KPI may be measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// Percent.
    #[serde(rename = "%")]
    Percent,
    /// Milliseconds.
    #[serde(rename = "ms")]
    Millis,
    /// Seconds.
    #[serde(rename = "s")]
    Seconds,
    /// Hours.
    #[serde(rename = "h")]
    Hours,
    /// Days.
    #[serde(rename = "d")]
    Days,
}

impl Unit {
    /// The unit written at the start of `s` (before white space or the end), and what follows.
    pub fn read(s: &str) -> Option<(Unit, &str)> {
        let s = s.trim_start();
        for (text, unit) in [
            ("%", Unit::Percent),
            ("ms", Unit::Millis),
            ("s", Unit::Seconds),
            ("h", Unit::Hours),
            ("d", Unit::Days),
        ] {
            if let Some(rest) = s.strip_prefix(text)
                && (text == "%" || rest.is_empty() || rest.starts_with(char::is_whitespace))
            {
                return Some((unit, rest));
            }
        }
        None
    }

    /// How the unit is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Hours => "h",
            Unit::Days => "d",
        }
    }
}

/// How a value is compared with the target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Comparison {
    /// `>= n`.
    AtLeast { n: f64 },
    /// `> n`.
    Above { n: f64 },
    /// `<= n`.
    AtMost { n: f64 },
    /// `< n`.
    Below { n: f64 },
    /// `between a and b`, both included.
    Between { low: f64, high: f64 },
}

/// A target a series is judged against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// The comparison.
    #[serde(flatten)]
    pub comparison: Comparison,
    /// The unit, when one is written.
    pub unit: Option<Unit>,
}

impl Target {
    /// Read a target; `Err` says what is wrong (the caller adds [`ACCEPTED`]).
    pub fn parse(text: &str) -> Result<Target, String> {
        let s = text.trim();
        let (comparison, rest) = if let Some(rest) = strip_word(s, "between") {
            let (low, rest) = number(rest).ok_or("`between` must be followed by a number")?;
            // `between 2% and 5%`: a unit may follow the first number too.
            let (first_unit, rest) = match Unit::read(rest) {
                Some((u, r)) => (Some(u), r),
                None => (None, rest),
            };
            let rest = strip_word(rest, "and").ok_or("write `between A and B`")?;
            let (high, rest) = number(rest).ok_or("`and` must be followed by a number")?;
            if low > high {
                return Err(format!(
                    "{low} is above {high}: write the lower bound first"
                ));
            }
            let (unit, rest) = match Unit::read(rest) {
                Some((u, r)) => (Some(u), r),
                None => (first_unit, rest),
            };
            if first_unit.is_some() && unit != first_unit {
                return Err("the two bounds have different units".into());
            }
            return finish(Comparison::Between { low, high }, unit, rest);
        } else {
            let (op, rest) = [">=", "<=", ">", "<", "≥", "≤"]
                .iter()
                .find_map(|op| s.strip_prefix(op).map(|r| (*op, r)))
                .ok_or("it does not start with a comparison")?;
            let (n, rest) =
                number(rest).ok_or_else(|| format!("`{op}` must be followed by a number"))?;
            let c = match op {
                ">=" | "≥" => Comparison::AtLeast { n },
                ">" => Comparison::Above { n },
                "<=" | "≤" => Comparison::AtMost { n },
                _ => Comparison::Below { n },
            };
            (c, rest)
        };
        let (unit, rest) = match Unit::read(rest) {
            Some((u, r)) => (Some(u), r),
            None => (None, rest),
        };
        finish(comparison, unit, rest)
    }

    /// Whether a value meets the target.
    pub fn met(&self, v: f64) -> bool {
        match self.comparison {
            Comparison::AtLeast { n } => v >= n,
            Comparison::Above { n } => v > n,
            Comparison::AtMost { n } => v <= n,
            Comparison::Below { n } => v < n,
            Comparison::Between { low, high } => (low..=high).contains(&v),
        }
    }

    /// How far a value is from meeting the target (0 when it meets it).
    pub fn shortfall(&self, v: f64) -> f64 {
        if self.met(v) {
            return 0.0;
        }
        match self.comparison {
            Comparison::AtLeast { n } | Comparison::Above { n } => n - v,
            Comparison::AtMost { n } | Comparison::Below { n } => v - n,
            Comparison::Between { low, high } => {
                if v < low {
                    low - v
                } else {
                    v - high
                }
            }
        }
    }

    /// A value with the target's unit: `4.2%`, `310 ms`.
    pub fn show(&self, v: f64) -> String {
        show_value(v, self.unit)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = self.unit;
        match self.comparison {
            Comparison::AtLeast { n } => write!(f, ">= {}", show_value(n, u)),
            Comparison::Above { n } => write!(f, "> {}", show_value(n, u)),
            Comparison::AtMost { n } => write!(f, "<= {}", show_value(n, u)),
            Comparison::Below { n } => write!(f, "< {}", show_value(n, u)),
            Comparison::Between { low, high } => write!(
                f,
                "between {} and {}",
                show_number(low),
                show_value(high, u)
            ),
        }
    }
}

/// A number as people write it: no trailing zeros, at most four decimals.
pub fn show_number(v: f64) -> String {
    let s = format!("{:.4}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn show_value(v: f64, unit: Option<Unit>) -> String {
    match unit {
        Some(Unit::Percent) => format!("{}%", show_number(v)),
        Some(u) => format!("{} {}", show_number(v), u.as_str()),
        None => show_number(v),
    }
}

fn finish(comparison: Comparison, unit: Option<Unit>, rest: &str) -> Result<Target, String> {
    // What follows describes the target, but must not look like more of it.
    if rest.trim_start().starts_with(|c: char| c.is_ascii_digit()) {
        return Err("a second number follows the first".into());
    }
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return Err("the number runs into a word: leave a space before the description, or write a unit `%`, `ms`, `s`, `h` or `d`".into());
    }
    Ok(Target { comparison, unit })
}

fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let s = s.trim_start();
    let head = s.get(..word.len())?;
    let rest = &s[word.len()..];
    (head.eq_ignore_ascii_case(word) && rest.starts_with(char::is_whitespace)).then_some(rest)
}

/// A finite decimal number at the start of `s` (after white space), and what follows.
pub fn number(s: &str) -> Option<(f64, &str)> {
    let s = s.trim_start();
    let bytes = s.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        end = 1;
    }
    let digits_start = end;
    while end < bytes.len()
        && (bytes[end].is_ascii_digit()
            || bytes[end] == b'.'
            || bytes[end] == b'_'
            || bytes[end] == b',' && bytes.get(end + 1).is_some_and(u8::is_ascii_digit))
    {
        end += 1;
    }
    if end == digits_start || end > 40 {
        return None;
    }
    let cleaned: String = s[..end]
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    let n: f64 = cleaned.parse().ok()?;
    n.is_finite().then_some((n, &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        Target::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn every_accepted_form_reads() {
        assert_eq!(
            t(">= 4% of lapsed users").comparison,
            Comparison::AtLeast { n: 4.0 }
        );
        assert_eq!(t(">= 4% of lapsed users").unit, Some(Unit::Percent));
        assert_eq!(
            t("> 120 signups a day").comparison,
            Comparison::Above { n: 120.0 }
        );
        assert_eq!(t("> 120 signups a day").unit, None);
        assert_eq!(t("<= 300 ms at p95").unit, Some(Unit::Millis));
        assert_eq!(t("< 2h").unit, Some(Unit::Hours));
        assert_eq!(
            t("< 2 hours").unit,
            None,
            "`hours` is a word of the description"
        );
        assert_eq!(
            t("between 3 and 5 d").comparison,
            Comparison::Between {
                low: 3.0,
                high: 5.0
            }
        );
        assert_eq!(t("Between 2% and 5%").unit, Some(Unit::Percent));
        assert_eq!(t("≥ 1,200").comparison, Comparison::AtLeast { n: 1200.0 });
        assert_eq!(t(">= -0.5").comparison, Comparison::AtLeast { n: -0.5 });
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        for bad in [
            "3 business days",
            "",
            ">= lots",
            "between 5 and 3",
            "between 3 to 5",
            ">= 4 5",
            "between 2% and 5 ms",
            ">= 1e999",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad:?} read");
        }
    }

    #[test]
    fn values_are_judged_and_shown() {
        let at_least = t(">= 4%");
        assert!(at_least.met(4.0) && !at_least.met(3.9));
        assert!((at_least.shortfall(3.5) - 0.5).abs() < 1e-9);
        assert_eq!(at_least.to_string(), ">= 4%");
        assert_eq!(at_least.show(4.25), "4.25%");
        let band = t("between 2 and 5 ms");
        assert!(band.met(2.0) && band.met(5.0) && !band.met(5.1));
        assert_eq!(band.to_string(), "between 2 and 5 ms");
        assert!(!t("< 300").met(300.0));
    }
}
