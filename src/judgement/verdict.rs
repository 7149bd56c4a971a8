//! Loading and checking many packets: the gate each must pass and the findings against it.

use crate::facts::gate::Gate;
use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use crate::judgement::diagnostic::{Diagnostic, Severity};
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
    by_status.max(calendar_gate(packet, ws, today))
}

/// The gate the calendar alone sets a packet on `day`, by its kind's gate days (the defaults
/// for a kind not known); draft without day 0.
pub fn calendar_gate(packet: &Packet, ws: &Workspace, day: NaiveDate) -> Gate {
    let days = packet
        .kind_name()
        .and_then(|k| ws.kinds.get(k))
        .map(|k| k.spec.gates)
        .unwrap_or_default();
    packet
        .day0()
        .map_or(Gate::Draft, |d0| Gate::of_date(d0, day, days))
}

/// Load and check one packet.
pub fn check_one(
    dir: &std::path::Path,
    ws: &Workspace,
    today: NaiveDate,
    forced: Option<Gate>,
) -> (Packet, Verdict) {
    let (packet, mut verdict) = check_keeping_sources(dir, ws, today, forced);
    // A run over thousands of packets must not hold every file's text until it reports; the
    // human report reads the few files it shows snippets of again.
    verdict.diagnostics.iter_mut().for_each(Diagnostic::lean);
    (packet, verdict)
}

/// [`check_one`], its findings keeping the texts they point into (for a report laid out at once).
fn check_keeping_sources(
    dir: &std::path::Path,
    ws: &Workspace,
    today: NaiveDate,
    forced: Option<Gate>,
) -> (Packet, Verdict) {
    let shown = crate::support::paths::shown_path(dir);
    let packet = Packet::load(dir, &shown);
    let gate = forced.unwrap_or_else(|| gate_for(&packet, ws, today));
    let diagnostics = crate::judgement::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
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
    crate::facts::packet::files::prefetch(dirs);
    let checked = parallel_map(dirs, |dir| {
        let (packet, verdict) = check_one(dir, ws, today, forced);
        let signed = !crate::facts::signoff::read(&packet).0.is_empty();
        let keep = keep_all || (signed && auditable.get_or_init(|| auditable_for(dirs)).is_ok());
        (keep.then(|| Box::new(packet)), verdict)
    });
    let mut results = checked;
    let note = match auditable.into_inner() {
        None | Some(Ok(())) => audit(&mut results, &ws.config.settings).err(),
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
    let top = crate::facts::history::toplevel(&abs)
        .map_err(|e| format!("sign-off audit skipped: it needs git ({e})"))?;
    if crate::facts::history::is_shallow(&top) {
        return Err(crate::facts::history::SHALLOW_NOTE.to_string());
    }
    Ok(())
}

/// Add `signoff-audit` warnings for sign-offs that are uncommitted or committed by someone else.
fn audit(results: &mut [Boxed], settings: &crate::facts::config::Settings) -> Result<(), String> {
    let signed: Vec<(usize, &Packet)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, (p, _))| Some((i, &**p.as_ref()?)))
        .filter(|(_, p)| !crate::facts::signoff::read(p).0.is_empty())
        .collect();
    if signed.is_empty() {
        return Ok(());
    }
    let dirs: Vec<PathBuf> = signed.iter().map(|(_, p)| p.dir.clone()).collect();
    let auditor = StreamAudit::open(&dirs)?;
    let found = parallel_map(&signed, |(i, packet)| {
        (*i, auditor.warnings(packet, settings))
    });
    for (i, warnings) in found {
        add_warnings(&mut results[i].1, warnings?);
    }
    Ok(())
}

/// The audit's findings added to a verdict (warnings, and an error for a sign-off dated after
/// its commit), its findings kept in file order.
fn add_warnings(verdict: &mut Verdict, warnings: Vec<Diagnostic>) {
    let errors = warnings
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    verdict.errors += errors;
    verdict.pass = verdict.pass && errors == 0;
    verdict.warnings += warnings
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    verdict.diagnostics.extend(warnings);
    verdict
        .diagnostics
        .sort_by(|a, b| (&a.file, a.pos.offset, a.rule).cmp(&(&b.file, b.pos.offset, b.rule)));
}

