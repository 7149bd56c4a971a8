//! `--format github`: workflow commands, so findings appear inline on the pull request.

use super::Summary;
use crate::diagnostic::Severity;
use crate::verdict::Verdict;
use std::fmt::Write as _;

/// One `::error file=…,line=…,col=…,title=…::…` line per finding, then the summary; `base`
/// makes paths relative to the repository root, where GitHub looks for them.
pub fn render(verdicts: &[Verdict], base: &str) -> String {
    let mut out = String::new();
    for d in verdicts.iter().flat_map(|v| &v.diagnostics) {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            property(&super::root_relative(base, &d.file)),
            d.pos.line,
            d.pos.column,
            property(&format!("handoff {}", d.rule)),
            data(&format!("{}\nhelp: {}", d.message, d.help)),
        );
    }
    let _ = writeln!(out, "{}", Summary::of(verdicts).line());
    out
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
