//! The history streamed newest first, a packet's version at a time, with the texts read beside
//! the log.

use super::Commit;
use super::log::{Line, RawFile, RunningLog, finish_log, parse_line, wanted};
use crate::facts::git::{Batch, GitError, Requests};
use crate::facts::packet::MAX_FILE_BYTES;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

/// One version of one packet's `handoff.md` as [`stream`] hands it on: newest first.
#[derive(Debug)]
pub struct Step {
    /// Which of the packet folders asked about (its place in the list).
    pub dir: usize,
    /// The commit (shared by the steps of every packet it touched).
    pub commit: Arc<Commit>,
    /// Whether this commit deleted `handoff.md`.
    pub deleted: bool,
    /// Other files of the packet this commit touched.
    pub other_files: Vec<String>,
    /// The blob of `handoff.md`, when this commit changed it.
    pub blob: Option<StepBlob>,
    /// Its text, the first time the blob comes (and when it is UTF-8 text no larger than a
    /// packet file may be); a version that brings back a blob seen before comes without it.
    pub text: Option<String>,
}

/// The blob of a [`Step`].
#[derive(Debug, Clone)]
pub struct StepBlob {
    /// Its git object id.
    pub id: String,
    /// A number shared by every version with this blob (an edit reverted brings one back).
    pub slot: usize,
    /// Whether this is the first version with it (newest first): the one that carries its text.
    pub first: bool,
}

/// How many steps [`stream`] hands on at most at once.
pub const STEP_BATCH: usize = 256;

/// Stream the history of the given packet folders, newest first, with the texts, through `each`,
/// a batch of steps at a time. One `git log` (the folders as its pathspec) and one
/// `git cat-file --batch` run side by side: the blobs the log names are asked for (and their steps
/// handed to a second thread, which reads the answers) whenever the log's output read so far is
/// used up, so git and the threads wake a few hundred times, not once per commit; a blob that
/// comes back (an edit reverted) is read once. A batch is handed on as soon as the texts read so
/// far are used up, so `each` works while git does. Memory holds a batch and the blob ids seen,
/// whatever the history's length.
pub fn stream(
    top: &Path,
    packet_dirs: &[String],
    verify_signatures: bool,
    mut each: impl FnMut(Vec<Step>) + Send,
) -> Result<(), GitError> {
    if packet_dirs.is_empty() {
        return Ok(());
    }
    let (mut log, log_out) = RunningLog::start(top, packet_dirs, verify_signatures)?;
    let mut blobs = Batch::open(top)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Step>>(STEP_BATCH * 4 / SENT_AT_ONCE);
    let wanted = wanted(packet_dirs);
    let outcome = std::thread::scope(|s| {
        let (mut ask, mut answers) = blobs.halves();
        let reader = s.spawn(move || -> Result<(), GitError> {
            let mut batch: Vec<Step> = Vec::new();
            loop {
                let next = if batch.is_empty() {
                    rx.recv().ok()
                } else {
                    match rx.try_recv() {
                        Ok(steps) => Some(steps),
                        Err(std::sync::mpsc::TryRecvError::Empty) => {
                            each(std::mem::take(&mut batch));
                            continue;
                        }
                        Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
                    }
                };
                let Some(steps) = next else { break };
                for mut step in steps {
                    if step.blob.as_ref().is_some_and(|b| b.first) {
                        step.text = answers.next(MAX_FILE_BYTES)?.text();
                    }
                    batch.push(step);
                    if batch.len() >= STEP_BATCH {
                        each(std::mem::take(&mut batch));
                    }
                }
            }
            if !batch.is_empty() {
                each(batch);
            }
            Ok(())
        });
        let sent = send_steps(log_out, &wanted, &mut ask, &tx);
        drop(tx);
        if sent.is_err() {
            log.kill();
        }
        let read = reader
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        // The reader's error says why the steps stopped; the log's own failure comes after.
        read.and(sent)
    });
    let finished = finish_log(&mut log);
    outcome?;
    finished.map(|_| ())
}

/// Read the log, ask `git cat-file` for each blob the first time it is named, and send each
/// packet's version on once the log has listed all its files in the commit (a commit's files come
/// sorted by path, so a packet's files come together).
fn send_steps(
    log_out: std::process::ChildStdout,
    wanted: &HashMap<&str, usize>,
    ask: &mut Requests<'_>,
    tx: &std::sync::mpsc::SyncSender<Vec<Step>>,
) -> Result<(), GitError> {
    let mut out = Outbox {
        steps: Vec::with_capacity(SENT_AT_ONCE),
        ask,
        tx,
    };
    let mut slots: HashMap<String, usize> = HashMap::new();
    let mut commit: Option<Arc<Commit>> = None;
    let mut current: Option<Step> = None;
    let mut reader = BufReader::with_capacity(1 << 16, log_out);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.buffer().is_empty() {
            // About to wait for git log: git cat-file and the reader get what it said so far.
            out.send()?;
        }
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(GitError::Output)?;
        if read == 0 {
            break;
        }
        match parse_line(&buf, wanted) {
            Line::Header(c) => {
                if let Some(step) = current.take() {
                    out.push(step)?;
                }
                commit = Some(Arc::new(c));
            }
            Line::Raw(raw) => {
                let Some(commit) = &commit else { continue };
                if current.as_ref().is_some_and(|s| s.dir != raw.dir)
                    && let Some(step) = current.take()
                {
                    out.push(step)?;
                }
                let step = current.get_or_insert_with(|| Step {
                    dir: raw.dir,
                    commit: Arc::clone(commit),
                    deleted: false,
                    other_files: Vec::new(),
                    blob: None,
                    text: None,
                });
                match raw.file {
                    RawFile::Other(rel) => step.other_files.push(rel.to_string()),
                    RawFile::Deleted => step.deleted = true,
                    RawFile::Blob(id) => {
                        let next = slots.len();
                        let slot = *slots.entry(id.to_string()).or_insert(next);
                        let first = slot == next;
                        if first {
                            out.ask.queue(id)?;
                        }
                        step.blob = Some(StepBlob {
                            id: id.to_string(),
                            slot,
                            first,
                        });
                    }
                }
            }
            Line::Other => {}
        }
    }
    if let Some(step) = current.take() {
        out.push(step)?;
    }
    out.send()
}

/// How many steps [`send_steps`] sends to the reader at once (at most).
const SENT_AT_ONCE: usize = 64;

/// The steps on their way to the reader, and the blobs they need asked for.
struct Outbox<'a, 'b> {
    steps: Vec<Step>,
    ask: &'a mut Requests<'b>,
    tx: &'a std::sync::mpsc::SyncSender<Vec<Step>>,
}

impl Outbox<'_, '_> {
    fn push(&mut self, step: Step) -> Result<(), GitError> {
        self.steps.push(step);
        if self.steps.len() >= SENT_AT_ONCE {
            self.send()?;
        }
        Ok(())
    }

    /// Send the blobs' names to git cat-file, then the steps to the reader (which reads their
    /// answers): when sending waits for the reader, nothing it waits for is held back.
    fn send(&mut self) -> Result<(), GitError> {
        self.ask.send()?;
        if self.steps.is_empty() {
            return Ok(());
        }
        let steps = std::mem::replace(&mut self.steps, Vec::with_capacity(SENT_AT_ONCE));
        self.tx.send(steps).map_err(|_| GitError::ReaderStopped)
    }
}
