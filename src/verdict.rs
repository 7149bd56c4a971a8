//! Loading and checking many packets: the gate each must pass and the findings against it.

use crate::diagnostic::{Diagnostic, Severity};
use crate::gate::Gate;
use crate::packet::Packet;
use crate::workspace::Workspace;
use chrono::NaiveDate;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The result of checking one packet.
#[derive(Debug, Serialize)]
pub struct Verdict {
    /// The packet id (its folder name).
    pub id: String,
    /// The packet folder, as shown to the user.
    pub path: String,
    /// The kind, as written.
    pub kind: Option<String>,
    /// The status, as written.
    pub status: Option<String>,
    /// Day 0, when valid.
    pub day0: Option<NaiveDate>,
    /// The gate checked.
    pub gate: Gate,
    /// Whether the packet passes its gate.
    pub pass: bool,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// The findings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// The gate a loaded packet must pass on `today`: the later of status and calendar.
pub fn gate_for(packet: &Packet, ws: &Workspace, today: NaiveDate) -> Gate {
    let by_status = packet.status().map_or(Gate::Draft, Gate::of_status);
    let days = packet
        .kind_name()
        .and_then(|k| ws.kinds.get(k))
        .map(|k| k.spec.gates)
        .unwrap_or_default();
    let by_date = packet
        .day0()
        .map_or(Gate::Draft, |d0| Gate::of_date(d0, today, days));
    by_status.max(by_date)
}

/// Load and check one packet.
pub fn check_one(
    dir: &std::path::Path,
    ws: &Workspace,
    today: NaiveDate,
    forced: Option<Gate>,
) -> (Packet, Verdict) {
    let shown = crate::paths::shown_path(dir);
    let packet = Packet::load(dir, &shown);
    let gate = forced.unwrap_or_else(|| gate_for(&packet, ws, today));
    let diagnostics = crate::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let verdict = Verdict {
        id: packet.id.clone(),
        path: shown.display().to_string(),
        kind: packet.kind_name().map(str::to_string),
        status: packet.text("status").map(str::to_string),
        day0: packet.day0(),
        gate,
        pass: errors == 0,
        errors,
        warnings: diagnostics.len() - errors,
        diagnostics,
    };
    (packet, verdict)
}

/// Check many packets on all cores, keeping their order; then audit their sign-offs against git.
///
/// Returns the verdicts and, when the audit could not run, why.
pub fn check_many(
    dirs: &[PathBuf],
    ws: &Workspace,
    today: NaiveDate,
    forced: Option<Gate>,
) -> (Vec<Verdict>, Option<String>) {
    let results = parallel_map(dirs, |dir| {
        let (packet, verdict) = check_one(dir, ws, today, forced);
        let signed = !crate::signoff::read(&packet).0.is_empty();
        (verdict, signed.then_some(packet))
    });
    let (mut verdicts, signed): (Vec<Verdict>, Vec<Option<Packet>>) = results.into_iter().unzip();
    let note = audit(&mut verdicts, &signed).err();
    (verdicts, note)
}

/// Add `signoff-audit` warnings for sign-offs that are uncommitted or committed by someone else.
fn audit(verdicts: &mut [Verdict], packets: &[Option<Packet>]) -> Result<(), String> {
    let signed: Vec<(usize, &Packet)> = packets
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((i, p.as_ref()?)))
        .collect();
    let Some((_, first)) = signed.first() else {
        return Ok(());
    };
    let abs = |p: &Packet| std::path::absolute(&p.dir).unwrap_or_else(|_| p.dir.clone());
    let top = crate::history::toplevel(&abs(first))
        .map_err(|e| format!("sign-off audit skipped: it needs git ({e})"))?;
    let rel = |p: &Packet| {
        abs(p)
            .strip_prefix(&top)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default()
    };
    let dirs: Vec<String> = signed.iter().map(|(_, p)| rel(p)).collect();
    let history = crate::history::read(&top, &dirs, false)
        .map_err(|e| format!("sign-off audit skipped: {e}"))?;
    let found = parallel_map(&signed, |(i, packet)| {
        let warnings: Vec<Diagnostic> = crate::history::audit(&history, &rel(packet), packet)
            .into_iter()
            .filter_map(|(s, message, help)| {
                crate::signoff::audit_warning(packet, &s, message, help)
            })
            .collect();
        (*i, warnings)
    });
    for (i, warnings) in found {
        verdicts[i].warnings += warnings.len();
        verdicts[i].diagnostics.extend(warnings);
    }
    Ok(())
}

/// Apply `f` to every item on all available cores; results keep the input order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut all: Vec<(usize, R)> = parts.drain(..).flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}
