//! The user's own `git`, for what the proofs need from it: a commit's files and objects, and
//! what git says of a commit's signature. Every value handed to git goes after `--` or is
//! verified as an object name first; nothing read here is ever run.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why git could not answer.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// git could not be started.
    #[error("cannot run git: {0}")]
    Start(#[source] std::io::Error),
    /// git ran and failed: what it said on stderr.
    #[error("{0}")]
    Failed(String),
    /// `git log` failed: what it said on stderr.
    #[error("git log failed: {0}")]
    LogFailed(String),
    /// Waiting for git failed.
    #[error("git failed: {0}")]
    Wait(#[source] std::io::Error),
    /// git's output could not be read.
    #[error("cannot read git output: {0}")]
    Output(#[source] std::io::Error),
    /// git was started without the pipe its output comes through.
    #[error("git gave no output")]
    NoOutput,
    /// The folder is in no git work tree.
    #[error("{} is not in a git repository", .0.display())]
    NotARepository(PathBuf),
    /// A file to commit lies outside the work tree.
    #[error("{} is outside the repository", crate::support::paths::shown(.0))]
    Outside(PathBuf),
    /// A revision given on the command line starts with `-` (git would read an option).
    #[error("`{0}` is not a git revision (it starts with `-`)")]
    OptionLike(String),
    /// A revision that names no commit here.
    #[error("`{0}` is not a commit in this repository")]
    NoSuchCommit(String),
    /// A commit whose date git did not give.
    #[error("cannot read the date of {0}")]
    NoDate(String),
    /// What was handed to git as a commit id is not one.
    #[error("not a commit id")]
    NotACommitId,
    /// An object name with a line break (the batch reads a name a line).
    #[error("an object name holds a line break")]
    LineBreak,
    /// A blob asked for as text that is not UTF-8.
    #[error("{0} is not UTF-8 text")]
    NotText(String),
    /// A blob asked for as text that is larger than allowed.
    #[error("{spec} is larger than {cap} bytes")]
    TooLarge {
        /// The object asked for (`COMMIT:path`).
        spec: String,
        /// The most bytes allowed.
        cap: u64,
    },
    /// `git cat-file --batch` was started without its pipes.
    #[error("git cat-file has no pipes")]
    NoPipes,
    /// A request could not be written to `git cat-file --batch`.
    #[error("git cat-file stopped: {0}")]
    Stopped(#[source] std::io::Error),
    /// An answer of `git cat-file --batch` could not be read.
    #[error("{0}")]
    Read(#[source] std::io::Error),
    /// `git cat-file --batch` ended before all its answers.
    #[error("git cat-file ended early")]
    EndedEarly,
    /// The thread reading the history's texts stopped before the log ended.
    #[error("the history reader stopped")]
    ReaderStopped,
}

/// The one way `git` is started: every run of git in the tool begins here. It never asks for a
/// password on a terminal, takes no optional locks (a check never blocks a commit in progress),
/// and runs no file-system monitor hook.
pub fn command() -> Command {
    let mut cmd = Command::new("git");
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .args(["-c", "core.fsmonitor=false"]);
    cmd
}

/// `git ARGS` in `dir`: its output, or what it said on failure.
pub fn output(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = command()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(GitError::Start)?;
    if !out.status.success() {
        return Err(GitError::Failed(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `git ARGS` in `dir`: its raw output, `None` when git could not run or failed (what it said is
/// not kept: the callers fall back to reading the files themselves).
pub fn bytes(dir: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let out = command()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

/// Who git says is acting in `dir`: its author identity as `Name <email>` (`git var
/// GIT_AUTHOR_IDENT`, which honours `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL` and `user.name` and
/// `user.email`), without the time.
pub fn author_ident(dir: &Path) -> Option<String> {
    let line = String::from_utf8(bytes(dir, &["var", "GIT_AUTHOR_IDENT"])?).ok()?;
    line.find('>').map(|i| line[..=i].trim().to_string())
}

/// The text of the blob `spec` (`COMMIT:path`) in the repository at `top`: `None` when there is
/// none (or it is a folder), an error when it is larger than `cap` or not UTF-8 text.
pub fn blob_text(top: &Path, spec: &str, cap: u64) -> Result<Option<String>, GitError> {
    match objects(top, &[spec.to_string()], cap)?.pop() {
        Some(Object::Bytes(bytes)) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| GitError::NotText(spec.to_string())),
        Some(Object::TooBig(_)) => Err(GitError::TooLarge {
            spec: spec.to_string(),
            cap,
        }),
        Some(Object::Missing) | None => Ok(None),
    }
}

/// The full id of the commit `rev` names, when it names one here.
pub fn commit_id(dir: &Path, rev: &str) -> Option<String> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains(['\0', '\n']) {
        return None;
    }
    output(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .ok()
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
}

/// One file of a commit's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// `100644`, `100755`, `120000` (a link), `160000` (a submodule).
    pub mode: String,
    /// The object id.
    pub id: String,
    /// The path below the folder asked for, `/`-separated.
    pub rel: String,
}

/// The files under `dir` (relative to the work tree's top, `/`-separated) in `commit`, in git's
/// order (bytewise by path).
pub fn tree(top: &Path, commit: &str, dir: &str) -> Result<Vec<TreeEntry>, GitError> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{}/", dir.trim_end_matches('/'))
    };
    let listed = output(
        top,
        &[
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            commit,
            "--",
            &format!(":(literal){prefix}"),
        ],
    )?;
    let mut out = Vec::new();
    for record in listed.split('\0').filter(|r| !r.is_empty()) {
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (Some(mode), Some(_kind), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        out.push(TreeEntry {
            mode: mode.to_string(),
            id: id.to_string(),
            rel: rel.to_string(),
        });
    }
    Ok(out)
}

/// An object as `git cat-file --batch` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// Its bytes.
    Bytes(Vec<u8>),
    /// Larger than the cap asked for: its size, unread.
    TooBig(u64),
    /// Not there.
    Missing,
}

impl Object {
    /// Its text, when it is a blob read whole and UTF-8 text.
    pub fn text(self) -> Option<String> {
        match self {
            Object::Bytes(bytes) => String::from_utf8(bytes).ok(),
            Object::TooBig(_) | Object::Missing => None,
        }
    }
}

/// The objects named by `names` (ids, or `COMMIT:path`), in order; any over `cap` bytes is
/// passed over unread.
pub fn objects(top: &Path, names: &[String], cap: u64) -> Result<Vec<Object>, GitError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    if names.iter().any(|n| n.contains(['\n', '\0'])) {
        return Err(GitError::LineBreak);
    }
    Batch::open(top)?.many(names, cap)
}

/// Read one `git cat-file --batch` answer; an error at the end of the output.
fn read_object(reader: &mut impl BufRead, cap: u64) -> Result<Object, GitError> {
    let mut header = String::new();
    if reader.read_line(&mut header).map_err(GitError::Read)? == 0 {
        return Err(GitError::EndedEarly);
    }
    // `<id> <kind> <size>`, or `<name> missing`.
    let mut fields = header.split(' ');
    let blob = fields.nth(1) == Some("blob");
    let Some(size) = fields.next().and_then(|s| s.trim().parse::<u64>().ok()) else {
        return Ok(Object::Missing);
    };
    // An object larger than asked for is passed over, never held in memory.
    if size > cap && blob {
        let skipped = std::io::copy(&mut reader.take(size + 1), &mut std::io::sink())
            .map_err(GitError::Read)?;
        if skipped != size + 1 {
            return Err(GitError::EndedEarly);
        }
        return Ok(Object::TooBig(size));
    }
    // Read into spare capacity: no zeroing of a buffer about to be overwritten.
    let mut buf = Vec::with_capacity(size as usize + 1);
    let read = reader
        .by_ref()
        .take(size + 1)
        .read_to_end(&mut buf)
        .map_err(GitError::Read)?;
    if read as u64 != size + 1 {
        return Err(GitError::EndedEarly);
    }
    buf.pop();
    // A folder or a commit where a file was asked for is no file.
    Ok(if blob {
        Object::Bytes(buf)
    } else {
        Object::Missing
    })
}

/// What git says of a commit's signature.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signature {
    /// `%G?`: `G` good, `U` good from a key of unknown validity, `B` bad, `N` none, `E` cannot
    /// be checked, `X`/`Y` expired, `R` revoked.
    pub status: char,
    /// `%GF`: the fingerprint of the key that made it.
    pub fingerprint: String,
    /// `%GS`: the signer (for SSH, the principal of the allowed-signers file that matched).
    pub signer: String,
    /// `%GP`: the primary key's fingerprint (OpenPGP subkeys).
    pub primary: String,
}

/// What git says of each commit's signature, checking SSH signatures against the
/// allowed-signers file given (and nothing the user's configuration names instead).
pub fn signatures(
    top: &Path,
    commits: &[String],
    allowed_signers: &Path,
) -> Result<HashMap<String, Signature>, GitError> {
    let mut out = HashMap::new();
    if commits.is_empty() {
        return Ok(out);
    }
    if commits
        .iter()
        .any(|c| c.len() < 7 || !c.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(GitError::NotACommitId);
    }
    let allowed = format!(
        "gpg.ssh.allowedSignersFile={}",
        allowed_signers.to_string_lossy()
    );
    for batch in commits.chunks(256) {
        let mut args: Vec<&str> = vec![
            "-c",
            &allowed,
            "-c",
            "log.showSignature=false",
            "log",
            "--no-walk=unsorted",
            "--format=%H%x1f%G?%x1f%GF%x1f%GS%x1f%GP",
        ];
        args.extend(batch.iter().map(String::as_str));
        args.push("--");
        let text = output(top, &args)?;
        for line in text.lines() {
            let f: Vec<&str> = line.split('\u{1f}').collect();
            if let [id, status, fingerprint, signer, primary] = f[..] {
                out.insert(
                    id.to_string(),
                    Signature {
                        status: status.chars().next().unwrap_or('N'),
                        fingerprint: fingerprint.to_string(),
                        signer: signer.to_string(),
                        primary: primary.to_string(),
                    },
                );
            }
        }
    }
    Ok(out)
}

/// `path` relative to the work tree's top `top`, with `/` between its parts as git writes paths
/// (`""` for the top itself); `None` when it lies outside.
pub fn relative(top: &Path, path: &Path) -> Option<String> {
    let abs = crate::support::paths::absolute(path);
    let rel = abs.strip_prefix(top).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// `path` as a pathspec for git run at `top`: relative to it, or the absolute path when it lies
/// outside (git then names it in its error).
pub fn pathspec(top: &Path, path: &Path) -> String {
    relative(top, path).unwrap_or_else(|| {
        crate::support::paths::absolute(path)
            .to_string_lossy()
            .replace('\\', "/")
    })
}

/// The top of the work tree around `dir`, when it is in one.
pub fn top(dir: &Path) -> Result<std::path::PathBuf, GitError> {
    let out = output(dir, &["rev-parse", "--show-toplevel"])?;
    Ok(std::path::PathBuf::from(out.trim()))
}

/// A commit made by [`commit_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// Its id.
    pub id: String,
    /// Whether it carries a signature.
    pub signed: bool,
}

/// Commit `files` (paths inside the work tree at `top`) and nothing else, as git's author
/// identity, with `message`; signed when `sign`, or when git is set to sign
/// (`commit.gpgsign`). Other staged changes stay staged.
pub fn commit_files(
    top: &Path,
    files: &[std::path::PathBuf],
    message: &str,
    sign: bool,
) -> Result<Committed, GitError> {
    let top_abs = crate::support::paths::absolute(top);
    let specs: Vec<String> = files
        .iter()
        .map(|f| {
            let abs = crate::support::paths::absolute(f);
            abs.strip_prefix(&top_abs)
                .map(|r| format!(":(literal){}", r.to_string_lossy().replace('\\', "/")))
                .map_err(|_| GitError::Outside(f.clone()))
        })
        .collect::<Result<_, _>>()?;
    let mut add: Vec<&str> = vec!["add", "--"];
    add.extend(specs.iter().map(String::as_str));
    output(top, &add)?;
    let mut commit: Vec<&str> = vec!["commit", "--quiet", "-m", message];
    if sign {
        commit.push("-S");
    }
    commit.push("--only");
    commit.push("--");
    commit.extend(specs.iter().map(String::as_str));
    output(top, &commit)?;
    let id = output(top, &["rev-parse", "HEAD"])?.trim().to_string();
    let raw = output(top, &["cat-file", "commit", &id])?;
    let signed = raw
        .lines()
        .take_while(|l| !l.is_empty())
        .any(|l| l.starts_with("gpgsig"));
    Ok(Committed { id, signed })
}

/// Take `files` out of the index again (back to what HEAD has), after a commit that failed.
pub fn unstage(top: &Path, files: &[std::path::PathBuf]) -> Result<(), GitError> {
    let top_abs = crate::support::paths::absolute(top);
    let mut args: Vec<String> = vec!["reset".into(), "--quiet".into(), "--".into()];
    args.extend(files.iter().filter_map(|f| {
        crate::support::paths::absolute(f)
            .strip_prefix(&top_abs)
            .ok()
            .map(|r| format!(":(literal){}", r.to_string_lossy().replace('\\', "/")))
    }));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    output(top, &args).map(|_| ())
}

/// One `git cat-file --batch` kept open for many questions: asked one at a time (for lookups
/// spread over a run, such as each packet's text at the base), a batch at a time (a bounded
/// pipeline: never more than [`Batch::AT_ONCE`] requests in flight), or split in two, one thread
/// asking while another reads the answers ([`Batch::halves`]).
pub struct Batch {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Batch")
    }
}

impl Batch {
    /// Requests written before their answers are read (their names fit in a pipe's buffer, so
    /// writing never waits on reading).
    pub const AT_ONCE: usize = 64;

    /// Start it in the repository at `top`: every reader of objects starts git here.
    pub fn open(top: &Path) -> Result<Batch, GitError> {
        let mut child = command()
            .current_dir(top)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(GitError::Start)?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(GitError::NoPipes);
        };
        Ok(Batch {
            child,
            stdin,
            stdout: BufReader::with_capacity(1 << 16, stdout),
        })
    }

    /// The object `name` names (an id, or `COMMIT:path`), passed over unread beyond `cap`.
    pub fn get(&mut self, name: &str, cap: u64) -> Result<Object, GitError> {
        let (mut ask, mut answers) = self.halves();
        ask.ask(name)?;
        answers.next(cap)
    }

    /// The objects `names` name, in order, [`Batch::AT_ONCE`] at a time; any over `cap` bytes
    /// is passed over unread.
    pub fn many(&mut self, names: &[impl AsRef<str>], cap: u64) -> Result<Vec<Object>, GitError> {
        let mut out = Vec::with_capacity(names.len());
        for batch in names.chunks(Self::AT_ONCE) {
            let mut request = String::new();
            for name in batch {
                let name = name.as_ref();
                if name.contains(['\n', '\0']) {
                    return Err(GitError::LineBreak);
                }
                request.push_str(name);
                request.push('\n');
            }
            self.stdin
                .write_all(request.as_bytes())
                .and_then(|()| self.stdin.flush())
                .map_err(GitError::Stopped)?;
            for _ in batch {
                out.push(read_object(&mut self.stdout, cap)?);
            }
        }
        Ok(out)
    }

    /// The texts of the blobs `ids`, in order: `None` for one that is missing, larger than
    /// `cap` (passed over unread) or not UTF-8 text.
    pub fn texts(&mut self, ids: &[&str], cap: u64) -> Result<Vec<Option<String>>, GitError> {
        Ok(self.many(ids, cap)?.into_iter().map(Object::text).collect())
    }

    /// Where the requests go and where the answers come back, apart: for a pipeline where one
    /// thread asks as names come and another reads the answers.
    pub fn halves(&mut self) -> (Requests<'_>, Answers<'_>) {
        (
            Requests {
                pipe: &mut self.stdin,
                queued: Vec::new(),
            },
            Answers(&mut self.stdout),
        )
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The asking half of a [`Batch`].
#[derive(Debug)]
pub struct Requests<'b> {
    pipe: &'b mut std::process::ChildStdin,
    /// Requests [queued](Requests::queue) and not yet sent.
    queued: Vec<u8>,
}

impl Requests<'_> {
    /// Ask for the object `name` names (an id, or `COMMIT:path`); its answer comes in turn.
    pub fn ask(&mut self, name: &str) -> Result<(), GitError> {
        self.queue(name)?;
        self.send()
    }

    /// Ask for the object `name` names, sent with the next [`Requests::send`] (or once 4 KiB of
    /// names is queued): for an asker that knows when it is about to wait.
    pub fn queue(&mut self, name: &str) -> Result<(), GitError> {
        if name.contains(['\n', '\0']) {
            return Err(GitError::LineBreak);
        }
        self.queued.extend_from_slice(name.as_bytes());
        self.queued.push(b'\n');
        if self.queued.len() >= 1 << 12 {
            self.send()?;
        }
        Ok(())
    }

    /// Send what is queued.
    pub fn send(&mut self) -> Result<(), GitError> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let sent = self
            .pipe
            .write_all(&self.queued)
            .and_then(|()| self.pipe.flush())
            .map_err(GitError::Stopped);
        self.queued.clear();
        sent
    }
}

/// The reading half of a [`Batch`].
#[derive(Debug)]
pub struct Answers<'b>(&'b mut BufReader<std::process::ChildStdout>);

