//! Every packet at once, with its verdict and its timeline: what `status`, `remind` and calendar
//! exports read.

use crate::facts::kind::Kind;
use crate::facts::packet::Packet;
use crate::facts::timeline::{self, Placed, State};
use crate::facts::workspace::Workspace;
use crate::judgement::verdict::{self, Verdict};
use chrono::NaiveDate;

/// One packet with what the portfolio views need.
pub struct Entry {
    /// The loaded packet.
    pub packet: Packet,
    /// Its verdict today.
    pub verdict: Verdict,
    /// Its milestones today.
    pub placed: Vec<Placed>,
    /// Its KPI series as committed, judged today, when it has one.
    pub kpi: Option<crate::judgement::rules::kpi::Reading>,
    /// Its sign-offs, each with how it is proven.
    pub signoffs: Vec<Signed>,
}

/// A sign-off and how it is proven, for `status --format json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signed {
    /// The role.
    pub role: String,
    /// The signer.
    pub by: String,
    /// When.
    pub at: String,
    /// How it is proven, and whether that counts.
    #[serde(flatten)]
    pub proven: crate::facts::proof::Proven,
}

/// The sign-offs of a packet with their proofs.
pub fn signed(packet: &Packet, settings: &crate::facts::config::Settings) -> Vec<Signed> {
    let signoffs = crate::facts::signoff::read(packet).0;
    let records: Vec<_> = signoffs
        .iter()
        .map(crate::facts::signoff::Signoff::record)
        .collect();
    let proofs = settings.prove(packet, &records);
    signoffs
        .into_iter()
        .zip(proofs)
        .map(|(s, proven)| Signed {
            role: s.role,
            by: s.by,
            at: s.at,
            proven,
        })
        .collect()
}

impl Entry {
    /// The first milestone not done yet.
    pub fn next(&self) -> Option<&Placed> {
        self.placed.iter().find(|m| !m.state.is_done())
    }

    /// Milestones past their date without their evidence.
    pub fn overdue(&self) -> impl Iterator<Item = &Placed> {
        self.placed.iter().filter(|m| m.state == State::Overdue)
    }

    /// The packet's kind.
    pub fn kind<'w>(&self, ws: &'w Workspace) -> Option<&'w Kind> {
        ws.kind_of(&self.packet)
    }
}

/// Load every packet (or those in `dirs`) with its verdict (the one `check` gives, audit
/// included) and timeline, on all cores; and why the audit could not run, if it could not.
pub fn load(
    ws: &Workspace,
    dirs: &[std::path::PathBuf],
    today: NaiveDate,
) -> (Vec<Entry>, Option<String>) {
    let (checked, note) = verdict::check_keeping(dirs, ws, today, None, true);
    let checked: Vec<(Packet, Verdict)> = checked
        .into_iter()
        .filter_map(|(p, v)| Some((p?, v)))
        .collect();
    let entries = verdict::parallel_map(&checked, |(packet, _)| {
        let (placed, kpi) = ws.kind_of(packet).map_or((Vec::new(), None), |k| {
            (
                timeline::place(packet, &k.spec, &ws.config.settings, today),
                crate::judgement::rules::kpi::reading(packet, &k.spec, today),
            )
        });
        (placed, kpi, signed(packet, &ws.config.settings))
    });
    let entries = checked
        .into_iter()
        .zip(entries)
        .map(|((packet, verdict), (placed, kpi, signoffs))| Entry {
            packet,
            verdict,
            placed,
            kpi,
            signoffs,
        })
        .collect();
    (entries, note)
}

/// The people named at a dotted path, roles resolved through the people directory.
pub fn people_at(packet: &Packet, path: &str, ws: &Workspace) -> Vec<String> {
    ws.config.settings.people_at(packet, path)
}

/// One repository of a portfolio: its name (shown as `name/id`), its workspace and its packets.
pub struct Repo {
    /// The folder's name, or the path as given when two folders share a name.
    pub name: String,
    /// Its configuration and kinds.
    pub ws: Workspace,
    /// Its packets, ids shown as `name/id`.
    pub entries: Vec<Entry>,
}

/// Load several repositories, each with its own configuration, kinds and history. A repository
/// that cannot be read is returned as `(path, why)` and does not stop the others.
pub fn load_repos(
    paths: &[std::path::PathBuf],
    today: NaiveDate,
) -> (Vec<Repo>, Vec<String>, Vec<(String, String)>) {
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            std::path::absolute(p)
                .ok()
                .and_then(|a| a.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| p.display().to_string())
        })
        .collect();
    let mut repos = Vec::new();
    let mut notes = Vec::new();
    let mut failed = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let shown = crate::support::paths::shown(path);
        let name = if names.iter().filter(|n| **n == names[i]).count() > 1 {
            shown.clone()
        } else {
            names[i].clone()
        };
        if !path.is_dir() {
            failed.push((shown, "there is no such folder".to_string()));
            continue;
        }
        let ws = match Workspace::open(path).map(Workspace::showing_proofs) {
            Ok(ws) => ws,
            Err(e) => {
                failed.push((shown, e.to_string()));
                continue;
            }
        };
        let dirs = match ws.all_packets() {
            Ok(d) => d,
            Err(e) => {
                failed.push((shown, e.to_string()));
                continue;
            }
        };
        let (mut entries, note) = load(&ws, &dirs, today);
        if let Some(note) = note {
            notes.push(format!("{name}: {note}"));
        }
        for e in &mut entries {
            e.packet.id = format!("{name}/{}", e.packet.id);
            e.verdict.id = e.packet.id.clone();
        }
        repos.push(Repo { name, ws, entries });
    }
    (repos, notes, failed)
}
