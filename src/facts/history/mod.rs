//! Git history: one `git log` pass over the packets asked about, plus one `git cat-file --batch`
//! for the versions of their `handoff.md`, turned into per-packet versions. `log` runs and parses
//! the log, `steps` streams it with the texts, `changes` says what a commit changed in a packet,
//! `audit` holds sign-offs against the commits that recorded them, `changed` lists the files
//! changed since a base or staged; the blobs are read through [`crate::facts::git::Batch`].

pub mod audit;
pub mod changed;
pub mod changes;
mod log;
pub mod steps;

use crate::facts::git::{Batch, GitError};
use crate::facts::packet::MAX_FILE_BYTES;
use compact_str::CompactString;
use log::{Line, RawFile, RunningLog, finish_log, parse_line, wanted};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
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
    /// [`read_ids`], which reads no texts; see [`Batch`]).
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
        .map_err(GitError::Start)?;
    if !out.status.success() {
        return Err(GitError::NotARepository(dir.to_path_buf()));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Read the history of the given packet folders (paths relative to `top`), with the text of every
/// version: `git log` and `git cat-file --batch` side by side (see [`steps::stream`]).
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
    steps::stream(top, packet_dirs, verify_signatures, |steps| {
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
/// fetches texts a packet at a time with a [`Batch`] (see [`one_packet`]), so memory stays bounded
/// however long the history.
pub fn read_ids(top: &Path, packet_dirs: &[String]) -> Result<History, GitError> {
    let mut history = History::default();
    if packet_dirs.is_empty() {
        return Ok(history);
    }
    let (mut child, stdout) = RunningLog::start(top, packet_dirs, false)?;
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
            .map_err(GitError::Output)?;
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

/// One packet's part of a history read without texts ([`read_ids`]), its texts fetched through
/// `blobs` (each distinct blob once): a [`History`] of that packet alone, its commits numbered
/// anew. What one packet's page needs, fetched when it is rendered and let go after.
pub fn one_packet(history: &History, dir: &str, blobs: &mut Batch) -> Result<History, GitError> {
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
    let texts = blobs.texts(&ids, MAX_FILE_BYTES)?;
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
