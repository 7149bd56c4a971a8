//! What `metrics pull --base REF` runs: the `[sources]` of `handoff.toml` and each packet's
//! `series:` as the base commit has them, read with git, never as the change under review has
//! them. A pull request cannot pick the environment variable a source reads its connection
//! string from, its timeout or its file, nor run a query of its own against the credentials of
//! the job before it has landed.

use super::source::SourceConfig;
use crate::facts::git::{self, Object};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The rule of a packet whose `series:` (query, source or column) differs from the base: the
/// pull skips it.
pub const QUERY_CHANGED: &str = "series-query-changed";
/// The rule of a packet whose source `handoff.toml` does not define at the base: the pull
/// skips it.
pub const SOURCE_CHANGED: &str = "series-source-changed";

/// The base commit's series definitions.
#[derive(Debug)]
pub struct AtBase {
    /// The revision as given (`origin/main`).
    pub rev: String,
    /// Its commit, abbreviated, for messages.
    pub short: String,
    commit: String,
    top: PathBuf,
    /// The one `git cat-file --batch` every file at the base is read through.
    reader: std::cell::RefCell<git::Batch>,
    /// `[sources.NAME]` of `handoff.toml` at the base (none when it had no file).
    pub sources: BTreeMap<String, SourceConfig>,
}

/// Only the `[sources]` of a `handoff.toml`; whatever else it says is the gate's business.
#[derive(serde::Deserialize, Default)]
struct SourcesOnly {
    #[serde(default)]
    sources: BTreeMap<String, SourceConfig>,
}

impl AtBase {
    /// Read the definitions at `rev` for the repository whose configuration lives in `root`
    /// (its `handoff.toml` there, or none). Fails when `rev` names no commit here or its
    /// `handoff.toml` cannot be read.
    pub fn open(root: &Path, config: &Path, rev: &str) -> Result<AtBase, String> {
        let rev = rev.trim();
        let top = git::top(root)
            .map_err(|e| format!("not inside a git repository ({e})"))?
            .canonicalize()
            .map_err(|e| format!("cannot read the repository's top: {e}"))?;
        let commit = git::commit_id(&top, rev).ok_or("there is no such commit here")?;
        let short: String = commit.chars().take(10).collect();
        let reader = git::Batch::open(&top).map_err(|e| format!("cannot read it with git: {e}"))?;
        let mut base = AtBase {
            rev: rev.to_string(),
            short,
            commit,
            top,
            reader: std::cell::RefCell::new(reader),
            sources: BTreeMap::new(),
        };
        let config = config.to_path_buf();
        let text = base
            .texts(std::slice::from_ref(&config))?
            .into_iter()
            .next()
            .flatten();
        if let Some(text) = text {
            let only: SourcesOnly = toml::from_str(&text).map_err(|e| {
                format!(
                    "its {} cannot be read: {}",
                    config.file_name().unwrap_or_default().to_string_lossy(),
                    crate::support::words::inline(e.message())
                )
            })?;
            base.sources = only.sources;
        }
        Ok(base)
    }

    /// `rev (abc1234567)`, for messages.
    pub fn named(&self) -> String {
        if self.commit.starts_with(&self.rev) {
            self.short.clone()
        } else {
            format!("{} ({})", self.rev, self.short)
        }
    }

    /// The texts of `files` (paths in the work tree) as the base commit has them: `None` for a
    /// file it does not have (or has as something else than UTF-8 text within the size cap).
    pub fn texts(&self, files: &[PathBuf]) -> Result<Vec<Option<String>>, String> {
        let mut reader = self.reader.borrow_mut();
        let mut out = Vec::with_capacity(files.len());
        for file in files {
            let text = match self.name_of(file) {
                None => None,
                Some(name) => match reader
                    .get(&name, crate::support::inside::MAX_BYTES)
                    .map_err(|e| format!("cannot read it with git: {e}"))?
                {
                    Object::Bytes(b) => String::from_utf8(b).ok(),
                    _ => None,
                },
            };
            out.push(text);
        }
        Ok(out)
    }

    /// `COMMIT:path` of a work-tree file, when it lies inside the repository.
    fn name_of(&self, file: &Path) -> Option<String> {
        let parent = file.parent()?;
        let abs = parent
            .canonicalize()
            .ok()?
            .join(file.file_name()?)
            .to_path_buf();
        let rel = abs.strip_prefix(&self.top).ok()?;
        let rel = rel.to_str()?.replace('\\', "/");
        if rel.contains(['\n', '\0']) {
            return None;
        }
        Some(format!("{}:{rel}", self.commit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_outside_git_or_an_unknown_revision_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(AtBase::open(dir.path(), &dir.path().join("handoff.toml"), "main").is_err());
    }
}
