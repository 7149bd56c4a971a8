//! The history streamed newest first, a packet's version at a time, with the texts read beside
//! the log.

use super::Commit;
use super::log::{Line, RawFile, finish_log, log_command, parse_line, wanted};
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
/// `git cat-file --batch` run side by side: a blob is asked for as soon as the log names it, and
/// read on a second thread while the log goes on; a blob that comes back (an edit reverted) is
/// read once. A batch is handed on as soon as the texts read so far are used up, so `each` works
/// while git does. Memory holds a batch and the blob ids seen, whatever the history's length.
pub fn stream(
    top: &Path,
    packet_dirs: &[String],
    verify_signatures: bool,
    mut each: impl FnMut(Vec<Step>) + Send,
) -> Result<(), GitError> {
    if packet_dirs.is_empty() {
        return Ok(());
    }
    let mut log = log_command(top, packet_dirs, verify_signatures)
        .spawn()
        .map_err(GitError::Start)?;
    let log_out = log.stdout.take().ok_or(GitError::NoOutput)?;
    let mut blobs = Batch::open(top)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Step>(STEP_BATCH * 4);
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
                        Ok(step) => Some(step),
                        Err(std::sync::mpsc::TryRecvError::Empty) => {
                            each(std::mem::take(&mut batch));
                            continue;
                        }
                        Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
                    }
                };
                let Some(mut step) = next else { break };
                if step.blob.as_ref().is_some_and(|b| b.first) {
                    step.text = answers.next(MAX_FILE_BYTES)?.text();
                }
                batch.push(step);
                if batch.len() >= STEP_BATCH {
                    each(std::mem::take(&mut batch));
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
            let _ = log.kill();
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
    tx: &std::sync::mpsc::SyncSender<Step>,
) -> Result<(), GitError> {
    let stopped = || GitError::ReaderStopped;
    let mut slots: HashMap<String, usize> = HashMap::new();
    let mut commit: Option<Arc<Commit>> = None;
    let mut current: Option<Step> = None;
    let mut reader = BufReader::with_capacity(1 << 16, log_out);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(GitError::Output)?;
        if read == 0 {
            break;
        }
        match parse_line(&buf, wanted) {
            Line::Header(c) => {
                if let Some(step) = current.take() {
                    tx.send(step).map_err(|_| stopped())?;
                }
                commit = Some(Arc::new(c));
            }
            Line::Raw(raw) => {
                let Some(commit) = &commit else { continue };
                if current.as_ref().is_some_and(|s| s.dir != raw.dir)
                    && let Some(step) = current.take()
                {
                    tx.send(step).map_err(|_| stopped())?;
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
                            ask.ask(id)?;
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
        tx.send(step).map_err(|_| stopped())?;
    }
    Ok(())
}
