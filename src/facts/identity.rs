//! Who a packet is, whatever path it was reached by: its repository's first commit and its folder
//! within that repository. The same packet gets the same identity from any clone and however
//! `--repo` or `-C` spelled the way to it (relative, absolute, through a link); a calendar keys
//! its events on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// `ROOT-COMMIT:FOLDER` for a packet folder in a git work tree with history (the earliest of its
/// root commits; the folder relative to the top of the work tree, `/`-separated); else the
/// folder's canonical path.
pub fn of_folder(dir: &Path) -> String {
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let top = canonical
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf);
    let found = top.and_then(|top| {
        let root = root_commit(&top)?;
        let rel = canonical.strip_prefix(&top).ok()?;
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(format!("{root}:{}", rel.join("/")))
    });
    found.unwrap_or_else(|| canonical.to_string_lossy().replace('\\', "/"))
}

/// The earliest root commit of the repository at `top`, asked of git once per repository.
fn root_commit(top: &Path) -> Option<String> {
    static SEEN: Mutex<Option<HashMap<PathBuf, Option<String>>>> = Mutex::new(None);
    if let Ok(seen) = SEEN.lock()
        && let Some(known) = seen.as_ref().and_then(|m| m.get(top))
    {
        return known.clone();
    }
    let out = Command::new("git")
        .args(["rev-list", "--max-parents=0", "HEAD"])
        .current_dir(top)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok();
    let root = out.filter(|o| o.status.success()).and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .min()
    });
    if let Ok(mut seen) = SEEN.lock() {
        seen.get_or_insert_with(HashMap::new)
            .insert(top.to_path_buf(), root.clone());
    }
    root
}
