//! `handoff status`: every packet in one table, most urgent first.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::timeline::State;
use crate::facts::workspace::Workspace;
use crate::output::portfolio::{self, Entry};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;

/// Formats of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
    /// An iCalendar file with every packet's milestones.
    Ics,
}

/// Flags of `handoff status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// As of DATE (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::args::parse_date, env = "HANDOFF_TODAY", value_name = "DATE")]
    pub today: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub format: StatusFormat,
    /// Exit 1 when any packet fails its gate (by default `status` only reports, exit 0).
    #[arg(long)]
    pub check: bool,
    /// Report on these repositories instead of this one (repeatable): each is read with its own
    /// configuration, kinds and history, and packets show as `repo/id`. A repository that cannot
    /// be read is named on stderr and the others are still shown (exit 2).
    #[arg(long = "repo", value_name = "DIR")]
    pub repos: Vec<std::path::PathBuf>,
}

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

/// Print the portfolio.
pub fn run(env: &Env, args: &StatusArgs) -> Result<u8, Error> {
    let today = today(args.today);
    // The packets are checked once and put in order keeping a few figures each, then loaded
    // again in that order a chunk at a time and written as they come: memory stays small
    // however many packets (see `portfolio::Sorted`).
    let (opened, failed) = if args.repos.is_empty() {
        let ws = Workspace::open(&env.cwd)?.showing_proofs();
        super::require_packets_folder(&ws)?;
        let dirs = ws.all_packets()?;
        (vec![(None, ws, dirs)], Vec::new())
    } else {
        let repos: Vec<std::path::PathBuf> = args.repos.iter().map(|r| env.cwd.join(r)).collect();
        let (opened, failed) = portfolio::open_repos(&repos);
        let opened = opened
            .into_iter()
            .map(|(name, ws, dirs)| (Some(name), ws, dirs))
            .collect();
        (opened, failed)
    };
    let sources: Vec<portfolio::Source> = opened
        .iter()
        .map(|(name, ws, dirs)| portfolio::Source {
            name: name.clone(),
            ws,
            dirs: dirs.clone(),
        })
        .collect();
    let mut notes: Vec<String> = Vec::new();
    let sorted = portfolio::sorted(&sources, today, urgency, |name, why| {
        notes.push(match name {
            Some(name) => format!("{name}: {why}"),
            None => why.to_string(),
        })
    });
    for note in notes.iter().filter(|_| !env.quiet) {
        eprintln!("note: {}", crate::support::words::inline(note));
    }
    for (repo, why) in &failed {
        eprintln!(
            "error: {}: {}",
            crate::support::words::inline(&repo.to_string()),
            crate::support::words::inline(why)
        );
    }
    let failing = sorted.verdicts().any(|v| !v.pass);
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        StatusFormat::Ics => {
            let (head, tail) = crate::output::ics::frame("Handoffs");
            out.write_all(head.as_bytes())
                .and_then(|()| {
                    sorted.each(|entries| {
                        let packets: Vec<_> = entries
                            .iter()
                            .map(|e| (&e.packet, e.placed.as_slice()))
                            .collect();
                        out.write_all(crate::output::ics::events("Handoffs", &packets).as_bytes())
                    })
                })
                .and_then(|()| out.write_all(tail.as_bytes()))
        }
        StatusFormat::Json => {
            // As `serde_json` writes `{"today": …, "packets": […]}` pretty: keys in order, each
            // row indented two levels.
            let mut first = true;
            out.write_all(b"{\n  \"packets\": [")
                .and_then(|()| {
                    sorted.each(|entries| {
                        let mut text = String::new();
                        for e in &entries {
                            let value = serde_json::to_value(row(e, today)).unwrap_or_default();
                            let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
                            text.push_str(if first { "\n" } else { ",\n" });
                            first = false;
                            for (i, line) in pretty.lines().enumerate() {
                                if i > 0 {
                                    text.push('\n');
                                }
                                text.push_str("    ");
                                text.push_str(line);
                            }
                        }
                        out.write_all(text.as_bytes())
                    })
                })
                .and_then(|()| {
                    let close = if first { "]" } else { "\n  ]" };
                    let today = serde_json::to_string(&today).unwrap_or_default();
                    out.write_all(format!("{close},\n  \"today\": {today}\n}}\n").as_bytes())
                })
        }
        StatusFormat::Text => {
            // The packet column fits the longest id (`repo/id` across repositories), within
            // reason.
            let w = sorted
                .keys()
                .map(|(_, _, id)| id.chars().count())
                .max()
                .unwrap_or(0)
                .clamp(24, 48);
            let head = table_head(sorted.len(), today, w);
            out.write_all(crate::support::words::neutral_keeping_colour(&head).as_bytes())
                .and_then(|()| {
                    sorted.each(|entries| {
                        let rows = table(&entries, today, env.color, w);
                        out.write_all(
                            crate::support::words::neutral_keeping_colour(&rows).as_bytes(),
                        )
                    })
                })
        }
    };
    match written {
        Ok(()) => {}
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            return Err(Error::usage(format!("cannot write the report: {e}"), ""));
        }
    }
    if !failed.is_empty() {
        return Ok(2);
    }
    Ok(u8::from(args.check && failing))
}

