//! What `handoff log` shows: a packet's story, a commit at a time with what it changed and the
//! audit's flags, then what proves each record the packet carries now; as text or JSON.

use crate::facts::history::Commit;
use crate::facts::history::changes::Change;
use crate::facts::proof::{Proven, Record, RecordKind};
use crate::judgement::trail::Flag;
use serde::Serialize;
use std::fmt::Write as _;

/// One entry of the story: a commit (none for the work tree's uncommitted changes), what it
/// changed, and the audit's flags on it.
#[derive(Serialize)]
pub struct Entry {
    /// The commit; none for what the work tree has that the last commit does not.
    pub commit: Option<Commit>,
    /// What it changed.
    pub changes: Vec<Change>,
    /// The audit's flags, as sentences.
    pub flags: Vec<String>,
}

/// A flag as a sentence.
pub fn flag(flag: &Flag) -> String {
    match flag {
        Flag::CommittedByOther { role, by, commit } => format!(
            "{role} sign-off by {by} was committed by {} <{}>",
            commit.author, commit.email
        ),
        Flag::NoGoodSignature { role, signature } => {
            let sig = signature.map_or("none".to_string(), |c| c.to_string());
            format!(
                "{role} sign-off commit has no good git signature (git reports `{sig}`: G good, B bad, U untrusted, N none)"
            )
        }
        Flag::Unrecorded { role, by } => {
            format!("{role} sign-off by {by} is not committed yet (unrecorded)")
        }
    }
}

/// A record the packet carries now, and how it is proven.
#[derive(Serialize)]
pub struct RecordProof {
    /// `pm sign-off`, `waiver of metric.source`, `send-back of 2026-12-04`.
    record: String,
    /// Who it names.
    by: String,
    /// How it is proven.
    #[serde(flatten)]
    proven: Proven,
}

/// Each record with how it is proven (`proven`, in the same order).
pub fn proofs(records: Vec<Record>, proven: Vec<Proven>) -> Vec<RecordProof> {
    records
        .into_iter()
        .zip(proven)
        .map(|(r, proven)| RecordProof {
            record: match r.kind {
                RecordKind::SignOff => format!("{} sign-off by", r.role.unwrap_or_default()),
                RecordKind::Waiver => format!("waiver of `{}` by", r.target.unwrap_or_default()),
                RecordKind::SendBack => "send-back by".to_string(),
            },
            by: r.by,
            proven,
        })
        .collect()
}

/// The story as JSON: the packet's id, its entries and its records' proofs.
pub fn json(id: &str, entries: &[Entry], proofs: &[RecordProof]) -> String {
    let doc = serde_json::json!({ "packet": id, "entries": entries, "proofs": proofs });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The story as text, oldest first: a line a commit, its changes and flags indented under it,
/// then the proofs of the records the packet carries now (control characters written out).
pub fn text(id: &str, entries: &[Entry], proofs: &[RecordProof]) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        let _ = writeln!(out, "{id}: no history yet (the packet is not committed)");
    }
    for e in entries {
        entry(&mut out, e);
    }
    if !proofs.is_empty() {
        // Indented like a commit's changes: unindented lines are commits.
        out.push_str("  what proves each record it carries now:\n");
        for p in proofs {
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
    crate::support::words::neutral(&out).into_owned()
}

/// One entry: its commit's line, then its changes and flags.
fn entry(out: &mut String, e: &Entry) {
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

/// A change in words.
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
