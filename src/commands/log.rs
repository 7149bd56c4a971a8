//! `handoff log`: a packet's story from git history, with the sign-off audit.

use super::Env;
use crate::commands::args::TextFormat;
use crate::facts::error::Error;
use crate::facts::git::{Batch, GitError};
use crate::facts::history::changes::Change;
use crate::facts::history::{self, Commit};
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
        Error::git("the audit needs git", e, "run `git init` and commit the packet; `check`, `timeline` and `render` work without git")
    })?;
    let rel = abs
        .strip_prefix(&top)
        .unwrap_or(&abs)
        .to_string_lossy()
        .replace('\\', "/");
    let mut story = Story::new(&dir);
    history::steps::stream(
        &top,
        std::slice::from_ref(&rel),
        args.verify_signatures,
        |steps| story.take(steps),
    )
    .and_then(|()| story.error.take().map_or(Ok(()), Err))
    .map_err(|e| Error::git("cannot read git history", e, ""))?;
    let current = Packet::load(&dir, &crate::support::paths::shown_path(&dir));
    // A cut-off history would tell a wrong story of who committed what: say so, audit nothing.
    let shallow = history::is_shallow(&top);
    if shallow {
        eprintln!("note: {}", history::SHALLOW_NOTE);
    }
    let (mut entries, previous, recorded) = story.finish();
    for e in &mut entries {
        if let Some(commit) = &e.commit {
            e.flags = flags(&e.changes, commit, shallow, args.verify_signatures);
        }
    }
    // What the working tree has that the last commit does not.
    let committed_text = previous
        .as_ref()
        .and_then(|p| p.file.as_ref().map(|f| f.text.clone()));
    let working_text = current.file.as_ref().map(|f| f.text.clone());
    if working_text != committed_text {
        let mut changes = history::changes::diff(previous.as_deref(), Some(&current));
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
    let recorded: HashMap<crate::facts::signoff::Key, &Commit> = recorded
        .iter()
        .map(|(k, (_, c))| (k.clone(), &**c))
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

/// A sign-off entry, with the version (counted from the newest) and the commit that first
/// recorded it.
type Recorded = HashMap<crate::facts::signoff::Key, (usize, Arc<Commit>)>;

/// The packet's story told as the history streams, newest first: each version's entry waits
/// until the version before it is read, then gets its changes. Each distinct text is parsed once
/// (a body read before is not read again), on the thread that reads the texts while git lists
/// the commits; a text whose front matter is the same as the version it is compared with is not
/// compared there (see [`history::changes::diff`]).
struct Story<'a> {
    dir: &'a Path,
    /// Entries, newest first.
    entries: Vec<Entry>,
    /// The newest entry still waiting for the version before it, with the state it left (`None`:
    /// deleted).
    waiting: Option<(usize, Option<Arc<Packet>>)>,
    /// The state after the newest commit (`Some(None)`: it deleted the packet).
    latest: Option<Option<Arc<Packet>>>,
    /// Versions read, by blob; a bounded number kept (see [`Story::KEPT`]).
    parsed: HashMap<usize, Arc<Packet>>,
    /// Whether each blob read as text.
    readable: Vec<bool>,
    /// The last few versions parsed whose bodies differ, whose body readings a new text reuses.
    bodies: Vec<Arc<Packet>>,
    /// For blobs let go of and needed again.
    refetch: Option<Batch>,
    top: Option<std::path::PathBuf>,
    recorded: Recorded,
    error: Option<GitError>,
}

impl<'a> Story<'a> {
    /// Parsed versions kept for the versions that bring a text back.
    const KEPT: usize = 512;

    fn new(dir: &'a Path) -> Self {
        Story {
            dir,
            entries: Vec::new(),
            waiting: None,
            latest: None,
            parsed: HashMap::new(),
            readable: Vec::new(),
            bodies: Vec::new(),
            refetch: None,
            top: std::path::absolute(dir)
                .ok()
                .and_then(|d| history::toplevel(&d).ok()),
            recorded: HashMap::new(),
            error: None,
        }
    }

    fn parse(&self, text: String) -> Packet {
        let like: Vec<&Packet> = self.bodies.iter().map(|p| &**p).collect();
        Packet::from_text_like(&like, self.dir, Path::new(""), text)
    }

    fn keep(&mut self, slot: usize, packet: &Arc<Packet>) {
        if self.parsed.len() >= Self::KEPT {
            self.parsed.clear();
        }
        self.parsed.insert(slot, Arc::clone(packet));
        fn body(p: &Packet) -> Option<&str> {
            p.file.as_ref().and_then(|f| f.text.get(p.front_range.1..))
        }
        if !self.bodies.iter().any(|b| body(b) == body(packet)) {
            if self.bodies.len() >= 4 {
                self.bodies.remove(0);
            }
            self.bodies.push(Arc::clone(packet));
        }
    }

