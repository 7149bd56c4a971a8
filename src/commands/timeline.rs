//! `handoff timeline`: the packet's milestones with dates and states.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::packet::Packet;
use crate::facts::timeline::{self, State};
use crate::facts::workspace::Workspace;
use chrono::NaiveDate;
use std::fmt::Write as _;

/// Flags of `handoff timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// The packet id (or path).
    #[arg(add = crate::commands::complete::packets())]
    pub packet: String,
    /// Show states as of DATE (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::args::parse_date, env = "HANDOFF_TODAY", value_name = "DATE")]
    pub today: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TimelineFormat::Text)]
    pub format: TimelineFormat,
}

/// Formats of `timeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TimelineFormat {
    /// A table with today marked.
    Text,
    /// JSON.
    Json,
    /// An iCalendar file: one all-day event per milestone.
    Ics,
}

/// Print the timeline.
pub fn run(env: &Env, args: &TimelineArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let dir = ws.packet(&args.packet)?;
    let packet = Packet::load(&dir, &crate::support::paths::shown_path(&dir));
    let today = today(args.today);
    let shown = crate::support::paths::shown(&dir.join(crate::facts::packet::PACKET_FILE));
    let Some(day0) = packet.day0() else {
        return Err(Error::usage(
            format!("{shown}: the packet has no valid `day0`"),
            "write `day0: YYYY-MM-DD` in the front matter",
        ));
    };
    let kind = ws
        .require_kind(ws.kind_name_of(&packet))
        .map_err(|e| Error::usage(format!("{shown}: {e}"), e.help().unwrap_or_default()))?;
    let placed = timeline::place(&packet, &kind.spec, &ws.config.settings, today);
    match args.format {
        TimelineFormat::Ics => print!(
            "{}",
            crate::output::ics::calendar(&format!("Handoff {}", packet.id), &[(&packet, &placed)])
        ),
        TimelineFormat::Json => {
            let doc = serde_json::json!({
                "packet": packet.id,
                "kind": kind.spec.name,
                "day0": day0,
                "today": today,
                "day": (today - day0).num_days(),
                "milestones": placed,
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        TimelineFormat::Text => print!(
            "{}",
            // Titles and ids were written out before they were painted; only the colours stay.
            crate::support::words::neutral_keeping_colour(&text(
                &packet,
                &kind.spec.name,
                day0,
                today,
                &placed,
                env.color
            ))
        ),
    }
    Ok(0)
}

fn text(
    packet: &Packet,
    kind: &str,
    day0: NaiveDate,
    today: NaiveDate,
    placed: &[timeline::Placed],
    color: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}): day 0 is {}; today is {} ({})\n",
        crate::support::words::neutral(&packet.id),
        crate::support::words::neutral(kind),
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
            let _ = writeln!(
                out,
                "  {:>4}  {:<14}  {:<9}  ◀ today",
                "",
                today.format("%a %Y-%m-%d").to_string(),
                ""
            );
            marked = true;
        }
        let state = m.state.name();
        let state = if color {
            let code = match m.state {
                State::Done => "32",
                State::Late => "33",
                State::DueToday => "33;1",
                State::Upcoming => "0",
                State::Overdue => "31;1",
            };
            format!("\x1b[{code}m{state:<9}\x1b[0m")
        } else {
            format!("{state:<9}")
        };
        let mut notes = Vec::new();
        match (m.done_on, m.late_by) {
            (Some(on), Some(days)) => notes.push(format!(
                "done {}, {}",
                on.format("%a %Y-%m-%d"),
                crate::output::report::plural(
                    days.unsigned_abs() as usize,
                    "day late",
                    "days late"
                )
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
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  ({})", notes.join("; "))
        };
        let _ = writeln!(
            out,
            "  {:>4}  {:<14}  {state}  {}{notes}",
            m.offset,
            m.date.format("%a %Y-%m-%d").to_string(),
            crate::support::words::neutral(&m.title)
        );
    }
    if !marked {
        let _ = writeln!(
            out,
            "  {:>4}  {:<14}  {:<9}  ◀ today",
            "",
            today.format("%a %Y-%m-%d").to_string(),
            ""
        );
    }
    out
}
