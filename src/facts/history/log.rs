//! The `git log` every history reader runs, and its output read a line at a time.

use super::Commit;
use crate::facts::git::GitError;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// The `git log` every reader runs: the packets' folders as the pathspec, so git does the
/// filtering, with each commit's header and the raw list of the files it changed.
fn log_command(top: &Path, packet_dirs: &[String], verify_signatures: bool) -> Command {
    let sig = if verify_signatures { "%x1f%G?" } else { "" };
    let mut cmd = crate::facts::git::command();
    // Every reader takes the whole log: git writes it a buffer at a time, not a flush per commit
    // (what it does by default into a pipe), which wakes the reader thousands of times less.
    cmd.current_dir(top)
        .env("GIT_FLUSH", "0")
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
pub(super) fn wanted(packet_dirs: &[String]) -> HashMap<&str, usize> {
    packet_dirs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect()
}

/// A line of the log.
pub(super) enum Line<'l> {
    /// A commit's header.
    Header(Commit),
    /// A file of one of the packets asked about, changed by the commit above.
    Raw(Raw<'l>),
    /// Anything else (blank lines, files of other folders).
    Other,
}

/// A changed file of one packet.
pub(super) struct Raw<'l> {
    /// Which packet folder.
    pub(super) dir: usize,
    /// What changed.
    pub(super) file: RawFile<'l>,
}

pub(super) enum RawFile<'l> {
    /// `handoff.md` now has this blob.
    Blob(&'l str),
    /// `handoff.md` was deleted.
    Deleted,
    /// Another file, by its path in the packet.
    Other(&'l str),
}

pub(super) fn parse_line<'l>(line: &'l [u8], wanted: &HashMap<&str, usize>) -> Line<'l> {
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

/// A running `git log`, killed and waited for when dropped unfinished (a reader that stops on an
/// error leaves no process behind, which matters in the long-running language server).
pub(super) struct RunningLog(std::process::Child);

impl Drop for RunningLog {
    fn drop(&mut self) {
        // Both are no-ops once `finish_log` has waited.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl RunningLog {
    /// Start [`log_command`]: the process and its output.
    pub(super) fn start(
        top: &Path,
        packet_dirs: &[String],
        verify_signatures: bool,
    ) -> Result<(RunningLog, std::process::ChildStdout), GitError> {
        let mut child = RunningLog(
            log_command(top, packet_dirs, verify_signatures)
                .spawn()
                .map_err(GitError::Start)?,
        );
        let out = child.0.stdout.take().ok_or(GitError::NoOutput)?;
        Ok((child, out))
    }

    /// Stop it early (its reader failed).
    pub(super) fn kill(&mut self) {
        let _ = self.0.kill();
    }
}

/// Wait for `git log`: `Some(())` when it succeeded, `None` for a repository without commits
/// (no history yet), the error otherwise.
pub(super) fn finish_log(log: &mut RunningLog) -> Result<Option<()>, GitError> {
    let child = &mut log.0;
    let status = child.wait().map_err(GitError::Wait)?;
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
    Err(GitError::LogFailed(err.trim().to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// git in `dir`, which must succeed.
    fn git(dir: &Path, args: &[&str]) {
        let status = crate::facts::git::command()
            .current_dir(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.test"])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_log_stopped_unread_leaves_no_process_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        git(dir.path(), &["init", "-q"]);
        std::fs::create_dir(dir.path().join("p")).expect("mkdir");
        for i in 0..5 {
            std::fs::write(dir.path().join("p/handoff.md"), format!("v{i}\n")).expect("write");
            git(dir.path(), &["add", "-A"]);
            git(dir.path(), &["commit", "-qm", "v"]);
        }
        let (log, out) = RunningLog::start(dir.path(), &["p".to_string()], false).expect("log");
        let pid = i32::try_from(log.0.id()).expect("pid");
        // SAFETY: signal 0 only asks whether the process exists.
        assert_eq!(unsafe { libc::kill(pid, 0) }, 0, "git log runs");
        drop(out);
        drop(log);
        // Killed and reaped: the process id no longer names a process (not even a zombie).
        // SAFETY: as above.
        assert_eq!(unsafe { libc::kill(pid, 0) }, -1);
    }
}
