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
    let mut diagnostics = crate::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
    // A run over thousands of packets must not hold every file's text until it reports; the
    // human report reads the few files it shows snippets of again.
    diagnostics.iter_mut().for_each(Diagnostic::lean);
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
        warnings: diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count(),
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
    let (checked, note) = check_boxed(dirs, ws, today, forced, false);
    (checked.into_iter().map(|(_, v)| v).collect(), note)
}

/// Like [`check_many`], also handing back each loaded packet (every one with `keep_all`, else
/// only those that carry sign-offs). This is the one verdict `check`, `render`, `status` and
/// `remind` share, the sign-off audit included.
pub fn check_keeping(
    dirs: &[PathBuf],
    ws: &Workspace,
    today: NaiveDate,
    forced: Option<Gate>,
    keep_all: bool,
) -> (Vec<(Option<Packet>, Verdict)>, Option<String>) {
    let (checked, note) = check_boxed(dirs, ws, today, forced, keep_all);
    let unboxed = checked.into_iter().map(|(p, v)| (p.map(|p| *p), v));
    (unboxed.collect(), note)
}

/// A verdict and, when kept, its packet on the heap.
type Boxed = (Option<Box<Packet>>, Verdict);

/// [`check_keeping`] with the packets boxed: a result per packet is then the size of its
/// verdict, which is what a run over 100,000 packets holds until it reports.
fn check_boxed(
    dirs: &[PathBuf],
    ws: &Workspace,
    today: NaiveDate,
    forced: Option<Gate>,
    keep_all: bool,
) -> (Vec<Boxed>, Option<String>) {
    // Packets are kept for the audit only when it can run: outside git, or in a shallow clone,
    // holding thousands of signed packets in memory would serve nothing.
    // Asked at the first signed packet, so that a run with none starts no git process.
    let auditable: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    crate::packet::files::prefetch(dirs);
    let checked = parallel_map(dirs, |dir| {
        let (packet, verdict) = check_one(dir, ws, today, forced);
        let signed = !crate::signoff::read(&packet).0.is_empty();
        let keep = keep_all || (signed && auditable.get_or_init(|| auditable_for(dirs)).is_ok());
        (keep.then(|| Box::new(packet)), verdict)
    });
    let mut results = checked;
    let note = match auditable.into_inner() {
        None | Some(Ok(())) => audit(&mut results).err(),
        Some(Err(why)) => Some(why),
    };
    (results, note)
}

/// Whether git history can be read for the audit of these packets, and why not.
fn auditable_for(dirs: &[PathBuf]) -> Result<(), String> {
    let Some(first) = dirs.first() else {
        return Ok(());
    };
    let abs = std::path::absolute(first).unwrap_or_else(|_| first.clone());
    let top = crate::history::toplevel(&abs)
        .map_err(|e| format!("sign-off audit skipped: it needs git ({e})"))?;
    if crate::history::is_shallow(&top) {
        return Err(crate::history::SHALLOW_NOTE.to_string());
    }
    Ok(())
}

/// Add `signoff-audit` warnings for sign-offs that are uncommitted or committed by someone else.
fn audit(results: &mut [Boxed]) -> Result<(), String> {
    let signed: Vec<(usize, &Packet)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, (p, _))| Some((i, &**p.as_ref()?)))
        .filter(|(_, p)| !crate::signoff::read(p).0.is_empty())
        .collect();
    let Some((_, first)) = signed.first() else {
        return Ok(());
    };
    let abs = |p: &Packet| crate::paths::absolute(&p.dir);
    let top = crate::history::toplevel(&abs(first))
        .map_err(|e| format!("sign-off audit skipped: it needs git ({e})"))?;
    if crate::history::is_shallow(&top) {
        return Err(crate::history::SHALLOW_NOTE.to_string());
    }
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
        let findings = crate::history::audit(&history, &rel(packet), packet);
        (*i, crate::rules::audit::diagnostics(packet, findings))
    });
    for (i, warnings) in found {
        let verdict = &mut results[i].1;
        verdict.warnings += warnings.len();
        verdict.diagnostics.extend(warnings);
        verdict
            .diagnostics
            .sort_by(|a, b| (&a.file, a.pos.offset, a.rule).cmp(&(&b.file, b.pos.offset, b.rule)));
    }
    Ok(())
}

/// How many cores this process may use, asked once (the answer reads cgroup files each time).
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Apply `f` to every item on all available cores; results keep the input order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let threads = cores().min(items.len());
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
