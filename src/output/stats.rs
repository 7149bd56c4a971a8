//! Handoff quality figures from git history: how long handoffs take, whether they are signed off
//! on time, whether they last, and how much rework and bouncing back they need.

use crate::facts::gate::{Gate, Status};
use crate::facts::history;
use crate::facts::packet::Packet;
use crate::facts::signoff;
use crate::facts::workspace::Workspace;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::path::Path;

/// Figures for one packet.
#[derive(Debug, Serialize)]
pub struct PacketStats {
    /// Packet id.
    pub id: String,
    /// Its kind, as its latest version names it.
    pub kind: Option<String>,
    /// Date of the packet's first commit.
    pub created: NaiveDate,
    /// Date of the commit in which every role had signed.
    pub signed_off: Option<NaiveDate>,
    /// Days from the first commit to the complete sign-off.
    pub transition_days: Option<i64>,
    /// Whether the complete sign-off came by day +14 (unknown without a day 0 or sign-off).
    pub signed_by_day14: Option<bool>,
    /// Whether the packet was still not retired 90 days after sign-off (unknown until then).
    pub alive_at_90_days: Option<bool>,
    /// Whether its KPI series still met its target (and the packet was not retired) 30, 60 and
    /// 90 days after sign-off; unknown until then, or without a series value within a week
    /// before that day.
    pub kpi_on_target: [Option<bool>; 3],
    /// Commits that changed answers after the packet was first `ready`.
    pub rework: usize,
    /// Times the status moved backwards (the handoff was sent back).
    pub sent_back: usize,
    /// Sign-offs made stale by a later edit.
    pub stale_signoffs: usize,
    /// Commits touching the packet.
    pub commits: usize,
}

/// Figures over all packets.
#[derive(Debug, Serialize)]
pub struct Overall {
    /// Packets counted.
    pub packets: usize,
    /// Packets with a complete sign-off.
    pub signed_off: usize,
    /// Median days from first commit to complete sign-off.
    pub median_transition_days: Option<f64>,
    /// Share of signed-off packets signed by day +14.
    pub signed_by_day14_share: Option<f64>,
    /// Share of packets alive 90 days after sign-off, among those old enough to tell.
    pub alive_at_90_days_share: Option<f64>,
    /// Share of signed-off packets whose KPI still met its target 30, 60 and 90 days after
    /// sign-off, among those with a series old enough to tell.
    pub kpi_on_target_share: [Option<f64>; 3],
    /// Median rework commits per packet.
    pub median_rework: Option<f64>,
    /// Rework commits in all.
    pub rework: usize,
    /// Handoffs sent back in all.
    pub sent_back: usize,
    /// Sign-offs gone stale in all.
    pub stale_signoffs: usize,
    /// The same figures per quarter of creation, oldest first: are handoffs getting better?
    pub quarters: Vec<Quarter>,
    /// Rework and send-backs per kind: which kinds of handoff bounce.
    pub kinds: Vec<KindFigures>,
}

/// Figures for the packets of one kind.
#[derive(Debug, Serialize)]
pub struct KindFigures {
    /// The kind (`?` when a packet names none).
    pub kind: String,
    /// Packets of the kind.
    pub packets: usize,
    /// Rework commits.
    pub rework: usize,
    /// Times sent back.
    pub sent_back: usize,
    /// Median days to complete sign-off.
    pub median_transition_days: Option<f64>,
}

/// Figures for the packets created in one quarter.
#[derive(Debug, Serialize)]
pub struct Quarter {
    /// E.g. `2026-Q4`.
    pub quarter: String,
    /// Packets created in it.
    pub packets: usize,
    /// Median days to complete sign-off.
    pub median_transition_days: Option<f64>,
    /// The spread of those days: the quickest and the slowest handoff.
    pub min_transition_days: Option<i64>,
    /// The slowest.
    pub max_transition_days: Option<i64>,
    /// Share signed off by day +14.
    pub signed_by_day14_share: Option<f64>,
    /// Rework commits.
    pub rework: usize,
    /// Times sent back.
    pub sent_back: usize,
}

