//! What `handoff timeline` shows as text: a packet's milestones in a table, each with its day,
//! date and state, and today marked where it falls.

use crate::facts::packet::Packet;
use crate::facts::timeline::{self, Placed, State};
use crate::support::words::{neutral, plural};
use chrono::NaiveDate;
use std::fmt::Write as _;

/// The table of `placed`, headed by the packet, its kind, day 0 and today; states painted when
/// `color`.
pub fn text(
    packet: &Packet,
    kind: &str,
    day0: NaiveDate,
    today: NaiveDate,
    placed: &[Placed],
    color: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}): day 0 is {}; today is {} ({})\n",
        neutral(&packet.id),
        neutral(kind),
        day0.format("%a %Y-%m-%d"),
        today.format("%a %Y-%m-%d"),
        timeline::day_label(day0, today)
    );
    let _ = writeln!(
        out,
        "  {:>4}  {:<14}  {:<9}  milestone",
        "day", "date", "state"
    );
    let mut marked = false;
    for m in placed {
        if !marked && m.date > today {
            today_row(&mut out, today);
            marked = true;
        }
        let _ = writeln!(
            out,
            "  {:>4}  {:<14}  {}  {}{}",
            m.offset,
            m.date.format("%a %Y-%m-%d").to_string(),
            state(m.state, color),
            neutral(&m.title),
            notes(m)
        );
    }
    if !marked {
        today_row(&mut out, today);
    }
    out
}

/// The row that marks today.
fn today_row(out: &mut String, today: NaiveDate) {
    let _ = writeln!(
        out,
        "  {:>4}  {:<14}  {:<9}  ◀ today",
        "",
        today.format("%a %Y-%m-%d").to_string(),
        ""
    );
}

/// The state, nine wide, in its colour when `color`.
fn state(state: State, color: bool) -> String {
    let name = state.name();
    if !color {
        return format!("{name:<9}");
    }
    let code = match state {
        State::Done => "32",
        State::Late => "33",
        State::DueToday => "33;1",
        State::Upcoming => "0",
        State::Overdue => "31;1",
    };
    format!("\x1b[{code}m{name:<9}\x1b[0m")
}

/// `  (done Mon 2026-12-07, 2 days late; moved from Sat 12-05)`: when it was done, moved, or
/// falls on a weekend; nothing when none.
fn notes(m: &Placed) -> String {
    let mut notes = Vec::new();
    match (m.done_on, m.late_by) {
        (Some(on), Some(days)) => notes.push(format!(
            "done {}, {}",
            on.format("%a %Y-%m-%d"),
            plural(days.unsigned_abs() as usize, "day late", "days late")
        )),
        (Some(on), None) => notes.push(format!("done {}", on.format("%a %Y-%m-%d"))),
        _ => {}
    }
    if let Some(from) = m.moved_from {
        notes.push(format!("moved from {}", from.format("%a %m-%d")));
    }
    if m.weekend {
        notes.push("⚠ falls on a weekend".to_string());
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!("  ({})", notes.join("; "))
    }
}
