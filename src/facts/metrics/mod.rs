//! The KPI as a fact: a packet's target read by the machine, its daily series as committed in the
//! packet (`metrics/kpi.csv`), and the sources `metrics pull` reads it from. What the numbers did
//! is worked out here ([`Health`]); what that means for a gate is the rules' (`rules::kpi`).
//! A source's driver never reaches the rules: `check` reads only the committed file.

pub mod base;
pub mod health;
pub mod series;
pub mod source;
pub mod target;

pub use health::Health;
pub use series::{Point, Series};
pub use target::Target;

use crate::facts::packet::Packet;
use crate::facts::packet::source::Pos;
use crate::facts::packet::yaml::Node;
use chrono::NaiveDate;

/// Where a series file lives in a packet when the packet does not say.
pub const DEFAULT_FILE: &str = "metrics/kpi.csv";

/// The folder of a packet whose files the KPI series live in: pulled data, left out of the
/// sign-off digest so that a daily pull does not stale the sign-offs.
pub const FOLDER: &str = "metrics";

/// A packet's `series:` answer: which file holds the series and how `metrics pull` fills it.
#[derive(Debug, Clone)]
pub struct SeriesSpec {
    /// The file inside the packet, relative to it (default [`DEFAULT_FILE`]).
    pub file: String,
    /// Where `file:` is written, or the `series:` key.
    pub file_pos: Pos,
    /// The `[sources.NAME]` to pull from.
    pub source: Option<(String, Pos)>,
    /// The SQL query (sqlite, postgres) returning one row a day: a date and a number.
    pub query: Option<String>,
    /// The column of a CSV source holding this KPI.
    pub column: Option<String>,
}

/// The KPI answers of a packet, as written.
#[derive(Debug, Clone)]
pub struct Kpi<'a> {
    /// The metric answer (`metric`), holding `target` and `series`.
    pub path: String,
    /// The target's node, when answered.
    pub target: Option<&'a Node>,
    /// The series answer, when there is one.
    pub series: Option<SeriesSpec>,
}

/// The KPI answers of `packet` under the metric answer at `path`.
pub fn kpi_of<'a>(packet: &'a Packet, path: &str) -> Option<Kpi<'a>> {
    let metric = packet.front.as_ref()?.at(path)?;
    let target = metric.get("target").filter(|n| {
        n.as_str()
            .is_some_and(|s| !crate::facts::packet::is_placeholder(s))
    });
    let series = metric.entry("series").and_then(|e| {
        let node = &e.value;
        node.entries()?;
        let text = |k: &str| {
            node.get(k)
                .and_then(Node::as_str)
                .map(str::trim)
                .filter(|s| !crate::facts::packet::is_placeholder(s))
                .map(str::to_string)
        };
        let (file, file_pos) = match node.get("file") {
            Some(n) if n.as_str().is_some_and(|s| !s.trim().is_empty()) => {
                (n.as_str().unwrap_or_default().trim().to_string(), n.pos)
            }
            _ => (DEFAULT_FILE.to_string(), e.key_pos),
        };
        Some(SeriesSpec {
            file,
            file_pos,
            source: node
                .get("source")
                .and_then(|n| n.as_str().map(|s| (s.trim().to_string(), n.pos)))
                .filter(|(s, _)| !crate::facts::packet::is_placeholder(s)),
            query: text("query"),
            column: text("column"),
        })
    });
    Some(Kpi {
        path: path.to_string(),
        target,
        series,
    })
}

/// The KPI series files a packet's answers name (`series: {file: …}` under an answer, or the
/// default file when `series` names none): pulled evidence, which the sign-off digest leaves
/// out. Every other file, under `metrics/` or not, is covered like any other.
pub fn series_files(packet: &Packet) -> Vec<String> {
    let Some(entries) = packet.front.as_ref().and_then(Node::entries) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .iter()
        .filter_map(|e| kpi_of(packet, &e.key)?.series.map(|s| s.file))
        .filter(|f| file_problem(f).is_none())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether a packet file (relative to the packet, `/`-separated) is a KPI series under
/// [`FOLDER`]: evidence pulled from a source, which the sign-off digest leaves out.
pub fn is_series_file(rel: &str) -> bool {
    rel.strip_prefix(FOLDER)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|r| r.ends_with(".csv") && !r.contains('/'))
}

/// Why a series file's name is refused: it must stay inside the packet.
pub fn file_problem(rel: &str) -> Option<&'static str> {
    let p = std::path::Path::new(rel);
    if rel.is_empty() || rel.len() > 200 {
        return Some("the file name is empty or too long");
    }
    if p.is_absolute() || rel.starts_with(['/', '\\']) || rel.contains(':') {
        return Some("the file must be named relative to the packet folder");
    }
    if p.components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Some("the file must stay inside the packet folder (no `..` or `.`)");
    }
    if !rel.ends_with(".csv") {
        return Some("a series file is a `.csv` file");
    }
    None
}

/// A day as a source may write it: `YYYY-MM-DD`, optionally followed by a time.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let head = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
        return None;
    }
    crate::facts::packet::parse_date(head)
}

/// A duration written as a data contract's freshness (`24h`, `2d`, `36 hours`, `1 day`), in
/// whole days rounded up (at least one: a day's value is known the day after).
pub fn freshness_days(s: &str) -> Option<i64> {
    let hours = freshness_hours(s)?;
    Some(((hours / 24.0).ceil() as i64).clamp(1, 3660))
}

/// A data contract's freshness in hours, as written (`6h` is 6, `2d` 48).
pub fn freshness_hours(s: &str) -> Option<f64> {
    let (n, rest) = target::number(s)?;
    if n < 0.0 || !n.is_finite() {
        return None;
    }
    let unit = rest.trim().to_ascii_lowercase();
    Some(match unit.as_str() {
        "h" | "hr" | "hrs" | "hour" | "hours" => n,
        "d" | "day" | "days" => n * 24.0,
        "m" | "min" | "mins" | "minute" | "minutes" => n / 60.0,
        "w" | "week" | "weeks" => n * 24.0 * 7.0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_files_stay_inside_the_packet() {
        assert_eq!(file_problem("metrics/kpi.csv"), None);
        for bad in [
            "../x.csv",
            "/etc/x.csv",
            "metrics/../../x.csv",
            "a.txt",
            "",
            "C:x.csv",
        ] {
            assert!(file_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn freshness_reads_as_days() {
        assert_eq!(freshness_days("24h"), Some(1));
        assert_eq!(freshness_days("36 hours"), Some(2));
        assert_eq!(freshness_days("2d"), Some(2));
        assert_eq!(freshness_days("15 min"), Some(1));
        assert_eq!(freshness_days("hourly"), None);
        assert_eq!(freshness_hours("6h"), Some(6.0));
        assert_eq!(freshness_hours("2 days"), Some(48.0));
    }

    #[test]
    fn days_read_with_or_without_a_time() {
        assert!(parse_day("2026-12-01").is_some());
        assert!(parse_day("2026-12-01T00:00:00Z").is_some());
        assert!(parse_day("2026-12-01 00:00:00").is_some());
        assert!(parse_day("2026-12-011").is_none());
        assert!(parse_day("12/01/2026").is_none());
    }
}
