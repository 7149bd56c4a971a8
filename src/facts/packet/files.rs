//! Which files belong to a packet: one list, used by the digest, `check` and `render` alike.
//!
//! In a git work tree a packet's files are the ones git tracks or would track (tracked files, and
//! untracked files that no ignore rule covers), read as they are in the working tree. So an
//! ignored scratch file never matters, and the list is the same on a fresh clone as in the signer's
//! working copy once everything is committed. Outside git, every file in the folder counts.
//! Names, depth and dots make no difference: `.runbook.md` and `a/b/c/d/e/f/g/h/i/x.md` are in.

use super::tree::{MAX_WALK_DEPTH, MAX_WALK_FILES, work_tree_of};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The largest file a packet may hold: a packet is text, and the digest reads every file.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

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

/// At most this many packets are listed by name (`git ls-files -- a b c`); more, and the whole
/// packets root is listed at once. Listing one packet of 10,000 by name reads 13 ms instead of
/// 90 ms of the work tree.
const FEW: usize = 16;

/// The listing of a packets root: of the packets named, or of all of them (`names` is `None`).
/// Whoever asks first does the work; the others wait for the same answer.
struct Slot {
    names: Option<Vec<String>>,
    /// For the whole root: git's index, read in-process, by packet folder; it serves each folder
    /// that holds only files the index tracks (see [`super::git_index`]).
    index: OnceLock<Option<super::git_index::Tracked>>,
    /// `git ls-files` (for the packets named: the index where it can tell, git for the rest).
    listing: OnceLock<Option<Listing>>,
}

impl Slot {
    fn new(names: Option<Vec<String>>) -> Arc<Slot> {
        Arc::new(Slot {
            names,
            index: OnceLock::new(),
            listing: OnceLock::new(),
        })
    }

    /// Do the slow part ahead of the first question: read the index, or run git when there is
    /// no index to read.
    fn warm(&self, root: &Path) {
        if self.names.is_some() || self.index(root).is_none() {
            let _ = self.get(root);
        }
    }

    fn index(&self, root: &Path) -> Option<&super::git_index::Tracked> {
        self.index
            .get_or_init(|| super::git_index::tracked_by_folder(root))
            .as_ref()
    }

    /// The files of the packet `name` in `root`; `None` outside a git work tree.
    fn files(&self, root: &Path, name: &str) -> Option<Vec<String>> {
        // Once git has listed the root, its listing answers; before, the index may.
        if self.names.is_none()
            && self.listing.get().is_none()
            && let Some(index) = self.index(root)
        {
            let files = index.files_in(name);
            if super::git_index::only_known(&root.join(name), &files) == Some(true) {
                return Some(files);
            }
        }
        Some(self.get(root)?.get(name).cloned().unwrap_or_default())
    }

    fn covers(&self, name: &str) -> bool {
        self.names
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
    }

    fn get(&self, root: &Path) -> Option<&Listing> {
        self.listing
            .get_or_init(|| match &self.names {
                Some(names) => listed_by_name(root, names),
                None => ls_files(root, None),
            })
            .as_ref()
    }
}

/// The listings of this process, per packets root: the files never change while a command runs.
static LISTINGS: OnceLock<Mutex<HashMap<PathBuf, Arc<Slot>>>> = OnceLock::new();

/// The packet's files, relative to its folder with `/` separators, sorted. `handoff.md` is always
/// among them.
pub fn list(dir: &Path) -> Vec<String> {
    let abs = crate::support::paths::absolute(dir);
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

/// Start listing the files of these packets in the background, so that `git ls-files` runs
/// while the caller reads kinds and packets. A few packets are listed by name, many by listing
/// their whole packets root once.
pub fn prefetch(dirs: &[PathBuf]) {
    let mut roots: HashMap<PathBuf, Vec<String>> = HashMap::new();
    for dir in dirs {
        let abs = crate::support::paths::absolute(dir);
        if let (Some(root), Some(name)) = (abs.parent(), abs.file_name()) {
            roots
                .entry(root.to_path_buf())
                .or_default()
                .push(name.to_string_lossy().into_owned());
        }
    }
    let cache = LISTINGS.get_or_init(Default::default);
    for (root, names) in roots {
        let (slot, from_index) = {
            let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
            let known = map
                .get(&root)
                .is_some_and(|slot| names.iter().all(|n| slot.covers(n)));
            if known {
                continue;
            }
            // Committed packets named one by one are listed from git's index in a fraction of a
            // millisecond, less than starting a thread would cost; a thread is started only when
            // git itself must run (a file the index does not know).
            let from_index = (names.len() <= FEW)
                .then(|| {
                    names
                        .iter()
                        .map(|n| Some((n.clone(), super::git_index::files_of(&root.join(n))?)))
                        .collect::<Option<Listing>>()
                })
                .flatten();
            let slot = Slot::new((names.len() <= FEW).then_some(names));
            map.insert(root.clone(), Arc::clone(&slot));
            (slot, from_index)
        };
        if let Some(listing) = from_index {
            let _ = slot.listing.set(Some(listing));
            continue;
        }
        std::thread::spawn(move || slot.warm(&root));
    }
}

/// Forget what was listed (for long-running processes that see files change).
pub fn forget() {
    if let Some(cache) = LISTINGS.get() {
        cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

fn git_list(abs: &Path) -> Option<Vec<String>> {
    let root = abs.parent()?;
    let name = abs.file_name()?.to_string_lossy().into_owned();
    let cache = LISTINGS.get_or_init(Default::default);
    let slot = {
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(root) {
            Some(slot) if slot.covers(&name) => Arc::clone(slot),
            // Not asked for before: the whole root, once, serves every packet in it.
            _ => {
                let slot = Slot::new(None);
                map.insert(root.to_path_buf(), Arc::clone(&slot));
                slot
            }
        }
    };
    slot.files(root, &name)
}

/// The files of the packets named: from the index when it alone can tell, else from git.
fn listed_by_name(root: &Path, names: &[String]) -> Option<Listing> {
    let mut listing = Listing::new();
    let mut ask_git = Vec::new();
    for name in names {
        match super::git_index::files_of(&root.join(name)) {
            Some(files) => {
                listing.insert(name.clone(), files);
            }
            None => ask_git.push(name.clone()),
        }
    }
    if !ask_git.is_empty() {
        listing.extend(ls_files(root, Some(&ask_git))?);
    }
    Some(listing)
}

/// `git ls-files` of a packets root (or of the packets named in it), grouped by packet folder;
/// `None` outside a git work tree.
fn ls_files(root: &Path, names: Option<&[String]>) -> Option<Listing> {
    work_tree_of(root)?;
    let mut args: Vec<String> = [
        "-c",
        "core.quotePath=false",
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
        "--",
    ]
    .map(String::from)
    .to_vec();
    match names {
        Some(names) => args.extend(names.iter().map(|n| format!(":(literal){n}"))),
        None => args.push(":(literal).".into()),
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crate::facts::git::bytes(root, &args)?;
    let mut listing = Listing::new();
    for path in out.split(|b| *b == 0).filter(|p| !p.is_empty()) {
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
