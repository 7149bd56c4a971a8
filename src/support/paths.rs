//! Paths as the user should see them: relative to the working directory when inside it.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// The working directory, read once: `getcwd` per packet is a syscall per packet.
static CWD: RwLock<Option<PathBuf>> = RwLock::new(None);

/// The working directory (as `std::env::current_dir`), remembered after the first call.
pub fn cwd() -> Option<PathBuf> {
    if let Some(cwd) = CWD.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        return Some(cwd.clone());
    }
    remember_cwd()
}

/// Read the working directory again (after `set_current_dir`) and remember it.
pub fn remember_cwd() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok();
    *CWD.write().unwrap_or_else(|e| e.into_inner()) = cwd.clone();
    cwd
}

/// `path` made absolute against the working directory, like `std::path::absolute` (and as it
/// falls back to `path` itself when the working directory cannot be read).
pub fn absolute(path: &Path) -> PathBuf {
    let joined;
    let path_abs = if path.is_absolute() {
        path
    } else {
        match cwd() {
            Some(cwd) => {
                joined = cwd.join(path);
                &joined
            }
            None => path,
        }
    };
    std::path::absolute(path_abs).unwrap_or_else(|_| path.to_path_buf())
}

/// `path` relative to the current directory when it lies below it, else as given.
pub fn shown(path: &Path) -> String {
    shown_path(path).display().to_string()
}

/// Like [`shown`], as a path.
pub fn shown_path(path: &Path) -> PathBuf {
    let Some(cwd) = cwd() else {
        return path.to_path_buf();
    };
    let abs = absolute(path);
    match abs.strip_prefix(&cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}
