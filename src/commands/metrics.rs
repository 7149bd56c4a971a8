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
    /// A pull never replaces a series with fewer days than it had in the range: a query that
    /// returns no rows (a typo in a filter) or drops days is an error naming the days it would
    /// lose, and the file is left as it was (--allow-shrink replaces it all the same).
    ///
    /// Exit status: 0 pulled (or nothing to pull); 1 with --check when a file would change, or
    /// when a pull would drop days of a committed series; 2 a source could not be read (the file
    /// is then left as it was).
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
    /// Run the sources and the queries as they are at this git ref (a pull request's base), not
    /// as the change under review has them.
    ///
    /// `[sources]` (kind, path, url_env, timeout) is read from handoff.toml at REF; a packet
    /// whose `series:` (query, source or column) differs from REF, or that is new since REF, is
    /// not run before the change has landed: a `series-query-changed` warning names it and the
    /// pull skips it. For the job that holds the database credentials (`--check --base`).
    #[arg(long, value_name = "REF", env = "HANDOFF_BASE")]
    pub base: Option<String>,
    /// Replace a committed series even when the pull has no value for days the file has in the
    /// pulled range (a query that returns fewer rows than before).
    #[arg(long)]
    pub allow_shrink: bool,
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

/// Why one packet's pull stopped.
enum Failure {
    /// The source could not be read (exit 2).
    Source(metrics::source::SourceError),
    /// The pull would leave the committed series with less than it has (exit 1).
    Shrink { message: String, help: String },
}

impl From<metrics::source::SourceError> for Failure {
    fn from(e: metrics::source::SourceError) -> Self {
        Failure::Source(e)
    }
}

/// One packet to pull: its series as it will be run, and the source it runs against.
struct Job {
    packet: Packet,
    spec: crate::facts::kind::spec::KindSpec,
    series: metrics::SeriesSpec,
    source: String,
    cfg: metrics::source::SourceConfig,
}

/// A packet whose series is not run, and why.
struct Skipped {
    rule: &'static str,
    file: String,
    message: String,
}

