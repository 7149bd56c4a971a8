//! Where a packet's files are found: the git work tree that holds a folder, and the bounds of a
//! walk through a folder git does not list. Both the file listing (`files`) and the reader of
//! git's index (`git_index`) take them from here.

use std::path::{Path, PathBuf};

/// How many files one packet folder may hold when listed without git.
pub const MAX_WALK_FILES: usize = 10_000;
/// How deep the walk without git goes.
pub const MAX_WALK_DEPTH: usize = 32;

/// The root of the git work tree holding `dir` (a folder with `.git`), without running git.
pub fn work_tree_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}
