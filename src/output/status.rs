//! What `handoff status` shows: a row a packet, as a table for people (most urgent first,
//! painted when the terminal takes colour) or as JSON written a chunk at a time.

use crate::facts::timeline::State;
use crate::judgement::attention;
use crate::output::portfolio::Entry;
use crate::support::words::{neutral, plural};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt::Write as _;

/// One packet as `status --format json` shows it.
#[derive(Serialize)]
struct Row {
    id: String,
    from: String,
    to: String,
    kind: String,
    status: String,
    day0: Option<NaiveDate>,
    day: Option<String>,
    next_milestone: Option<String>,
    next_date: Option<NaiveDate>,
    next_state: Option<State>,
    pass: bool,
    gate: crate::facts::gate::Gate,
    errors: usize,
    warnings: usize,
    overdue: Vec<String>,
    /// Waivers that end within two weeks: `until: target (reason)`.
    waivers_ending: Vec<String>,
    /// Every time the receiving team sent the packet back, oldest first.
    sent_back: Vec<crate::facts::sendback::SentBack>,
    /// The latest send-back, while the packet has not regained the status it was sent back from:
    /// `at by: reason`.
    awaiting_fix: Option<String>,
    /// The KPI series' last value against its target, when the packet has a series.
    kpi: Option<crate::judgement::rules::kpi::Summary>,
    /// Acceptance criteria the gate fails on now (what `check` reports as `criteria-open`).
    criteria_open: Vec<String>,
    /// Acceptance criteria not due yet, each with the day it falls due.
    criteria_due: Vec<DueLater>,
    /// Dated items (backlog, enablement, open questions) past their date and not done.
    items_overdue: Vec<crate::judgement::rules::items::Item>,
    /// Each sign-off with how it is proven (`method`: identity, signature, forge, landed) and
    /// whether that counts.
    signoffs: Vec<crate::output::portfolio::Signed>,
}

/// A criterion that falls due later.
#[derive(Serialize)]
struct DueLater {
    criterion: String,
    date: Option<NaiveDate>,
}

/// The order `status` shows packets in: failing or overdue first, then by the next milestone's
/// date (see [`attention::urgency`]).
pub fn urgency(e: &Entry) -> attention::Urgency {
    attention::urgency(
        e.overdue().next().is_some(),
        e.verdict.pass,
        e.next().map(|m| m.date),
        &e.packet.id,
    )
}

/// The row of a packet today.
fn row(e: &Entry, today: NaiveDate) -> Row {
    let p = &e.packet;
    // What is open, from the same reading `check` and `sign` use.
    let open = &e.open;
    let next = e.next();
    let sent_back = crate::facts::sendback::read(p);
    Row {
        id: p.id.clone(),
        from: p.text("from").unwrap_or("?").into(),
        to: p.text("to").unwrap_or("?").into(),
        kind: p.kind_name().unwrap_or("?").into(),
        status: p.text("status").unwrap_or("?").into(),
        day0: p.day0(),
        day: p
            .day0()
            .map(|d| crate::support::words::offset((today - d).num_days())),
        next_milestone: next.map(|m| m.title.clone()),
        next_date: next.map(|m| m.date),
        next_state: next.map(|m| m.state),
        pass: e.verdict.pass,
        gate: e.verdict.gate,
        errors: e.verdict.errors,
        warnings: e.verdict.warnings,
        overdue: e
            .overdue()
            .map(|m| format!("{} (day {}): {}", m.date, m.offset, m.title))
            .collect(),
        waivers_ending: attention::waivers_ending(p, today)
            .into_iter()
            .map(|w| format!("{}: {} ({})", w.until, w.target, w.reason))
            .collect(),
        awaiting_fix: attention::awaiting_fix(p, &sent_back)
            .map(|s| format!("{} by {}: {}", s.at, s.by, s.reason)),
        sent_back,
        kpi: e.kpi.as_ref().map(|k| k.summary(e.verdict.gate)),
        criteria_open: open
            .iter()
            .flat_map(|o| o.open_criteria().map(|c| c.text.clone()))
            .collect(),
        criteria_due: open
            .iter()
            .flat_map(|o| o.later_criteria())
            .map(|(c, date)| DueLater {
                criterion: c.text.clone(),
                date,
            })
            .collect(),
        items_overdue: open
            .iter()
            .flat_map(|o| o.overdue_items().cloned())
            .collect(),
        signoffs: e.signoffs.clone(),
    }
}

/// `status --format json` written as it comes, as `serde_json` writes `{"packets": […],
/// "today": …}` pretty: keys in order, each row indented two levels.
#[derive(Default)]
pub struct JsonStream {
    /// Whether a row was written.
    started: bool,
}

