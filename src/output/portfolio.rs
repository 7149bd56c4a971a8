//! Every packet at once, with its verdict and its timeline: what `status`, `remind` and calendar
//! exports read.

use crate::facts::gate::Gate;
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
    /// What is still open at its gate today, and what falls due when (criteria, dated items).
    pub open: Option<crate::judgement::open::Open>,
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
    let entries = verdict::parallel_map(&checked, |(packet, verdict)| {
        let (placed, kpi, open) = ws.kind_of(packet).map_or((Vec::new(), None, None), |k| {
            (
                timeline::place(packet, &k.spec, &ws.config.settings, today),
                crate::judgement::rules::kpi::reading(packet, &k.spec, today),
                // Only what is not met is kept: a portfolio holds one per packet.
                Some(
                    crate::judgement::open::Open::of(
                        packet,
                        k,
                        &ws.config.settings,
                        today,
                        verdict.gate,
                    )
                    .unsettled(),
                ),
            )
        });
        (placed, kpi, open, signed(packet, &ws.config.settings))
    });
    let entries = checked
        .into_iter()
        .zip(entries)
        .map(|((packet, verdict), (placed, kpi, open, signoffs))| Entry {
            packet,
            verdict,
            placed,
            kpi,
            open,
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
    let (opened, failed) = open_repos(paths);
    let mut repos = Vec::new();
    let mut notes = Vec::new();
    for (name, ws, dirs) in opened {
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

/// A repository opened for a portfolio: its name, workspace and packet folders.
pub type OpenRepo = (String, Workspace, Vec<std::path::PathBuf>);

/// Open several repositories: each one's name (its folder's name, or the path as given when two
/// folders share a name), workspace and packet folders; a repository that cannot be read as
/// `(path, why)`.
pub fn open_repos(paths: &[std::path::PathBuf]) -> (Vec<OpenRepo>, Vec<(String, String)>) {
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            std::path::absolute(p)
                .ok()
                .and_then(|a| a.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| p.display().to_string())
        })
        .collect();
    let mut opened = Vec::new();
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
        opened.push((name, ws, dirs));
    }
    (opened, failed)
}

/// The packets of one repository of a portfolio view: its workspace, its packet folders, and the
/// name its packets show under (`name/id`; none for the one repository of a plain run).
pub struct Source<'w> {
    /// Its name, when the view spans repositories.
    pub name: Option<String>,
    /// Its configuration and kinds.
    pub ws: &'w Workspace,
    /// Its packet folders.
    pub dirs: Vec<std::path::PathBuf>,
}

/// How many packets a streamed view checks, or loads, at once.
const CHUNK: usize = 512;

/// Every packet of some repositories, put in a view's order, for a view written a chunk at a
/// time: [`sorted`] checks every packet (the sign-off audit included) and keeps only its key and
/// its verdict's figures; [`Sorted::each`] then loads the packets again in that order, a chunk
/// at a time. Memory holds a few hundred bytes a packet and one chunk, however many packets.
pub struct Sorted<'w, K> {
    sources: &'w [Source<'w>],
    today: NaiveDate,
    /// Per packet, in the view's order: its key, its source, its folder, and its verdict (its
    /// findings let go; a view of many packets shows their counts).
    order: Vec<(K, usize, usize, Verdict)>,
}

/// An entry's packet named as the view shows it.
fn named(mut entry: Entry, name: Option<&str>) -> Entry {
    if let Some(name) = name {
        entry.packet.id = format!("{name}/{}", entry.packet.id);
        entry.verdict.id = entry.packet.id.clone();
    }
    entry
}

/// A packet's milestones and KPI reading today.
fn placed(ws: &Workspace, packet: &Packet, today: NaiveDate, gate: Gate) -> Entry0 {
    ws.kind_of(packet).map_or((Vec::new(), None, None), |k| {
        (
            timeline::place(packet, &k.spec, &ws.config.settings, today),
            crate::judgement::rules::kpi::reading(packet, &k.spec, today),
            // Only what is not met is kept: a portfolio holds one per packet.
            Some(
                crate::judgement::open::Open::of(packet, k, &ws.config.settings, today, gate)
                    .unsettled(),
            ),
        )
    })
}

type Entry0 = (
    Vec<Placed>,
    Option<crate::judgement::rules::kpi::Reading>,
    Option<crate::judgement::open::Open>,
);

/// Check every packet of `sources` and put them in the order of `key` (ties keep the packets'
/// order); `note` hears why a repository's audit could not run.
pub fn sorted<'w, K: Ord + Send>(
    sources: &'w [Source<'w>],
    today: NaiveDate,
    key: impl Fn(&Entry) -> K + Sync,
    mut note: impl FnMut(Option<&str>, &str),
) -> Sorted<'w, K> {
    let mut order: Vec<(K, usize, usize, Verdict)> = Vec::new();
    for (s, source) in sources.iter().enumerate() {
        let name = source.name.as_deref();
        let mut next = 0;
        let _ = verdict::check_chunks(
            &source.dirs,
            source.ws,
            today,
            CHUNK,
            |why| note(name, why),
            |checked| {
                let keyed = verdict::parallel_map(&checked, |(packet, verdict)| {
                    placed(source.ws, packet, today, verdict.gate)
                });
                for ((packet, mut verdict), (placed, kpi, open)) in checked.into_iter().zip(keyed) {
                    verdict.diagnostics = Vec::new();
                    // Its sign-offs' proofs are read with the chunk it is shown in.
                    let entry = named(
                        Entry {
                            packet,
                            verdict,
                            placed,
                            kpi,
                            open,
                            signoffs: Vec::new(),
                        },
                        name,
                    );
                    order.push((key(&entry), s, next, entry.verdict));
                    next += 1;
                }
                Ok::<(), std::convert::Infallible>(())
            },
        );
    }
    order.sort_by(|a, b| a.0.cmp(&b.0));
    Sorted {
        sources,
        today,
        order,
    }
}

impl<K: Sync> Sorted<'_, K> {
    /// How many packets.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.order.iter().map(|(k, ..)| k)
    }

    /// The verdicts (their findings let go), in order.
    pub fn verdicts(&self) -> impl Iterator<Item = &Verdict> {
        self.order.iter().map(|(.., v)| v)
    }

    /// Hand the entries to `each` in order, a chunk at a time (each packet loaded again, with
    /// its milestones and KPI reading); stops at the first error `each` returns.
    pub fn each<E>(self, mut each: impl FnMut(Vec<Entry>) -> Result<(), E>) -> Result<(), E> {
        let (sources, today) = (self.sources, self.today);
        let mut order = self.order.into_iter().peekable();
        while order.peek().is_some() {
            let part: Vec<(K, usize, usize, Verdict)> = order.by_ref().take(CHUNK).collect();
            let loaded = verdict::parallel_map(&part, |(_, s, d, verdict)| {
                let source = &sources[*s];
                let dir = &source.dirs[*d];
                let packet = Packet::load(dir, &crate::support::paths::shown_path(dir));
                let (placed, kpi, open) = placed(source.ws, &packet, today, verdict.gate);
                let signoffs = signed(&packet, &source.ws.config.settings);
                (packet, placed, kpi, open, signoffs)
            });
            let entries = part
                .into_iter()
                .zip(loaded)
                .map(
                    |((_, s, _, verdict), (packet, placed, kpi, open, signoffs))| {
                        named(
                            Entry {
                                packet,
                                verdict,
                                placed,
                                kpi,
                                open,
                                signoffs,
                            },
                            sources[s].name.as_deref(),
                        )
                    },
                )
                .collect();
            each(entries)?;
        }
        Ok(())
    }
}