/// Compute the figures for every packet that has history (created on or after `since`).
pub fn compute(
    ws: &Workspace,
    today: NaiveDate,
    since: Option<NaiveDate>,
) -> Result<(Vec<PacketStats>, Overall), crate::facts::git::GitError> {
    let root =
        std::path::absolute(ws.config.packets_dir()).unwrap_or_else(|_| ws.config.packets_dir());
    let top = history::toplevel(if root.exists() {
        &root
    } else {
        &ws.config.root
    })?;
    let dirs: Vec<String> = ws
        .all_packets()
        .unwrap_or_default()
        .iter()
        .map(|d| crate::facts::git::pathspec(&top, d))
        .collect();
    // One pass over the history, newest first, as git streams it: each distinct text is read
    // once and boiled down to what the figures need, and each packet keeps a few counters and
    // the version it waits to compare with the one before it.
    let mut tally = Tally::new(ws, &top, &dirs, today);
    history::steps::stream(&top, &dirs, false, |steps| tally.take(steps))?;
    if let Some(e) = tally.error.take() {
        return Err(e);
    }
    let all: Vec<PacketStats> = tally
        .finish()
        .into_iter()
        .flatten()
        .filter(|s| since.is_none_or(|since| s.created >= since))
        .collect();
    let overall = overall(&all);
    Ok((all, overall))
}

fn date_of(iso: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(iso.get(..10)?, "%Y-%m-%d").ok()
}

/// One text of `handoff.md`, boiled down to what the figures compare between versions.
struct Reading {
    status: Option<Status>,
    /// Every role the kind asks of it has signed.
    all_signed: bool,
    /// Its sign-off entries.
    signoffs: Vec<signoff::Key>,
    /// A hash of what a sign-off's digest covers of it ([`signoff::content`]).
    content: u64,
    answers: history::changes::AnswerPrint,
}

impl Reading {
    fn of(ws: &Workspace, n: &Packet) -> Reading {
        use std::hash::BuildHasher;
        let (signed, _) = signoff::read(n);
        let all_signed = ws.kind_of(n).is_some_and(|k| {
            k.spec.roles_for(n.front.as_ref()).next().is_some()
                && k.spec
                    .roles_for(n.front.as_ref())
                    .all(|r| signed.iter().any(|s| s.role == r.name))
        });
        let content = history::changes::PRINT.hash_one(signoff::content(n));
        Reading {
            status: n.status(),
            all_signed,
            signoffs: signed.iter().map(signoff::Signoff::key).collect(),
            content,
            // Rework is an answer changed after the packet was ready; filling in what is only
            // asked later (the live meeting's record, due the day after day 0; the shadow-period
            // log) is the handoff going ahead, not rework.
            answers: history::changes::AnswerPrint::asked_by_ready(
                n,
                ws.kind_of(n).map(|k| k.spec.fields.as_slice()),
            ),
        }
    }
}

/// A version that changed the packet's state: its reading (`None`: it deleted `handoff.md`).
type State = Option<std::sync::Arc<Reading>>;

/// The newest version of a packet whose figures wait for the state before it.
struct Waiting {
    state: State,
    /// It changed `handoff.md` (as text).
    text: bool,
    /// It changed another file of the packet than a pulled KPI series.
    touched: bool,
}

/// One packet's figures as its versions go by, newest first.
#[derive(Default)]
struct Tally1 {
    commits: usize,
    created: Option<NaiveDate>,
    bad_date: bool,
    waiting: Option<Waiting>,
    /// Versions newer than the current one that changed answers.
    changed: usize,
    rework: usize,
    sent_back: usize,
    gone_stale: std::collections::HashSet<signoff::Key>,
    signed_off: Option<NaiveDate>,
    retired: Option<NaiveDate>,
    /// The state after the newest commit has been seen.
    settled: bool,
    /// The blob of `handoff.md` as the newest commit leaves it (read again for the figures,
    /// a packet at a time: a whole portfolio's packets are never held at once).
    last_blob: Option<String>,
    /// Its versions, newest first, for finding the day it was signed off.
    versions: Vec<Version>,
}

