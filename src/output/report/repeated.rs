//! Findings repeated over many packets, folded for people: the same rule is shown in full on its
//! first few packets; from then on its findings are listed once, under one heading after the
//! packets, capped, with a count of the rest. A table of findings by rule closes a run in which
//! anything was folded. Only the human report folds; JSON and SARIF keep every finding.
//!
//! What is folded depends only on the packets' order, never on which core laid out which packet,
//! so the same run prints the same text.

use crate::judgement::diagnostic::{Diagnostic, RuleId, Severity};
use crate::judgement::verdict::Verdict;
use std::collections::HashMap;
use std::fmt::Write as _;

/// A rule's findings are shown in full on this many packets before they are folded.
pub const SHOWN_IN_FULL: usize = 3;
/// Packets listed under a folded rule's heading; the rest are counted.
pub const LISTED: usize = 10;

/// The folding state of one run, fed packet by packet in report order.
#[derive(Debug, Default)]
pub struct Repeated {
    /// Rule → packets on which its findings were shown in full.
    shown: HashMap<RuleId, usize>,
    /// Rule → what was folded.
    folded: HashMap<RuleId, Folded>,
    /// Rule → every finding counted, folded or not.
    counts: HashMap<RuleId, Count>,
}

#[derive(Debug, Default)]
struct Folded {
    worst: Option<Severity>,
    packets: usize,
    findings: usize,
    listed: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Count {
    errors: usize,
    warnings: usize,
    notes: usize,
    packets: usize,
}

impl Repeated {
    /// Which of `v`'s findings to fold (`true`), given which ones the report prints at all
    /// (`printed`): the findings of a rule already shown in full on [`SHOWN_IN_FULL`] packets.
    pub fn fold(&mut self, v: &Verdict, printed: impl Fn(&Diagnostic) -> bool) -> Vec<bool> {
        let mut decided: Vec<(RuleId, bool)> = Vec::new();
        let mut mask = Vec::with_capacity(v.diagnostics.len());
        let mut counted: Vec<RuleId> = Vec::new();
        for d in &v.diagnostics {
            let count = self.counts.entry(d.rule).or_default();
            if !counted.contains(&d.rule) {
                counted.push(d.rule);
                count.packets += 1;
            }
            match d.severity {
                Severity::Error => count.errors += 1,
                Severity::Warning => count.warnings += 1,
                Severity::Note => count.notes += 1,
            }
            if !printed(d) {
                mask.push(false);
                continue;
            }
            let fold = match decided.iter().find(|(r, _)| *r == d.rule) {
                Some((_, fold)) => *fold,
                None => {
                    let shown = self.shown.entry(d.rule).or_default();
                    let fold = *shown >= SHOWN_IN_FULL;
                    if !fold {
                        *shown += 1;
                    }
                    decided.push((d.rule, fold));
                    fold
                }
            };
            if fold {
                let folded = self.folded.entry(d.rule).or_default();
                folded.worst = folded.worst.max(Some(d.severity));
                folded.findings += 1;
                let first_here = mask
                    .iter()
                    .zip(&v.diagnostics)
                    .all(|(f, e)| !(*f && e.rule == d.rule));
                if first_here {
                    folded.packets += 1;
                    if folded.listed.len() < LISTED {
                        folded.listed.push(format!(
                            "{}  {}:{}:{}  {}",
                            v.id, d.file, d.pos.line, d.pos.column, d.message
                        ));
                    }
                } else if let Some(last) = folded.listed.last_mut()
                    && folded.packets <= LISTED
                {
                    // A packet with several findings of the rule: its line says how many more.
                    bump_more(last);
                }
            }
            mask.push(fold);
        }
        mask
    }

    /// Whether anything was folded.
    pub fn any(&self) -> bool {
        !self.folded.is_empty()
    }

