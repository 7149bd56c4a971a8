//! What `handoff metrics pull` may do with a packet's KPI series: the days it reads, whether a
//! series changed since the base may run, whether the pulled rows may replace the committed
//! ones, and how the series stands once pulled.

use crate::facts::gate::Gate;
use crate::facts::kind::spec::KindSpec;
use crate::facts::metrics::series::Invalid;
use crate::facts::metrics::{Health, Series, SeriesSpec, Target};
use crate::facts::packet::Packet;
use crate::judgement::rules::kpi;
use chrono::{Duration, NaiveDate};

/// The days a pull reads, first to last: from the stability window's start (day 0 minus the
/// window) with 14 more days of run-up, to `today`; ten years at the most, whatever the dates say.
pub fn days(packet: &Packet, spec: &KindSpec, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let kspec = spec.kpi.clone().unwrap_or_default();
    let day0 = packet.day0().unwrap_or(today);
    let window = i64::from(kspec.window).min(crate::facts::kind::MAX_DAYS);
    let first = (day0 - Duration::days(window + 14)).min(today);
    let first = first.max(today - Duration::days(3660));
    (first, today)
}

/// How a packet's series differs from the base's: a series changed since then is not run against
/// the base's sources before the change has landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// The packet has no `series:` at the base (or is new since).
    NoSeries,
    /// These parts of the series differ: `source`, `query`, `column`.
    Differs(Vec<&'static str>),
}

/// Whether the series `now` (run against `source`) differs from the base's `then`.
pub fn changed_since_base(
    now: &SeriesSpec,
    source: &str,
    then: Option<&SeriesSpec>,
) -> Option<Changed> {
    let Some(then) = then else {
        return Some(Changed::NoSeries);
    };
    let mut what = Vec::new();
    if then.source.as_ref().map(|(s, _)| s.as_str()) != Some(source) {
        what.push("source");
    }
    if then.query != now.query {
        what.push("query");
    }
    if then.column != now.column {
        what.push("column");
    }
    (!what.is_empty()).then_some(Changed::Differs(what))
}

/// Why a pull may not replace the committed series (unless asked to all the same).
#[derive(Debug, Clone, PartialEq)]
pub enum Shrink {
    /// The committed file is there but cannot be read.
    Unreadable {
        /// Why not.
        message: String,
    },
    /// The pull has no value for days the file has in the pulled range.
    Lost {
        /// How many days the query returned.
        returned: usize,
        /// The days the file would lose.
        lost: Vec<NaiveDate>,
    },
    /// The file holds rows that cannot be read, which the rewrite would drop.
    BadRow {
        /// The row's line in the file.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

/// Whether replacing the committed series (`old`, read from `before`, with the rows `bad` that
/// could not be read) by `pulled` over `first..=last` would lose what the file has.
pub fn shrink(
    before: Option<&str>,
    old: &Series,
    bad: &[Invalid],
    pulled: &Series,
    (first, last): (NaiveDate, NaiveDate),
) -> Option<Shrink> {
    let lost = old.dropped_by(pulled, first, last);
    if !lost.is_empty() {
        return Some(Shrink::Lost {
            returned: pulled.points.len(),
            lost,
        });
    }
    let b = bad.iter().find(|b| !b.is_header())?;
    let line = before.map_or(1, |t| t[..b.offset.min(t.len())].matches('\n').count() + 1);
    Some(Shrink::BadRow {
        line,
        message: b.message.clone(),
    })
}

/// How a pulled series stands, as `check` judges it at the packet's gate.
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    /// No readable target, or no day 0.
    NotJudged,
    /// Under the target for `days` days since `first`.
    Breach {
        /// The target.
        target: Target,
        /// The breach's first day.
        first: NaiveDate,
        /// How long it has lasted.
        days: i64,
    },
    /// The window's standing, with its progress in words (`14 of the 14 days before day 0 meet
    /// >= 4%`).
    Window {
        /// The standing at the gate.
        standing: kpi::Standing,
        /// The window's progress.
        progress: String,
    },
}

/// How `series` stands for `packet` against `target` on `today`, at `gate`.
pub fn standing(
    packet: &Packet,
    spec: &KindSpec,
    series: &Series,
    target: Option<&Target>,
    today: NaiveDate,
    gate: Gate,
) -> Standing {
    let (Some(target), Some(day0)) = (target, packet.day0()) else {
        return Standing::NotJudged;
    };
    let kspec = spec.kpi.clone().unwrap_or_default();
    let h = Health::assess(
        series,
        target,
        &kspec,
        day0,
        today,
        kpi::allowed_lag(packet),
    );
    if let Some((first, days)) = h.breach {
        return Standing::Breach {
            target: target.clone(),
            first,
            days,
        };
    }
    Standing::Window {
        standing: kpi::Standing::of(&h, &kspec, gate),
        progress: h.progress(kspec.window, target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("a day")
    }

    fn series(text: &str) -> (Series, Vec<Invalid>) {
        Series::parse(text, None, NaiveDate::MAX)
    }

    fn spec(source: &str, query: &str) -> SeriesSpec {
        SeriesSpec {
            file: crate::facts::metrics::DEFAULT_FILE.into(),
            file_pos: Default::default(),
            source: Some((source.into(), Default::default())),
            query: Some(query.into()),
            column: None,
        }
    }

    #[test]
    fn a_series_changed_since_the_base_says_what_changed() {
        let now = spec("warehouse", "select day, rate from kpi");
        assert_eq!(changed_since_base(&now, "warehouse", Some(&now)), None);
        assert_eq!(
            changed_since_base(&now, "warehouse", None),
            Some(Changed::NoSeries)
        );
        let then = spec("staging", "select day, rate from kpi where 1");
        assert_eq!(
            changed_since_base(&now, "warehouse", Some(&then)),
            Some(Changed::Differs(vec!["source", "query"]))
        );
    }

    #[test]
    fn a_pull_may_not_lose_committed_days_nor_unreadable_rows() {
        let (old, bad) = series("day,value\n2026-03-01,1\n2026-03-02,2\n");
        let (same, _) = series("day,value\n2026-03-01,1\n2026-03-02,3\n");
        let (fewer, _) = series("day,value\n2026-03-01,1\n");
        let range = (day(1), day(2));
        assert_eq!(shrink(None, &old, &bad, &same, range), None);
        assert_eq!(
            shrink(None, &old, &bad, &fewer, range),
            Some(Shrink::Lost {
                returned: 1,
                lost: vec![day(2)]
            })
        );
        // Days outside the range pulled are kept, not lost.
        assert_eq!(shrink(None, &old, &bad, &fewer, (day(1), day(1))), None);
        let text = "day,value\n2026-03-01,1\nnot a row\n";
        let (old, bad) = series(text);
        assert!(matches!(
            shrink(Some(text), &old, &bad, &same, (day(1), day(1))),
            Some(Shrink::BadRow { line: 3, .. })
        ));
    }
}
