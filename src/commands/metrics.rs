//! `handoff metrics pull`: read each packet's KPI series from its source into the packet's
//! committed file, so that git records what the gate saw and CI needs no credentials.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::kind::spec::KindSpec;
use crate::facts::metrics::base::AtBase;
use crate::facts::metrics::source::{Request, SourceConfig, SourceError};
use crate::facts::metrics::{self, Series, SeriesSpec, Target};
use crate::facts::packet::{PACKET_FILE, Packet};
use crate::facts::workspace::Workspace;
use crate::judgement::pull::{self, Shrink};
use crate::judgement::rules::kpi;
use crate::output::metrics as say;
use crate::support::paths::shown;
use crate::support::words::inline;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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

/// Why one packet's pull stopped.
enum Failure {
    /// The source could not be read (exit 2).
    Source(SourceError),
    /// The pull would leave the committed series with less than it has (exit 1).
    Shrink(Shrink),
}

impl From<SourceError> for Failure {
    fn from(e: SourceError) -> Self {
        Failure::Source(e)
    }
}

/// A packet whose series names a source: its kind, where its KPI is answered, and its series.
struct Candidate {
    packet: Packet,
    spec: KindSpec,
    /// Where the kind's KPI is answered in the front matter.
    path: String,
    series: SeriesSpec,
    source: String,
}

/// One packet to pull: its series as it will be run, and the source it runs against.
struct Job {
    packet: Packet,
    spec: KindSpec,
    series: SeriesSpec,
    source: String,
    cfg: SourceConfig,
}

/// A packet whose series is not run, and why.
struct Skipped {
    rule: &'static str,
    file: String,
    message: String,
}

/// What a pull will do: the series it runs, those it skips, and the sources read as the base
/// defines them though the change defines them otherwise.
#[derive(Default)]
struct Plan {
    jobs: Vec<Job>,
    skipped: Vec<Skipped>,
    differs: BTreeSet<String>,
}

/// What the pulls came to: sources that failed, pulls refused for losing days, files changed.
#[derive(Default)]
struct Tally {
    failed: usize,
    shrunk: usize,
    changed: Vec<String>,
}

fn run_pull(env: &Env, args: &PullArgs) -> Result<u8, Error> {
    let (ws, named) = Workspace::for_args(&env.cwd, &args.packets)?;
    let today = today(args.today);
    let dirs = ws.select(&named)?;
    let root = crate::support::paths::absolute(&ws.config.root);
    let base = open_base(&root, args.base.as_deref())?;
    // Everything that can be known before connecting is checked first: an unknown source or a
    // missing environment variable stops the run (exit 2) before any query.
    let candidates = candidates(&ws, &dirs, !args.packets.is_empty());
    let plan = plan(&ws, base.as_ref(), candidates)?;
    if let Some(b) = &base {
        warn_about_base(env, b, &plan);
    }
    if plan.jobs.is_empty() {
        if !env.quiet && plan.skipped.is_empty() {
            eprintln!("no packet here has a `series:` naming a source; nothing to pull");
        }
        return Ok(0);
    }
    let mut tally = Tally::default();
    for job in &plan.jobs {
        pull_job(env, &ws, &root, job, args, today, &mut tally);
    }
    Ok(finish(env, args, &tally))
}

/// The base named by --base, read; none without it.
fn open_base(root: &Path, rev: Option<&str>) -> Result<Option<AtBase>, Error> {
    let Some(rev) = rev.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if rev.starts_with('-') || rev.contains(['\0', '\n']) {
        return Err(base_error(rev, "not a revision".into()));
    }
    AtBase::open(root, &root.join(crate::facts::config::FILE_NAME), rev)
        .map(Some)
        .map_err(|e| base_error(rev, e))
}

fn base_error(rev: &str, why: String) -> Error {
    Error::usage(
        format!("--base {}: {why}", inline(rev)),
        "name the commit the change is judged against (the pull request's base, e.g. `origin/main`); in a shallow clone fetch it first: `git fetch --depth=1 origin <base>`",
    )
}

/// The packets in `dirs` whose KPI series names a source; when packets were `named`, a note for
/// each whose series is kept by hand.
fn candidates(ws: &Workspace, dirs: &[PathBuf], named: bool) -> Vec<Candidate> {
    let mut out = Vec::new();
    for dir in dirs {
        let packet = Packet::load(dir, &crate::support::paths::shown_path(dir));
        let Some(kind) = ws.kind_of(&packet) else {
            continue;
        };
        let path = kpi::metric_path(&kind.spec).to_string();
        let Some(series) = metrics::kpi_of(&packet, &path).and_then(|k| k.series) else {
            continue;
        };
        let Some((source, _)) = series.source.clone() else {
            if named {
                eprintln!("{}", say::hand_kept(&packet.id, &series.file));
            }
            continue;
        };
        let spec = kind.spec.clone();
        out.push(Candidate {
            packet,
            spec,
            path,
            series,
            source,
        });
    }
    out
}

