//! `handoff check`: the readiness gate.

use super::{Env, today};
use crate::commands::args::{parse_date, parse_gate};
use crate::facts::error::Error;
use crate::facts::gate::Gate;
use crate::facts::workspace::Workspace;
use crate::judgement::{changed, verdict};
use crate::output::report::{
    self,
    human::Style,
    stream::{self, Stream},
};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Diagnostics with source snippets, and a summary.
    Human,
    /// One line a finding (`path:line:col: severity[rule] message`), the verdict lines and the
    /// summary: for editors, `grep`, and reading a long run at a glance.
    Concise,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub workflow commands: annotations on the pull request.
    Github,
}

/// `handoff check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Packets to check, by id or path (default: every packet under the packets root).
    ///
    /// A folder that holds a handoff.toml, or packet folders, is checked as a whole.
    #[arg(value_name = "PACKET", add = crate::commands::complete::packets())]
    pub packets: Vec<String>,
    /// Check as if today were DATE (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date, env = "HANDOFF_TODAY", value_name = "DATE")]
    pub today: Option<NaiveDate>,
    /// Check at this gate, whatever the status and the calendar say.
    #[arg(long, value_parser = parse_gate, value_name = "draft|ready|handed-off|signed-off")]
    pub gate: Option<Gate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// A packet with warnings fails too (exit 1; the summary, JSON and SARIF say so).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Pass (exit 0) when there is no packets folder at all, instead of refusing (exit 2).
    #[arg(long)]
    pub allow_empty: bool,
    /// Write the report to FILE instead of stdout (any format; e.g. a SARIF file to upload).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Only packets changed since this git ref (committed or not), plus packets whose gate the
    /// calendar moved since then.
    #[arg(long, value_name = "REF", conflicts_with = "staged")]
    pub changed_since: Option<String>,
    /// Only packets with changes staged for commit (`git add`); every packet when handoff.toml
    /// or anything under .handoff/ is staged (for a pre-commit hook).
    #[arg(long)]
    pub staged: bool,
    /// Also write a SARIF report to FILE, from the same run (for code scanning).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<std::path::PathBuf>,
    /// Also append a markdown summary (packets, verdicts and findings, errors first; capped at
    /// GitHub's 1 MiB) to FILE: pass "$GITHUB_STEP_SUMMARY".
    #[arg(long, value_name = "FILE")]
    pub summary: Option<std::path::PathBuf>,
    /// Also append `verdict=pass|fail` and `failed=N` lines to FILE: pass "$GITHUB_OUTPUT".
    #[arg(long, value_name = "FILE")]
    pub github_output: Option<std::path::PathBuf>,
    /// Judge sign-offs by who may sign, and by the kinds, as they are at this git ref (a pull
    /// request's base), not as the change under review has them.
    ///
    /// A `[people]` binding made since REF does not let its signers count until it has landed;
    /// a kind weakened since REF is judged as at REF; a kind new since REF is flagged for review.
    #[arg(long, value_name = "REF", env = "HANDOFF_BASE")]
    pub base: Option<String>,
    /// The forge's record of the pull request, to prove sign-offs, waivers and send-backs given
    /// on it (`via`): a file as `gh api --paginate` writes the pull request's reviews
    /// (`repos/OWNER/REPO/pulls/N/reviews`) or its comments (`repos/OWNER/REPO/issues/N/comments`).
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub evidence: Vec<std::path::PathBuf>,
}

/// Check packets; returns the exit status (0 pass, 1 a gate failed).
pub fn run(env: &Env, args: &CheckArgs) -> Result<u8, Error> {
    let (mut ws, packets) = Workspace::for_args(&env.cwd, &args.packets)?;
    let today = today(args.today);
    ws.config.settings.verbose = env.verbose;
    trust_notes(env, &mut ws, args)?;
    let evidence = evidence(&args.evidence)?;
    crate::facts::prover::install(&mut ws.config.settings, evidence, false);
    let root = ws.config.packets_dir();
    if packets.is_empty() && !root.exists() && !args.allow_empty {
        // A CI job pointed at the wrong folder must not pass by checking nothing.
        return Err(no_packets_folder(&ws, &root));
    }
    let mut dirs = ws.select(&packets)?;
    if let Some(base) = &args.changed_since {
        dirs = changed_since(&ws, dirs, base, today)?;
    }
    if args.staged {
        dirs = staged(&ws, dirs)?;
    }
    let style = Style {
        color: env.color && args.output.is_none(),
        quiet: env.quiet,
        deny_warnings: args.deny_warnings,
        // Quiet prints the reasons a packet fails, one line each.
        concise: args.format == CheckFormat::Concise || env.quiet,
    };
    let human = matches!(args.format, CheckFormat::Human | CheckFormat::Concise);
    if human && dirs.is_empty() && !env.quiet {
        eprintln!("{}", nothing_to_check(args, &root));
    }
    let extras = args.sarif.is_some() || args.summary.is_some() || args.github_output.is_some();
    if args.output.is_none() && !extras && (human || args.format == CheckFormat::Json) {
        let (code, said) = streamed(env, &ws, &dirs, args, today, style);
        proof_notes(env, &ws, said.as_deref());
        return Ok(code);
    }
    at_once(env, &ws, &dirs, args, today, style)
}

