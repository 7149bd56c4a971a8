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
            Error::git(
                "stats come from git history",
                e,
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
                "Handoff figures{since}, as of {today}: {}, {} signed off\n",
                crate::support::words::plural(overall.packets, "packet", "packets"),
                overall.signed_off
            );
            let figures = [
                (
                    "median transition (first commit → signed off)",
                    match overall.median_transition_days {
                        Some(d) => format!("{d:.1} days"),
                        None => "—".into(),
                    },
                ),
                ("signed off by day +14", pct(overall.signed_by_day14_share)),
                (
                    "still running 90 days after sign-off",
                    pct(overall.alive_at_90_days_share),
                ),
                (
                    "KPI on target 30 / 60 / 90 days after sign-off",
                    format!(
                        "{} / {} / {}",
                        pct(overall.kpi_on_target_share[0]),
                        pct(overall.kpi_on_target_share[1]),
                        pct(overall.kpi_on_target_share[2])
                    ),
                ),
                (
                    "rework (answer changes after ready)",
                    format!(
                        "{}, median {} per packet",
                        crate::support::words::plural(overall.rework, "commit", "commits"),
                        num(overall.median_rework)
                    ),
                ),
                (
                    "sent back (`handoff send-back`, or by hand)",
                    overall.sent_back.to_string(),
                ),
                ("sign-offs gone stale", overall.stale_signoffs.to_string()),
            ];
            let width = figures
                .iter()
                .map(|(label, _)| label.chars().count())
                .max()
                .unwrap_or(0);
            for (label, value) in &figures {
                let pad = " ".repeat(width - label.chars().count());
                let _ = writeln!(out, "  {label}{pad}  {value}");
            }
            out.push('\n');
            if overall.quarters.len() > 1 {
                let rows: Vec<[String; 5]> = overall
                    .quarters
                    .iter()
                    .map(|q| {
                        [
                            q.quarter.clone(),
                            q.packets.to_string(),
                            q.median_transition_days
                                .map_or("—".into(), |d| format!("{d:.1} days")),
                            pct(q.signed_by_day14_share),
                            q.rework.to_string(),
                        ]
                    })
                    .collect();
                out.push_str(&columns(
                    &[
                        "quarter",
                        "packets",
                        "median transition",
                        "signed by +14",
                        "rework",
                    ],
                    &rows,
                ));
                out.push('\n');
            }
            let yes = |v: Option<bool>| v.map_or("—", |b| if b { "yes" } else { "no" });
            let rows: Vec<[String; 8]> = packets
                .iter()
                .map(|p| {
                    [
                        p.id.clone(),
                        p.created.format("%Y-%m-%d").to_string(),
                        p.transition_days.map_or("—".into(), |d| format!("{d} d")),
                        yes(p.signed_by_day14).to_string(),
                        p.rework.to_string(),
                        p.sent_back.to_string(),
                        p.stale_signoffs.to_string(),
                        yes(p.alive_at_90_days).to_string(),
                    ]
                })
                .collect();
            out.push_str(&columns(
                &[
                    "packet",
                    "created",
                    "transition",
                    "by +14",
                    "rework",
                    "sent back",
                    "stale",
                    "90 days",
                ],
                &rows,
            ));
            emit(out)?;
        }
    }
    Ok(status)
}

/// A table laid out in columns as wide as their widest cell (counted in characters, so `—` is
/// one): the first column left-aligned, the others right-aligned, two spaces between, indented
/// by two.
fn columns<const N: usize>(headings: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = headings.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from(" ");
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(cell.chars().count()));
            s.push(' ');
            if i == 0 {
                s.push_str(cell);
                s.push_str(&pad);
            } else {
                s.push(' ');
                s.push_str(&pad);
                s.push_str(cell);
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(headings.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_whatever_the_widths() {
        let out = super::columns(
            &["packet", "created", "by +14"],
            &[
                [
                    "a-very-long-packet-id-indeed".to_string(),
                    "2026-12-07".to_string(),
                    "—".to_string(),
                ],
                ["b".to_string(), "2026-01-01".to_string(), "yes".to_string()],
            ],
        );
        let lines: Vec<&str> = out.lines().collect();
        let ends: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(ends.iter().all(|e| *e == ends[0]), "{out}");
        let col = |l: &str| l.chars().position(|c| c == '2').unwrap_or(0);
        assert_eq!(col(lines[1]), col(lines[2]), "{out}");
    }
}
