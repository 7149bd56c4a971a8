//! `handoff check`: the readiness gate.

use super::{Env, today};
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::Error;
use crate::report::{self, human::Style};
use crate::verdict;
use crate::workspace::Workspace;

/// Check packets; returns the exit status (0 pass, 1 a gate failed).
pub fn run(env: &Env, args: &CheckArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let today = today(args.today);
    let mut dirs = ws.select(&args.packets)?;
    if let Some(base) = &args.changed_since {
        dirs = changed_since(&ws, dirs, base, today)?;
    }
    let (verdicts, note) = verdict::check_many(&dirs, &ws, today, args.gate);
    if let Some(note) = note.filter(|_| !env.quiet) {
        eprintln!("note: {note}");
    }
    let text = match args.format {
        CheckFormat::Human => {
            if dirs.is_empty() && !env.quiet {
                eprintln!(
                    "no packets under {}; create one with `handoff new <id> --kind <kind> --day0 <date> --from <team> --to <team>`",
                    crate::paths::shown(&ws.config.packets_dir())
                );
            }
            report::human::render(
                &verdicts,
                Style {
                    color: env.color,
                    quiet: env.quiet,
                },
            )
        }
        CheckFormat::Json => report::json::render(&verdicts, today),
        CheckFormat::Sarif => report::sarif::render(&verdicts),
        CheckFormat::Github => report::github::render(&verdicts),
    };
    print!("{text}");
    let failed = verdicts
        .iter()
        .any(|v| !v.pass || (args.deny_warnings && v.warnings > 0));
    Ok(u8::from(failed))
}

/// The packets among `dirs` that changed since `base`, or whose calendar gate moved since then.
fn changed_since(
    ws: &Workspace,
    dirs: Vec<std::path::PathBuf>,
    base: &str,
    today: chrono::NaiveDate,
) -> Result<Vec<std::path::PathBuf>, Error> {
    let root = std::path::absolute(&ws.config.root).unwrap_or(ws.config.root.clone());
    let changes = crate::history::changed_since(&root, base).map_err(|e| {
        Error::usage(format!("--changed-since {base}: {e}"), "name a commit, branch or tag that exists here (in CI, fetch enough history: fetch-depth: 0)")
    })?;
    Ok(dirs
        .into_iter()
        .filter(|dir| {
            let abs = dir.canonicalize().unwrap_or(dir.clone());
            if changes.files.iter().any(|f| f.starts_with(&abs)) {
                return true;
            }
            let packet = crate::packet::Packet::load(dir, &crate::paths::shown_path(dir));
            let days = packet
                .kind_name()
                .and_then(|k| ws.kinds.get(k))
                .map(|k| k.spec.gates)
                .unwrap_or_default();
            packet.day0().is_some_and(|d0| {
                crate::gate::Gate::of_date(d0, changes.base_date, days)
                    != crate::gate::Gate::of_date(d0, today, days)
            })
        })
        .collect())
}
