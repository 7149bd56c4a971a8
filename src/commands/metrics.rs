//! `handoff metrics pull`: read each packet's KPI series from its source into the packet's
//! committed file, so that git records what the gate saw and CI needs no credentials.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::metrics::source::Request;
use crate::facts::metrics::{self, Series, Target};
use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use crate::judgement::rules::kpi;
use chrono::{Duration, NaiveDate};

/// Flags of `handoff metrics`.
#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: MetricsCommand,
}

/// The subcommands of `handoff metrics`.
#[derive(Debug, clap::Subcommand)]
pub enum MetricsCommand {
    /// Read each packet's KPI series from its source into `metrics/kpi.csv` (or the packet's
    /// `series.file`).
    ///
    /// Runs the `query:` of the packet's `series:` against the `[sources.NAME]` it names, for
    /// the days from the stability window's start (day 0 minus the window, minus 14 more days to
    /// show the run-up) to today; rows already in the file outside that range are kept. The file
    /// is replaced atomically, and left byte-identical when the data are the same. Commit it:
    /// `check` judges the committed file.
    ///
    /// Exit status: 0 pulled (or nothing to pull); 1 with --check when a file would change;
    /// 2 a source could not be read (the file is then left as it was).
    Pull(PullArgs),
}

/// Flags of `handoff metrics pull`.
#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// Packets to pull (ids or folders; default: every packet with a `series:` naming a source).
    #[arg(add = crate::commands::complete::packets())]
    pub packets: Vec<String>,
    /// Write nothing; exit 1 when pulling would change a committed series file.
    #[arg(long)]
    pub check: bool,
    /// As of DATE (YYYY-MM-DD): the last day pulled.
    #[arg(long, value_parser = crate::commands::args::parse_date, env = "HANDOFF_TODAY", value_name = "DATE")]
    pub today: Option<NaiveDate>,
}

/// Run `handoff metrics`.
pub fn run(env: &Env, args: &MetricsArgs) -> Result<u8, Error> {
    match &args.command {
        MetricsCommand::Pull(pull) => run_pull(env, pull),
    }
}

/// What one packet's pull came to.
enum Outcome {
    Unchanged,
    Changed,
}