    fn note_readable(&mut self, slot: usize, readable: bool) {
        if self.readable.len() <= slot {
            self.readable.resize(slot + 1, false);
        }
        self.readable[slot] = readable;
    }

    /// The version a blob seen before reads as (again, when it was let go of).
    fn again(&mut self, blob: &history::steps::StepBlob) -> Option<Arc<Packet>> {
        if !self.readable.get(blob.slot).copied().unwrap_or(false) {
            return None;
        }
        if let Some(p) = self.parsed.get(&blob.slot) {
            return Some(Arc::clone(p));
        }
        if self.refetch.is_none() {
            let top = self.top.as_deref()?;
            match Batch::open(top) {
                Ok(b) => self.refetch = Some(b),
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            }
        }
        let text = match self
            .refetch
            .as_mut()?
            .texts(&[blob.id.as_str()], crate::facts::packet::MAX_FILE_BYTES)
        {
            Ok(mut t) => t.pop().flatten()?,
            Err(e) => {
                self.error = Some(e);
                return None;
            }
        };
        let packet = Arc::new(self.parse(text));
        self.keep(blob.slot, &packet);
        Some(packet)
    }

    fn take(&mut self, steps: Vec<history::steps::Step>) {
        for step in steps {
            self.step(step);
        }
    }

    fn step(&mut self, step: history::steps::Step) {
        let index = self.entries.len();
        let state = if step.deleted {
            Some(None)
        } else {
            match (&step.blob, step.text) {
                (Some(blob), Some(text)) if blob.first => {
                    self.note_readable(blob.slot, true);
                    let packet = Arc::new(self.parse(text));
                    self.keep(blob.slot, &packet);
                    Some(Some(packet))
                }
                (Some(blob), _) if blob.first => {
                    self.note_readable(blob.slot, false);
                    None
                }
                (Some(blob), _) => self.again(blob).map(Some),
                (None, _) => None,
            }
        };
        self.entries.push(Entry {
            commit: Some((*step.commit).clone()),
            changes: step
                .other_files
                .into_iter()
                .map(|file| Change::File { file })
                .collect(),
            flags: Vec::new(),
        });
        // A commit that changed only other files leaves the state as it was.
        let Some(state) = state else { return };
        if let Some(p) = &state {
            for s in crate::facts::signoff::read(p).0 {
                self.recorded
                    .insert(s.key(), (index, Arc::clone(&step.commit)));
            }
        }
        if let Some((newer, after)) = self.waiting.take() {
            self.settle(newer, state.as_deref(), after.as_deref());
        }
        if self.latest.is_none() {
            self.latest = Some(state.clone());
        }
        self.waiting = Some((index, state));
    }

    /// The changes of entry `index`, from the state before it to the state after it.
    fn settle(&mut self, index: usize, before: Option<&Packet>, after: Option<&Packet>) {
        let mut changes = history::changes::diff(before, after);
        let entry = &mut self.entries[index];
        changes.append(&mut entry.changes);
        entry.changes = changes;
    }

    /// The entries oldest first, the state after the last commit, and the commit that first
    /// recorded each sign-off entry.
    fn finish(mut self) -> (Vec<Entry>, Option<Arc<Packet>>, Recorded) {
        if let Some((oldest, after)) = self.waiting.take() {
            self.settle(oldest, None, after.as_deref());
        }
        let n = self.entries.len();
        let recorded = self
            .recorded
            .into_iter()
            .map(|(k, (i, c))| (k, (n - 1 - i, c)))
            .collect();
        self.entries.reverse();
        (self.entries, self.latest.flatten(), recorded)
    }
}

/// The warnings on a commit's sign-offs: committed by someone else, or (with
/// `--verify-signatures`) without a good git signature.
fn flags(changes: &[Change], commit: &Commit, shallow: bool, verify: bool) -> Vec<String> {
    let mut flags = Vec::new();
    for c in changes.iter().filter(|_| !shallow) {
        if let Change::SignedOff { role, by, .. } = c {
            if crate::facts::person::email_of(by).is_some_and(|e| e != commit.email.to_lowercase())
            {
                flags.push(format!(
                    "{role} sign-off by {by} was committed by {} <{}>",
                    commit.author, commit.email
                ));
            }
            if verify && commit.signature != Some('G') {
                let sig = commit
                    .signature
                    .map_or("none".to_string(), |c| c.to_string());
                flags.push(format!(
                    "{role} sign-off commit has no good git signature (git reports `{sig}`: G good, B bad, U untrusted, N none)"
                ));
            }
        }
    }
    flags
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
    if !history::audit::findings(recorded, packet).is_empty() {
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
