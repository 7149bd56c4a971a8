//! Git history: one `git log` pass over the packets asked about, plus one `git cat-file --batch`
//! for the versions of their `handoff.md`, turned into per-packet events.

use crate::facts::packet::Packet;
use crate::facts::packet::yaml::{Entry, Node, Value};
use crate::facts::signoff::{self, Signoff};
use compact_str::CompactString;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// One commit.
#[derive(Debug, Clone, Serialize)]
pub struct Commit {
    /// Full id.
    pub id: String,
    /// Short id.
    pub short: CompactString,
    /// Author date, ISO 8601.
    pub date: CompactString,
    /// Author name.
    pub author: CompactString,
    /// Author email.
    pub email: CompactString,
    /// First line of the message.
    pub subject: CompactString,
    /// `%G?`: G good, B bad, N none, ... (only with signature verification).
    pub signature: Option<char>,
}

/// A version of one packet's `handoff.md` in one commit.
#[derive(Debug, Clone)]
pub struct Version {
    /// Index into [`History::commits`].
    pub commit: usize,
    /// The file's text when this commit changed it.
    pub text: Option<String>,
    /// Which distinct text it is: versions with the same blob (an edit reverted) share the number,
    /// so their text is parsed once.
    pub blob: Option<usize>,
    /// The git object id of the text, when this commit changed `handoff.md` (kept by
    /// [`read_ids`], which reads no texts; see [`Blobs`]).
    pub id: Option<String>,
    /// Whether this commit deleted `handoff.md`.
    pub deleted: bool,
    /// Other files of the packet this commit touched.
    pub other_files: Vec<String>,
}

/// The history of some packets.
#[derive(Debug, Default)]
pub struct History {
    /// Commits, oldest first.
    pub commits: Vec<Commit>,
    /// Per packet folder (relative to the repo top), its versions, oldest first.
    pub versions: BTreeMap<String, Vec<Version>>,
}

/// Why history could not be read.
#[derive(Debug)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The top of the git work tree containing `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, GitError> {
    // A plain work tree is found without starting git (a `.git` folder above, nothing in the
    // environment or configuration placing it elsewhere), as the folder holding `.git`.
    if let Some(top) =
        crate::facts::packet::git_index::plain_work_tree(&crate::support::paths::absolute(dir))
    {
        return Ok(top);
    }
    let out = crate::facts::git::command()
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(dir)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(GitError(format!(
            "{} is not in a git repository",
            dir.display()
        )));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Read the history of the given packet folders (paths relative to `top`), with the text of every
/// version: `git log` and `git cat-file --batch` side by side (see [`stream`]).
pub fn read(
    top: &Path,
    packet_dirs: &[String],
    verify_signatures: bool,
) -> Result<History, GitError> {
    let mut history = History::default();
    // Commits numbered as they come (newest first), turned around at the end; a commit's steps
    // come together, so each is told from the one before it.
    let mut last: Option<Arc<Commit>> = None;
    let mut newest_first: Vec<Vec<Version>> = (0..packet_dirs.len()).map(|_| Vec::new()).collect();
    // Each distinct text, by its blob's number, for the versions that bring it back.
    let mut texts: Vec<Option<String>> = Vec::new();
    stream(top, packet_dirs, verify_signatures, |steps| {
        for step in steps {
            if !last.as_ref().is_some_and(|c| Arc::ptr_eq(c, &step.commit)) {
                history.commits.push((*step.commit).clone());
                last = Some(Arc::clone(&step.commit));
            }
            let commit = history.commits.len() - 1;
            let text = match &step.blob {
                Some(blob) if blob.first => {
                    if texts.len() <= blob.slot {
                        texts.resize(blob.slot + 1, None);
                    }
                    texts[blob.slot] = step.text.clone();
                    step.text
                }
                Some(blob) => texts.get(blob.slot).cloned().flatten(),
                None => None,
            };
            newest_first[step.dir].push(Version {
                commit,
                blob: step
                    .blob
                    .as_ref()
                    .filter(|_| text.is_some())
                    .map(|b| b.slot),
                text,
                id: step.blob.map(|b| b.id),
                deleted: step.deleted,
                other_files: step.other_files,
            });
        }
    })?;
    let n = history.commits.len();
    history.commits.reverse();
    for (dir, mut versions) in newest_first.into_iter().enumerate() {
        if !versions.is_empty() {
            versions.reverse();
            for v in &mut versions {
                v.commit = n.saturating_sub(v.commit + 1);
            }
            history.versions.insert(packet_dirs[dir].clone(), versions);
        }
    }
    Ok(history)
}