/// Failing or overdue first, then by the next milestone's date.
fn urgency(e: &Entry) -> (u8, Option<NaiveDate>, String) {
    let rank = match (e.overdue().next().is_some(), e.verdict.pass) {
        (true, false) => 0,
        (true, true) | (false, false) => 1,
        (false, true) => 2,
    };
    let rank = if e.next().is_none() { 3 } else { rank };
    (rank, e.next().map(|m| m.date), e.packet.id.clone())
}

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
        waivers_ending: crate::facts::waiver::expiring(&e.packet, today, WAIVER_HORIZON_DAYS)
            .into_iter()
            .map(|w| format!("{}: {} ({})", w.until, w.target, w.reason))
            .collect(),
        awaiting_fix: sent_back.last().and_then(|s| {
            let from = crate::facts::gate::Status::parse(&s.from)?;
            (p.status()? < from).then(|| format!("{} by {}: {}", s.at, s.by, s.reason))
        }),
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

/// The table's title and column heads, for `count` packets and a packet column `w` wide.
fn table_head(count: usize, today: NaiveDate, w: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Handoffs as of {} ({})\n",
        today.format("%a %Y-%m-%d"),
        crate::support::words::plural(count, "packet", "packets")
    );
    let _ = writeln!(
        out,
        "{:<w$} {:<28} {:<13} {:<10} {:<11} {:<5} {:<40} {:<16} gate",
        "packet", "from → to", "kind", "status", "day 0", "day", "next milestone", "kpi"
    );
    out
}

/// The table's rows for these packets, the packet column `w` wide.
fn table(entries: &[Entry], today: NaiveDate, color: bool, w: usize) -> String {
    let paint = |text: String, code: &str| {
        let text = crate::support::words::neutral(&text).into_owned();
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let mut out = String::new();
    for e in entries {
        let r = row(e, today);
        let teams = truncate(&format!("{} → {}", r.from, r.to), 28);
        let next = match (&r.next_date, &r.next_milestone) {
            (Some(d), Some(t)) => truncate(&format!("{} {}", d.format("%m-%d"), t), 40),
            _ => "—".to_string(),
        };
        let next = match r.next_state {
            Some(State::Overdue) => paint(format!("{next:<40}"), "31"),
            Some(State::DueToday) => paint(format!("{next:<40}"), "33"),
            _ => format!("{next:<40}"),
        };
        let gate = if r.pass {
            paint(format!("pass ({})", r.gate), "32")
        } else {
            paint(format!("FAIL ({}, {} errors)", r.gate, r.errors), "31;1")
        };
        let kpi = match &e.kpi {
            Some(k) => {
                // The series as `check` judges it at the packet's gate.
                let cell = truncate(&k.cell(e.verdict.gate), 16);
                if k.alarming(e.verdict.gate) {
                    paint(format!("{cell:<16}"), "31")
                } else {
                    format!("{cell:<16}")
                }
            }
            None => format!("{:<16}", "—"),
        };
        let _ = writeln!(
            out,
            "{:<w$} {:<28} {:<13} {:<10} {:<11} {:<5} {next} {kpi} {gate}",
            truncate(&r.id, w),
            teams,
            truncate(&r.kind, 13),
            truncate(&r.status, 10),
            r.day0.map_or("—".into(), |d| d.to_string()),
            r.day.unwrap_or_default(),
        );
        for o in &r.overdue {
            let _ = writeln!(out, "{:<w$} {}", "", paint(format!("overdue: {o}"), "31"));
        }
        for i in &r.items_overdue {
            let owner = i
                .owner
                .as_deref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<w$} {}",
                "",
                paint(
                    format!("overdue: {} {} `{}`{owner}", i.due, i.noun, i.what),
                    "31"
                )
            );
        }
        if let Some(s) = &r.awaiting_fix {
            let _ = writeln!(out, "{:<w$} {}", "", paint(format!("sent back {s}"), "33"));
        }
        for wv in &r.waivers_ending {
            let _ = writeln!(
                out,
                "{:<w$} {}",
                "",
                paint(format!("waiver ends {wv}"), "33")
            );
        }
    }
    out
}

/// How far ahead `status` looks for waivers that end.
const WAIVER_HORIZON_DAYS: i64 = 14;

/// A cell at most `width` characters wide, its control characters written out (see
/// [`crate::support::words::neutral`]).
fn truncate(s: &str, width: usize) -> String {
    let s = &*crate::support::words::neutral(s);
    if s.chars().count() <= width {
        s.to_string()
    } else {
        s.chars().take(width - 1).collect::<String>() + "…"
    }
}