impl Answers<'_> {
    /// The next answer, passed over unread beyond `cap`; an error when git stopped before it.
    pub fn next(&mut self, cap: u64) -> Result<Object, GitError> {
        read_object(self.0, cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blob written into a new repository at `dir`: its id.
    fn blob(dir: &Path, text: &str) -> String {
        let mut child = command()
            .current_dir(dir)
            .args(["hash-object", "-w", "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("git hash-object");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("hash-object output");
        String::from_utf8(out.stdout)
            .expect("id")
            .trim()
            .to_string()
    }

    #[test]
    fn queued_requests_go_when_sent_and_come_back_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let init = command()
            .current_dir(dir.path())
            .args(["init", "-q"])
            .status()
            .expect("git init");
        assert!(init.success());
        let a = blob(dir.path(), "first\n");
        let b = blob(dir.path(), "second\n");
        let mut batch = Batch::open(dir.path()).expect("cat-file");
        let (mut ask, mut answers) = batch.halves();
        ask.queue(&a).expect("queue");
        ask.queue(&b).expect("queue");
        assert!(!ask.queued.is_empty(), "nothing goes before send");
        ask.send().expect("send");
        assert!(ask.queued.is_empty());
        assert_eq!(
            answers.next(100).expect("a").text().as_deref(),
            Some("first\n")
        );
        assert_eq!(
            answers.next(100).expect("b").text().as_deref(),
            Some("second\n")
        );
        // Sending nothing is nothing; a name with a line break is refused, never sent.
        ask.send().expect("empty send");
        assert!(matches!(ask.queue("x\ny"), Err(GitError::LineBreak)));
        assert!(ask.queued.is_empty());
        ask.ask(&b).expect("ask");
        assert_eq!(
            answers.next(100).expect("b").text().as_deref(),
            Some("second\n")
        );
    }

    #[test]
    fn paths_relative_to_the_top() {
        let top = Path::new("/repo");
        assert_eq!(
            relative(top, Path::new("/repo/handoffs/a")).as_deref(),
            Some("handoffs/a")
        );
        assert_eq!(relative(top, Path::new("/repo")).as_deref(), Some(""));
        assert_eq!(relative(top, Path::new("/elsewhere/a")), None);
        assert_eq!(relative(top, Path::new("/repository/a")), None);
        assert_eq!(pathspec(top, Path::new("/repo/handoffs/a")), "handoffs/a");
        assert_eq!(pathspec(top, Path::new("/elsewhere/a")), "/elsewhere/a");
    }
}
