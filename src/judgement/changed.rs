//! Which packets a change can move: for `check --changed-since` (and a pre-commit hook's
//! `--staged`), the packets among those asked for whose verdict the changed files, or the
//! calendar since the base, may have moved.

use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use crate::judgement::verdict::calendar_gate;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// The packets among `dirs` that `files` (absolute, resolved paths) touch; all of them when one
/// of the files moves every verdict (see [`moves_every_verdict`]).
pub fn touched(dirs: Vec<PathBuf>, files: &[PathBuf]) -> Vec<PathBuf> {
    if files.iter().any(|f| moves_every_verdict(f)) {
        return dirs;
    }
    dirs.into_iter()
        .filter(|dir| holds_any(dir, files))
        .collect()
}

/// The packets among `dirs` that changed since a base commit dated `base_date` (`files`, the
/// files changed since, absolute and resolved), or whose calendar gate moved between then and
/// `today`; all of them when a changed file moves every verdict.
pub fn since(
    ws: &Workspace,
    dirs: Vec<PathBuf>,
    files: &[PathBuf],
    base_date: NaiveDate,
    today: NaiveDate,
) -> Vec<PathBuf> {
    if files.iter().any(|f| moves_every_verdict(f)) {
        return dirs;
    }
    dirs.into_iter()
        .filter(|dir| {
            if holds_any(dir, files) {
                return true;
            }
            let packet = Packet::load(dir, &crate::support::paths::shown_path(dir));
            calendar_gate(&packet, ws, base_date) != calendar_gate(&packet, ws, today)
        })
        .collect()
}

/// Whether a changed file can move every packet's verdict: `handoff.toml`, or anything under
/// `.handoff/` (repo kinds, signed kinds, templates).
pub fn moves_every_verdict(file: &Path) -> bool {
    file.file_name()
        .is_some_and(|n| n == crate::facts::config::FILE_NAME)
        || file.components().any(|c| c.as_os_str() == ".handoff")
}

/// Whether any of `files` lies in the packet folder `dir` (compared resolved).
fn holds_any(dir: &Path, files: &[PathBuf]) -> bool {
    let abs = dir.canonicalize().unwrap_or(dir.to_path_buf());
    files.iter().any(|f| f.starts_with(&abs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with two packets of the built-in generic kind, day 0 ten days apart.
    fn repo() -> (tempfile::TempDir, Workspace, Vec<PathBuf>) {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let root = tmp.path().canonicalize().expect("resolved");
        std::fs::write(root.join("handoff.toml"), "packets = \"handoffs\"\n").expect("config");
        let mut dirs = Vec::new();
        for (id, day0) in [("early", "2027-03-01"), ("late", "2027-03-11")] {
            let dir = root.join("handoffs").join(id);
            std::fs::create_dir_all(&dir).expect("a packet folder");
            std::fs::write(
                dir.join("handoff.md"),
                format!(
                    "---\nid: {id}\ntitle: {id}\nkind: generic\nfrom: a\nto: b\nday0: {day0}\nstatus: draft\n---\n# {id}\n"
                ),
            )
            .expect("a packet");
            dirs.push(dir);
        }
        let ws = Workspace::open(&root).expect("the workspace opens");
        (tmp, ws, dirs)
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_changed_file_selects_its_packet_and_the_configuration_selects_all() {
        let (_tmp, _ws, dirs) = repo();
        let in_late = vec![dirs[1].join("notes.md")];
        assert_eq!(touched(dirs.clone(), &in_late), vec![dirs[1].clone()]);
        assert!(touched(dirs.clone(), &[]).is_empty());
        let root = dirs[0].parent().and_then(Path::parent).expect("the root");
        let config = vec![root.join("handoff.toml")];
        assert_eq!(touched(dirs.clone(), &config), dirs);
        let kind = vec![root.join(".handoff/kinds/generic/kind.yaml")];
        assert_eq!(touched(dirs.clone(), &kind), dirs);
        // A file beside the packets folder moves nothing.
        assert!(touched(dirs.clone(), &[root.join("README.md")]).is_empty());
    }

    #[test]
    fn a_packet_whose_calendar_gate_moved_since_the_base_is_selected() {
        let (_tmp, ws, dirs) = repo();
        // Nothing changed, nothing crossed a gate within one day, far from either day 0.
        let quiet = since(&ws, dirs.clone(), &[], day("2026-01-01"), day("2026-01-02"));
        assert!(quiet.is_empty(), "{quiet:?}");
        // From before the early packet's day 0 to after it: its gate moved, the late one's not.
        let moved = since(&ws, dirs.clone(), &[], day("2027-02-20"), day("2027-03-02"));
        assert_eq!(moved, vec![dirs[0].clone()]);
        // A changed file selects its packet whatever the calendar says.
        let both = since(
            &ws,
            dirs.clone(),
            &[dirs[1].join("handoff.md")],
            day("2027-02-20"),
            day("2027-03-02"),
        );
        assert_eq!(both, dirs);
    }
}
