//! Paths as the user should see them: relative to the working directory when inside it.

use std::path::{Path, PathBuf};

/// `path` relative to the current directory when it lies below it, else as given.
pub fn shown(path: &Path) -> String {
    shown_path(path).display().to_string()
}

/// Like [`shown`], as a path.
pub fn shown_path(path: &Path) -> PathBuf {
    let Ok(cwd) = std::env::current_dir() else {
        return path.to_path_buf();
    };
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match abs.strip_prefix(&cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}