/// [`read`] without the texts: each version names its blob ([`Version::id`]), for a caller that
/// fetches texts a packet at a time with [`Blobs`] (see [`one_packet`]), so memory stays bounded
/// however long the history.
pub fn read_ids(top: &Path, packet_dirs: &[String]) -> Result<History, GitError> {
    let mut history = History::default();
    if packet_dirs.is_empty() {
        return Ok(history);
    }
    let mut child = log_command(top, packet_dirs, false)
        .spawn()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| GitError("git gave no output".into()))?;
    let wanted = wanted(packet_dirs);
    let mut commits: Vec<Commit> = Vec::new();
    // Each packet's versions as git lists them, newest first, `commit` counted from the newest
    // until the count is known; built as the log streams, so no list of every change is held.
    let mut per_dir: Vec<Vec<Version>> = (0..packet_dirs.len()).map(|_| Vec::new()).collect();
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| GitError(format!("cannot read git output: {e}")))?;
        if read == 0 {
            break;
        }
        match parse_line(&buf, &wanted) {
            Line::Header(commit) => commits.push(commit),
            Line::Raw(raw) => {
                let index = commits.len().saturating_sub(1);
                let list = &mut per_dir[raw.dir];
                if list.last().is_none_or(|v| v.commit != index) {
                    list.push(Version {
                        commit: index,
                        text: None,
                        blob: None,
                        id: None,
                        deleted: false,
                        other_files: Vec::new(),
                    });
                }
                let Some(v) = list.last_mut() else { continue };
                match raw.file {
                    RawFile::Other(rel) => v.other_files.push(rel.to_string()),
                    RawFile::Deleted => v.deleted = true,
                    RawFile::Blob(id) => v.id = Some(id.to_string()),
                }
            }
            Line::Other => {}
        }
    }
    if finish_log(&mut child)?.is_none() {
        return Ok(history);
    }
    // git log lists newest first; turn it around so indexes grow with time.
    let n = commits.len();
    commits.reverse();
    for (dir, mut versions) in per_dir.into_iter().enumerate() {
        if !versions.is_empty() {
            versions.reverse();
            for v in &mut versions {
                v.commit = n.saturating_sub(v.commit + 1);
            }
            history.versions.insert(packet_dirs[dir].clone(), versions);
        }
    }
    history.commits = commits;
    Ok(history)
}

/// The `git log` every reader runs: the packets' folders as the pathspec, so git does the
/// filtering, with each commit's header and the raw list of the files it changed.
fn log_command(top: &Path, packet_dirs: &[String], verify_signatures: bool) -> Command {
    let sig = if verify_signatures { "%x1f%G?" } else { "" };
    let mut cmd = crate::facts::git::command();
    cmd.current_dir(top)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "--no-renames",
            "--raw",
            "--no-abbrev",
        ])
        .arg(format!(
            "--format=%x1e%H%x1f%x1f%aI%x1f%an%x1f%ae%x1f%s{sig}"
        ))
        .arg("--")
        .args(
            pathspecs(packet_dirs)
                .iter()
                .map(|p| format!(":(literal){p}")),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Each packet folder asked about, by its path, with its place in the list.
fn wanted(packet_dirs: &[String]) -> HashMap<&str, usize> {
    packet_dirs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect()
}

/// A line of the log.
enum Line<'l> {
    /// A commit's header.
    Header(Commit),
    /// A file of one of the packets asked about, changed by the commit above.
    Raw(Raw<'l>),
    /// Anything else (blank lines, files of other folders).
    Other,
}

/// A changed file of one packet.
struct Raw<'l> {
    /// Which packet folder.
    dir: usize,
    /// What changed.
    file: RawFile<'l>,
}

enum RawFile<'l> {
    /// `handoff.md` now has this blob.
    Blob(&'l str),
    /// `handoff.md` was deleted.
    Deleted,
    /// Another file, by its path in the packet.
    Other(&'l str),
}

fn parse_line<'l>(line: &'l [u8], wanted: &HashMap<&str, usize>) -> Line<'l> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    if let Some(header) = line.strip_prefix("\u{1e}".as_bytes()) {
        let header = String::from_utf8_lossy(header);
        let f: Vec<&str> = header.split('\u{1f}').collect();
        if f.len() < 6 {
            return Line::Other;
        }
        return Line::Header(Commit {
            id: f[0].into(),
            short: f[0].get(..8).unwrap_or(f[0]).into(),
            date: f[2].into(),
            author: f[3].into(),
            email: f[4].into(),
            subject: f[5].into(),
            signature: f.get(6).and_then(|s| s.chars().next()),
        });
    }
    // `:100644 100644 <old> <new> M\t<path>`; a path that is not UTF-8 names no packet.
    let Some(raw) = line.strip_prefix(b":") else {
        return Line::Other;
    };
    let Ok(raw) = std::str::from_utf8(raw) else {
        return Line::Other;
    };
    let Some((meta, path)) = raw.split_once('\t') else {
        return Line::Other;
    };
    let mut parts = meta.split(' ').skip(3);
    let (Some(new_blob), Some(status)) = (parts.next(), parts.next()) else {
        return Line::Other;
    };
    let Some((dir_len, dir)) = path
        .match_indices('/')
        .find_map(|(i, _)| Some((i, *wanted.get(&path[..i])?)))
    else {
        return Line::Other;
    };
    let rel = &path[dir_len + 1..];
    let file = if rel != crate::facts::packet::PACKET_FILE {
        RawFile::Other(rel)
    } else if status.starts_with('D') {
        RawFile::Deleted
    } else {
        RawFile::Blob(new_blob)
    };
    Line::Raw(Raw { dir, file })
}

