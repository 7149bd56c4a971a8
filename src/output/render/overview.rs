//! The site index's picture: every packet's handoff window (day −7 … +14) as a row on one shared
//! calendar, milestones marked by state (shape and colour both, so it reads without colour),
//! today drawn across, the gate verdict at the row's end, most urgent first.

use super::index::Entry;
use crate::facts::timeline::State;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The overview chart, laid out for an inline SVG.
#[derive(Debug, Serialize)]
pub struct Overview {
    /// Width and height in px.
    pub width: u32,
    /// Height in px.
    pub height: u32,
    /// Where the calendar starts and ends, in px.
    pub x0: f64,
    /// End of the calendar, in px.
    pub x1: f64,
    /// Month (or week) marks on the axis.
    pub ticks: Vec<Tick>,
    /// Today's x, when on the calendar.
    pub today_x: Option<f64>,
    /// One row per packet with a day 0, most urgent first, at most [`MAX_ROWS`].
    pub rows: Vec<Row>,
    /// Packets with a day 0 left off the picture (the table lists every packet).
    pub left_off: usize,
}

/// A mark on the calendar axis.
#[derive(Debug, Serialize)]
pub struct Tick {
    /// x in px.
    pub x: f64,
    /// `Dec 7`.
    pub label: String,
}

/// One packet's row.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The packet's page (without extension).
    pub page: String,
    /// Its title, cut to fit the label column.
    pub title: String,
    /// Its whole title (the label's tooltip).
    pub full_title: String,
    /// Top of the row, in px.
    pub y: u32,
    /// The window from its first to its last milestone, in px.
    pub band_x0: f64,
    /// End of the window.
    pub band_x1: f64,
    /// Day 0's x.
    pub day0_x: f64,
    /// Its milestones.
    pub points: Vec<Point>,
    /// Whether it passes its gate.
    pub pass: bool,
    /// `pass (ready)`, `FAIL (signed-off)`.
    pub verdict: String,
}

/// A milestone in a row.
#[derive(Debug, Serialize)]
pub struct Point {
    /// x in px.
    pub x: f64,
    /// The state's name (its CSS class and shape).
    pub state: &'static str,
    /// `+7 Dec 14: title (state)`, the tooltip.
    pub title: String,
}

// Laid out at the page's own width (its 832 px column), so that text reads at its size: 13 px
// labels, a 12 px verdict column wide enough for `FAIL (signed-off)`. Narrower screens scroll it.
const WIDTH: u32 = 832;
const LABEL: f64 = 210.0;
const VERDICT: f64 = 160.0;
const ROW: u32 = 26;
const TOP: u32 = 44;
/// The most rows the picture draws: the most urgent ones. A calendar of thousands of rows is
/// read by nobody and would make the index a page no browser opens quickly.
pub const MAX_ROWS: usize = 500;
/// Characters of a title that fit the label column at 13 px.
const TITLE_CHARS: usize = 24;

/// Lay out the overview for these packets; none when no packet has a day 0.
pub fn build(packets: &[Entry], today: NaiveDate) -> Option<Overview> {
    let mut placed: Vec<&Entry> = packets
        .iter()
        .filter(|r| r.day0.is_some() && !r.timeline.is_empty())
        .collect();
    if placed.is_empty() {
        return None;
    }
    placed.sort_by_cached_key(|r| urgency(r));
    let left_off = placed.len().saturating_sub(MAX_ROWS);
    placed.truncate(MAX_ROWS);
    let first = placed
        .iter()
        .filter_map(|r| r.timeline.first().map(|m| m.date))
        .min()?;
    let last = placed
        .iter()
        .filter_map(|r| r.timeline.last().map(|m| m.date))
        .max()?;
    let (lo, hi) = (first.min(today), last.max(today));
    let span = (hi - lo).num_days().max(1) as f64;
    let (x0, x1) = (LABEL, WIDTH as f64 - VERDICT);
    let x = |d: NaiveDate| round(x0 + (d - lo).num_days() as f64 / span * (x1 - x0));
    let rows = placed
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let dates: Vec<NaiveDate> = r.timeline.iter().map(|m| m.date).collect();
            let day0 = r
                .day0
                .as_deref()
                .and_then(crate::facts::packet::parse_date)
                .unwrap_or(today);
            Row {
                page: r.page.clone(),
                title: short(&r.title, TITLE_CHARS),
                full_title: r.title.clone(),
                y: TOP + i as u32 * ROW,
                band_x0: x(*dates.iter().min().unwrap_or(&day0)),
                band_x1: x(*dates.iter().max().unwrap_or(&day0)),
                day0_x: x(day0),
                points: r
                    .timeline
                    .iter()
                    .map(|m| Point {
                        x: x(m.date),
                        state: m.state.name(),
                        title: format!(
                            "day {} · {}: {} ({})",
                            m.offset,
                            m.date.format("%b %-d"),
                            m.title,
                            m.state.name()
                        ),
                    })
                    .collect(),
                pass: r.verdict.pass,
                verdict: format!(
                    "{} ({})",
                    if r.verdict.pass { "pass" } else { "FAIL" },
                    r.verdict.gate
                ),
            }
        })
        .collect::<Vec<_>>();
    let height = TOP + rows.len() as u32 * ROW + 16;
    Some(Overview {
        width: WIDTH,
        height,
        x0,
        x1,
        ticks: ticks(lo, hi)
            .into_iter()
            .map(|d| Tick {
                x: x(d),
                label: d.format("%b %-d").to_string(),
            })
            .collect(),
        today_x: Some(x(today)),
        rows,
        left_off,
    })
}

