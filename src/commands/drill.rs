//! `handoff drill`: pick a signed-off packet at random for the quarterly runbook drill.

use super::Env;
use crate::facts::error::Error;
use crate::facts::gate::Status;
use crate::facts::kind::FieldType;
use crate::facts::packet::Packet;
use crate::facts::packet::body::Body;
use crate::facts::packet::source::SourceFile;
use crate::facts::workspace::Workspace;
use std::fmt::Write as _;

/// Flags of `handoff drill`.
#[derive(Debug, clap::Args)]
pub struct DrillArgs {
    /// Seed for the pick, to repeat a drill (default: the clock).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Print the chosen packet's run and stop checklists.
pub fn run(env: &Env, args: &DrillArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    // Signed-off packets that have runbook checklists to walk through.
    let mut candidates = Vec::new();
    for dir in ws.all_packets()? {
        let packet = Packet::load(&dir, &crate::support::paths::shown_path(&dir));
        if packet.status() != Some(Status::SignedOff) {
            continue;
        }
        let lists = checklists(&ws, &packet);
        if !lists.is_empty() {
            candidates.push((packet, lists));
        }
    }
    if candidates.is_empty() {
        return Err(Error::usage(
            "no signed-off packet with runbook checklists to drill",
            "a packet qualifies once its status is signed-off and its kind links a runbook with checklists",
        ));
    }
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let (packet, lists) = &candidates[(splitmix(seed) % candidates.len() as u64) as usize];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Drill: {} — {} ({} → {}), seed {seed}",
        packet.id,
        packet.title(),
        packet.text("from").unwrap_or("?"),
        packet.text("to").unwrap_or("?")
    );
    for (title, file, steps) in lists {
        let _ = writeln!(out, "\n{title} ({file}):");
        for step in steps {
            let _ = writeln!(out, "  - [ ] {step}");
        }
    }
    let _ = writeln!(
        out,
        "\nWalk through each step with the owning team; log what failed in the packet's backlog."
    );
    print!("{out}");
    Ok(0)
}

/// (checklist title, file, steps) for every checklist the packet's runbooks have.
fn checklists(ws: &Workspace, packet: &Packet) -> Vec<(String, String, Vec<String>)> {
    let Some(kind) = ws.kind_of(packet) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, titles) in file_fields(&kind.spec.fields, "") {
        let Some(name) = crate::facts::timeline::answer(packet, &path) else {
            continue;
        };
        let crate::facts::packet::ReadOutcome::Text(text) =
            crate::facts::packet::read_text(&packet.dir.join(&name))
        else {
            continue;
        };
        let file = SourceFile::new(&name, text);
        let body = Body::parse(&file, 0);
        for title in titles {
            if let Some(section) = body.section(&title) {
                let steps: Vec<String> = body.tasks_in(section).map(|t| t.text.clone()).collect();
                if !steps.is_empty() {
                    out.push((title, name.clone(), steps));
                }
            }
        }
    }
    out
}

fn file_fields(
    fields: &[crate::facts::kind::FieldSpec],
    prefix: &str,
) -> Vec<(String, Vec<String>)> {
    fields
        .iter()
        .flat_map(|f| {
            let path = if prefix.is_empty() {
                f.key.clone()
            } else {
                format!("{prefix}.{}", f.key)
            };
            match f.ty {
                FieldType::File => vec![(path, f.checklists.clone())],
                FieldType::Map => file_fields(&f.fields, &path),
                _ => Vec::new(),
            }
        })
        .collect()
}

/// A well-mixed number from a seed (SplitMix64).
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