/// Each candidate run, skipped (changed since the base), or refused (exit 2: a source not
/// defined or not usable, a series file outside the packet).
fn plan(ws: &Workspace, base: Option<&AtBase>, candidates: Vec<Candidate>) -> Result<Plan, Error> {
    // With --base, each packet as the base has it.
    let at_base: Vec<Option<String>> = match base {
        Some(b) => b
            .texts(
                &candidates
                    .iter()
                    .map(|c| c.packet.dir.join(PACKET_FILE))
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| base_error(&b.rev, e))?,
        None => vec![None; candidates.len()],
    };
    let sources = match base {
        Some(b) => &b.sources,
        None => &ws.config.settings.sources,
    };
    let mut plan = Plan::default();
    for (c, then) in candidates.into_iter().zip(at_base) {
        let file = shown(&c.packet.dir.join(PACKET_FILE));
        if let Some(b) = base {
            match admitted_at_base(ws, b, &c, then, &file) {
                Err(skipped) => {
                    plan.skipped.push(skipped);
                    continue;
                }
                Ok(true) => {
                    plan.differs.insert(c.source.clone());
                }
                Ok(false) => {}
            }
        }
        let cfg = source_config(sources, &c, &file)?.clone();
        plan.jobs.push(Job {
            packet: c.packet,
            spec: c.spec,
            series: c.series,
            source: c.source,
            cfg,
        });
    }
    Ok(plan)
}

/// Whether the series runs against the base's sources: skipped when it changed since the base
/// (`then` is the packet's text there) or its source is not defined there; else whether the
/// change defines its source otherwise than the base.
fn admitted_at_base(
    ws: &Workspace,
    b: &AtBase,
    c: &Candidate,
    then: Option<String>,
    file: &str,
) -> Result<bool, Skipped> {
    let then_series = then.and_then(|text| {
        let then = Packet::from_text(&c.packet.dir, &c.packet.dir, text);
        metrics::kpi_of(&then, &c.path).and_then(|k| k.series)
    });
    if let Some(changed) = pull::changed_since_base(&c.series, &c.source, then_series.as_ref()) {
        let series_file = shown(&c.packet.dir.join(&c.series.file));
        return Err(Skipped {
            rule: metrics::base::QUERY_CHANGED,
            file: file.to_string(),
            message: say::changed_since_base(
                &c.packet.id,
                &changed,
                &c.source,
                &series_file,
                &b.named(),
            ),
        });
    }
    let Some(then_cfg) = b.sources.get(&c.source) else {
        return Err(Skipped {
            rule: metrics::base::SOURCE_CHANGED,
            file: file.to_string(),
            message: say::source_not_at_base(&c.packet.id, &c.source, &b.named()),
        });
    };
    Ok(ws.config.settings.sources.get(&c.source) != Some(then_cfg))
}

