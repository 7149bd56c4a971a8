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
    let reason = args.reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(
            "a send-back needs a reason",
            "say what is missing, so the sending team can fix it: --reason \"…\"",
        ));
    }
    let to = Status::parse(&args.to).unwrap_or(Status::Draft);
    let today = super::today(args.today);
    let by = super::acting_person(&env.cwd, args.by.as_deref(), &ws.config.settings)?;
    let super::Editing {
        lock,
        packet,
        path,
        shown,
    } = super::edit_packet(&dir, "sent back")?;
    let Some(from) = packet.status() else {
        return Err(Error::usage(
            format!("{shown}: the status is not one handoff knows"),
            "fix `status:` first (`handoff check` says how)",
        ));
    };
    if from <= to {
        return Err(Error::usage(
            format!("{} is `{from}`, which is not past `{to}`", packet.id),
            if from == Status::Draft {
                "a draft has not been handed over yet; tell the sending team what is missing instead".to_string()
            } else {
                format!("choose an earlier status than `{from}` with --to")
            },
        ));
    }
    let fields: Vec<(&str, String)> = vec![
        ("at", today.to_string()),
        ("by", by.clone()),
        ("from", from.to_string()),
        ("reason", reason.to_string()),
    ];
    let cannot = |why: String| {
        Error::usage(
            format!("{shown}: cannot record the send-back without rewriting the file: {why}"),
            "write the front matter in block style, with `sent_back:` as a `- at: …` list; the file was not changed",
        )
    };
    let text = crate::facts::packet::edit::list_entry(&packet, "sent_back", &fields, None)
        .map_err(cannot)?;
    let recorded = crate::facts::packet::Packet::from_text(
        &dir,
        &crate::support::paths::shown_path(&dir),
        text,
    );
    let text =
        crate::facts::packet::edit::set_scalar(&recorded, "status", to.name()).map_err(cannot)?;
    crate::facts::atomic::write_atomic(&path, &text)?;
    drop(lock);
    if !env.quiet {
        let times = crate::facts::sendback::read(&recorded).len();
        println!("Sent {} back to `{to}` ({by}): {reason}", packet.id);
        if times > 1 {
            println!("It has been sent back {times} times.");
        }
        println!(
            "Record it in git:\n  git add {shown} && git commit -m \"Send {} back: {}\"",
            packet.id,
            reason.replace('"', "'")
        );
    }
    Ok(0)
}