fn run_pull(env: &Env, args: &PullArgs) -> Result<u8, Error> {
    use crate::support::words::inline;
    let (ws, named) = Workspace::for_args(&env.cwd, &args.packets)?;
    let today = today(args.today);
    let dirs = ws.select(&named)?;
    let root = crate::support::paths::absolute(&ws.config.root);
    let base = match args.base.as_deref().map(str::trim) {
        Some(rev) if !rev.is_empty() => {
            if rev.starts_with('-') || rev.contains(['\0', '\n']) {
                return Err(base_error(rev, "not a revision".into()));
            }
            Some(
                metrics::base::AtBase::open(
                    &root,
                    &root.join(crate::facts::config::FILE_NAME),
                    rev,
                )
                .map_err(|e| base_error(rev, e))?,
            )
        }
        _ => None,
    };
    // Everything that can be known before connecting is checked first: an unknown source or a
    // missing environment variable stops the run (exit 2) before any query.
    let mut candidates = Vec::new();
    for dir in &dirs {
        let packet = Packet::load(dir, &crate::support::paths::shown_path(dir));
        let Some(kind) = ws.kind_of(&packet) else {
            continue;
        };
        let path = kpi::metric_path(&kind.spec).to_string();
        let Some(k) = metrics::kpi_of(&packet, &path) else {
            continue;
        };
        let Some(series) = k.series.clone() else {
            continue;
        };
        let Some((source, _)) = series.source.clone() else {
            if !args.packets.is_empty() {
                eprintln!(
                    "{}: the series names no `source:`; its file {} is kept by hand",
                    inline(&packet.id),
                    inline(&series.file)
                );
            }
            continue;
        };
        candidates.push((packet, kind.spec.clone(), path, series, source));
    }
    // With --base, each packet as the base has it.
    let at_base: Vec<Option<String>> = match &base {
        Some(b) => b
            .texts(
                &candidates
                    .iter()
                    .map(|(p, ..)| p.dir.join(crate::facts::packet::PACKET_FILE))
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| base_error(&b.rev, e))?,
        None => vec![None; candidates.len()],
    };
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    let mut differs = std::collections::BTreeSet::new();
    for ((packet, spec, path, series, source), then) in candidates.into_iter().zip(at_base) {
        let shown =
            crate::support::paths::shown(&packet.dir.join(crate::facts::packet::PACKET_FILE));
        let sources = match &base {
            Some(b) => &b.sources,
            None => &ws.config.settings.sources,
        };
        if let Some(b) = &base {
            let id = inline(&packet.id);
            let then_series = then.and_then(|text| {
                let then = Packet::from_text(&packet.dir, &packet.dir, text);
                metrics::kpi_of(&then, &path).and_then(|k| k.series)
            });
            let changed = match &then_series {
                None => Some(format!(
                    "{id}: the packet has no `series:` at {}",
                    b.named()
                )),
                Some(t) => {
                    let mut what = Vec::new();
                    if t.source.as_ref().map(|(s, _)| s) != Some(&source) {
                        what.push("source");
                    }
                    if t.query != series.query {
                        what.push("query");
                    }
                    if t.column != series.column {
                        what.push("column");
                    }
                    (!what.is_empty()).then(|| {
                        format!(
                            "{id}: the series' {} differs from {}",
                            what.join(" and "),
                            b.named()
                        )
                    })
                }
            };
            if let Some(why) = changed {
                skipped.push(Skipped {
                    rule: metrics::base::QUERY_CHANGED,
                    file: shown,
                    message: format!(
                        "{why}: it is not run against [sources.{}] before the change has landed; {} is left as it is",
                        inline(&source),
                        inline(&crate::support::paths::shown(&packet.dir.join(&series.file)))
                    ),
                });
                continue;
            }
            let Some(then_cfg) = b.sources.get(&source) else {
                skipped.push(Skipped {
                    rule: metrics::base::SOURCE_CHANGED,
                    file: shown,
                    message: format!(
                        "{id}: [sources.{}] is not defined at {}: the series is not pulled before the change has landed",
                        inline(&source),
                        b.named()
                    ),
                });
                continue;
            };
            if ws.config.settings.sources.get(&source) != Some(then_cfg) {
                differs.insert(source.clone());
            }
        }
        let Some(cfg) = sources.get(&source) else {
            let names: Vec<&str> = sources.keys().map(String::as_str).collect();
            return Err(Error::usage(
                format!(
                    "{shown}: the series names the source `{}`, which handoff.toml does not define{}",
                    inline(&source),
                    crate::support::suggest::did_you_mean(&source, names.iter().copied())
                        .map(|s| format!("; did you mean `{}`?", inline(s)))
                        .unwrap_or_default()
                ),
                if names.is_empty() {
                    "add it: `[sources.NAME]` with `kind = \"sqlite\"` and `path = \"...\"` (or `kind = \"postgres\"` and `url_env = \"...\"`)".to_string()
                } else {
                    format!("the sources defined are: {}", inline(&names.join(", ")))
                },
            ));
        };
        if let Some(e) = cfg.problem(&source) {
            return Err(Error::usage(format!("{shown}: {}", e.message), e.help));
        }
        if let Some(why) = metrics::file_problem(&series.file) {
            return Err(Error::usage(
                format!("{shown}: series file `{}`: {why}", inline(&series.file)),
                format!(
                    "write a path inside the packet, e.g. `{}`",
                    metrics::DEFAULT_FILE
                ),
            ));
        }
        jobs.push(Job {
            packet,
            spec,
            series,
            source,
            cfg: cfg.clone(),
        });
    }
    if let Some(b) = &base {
        for name in &differs {
            eprintln!(
                "note: [sources.{}] differs from {}: it is read as {} defines it",
                inline(name),
                b.named(),
                b.named()
            );
        }
        // In a GitHub Actions job each is also an annotation, for the pull request's reviewers.
        let annotate = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
        for s in &skipped {
            eprintln!("warning[{}]: {}: {}", s.rule, inline(&s.file), s.message);
            if annotate {
                println!(
                    "{}",
                    crate::output::report::github::annotation(
                        "warning",
                        &crate::output::report::root_relative(
                            &crate::output::report::base_in_repo(&env.cwd),
                            &s.file
                        ),
                        1,
                        1,
                        s.rule,
                        &s.message,
                        "review the query with the change; the job on the base branch pulls it once it has landed"
                    )
                );
            }
        }
    }
    if jobs.is_empty() {
        if !env.quiet && skipped.is_empty() {
            eprintln!("no packet here has a `series:` naming a source; nothing to pull");
        }
        return Ok(0);
    }
    let mut failed = 0;
    let mut shrunk = 0;
    let mut changed = Vec::new();
    for job in &jobs {
        let (packet, spec, series, source) = (&job.packet, &job.spec, &job.series, &job.source);
        let id = inline(&packet.id);
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
        let shown = inline(&crate::support::paths::shown(&path)).into_owned();
        match pull_one(
            &root,
            packet,
            &job.cfg,
            source,
            &req,
            &path,
            target.as_ref(),
            args,
        ) {
            Ok((outcome, pulled, merged)) => {
                // As `check` sees it today: rows dated later are kept in the file, not judged.
                let seen = Series {
                    points: merged
                        .points
                        .iter()
                        .filter(|p| p.day <= today)
                        .copied()
                        .collect(),
                };
                let gate = crate::judgement::verdict::gate_for(packet, &ws, today);
                let verdict = verdict(packet, spec, &seen, target.as_ref(), today, gate);
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
                        "{id}: {} ({span}) from {}; {verdict}; {what}",
                        crate::support::words::plural(pulled.points.len(), "day", "days"),
                        inline(source)
                    );
                }
            }
            Err(Failure::Source(e)) => {
                failed += 1;
                eprintln!(
                    "error: {id}: source {}: {}\n  help: {}",
                    inline(source),
                    inline(&e.message),
                    inline(&e.help)
                );
                eprintln!("  {shown} was left as it was");
            }
            Err(Failure::Shrink { message, help }) => {
                shrunk += 1;
                eprintln!("error: {id}: {message}\n  help: {help}");
                eprintln!("  {shown} was left as it was");
            }
        }
    }
    if failed > 0 {
        return Ok(2);
    }
    if shrunk > 0 {
        return Ok(1);
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

fn base_error(rev: &str, why: String) -> Error {
    Error::usage(
        format!("--base {}: {why}", crate::support::words::inline(rev)),
        "name the commit the change is judged against (the pull request's base, e.g. `origin/main`); in a shallow clone fetch it first: `git fetch --depth=1 origin <base>`",
    )
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
    args: &PullArgs,
) -> Result<(Outcome, Series, Series), Failure> {
    let pulled = cfg.fetch(source, root, req)?;
    let before = match crate::facts::packet::read_text(path) {
        crate::facts::packet::ReadOutcome::Text(t) => Some(t),
        crate::facts::packet::ReadOutcome::Bad { message, .. } => {
            // A file that is there but cannot be read is evidence too: never replaced unasked.
            if std::fs::symlink_metadata(path).is_ok() && !args.allow_shrink {
                return Err(Failure::Shrink {
                    message: format!(
                        "the committed series cannot be read ({}); the pull would replace it",
                        crate::support::words::inline(&message)
                    ),
                    help: "look at the file (git log -p on it); pass --allow-shrink to replace it with what the source returns".into(),
                });
            }
            None
        }
    };
    // Every row the file has, those dated after `today` too: the rewrite keeps them.
    let (old, bad) = before
        .as_deref()
        .map(|t| Series::parse(t, target.and_then(|t| t.unit), NaiveDate::MAX))
        .unwrap_or_default();
    if !args.allow_shrink {
        let lost = old.dropped_by(&pulled, req.first, req.last);
        if !lost.is_empty() {
            let returned = match pulled.points.len() {
                0 => "the query returned no rows".to_string(),
                n => format!(
                    "the query returned {}",
                    crate::support::words::plural(n, "day", "days")
                ),
            };
            return Err(Failure::Shrink {
                message: format!(
                    "{returned}; replacing the committed series would lose {}: {}",
                    crate::support::words::plural(lost.len(), "day", "days"),
                    metrics::series::day_runs(&lost, 8)
                ),
                help: "check the query (a typo in a filter returns no rows) and the source; pass --allow-shrink to replace the series all the same".into(),
            });
        }
        // Rows the file holds that cannot be read would be dropped by the rewrite.
        if let Some(b) = bad.iter().find(|b| !b.is_header()) {
            let line = before
                .as_deref()
                .map_or(1, |t| t[..b.offset.min(t.len())].matches('\n').count() + 1);
            return Err(Failure::Shrink {
                message: format!(
                    "the committed series has rows the pull would drop (line {line}: {})",
                    crate::support::words::inline(&b.message)
                ),
                help: "fix or remove the row (`handoff check` lists each); pass --allow-shrink to replace the series all the same".into(),
            });
        }
    }
    let merged = old.merged(&pulled, req.first, req.last);
    let text = merged.to_csv();
    if before.as_deref() == Some(text.as_str()) {
        return Ok((Outcome::Unchanged, pulled, merged));
    }
    if !args.check {
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
