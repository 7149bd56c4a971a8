//! What changed in the work tree: since a base commit, or staged for the next commit.

use super::toplevel;
use crate::facts::git::GitError;
use std::path::{Path, PathBuf};

/// What changed since a base ref: files (absolute paths) and the base commit's date.
#[derive(Debug)]
pub struct ChangedSince {
    /// Files changed in commits since the base, in the working tree, or untracked.
    pub files: Vec<PathBuf>,
    /// The base commit's committer date.
    pub base_date: chrono::NaiveDate,
}

/// Files changed since `base` (committed, staged, unstaged or untracked), from the repo at `dir`.
pub fn since(dir: &Path, base: &str) -> Result<ChangedSince, GitError> {
    // Resolved, as git names it: the files are matched against resolved packet folders.
    let top = toplevel(dir)?;
    let top = top.canonicalize().unwrap_or(top);
    let git = |args: &[&str]| crate::facts::git::output(&top, args);
    if base.starts_with('-') {
        return Err(GitError::OptionLike(base.to_string()));
    }
    let verified = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &format!("{base}^{{commit}}"),
    ])
    .map_err(|_| GitError::NoSuchCommit(base.to_string()))?;
    let base = verified.trim();
    let date = git(&["log", "-1", "--format=%cs", base, "--"])?;
    let base_date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| GitError::NoDate(base.to_string()))?;
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
    let out = crate::facts::git::output(
        &top,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--cached",
            "--name-only",
            "-z",
        ],
    )?;
    Ok(out
        .split('\0')
        .filter(|l| !l.is_empty())
        .map(|l| top.join(l))
        .collect())
}