fn run_pull(env: &Env, args: &PullArgs) -> Result<u8, Error> {
    let (ws, named) = Workspace::for_args(&env.cwd, &args.packets)?;
    let today = today(args.today);
    let dirs = ws.select(&named)?;
    let root = crate::support::paths::absolute(&ws.config.root);
    // Everything that can be known before connecting is checked first: an unknown source or a
    // missing environment variable stops the run (exit 2) before any query.
    let mut jobs = Vec::new();
    for dir in &dirs {
        let packet = Packet::load(dir, &crate::support::paths::shown_path(dir));
        let Some(kind) = ws.kind_of(&packet) else {
            continue;
        };
        let Some(k) = metrics::kpi_of(&packet, kpi::metric_path(&kind.spec)) else {
            continue;
        };
        let Some(series) = k.series.clone() else {
            continue;
        };
        let Some((source, _)) = series.source.clone() else {
            if !args.packets.is_empty() {
                eprintln!(
                    "{}: the series names no `source:`; its file {} is kept by hand",
                    packet.id, series.file
                );
            }
            continue;
        };
        let shown = crate::support::paths::shown(&dir.join(crate::facts::packet::PACKET_FILE));
        let Some(cfg) = ws.config.settings.sources.get(&source) else {
            let names: Vec<&str> = ws
                .config
                .settings
                .sources
                .keys()
                .map(String::as_str)
                .collect();
            return Err(Error::usage(
                format!(
                    "{shown}: the series names the source `{}`, which handoff.toml does not define{}",
                    crate::support::words::neutral(&source),
                    crate::support::suggest::did_you_mean(&source, names.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default()
                ),
                if names.is_empty() {
                    "add it: `[sources.NAME]` with `kind = \"sqlite\"` and `path = \"...\"` (or `kind = \"postgres\"` and `url_env = \"...\"`)".to_string()
                } else {
                    format!("the sources defined are: {}", names.join(", "))
                },
            ));
        };
        if let Some(e) = cfg.problem(&source) {
            return Err(Error::usage(format!("{shown}: {}", e.message), e.help));
        }
        if let Some(why) = metrics::file_problem(&series.file) {
            return Err(Error::usage(
                format!(
                    "{shown}: series file `{}`: {why}",
                    crate::support::words::neutral(&series.file)
                ),
                format!(
                    "write a path inside the packet, e.g. `{}`",
                    metrics::DEFAULT_FILE
                ),
            ));
        }
        jobs.push((packet, kind.spec.clone(), series, source, cfg.clone()));
    }
    if jobs.is_empty() {
        if !env.quiet {
            eprintln!("no packet here has a `series:` naming a source; nothing to pull");
        }
        return Ok(0);
    }
    let mut failed = 0;
    let mut changed = Vec::new();
    for (packet, spec, series, source, cfg) in &jobs {
        let kspec = spec.kpi.clone().unwrap_or_default();
        let day0 = packet.day0().unwrap_or(today);
        let window = i64::from(kspec.window).min(crate::facts::kind::MAX_DAYS);
        let first = (day0 - Duration::days(window + 14)).min(today);
        // Ten years at the most, whatever the dates say.
        let first = first.max(today - Duration::days(3660));
        let req = Request {
            query: series.query.as_deref(),
            column: series.column.as_deref(),
            first,
            last: today,
        };
        let target = metrics::kpi_of(packet, kpi::metric_path(spec))
            .and_then(|k| k.target)
            .and_then(|n| n.as_str())
            .and_then(|t| Target::parse(t).ok());
        let path = packet.dir.join(&series.file);
        let shown = crate::support::paths::shown(&path);
        match pull_one(
            &root,
            packet,
            cfg,
            source,
            &req,
            &path,
            target.as_ref(),
            today,
            args.check,
        ) {
            Ok((outcome, pulled, merged)) => {
                let gate = crate::judgement::verdict::gate_for(packet, &ws, today);
                let verdict = verdict(packet, spec, &merged, target.as_ref(), today, gate);
                let span = match (pulled.points.first(), pulled.points.last()) {
                    (Some(a), Some(b)) => format!("{} to {}", a.day, b.day),
                    _ => "no rows".into(),
                };
                let what = match (&outcome, args.check) {
                    (Outcome::Unchanged, _) => "unchanged".to_string(),
                    (Outcome::Changed, true) => format!("{shown} would change"),
                    (Outcome::Changed, false) => format!("wrote {shown}"),
                };
                if matches!(outcome, Outcome::Changed) {
                    changed.push(shown.clone());
                }
                if !env.quiet || matches!(outcome, Outcome::Changed) && args.check {
                    println!(
                        "{}: {} ({span}) from {source}; {verdict}; {what}",
                        packet.id,
                        crate::support::words::plural(pulled.points.len(), "day", "days")
                    );
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!(
                    "error: {}: source {source}: {}\n  help: {}",
                    packet.id,
                    crate::support::words::neutral(&e.message),
                    e.help
                );
                eprintln!("  {shown} was left as it was");
            }
        }
    }
    if failed > 0 {
        return Ok(2);
    }
    if args.check {
        if !changed.is_empty() {
            eprintln!(
                "{} would change: run `handoff metrics pull` and commit",
                crate::support::words::plural(changed.len(), "series file", "series files")
            );
            return Ok(1);
        }
        return Ok(0);
    }
    if !changed.is_empty() && !env.quiet {
        eprintln!(
            "commit {}: git is the record of what the gate saw, and CI then needs no database credentials",
            changed.join(" ")
        );
    }
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
fn pull_one(
    root: &std::path::Path,
    packet: &Packet,
    cfg: &metrics::source::SourceConfig,
    source: &str,
    req: &Request,
    path: &std::path::Path,
    target: Option<&Target>,
    today: NaiveDate,
    check_only: bool,
) -> Result<(Outcome, Series, Series), metrics::source::SourceError> {
    let pulled = cfg.fetch(source, root, req)?;
    let before = match crate::facts::packet::read_text(path) {
        crate::facts::packet::ReadOutcome::Text(t) => Some(t),
        crate::facts::packet::ReadOutcome::Bad { .. } => None,
    };
    let old = before
        .as_deref()
        .map(|t| Series::parse(t, target.and_then(|t| t.unit), today).0)
        .unwrap_or_default();
    let merged = old.merged(&pulled, req.first, req.last);
    let text = merged.to_csv();
    if before.as_deref() == Some(text.as_str()) {
        return Ok((Outcome::Unchanged, pulled, merged));
    }
    if !check_only {
        write(packet, path, &text)?;
    }
    Ok((Outcome::Changed, pulled, merged))
}

fn write(
    packet: &Packet,
    path: &std::path::Path,
    text: &str,
) -> Result<(), metrics::source::SourceError> {
    let fail = |e: String| metrics::source::SourceError {
        message: format!("cannot write {}: {e}", crate::support::paths::shown(path)),
        help: "check the folder is writable".into(),
    };
    let parent = path.parent().unwrap_or(&packet.dir);
    // The folder is the packet's own: never follow a link out of it.
    if std::fs::symlink_metadata(parent).is_ok_and(|m| m.file_type().is_symlink())
        || std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(fail("it is (or lies in) a symbolic link".into()));
    }
    std::fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
    crate::facts::atomic::write_atomic(path, text).map_err(|e| fail(e.to_string()))
}

/// `stable: 14 of the 14 days before day 0 meet >= 4%`, or what else the series says now.
fn verdict(
    packet: &Packet,
    spec: &crate::facts::kind::spec::KindSpec,
    series: &Series,
    target: Option<&Target>,
    today: NaiveDate,
    gate: crate::facts::gate::Gate,
) -> String {
    let (Some(target), Some(day0)) = (target, packet.day0()) else {
        return "not judged (no readable target or day 0)".into();
    };
    let kspec = spec.kpi.clone().unwrap_or_default();
    let h = metrics::Health::assess(
        series,
        target,
        &kspec,
        day0,
        today,
        kpi::allowed_lag(packet),
    );
    if let Some((first, days)) = h.breach {
        return format!("breach: under {target} for {days} days since {first}");
    }
    // The standing `check` and `status` show at the packet's gate.
    match kpi::Standing::of(&h, &kspec, gate) {
        kpi::Standing::Stable => format!("stable: {}", h.progress(kspec.window, target)),
        kpi::Standing::Unstable { .. } => {
            format!("unstable: {}", h.progress(kspec.window, target))
        }
        kpi::Standing::Incomplete { gaps } => format!(
            "incomplete: {}, {} without a value",
            h.progress(kspec.window, target),
            crate::support::words::plural(gaps, "day", "days")
        ),
        kpi::Standing::Building { .. } => h.progress(kspec.window, target),
    }
}