/// The forge's records that `--evidence` names, read; none without it.
fn evidence(files: &[PathBuf]) -> Result<Option<crate::facts::forge::Evidence>, Error> {
    if files.is_empty() {
        return Ok(None);
    }
    crate::facts::forge::Evidence::read(files).map(Some).map_err(|e| {
        Error::usage(
            format!("--evidence {e}"),
            "pass the files `gh api --paginate repos/OWNER/REPO/pulls/N/reviews` and `…/issues/N/comments` write",
        )
    })
}

/// The refusal to check a repository with no packets folder `root`.
fn no_packets_folder(ws: &Workspace, root: &std::path::Path) -> Error {
    Error::usage(
        format!(
            "there is no packets folder {} here",
            crate::support::paths::shown(root)
        ),
        format!(
            "run this in the repository that holds the packets (or pass it: `handoff -C DIR check`); handoff.toml's `packets` names the folder{}; pass --allow-empty when no packets is fine",
            ws.config
                .file
                .as_ref()
                .map(|f| format!(" (read from {})", crate::support::paths::shown(f)))
                .unwrap_or_default()
        ),
    )
}

/// Why there is nothing to check, for a person (the packets folder is `root`).
fn nothing_to_check(args: &CheckArgs, root: &std::path::Path) -> String {
    match &args.changed_since {
        Some(base) => format!("no packet changed since {base}, and none crossed a gate since then"),
        None if args.staged => "no packet has changes staged for commit".to_string(),
        None => format!(
            "no packets under {}; create one with `handoff new <id> --kind <kind> --day0 <date> --from <team> --to <team>`",
            crate::support::words::inline(&crate::support::paths::shown(root))
        ),
    }
}

/// One meaning per exit code: with --deny-warnings a packet with warnings fails, and every
/// output says so.
fn deny(args: &CheckArgs, verdicts: &mut [verdict::Verdict]) {
    if args.deny_warnings {
        for v in verdicts.iter_mut().filter(|v| v.warnings > 0) {
            v.pass = false;
        }
    }
}

/// Check every packet, then write the report (to `--output` or stdout) and, from the same run,
/// the SARIF file, the job summary and the step's outputs.
fn at_once(
    env: &Env,
    ws: &Workspace,
    dirs: &[PathBuf],
    args: &CheckArgs,
    today: NaiveDate,
    style: Style,
) -> Result<u8, Error> {
    let (mut verdicts, note) = verdict::check_many(dirs, ws, today, args.gate);
    deny(args, &mut verdicts);
    if let Some(note) = note.as_ref().filter(|_| !env.quiet) {
        eprintln!("note: {}", crate::support::words::inline(note));
    }
    let base = report::base_in_repo(&env.cwd);
    let text = match args.format {
        CheckFormat::Human | CheckFormat::Concise => report::human::render(&verdicts, style),
        CheckFormat::Json => report::json::render(&verdicts, today),
        CheckFormat::Sarif => report::sarif::render(&verdicts, &base),
        CheckFormat::Github => report::github::render(&verdicts, &base),
    };
    // The other reports of the same run first, so that a CI step reading them finds them all
    // whatever the main report does.
    let summary = side_reports(args, &verdicts, &base)?;
    match &args.output {
        Some(path) => crate::facts::atomic::write_output(path, &text)?,
        None => print!("{text}"),
    }
    proof_notes(env, ws, note.as_deref());
    Ok(u8::from(summary.failed > 0))
}

/// The SARIF file, the job summary and the step's outputs the flags ask for; the run's totals.
fn side_reports(
    args: &CheckArgs,
    verdicts: &[verdict::Verdict],
    base: &str,
) -> Result<report::Summary, Error> {
    if let Some(path) = &args.sarif {
        crate::facts::atomic::write_output(path, &report::sarif::render(verdicts, base))?;
    }
    if let Some(path) = &args.summary {
        crate::facts::atomic::append_output(
            path,
            &report::summary::render(verdicts, base, report::summary::room(path)),
        )?;
    }
    let summary = report::Summary::of(verdicts);
    if let Some(path) = &args.github_output {
        let verdict = if summary.failed > 0 { "fail" } else { "pass" };
        crate::facts::atomic::append_output(
            path,
            &format!(
                "verdict={verdict}\nfailed={}\npackets={}\nerrors={}\nwarnings={}\n",
                summary.failed, summary.packets, summary.errors, summary.warnings
            ),
        )?;
    }
    Ok(summary)
}