/// The source the candidate's series names, defined and usable, with a series file inside the
/// packet (`file` is the packet's `handoff.md`, as messages name it).
fn source_config<'s>(
    sources: &'s std::collections::BTreeMap<String, SourceConfig>,
    c: &Candidate,
    file: &str,
) -> Result<&'s SourceConfig, Error> {
    let source = &c.source;
    let Some(cfg) = sources.get(source) else {
        let names: Vec<&str> = sources.keys().map(String::as_str).collect();
        return Err(Error::usage(
            format!(
                "{file}: the series names the source `{}`, which handoff.toml does not define{}",
                inline(source),
                crate::support::suggest::did_you_mean(source, names.iter().copied())
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
    if let Some(e) = cfg.problem(source) {
        return Err(Error::usage(format!("{file}: {}", e.message), e.help));
    }
    if let Some(why) = metrics::file_problem(&c.series.file) {
        return Err(Error::usage(
            format!("{file}: series file `{}`: {why}", inline(&c.series.file)),
            format!(
                "write a path inside the packet, e.g. `{}`",
                metrics::DEFAULT_FILE
            ),
        ));
    }
    Ok(cfg)
}

/// With --base: a note for each source read as the base defines it, and a warning for each
/// series not run (in a GitHub Actions job also an annotation, for the pull request's reviewers).
fn warn_about_base(env: &Env, b: &AtBase, plan: &Plan) {
    for name in &plan.differs {
        eprintln!("{}", say::source_differs(name, &b.named()));
    }
    let annotate = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    for s in &plan.skipped {
        eprintln!("{}", say::skipped(s.rule, &s.file, &s.message));
        if annotate {
            use crate::output::report;
            let file = report::root_relative(&report::base_in_repo(&env.cwd), &s.file);
            println!(
                "{}",
                report::github::annotation(
                    "warning",
                    &file,
                    1,
                    1,
                    s.rule,
                    &s.message,
                    say::SKIPPED_HELP
                )
            );
        }
    }
}

/// Pull one packet's series, and say what came of it.
fn pull_job(
    env: &Env,
    ws: &Workspace,
    root: &Path,
    job: &Job,
    args: &PullArgs,
    today: NaiveDate,
    tally: &mut Tally,
) {
    let (packet, spec, series, source) = (&job.packet, &job.spec, &job.series, &job.source);
    let (first, last) = pull::days(packet, spec, today);
    let req = Request {
        query: series.query.as_deref(),
        column: series.column.as_deref(),
        first,
        last,
    };
    let target = metrics::kpi_of(packet, kpi::metric_path(spec))
        .and_then(|k| k.target)
        .and_then(|n| n.as_str())
        .and_then(|t| Target::parse(t).ok());
    let path = packet.dir.join(&series.file);
    let shown = inline(&shown(&path)).into_owned();
    match pull_one(root, job, &req, &path, target.as_ref(), args) {
        Ok((changed, pulled, merged)) => {
            // As `check` sees it today: rows dated later are kept in the file, not judged.
            let seen = Series {
                points: merged
                    .points
                    .iter()
                    .filter(|p| p.day <= today)
                    .copied()
                    .collect(),
            };
            let gate = crate::judgement::verdict::gate_for(packet, ws, today);
            let standing = pull::standing(packet, spec, &seen, target.as_ref(), today, gate);
            let what = say::outcome(changed, args.check, &shown);
            if changed {
                tally.changed.push(shown);
            }
            if !env.quiet || changed && args.check {
                println!(
                    "{}",
                    say::pulled(&packet.id, &pulled, source, &standing, &what)
                );
            }
        }
        Err(Failure::Source(e)) => {
            tally.failed += 1;
            eprintln!("{}", say::source_failed(&packet.id, source, &e, &shown));
        }
        Err(Failure::Shrink(s)) => {
            tally.shrunk += 1;
            eprintln!("{}", say::shrink_refused(&packet.id, &s, &shown));
        }
    }
}

/// The exit status, and what to do about the files changed: commit them, or (with --check) pull.
fn finish(env: &Env, args: &PullArgs, tally: &Tally) -> u8 {
    if tally.failed > 0 {
        return 2;
    }
    if tally.shrunk > 0 {
        return 1;
    }
    if args.check {
        if !tally.changed.is_empty() {
            eprintln!("{}", say::would_change(tally.changed.len()));
            return 1;
        }
        return 0;
    }
    if !tally.changed.is_empty() && !env.quiet {
        eprintln!("{}", say::commit(&tally.changed));
    }
    0
}

/// Read the job's series from its source over `req`'s days and merge it into the file at `path`
/// (written unless --check); whether the file changed, what was pulled, and the merged series.
fn pull_one(
    root: &Path,
    job: &Job,
    req: &Request,
    path: &Path,
    target: Option<&Target>,
    args: &PullArgs,
) -> Result<(bool, Series, Series), Failure> {
    let pulled = job.cfg.fetch(&job.source, root, req)?;
    let before = committed(path, args.allow_shrink)?;
    // Every row the file has, those dated after `today` too: the rewrite keeps them.
    let (old, bad) = before
        .as_deref()
        .map(|t| Series::parse(t, target.and_then(|t| t.unit), NaiveDate::MAX))
        .unwrap_or_default();
    if !args.allow_shrink
        && let Some(s) = pull::shrink(
            before.as_deref(),
            &old,
            &bad,
            &pulled,
            (req.first, req.last),
        )
    {
        return Err(Failure::Shrink(s));
    }
    let merged = old.merged(&pulled, req.first, req.last);
    let text = merged.to_csv();
    if before.as_deref() == Some(text.as_str()) {
        return Ok((false, pulled, merged));
    }
    if !args.check {
        write(&job.packet, path, &text)?;
    }
    Ok((true, pulled, merged))
}

/// The committed series' text, when there is one that can be read. A file that is there but
/// cannot be read is evidence too: never replaced unasked.
fn committed(path: &Path, allow_shrink: bool) -> Result<Option<String>, Failure> {
    match crate::facts::packet::read_text(path) {
        crate::facts::packet::ReadOutcome::Text(t) => Ok(Some(t)),
        crate::facts::packet::ReadOutcome::Bad { message, .. } => {
            if std::fs::symlink_metadata(path).is_ok() && !allow_shrink {
                return Err(Failure::Shrink(Shrink::Unreadable { message }));
            }
            Ok(None)
        }
    }
}

fn write(packet: &Packet, path: &Path, text: &str) -> Result<(), SourceError> {
    let fail = |e: String| SourceError {
        message: format!("cannot write {}: {e}", shown(path)),
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
