//! Writes that cannot be seen half-done: a temporary file beside the target, then a rename; and
//! the lock that makes concurrent `handoff sign` runs on one packet take turns.

use crate::facts::error::Error;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long `sign` waits for another signer of the same packet before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Write `text` to `path` through a temporary file in the same folder and a rename. The temporary
/// file is named `.<file name>.<random>.tmp`, so a run killed half-way leaves nothing that looks
/// like a packet file (and `handoff sign` removes such leftovers beside `handoff.md`).
pub fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    write_through_temp(path, text.as_bytes(), true)
}

/// [`write_atomic`] of bytes (a file put back exactly as it was).
pub fn write_atomic_bytes(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_through_temp(path, bytes, true)
}

/// [`write_atomic`] for one of many pages written in a run: the same temporary file and rename (a
/// reader never sees half a page, a run killed half-way leaves the old page), without waiting for
/// the disk page by page; [`flush`] after the last one waits once for all of them. (Waiting for
/// the disk costs a few milliseconds a file on a virtual machine: minutes for a site of tens of
/// thousands of pages.) Where the system cannot wait for a folder's files at once, each page
/// waits as with [`write_atomic`].
pub fn write_atomic_deferred(path: &Path, text: &str) -> Result<(), Error> {
    write_through_temp(path, text.as_bytes(), !cfg!(unix))
}

/// Wait until every file written under `dir` is on disk: one `syncfs` of its file system on
/// Linux, one `sync` on other Unix systems (pages written with [`write_atomic_deferred`]).
pub fn flush(dir: &Path) -> Result<(), Error> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let folder = File::open(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            doing: "cannot open the folder",
            source,
        })?;
        // SAFETY: syncfs only reads the descriptor, which `folder` keeps open for the call.
        if unsafe { libc::syncfs(folder.as_raw_fd()) } != 0 {
            return Err(Error::Io {
                path: dir.to_path_buf(),
                doing: "cannot write to disk the files in",
                source: std::io::Error::last_os_error(),
            });
        }
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let _ = dir;
        // SAFETY: sync takes no arguments and cannot fail.
        unsafe { libc::sync() };
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn write_through_temp(path: &Path, bytes: &[u8], sync: bool) -> Result<(), Error> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |doing| {
        move |source| Error::Io {
            path: path.to_path_buf(),
            doing,
            source,
        }
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(crate::facts::packet::files::TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(io("cannot create a temporary file beside it"))?;
    tmp.write_all(bytes).map_err(io("cannot write"))?;
    if sync {
        tmp.as_file().sync_all().map_err(io("cannot write"))?;
    }
    match std::fs::metadata(path) {
        Ok(meta) => {
            let _ = tmp.as_file().set_permissions(meta.permissions());
        }
        // A new file gets the usual mode rather than the temporary file's private one.
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        #[cfg(not(unix))]
        Err(_) => {}
    }
    tmp.persist(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        doing: "cannot replace the file",
        source: e.error,
    })?;
    Ok(())
}

/// Write a file the user named with `-o`: onto a new path or over a regular file, never onto a link, pipe or device;
/// missing parent folders are created.
pub fn write_output(path: &Path, text: &str) -> Result<(), Error> {
    prepare_output(path)?;
    crate::facts::atomic::write_atomic(path, text)
}

/// [`write_output`] for one of many pages of a run, through [`write_atomic_deferred`]: call
/// [`flush`] on their folder after the last.
pub fn write_output_deferred(path: &Path, text: &str) -> Result<(), Error> {
    prepare_output(path)?;
    write_atomic_deferred(path, text)
}

/// What [`write_output`] asks of a path before writing: its folder made, and not a link, pipe or
/// device.
fn prepare_output(path: &Path) -> Result<(), Error> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            doing: "cannot create the folder",
            source,
        })?;
    }
    refuse_special(path, "write to a new path or over a regular file")
}

/// Add `text` to the end of a file a CI runner gave (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`),
/// in one write; never onto a link, pipe or device.
pub fn append_output(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write as _;
    refuse_special(path, "append to a new path or to a regular file")?;
    let io = |doing| {
        move |source| Error::Io {
            path: path.to_path_buf(),
            doing,
            source,
        }
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io("cannot open to append"))?
        .write_all(text.as_bytes())
        .map_err(io("cannot append to"))
}

/// Refuse a path that exists and is not a regular file (a folder, link, pipe or device).
fn refuse_special(path: &Path, help: &str) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_file() => Err(Error::usage(
            format!(
                "{} exists and is not a regular file (a folder, link, pipe or device)",
                crate::support::paths::shown(path)
            ),
            help,
        )),
        _ => Ok(()),
    }
}

/// An exclusive lock on a file that is replaced by rename: held on the file itself (no lock file
/// to leave behind), and released when dropped, on every exit path, or by the OS when the process
/// dies.
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Wait (up to [`LOCK_WAIT`]) until this process alone holds `path`. After the wait the path
    /// must still be the file that was locked: a rename by the previous holder means trying again
    /// on the new file.
    pub fn acquire(path: &Path) -> Result<FileLock, Error> {
        let started = Instant::now();
        let io = |doing| {
            move |source| Error::Io {
                path: path.to_path_buf(),
                doing,
                source,
            }
        };
        loop {
            let file = File::open(path).map_err(io("cannot open"))?;
            match file.try_lock() {
                Ok(()) => {
                    if same_file(&file, path) {
                        return Ok(FileLock { _file: file });
                    }
                    continue;
                }
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(source)) => {
                    return Err(Error::Io {
                        path: path.to_path_buf(),
                        doing: "cannot lock",
                        source,
                    });
                }
            }
            if started.elapsed() > LOCK_WAIT {
                return Err(Error::usage(
                    format!(
                        "{}: another `handoff sign` has held this packet for over {} s",
                        crate::support::paths::shown(path),
                        LOCK_WAIT.as_secs()
                    ),
                    "wait for it to finish, then sign again",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> bool {
    true
}

/// Remove leftovers of killed writes beside `path` (`.<name>.*.tmp`); call while holding its lock.
pub fn sweep_leftovers(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let n = entry.file_name().to_string_lossy().into_owned();
        if n.starts_with(&prefix)
            && n.ends_with(crate::facts::packet::files::TEMP_SUFFIX)
            && entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed.push(entry.path());
        }
    }
    removed
}