/// The human report or the JSON document to the terminal or a pipe, written a chunk of packets
/// at a time as they are checked; the exit status covers every packet, whatever happened to the
/// pipe. Also why the audit could not run, when it could not (said once, on stderr).
fn streamed(
    env: &Env,
    ws: &Workspace,
    dirs: &[PathBuf],
    args: &CheckArgs,
    today: NaiveDate,
    style: Style,
) -> (u8, Option<String>) {
    let json = args.format == CheckFormat::Json;
    let mut said = None;
    let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut stream = Stream::start(out, json, style, today);
    let _ = verdict::check_streaming(
        dirs,
        ws,
        today,
        args.gate,
        |why| {
            if !env.quiet {
                eprintln!("note: {}", crate::support::words::inline(why));
            }
            said = Some(why.to_string());
        },
        |v| deny(args, std::slice::from_mut(v)),
        |v| stream::laid_out(json, v),
        |chunk| {
            stream.packets(chunk);
            Ok(())
        },
    );
    let summary = stream.finish();
    (u8::from(summary.failed > 0), said)
}

/// What the proofs had to say once about the whole run (a shallow clone), on stderr, unless the
/// audit said it already.
fn proof_notes(env: &Env, ws: &Workspace, said: Option<&str>) {
    if env.quiet {
        return;
    }
    if let Some(prover) = &ws.config.settings.prover {
        for note in prover.notes().iter().filter(|n| Some(n.as_str()) != said) {
            eprintln!("note: {}", crate::support::words::inline(note));
        }
    }
}

/// The packets among `dirs` with changes staged for commit; all of them when the configuration
/// or a repo kind is staged (either can move every packet's verdict).
fn staged(ws: &Workspace, dirs: Vec<PathBuf>) -> Result<Vec<PathBuf>, Error> {
    let root = std::path::absolute(&ws.config.root).unwrap_or(ws.config.root.clone());
    let files = crate::facts::history::changed::staged(&root).map_err(|e| {
        Error::git(
            "--staged",
            e,
            "run it inside a git repository (a pre-commit hook does)",
        )
    })?;
    Ok(changed::touched(dirs, &files))
}

/// The packets among `dirs` that changed since `base`, or whose calendar gate moved since then.
fn changed_since(
    ws: &Workspace,
    dirs: Vec<PathBuf>,
    base: &str,
    today: NaiveDate,
) -> Result<Vec<PathBuf>, Error> {
    let root = std::path::absolute(&ws.config.root).unwrap_or(ws.config.root.clone());
    let changes = crate::facts::history::changed::since(&root, base).map_err(|e| {
        Error::git(format!("--changed-since {base}"), e, "name a commit, branch or tag that exists here (in CI, fetch enough history: fetch-depth: 0)")
    })?;
    Ok(changed::since(
        ws,
        dirs,
        &changes.files,
        changes.base_date,
        today,
    ))
}

/// Trust for this run: read from `--base` when given, and what the change does to it listed; a
/// note for every repo kind that shadows a built-in kind; in CI without `--base`, a note that
/// the change under review decides who may sign.
fn trust_notes(env: &Env, ws: &mut Workspace, args: &CheckArgs) -> Result<(), Error> {
    use crate::support::words::inline;
    let mut base = None;
    if let Some(rev) = args.base.as_deref().filter(|r| !r.trim().is_empty()) {
        base = Some(crate::facts::trust::open(ws, rev.trim())?);
    } else if !env.quiet && std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        eprintln!(
            "note: no --base given: sign-offs are judged by handoff.toml and the kinds as this change has them; pass --base <the pull request's base commit> so that a change cannot decide who approves it"
        );
    }
    if !env.quiet {
        for s in ws.kinds.shadows() {
            eprintln!(
                "note: {} replaces the built-in kind `{}`{}",
                inline(&crate::support::paths::shown(&s.file)),
                inline(&s.name),
                if s.less.is_empty() {
                    String::new()
                } else {
                    format!(" and asks less: it {}", inline(&s.less.join("; ")))
                }
            );
        }
    }
    let Some(base) = base else {
        return Ok(());
    };
    let github = args.format == CheckFormat::Github && args.output.is_none();
    for c in &base.changes {
        if github {
            println!(
                "{}",
                report::github::annotation(
                    "warning",
                    &c.file,
                    c.line,
                    1,
                    c.rule,
                    &c.message,
                    "review it with the change; CODEOWNERS on handoff.toml and .handoff/ makes that review required"
                )
            );
        }
        if !env.quiet || !github {
            eprintln!(
                "warning[{}]: {}:{}: {}",
                c.rule,
                inline(&c.file),
                c.line,
                inline(&c.message)
            );
        }
    }
    Ok(())
}