/// How many cores this process may use, asked once (the answer reads cgroup files each time).
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// How many packets [`check_streaming`] checks before handing their verdicts on.
const CHUNK: usize = 512;

/// The sign-off audit: the history's shape read once (no texts), when the first signed packet
/// needs it; each signed packet's versions fetched when it is audited, used and let go.
struct StreamAudit {
    top: std::path::PathBuf,
    history: crate::facts::history::History,
    readers: std::sync::Mutex<Vec<crate::facts::git::Batch>>,
}

impl StreamAudit {
    /// Ready to audit the packets in `dirs`, or why the audit cannot run.
    fn open(dirs: &[PathBuf]) -> Result<StreamAudit, String> {
        auditable_for(dirs)?;
        let first = dirs
            .first()
            .map(|d| crate::support::paths::absolute(d))
            .unwrap_or_default();
        let top = crate::facts::history::toplevel(&first)
            .map_err(|e| format!("sign-off audit skipped: it needs git ({e})"))?;
        let rels: Vec<String> = dirs.iter().map(|d| rel_to(&top, d)).collect();
        let history = crate::facts::history::read_ids(&top, &rels)
            .map_err(|e| format!("sign-off audit skipped: {e}"))?;
        let first_reader = crate::facts::git::Batch::open(&top)
            .map_err(|e| format!("sign-off audit skipped: {e}"))?;
        Ok(StreamAudit {
            top,
            history,
            readers: std::sync::Mutex::new(vec![first_reader]),
        })
    }

    /// The audit's warnings for one signed packet.
    fn warnings(
        &self,
        packet: &Packet,
        settings: &crate::facts::config::Settings,
    ) -> Result<Vec<Diagnostic>, String> {
        let taken = self.readers.lock().ok().and_then(|mut r| r.pop());
        let mut blobs = match taken {
            Some(b) => b,
            None => crate::facts::git::Batch::open(&self.top)
                .map_err(|e| format!("sign-off audit skipped: {e}"))?,
        };
        let found = crate::facts::history::audit::findings_fetching(
            &self.history,
            &rel_to(&self.top, &packet.dir),
            packet,
            &mut blobs,
        );
        if let Ok(mut r) = self.readers.lock() {
            r.push(blobs);
        }
        let findings = found.map_err(|e| format!("sign-off audit skipped: {e}"))?;
        Ok(crate::judgement::rules::audit::diagnostics(
            packet, findings, settings,
        ))
    }
}

/// `dir` relative to the work tree's top, with `/` separators.
fn rel_to(top: &std::path::Path, dir: &std::path::Path) -> String {
    crate::facts::git::relative(top, dir).unwrap_or_default()
}

