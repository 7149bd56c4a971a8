//! `handoff status`: every packet in one table, most urgent first.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::workspace::Workspace;
use crate::judgement::attention::Urgency;
use crate::output::portfolio::{self, Sorted};
use crate::output::status;
use crate::support::words::{inline, neutral_keeping_colour};
use chrono::NaiveDate;
use std::io::Write as _;
use std::path::PathBuf;

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

/// The repositories a run reads: their names (none for the one repository of a plain run),
/// workspaces and packet folders.
type Opened = Vec<(Option<String>, Workspace, Vec<PathBuf>)>;

/// Print the portfolio.
pub fn run(env: &Env, args: &StatusArgs) -> Result<u8, Error> {
    let today = today(args.today);
    // The packets are checked once and put in order keeping a few figures each, then loaded
    // again in that order a chunk at a time and written as they come: memory stays small
    // however many packets (see `portfolio::Sorted`).
    let (opened, failed) = open(env, args)?;
    let sources: Vec<portfolio::Source> = opened
        .iter()
        .map(|(name, ws, dirs)| portfolio::Source {
            name: name.clone(),
            ws,
            dirs: dirs.clone(),
        })
        .collect();
    let sorted = sort(env, &sources, today);
    for (repo, why) in &failed {
        eprintln!("error: {}: {}", inline(repo), inline(why));
    }
    let failing = sorted.verdicts().any(|v| !v.pass);
    let written = match args.format {
        StatusFormat::Ics => ics(sorted),
        StatusFormat::Json => json(sorted, today),
        StatusFormat::Text => text(sorted, today, env.color),
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

/// The repositories to report on: this one, or each `--repo` (those that cannot be read
/// named with why).
fn open(env: &Env, args: &StatusArgs) -> Result<(Opened, Vec<(String, String)>), Error> {
    if args.repos.is_empty() {
        let ws = Workspace::open(&env.cwd)?.showing_proofs();
        super::require_packets_folder(&ws)?;
        let dirs = ws.all_packets()?;
        return Ok((vec![(None, ws, dirs)], Vec::new()));
    }
    let repos: Vec<PathBuf> = args.repos.iter().map(|r| env.cwd.join(r)).collect();
    let (opened, failed) = portfolio::open_repos(&repos);
    let opened = opened
        .into_iter()
        .map(|(name, ws, dirs)| (Some(name), ws, dirs))
        .collect();
    Ok((opened, failed))
}

/// Every packet checked and put in the order of urgency; why a repository's audit could not run
/// is noted on stderr (unless `--quiet`).
fn sort<'w>(
    env: &Env,
    sources: &'w [portfolio::Source<'w>],
    today: NaiveDate,
) -> Sorted<'w, Urgency> {
    let mut notes: Vec<String> = Vec::new();
    let sorted = portfolio::sorted(sources, today, status::urgency, |name, why| {
        notes.push(match name {
            Some(name) => format!("{name}: {why}"),
            None => why.to_string(),
        })
    });
    for note in notes.iter().filter(|_| !env.quiet) {
        eprintln!("note: {}", inline(note));
    }
    sorted
}

/// Every packet's milestones as an iCalendar file.
fn ics(sorted: Sorted<Urgency>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let (head, tail) = crate::output::ics::frame("Handoffs");
    out.write_all(head.as_bytes())?;
    sorted.each(|entries| {
        let packets: Vec<_> = entries
            .iter()
            .map(|e| (&e.packet, e.placed.as_slice()))
            .collect();
        out.write_all(crate::output::ics::events("Handoffs", &packets).as_bytes())
    })?;
    out.write_all(tail.as_bytes())
}

/// Every packet's row as JSON.
fn json(sorted: Sorted<Urgency>, today: NaiveDate) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut json = status::JsonStream::default();
    out.write_all(json.head().as_bytes())?;
    sorted.each(|entries| out.write_all(json.rows(&entries, today).as_bytes()))?;
    out.write_all(json.tail(today).as_bytes())
}

/// The table, its rows painted when `color`.
fn text(sorted: Sorted<Urgency>, today: NaiveDate, color: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let w = status::packet_width(sorted.keys().map(|(_, _, id)| id.as_str()));
    let head = status::table_head(sorted.len(), today, w);
    out.write_all(neutral_keeping_colour(&head).as_bytes())?;
    sorted.each(|entries| {
        let rows = status::table(&entries, today, color, w);
        out.write_all(neutral_keeping_colour(&rows).as_bytes())
    })
}