/// Wait for `git log`: `Some(())` when it succeeded, `None` for a repository without commits
/// (no history yet), the error otherwise.
fn finish_log(child: &mut std::process::Child) -> Result<Option<()>, GitError> {
    let status = child
        .wait()
        .map_err(|e| GitError(format!("git failed: {e}")))?;
    if status.success() {
        return Ok(Some(()));
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    if err.contains("does not have any commits") {
        return Ok(None);
    }
    Err(GitError(format!("git log failed: {}", err.trim())))
}

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
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    let log_out = log
        .stdout
        .take()
        .ok_or_else(|| GitError("git gave no output".into()))?;
    let mut blobs = Blobs::open(top)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Step>(STEP_BATCH * 4);
    let wanted = wanted(packet_dirs);
    let outcome = std::thread::scope(|s| {
        let cat_out = &mut blobs.stdout;
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
                    step.text = match read_object(cat_out)? {
                        Some(text) => text,
                        None => return Err(GitError("git cat-file ended early".into())),
                    };
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
        let sent = send_steps(log_out, &wanted, &mut blobs.stdin, &tx);
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
    cat_in: &mut std::process::ChildStdin,
    tx: &std::sync::mpsc::SyncSender<Step>,
) -> Result<(), GitError> {
    let stopped = || GitError("the history reader stopped".into());
    let mut slots: HashMap<String, usize> = HashMap::new();
    let mut commit: Option<Arc<Commit>> = None;
    let mut current: Option<Step> = None;
    let mut reader = BufReader::with_capacity(1 << 16, log_out);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| GitError(format!("cannot read git output: {e}")))?;
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
                            cat_in
                                .write_all(format!("{id}\n").as_bytes())
                                .map_err(|e| GitError(format!("git cat-file stopped: {e}")))?;
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

/// One packet's part of a history read without texts ([`read_ids`]), its texts fetched through
/// `blobs` (each distinct blob once): a [`History`] of that packet alone, its commits numbered
/// anew. What one packet's page needs, fetched when it is rendered and let go after.
pub fn one_packet(history: &History, dir: &str, blobs: &mut Blobs) -> Result<History, GitError> {
    let mut one = History::default();
    let Some(versions) = history.versions.get(dir) else {
        return Ok(one);
    };
    let mut ids: Vec<&str> = Vec::new();
    let mut slots: HashMap<&str, usize> = HashMap::new();
    for v in versions.iter().filter(|v| !v.deleted) {
        if let Some(id) = v.id.as_deref() {
            slots.entry(id).or_insert_with(|| {
                ids.push(id);
                ids.len() - 1
            });
        }
    }
    let texts = blobs.texts(&ids)?;
    let mut renumbered: HashMap<usize, usize> = HashMap::new();
    let mut mine = Vec::with_capacity(versions.len());
    for v in versions {
        let commit = *renumbered.entry(v.commit).or_insert_with(|| {
            one.commits.push(history.commits[v.commit].clone());
            one.commits.len() - 1
        });
        let slot =
            v.id.as_deref()
                .filter(|_| !v.deleted)
                .and_then(|id| slots.get(id).copied());
        let text = slot.and_then(|i| texts.get(i).cloned().flatten());
        mine.push(Version {
            commit,
            blob: slot.filter(|_| text.is_some()),
            text,
            id: v.id.clone(),
            deleted: v.deleted,
            other_files: v.other_files.clone(),
        });
    }
    one.versions.insert(dir.to_string(), mine);
    Ok(one)
}

/// What to hand `git log` as paths: the packet folders, or, for many, their parent folders (git
/// matches each commit's files against every pathspec, so thousands of them would be slow).
fn pathspecs(packet_dirs: &[String]) -> Vec<String> {
    if packet_dirs.len() <= 64 {
        return packet_dirs.to_vec();
    }
    let mut parents: Vec<String> = packet_dirs
        .iter()
        .map(|d| {
            d.rsplit_once('/')
                .map_or_else(|| ".".to_string(), |(parent, _)| parent.to_string())
        })
        .collect();
    parents.sort();
    parents.dedup();
    parents
}

/// One `git cat-file --batch` process, asked for texts a batch at a time: a bounded pipeline
/// (never more than [`Blobs::BATCH`] requests in flight, never more than one batch of texts
/// held).
pub struct Blobs {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Blobs {
    /// Requests written before their answers are read (their ids fit in a pipe's buffer, so
    /// writing never waits on reading).
    pub const BATCH: usize = 64;

    /// Start the reader for the repository at `top`.
    pub fn open(top: &Path) -> Result<Self, GitError> {
        let (child, stdin, stdout) =
            crate::facts::git::cat_file_batch(top).map_err(|e| GitError(e.0))?;
        Ok(Blobs {
            child,
            stdin,
            stdout,
        })
    }

    /// The texts of `ids`, in order (`None` for one that is not UTF-8 text, is larger than a
    /// packet file may be, or cannot be read).
    pub fn texts(&mut self, ids: &[&str]) -> Result<Vec<Option<String>>, GitError> {
        let mut out = Vec::with_capacity(ids.len());
        for batch in ids.chunks(Self::BATCH) {
            let request: String = batch.iter().map(|id| format!("{id}\n")).collect();
            self.stdin
                .write_all(request.as_bytes())
                .and_then(|()| self.stdin.flush())
                .map_err(|e| GitError(format!("git cat-file stopped: {e}")))?;
            for _ in batch {
                match read_object(&mut self.stdout)? {
                    Some(text) => out.push(text),
                    None => return Err(GitError("git cat-file ended early".into())),
                }
            }
        }
        Ok(out)
    }
}

impl Drop for Blobs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Read one `git cat-file --batch` answer: `None` at the end of the output; `Some(None)` for an
/// object that is missing, too large to be a packet file (passed over unread), or not UTF-8.
fn read_object(reader: &mut impl BufRead) -> Result<Option<Option<String>>, GitError> {
    let mut header = String::new();
    if reader
        .read_line(&mut header)
        .map_err(|e| GitError(e.to_string()))?
        == 0
    {
        return Ok(None);
    }
    let size: Option<usize> = header.split(' ').nth(2).and_then(|s| s.trim().parse().ok());
    let Some(size) = size else {
        return Ok(Some(None));
    };
    // A version larger than any packet file may be is passed over, never held in memory.
    if size as u64 > crate::facts::packet::MAX_FILE_BYTES {
        let skipped = std::io::copy(&mut reader.take(size as u64 + 1), &mut std::io::sink())
            .map_err(|e| GitError(e.to_string()))?;
        if skipped != size as u64 + 1 {
            return Err(GitError("git cat-file ended early".into()));
        }
        return Ok(Some(None));
    }
    // Read into spare capacity: no zeroing of a buffer about to be overwritten.
    let mut buf = Vec::with_capacity(size + 1);
    let read = reader
        .by_ref()
        .take(size as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| GitError(e.to_string()))?;
    if read != size + 1 {
        return Err(GitError("git cat-file ended early".into()));
    }
    buf.pop();
    Ok(Some(String::from_utf8(buf).ok()))
}

/// What a commit changed in a packet, in the packet's own terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Change {
    /// The packet was created.
    Created,
    /// The packet was deleted.
    Deleted,
    /// How many answers a new packet came with.
    Answers {
        /// Answered questions.
        count: usize,
        /// Questions still open.
        open: usize,
    },
    /// The status moved.
    Status {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A question got its first answer.
    Answered {
        /// Dotted path.
        path: String,
    },
    /// An answer changed.
    Changed {
        /// Dotted path.
        path: String,
    },
    /// An answer was removed or reset to a placeholder.
    Unanswered {
        /// Dotted path.
        path: String,
    },
    /// An acceptance criterion was checked.
    Checked {
        /// Its text.
        criterion: String,
    },
    /// An acceptance criterion was unchecked.
    Unchecked {
        /// Its text.
        criterion: String,
    },
    /// A sign-off was added.
    SignedOff {
        /// Role.
        role: String,
        /// Signer.
        by: String,
        /// When.
        at: String,
    },
    /// The receiving team sent the packet back.
    SentBack {
        /// Who.
        by: String,
        /// Why.
        reason: String,
    },
    /// The markdown body was edited.
    Body,
    /// Another file of the packet changed.
    File {
        /// Its path in the packet.
        file: String,
    },
}

/// The changes between two versions of a packet.
pub fn diff(old: Option<&Packet>, new: Option<&Packet>) -> Vec<Change> {
    let mut out = Vec::new();
    let (old, new) = match (old, new) {
        (_, None) => return vec![Change::Deleted],
        (None, Some(n)) => {
            out.push(Change::Created);
            (None, n)
        }
        (Some(o), Some(n)) => (Some(o), n),
    };
    // Answers, status, sign-offs and send-backs all live in the front matter: when its text is
    // the same in both versions (an edit of the body, a box checked), none of them moved.
    let same_front = old.is_some_and(|o| {
        o.front.is_some() == new.front.is_some() && front_text(o) == front_text(new)
    });
    let old_status = old.and_then(|o| o.text("status")).unwrap_or("");
    let new_status = new.text("status").unwrap_or("");
    if old.is_some() && !same_front && old_status != new_status {
        out.push(Change::Status {
            from: old_status.into(),
            to: new_status.into(),
        });
    }
    fn front(p: Option<&Packet>) -> Option<&Node> {
        p.and_then(|p| p.front.as_ref())
    }
    if old.is_none() {
        let (mut count, mut open) = (0, 0);
        leaves(front(Some(new)), true, &mut |value| {
            if is_open(value) {
                open += 1;
            } else {
                count += 1;
            }
        });
        out.push(Change::Answers { count, open });
    } else if !same_front {
        let mut answers = Answers::default();
        answers.walk(front(old), front(Some(new)), &mut String::new(), true);
        answers.now.sort_by(|a, b| a.0.cmp(&b.0));
        answers.gone.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(answers.now.into_iter().chain(answers.gone).map(|(_, c)| c));
    }
    if let Some(old) = old {
        let before: HashMap<&str, bool> = old
            .body
            .tasks
            .iter()
            .map(|t| (t.text.as_str(), t.checked))
            .collect();
        for t in &new.body.tasks {
            match before.get(t.text.as_str()) {
                Some(false) if t.checked => out.push(Change::Checked {
                    criterion: t.text.clone(),
                }),
                Some(true) if !t.checked => out.push(Change::Unchecked {
                    criterion: t.text.clone(),
                }),
                None if t.checked => out.push(Change::Checked {
                    criterion: t.text.clone(),
                }),
                _ => {}
            }
        }
        fn body(p: &Packet) -> Option<&str> {
            p.file.as_ref().map(|f| &f.text[p.front_range.1..])
        }
        let task_change = out
            .iter()
            .any(|c| matches!(c, Change::Checked { .. } | Change::Unchecked { .. }));
        if body(old) != body(new) && !task_change {
            out.push(Change::Body);
        }
    }
    if same_front {
        return out;
    }
    let before: Vec<Signoff> = old.map(|o| signoff::read(o).0).unwrap_or_default();
    for s in signoff::read(new).0 {
        if !before.iter().any(|b| b.key() == s.key()) {
            out.push(Change::SignedOff {
                role: s.role,
                by: s.by,
                at: s.at,
            });
        }
    }
    let earlier = old.map_or(0, |o| crate::facts::sendback::read(o).len());
    for s in crate::facts::sendback::read(new).into_iter().skip(earlier) {
        out.push(Change::SentBack {
            by: s.by,
            reason: s.reason,
        });
    }
    out
}

/// The text of a packet's front matter (empty without one).
fn front_text(p: &Packet) -> Option<&str> {
    let (from, to) = p.front_range;
    p.file.as_ref().and_then(|f| f.text.get(from..to))
}

fn is_open(v: &str) -> bool {
    crate::facts::packet::is_placeholder(v)
}

const SKIP: [&str; 3] = ["status", "signoffs", "sent_back"];

fn flatten(node: &Node, path: &mut String, out: &mut BTreeMap<String, String>) {
    if let Some(value) = leaf(node) {
        out.insert(path.clone(), value.to_string());
        return;
    }
    for (segment, child) in children(node) {
        if path.is_empty() && matches!(segment, Segment::Key(k) if SKIP.contains(&k)) {
            continue;
        }
        let len = path.len();
        segment.push(path);
        flatten(child, path, out);
        path.truncate(len);
    }
}

/// The text of a leaf answer (an empty answer is empty text); `None` for a list or mapping.
fn leaf(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        Value::Null => Some(""),
        Value::Seq(_) | Value::Map(_) => None,
    }
}

/// Whether two trees hold the same values (positions aside).
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Null, Value::Null) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.key == q.key && same(&p.value, &q.value))
        }
        _ => false,
    }
}

