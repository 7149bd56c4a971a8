//! What changed since the sign-off: the version signed, and the answers, statuses and body
//! sections changed after it.

use super::*;

/// Which version of the packet the document shows.
#[derive(Debug, Serialize)]
pub struct VersionView {
    /// The digest sign-offs carry (`sha256:…`) of the packet as rendered.
    pub digest: String,
    /// The last commit that changed `handoff.md`, short, when git knows.
    pub commit: Option<String>,
    /// Whether `handoff.md` differs from that commit.
    pub uncommitted: bool,
}

/// What changed since a version some roles signed.
#[derive(Debug, Serialize)]
pub struct ChangeGroup {
    /// The roles whose (now stale) sign-offs saw that version.
    pub roles: Vec<String>,
    /// The commit that recorded their sign-offs.
    pub commit: String,
    /// The status then and now, when it moved.
    pub status: Option<(String, String)>,
    /// Answers changed: path, old value, new value.
    pub answers: Vec<AnswerChange>,
    /// Acceptance criteria checked, unchecked or added since.
    pub criteria: Vec<String>,
    /// Whether the body's text changed otherwise.
    pub body: bool,
    /// Other files of the packet changed in later commits.
    pub files: Vec<String>,
}

/// One answer that changed.
#[derive(Debug, Serialize)]
pub struct AnswerChange {
    /// Its dotted path.
    pub path: String,
    /// Before (empty when it was not answered).
    pub old: String,
    /// Now (empty when removed).
    pub new: String,
}

pub(super) fn version(
    p: &Packet,
    history: Option<(&crate::facts::history::History, &str)>,
) -> VersionView {
    let latest = history.and_then(|(h, dir)| {
        let versions = h.versions.get(dir)?;
        let last = versions.len().checked_sub(1)?;
        let text = crate::facts::history::text_at(h, dir, last);
        Some((h.commits[versions[last].commit].short.to_string(), text))
    });
    let now = p.file.as_ref().map(|f| f.text.as_str());
    VersionView {
        digest: signoff::digest(p),
        uncommitted: latest.as_ref().is_some_and(|(_, text)| *text != now),
        commit: latest.map(|(c, _)| c),
    }
}

/// For the stale sign-offs, what changed since the version each was recorded in.
pub(super) fn changed_since(
    p: &Packet,
    review: &signoff::Review,
    history: Option<(&crate::facts::history::History, &str)>,
) -> Vec<ChangeGroup> {
    let Some((h, dir)) = history else {
        return Vec::new();
    };
    let stale: Vec<&signoff::Standing> = review
        .standings
        .iter()
        .filter(|s| s.freshness != signoff::Freshness::Fresh)
        .collect();
    if stale.is_empty() {
        return Vec::new();
    }
    let recorded = crate::facts::history::audit::recorded_versions(h, dir, p);
    let mut groups: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for s in stale {
        if let Some(&i) = recorded.get(&s.signoff.key()) {
            groups.entry(i).or_default().push(s.signoff.role.clone());
        }
    }
    let versions = h.versions.get(dir).map(Vec::as_slice).unwrap_or_default();
    let built: Vec<ChangeGroup> = groups
        .into_iter()
        .filter_map(|(i, roles)| {
            let text = crate::facts::history::text_at(h, dir, i)?;
            let then = Packet::from_text(&p.dir, std::path::Path::new(""), text.to_string());
            let (a, b) = (
                crate::facts::history::changes::answers(&then),
                crate::facts::history::changes::answers(p),
            );
            let mut answers: Vec<AnswerChange> = b
                .iter()
                .filter(|(k, v)| a.get(*k) != Some(*v))
                .map(|(k, v)| AnswerChange {
                    path: k.clone(),
                    old: a.get(k).cloned().unwrap_or_default(),
                    new: v.clone(),
                })
                .collect();
            answers.extend(a.iter().filter(|(k, _)| !b.contains_key(*k)).map(|(k, v)| {
                AnswerChange {
                    path: k.clone(),
                    old: v.clone(),
                    new: String::new(),
                }
            }));
            let mut criteria = Vec::new();
            let mut body = false;
            let mut status = None;
            for c in crate::facts::history::changes::diff(Some(&then), Some(p)) {
                match c {
                    crate::facts::history::changes::Change::Checked { criterion } => {
                        criteria.push(format!("checked: {criterion}"))
                    }
                    crate::facts::history::changes::Change::Unchecked { criterion } => {
                        criteria.push(format!("unchecked: {criterion}"))
                    }
                    crate::facts::history::changes::Change::Body => body = true,
                    crate::facts::history::changes::Change::Status { from, to } => {
                        status = Some((from, to))
                    }
                    _ => {}
                }
            }
            let mut files: Vec<String> = versions
                .get(i + 1..)
                .unwrap_or_default()
                .iter()
                .flat_map(|v| v.other_files.iter().cloned())
                .filter(|f| !crate::facts::metrics::is_series_file(f))
                .collect();
            files.sort();
            files.dedup();
            Some(ChangeGroup {
                roles,
                commit: h.commits[versions[i].commit].short.to_string(),
                status,
                answers,
                criteria,
                body,
                files,
            })
        })
        .collect();
    // Roles that signed in different commits with nothing changed in between saw the same
    // packet: one group for them.
    let mut merged: Vec<ChangeGroup> = Vec::new();
    for g in built {
        match merged.last_mut() {
            Some(last)
                if last.answers.len() == g.answers.len()
                    && last
                        .answers
                        .iter()
                        .zip(&g.answers)
                        .all(|(a, b)| a.path == b.path && a.old == b.old && a.new == b.new)
                    && last.criteria == g.criteria
                    && last.body == g.body
                    && last.status == g.status
                    && last.files == g.files =>
            {
                last.roles.extend(g.roles);
            }
            _ => merged.push(g),
        }
    }
    merged
}
