//! `--format github`: workflow commands, so findings appear inline on the pull request.

use super::Summary;
use crate::judgement::diagnostic::Severity;
use crate::judgement::verdict::Verdict;
use std::fmt::Write as _;

/// One `::error file=…,line=…,col=…,title=…::…` line per finding, then the summary; `base`
/// makes paths relative to the repository root, where GitHub looks for them. GitHub shows only
/// the first few annotations of each level per step, so errors come first, then warnings, then
/// notes, each in packet order.
pub fn render(verdicts: &[Verdict], base: &str) -> String {
    let mut out = String::new();
    let mut findings: Vec<_> = verdicts.iter().flat_map(|v| &v.diagnostics).collect();
    findings.sort_by_key(|d| std::cmp::Reverse(d.severity));
    for d in findings {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let file = super::root_relative(base, &d.file);
        let line = annotation(
            level,
            &file,
            d.pos.line,
            d.pos.column,
            d.rule,
            &d.message,
            &d.help,
        );
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{}", Summary::of(verdicts).line());
    out
}

/// One workflow command: `::LEVEL file=…,line=…,col=…,title=handoff RULE::MESSAGE\nhelp: HELP`.
pub fn annotation(
    level: &str,
    file: &str,
    line: usize,
    col: usize,
    rule: &str,
    message: &str,
    help: &str,
) -> String {
    format!(
        "::{level} file={},line={line},col={col},title={}::{}",
        property(&crate::support::words::neutral(file)),
        property(&format!("handoff {rule}")),
        data(&crate::support::words::neutral(&format!(
            "{message}\nhelp: {help}"
        ))),
    )
}

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_workflow_command_values() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
