//! `handoff upgrade`: move a packet to its kind's current version, adding what the kind gained
//! (questions as `TODO:` placeholders, criteria as unchecked items) without touching anything else.

use super::Env;
use crate::facts::error::Error;
use crate::facts::kind::upgrade::upgraded;
use crate::facts::workspace::Workspace;

/// Flags of `handoff upgrade`.
#[derive(Debug, clap::Args)]
pub struct UpgradeArgs {
    /// The packet id (or path).
    #[arg(add = crate::commands::complete::packets())]
    pub packet: String,
}

/// Upgrade; returns the exit status.
pub fn run(env: &Env, args: &UpgradeArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let dir = ws.packet(&args.packet)?;
    let super::Editing {
        lock,
        packet,
        path,
        shown,
    } = super::edit_packet(&dir, "upgraded")?;
    let kind_name = ws.kind_name_of(&packet).to_string();
    let spec = &ws.require_kind(&kind_name)?.spec;
    let from = packet.kind_version();
    if from >= spec.version {
        if !env.quiet {
            println!(
                "{} is already at version {} of the {kind_name} kind.",
                packet.id, spec.version
            );
        }
        return Ok(0);
    }
    let (final_text, added) = upgraded(&packet, spec).map_err(|why| {
        Error::usage(
            format!("{shown}: {why}"),
            "the file was not changed; add them by hand (`handoff kinds` shows them)",
        )
    })?;
    crate::facts::atomic::write_atomic(&path, &final_text)?;
    drop(lock);
    if !env.quiet {
        println!(
            "Upgraded {} from version {from} to {} of the {kind_name} kind.",
            packet.id, spec.version
        );
        if added.is_empty() {
            println!("Nothing to add: the packet already answers what the kind gained.");
        } else {
            println!("Added, to fill in:");
            for a in &added {
                println!("  {a}");
            }
        }
    }
    Ok(0)
}
