//! `handoff stats`: are handoffs getting faster, more complete and more durable?

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::workspace::Workspace;
use crate::output::figures;
use crate::output::stats::{self, Overall, PacketStats};
use crate::support::words::inline;
use chrono::NaiveDate;

/// Flags of `handoff stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// Only packets first committed on or after DATE.
    #[arg(long, value_parser = crate::commands::args::parse_date, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// As of DATE (for the 90-day figure).
    #[arg(long, value_parser = crate::commands::args::parse_date, env = "HANDOFF_TODAY", value_name = "DATE")]
    pub today: Option<NaiveDate>,
    /// Output format: a table, JSON, or an HTML page of charts (with -o FILE, or to stdout).
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Figures across these repositories (repeatable), each with its own history and
    /// configuration; packets show as `repo/id`. A repository that cannot be read is named on
    /// stderr (exit 2).
    #[arg(long = "repo", value_name = "DIR")]
    pub repos: Vec<std::path::PathBuf>,
}

/// Formats of `stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
    /// A self-contained HTML page: the quarterly and per-kind charts, then the table.
    Html,
}

/// Print the figures.
pub fn run(env: &Env, args: &StatsArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let today = today(args.today);
    let (packets, overall, status) = if args.repos.is_empty() {
        let (packets, overall) = here(&ws, today, args.since)?;
        (packets, overall, 0)
    } else {
        across(env, args, today)
    };
    let text = match args.format {
        StatsFormat::Json => figures::json(today, args.since, &overall, &packets),
        StatsFormat::Html => page(&ws, today, args.since, &overall, &packets)?,
        StatsFormat::Text => figures::text(today, args.since, &overall, &packets),
    };
    emit(args, &text)?;
    Ok(status)
}

/// The figures of this repository, from its history.
fn here(
    ws: &Workspace,
    today: NaiveDate,
    since: Option<NaiveDate>,
) -> Result<(Vec<PacketStats>, Overall), Error> {
    stats::compute(ws, today, since).map_err(|e| {
        Error::git(
            "stats come from git history",
            e,
            "run it inside the git repository that holds the packets",
        )
    })
}

/// The figures across `--repo` repositories, packets named `repo/id`, and the exit status: 2
/// when a repository could not be read (each such is named on stderr).
fn across(env: &Env, args: &StatsArgs, today: NaiveDate) -> (Vec<PacketStats>, Overall, u8) {
    let mut all = Vec::new();
    let mut status = 0;
    for repo in &args.repos {
        match repo_figures(&env.cwd.join(repo), today, args.since) {
            Some(packets) => all.extend(packets),
            None => status = 2,
        }
    }
    let overall = stats::overall(&all);
    (all, overall, status)
}

/// One repository's packet figures, each packet named `repo/id`; `None` (and the repository
/// named on stderr with why) when it cannot be read.
fn repo_figures(
    path: &std::path::Path,
    today: NaiveDate,
    since: Option<NaiveDate>,
) -> Option<Vec<PacketStats>> {
    let shown = crate::support::paths::shown(path);
    let name = std::path::absolute(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| shown.clone());
    let figures = if path.is_dir() {
        Workspace::open(path)
            .map_err(|e| e.to_string())
            .and_then(|w| stats::compute(&w, today, since).map_err(|e| e.to_string()))
    } else {
        Err("there is no such folder".to_string())
    };
    match figures {
        Ok((packets, _)) => Some(
            packets
                .into_iter()
                .map(|mut p| {
                    p.id = format!("{name}/{}", p.id);
                    p
                })
                .collect(),
        ),
        Err(why) => {
            eprintln!("error: {}: {}", inline(&shown), inline(&why));
            None
        }
    }
}

/// The HTML page, from the repository's templates.
fn page(
    ws: &Workspace,
    today: NaiveDate,
    since: Option<NaiveDate>,
    overall: &Overall,
    packets: &[PacketStats],
) -> Result<String, Error> {
    let templates = crate::output::render::Templates::load(&ws.config.root)
        .map_err(|e| Error::usage(e.0, "fix the template"))?;
    figures::page(&templates, today, since, overall, packets).map_err(|e| {
        Error::usage(
            e.0,
            "fix the template (or remove your override in .handoff/templates/)",
        )
    })
}

/// Write to `-o FILE` or stdout. JSON escapes control characters itself; text and pages get them
/// written out.
fn emit(args: &StatsArgs, text: &str) -> Result<(), Error> {
    let text = crate::support::words::neutral(text);
    match &args.output {
        Some(path) => crate::facts::atomic::write_output(path, &text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
