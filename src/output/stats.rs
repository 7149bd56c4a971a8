//! Handoff quality figures from git history: how long handoffs take, whether they are signed off
//! on time, whether they last, and how much rework and bouncing back they need.

use crate::facts::gate::{Gate, Status};
use crate::facts::history::{self, Change, History};
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
) -> Result<(Vec<PacketStats>, Overall), history::GitError> {
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
        .map(|d| {
            let abs = std::path::absolute(d).unwrap_or(d.clone());
            abs.strip_prefix(&top)
                .unwrap_or(&abs)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    // The history's shape first, with no texts; then each packet's versions are fetched and
    // replayed on its own core, one packet at a time per core, so memory does not grow with the
    // number of commits.
    let hist = history::read_ids(&top, &dirs)?;
    // One reader is started here, so that git failing to start is an error, not an empty figure.
    let readers = std::sync::Mutex::new(vec![history::Blobs::open(&top)?]);
    let all: Vec<PacketStats> = crate::judgement::verdict::parallel_map(&dirs, |dir| {
        let taken = readers.lock().ok().and_then(|mut r| r.pop());
        let mut blobs = taken.or_else(|| history::Blobs::open(&top).ok())?;
        let stats = packet_stats(ws, &hist, dir, &top, today, &mut blobs);
        if let Ok(mut r) = readers.lock() {
            r.push(blobs);
        }
        stats
    })
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

fn packet_stats(
    ws: &Workspace,
    hist: &History,
    dir: &str,
    top: &Path,
    today: NaiveDate,
    blobs: &mut history::Blobs,
) -> Option<PacketStats> {
    let versions = hist.versions.get(dir)?;
    let ids: Vec<&str> = versions
        .iter()
        .filter(|v| !v.deleted)
        .filter_map(|v| v.id.as_deref())
        .collect();
    let mut texts = blobs.texts(&ids).ok()?.into_iter();
    let id = dir.rsplit('/').next().unwrap_or(dir).to_string();
    let created = date_of(&hist.commits[versions.first()?.commit].date)?;
    let abs_dir = top.join(dir);
    let mut prev: Option<Packet> = None;
    let mut ever_ready = false;
    let (mut rework, mut sent_back, mut stale) = (0, 0, 0);
    // Each sign-off goes stale once: an edit and its revert are one stale period, not two.
    let mut gone_stale: std::collections::HashSet<signoff::Key> = Default::default();
    let mut signed_off = None;
    let mut retired = None;
    for v in versions {
        let date = date_of(&hist.commits[v.commit].date)?;
        let text = match (&v.id, v.deleted) {
            (Some(_), false) => texts.next().flatten(),
            _ => None,
        };
        let next = match (&text, v.deleted) {
            (_, true) => None,
            (Some(text), _) => Some(Packet::from_text_after(
                prev.as_ref(),
                &abs_dir,
                Path::new(""),
                text.clone(),
            )),
            (None, false) => prev.take(),
        };
        let changes = if text.is_some() {
            history::diff(prev.as_ref(), next.as_ref())
        } else {
            Vec::new()
        };
        // Rework is an answer changed after the packet was ready; filling in what is only asked
        // later (the live meeting's record, due the day after day 0; the shadow-period log) is
        // the handoff going ahead, not rework.
        let kind = next.as_ref().or(prev.as_ref()).and_then(|p| ws.kind_of(p));
        if ever_ready
            && changes.iter().any(|c| match c {
                Change::Answered { path }
                | Change::Changed { path }
                | Change::Unanswered { path } => kind.is_none_or(|k| !asked_later(&k.spec, path)),
                _ => false,
            })
        {
            rework += 1;
        }
        if let (Some(before), Some(after)) = (
            prev.as_ref().and_then(Packet::status),
            next.as_ref().and_then(Packet::status),
        ) && after < before
        {
            sent_back += 1;
        }
        if let Some(p) = &prev {
            // Pulled KPI series do not stale sign-offs (see `signoff::digest`).
            let content_changed = v
                .other_files
                .iter()
                .any(|f| !crate::facts::metrics::is_series_file(f))
                || next
                    .as_ref()
                    .is_some_and(|n| text.is_some() && signoff::content(n) != signoff::content(p));
            if content_changed {
                for s in signoff::read(p).0 {
                    if gone_stale.insert(s.key()) {
                        stale += 1;
                    }
                }
            }
        }
        if let Some(n) = &next {
            ever_ready |= n.status().is_some_and(|s| s >= Status::Ready);
            if retired.is_none() && n.status() == Some(Status::Retired) {
                retired = Some(date);
            }
            // Signed off once every role holds a sign-off still fresh in this version and the
            // signed-off gate passes on the commit's day: not when the last role signs on day 0
            // with the shadow-period criteria still open.
            if signed_off.is_none()
                && let Some(kind) = ws.kind_of(n)
                && complete_and_fresh(n, &kind.spec, &gone_stale)
                && crate::judgement::open::blocking(n, &ws.kinds, &ws.config, date, Gate::SignedOff)
                    .is_empty()
            {
                signed_off = Some(date);
            }
        }
        prev = next;
    }
    let day0 = prev.as_ref().and_then(Packet::day0);
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
        let packet = prev.as_ref()?;
        let kind = ws.kind_of(packet)?;
        let reading = crate::judgement::rules::kpi::reading(packet, &kind.spec, today)?;
        let point = reading.series.points.iter().rev().find(|p| p.day <= at)?;
        (point.day > at - Duration::days(7)).then(|| reading.target.met(point.value))
    });
    Some(PacketStats {
        id,
        kind: prev
            .as_ref()
            .and_then(|p| p.kind_name())
            .map(str::to_string),
        created,
        signed_off,
        transition_days: signed_off.map(|s| (s - created).num_days()),
        signed_by_day14: signed_off
            .zip(day0)
            .map(|(s, d0)| s <= d0 + Duration::days(14)),
        alive_at_90_days: alive,
        kpi_on_target,
        rework,
        sent_back,
        stale_signoffs: stale,
        commits: versions.len(),
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

/// Whether an answer is only asked after the ready gate (its question, or one it belongs to,
/// has a later gate or a day it falls due): filling it in later is not rework.
fn asked_later(spec: &crate::facts::kind::KindSpec, path: &str) -> bool {
    let mut fields = &spec.fields;
    for part in path.split('.') {
        let key = part.split('[').next().unwrap_or(part);
        let Some(f) = fields.iter().find(|f| f.key == key) else {
            return false;
        };
        if f.gate > Gate::Ready || f.due.is_some() {
            return true;
        }
        fields = &f.fields;
    }
    false
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
