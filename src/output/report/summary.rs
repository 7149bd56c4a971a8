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
            let place = crate::support::words::code_span(&format!(
                "{}:{}",
                super::root_relative(base, &d.file),
                d.pos.line
            ));
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

/// Text for a table cell: one line, no cell breaks, no HTML and no markdown taken from a
/// packet. Backtick runs are paired as markdown pairs them (a run opens a code span only where a
/// later run of the same length closes it); inside a code span the text shows as it is, outside
/// `<`, `>` and `&` are written as entities and markdown's punctuation is escaped. A run that
/// closes nothing is escaped too, so no backtick of a value can end a code span early and let
/// what follows be read as HTML.
fn cell(text: &str) -> String {
    let text = crate::support::words::inline(text);
    let bytes = text.as_bytes();
    // Each backtick run: where it starts and how long it is.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let n = bytes[i..].iter().take_while(|b| **b == b'`').count();
            runs.push((i, n));
            i += n;
        } else {
            i += 1;
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    let mut r = 0;
    while r < runs.len() {
        let (start, n) = runs[r];
        let closer = runs[r + 1..].iter().position(|&(_, m)| m == n);
        plain(&text[at..start], &mut out);
        match closer {
            Some(k) => {
                let (end, _) = runs[r + 1 + k];
                out.push_str(&text[start..start + n]);
                out.push_str(&text[start + n..end].replace('|', "\\|"));
                out.push_str(&text[end..end + n]);
                at = end + n;
                r += k + 2;
            }
            None => {
                for _ in 0..n {
                    out.push_str("\\`");
                }
                at = start + n;
                r += 1;
            }
        }
    }
    plain(&text[at..], &mut out);
    out
}

/// Text outside a code span, shown as it is: HTML's specials as entities, markdown's
/// punctuation escaped.
fn plain(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '|' | '*' | '_' | '[' | ']' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    #[test]
    fn a_cell_cannot_break_the_table_or_carry_html() {
        assert_eq!(cell("a | b\n<script>"), "a \\| b\\\\u{a}&lt;script&gt;");
        assert_eq!(
            cell("`<a@b.test>` <a@b.test>"),
            "`<a@b.test>` &lt;a@b.test&gt;"
        );
        assert_eq!(cell("`open"), "\\`open");
        // A run of two opens nothing a run of one closes: the image stays text.
        assert_eq!(
            cell("unknown key ```<img src=x onerror=alert(1)>`"),
            "unknown key \\`\\`\\`&lt;img src=x onerror=alert(1)&gt;\\`"
        );
    }

    /// The events of `cell` as the second of two cells of a GFM table row.
    fn events_of(cell_text: &str) -> Vec<Event<'static>> {
        let doc = format!("| a | b | c |\n|---|---|---|\n| x | {cell_text} | y |\n");
        let mut options = Options::empty();
        options.insert(Options::ENABLE_TABLES);
        options.insert(Options::ENABLE_STRIKETHROUGH);
        Parser::new_ext(&doc, options)
            .map(Event::into_static)
            .collect()
    }

    /// The cells of the table's body row: each cell's events.
    fn body_cells(events: &[Event<'static>]) -> Vec<Vec<Event<'static>>> {
        let mut cells = Vec::new();
        let mut in_body = false;
        let mut current: Option<Vec<Event<'static>>> = None;
        for e in events {
            match e {
                Event::End(TagEnd::TableHead) => in_body = true,
                Event::Start(Tag::TableCell) if in_body => current = Some(Vec::new()),
                Event::End(TagEnd::TableCell) if in_body => cells.extend(current.take()),
                e => {
                    if let Some(c) = current.as_mut() {
                        c.push(e.clone());
                    }
                }
            }
        }
        cells
    }

    fn shown(events: &[Event<'static>]) -> String {
        events
            .iter()
            .map(|e| match e {
                Event::Text(t) | Event::Code(t) => t.to_string(),
                _ => String::new(),
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever a packet holds, its cell stays one cell of text and code: no HTML, no link,
        /// no image, no emphasis; and text without backticks shows exactly as the neutraliser
        /// leaves it.
        #[test]
        fn a_cell_shows_text_and_nothing_else(
            s in proptest::string::string_regex("([`<>&|*_\\\\\\[\\]!()~:a-z =\"'\n\r\u{1b}\u{202e}\u{2028}]|<img src=x>|``|```){0,24}").unwrap()
        ) {
            let events = events_of(&cell(&s));
            let cells = body_cells(&events);
            prop_assert_eq!(cells.len(), 3, "{:?} -> {:?}", s, cell(&s));
            prop_assert_eq!(shown(&cells[2]), "y");
            for e in &cells[1] {
                prop_assert!(
                    matches!(e, Event::Text(_) | Event::Code(_)),
                    "{:?} -> {:?}: {:?}", s, cell(&s), e
                );
            }
            let seen = shown(&cells[1]);
            prop_assert!(!seen.contains(['\n', '\r', '\u{1b}', '\u{202e}', '\u{2028}']), "{:?}", seen);
            if !s.contains('`') {
                // A table cell's text is trimmed.
                let want = crate::support::words::inline(&s);
                prop_assert_eq!(seen.trim(), want.trim());
            }
        }

        /// A value shown as code is one code span holding the value, whatever backticks it has.
        #[test]
        fn a_code_span_holds_its_value_whole(
            s in proptest::string::string_regex("([`<>&| a-z\\\\]|<img src=x>){1,24}").unwrap()
        ) {
            let events = events_of(&cell(&crate::support::words::code_span(&s)));
            let cells = body_cells(&events);
            prop_assert_eq!(cells.len(), 3);
            let code: Vec<_> = cells[1].iter().filter(|e| matches!(e, Event::Code(_))).collect();
            prop_assert_eq!(code.len(), 1, "{:?}: {:?}", s, cells[1]);
            prop_assert_eq!(shown(&cells[1]), s.clone());
        }
    }
}