/// Failing or overdue first, then by the next milestone's date, then by id (as `status` sorts).
fn urgency(r: &Entry) -> (u8, Option<NaiveDate>, String) {
    let overdue = r.timeline.iter().any(|m| m.state == State::Overdue);
    let next = r
        .timeline
        .iter()
        .find(|m| !m.state.is_done())
        .map(|m| m.date);
    let rank = match (overdue, r.verdict.pass) {
        (true, false) => 0,
        (true, true) | (false, false) => 1,
        (false, true) => 2,
    };
    let rank = if next.is_none() { 3 } else { rank };
    (rank, next, r.id.clone())
}

/// Axis marks: each month's first day when the calendar spans more than ten weeks, else each
/// Monday; at most a dozen.
fn ticks(lo: NaiveDate, hi: NaiveDate) -> Vec<NaiveDate> {
    let days = (hi - lo).num_days();
    let mut out: Vec<NaiveDate> = if days > 70 {
        let mut d = NaiveDate::from_ymd_opt(lo.year(), lo.month(), 1).unwrap_or(lo);
        let mut v = Vec::new();
        while d <= hi && v.len() < 400 {
            if d >= lo {
                v.push(d);
            }
            d = d
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(hi + chrono::Duration::days(1));
        }
        v
    } else {
        let start =
            lo + chrono::Duration::days((7 - lo.weekday().num_days_from_monday() as i64) % 7);
        (0..)
            .map(|w| start + chrono::Duration::days(7 * w))
            .take_while(|d| *d <= hi)
            .take(400)
            .collect()
    };
    let step = out.len().div_ceil(12).max(1);
    if step > 1 {
        out = out.into_iter().step_by(step).collect();
    }
    out
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::render::index::{Milestone, Verdict};
    use std::sync::Arc;

    fn entry(i: usize, state: State, pass: bool, today: NaiveDate) -> Entry {
        Entry {
            id: format!("p-{i:04}"),
            page: format!("p-{i:04}"),
            title: format!("Packet {i}"),
            kind: "generic".into(),
            from: "a".into(),
            to: "b".into(),
            day0: Some(today.to_string()),
            status: "ready".into(),
            day_label: None,
            verdict: Verdict {
                pass,
                gate: crate::facts::gate::Gate::Ready,
                errors: usize::from(!pass),
                warnings: 0,
            },
            next_milestone: None,
            timeline: vec![Milestone {
                date: today,
                state,
                offset: Arc::from("0"),
                title: Arc::from("handoff"),
            }],
        }
    }

    #[test]
    fn the_picture_draws_the_most_urgent_rows_and_counts_the_rest() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        // 600 upcoming and passing, then 3 overdue and failing: those lead, 103 are left off.
        let mut entries: Vec<Entry> = (0..600)
            .map(|i| entry(i, State::Upcoming, true, today))
            .collect();
        entries.extend((600..603).map(|i| entry(i, State::Overdue, false, today)));
        let o = build(&entries, today).expect("an overview");
        assert_eq!(o.rows.len(), MAX_ROWS);
        assert_eq!(o.left_off, 103);
        let first: Vec<&str> = o.rows.iter().take(3).map(|r| r.page.as_str()).collect();
        assert_eq!(first, ["p-0600", "p-0601", "p-0602"]);
        assert_eq!(o.height, TOP + MAX_ROWS as u32 * ROW + 16);
        // A portfolio that fits is drawn whole.
        let o = build(&entries[..10], today).expect("an overview");
        assert_eq!((o.rows.len(), o.left_off), (10, 0));
    }
}