/// A version of a packet as the sign-off day is looked for in.
struct Version {
    date: Option<NaiveDate>,
    /// Its state, when it changed `handoff.md` (`Some(None)`: it deleted it).
    state: Option<State>,
    /// The blob of `handoff.md` it brought.
    blob: Option<String>,
    /// It changed another file of the packet than a pulled KPI series.
    touched: bool,
}

/// Every packet's figures, fed the history newest first.
struct Tally<'w> {
    ws: &'w Workspace,
    top: &'w Path,
    dirs: &'w [String],
    today: NaiveDate,
    packets: Vec<Tally1>,
    /// Each distinct text's reading, by blob (`None`: not text).
    readings: Vec<Option<std::sync::Arc<Reading>>>,
    /// Blobs read again (the newest version of a packet whose text came first for another).
    again: Option<crate::facts::git::Batch>,
    error: Option<crate::facts::git::GitError>,
}

impl<'w> Tally<'w> {
    fn new(ws: &'w Workspace, top: &'w Path, dirs: &'w [String], today: NaiveDate) -> Self {
        Tally {
            ws,
            top,
            dirs,
            today,
            packets: (0..dirs.len()).map(|_| Tally1::default()).collect(),
            readings: Vec::new(),
            again: None,
            error: None,
        }
    }

    fn take(&mut self, mut steps: Vec<history::steps::Step>) {
        // The texts new in this batch, read on all cores into what the figures compare (front
        // matters and what a sign-off covers).
        let fresh: Vec<(usize, usize, String)> = steps
            .iter_mut()
            .filter_map(|s| {
                let slot = s.blob.as_ref().filter(|b| b.first)?.slot;
                Some((s.dir, slot, s.text.take()?))
            })
            .collect();
        let ws = self.ws;
        let top = self.top;
        let dirs = self.dirs;
        let read = |(dir, _, text): &(usize, usize, String)| {
            let dir = top.join(&dirs[*dir]);
            let packet = Packet::front_only(&dir, Path::new(""), text.clone());
            std::sync::Arc::new(Reading::of(ws, &packet))
        };
        let read: Vec<_> = if fresh.len() >= 8 {
            crate::judgement::verdict::parallel_map(&fresh, read)
        } else {
            fresh.iter().map(read).collect()
        };
        for ((_, slot, _), reading) in fresh.iter().zip(read) {
            if self.readings.len() <= *slot {
                self.readings.resize(*slot + 1, None);
            }
            self.readings[*slot] = Some(reading);
        }
        for step in steps {
            self.step(step);
        }
    }

    fn step(&mut self, step: history::steps::Step) {
        let state: Option<State> = if step.deleted {
            Some(None)
        } else {
            step.blob
                .as_ref()
                .and_then(|b| self.readings.get(b.slot).cloned().flatten())
                .map(Some)
        };
        // The newest state of the packet is read whole at the end: its day 0, kind and KPI
        // series are the packet's own.
        let newest = state.is_some() && !self.packets[step.dir].settled;
        let last = match (&state, newest) {
            (Some(Some(_)), true) => step.blob.as_ref().map(|b| b.id.clone()),
            _ => None,
        };
        let p = &mut self.packets[step.dir];
        p.commits += 1;
        match date_of(&step.commit.date) {
            Some(d) => p.created = Some(d),
            None => p.bad_date = true,
        }
        let date = p.created;
        let touched = step
            .other_files
            .iter()
            .any(|f| !crate::facts::metrics::is_series_file(f));
        p.versions.push(Version {
            date,
            state: state.clone(),
            blob: step.blob.as_ref().map(|b| b.id.clone()),
            touched,
        });
        let Some(state) = state else {
            // Other files only: the state stays the one before, and (as the figures have always
            // been counted) such a commit stales no sign-off.
            return;
        };
        if newest {
            p.settled = true;
            p.last_blob = last;
        }
        settle(p, &state);
        if let (Some(r), Some(date)) = (&state, date) {
            if r.status.is_some_and(|s| s >= Status::Ready) {
                p.rework = p.changed;
            }
            if r.status == Some(Status::Retired) {
                p.retired = Some(date);
            }
        }
        p.waiting = Some(Waiting {
            text: state.is_some(),
            state,
            touched,
        });
    }

