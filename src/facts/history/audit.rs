//! The sign-off audit: each sign-off held against the commit that first recorded it.

use super::{Commit, History};
use crate::facts::git::{Batch, GitError};
use crate::facts::packet::Packet;
use crate::facts::person::email_of;
use crate::facts::signoff::{self, Signoff};
use std::collections::HashMap;
use std::path::Path;

/// For each sign-off entry ever in the packet (by its whole content), the commit that first recorded it.
pub fn recorded_in<'h>(
    history: &'h History,
    dir: &str,
    packet: &Packet,
) -> HashMap<signoff::Key, &'h Commit> {
    let versions = history
        .versions
        .get(dir)
        .map(Vec::as_slice)
        .unwrap_or_default();
    recorded_versions(history, dir, packet)
        .into_iter()
        .map(|(k, i)| (k, &history.commits[versions[i].commit]))
        .collect()
}

/// For each sign-off entry ever in the packet, the index (in `history.versions[dir]`) of the
/// version that first recorded it: the packet as its signer saw it.
pub fn recorded_versions(
    history: &History,
    dir: &str,
    packet: &Packet,
) -> HashMap<signoff::Key, usize> {
    let Some(versions) = history.versions.get(dir) else {
        return HashMap::new();
    };
    first_recorded(
        versions
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i, v.text.as_deref()?))),
        packet,
    )
}

/// For each sign-off entry among the texts given (numbered, oldest first), the number of the
/// first that records it.
fn first_recorded<'t>(
    texts: impl Iterator<Item = (usize, &'t str)>,
    packet: &Packet,
) -> HashMap<signoff::Key, usize> {
    let mut found = HashMap::new();
    // Versions whose sign-offs read the same as one already read add nothing new.
    let mut seen: std::collections::HashSet<&str> = Default::default();
    for (i, text) in texts {
        // Every sign-off entry names its role; a version without `role:` records none.
        if !text.contains("signoffs") || !text.contains("role:") {
            continue;
        }
        if !seen.insert(signoffs_block(text).unwrap_or(text)) {
            continue;
        }
        // Sign-offs live in the front matter: the body is not read.
        let p = Packet::front_only(&packet.dir, Path::new(""), text.to_string());
        for s in signoff::read(&p).0 {
            found.entry(s.key()).or_insert(i);
        }
    }
    found
}

/// [`findings`] for a history read without texts ([`super::read_ids`]): the packet's versions are
/// fetched through `blobs`, used, and let go.
pub fn findings_fetching(
    history: &History,
    dir: &str,
    packet: &Packet,
    blobs: &mut Batch,
) -> Result<Vec<AuditFinding>, GitError> {
    let versions = history
        .versions
        .get(dir)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let wanted: Vec<(usize, &str)> = versions
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.deleted)
        .filter_map(|(i, v)| Some((i, v.id.as_deref()?)))
        .collect();
    let ids: Vec<&str> = wanted.iter().map(|(_, id)| *id).collect();
    let texts = blobs.texts(&ids, crate::facts::packet::MAX_FILE_BYTES)?;
    let numbered = wanted
        .iter()
        .zip(&texts)
        .filter_map(|((i, _), text)| Some((*i, text.as_deref()?)));
    let recorded: HashMap<signoff::Key, &Commit> = first_recorded(numbered, packet)
        .into_iter()
        .map(|(k, i)| (k, &history.commits[versions[i].commit]))
        .collect();
    Ok(findings(&recorded, packet))
}

/// The lines of a packet's text that hold its whole `signoffs:` value, when it is written in
/// block style (`signoffs:` alone on its line, entries on the lines below); `None` when that cannot
/// be told from the lines alone. Two versions with the same block read as the same sign-offs (or,
/// when the rest of the front matter breaks, as none).
fn signoffs_block(text: &str) -> Option<&str> {
    let front = text.strip_prefix("---\n")?;
    let mut start = None;
    let mut offset = 4;
    for line in front.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            break;
        }
        if line.starts_with("signoffs") {
            // Two `signoffs` keys, or a value on the key's line: read the whole text instead.
            if start.is_some() || bare != "signoffs:" {
                return None;
            }
            start = Some(offset);
        } else if let Some(from) = start {
            // The value goes on while lines are indented, comments, blank, or list items level
            // with the key; the next top-level key (or the end of the front matter) ends it.
            let inside = line.starts_with([' ', '\t', '#', '\n', '\r'])
                || line.starts_with("- ")
                || bare == "-";
            if !inside {
                return Some(&text[from..offset]);
            }
        }
        offset += line.len();
    }
    start.map(|from| &text[from..offset])
}

/// What git history says against a recorded sign-off.
#[derive(Debug, Clone)]
pub enum Recorded {
    /// No commit records it yet.
    Unrecorded,
    /// The commit that recorded it was authored by someone else.
    ByOther(Commit),
    /// It says it was made more than a day after the commit that recorded it.
    AfterCommit(Commit),
}

/// A sign-off of the packet as it is now whose recording git does not bear out.
#[derive(Debug, Clone)]
pub struct AuditFinding {
    /// The sign-off.
    pub signoff: Signoff,
    /// What history says.
    pub recorded: Recorded,
}

/// The sign-offs of `packet` (as it is now) that are not committed, or were committed by someone
/// other than their signer, given the commit that first recorded each sign-off entry.
pub fn findings(recorded: &HashMap<signoff::Key, &Commit>, packet: &Packet) -> Vec<AuditFinding> {
    let mut out = Vec::new();
    for s in signoff::read(packet).0 {
        let after = |c: &Commit| {
            let made = chrono::DateTime::parse_from_rfc3339(s.at.trim()).ok();
            let committed = chrono::DateTime::parse_from_rfc3339(&c.date).ok();
            matches!((made, committed), (Some(m), Some(c)) if m > c + chrono::Duration::days(1))
        };
        let found = match recorded.get(&s.key()) {
            None => Some(Recorded::Unrecorded),
            Some(c) if after(c) => Some(Recorded::AfterCommit((*c).clone())),
            Some(c) if email_of(&s.by).is_some_and(|e| e != c.email.to_lowercase()) => {
                Some(Recorded::ByOther((*c).clone()))
            }
            _ => None,
        };
        if let Some(recorded) = found {
            out.push(AuditFinding {
                signoff: s,
                recorded,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signoffs_block_is_its_whole_value_or_nothing() {
        let text = "---\nid: a\nsignoffs:\n- role: pm\n  by: A <a@x.test>\n\n  # note\n  - x\nstatus: ready\n---\nbody\n";
        assert_eq!(
            signoffs_block(text),
            Some("signoffs:\n- role: pm\n  by: A <a@x.test>\n\n  # note\n  - x\n")
        );
        let last = "---\nid: a\nsignoffs:\n  - role: pm\n---\n- role: qa\n";
        assert_eq!(signoffs_block(last), Some("signoffs:\n  - role: pm\n"));
        assert_eq!(signoffs_block("---\nsignoffs: [{role: pm}]\n---\n"), None);
        assert_eq!(signoffs_block("---\nsignoffs:\nsignoffs:\n---\n"), None);
        assert_eq!(signoffs_block("no front matter"), None);
    }
}