/// Check packets a chunk at a time and hand each chunk's verdicts, in order and with the
/// sign-off audit's warnings, to `emit` before checking the next: memory holds one chunk however
/// many packets there are. Each verdict is settled by `finish` and laid out by `render` on the
/// core that checked it, while its files' texts are at hand (a signed packet's once its audit is
/// in). `note` hears, once, why the audit could not run. Stops at the first error `emit` returns.
#[allow(clippy::too_many_arguments)] // the check's three settings and its four hooks
pub fn check_streaming<R: Send>(
    dirs: &[PathBuf],
    ws: &Workspace,
    today: NaiveDate,
    forced: Option<Gate>,
    mut note: impl FnMut(&str),
    finish: impl Fn(&mut Verdict) + Sync,
    render: impl Fn(&Verdict) -> R + Sync,
    mut emit: impl FnMut(Vec<(Verdict, R)>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    crate::facts::packet::files::prefetch(dirs);
    let mut audit: Option<Result<StreamAudit, String>> = None;
    let mut noted = false;
    for chunk in dirs.chunks(CHUNK) {
        let checked = parallel_map(chunk, |dir| {
            let (packet, mut verdict) = check_keeping_sources(dir, ws, today, forced);
            if crate::facts::signoff::read(&packet).0.is_empty() {
                finish(&mut verdict);
                let laid_out = render(&verdict);
                (None, verdict, Some(laid_out))
            } else {
                (Some(Box::new(packet)), verdict, None)
            }
        });
        let mut verdicts = Vec::with_capacity(checked.len());
        let mut laid_out = Vec::with_capacity(checked.len());
        let mut signed = Vec::new();
        for (packet, verdict, out) in checked {
            if let Some(packet) = packet {
                signed.push((verdicts.len(), packet));
            }
            verdicts.push(verdict);
            laid_out.push(out);
        }
        if !signed.is_empty() {
            let auditor = audit.get_or_insert_with(|| StreamAudit::open(dirs));
            let found = match auditor {
                Ok(auditor) => parallel_map(&signed, |(i, p)| {
                    (*i, auditor.warnings(p, &ws.config.settings))
                }),
                Err(why) => {
                    if !noted {
                        note(why);
                        noted = true;
                    }
                    Vec::new()
                }
            };
            for (i, warnings) in found {
                match warnings {
                    Ok(warnings) => add_warnings(&mut verdicts[i], warnings),
                    Err(why) if !noted => {
                        note(&why);
                        noted = true;
                    }
                    Err(_) => {}
                }
            }
            for (i, _) in &signed {
                finish(&mut verdicts[*i]);
            }
            let indices: Vec<usize> = signed.iter().map(|(i, _)| *i).collect();
            let rendered = parallel_map(&indices, |i| render(&verdicts[*i]));
            for (i, out) in indices.into_iter().zip(rendered) {
                laid_out[i] = Some(out);
            }
        }
        let pairs = verdicts
            .into_iter()
            .zip(laid_out)
            .filter_map(|(v, out)| Some((v, out?)))
            .collect();
        emit(pairs)?;
    }
    Ok(())
}

/// Check packets `chunk` at a time and hand each chunk's packets with their verdicts (the one
/// `check` gives, the sign-off audit included), in order, to `each` before checking the next:
/// memory holds one chunk however many packets there are. `note` hears, once, why the audit could
/// not run. Stops at the first error `each` returns.
pub fn check_chunks<E>(
    dirs: &[PathBuf],
    ws: &Workspace,
    today: NaiveDate,
    chunk: usize,
    mut note: impl FnMut(&str),
    mut each: impl FnMut(Vec<(Packet, Verdict)>) -> Result<(), E>,
) -> Result<(), E> {
    crate::facts::packet::files::prefetch(dirs);
    let mut audit: Option<Result<StreamAudit, String>> = None;
    let mut noted = false;
    for part in dirs.chunks(chunk.max(1)) {
        let mut checked = parallel_map(part, |dir| check_one(dir, ws, today, None));
        let signed: Vec<usize> = checked
            .iter()
            .enumerate()
            .filter(|(_, (p, _))| !crate::facts::signoff::read(p).0.is_empty())
            .map(|(i, _)| i)
            .collect();
        if !signed.is_empty() {
            let auditor = audit.get_or_insert_with(|| StreamAudit::open(dirs));
            let found = match auditor {
                Ok(auditor) => parallel_map(&signed, |i| {
                    (*i, auditor.warnings(&checked[*i].0, &ws.config.settings))
                }),
                Err(why) => {
                    if !noted {
                        note(why);
                        noted = true;
                    }
                    Vec::new()
                }
            };
            for (i, warnings) in found {
                match warnings {
                    Ok(warnings) => add_warnings(&mut checked[i].1, warnings),
                    Err(why) if !noted => {
                        note(&why);
                        noted = true;
                    }
                    Err(_) => {}
                }
            }
        }
        each(checked)?;
    }
    Ok(())
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