/// The children of a list or mapping, each with the path segment that leads to it.
fn children(node: &Node) -> Vec<(Segment<'_>, &Node)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .map(|e| (Segment::Key(&e.key), &e.value))
            .collect(),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| (Segment::Item(i + 1), n))
            .collect(),
        _ => Vec::new(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Segment<'a> {
    Key(&'a str),
    Item(usize),
}

impl Segment<'_> {
    fn push(self, path: &mut String) {
        match self {
            Segment::Key(k) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Segment::Item(i) => {
                let _ = write!(path, "[{i}]");
            }
        }
    }
}

/// A version's answers in a few bytes, for telling whether [`diff`] would find an answer
/// changed between two versions without holding both: a 128-bit hash of the answers given (path
/// and value), and a 64-bit hash of each open answer's path and value (an open answer counts
/// only where the other version has the same question). Two versions differ here exactly when
/// `diff` reports an answer given, changed or removed between them, but for a hash collision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerPrint {
    given: u128,
    /// `(path, value)` hashes, sorted by path.
    open: Vec<(u64, u64)>,
}

impl AnswerPrint {
    /// The print of a packet's answers (status, sign-offs and send-backs left out).
    pub fn of(packet: &Packet) -> AnswerPrint {
        AnswerPrint::asked_by_ready(packet, None)
    }