    /// The day packet `i` was signed off: the first version, oldest first, in which every role
    /// holds a sign-off no later edit has made stale and the signed-off gate passes on the
    /// commit's day (not when the last role signs on day 0 with the shadow-period criteria still
    /// open). Only the versions every role has signed are read whole.
    fn signed_off_day(&mut self, i: usize) -> Option<NaiveDate> {
        let versions = std::mem::take(&mut self.packets[i].versions);
        let mut now: Option<std::sync::Arc<Reading>> = None;
        let mut blob: Option<&str> = None;
        // Each sign-off goes stale once: an edit and its revert are one stale period, not two.
        let mut gone_stale: std::collections::HashSet<signoff::Key> = Default::default();
        let mut read: Option<(&str, Packet)> = None;
        for v in versions.iter().rev() {
            let next = match &v.state {
                Some(state) => state.clone(),
                None => now.clone(),
            };
            if let Some(before) = &now {
                let edited =
                    v.state.is_some() && next.as_ref().is_some_and(|a| a.content != before.content);
                if v.touched || edited {
                    gone_stale.extend(before.signoffs.iter().cloned());
                }
            }
            if v.blob.is_some() {
                blob = v.blob.as_deref();
            }
            now = next;
            let (Some(r), Some(date), Some(id)) = (&now, v.date, blob) else {
                continue;
            };
            if !r.all_signed || r.signoffs.iter().all(|k| gone_stale.contains(k)) {
                continue;
            }
            if read.as_ref().is_none_or(|(at, _)| *at != id) {
                let text = self.text_of(id)?;
                let dir = self.top.join(&self.dirs[i]);
                read = Some((id, Packet::from_text(&dir, Path::new(""), text)));
            }
            let Some((_, n)) = &read else { continue };
            if let Some(kind) = self.ws.kind_of(n)
                && complete_and_fresh(n, &kind.spec, &gone_stale)
                && crate::judgement::open::blocking(
                    n,
                    &self.ws.kinds,
                    &self.ws.config,
                    date,
                    Gate::SignedOff,
                )
                .is_empty()
            {
                return Some(date);
            }
        }
        None
    }