impl JsonStream {
    /// The opening, up to the first row.
    pub fn head(&self) -> &'static str {
        "{\n  \"packets\": ["
    }

    /// The rows of these packets.
    pub fn rows(&mut self, entries: &[Entry], today: NaiveDate) -> String {
        let mut text = String::new();
        for e in entries {
            let value = serde_json::to_value(row(e, today)).unwrap_or_default();
            let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push_str(if self.started { ",\n" } else { "\n" });
            self.started = true;
            for (i, line) in pretty.lines().enumerate() {
                if i > 0 {
                    text.push('\n');
                }
                text.push_str("    ");
                text.push_str(line);
            }
        }
        text
    }

    /// The end: the list closed, then `today`.
    pub fn tail(&self, today: NaiveDate) -> String {
        let close = if self.started { "\n  ]" } else { "]" };
        let today = serde_json::to_string(&today).unwrap_or_default();
        format!("{close},\n  \"today\": {today}\n}}\n")
    }
}

/// The packet column's width: the longest id (`repo/id` across repositories), within reason.
pub fn packet_width<'i>(ids: impl Iterator<Item = &'i str>) -> usize {
    ids.map(|id| id.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(24, 48)
}

/// The table's title and column heads, for `count` packets and a packet column `w` wide.
pub fn table_head(count: usize, today: NaiveDate, w: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Handoffs as of {} ({})\n",
        today.format("%a %Y-%m-%d"),
        plural(count, "packet", "packets")
    );
    let _ = writeln!(
        out,
        "{:<w$} {:<28} {:<13} {:<10} {:<11} {:<5} {:<40} {:<16} gate",
        "packet", "from → to", "kind", "status", "day 0", "day", "next milestone", "kpi"
    );
    out
}

/// The table's rows for these packets, the packet column `w` wide, painted when `color`.
pub fn table(entries: &[Entry], today: NaiveDate, color: bool, w: usize) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    for e in entries {
        let r = row(e, today);
        line(&mut out, e, &r, paint, w);
        notes(&mut out, &r, paint, w);
    }
    out
}

/// Text painted in an ANSI colour, or left plain; its control characters written out either way.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn paint(self, text: String, code: &str) -> String {
        let text = neutral(&text).into_owned();
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    }
}

/// A packet's line: its id, teams, kind, status, day 0 and day, next milestone, KPI and gate.
fn line(out: &mut String, e: &Entry, r: &Row, paint: Paint, w: usize) {
    let teams = truncate(&format!("{} → {}", r.from, r.to), 28);
    let next = match (&r.next_date, &r.next_milestone) {
        (Some(d), Some(t)) => truncate(&format!("{} {}", d.format("%m-%d"), t), 40),
        _ => "—".to_string(),
    };
    let next = match r.next_state {
        Some(State::Overdue) => paint.paint(format!("{next:<40}"), "31"),
        Some(State::DueToday) => paint.paint(format!("{next:<40}"), "33"),
        _ => format!("{next:<40}"),
    };
    let gate = if r.pass {
        paint.paint(format!("pass ({})", r.gate), "32")
    } else {
        paint.paint(format!("FAIL ({}, {} errors)", r.gate, r.errors), "31;1")
    };
    let kpi = kpi_cell(e, paint);
    let _ = writeln!(
        out,
        "{:<w$} {:<28} {:<13} {:<10} {:<11} {:<5} {next} {kpi} {gate}",
        truncate(&r.id, w),
        teams,
        truncate(&r.kind, 13),
        truncate(&r.status, 10),
        r.day0.map_or("—".into(), |d| d.to_string()),
        r.day.as_deref().unwrap_or_default(),
    );
}

/// The KPI cell: the series as `check` judges it at the packet's gate, red when alarming.
fn kpi_cell(e: &Entry, paint: Paint) -> String {
    match &e.kpi {
        Some(k) => {
            let cell = truncate(&k.cell(e.verdict.gate), 16);
            if k.alarming(e.verdict.gate) {
                paint.paint(format!("{cell:<16}"), "31")
            } else {
                format!("{cell:<16}")
            }
        }
        None => format!("{:<16}", "—"),
    }
}

/// The lines under a packet's: overdue milestones and items, a send-back awaiting its fix,
/// waivers that end soon.
fn notes(out: &mut String, r: &Row, paint: Paint, w: usize) {
    for o in &r.overdue {
        let _ = writeln!(
            out,
            "{:<w$} {}",
            "",
            paint.paint(format!("overdue: {o}"), "31")
        );
    }
    for i in &r.items_overdue {
        let owner = i
            .owner
            .as_deref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default();
        let item = format!("overdue: {} {} `{}`{owner}", i.due, i.noun, i.what);
        let _ = writeln!(out, "{:<w$} {}", "", paint.paint(item, "31"));
    }
    if let Some(s) = &r.awaiting_fix {
        let _ = writeln!(
            out,
            "{:<w$} {}",
            "",
            paint.paint(format!("sent back {s}"), "33")
        );
    }
    for wv in &r.waivers_ending {
        let _ = writeln!(
            out,
            "{:<w$} {}",
            "",
            paint.paint(format!("waiver ends {wv}"), "33")
        );
    }
}

/// A cell at most `width` characters wide, its control characters written out (see
/// [`crate::support::words::neutral`]).
fn truncate(s: &str, width: usize) -> String {
    let s = &*neutral(s);
    if s.chars().count() <= width {
        s.to_string()
    } else {
        s.chars().take(width - 1).collect::<String>() + "…"
    }
}
