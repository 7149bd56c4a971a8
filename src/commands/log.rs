//! `handoff log`: a packet's story from git history, with the sign-off audit.

use super::Env;
use crate::commands::args::TextFormat;
use crate::facts::error::Error;
use crate::facts::history::{self, Change, Commit};
use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

/// Flags of `handoff log`.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The packet id (or path).
    #[arg(add = crate::commands::complete::packets())]
    pub packet: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
    /// Require a good git signature on commits that add sign-offs.
    #[arg(long)]
    pub verify_signatures: bool,
}

#[derive(Serialize)]
struct Entry {
    commit: Option<Commit>,
    changes: Vec<Change>,
    flags: Vec<String>,
}

/// Print the packet's story; exit 1 when the audit flags a sign-off the packet still carries.
pub fn run(env: &Env, args: &LogArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?.showing_proofs();
    let dir = ws.packet(&args.packet)?;
    let abs = std::path::absolute(&dir).unwrap_or(dir.clone());
    let top = history::toplevel(&abs).map_err(|e| {
        Error::usage(format!("the audit needs git: {e}"), "run `git init` and commit the packet; `check`, `timeline` and `render` work without git")
    })?;
    let rel = abs
        .strip_prefix(&top)
        .unwrap_or(&abs)
        .to_string_lossy()
        .replace('\\', "/");
    let hist = history::read(&top, std::slice::from_ref(&rel), args.verify_signatures)
        .map_err(|e| Error::usage(format!("cannot read git history: {e}"), ""))?;
    let current = Packet::load(&dir, &crate::support::paths::shown_path(&dir));
    // A cut-off history would tell a wrong story of who committed what: say so, audit nothing.
    let shallow = history::is_shallow(&top);
    if shallow {
        eprintln!("note: {}", history::SHALLOW_NOTE);
    }

    let mut entries = Vec::new();
    let mut previous: Option<Arc<Packet>> = None;
    let versions = hist
        .versions
        .get(&rel)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // Versions are parsed on all cores a batch at a time (memory stays bounded however long the
    // history), then compared in order.
    // A text seen before in the batch (an answer changed and changed back) is parsed once.
    let batches = versions.chunks(256).flat_map(|batch| {
        let mut unique: Vec<&str> = Vec::new();
        let mut slot: HashMap<usize, usize> = HashMap::new();
        let slots: Vec<Option<usize>> = batch
            .iter()
            .map(|v| match (&v.text, v.blob, v.deleted) {
                (Some(text), Some(blob), false) => Some(*slot.entry(blob).or_insert_with(|| {
                    unique.push(text);
                    unique.len() - 1
                })),
                (Some(text), None, false) => {
                    unique.push(text);
                    Some(unique.len() - 1)
                }
                _ => None,
            })
            .collect();
        let parsed = crate::judgement::verdict::parallel_map(&unique, |text| {
            Arc::new(Packet::from_text(&dir, Path::new(""), text.to_string()))
        });
        let parsed: Vec<Option<Arc<Packet>>> = slots
            .into_iter()
            .map(|s| s.map(|i| parsed[i].clone()))
            .collect();
        batch.iter().zip(parsed)
    });
    // The version that first recorded each sign-off entry, noted while the versions go by (the
    // audit needs nothing else from history).
    let mut first_recorded: HashMap<crate::facts::signoff::Key, usize> = HashMap::new();
    for (index, (v, parsed_here)) in batches.enumerate() {
        if let (Some(_), false, Some(p)) = (&v.text, v.deleted, &parsed_here) {
            for s in crate::facts::signoff::read(p).0 {
                first_recorded.entry(s.key()).or_insert(index);
            }
        }
        let commit = hist.commits[v.commit].clone();
        let mut changes = Vec::new();
        let next = match (&v.text, v.deleted) {
            (_, true) => None,
            (Some(_), _) => parsed_here,
            (None, false) => previous.take(),
        };
        if v.text.is_some() || v.deleted {
            changes = history::diff(previous.as_deref(), next.as_deref());
        }
        changes.extend(
            v.other_files
                .iter()
                .map(|f| Change::File { file: f.clone() }),
        );
        let mut flags = Vec::new();
        for c in changes.iter().filter(|_| !shallow) {
            if let Change::SignedOff { role, by, .. } = c {
                if crate::facts::person::email_of(by)
                    .is_some_and(|e| e != commit.email.to_lowercase())
                {
                    flags.push(format!(
                        "{role} sign-off by {by} was committed by {} <{}>",
                        commit.author, commit.email
                    ));
                }
                if args.verify_signatures && commit.signature != Some('G') {
                    let sig = commit
                        .signature
                        .map_or("none".to_string(), |c| c.to_string());
                    flags.push(format!(
                        "{role} sign-off commit has no good git signature (git reports `{sig}`: G good, B bad, U untrusted, N none)"
                    ));
                }
            }
        }
        entries.push(Entry {
            commit: Some(commit),
            changes,
            flags,
        });
        previous = next;
    }
    // What the working tree has that the last commit does not.
    let committed_text = previous
        .as_ref()
        .and_then(|p| p.file.as_ref().map(|f| f.text.clone()));
    let working_text = current.file.as_ref().map(|f| f.text.clone());
    if working_text != committed_text {
        let mut changes = history::diff(previous.as_deref(), Some(&current));
        if working_text.is_none() {
            changes = vec![Change::Deleted];
        }
        let flags = changes
            .iter()
            .filter_map(|c| match c {
                Change::SignedOff { role, by, .. } => Some(format!(
                    "{role} sign-off by {by} is not committed yet (unrecorded)"
                )),
                _ => None,
            })
            .collect();
        entries.push(Entry {
            commit: None,
            changes,
            flags,
        });
    }

    // The exit status speaks of the sign-offs the packet carries now: a sign-off that was
    // mis-committed once and signed again properly since is history, not a finding.
    let recorded: HashMap<crate::facts::signoff::Key, &Commit> = first_recorded
        .into_iter()
        .map(|(k, i)| (k, &hist.commits[versions[i].commit]))
        .collect();
    let flagged = !shallow && current_findings(&recorded, &current, args.verify_signatures);
    let proofs = proofs(&current, &ws.config.settings);
    match args.format {
        TextFormat::Json => {
            let doc =
                serde_json::json!({ "packet": current.id, "entries": entries, "proofs": proofs });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        TextFormat::Text => {
            let mut out = text(&current.id, &entries);
            if !proofs.is_empty() {
                // Indented like a commit's changes: unindented lines are commits.
                out.push_str("  what proves each record it carries now:\n");
                for p in &proofs {
                    let _ = writeln!(
                        out,
                        "    {} {}: {}{}",
                        p.record,
                        p.by,
                        p.proven.proof.describe(),
                        if p.proven.counts {
                            ""
                        } else {
                            " (does not count)"
                        }
                    );
                }
            }
            print!("{}", crate::support::words::neutral(&out));
        }
    }
    Ok(u8::from(flagged))
}

/// A record the packet carries now, and how it is proven.
#[derive(Serialize)]
struct RecordProof {
    /// `pm sign-off`, `waiver of metric.source`, `send-back of 2026-12-04`.
    record: String,
    /// Who it names.
    by: String,
    /// How it is proven.
    #[serde(flatten)]
    proven: crate::facts::proof::Proven,
}

/// How each sign-off, waiver and send-back of the packet as it is now is proven.
fn proofs(packet: &Packet, settings: &crate::facts::config::Settings) -> Vec<RecordProof> {
    let records = crate::facts::prover::records_of(packet);
    let proven = settings.prove(packet, &records);
    records
        .into_iter()
        .zip(proven)
        .map(|(r, proven)| RecordProof {
            record: match r.kind {
                crate::facts::proof::RecordKind::SignOff => {
                    format!("{} sign-off by", r.role.unwrap_or_default())
                }
                crate::facts::proof::RecordKind::Waiver => {
                    format!("waiver of `{}` by", r.target.unwrap_or_default())
                }
                crate::facts::proof::RecordKind::SendBack => "send-back by".to_string(),
            },
            by: r.by,
            proven,
        })
        .collect()
}

/// Whether the sign-offs in the packet as it is now fail the audit: uncommitted, committed by
/// someone else, or (with `--verify-signatures`) recorded in a commit without a good signature.
fn current_findings(
    recorded: &HashMap<crate::facts::signoff::Key, &Commit>,
    packet: &Packet,
    verify: bool,
) -> bool {
    if !history::audit_recorded(recorded, packet).is_empty() {
        return true;
    }
    verify && recorded.values().any(|c| c.signature != Some('G'))
}

fn text(id: &str, entries: &[Entry]) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        let _ = writeln!(out, "{id}: no history yet (the packet is not committed)");
    }
    for e in entries {
        match &e.commit {
            Some(c) => {
                let _ = writeln!(
                    out,
                    "{} {} {} <{}>  {}",
                    c.short,
                    c.date.get(..10).unwrap_or(&c.date),
                    c.author,
                    c.email,
                    c.subject
                );
            }
            None => {
                let _ = writeln!(out, "uncommitted changes");
            }
        }
        for change in &e.changes {
            let _ = writeln!(out, "    {}", describe(change));
        }
        for flag in &e.flags {
            let _ = writeln!(out, "    ! {flag}");
        }
    }
    out
}

fn describe(c: &Change) -> String {
    match c {
        Change::Created => "created the packet".into(),
        Change::Deleted => "deleted the packet".into(),
        Change::Answers { count, open } => format!("with {count} answers, {open} still open"),
        Change::Status { from, to } => format!("status {from} -> {to}"),
        Change::Answered { path } => format!("answered {path}"),
        Change::Changed { path } => format!("changed {path}"),
        Change::Unanswered { path } => format!("removed the answer to {path}"),
        Change::Checked { criterion } => format!("checked: {criterion}"),
        Change::Unchecked { criterion } => format!("unchecked: {criterion}"),
        Change::SignedOff { role, by, at } => format!("signed off as {role}: {by} at {at}"),
        Change::SentBack { by, reason } => format!("sent back by {by}: {reason}"),
        Change::Body => "edited the body".into(),
        Change::File { file } => format!("changed {file}"),
    }
}
