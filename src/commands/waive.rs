//! `handoff waive`: record that an answer or a criterion does not apply, why, and until when.

use super::Env;
use crate::facts::error::Error;
use crate::facts::workspace::Workspace;
use chrono::NaiveDate;

/// Flags of `handoff waive`.
#[derive(Debug, clap::Args)]
pub struct WaiveArgs {
    /// The packet id (or path).
    #[arg(add = crate::commands::complete::packets())]
    pub packet: String,
    /// What does not apply: an answer path (`metric.source`, `risks[1].monitor`) or an acceptance
    /// criterion's text.
    pub target: String,
    /// Why it does not apply (required; shown wherever the waiver is).
    #[arg(long)]
    pub reason: String,
    /// The last day the waiver holds, YYYY-MM-DD (required; at most the kind's limit ahead).
    #[arg(long, value_parser = crate::commands::args::parse_date, value_name = "DATE")]
    pub until: NaiveDate,
    /// Who grants it: `Name <email>` or a [people] name; must be you (default: git's identity).
    #[arg(long)]
    pub by: Option<String>,
    /// Grant it as of this day instead of today, YYYY-MM-DD.
    #[arg(long, value_parser = crate::commands::args::parse_date, value_name = "DATE", env = "HANDOFF_TODAY", hide_env_values = true)]
    pub today: Option<NaiveDate>,
}

/// Waive; returns the exit status.
pub fn run(env: &Env, args: &WaiveArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let dir = ws.packet(&args.packet)?;
    let today = super::today(args.today);
    let by = super::acting_person(&env.cwd, args.by.as_deref(), &ws.config.settings)?;
    let super::Editing {
        lock,
        packet,
        path,
        shown,
    } = super::edit_packet(&dir, "waived")?;
    let request = crate::judgement::acts::WaiveRequest {
        target: args.target.clone(),
        reason: args.reason.clone(),
        until: args.until,
        by: by.clone(),
        today,
        via: None,
    };
    let plan = crate::judgement::acts::plan_waiver(&ws, &packet, &shown, &request)?;
    crate::facts::atomic::write_atomic(&path, &plan.text)?;
    drop(lock);
    if !env.quiet {
        let verb = if plan.renewed { "Renewed" } else { "Waived" };
        let target = &plan.target;
        println!(
            "{verb} `{target}` on {} until {} ({by}): {}",
            packet.id,
            args.until,
            args.reason.trim()
        );
        println!(
            "Record it in git:\n  git add {shown} && git commit -m \"Waive {target} on {} until {}\"",
            packet.id, args.until
        );
    }
    Ok(0)
}