    /// The print of the answers a packet owes by the ready gate: with the kind's questions
    /// (`fields`), those asked only from a later gate or on a day after day 0 are left out, with
    /// everything below them.
    pub fn asked_by_ready(
        packet: &Packet,
        fields: Option<&[crate::facts::kind::FieldSpec]>,
    ) -> AnswerPrint {
        use std::hash::{Hash, Hasher};
        let mut given: Vec<(u64, u64)> = Vec::new();
        let mut open: Vec<(u64, u64)> = Vec::new();
        fn walk(
            node: &Node,
            path: std::collections::hash_map::DefaultHasher,
            top: bool,
            fields: Option<&[crate::facts::kind::FieldSpec]>,
            given: &mut Vec<(u64, u64)>,
            open: &mut Vec<(u64, u64)>,
        ) {
            if let Some(value) = leaf(node) {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                value.hash(&mut h);
                let entry = (path.finish(), h.finish());
                if is_open(value) {
                    open.push(entry);
                } else {
                    given.push(entry);
                }
                return;
            }
            for (segment, child) in children(node) {
                if top && matches!(segment, Segment::Key(k) if SKIP.contains(&k)) {
                    continue;
                }
                let mut h = path.clone();
                let mut below = fields;
                match segment {
                    Segment::Key(k) => {
                        let field = fields.and_then(|fs| fs.iter().find(|f| f.key == k));
                        if field.is_some_and(|f| {
                            f.gate > crate::facts::gate::Gate::Ready || f.due.is_some()
                        }) {
                            continue;
                        }
                        below = field.map(|f| f.fields.as_slice());
                        0u8.hash(&mut h);
                        k.hash(&mut h);
                    }
                    Segment::Item(i) => {
                        1u8.hash(&mut h);
                        i.hash(&mut h);
                    }
                }
                walk(child, h, false, below, given, open);
            }
        }
        if let Some(front) = packet.front.as_ref() {
            walk(
                front,
                std::collections::hash_map::DefaultHasher::new(),
                true,
                fields,
                &mut given,
                &mut open,
            );
        }
        given.sort_unstable();
        open.sort_unstable();
        let mut low = std::collections::hash_map::DefaultHasher::new();
        let mut high = std::collections::hash_map::DefaultHasher::new();
        0xa5u8.hash(&mut high);
        for pair in &given {
            pair.hash(&mut low);
            pair.hash(&mut high);
        }
        AnswerPrint {
            given: (u128::from(high.finish()) << 64) | u128::from(low.finish()),
            open,
        }
    }

    /// Whether `diff` between the two versions reports an answer given, changed or removed.
    pub fn differs(&self, other: &AnswerPrint) -> bool {
        if self.given != other.given {
            return true;
        }
        // An open answer changed to another open answer (one placeholder for another).
        let (mut a, mut b) = (self.open.iter().peekable(), other.open.iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            match x.0.cmp(&y.0) {
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
                std::cmp::Ordering::Equal => {
                    if x.1 != y.1 {
                        return true;
                    }
                    a.next();
                    b.next();
                }
            }
        }
        false
    }
}

/// Every leaf answer under `node` (status, sign-offs and send-backs left out at the top).
fn leaves<'n>(node: Option<&'n Node>, top: bool, each: &mut impl FnMut(&'n str)) {
    let Some(node) = node else { return };
    if let Some(value) = leaf(node) {
        each(value);
        return;
    }
    for (segment, child) in children(node) {
        if top && matches!(segment, Segment::Key(k) if SKIP.contains(&k)) {
            continue;
        }
        leaves(Some(child), false, each);
    }
}

