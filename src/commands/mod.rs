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

/// Today, unless overridden.
pub fn today(given: Option<NaiveDate>) -> NaiveDate {
    given.unwrap_or_else(|| chrono::Local::now().date_naive())
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
    let ident = std::process::Command::new("git")
        .args(["var", "GIT_AUTHOR_IDENT"])
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| {
            let line = String::from_utf8_lossy(&o.stdout).into_owned();
            line.find('>').map(|i| line[..=i].trim().to_string())
        })
        .filter(|p| crate::facts::person::is_person(p));
    let by = by.map(str::trim).filter(|b| !b.is_empty());
    // A `[people]` name stands for its people: you, when you are among them.
    let by = match (by, &ident) {
        (Some(name), _)
            if !crate::facts::person::is_person(name) && settings.people.contains_key(name) =>
        {
            let people = settings.resolve(name);
            match &ident {
                Some(me) => match people.iter().find(|p| crate::facts::person::same(p, me)) {
                    Some(p) => Some(p.to_string()),
                    None => {
                        return Err(Error::usage(
                            format!(
                                "you are {me} (git's author identity), and `{name}` in handoff.toml names {}",
                                people.join(", ")
                            ),
                            format!(
                                "{name} acts for themselves; or, if you are one of them, set git's identity (`git config user.email`)"
                            ),
                        ));
                    }
                },
                None if people.len() == 1 => Some(people[0].to_string()),
                None => {
                    return Err(Error::usage(
                        format!("`{name}` names several people: {}", people.join(", ")),
                        "pass --by \"Name <email>\" for the one you are",
                    ));
                }
            }
        }
        (by, _) => by.map(str::to_string),
    };
    let by = by.as_deref();
    if let Some(by) = by {
        if !crate::facts::person::is_person(by) {
            return Err(Error::usage(
                format!("`{by}` is not `Name <email>`"),
                "pass --by \"Name <email>\"",
            ));
        }
        if let Some(me) = &ident
            && !crate::facts::person::same(me, by)
        {
            return Err(Error::usage(
                format!(
                    "you are {me} (git's author identity), not {by}: a sign-off is made by the person it names"
                ),
                format!(
                    "{by} signs for themselves; or, if you are {by}, set git's identity: `git config user.email` (or GIT_AUTHOR_EMAIL)"
                ),
            ));
        }
        return Ok(by.to_string());
    }
    ident.ok_or_else(|| {
        Error::usage(
            "cannot tell who is signing: git has no author identity (user.name and user.email)",
            "set them with `git config user.name \"Your Name\"` and `git config user.email you@example.com`",
        )
    })
}
