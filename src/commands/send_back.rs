//! `handoff send-back`: the receiving team turns down an incomplete handoff, saying why.

use super::Env;
use crate::facts::error::Error;
use crate::facts::gate::Status;
use crate::facts::workspace::Workspace;
use chrono::NaiveDate;

/// Flags of `handoff send-back`.
#[derive(Debug, clap::Args)]
pub struct SendBackArgs {
    /// The packet id (or path).
    #[arg(add = crate::commands::complete::packets())]
    pub packet: String,
    /// What is missing or wrong (required; shown by `log`, `status` and `render`).
    #[arg(long)]
    pub reason: String,
    /// The status to move back to (default: draft); it must be earlier than the current one.
    #[arg(long, value_name = "STATUS", default_value = "draft", value_parser = ["draft", "ready", "handed-off", "shadowing"])]
    pub to: String,
    /// Who sends it back: `Name <email>` or a [people] name; must be you (default: git's identity).
    #[arg(long)]
    pub by: Option<String>,
    /// Record it as of this day instead of today, YYYY-MM-DD.
    #[arg(long, value_parser = crate::commands::args::parse_date, value_name = "DATE", env = "HANDOFF_TODAY", hide_env_values = true)]
    pub today: Option<NaiveDate>,
}

/// Send back; returns the exit status.
pub fn run(env: &Env, args: &SendBackArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let dir = ws.packet(&args.packet)?;
    let today = super::today(args.today);
    let by = super::acting_person(&env.cwd, args.by.as_deref(), &ws.config.settings)?;
    let super::Editing {
        lock,
        packet,
        path,
        shown,
    } = super::edit_packet(&dir, "sent back")?;
    let request = crate::judgement::acts::SendBackRequest {
        reason: args.reason.clone(),
        to: Status::parse(&args.to).unwrap_or(Status::Draft),
        by: by.clone(),
        today,
        via: None,
    };
    let plan = crate::judgement::acts::plan_send_back(&packet, &shown, &request)?;
    crate::facts::atomic::write_atomic(&path, &plan.text)?;
    drop(lock);
    if !env.quiet {
        let reason = args.reason.trim();
        println!(
            "Sent {} back to `{}` ({by}): {reason}",
            packet.id, request.to
        );
        if plan.times > 1 {
            println!("It has been sent back {} times.", plan.times);
        }
        println!(
            "Record it in git:\n  git add {shown} && git commit -m \"Send {} back: {}\"",
            packet.id,
            reason.replace('"', "'")
        );
    }
    Ok(0)
}
