//! `handoff stats`: are handoffs getting faster, more complete and more durable?

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::workspace::Workspace;
use chrono::NaiveDate;
use std::fmt::Write as _;

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
    let mut status = 0;
    let (packets, overall) = if args.repos.is_empty() {
        crate::output::stats::compute(&ws, today, args.since).map_err(|e| {
            Error::usage(
                format!("stats come from git history: {e}"),
                "run it inside the git repository that holds the packets",
            )
        })?
    } else {
        let mut all = Vec::new();
        for repo in &args.repos {
            let path = env.cwd.join(repo);
            let shown = crate::support::paths::shown(&path);
            let name = std::path::absolute(&path)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| shown.clone());
            let figures = if path.is_dir() {
                Workspace::open(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|w| {
                        crate::output::stats::compute(&w, today, args.since)
                            .map_err(|e| e.to_string())
                    })
            } else {
                Err("there is no such folder".to_string())
            };
            match figures {
                Ok((packets, _)) => all.extend(packets.into_iter().map(|mut p| {
                    p.id = format!("{name}/{}", p.id);
                    p
                })),
                Err(why) => {
                    eprintln!(
                        "error: {}: {}",
                        crate::support::words::inline(&shown),
                        crate::support::words::inline(&why)
                    );
                    status = 2;
                }
            }
        }
        let overall = crate::output::stats::overall(&all);
        (all, overall)
    };
    // JSON escapes control characters itself; text and pages get them written out.
    let emit = |text: String| -> Result<(), Error> {
        let text = crate::support::words::neutral(&text);
        match &args.output {
            Some(path) => crate::facts::atomic::write_output(path, &text),
            None => {
                print!("{text}");
                Ok(())
            }
        }
    };
    match args.format {
        StatsFormat::Json => {
            let doc = serde_json::json!({ "today": today, "since": args.since, "overall": overall, "packets": packets });
            emit(format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            ))?;
        }
        StatsFormat::Html => {
            let templates = crate::output::render::Templates::load(&ws.config.root)
                .map_err(|e| Error::usage(e.0, "fix the template"))?;
            let page = templates
                .render(
                    "stats.html.j2",
                    minijinja::context! {
                        today => today.to_string(),
                        since => args.since.map(|s| s.to_string()),
                        charts => crate::output::render::stats_charts::build(&overall),
                        overall => &overall,
                        packets => &packets,
                    },
                )
                .map_err(|e| {
                    Error::usage(
                        e.0,
                        "fix the template (or remove your override in .handoff/templates/)",
                    )
                })?;
            emit(page)?;
        }
        StatsFormat::Text => {
            let mut out = String::new();
            let pct =
                |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{:.0}%", v * 100.0));
            let num = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.1}"));
            let since = args
                .since
                .map(|s| format!(" since {s}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "Handoff figures{since}, as of {today}: {} packets, {} signed off\n",
                overall.packets, overall.signed_off
            );
            let _ = writeln!(
                out,
                "  median transition (first commit → all signed)  {} days",
                num(overall.median_transition_days)
            );
            let _ = writeln!(
                out,
                "  signed off by day +14                          {}",
                pct(overall.signed_by_day14_share)
            );
            let _ = writeln!(
                out,
                "  still running 90 days after sign-off           {}",
                pct(overall.alive_at_90_days_share)
            );
            let _ = writeln!(
                out,
                "  KPI on target 30 / 60 / 90 days after sign-off {} / {} / {}",
                pct(overall.kpi_on_target_share[0]),
                pct(overall.kpi_on_target_share[1]),
                pct(overall.kpi_on_target_share[2])
            );
            let _ = writeln!(
                out,
                "  rework (answer changes after ready)            {}, median {} per packet",
                crate::support::words::plural(overall.rework, "commit", "commits"),
                num(overall.median_rework)
            );
            let _ = writeln!(
                out,
                "  sent back (`handoff send-back`, or by hand)     {}",
                overall.sent_back
            );
            let _ = writeln!(
                out,
                "  sign-offs gone stale                           {}\n",
                overall.stale_signoffs
            );
            if overall.quarters.len() > 1 {
                let _ = writeln!(
                    out,
                    "  {:<10} {:>8} {:>18} {:>14} {:>8}",
                    "quarter", "packets", "median transition", "signed by +14", "rework"
                );
                for q in &overall.quarters {
                    let transition = q
                        .median_transition_days
                        .map_or("—".into(), |d| format!("{d:.1} days"));
                    let _ = writeln!(
                        out,
                        "  {:<10} {:>8} {:>18} {:>14} {:>8}",
                        q.quarter,
                        q.packets,
                        transition,
                        pct(q.signed_by_day14_share),
                        q.rework
                    );
                }
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "  {:<28} {:>8} {:>11} {:>7} {:>6} {:>7} {:>9} {:>6}",
                "packet", "created", "transition", "by +14", "rework", "sent", "stale", "90d"
            );
            for p in &packets {
                let yes = |v: Option<bool>| v.map_or("—", |b| if b { "yes" } else { "no" });
                let _ = writeln!(
                    out,
                    "  {:<28} {:>8} {:>11} {:>7} {:>6} {:>7} {:>9} {:>6}",
                    p.id,
                    p.created.format("%Y-%m-%d").to_string(),
                    p.transition_days.map_or("—".into(), |d| format!("{d} d")),
                    yes(p.signed_by_day14),
                    p.rework,
                    p.sent_back,
                    p.stale_signoffs,
                    yes(p.alive_at_90_days),
                );
            }
            emit(out)?;
        }
    }
    Ok(status)
}