    /// The text of a blob, read through the second reader.
    fn text_of(&mut self, id: &str) -> Option<String> {
        if self.again.is_none() {
            match crate::facts::git::Batch::open(self.top) {
                Ok(b) => self.again = Some(b),
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            }
        }
        match self
            .again
            .as_mut()?
            .texts(&[id], crate::facts::packet::MAX_FILE_BYTES)
        {
            Ok(mut t) => t.pop().flatten(),
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    fn finish(mut self) -> Vec<Option<PacketStats>> {
        for i in 0..self.packets.len() {
            let day = self.signed_off_day(i);
            self.packets[i].signed_off = day;
        }
        let (ws, today, top) = (self.ws, self.today, self.top);
        let dirs = self.dirs;
        let mut out = Vec::with_capacity(dirs.len());
        // The newest text of a chunk of packets at a time, read and judged on all cores.
        let all: Vec<usize> = (0..dirs.len()).collect();
        for chunk in all.chunks(512) {
            let texts: Vec<(usize, Option<String>)> = chunk
                .iter()
                .map(|&i| {
                    let blob = self.packets[i].last_blob.clone();
                    (i, blob.and_then(|b| self.text_of(&b)))
                })
                .collect();
            let packets = &self.packets;
            out.extend(crate::judgement::verdict::parallel_map(
                &texts,
                |(i, text)| {
                    let p = &packets[*i];
                    // The oldest version (and any before its first text) has nothing before
                    // it: no answer changed, nothing sent back, no sign-off to stale.
                    if p.commits == 0 || p.bad_date {
                        return None;
                    }
                    let last = text
                        .as_ref()
                        .map(|t| Packet::from_text(&top.join(&dirs[*i]), Path::new(""), t.clone()));
                    figures(ws, p, last.as_ref(), &dirs[*i], today)
                },
            ));
        }
        out
    }
}

/// The waiting version of `p` meets the state before it, `before`.
fn settle(p: &mut Tally1, before: &State) {
    if let Some(w) = p.waiting.take() {
        if let (Some(b), Some(a)) = (before, &w.state) {
            if w.text && b.answers.differs(&a.answers) {
                p.changed += 1;
            }
            if let (Some(x), Some(y)) = (b.status, a.status)
                && y < x
            {
                p.sent_back += 1;
            }
        }
        if let Some(b) = before {
            let content = w.touched
                || w.state
                    .as_ref()
                    .is_some_and(|a| w.text && a.content != b.content);
            if content {
                for k in &b.signoffs {
                    if !p.gone_stale.contains(k) {
                        p.gone_stale.insert(k.clone());
                    }
                }
            }
        }
    }
}

fn figures(
    ws: &Workspace,
    p: &Tally1,
    last: Option<&Packet>,
    dir: &str,
    today: NaiveDate,
) -> Option<PacketStats> {
    let id = dir.rsplit('/').next().unwrap_or(dir).to_string();
    let created = p.created?;
    let signed_off = p.signed_off;
    let retired = p.retired;
    let day0 = last.and_then(Packet::day0);
    let alive = signed_off.and_then(|s| {
        let horizon = s + Duration::days(90);
        match retired {
            Some(r) if r < horizon => Some(false),
            _ if today >= horizon => Some(true),
            _ => None,
        }
    });
    let kpi_on_target = LONGEVITY_DAYS.map(|days| {
        let s = signed_off?;
        let at = s + Duration::days(days);
        if today < at {
            return None;
        }
        if retired.is_some_and(|r| r <= at) {
            return Some(false);
        }
        let packet = last?;
        let kind = ws.kind_of(packet)?;
        let reading = crate::judgement::rules::kpi::reading(packet, &kind.spec, today)?;
        let point = reading.series.points.iter().rev().find(|p| p.day <= at)?;
        (point.day > at - Duration::days(7)).then(|| reading.target.met(point.value))
    });
    Some(PacketStats {
        id,
        kind: last.and_then(|p| p.kind_name()).map(str::to_string),
        created,
        signed_off,
        transition_days: signed_off.map(|s| (s - created).num_days()),
        signed_by_day14: signed_off
            .zip(day0)
            .map(|(s, d0)| s <= d0 + Duration::days(14)),
        alive_at_90_days: alive,
        kpi_on_target,
        rework: p.rework,
        sent_back: p.sent_back,
        stale_signoffs: p.gone_stale.len(),
        commits: p.commits,
    })
}

/// Whether every role the packet needs holds a sign-off in this version that no later edit made
/// stale (`stale` holds the sign-offs an edit since overtook) and that was made at a status the
/// packet has not gone back below.
fn complete_and_fresh(
    packet: &Packet,
    spec: &crate::facts::kind::KindSpec,
    stale: &std::collections::HashSet<signoff::Key>,
) -> bool {
    let (signed, _) = signoff::read(packet);
    let now = packet.status();
    let mut roles = spec.roles_for(packet.front.as_ref()).peekable();
    roles.peek().is_some()
        && roles.all(|r| {
            signed.iter().any(|s| {
                s.role == r.name
                    && !stale.contains(&s.key())
                    && s.status
                        .as_deref()
                        .and_then(Status::parse)
                        .is_none_or(|then| now.is_some_and(|n| n >= then))
            })
        })
}

/// Days after sign-off at which `stats` asks whether the KPI still meets its target.
pub const LONGEVITY_DAYS: [i64; 3] = [30, 60, 90];

fn share(flags: Vec<bool>) -> Option<f64> {
    (!flags.is_empty()).then(|| flags.iter().filter(|f| **f).count() as f64 / flags.len() as f64)
}

fn quarters(all: &[PacketStats]) -> Vec<Quarter> {
    use chrono::Datelike;
    let mut by: std::collections::BTreeMap<String, Vec<&PacketStats>> =
        std::collections::BTreeMap::new();
    for s in all {
        by.entry(format!(
            "{}-Q{}",
            s.created.year(),
            s.created.month0() / 3 + 1
        ))
        .or_default()
        .push(s);
    }
    by.into_iter()
        .map(|(quarter, list)| Quarter {
            quarter,
            packets: list.len(),
            median_transition_days: median(
                list.iter()
                    .filter_map(|s| s.transition_days)
                    .map(|d| d as f64)
                    .collect(),
            ),
            min_transition_days: list.iter().filter_map(|s| s.transition_days).min(),
            max_transition_days: list.iter().filter_map(|s| s.transition_days).max(),
            signed_by_day14_share: share(list.iter().filter_map(|s| s.signed_by_day14).collect()),
            rework: list.iter().map(|s| s.rework).sum(),
            sent_back: list.iter().map(|s| s.sent_back).sum(),
        })
        .collect()
}

fn kinds(all: &[PacketStats]) -> Vec<KindFigures> {
    let mut by: std::collections::BTreeMap<String, Vec<&PacketStats>> =
        std::collections::BTreeMap::new();
    for s in all {
        by.entry(s.kind.clone().unwrap_or_else(|| "?".into()))
            .or_default()
            .push(s);
    }
    by.into_iter()
        .map(|(kind, list)| KindFigures {
            kind,
            packets: list.len(),
            rework: list.iter().map(|s| s.rework).sum(),
            sent_back: list.iter().map(|s| s.sent_back).sum(),
            median_transition_days: median(
                list.iter()
                    .filter_map(|s| s.transition_days)
                    .map(|d| d as f64)
                    .collect(),
            ),
        })
        .collect()
}

/// The figures over these packets (from one repository or several).
pub fn overall(all: &[PacketStats]) -> Overall {
    Overall {
        packets: all.len(),
        signed_off: all.iter().filter(|s| s.signed_off.is_some()).count(),
        median_transition_days: median(
            all.iter()
                .filter_map(|s| s.transition_days)
                .map(|d| d as f64)
                .collect(),
        ),
        signed_by_day14_share: share(all.iter().filter_map(|s| s.signed_by_day14).collect()),
        alive_at_90_days_share: share(all.iter().filter_map(|s| s.alive_at_90_days).collect()),
        kpi_on_target_share: [0, 1, 2]
            .map(|i| share(all.iter().filter_map(|s| s.kpi_on_target[i]).collect())),
        median_rework: median(all.iter().map(|s| s.rework as f64).collect()),
        rework: all.iter().map(|s| s.rework).sum(),
        sent_back: all.iter().map(|s| s.sent_back).sum(),
        stale_signoffs: all.iter().map(|s| s.stale_signoffs).sum(),
        quarters: quarters(all),
        kinds: kinds(all),
    }
}

/// The median of some numbers.
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn medians() {
        assert_eq!(super::median(vec![]), None);
        assert_eq!(super::median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(super::median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
