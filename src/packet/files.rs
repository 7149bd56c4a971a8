//! Which files belong to a packet: one list, used by the digest, `check` and `render` alike.
//!
//! In a git work tree a packet's files are the ones git tracks or would track (tracked files, and
//! untracked files that no ignore rule covers), read as they are in the working tree. So an
//! ignored scratch file never matters, and the list is the same on a fresh clone as in the signer's
//! working copy once everything is committed. Outside git, every file in the folder counts.
//! Names, depth and dots make no difference: `.runbook.md` and `a/b/c/d/e/f/g/h/i/x.md` are in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

/// The largest file a packet may hold: a packet is text, and the digest reads every file.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// How many files one packet folder may hold when listed without git.
pub const MAX_WALK_FILES: usize = 10_000;
/// How deep the walk without git goes.
pub const MAX_WALK_DEPTH: usize = 32;

/// Prefix and suffix of the temporary files `handoff sign` writes beside `handoff.md`; never
/// part of a packet (a killed `sign` may leave one behind, and the next `sign` removes it).
pub const TEMP_PREFIX: &str = ".handoff.md.";
/// See [`TEMP_PREFIX`].
pub const TEMP_SUFFIX: &str = ".tmp";

/// Whether a name (relative to the packet folder) is one of `sign`'s temporary files.
pub fn is_temp(rel: &str) -> bool {
    !rel.contains('/') && rel.starts_with(TEMP_PREFIX) && rel.ends_with(TEMP_SUFFIX)
}

/// Files per packet folder under one packets root, as git lists them.
type Listing = HashMap<String, Vec<String>>;

/// One `git ls-files` per packets root and process: the list never changes while a command runs.
static LISTINGS: OnceLock<Mutex<HashMap<PathBuf, Option<Arc<Listing>>>>> = OnceLock::new();

/// The packet's files, relative to its folder with `/` separators, sorted. `handoff.md` is always
/// among them.
pub fn list(dir: &Path) -> Vec<String> {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut files = match git_list(&abs) {
        Some(files) => files,
        None => walk(&abs),
    };
    files.retain(|f| !is_temp(f));
    if !files.iter().any(|f| f == super::PACKET_FILE) {
        files.push(super::PACKET_FILE.to_string());
    }
    files.sort();
    files.dedup();
    files
}

/// Start listing the packets root holding `dir` in the background, so that the `git ls-files`
/// runs while the caller reads kinds and packets (whoever asks first waits for the one listing).
pub fn prefetch(dir: &Path) {
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let abs = std::path::absolute(&dir).unwrap_or(dir);
        let _ = git_list(&abs);
    });
}

/// Forget what was listed (for long-running processes that see files change).
pub fn forget() {
    if let Some(cache) = LISTINGS.get() {
        cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// The root of the git work tree holding `dir` (a folder with `.git`), without running git.
pub fn work_tree_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

fn git_list(abs: &Path) -> Option<Vec<String>> {
    let root = abs.parent()?;
    let name = abs.file_name()?.to_string_lossy().into_owned();
    let cache = LISTINGS.get_or_init(Default::default);
    let listing = {
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(root.to_path_buf())
            .or_insert_with(|| ls_files(root).map(Arc::new))
            .clone()
    }?;
    Some(listing.get(&name).cloned().unwrap_or_default())
}

/// `git ls-files` of a packets root, grouped by packet folder; `None` outside a git work tree.
fn ls_files(root: &Path) -> Option<Listing> {
    work_tree_of(root)?;
    let out = Command::new("git")
        .current_dir(root)
        .args([
            "-c",
            "core.quotePath=false",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            ":(literal).",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut listing = Listing::new();
    for path in out.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let path = String::from_utf8_lossy(path);
        if let Some((packet, rel)) = path.split_once('/') {
            listing
                .entry(packet.to_string())
                .or_default()
                .push(rel.to_string());
        }
    }
    Some(listing)
}

/// Every file below `dir` (links are listed, not followed), bounded in count and depth.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new(), 0usize)];
    while let Some((path, rel, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            if out.len() >= MAX_WALK_FILES {
                return out;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let Ok(ty) = entry.file_type() else { continue };
            if ty.is_dir() {
                if depth < MAX_WALK_DEPTH {
                    stack.push((entry.path(), rel, depth + 1));
                }
            } else {
                out.push(rel);
            }
        }
    }
    out
}

/// Where a listed file leads, for the digest and for `check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A regular file, and its size in bytes.
    File(PathBuf, u64),
    /// A symbolic link: its target as written, and where it resolves when that is a regular file
    /// inside `within`.
    Link {
        /// The link's text.
        written: PathBuf,
        /// The resolved file, when it stays inside the boundary given.
        inside: Option<PathBuf>,
    },
    /// Listed by git but gone from the working tree.
    Missing,
    /// Something else (a folder for a submodule, a device).
    Other,
}

/// What the listed file `rel` of the packet in `dir` is; a link's target counts only when it
/// resolves to a regular file inside `within`.
pub fn target(dir: &Path, rel: &str, within: &Path) -> Target {
    let path = dir.join(rel);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Target::Missing;
    };
    if meta.file_type().is_symlink() {
        let written = std::fs::read_link(&path).unwrap_or_default();
        let inside = match (path.canonicalize(), within.canonicalize()) {
            (Ok(real), Ok(bound)) if real.starts_with(&bound) && real.is_file() => Some(real),
            _ => None,
        };
        return Target::Link { written, inside };
    }
    if meta.is_file() {
        Target::File(path, meta.len())
    } else {
        Target::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_of_sign_are_never_packet_files() {
        assert!(is_temp(".handoff.md.x1Yz.tmp"));
        assert!(!is_temp("sub/.handoff.md.x1Yz.tmp"));
        assert!(!is_temp("handoff.md"));
    }

    #[test]
    fn outside_git_every_file_counts_hidden_and_deep_ones_too() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        let deep = dir.join("a/b/c/d/e/f/g/h/i/j");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(dir.join(".hidden")).unwrap();
        std::fs::write(dir.join("handoff.md"), "x").unwrap();
        std::fs::write(dir.join(".runbook.md"), "x").unwrap();
        std::fs::write(dir.join(".hidden/notes.md"), "x").unwrap();
        std::fs::write(deep.join("x.md"), "x").unwrap();
        std::fs::write(dir.join(".handoff.md.abc.tmp"), "x").unwrap();
        assert_eq!(
            list(&dir),
            [
                ".hidden/notes.md",
                ".runbook.md",
                "a/b/c/d/e/f/g/h/i/j/x.md",
                "handoff.md"
            ]
        );
    }
}
