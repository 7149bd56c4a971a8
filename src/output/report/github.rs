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
            d.rule.as_str(),
            &d.message,
            &d.help,
        );
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{}", Summary::of(verdicts).line());
    out
}

/// One workflow command: `::LEVEL file=…,line=…,col=…,title=handoff RULE::MESSAGE\nhelp: HELP`,
/// on one line whatever the texts hold: each is made [`inline`](crate::support::words::inline)
/// (no line break, control or bidi character of a value reaches the log), then escaped as the
/// runner reads it.
pub fn annotation(
    level: &str,
    file: &str,
    line: usize,
    col: usize,
    rule: &str,
    message: &str,
    help: &str,
) -> String {
    use crate::support::words::inline;
    format!(
        "::{level} file={},line={line},col={col},title={}::{}",
        property(&inline(file)),
        property(&inline(&format!("handoff {rule}"))),
        data(&format!("{}\nhelp: {}", inline(message), inline(help))),
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
    use proptest::prelude::*;

    #[test]
    fn escapes_workflow_command_values() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }

    /// What the runner shows of a `data` or `property` value.
    fn decoded(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('%') {
            out.push_str(&rest[..i]);
            let code = rest.get(i..i + 3).unwrap_or(&rest[i..]);
            out.push_str(match code {
                "%0A" => "\n",
                "%0D" => "\r",
                "%3A" => ":",
                "%2C" => ",",
                "%25" => "%",
                other => other,
            });
            rest = &rest[(i + code.len()).min(rest.len())..];
        }
        out.push_str(rest);
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever a file name, a message or a help holds, the annotation is one workflow
        /// command of the tool's own: one line, its properties where they belong, and no
        /// control or bidi character in what the runner shows.
        #[test]
        fn an_annotation_is_one_command_whatever_its_texts_hold(
            file in "([a-z/.:,%=]|\n|\r|::error::x|::stop-commands::t|\u{1b}|\u{202e}|\u{2066}|\u{85}|\u{2028}){0,16}",
            message in "([a-z :,%`<>]|\n|\r|::error::x|\n::stop-commands::t|\u{1b}\\[2J|\u{202e}|\u{200f}|\u{9b}){0,24}",
            help in "([a-z :,%]|\n|::warning::x|\u{7}){0,12}",
        ) {
            let line = super::annotation("error", &file, 3, 1, "rule-x", &message, &help);
            prop_assert!(!line.contains(['\n', '\r']), "{:?}", line);
            prop_assert!(line.starts_with("::error file="), "{:?}", line);
            let (props, text) = line["::error ".len()..].split_once("::").unwrap();
            let fields: Vec<&str> = props.split(',').collect();
            prop_assert_eq!(fields.len(), 4, "{:?}", props);
            prop_assert!(fields[0].starts_with("file=") && fields[1] == "line=3" && fields[2] == "col=1");
            prop_assert_eq!(fields[3], "title=handoff rule-x");
            let shown = decoded(text);
            let (said, helped) = shown.split_once("\nhelp: ").unwrap();
            prop_assert_eq!(said, crate::support::words::inline(&message));
            prop_assert_eq!(helped, crate::support::words::inline(&help));
            for part in [decoded(&fields[0][5..]), shown.clone()] {
                prop_assert!(
                    !part.chars().any(|c| (c.is_control() && c != '\n')
                        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
                    "{:?}", part
                );
                // No value starts a line of what the runner shows.
                for l in part.lines().skip(1) {
                    prop_assert!(l.starts_with("help: "), "{:?}", part);
                }
            }
        }
    }
}
