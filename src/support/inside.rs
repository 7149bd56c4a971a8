//! Reading the files of a repository that may be hostile: CI runs `handoff` on pull requests from
//! strangers, so every file the tool reads from the repo (configuration, kinds, templates) must be
//! a regular file that resolves inside the repository, and small. Anything else is refused with a
//! reason that never quotes the target's contents.

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The size cap for configuration, kind and template files.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;

/// Why a repo file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// `path` resolved, when it lies inside `root` (both resolved through links).
pub fn resolve_inside(path: &Path, root: &Path) -> Result<PathBuf, Refused> {
    let real = path
        .canonicalize()
        .map_err(|e| Refused(format!("cannot resolve the path: {e}")))?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(Refused(
            "it is a symbolic link that leads outside the repository, which handoff never reads"
                .into(),
        ))
    }
}

/// Whether `path` exists at all (a link counts, even a broken one).
pub fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Read `path` as UTF-8 text, when it resolves inside `root`, is a regular file (not a pipe, a
/// device or a folder) and holds at most `cap` bytes.
pub fn read_text(path: &Path, root: &Path, cap: u64) -> Result<String, Refused> {
    let real = resolve_inside(path, root)?;
    let meta = std::fs::metadata(&real).map_err(|e| Refused(format!("cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(Refused(
            "it is not a regular file (a folder, pipe or device)".into(),
        ));
    }
    if meta.len() > cap {
        return Err(Refused(format!("it is larger than {} KiB", cap / 1024)));
    }
    let file = std::fs::File::open(&real).map_err(|e| Refused(format!("cannot read it: {e}")))?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Refused(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > cap {
        return Err(Refused(format!("it is larger than {} KiB", cap / 1024)));
    }
    String::from_utf8(bytes).map_err(|_| Refused("it is not UTF-8 text".into()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_out_devices_and_big_files_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(tmp.path().join("secret"), "TOKEN=abc").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("out")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
        std::fs::write(root.join("ok"), "fine").unwrap();
        std::os::unix::fs::symlink("ok", root.join("in")).unwrap();
        let err = read_text(&root.join("out"), &root, MAX_BYTES).unwrap_err();
        assert!(!err.0.contains("TOKEN"), "{err}");
        assert!(read_text(&root.join("zero"), &root, MAX_BYTES).is_err());
        assert_eq!(
            read_text(&root.join("in"), &root, MAX_BYTES).unwrap(),
            "fine"
        );
        assert!(read_text(&root.join("ok"), &root, 2).is_err());
    }
}
