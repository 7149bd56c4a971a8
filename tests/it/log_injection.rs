//! Texts of a pull request on their way to the job log, the annotations and the job summary:
//! a value with a line break cannot start a line of its own (a workflow command such as
//! `::error …` or `::stop-commands::…`), and a key full of backticks cannot show live HTML in
//! the summary.

use crate::common;
use common::Repo;

/// Whether a line of the job log would be read by the runner as a command the tool did not
/// write: the tool's own annotations name a file.
fn forged(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("::"))
        .filter(|l| {
            !(l.starts_with("::error file=")
                || l.starts_with("::warning file=")
                || l.starts_with("::notice file="))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn a_value_with_a_line_break_forges_no_workflow_command_and_a_key_shows_no_html() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let path = "handoffs/winback-email/handoff.md";
    let text = repo.read(path).replacen(
        "title: Win-back email for lapsed trial users\n",
        "title: Win-back email for lapsed trial users\n\"``<img src=x onerror=alert(1)>\": 1\n",
        1,
    );
    let text = text.replacen(
        "  backup: Tomas Weber <tomas@northwind.test>\n",
        "  backup: \"Tomas\\n::stop-commands::tok\\n::error file=README.md::pwned\u{202e}\"\n",
        1,
    );
    repo.write(path, text);
    let other = repo
        .read(path)
        .replacen("id: winback-email", "id: evil", 1)
        .replacen(
            "kind: gtm-play",
            "kind: \"gtm\\n::error title=x::forged kind\"",
            1,
        );
    repo.write("handoffs/evil/handoff.md", other);
    repo.commit_as("Dana Kim <dana@x.test>", "P");

    let summary = repo.file("summary.md");
    let out = repo
        .handoff()
        .env("GITHUB_ACTIONS", "true")
        .args([
            "check",
            "--today",
            "2026-12-01",
            "--format",
            "github",
            "--summary",
        ])
        .arg(&summary)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("::error file="), "{stdout}");
    assert!(forged(&stdout).is_empty(), "{:?}", forged(&stdout));
    assert!(forged(&stderr).is_empty(), "{:?}", forged(&stderr));
    assert!(!stdout.contains('\u{202e}') && !stderr.contains('\u{202e}'));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("unknown key"), "{md}");
    assert!(!md.contains("<img"), "{md}");
    assert!(forged(&md).is_empty(), "{md}");

    // The report a person reads in the log says the same without forging a line.
    let (_, stdout, stderr) = repo.run(&["check", "--today", "2026-12-01"]);
    assert!(forged(&stdout).is_empty(), "{stdout}");
    assert!(forged(&stderr).is_empty(), "{stderr}");
    assert!(!stdout.contains('\u{202e}'), "{stdout}");
}
