//! The clock every command reads: the time now, or the moment `HANDOFF_NOW` names (RFC 3339,
//! e.g. `2026-12-07T12:00:00Z`), so that a demonstration, a test suite or the replay of a day's
//! run sees one fixed moment whatever day it runs on. A sign-off's time, the day `--today`
//! defaults to and the bound on sign-offs dated in the future all come from here.

use chrono::{DateTime, NaiveDate, Utc};

/// The variable that fixes the clock.
pub const NOW_VAR: &str = "HANDOFF_NOW";

/// The moment `HANDOFF_NOW` names, if it is set to one; a value that is not a time is said once
/// on stderr and the real clock is used.
fn fixed() -> Option<DateTime<Utc>> {
    static FIXED: std::sync::OnceLock<Option<DateTime<Utc>>> = std::sync::OnceLock::new();
    *FIXED.get_or_init(|| {
        let value = std::env::var(NOW_VAR).ok()?;
        match parse(&value) {
            Some(t) => Some(t),
            None => {
                eprintln!(
                    "warning: {NOW_VAR}={} is not a time written as RFC 3339 (2026-12-07T12:00:00Z); the clock is used",
                    crate::support::words::inline(&value)
                );
                None
            }
        }
    })
}

fn parse(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Now.
pub fn now() -> DateTime<Utc> {
    fixed().unwrap_or_else(Utc::now)
}

/// Today: the local date, or the date of the fixed moment (in UTC).
pub fn today() -> NaiveDate {
    fixed().map_or_else(|| chrono::Local::now().date_naive(), |t| t.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_moment_is_read_as_rfc_3339_and_anything_else_is_not_one() {
        let t = parse("2026-12-07T12:00:00Z").expect("a time");
        assert_eq!(t.to_rfc3339(), "2026-12-07T12:00:00+00:00");
        assert_eq!(
            parse(" 2026-12-07T13:30:00+01:00 ").map(|t| t.date_naive().to_string()),
            Some("2026-12-07".to_string())
        );
        assert_eq!(parse("2026-12-07"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse(""), None);
    }
}