/// The answer changes between two front matters, found by walking both trees side by side: paths
/// are only written out for the answers that changed.
#[derive(Default)]
struct Answers {
    /// Answers given, changed or reset, by path.
    now: Vec<(String, Change)>,
    /// Answers removed, by path.
    gone: Vec<(String, Change)>,
}

impl Answers {
    fn walk<'n>(
        &mut self,
        old: Option<&'n Node>,
        new: Option<&'n Node>,
        path: &mut String,
        top: bool,
    ) {
        // Most of a packet is the same from one version to the next: an unchanged subtree has
        // nothing to report, and is passed over without building its paths.
        if let (Some(o), Some(n)) = (old, new)
            && same(o, n)
        {
            return;
        }
        let (a, b) = (old.and_then(leaf), new.and_then(leaf));
        if let Some(value) = b {
            let change = match a {
                None if !is_open(value) => Some(Change::Answered { path: path.clone() }),
                Some(before) if before != value => Some(if is_open(before) && !is_open(value) {
                    Change::Answered { path: path.clone() }
                } else if is_open(value) {
                    Change::Unanswered { path: path.clone() }
                } else {
                    Change::Changed { path: path.clone() }
                }),
                _ => None,
            };
            if let Some(change) = change {
                self.now.push((path.clone(), change));
            }
        }
        if let Some(before) = a
            && b.is_none()
            && !is_open(before)
        {
            self.gone
                .push((path.clone(), Change::Unanswered { path: path.clone() }));
        }
        // Children by key (mappings) or by position (lists), with no list of them built: this
        // runs for every commit of every packet.
        let entries = |n: Option<&'n Node>, leafy: bool| match n.map(|n| &n.value) {
            Some(Value::Map(e)) if !leafy => e.as_slice(),
            _ => &[],
        };
        let items = |n: Option<&'n Node>, leafy: bool| match n.map(|n| &n.value) {
            Some(Value::Seq(i)) if !leafy => i.as_slice(),
            _ => &[],
        };
        let (old_entries, new_entries) = (entries(old, a.is_some()), entries(new, b.is_some()));
        let (old_items, new_items) = (items(old, a.is_some()), items(new, b.is_some()));
        let skip = |key: &str| top && SKIP.contains(&key);
        let find = |list: &'n [Entry], i: usize, key: &str| -> Option<&'n Node> {
            // Keys usually keep their order between versions: look at the same place first.
            match list.get(i) {
                Some(e) if e.key == key => Some(&e.value),
                _ => list.iter().find(|e| e.key == key).map(|e| &e.value),
            }
        };
        for (i, e) in new_entries.iter().enumerate() {
            if skip(&e.key) {
                continue;
            }
            let len = path.len();
            Segment::Key(&e.key).push(path);
            self.walk(find(old_entries, i, &e.key), Some(&e.value), path, false);
            path.truncate(len);
        }
        for (i, e) in old_entries.iter().enumerate() {
            if skip(&e.key) || find(new_entries, i, &e.key).is_some() {
                continue;
            }
            let len = path.len();
            Segment::Key(&e.key).push(path);
            self.walk(Some(&e.value), None, path, false);
            path.truncate(len);
        }
        for (i, item) in new_items.iter().enumerate() {
            let len = path.len();
            Segment::Item(i + 1).push(path);
            self.walk(old_items.get(i), Some(item), path, false);
            path.truncate(len);
        }
        for (i, item) in old_items.iter().enumerate().skip(new_items.len()) {
            let len = path.len();
            Segment::Item(i + 1).push(path);
            self.walk(Some(item), None, path, false);
            path.truncate(len);
        }
    }
}

pub use crate::facts::person::email_of;

/// For each sign-off entry ever in the packet (by its whole content), the commit that first recorded it.
pub fn recorded_in<'h>(
    history: &'h History,
    dir: &str,
    packet: &Packet,
) -> HashMap<signoff::Key, &'h Commit> {
    let versions = history
        .versions
        .get(dir)
        .map(Vec::as_slice)
        .unwrap_or_default();
    recorded_versions(history, dir, packet)
        .into_iter()
        .map(|(k, i)| (k, &history.commits[versions[i].commit]))
        .collect()
}

/// For each sign-off entry ever in the packet, the index (in `history.versions[dir]`) of the
/// version that first recorded it: the packet as its signer saw it.
pub fn recorded_versions(
    history: &History,
    dir: &str,
    packet: &Packet,
) -> HashMap<signoff::Key, usize> {
    let Some(versions) = history.versions.get(dir) else {
        return HashMap::new();
    };
    first_recorded(
        versions
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i, v.text.as_deref()?))),
        packet,
    )
}

/// For each sign-off entry among the texts given (numbered, oldest first), the number of the
/// first that records it.
fn first_recorded<'t>(
    texts: impl Iterator<Item = (usize, &'t str)>,
    packet: &Packet,
) -> HashMap<signoff::Key, usize> {
    let mut found = HashMap::new();
    // Versions whose sign-offs read the same as one already read add nothing new.
    let mut seen: std::collections::HashSet<&str> = Default::default();
    for (i, text) in texts {
        // Every sign-off entry names its role; a version without `role:` records none.
        if !text.contains("signoffs") || !text.contains("role:") {
            continue;
        }
        if !seen.insert(signoffs_block(text).unwrap_or(text)) {
            continue;
        }
        // Sign-offs live in the front matter: the body is not read.
        let p = Packet::front_only(&packet.dir, Path::new(""), text.to_string());
        for s in signoff::read(&p).0 {
            found.entry(s.key()).or_insert(i);
        }
    }
    found
}

