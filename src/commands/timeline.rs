//! `handoff timeline`: the packet's milestones with dates and states.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::packet::Packet;
use crate::facts::timeline;
use crate::facts::workspace::Workspace;
use chrono::NaiveDate;

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
            crate::support::words::neutral_keeping_colour(&crate::output::timeline::text(
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
