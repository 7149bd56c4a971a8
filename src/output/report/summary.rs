//! A markdown summary of a run for a CI job's page (`check --summary "$GITHUB_STEP_SUMMARY"`):
//! a table of packets (failing first), then each failing packet's findings, errors first. GitHub
//! shows at most 1 MiB of a step's summary, so the text stops short of the room left, saying
//! how much it left out and where to find it all.

use super::Summary;
use crate::judgement::diagnostic::Severity;
use crate::judgement::verdict::Verdict;
use std::fmt::Write as _;

/// What GitHub shows of one step's summary.
pub const GITHUB_LIMIT: usize = 1024 * 1024;

/// Bytes left for this run's summary in `path` (what is there already counts against the limit).
pub fn room(path: &std::path::Path) -> usize {
    let used = std::fs::metadata(path).map_or(0, |m| m.len());
    GITHUB_LIMIT.saturating_sub(usize::try_from(used).unwrap_or(usize::MAX))
}

/// The summary, at most `room` bytes.
pub fn render(verdicts: &[Verdict], base: &str, room: usize) -> String {
    let summary = Summary::of(verdicts);
    let mut out = format!("## handoff check: {}\n\n", summary.line());
    // Room kept for the closing note.
    const NOTE: usize = 300;
    let budget = room.saturating_sub(NOTE);
    if out.len() > budget {
        return String::new();
    }
    let mut order: Vec<&Verdict> = verdicts.iter().collect();
    order.sort_by_key(|v| {
        (
            v.pass,
            std::cmp::Reverse(v.errors),
            std::cmp::Reverse(v.warnings),
        )
    });
    let mut left_packets = 0;
    let mut shown_findings = 0;
    let mut table = String::from(
        "| packet | kind | gate | verdict | errors | warnings |\n|---|---|---|---|---:|---:|\n",
    );
    for (i, v) in order.iter().enumerate() {
        let row = format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&v.id),
            cell(v.kind.as_deref().unwrap_or("no kind")),
            v.gate,
            if v.pass { "pass" } else { "**FAIL**" },
            v.errors,
            v.warnings
        );
        if out.len() + table.len() + row.len() > budget {
            left_packets = order.len() - i;
            break;
        }
        table.push_str(&row);
    }
    if !verdicts.is_empty() {
        out.push_str(&table);
    }
    for v in order.iter().filter(|v| v.errors + v.warnings > 0) {
        let mut findings: Vec<_> = v
            .diagnostics
            .iter()
            .filter(|d| d.severity > Severity::Note)
            .collect();
        findings.sort_by_key(|d| std::cmp::Reverse(d.severity));
        let mut section = format!(
            "\n### {} {}\n\n| | where | rule | finding |\n|---|---|---|---|\n",
            if v.pass { "pass" } else { "FAIL" },
            cell(&v.id)
        );
        let head = section.len();
        for d in &findings {
            let place = format!(
                "`{}:{}`",
                super::root_relative(base, &d.file).replace('`', "'"),
                d.pos.line
            );
            let row = format!(
                "| {} | {} | {} | {} |\n",
                if d.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                },
                cell(&place),
                d.rule,
                cell(&d.message)
            );
            if out.len() + section.len() + row.len() > budget {
                break;
            }
            section.push_str(&row);
            shown_findings += 1;
        }
        if section.len() > head {
            out.push_str(&section);
        }
    }
    let all_findings: usize = verdicts.iter().map(|v| v.errors + v.warnings).sum();
    let left_findings = all_findings.saturating_sub(shown_findings);
    if left_packets > 0 || left_findings > 0 {
        let _ = write!(
            out,
            "\n_Not shown, to stay within GitHub's 1 MiB summary: {} and {}. `handoff check --format json` lists every finding._\n",
            crate::support::words::plural(left_packets, "packet row", "packet rows"),
            crate::support::words::plural(left_findings, "finding", "findings"),
        );
    }
    out
}

/// Text for a table cell: one line, no cell breaks, no HTML taken from a packet (outside code
/// spans `<`, `>` and `&` are written as entities; inside them they are plain text already).
fn cell(text: &str) -> String {
    let text = crate::support::words::neutral(text);
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '&' if !in_code => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    // An unclosed code span would swallow the rest of the row.
    if in_code {
        out.push('`');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_cannot_break_the_table_or_carry_html() {
        assert_eq!(cell("a | b\n<script>"), "a \\| b &lt;script&gt;");
        assert_eq!(
            cell("`<a@b.test>` <a@b.test>"),
            "`<a@b.test>` &lt;a@b.test&gt;"
        );
        assert_eq!(cell("`open"), "`open`");
    }
}