/// [`audit_recorded`] for a history read without texts ([`read_ids`]): the packet's versions are
/// fetched through `blobs`, used, and let go.
pub fn audit_fetching(
    history: &History,
    dir: &str,
    packet: &Packet,
    blobs: &mut Blobs,
) -> Result<Vec<AuditFinding>, GitError> {
    let versions = history
        .versions
        .get(dir)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let wanted: Vec<(usize, &str)> = versions
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.deleted)
        .filter_map(|(i, v)| Some((i, v.id.as_deref()?)))
        .collect();
    let ids: Vec<&str> = wanted.iter().map(|(_, id)| *id).collect();
    let texts = blobs.texts(&ids)?;
    let numbered = wanted
        .iter()
        .zip(&texts)
        .filter_map(|((i, _), text)| Some((*i, text.as_deref()?)));
    let recorded: HashMap<signoff::Key, &Commit> = first_recorded(numbered, packet)
        .into_iter()
        .map(|(k, i)| (k, &history.commits[versions[i].commit]))
        .collect();
    Ok(audit_recorded(&recorded, packet))
}

/// The lines of a packet's text that hold its whole `signoffs:` value, when it is written in
/// block style (`signoffs:` alone on its line, entries on the lines below); `None` when that cannot
/// be told from the lines alone. Two versions with the same block read as the same sign-offs (or,
/// when the rest of the front matter breaks, as none).
fn signoffs_block(text: &str) -> Option<&str> {
    let front = text.strip_prefix("---\n")?;
    let mut start = None;
    let mut offset = 4;
    for line in front.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            break;
        }
        if line.starts_with("signoffs") {
            // Two `signoffs` keys, or a value on the key's line: read the whole text instead.
            if start.is_some() || bare != "signoffs:" {
                return None;
            }
            start = Some(offset);
        } else if let Some(from) = start {
            // The value goes on while lines are indented, comments, blank, or list items level
            // with the key; the next top-level key (or the end of the front matter) ends it.
            let inside = line.starts_with([' ', '\t', '#', '\n', '\r'])
                || line.starts_with("- ")
                || bare == "-";
            if !inside {
                return Some(&text[from..offset]);
            }
        }
        offset += line.len();
    }
    start.map(|from| &text[from..offset])
}

/// The text of `handoff.md` as of version `i` (the latest version at or before it that carries
/// the text).
pub fn text_at<'h>(history: &'h History, dir: &str, i: usize) -> Option<&'h str> {
    let versions = history.versions.get(dir)?;
    versions.get(..=i)?.iter().rev().find_map(|v| {
        if v.deleted {
            Some(None)
        } else {
            v.text.as_deref().map(Some)
        }
    })?
}

/// Every answer of a packet by its dotted path (lists as `key[1]`), as text; the sign-offs,
/// send-backs and status left out.
pub fn answers(packet: &Packet) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if let Some(front) = packet.front.as_ref() {
        flatten(front, &mut String::new(), &mut map);
    }
    map
}

/// What git history says against a recorded sign-off.
#[derive(Debug, Clone)]
pub enum Recorded {
    /// No commit records it yet.
    Unrecorded,
    /// The commit that recorded it was authored by someone else.
    ByOther(Commit),
    /// It says it was made more than a day after the commit that recorded it.
    AfterCommit(Commit),
}

/// A sign-off of the packet as it is now whose recording git does not bear out.
#[derive(Debug, Clone)]
pub struct AuditFinding {
    /// The sign-off.
    pub signoff: Signoff,
    /// What history says.
    pub recorded: Recorded,
}

/// The sign-offs of `packet` (as it is now) that are not committed, or were committed by someone
/// other than their signer, given the commit that first recorded each sign-off entry.
pub fn audit_recorded(
    recorded: &HashMap<signoff::Key, &Commit>,
    packet: &Packet,
) -> Vec<AuditFinding> {
    let mut out = Vec::new();
    for s in signoff::read(packet).0 {
        let after = |c: &Commit| {
            let made = chrono::DateTime::parse_from_rfc3339(s.at.trim()).ok();
            let committed = chrono::DateTime::parse_from_rfc3339(&c.date).ok();
            matches!((made, committed), (Some(m), Some(c)) if m > c + chrono::Duration::days(1))
        };
        let found = match recorded.get(&s.key()) {
            None => Some(Recorded::Unrecorded),
            Some(c) if after(c) => Some(Recorded::AfterCommit((*c).clone())),
            Some(c) if email_of(&s.by).is_some_and(|e| e != c.email.to_lowercase()) => {
                Some(Recorded::ByOther((*c).clone()))
            }
            _ => None,
        };
        if let Some(recorded) = found {
            out.push(AuditFinding {
                signoff: s,
                recorded,
            });
        }
    }
    out
}

/// Whether the repository at `top` is a shallow clone (its history is cut off).
pub fn is_shallow(top: &Path) -> bool {
    // Git knows a clone is shallow by `.git/shallow`: in a plain work tree without that file,
    // the answer needs no git process.
    if crate::facts::packet::git_index::plain_work_tree(top).is_some_and(|t| t == top)
        && !top.join(".git").join("shallow").exists()
    {
        return false;
    }
    crate::facts::git::command()
        .current_dir(top)
        .args(["rev-parse", "--is-shallow-repository"])
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "true")
}

/// What to say when history is cut off: once per command, on stderr.
pub const SHALLOW_NOTE: &str = "this is a shallow clone, so git history is incomplete: the sign-off audit is skipped, and a record that needs a signed commit to count (`[trust] proof`) does not count; \
fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` for actions/checkout)";

