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
    let dirs = ws.select(&args.packets)?;
    let today = today(args.today);
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
    };
    print!("{text}");
    let failed = verdicts
        .iter()
        .any(|v| !v.pass || (args.deny_warnings && v.warnings > 0));
    Ok(u8::from(failed))
}
