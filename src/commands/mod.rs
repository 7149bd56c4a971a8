//! One file per subcommand, each a short function over the library's pieces.

pub mod apply;
pub mod args;
pub mod check;
pub mod complete;
pub mod drill;
pub mod explain;
pub mod init;
pub mod kinds;
pub mod log;
pub mod man;
pub mod metrics;
pub mod new;
pub mod remind;
pub mod render;
pub mod send_back;
pub mod sign;
pub mod stats;
pub mod status;
pub mod timeline;
pub mod upgrade;
pub mod waive;

use crate::facts::error::Error;
use chrono::NaiveDate;
use std::path::PathBuf;

/// What every command gets from the command line besides its own flags.
#[derive(Debug, Clone)]
pub struct Env {
    /// The directory to work in.
    pub cwd: PathBuf,
    /// Use colour on stdout.
    pub color: bool,
    /// Print only failures.
    pub quiet: bool,
    /// Print the notes that ask nothing of anyone too.
    pub verbose: bool,
}

/// Today, unless overridden (see [`crate::support::clock`]).
pub fn today(given: Option<NaiveDate>) -> NaiveDate {
    given.unwrap_or_else(crate::support::clock::today)
}

/// Refuse a workspace with no packets folder at all (exit 2), as `check` does: a report or a
/// scheduled job pointed at the wrong folder must not say all is well about nothing.
pub fn require_packets_folder(ws: &crate::facts::workspace::Workspace) -> Result<(), Error> {
    let root = ws.config.packets_dir();
    if root.exists() {
        return Ok(());
    }
    Err(Error::usage(
        format!(
            "there is no packets folder {} here",
            crate::support::paths::shown(&root)
        ),
        format!(
            "run this in the repository that holds the packets (or pass it: `handoff -C DIR …`); handoff.toml's `packets` names the folder{}; `handoff init` creates one",
            ws.config
                .file
                .as_ref()
                .map(|f| format!(" (read from {})", crate::support::paths::shown(f)))
                .unwrap_or_default()
        ),
    ))
}

/// A packet opened for an exact edit (`sign`, `waive`, `upgrade`): its `handoff.md` writable and
/// locked against other editors until this is dropped, loaded after the lock was taken, and
/// parsed without problems.
pub struct Editing {
    /// The lock on `handoff.md`.
    pub lock: crate::facts::atomic::FileLock,
    /// The packet as it is under the lock.
    pub packet: crate::facts::packet::Packet,
    /// `handoff.md`.
    pub path: PathBuf,
    /// `handoff.md` as the user should see it.
    pub shown: String,
}

/// Open the packet in `dir` for an exact edit; `verb` says what for, in messages ("signed").
pub fn edit_packet(dir: &std::path::Path, verb: &str) -> Result<Editing, Error> {
    let path = dir.join(crate::facts::packet::PACKET_FILE);
    let shown = crate::support::paths::shown(&path);
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::usage(
            format!("{shown} is a symbolic link"),
            "replace the link with the file itself; git records a link, not what it points to",
        ));
    }
    if std::fs::metadata(&path).is_ok_and(|m| m.permissions().readonly()) {
        return Err(Error::usage(
            format!("{shown} is read-only, so it cannot be {verb}"),
            format!("make it writable first if you mean to (`chmod u+w {shown}`)"),
        ));
    }
    // Everything from reading the packet to replacing it happens under the lock, so concurrent
    // editors take turns and none loses another's change.
    let lock = crate::facts::atomic::FileLock::acquire(&path)?;
    crate::facts::atomic::sweep_leftovers(&path);
    let packet = crate::facts::packet::Packet::load(dir, &crate::support::paths::shown_path(dir));
    if let Some(p) = packet.problems.first() {
        return Err(Error::usage(
            format!("{shown}:{}: {}", p.pos.line, p.message),
            format!(
                "fix the packet first (`handoff check` shows how); a packet that does not parse cannot be {verb}"
            ),
        ));
    }
    Ok(Editing {
        lock,
        packet,
        path,
        shown,
    })
}

/// Who is acting (signing, waiving): git's author identity (`git var GIT_AUTHOR_IDENT`, which
/// honours `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL` and `user.name`/`user.email`). `--by` may spell it
/// out, as `Name <email>` or as a `[people]` name that includes you, but cannot name someone else.
pub fn acting_person(
    cwd: &std::path::Path,
    by: Option<&str>,
    settings: &crate::facts::config::Settings,
) -> Result<String, Error> {
    let ident = crate::facts::git::author_ident(cwd).filter(|p| crate::facts::person::is_person(p));
    crate::judgement::actor::acting_person(ident.as_deref(), by, settings)
}