/// What changed since a base ref: files (absolute paths) and the base commit's date.
#[derive(Debug)]
pub struct ChangedSince {
    /// Files changed in commits since the base, in the working tree, or untracked.
    pub files: Vec<PathBuf>,
    /// The base commit's committer date.
    pub base_date: chrono::NaiveDate,
}

/// Files changed since `base` (committed, staged, unstaged or untracked), from the repo at `dir`.
pub fn changed_since(dir: &Path, base: &str) -> Result<ChangedSince, GitError> {
    // Resolved, as git names it: the files are matched against resolved packet folders.
    let top = toplevel(dir)?;
    let top = top.canonicalize().unwrap_or(top);
    let git = |args: &[&str]| -> Result<String, GitError> {
        let out = crate::facts::git::command()
            .current_dir(&top)
            .args(args)
            .output()
            .map_err(|e| GitError(format!("cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(GitError(
                String::from_utf8_lossy(&out.stderr).trim().to_string(),
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    if base.starts_with('-') {
        return Err(GitError(format!(
            "`{base}` is not a git revision (it starts with `-`)"
        )));
    }
    let verified = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &format!("{base}^{{commit}}"),
    ])
    .map_err(|_| GitError(format!("`{base}` is not a commit in this repository")))?;
    let base = verified.trim();
    let date = git(&["log", "-1", "--format=%cs", base, "--"])?;
    let base_date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| GitError(format!("cannot read the date of {base}")))?;
    let mut files: Vec<PathBuf> = Vec::new();
    for list in [
        git(&[
            "-c",
            "core.quotePath=false",
            "diff",
            "--name-only",
            base,
            "--",
        ])?,
        git(&[
            "-c",
            "core.quotePath=false",
            "ls-files",
            "--others",
            "--exclude-standard",
        ])?,
    ] {
        files.extend(list.lines().filter(|l| !l.is_empty()).map(|l| top.join(l)));
    }
    Ok(ChangedSince { files, base_date })
}

/// The files staged for commit in the repository holding `dir` (added, changed, renamed or
/// deleted: a packet that lost a file is checked too), as absolute paths.
pub fn staged(dir: &Path) -> Result<Vec<PathBuf>, GitError> {
    let top = toplevel(dir)?;
    let top = top.canonicalize().unwrap_or(top);
    let out = crate::facts::git::command()
        .current_dir(&top)
        .args([
            "-c",
            "core.quotePath=false",
            "diff",
            "--cached",
            "--name-only",
            "-z",
        ])
        .output()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(GitError(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|l| !l.is_empty())
        .map(|l| top.join(l))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer changes as a diff of the two packets' flattened answers, path by path.
    fn by_flattening(old: &Packet, new: &Packet) -> Vec<Change> {
        let (a, b) = (answers(old), answers(new));
        let mut out = Vec::new();
        for (path, value) in &b {
            let path = path.clone();
            match a.get(&path) {
                None if !is_open(value) => out.push(Change::Answered { path }),
                Some(before) if before != value => {
                    out.push(if is_open(before) && !is_open(value) {
                        Change::Answered { path }
                    } else if is_open(value) {
                        Change::Unanswered { path }
                    } else {
                        Change::Changed { path }
                    })
                }
                _ => {}
            }
        }
        for (path, value) in &a {
            if !b.contains_key(path) && !is_open(value) {
                out.push(Change::Unanswered { path: path.clone() });
            }
        }
        out
    }

    #[test]
    fn a_signoffs_block_is_its_whole_value_or_nothing() {
        let text = "---\nid: a\nsignoffs:\n- role: pm\n  by: A <a@x.test>\n\n  # note\n  - x\nstatus: ready\n---\nbody\n";
        assert_eq!(
            signoffs_block(text),
            Some("signoffs:\n- role: pm\n  by: A <a@x.test>\n\n  # note\n  - x\n")
        );
        let last = "---\nid: a\nsignoffs:\n  - role: pm\n---\n- role: qa\n";
        assert_eq!(signoffs_block(last), Some("signoffs:\n  - role: pm\n"));
        assert_eq!(signoffs_block("---\nsignoffs: [{role: pm}]\n---\n"), None);
        assert_eq!(signoffs_block("---\nsignoffs:\nsignoffs:\n---\n"), None);
        assert_eq!(signoffs_block("no front matter"), None);
    }

    #[test]
    fn walking_both_trees_finds_what_comparing_every_answer_finds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/handoffs");
        let mut packets: Vec<Packet> = std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let text = std::fs::read_to_string(e.path().join("handoff.md")).ok()?;
                Some(Packet::from_text(&e.path(), &e.path(), text))
            })
            .collect();
        // Versions that differ a little, as commits do: an answer changed, one reset, one removed.
        let first = std::fs::read_to_string(root.join("winback-email/handoff.md")).unwrap();
        for edit in [
            first.replacen("status: signed-off", "status: ready", 1),
            first.replacen("  kpi: ", "  kpi: TODO: ", 1),
            first.replacen("  backup: ", "  backup_old: ", 1),
        ] {
            packets.push(Packet::from_text(&root, &root, edit));
        }
        assert!(packets.len() >= 10);
        let mut compared = 0;
        for old in &packets {
            for new in &packets {
                let walked: Vec<Change> = diff(Some(old), Some(new))
                    .into_iter()
                    .filter(|c| {
                        matches!(
                            c,
                            Change::Answered { .. }
                                | Change::Changed { .. }
                                | Change::Unanswered { .. }
                        )
                    })
                    .collect();
                assert_eq!(walked, by_flattening(old, new));
                compared += usize::from(!walked.is_empty());
            }
        }
        assert!(compared > 50, "only {compared} pairs had answer changes");
    }
}