    /// The folded findings under one heading per rule (errors first, then the most frequent),
    /// and the table of findings by rule; nothing when nothing was folded.
    pub fn text(&self, color: bool) -> String {
        let mut out = String::new();
        if !self.any() {
            return out;
        }
        let mut rules: Vec<(&RuleId, &Folded)> = self.folded.iter().collect();
        rules.sort_by(|a, b| {
            b.1.worst
                .cmp(&a.1.worst)
                .then(b.1.packets.cmp(&a.1.packets))
                .then(a.0.cmp(b.0))
        });
        let _ = writeln!(
            out,
            "\nRepeated findings (each rule is shown in full on its first {SHOWN_IN_FULL} packets above):"
        );
        for (rule, f) in rules {
            let word = severity_word(f.worst.unwrap_or(Severity::Note), color);
            let _ = writeln!(
                out,
                "\n{word}[{rule}] on {} more {}:",
                f.packets,
                if f.packets == 1 { "packet" } else { "packets" }
            );
            for line in &f.listed {
                let _ = writeln!(out, "  {}", crate::support::words::inline(line));
            }
            if f.packets > f.listed.len() {
                let _ = writeln!(
                    out,
                    "  and {} more; --format json for all",
                    f.packets - f.listed.len()
                );
            }
        }
        let mut table: Vec<(&RuleId, &Count)> = self.counts.iter().collect();
        table.sort_by(|a, b| {
            (b.1.errors > 0)
                .cmp(&(a.1.errors > 0))
                .then(
                    (b.1.errors + b.1.warnings + b.1.notes)
                        .cmp(&(a.1.errors + a.1.warnings + a.1.notes)),
                )
                .then(a.0.cmp(b.0))
        });
        let width = table
            .iter()
            .map(|(r, _)| r.as_str().len())
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(out, "\nFindings by rule:");
        let _ = writeln!(
            out,
            "  {:<width$}  {:>8}  {:>8}  {:>8}  {:>8}",
            "rule", "errors", "warnings", "notes", "packets"
        );
        for (rule, c) in table {
            let _ = writeln!(
                out,
                "  {rule:<width$}  {:>8}  {:>8}  {:>8}  {:>8}",
                c.errors, c.warnings, c.notes, c.packets
            );
        }
        out
    }
}

/// `… message` → `… message (+1 more in this packet)` → `(+2 more …)`.
fn bump_more(line: &mut String) {
    const TAIL: &str = " more in this packet)";
    if let Some(stem) = line.strip_suffix(TAIL)
        && let Some(open) = stem.rfind(" (+")
        && let Ok(n) = stem[open + 3..].parse::<usize>()
    {
        let keep = stem[..open].to_string();
        *line = format!("{keep} (+{}{TAIL}", n + 1);
        return;
    }
    line.push_str(" (+1");
    line.push_str(TAIL);
}

fn severity_word(s: Severity, color: bool) -> String {
    let (word, paint) = match s {
        Severity::Error => ("error", "\x1b[31;1m"),
        Severity::Warning => ("warning", "\x1b[33;1m"),
        Severity::Note => ("note", "\x1b[36m"),
    };
    match color {
        true => format!("{paint}{word}\x1b[0m"),
        false => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &'static str, severity: Severity, line: usize) -> Diagnostic {
        let rule = RuleId::parse(rule).unwrap_or(RuleId::UnknownKey);
        let mut d =
            Diagnostic::file_level(rule, severity, "p/packet.md", format!("{rule} here"), "");
        d.pos.line = line;
        d
    }

    fn packet(id: &str, diagnostics: Vec<Diagnostic>) -> Verdict {
        Verdict {
            id: id.into(),
            path: id.into(),
            kind: None,
            status: None,
            day0: None,
            gate: crate::facts::gate::Gate::Draft,
            pass: false,
            errors: 0,
            warnings: 0,
            diagnostics,
        }
    }

    #[test]
    fn a_rule_is_shown_in_full_on_its_first_packets_then_folded_and_capped() {
        let mut r = Repeated::default();
        let mut masks = Vec::new();
        for i in 0..(SHOWN_IN_FULL + LISTED + 5) {
            let v = packet(
                &format!("p{i}"),
                vec![
                    finding("answer-missing", Severity::Error, 3),
                    finding("answer-missing", Severity::Error, 5),
                ],
            );
            masks.push(r.fold(&v, |_| true));
        }
        assert!(masks[..SHOWN_IN_FULL].iter().all(|m| m == &[false, false]));
        assert!(masks[SHOWN_IN_FULL..].iter().all(|m| m == &[true, true]));
        let text = r.text(false);
        assert!(
            text.contains("error[answer-missing] on 15 more packets:"),
            "{text}"
        );
        assert!(
            text.contains("  p3  p/packet.md:3:1  answer-missing here (+1 more in this packet)"),
            "{text}"
        );
        assert!(
            text.contains("  and 5 more; --format json for all"),
            "{text}"
        );
        assert!(!text.contains("  p13  "), "listed past the cap: {text}");
        assert!(
            text.contains("answer-missing        36         0         0        18"),
            "{text}"
        );
    }

    #[test]
    fn nothing_folded_prints_nothing_and_unprinted_findings_are_never_folded() {
        let mut r = Repeated::default();
        for i in 0..10 {
            let v = packet(
                &format!("p{i}"),
                vec![finding("kind-behind", Severity::Note, 1)],
            );
            assert_eq!(r.fold(&v, |_| false), vec![false]);
        }
        assert_eq!(r.text(false), "");
    }

    #[test]
    fn errors_come_first() {
        let mut r = Repeated::default();
        for i in 0..(SHOWN_IN_FULL + 20) {
            let mut d = vec![finding("kind-behind", Severity::Warning, 1)];
            if i < SHOWN_IN_FULL + 2 {
                d.push(finding("answer-missing", Severity::Error, 4));
            }
            r.fold(&packet(&format!("p{i}"), d), |_| true);
        }
        let text = r.text(false);
        let error = text.find("error[answer-missing]").unwrap_or(usize::MAX);
        let warning = text.find("warning[kind-behind]").unwrap_or(0);
        assert!(error < warning, "{text}");
    }
}
