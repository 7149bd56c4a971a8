//! `handoff log`: a packet's story from git history, with the sign-off audit.

use super::Env;
use crate::commands::args::TextFormat;
use crate::facts::error::Error;
use crate::facts::git::{Batch, GitError};
use crate::facts::history::changes::Change;
use crate::facts::history::{self, Commit};
use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use crate::judgement::trail;
use crate::output::log::{self, Entry};
use std::collections::HashMap;
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

/// Print the packet's story; exit 1 when the audit flags a sign-off the packet still carries.
pub fn run(env: &Env, args: &LogArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?.showing_proofs();
    let dir = ws.packet(&args.packet)?;
    let verify = args.verify_signatures;
    let top = toplevel(&dir)?;
    let story = read_story(&dir, &top, verify)?;
    let current = Packet::load(&dir, &crate::support::paths::shown_path(&dir));
    // A cut-off history would tell a wrong story of who committed what: say so, audit nothing.
    let shallow = history::is_shallow(&top);
    if shallow {
        eprintln!("note: {}", history::SHALLOW_NOTE);
    }
    let (mut entries, previous, recorded) = story.finish();
    if !shallow {
        flag_commits(&mut entries, verify);
    }
    entries.extend(uncommitted(previous.as_deref(), &current));
    let flagged = !shallow && audit_fails(&recorded, &current, verify);
    let records = crate::facts::prover::records_of(&current);
    let proven = ws.config.settings.prove(&current, &records);
    let proofs = log::proofs(records, proven);
    match args.format {
        TextFormat::Json => println!("{}", log::json(&current.id, &entries, &proofs)),
        TextFormat::Text => print!("{}", log::text(&current.id, &entries, &proofs)),
    }
    Ok(u8::from(flagged))
}

/// The top of the work tree that holds the packet's folder.
fn toplevel(dir: &Path) -> Result<std::path::PathBuf, Error> {
    let abs = std::path::absolute(dir).unwrap_or(dir.to_path_buf());
    history::toplevel(&abs).map_err(|e| {
        Error::git("the audit needs git", e, "run `git init` and commit the packet; `check`, `timeline` and `render` work without git")
    })
}

/// The packet's story, read from its history in one walk (with each commit's signature when
/// `verify`).
fn read_story<'a>(dir: &'a Path, top: &Path, verify: bool) -> Result<Story<'a>, Error> {
    let rel = crate::facts::git::pathspec(top, dir);
    let mut story = Story::new(dir);
    history::steps::stream(top, std::slice::from_ref(&rel), verify, |steps| {
        story.take(steps)
    })
    .and_then(|()| story.error.take().map_or(Ok(()), Err))
    .map_err(|e| Error::git("cannot read git history", e, ""))?;
    Ok(story)
}

/// The audit's flags on the sign-offs each commit adds.
fn flag_commits(entries: &mut [Entry], verify: bool) {
    for e in entries {
        if let Some(commit) = &e.commit {
            e.flags = trail::commit_flags(&e.changes, commit, verify)
                .iter()
                .map(log::flag)
                .collect();
        }
    }
}

/// What the working tree has that the last commit (`previous`) does not, if anything.
fn uncommitted(previous: Option<&Packet>, current: &Packet) -> Option<Entry> {
    let committed_text = previous.and_then(|p| p.file.as_ref().map(|f| &f.text));
    let working_text = current.file.as_ref().map(|f| &f.text);
    if working_text == committed_text {
        return None;
    }
    let changes = if working_text.is_none() {
        vec![Change::Deleted]
    } else {
        history::changes::diff(previous, Some(current))
    };
    let flags = trail::uncommitted_flags(&changes)
        .iter()
        .map(log::flag)
        .collect();
    Some(Entry {
        commit: None,
        changes,
        flags,
    })
}

/// Whether the sign-offs the packet carries now fail the audit. The exit status speaks of
/// those: a sign-off that was mis-committed once and signed again properly since is history,
/// not a finding.
fn audit_fails(recorded: &Recorded, current: &Packet, verify: bool) -> bool {
    let recorded: HashMap<crate::facts::signoff::Key, &Commit> = recorded
        .iter()
        .map(|(k, (_, c))| (k.clone(), &**c))
        .collect();
    trail::current_fails(&recorded, current, verify)
}

/// A sign-off entry, with the version (counted from the newest) and the commit that first
/// recorded it.
type Recorded = HashMap<crate::facts::signoff::Key, (usize, Arc<Commit>)>;

/// The packet's story told as the history streams, newest first: each version's entry waits
/// until the version before it is read, then gets its changes. Each distinct text is parsed once
/// (a body read before is not read again), on the thread that reads the texts while git lists
/// the commits; a text whose front matter is the same as the version it is compared with is not
/// compared there (see [`history::diff`]).
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
