//! The CLI says and does what it means: paths, exit codes, render outputs, strict dates, words.

use crate::common;
use common::{Repo, diagnostics, with_rule};

#[test]
fn dot_and_absolute_paths_name_the_packet() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_as("Pat Morgan <pat@northwind.test>", "Packet");
    let inside = repo.file("handoffs/winback-email");
    for arg in [".", "./", "../winback-email"] {
        let out = repo
            .handoff()
            .current_dir(&inside)
            .args(["check", arg, "--today", "2026-12-05", "--format", "json"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(0), "{arg}: {doc}");
        assert_eq!(doc["packets"][0]["id"], "winback-email", "{arg}");
    }
    let abs = inside.to_string_lossy().into_owned();
    let (code, _, _) = repo.run(&["check", &abs, "--today", "2026-12-05"]);
    assert_eq!(code, 0);
    let out = repo
        .handoff()
        .current_dir(&inside)
        .args(["timeline", ".", "--today", "2026-12-05"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("winback-email (gtm-play)"));
}

#[test]
fn a_folder_with_its_own_config_is_checked_with_it() {
    let holder = Repo::new();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for arg in ["./examples", "examples"] {
        let out = holder
            .handoff()
            .current_dir(examples.parent().unwrap())
            .args(["check", arg, "--format", "json", "--today", "2026-12-01"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["summary"]["packets"], 8, "{arg}: {doc}");
        // `ops-lead` resolves through examples/handoff.toml: no false person-invalid.
        let bad: Vec<_> = doc["packets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["id"] != "partner-referrals")
            .flat_map(|p| p["diagnostics"].as_array().unwrap().iter())
            .filter(|d| d["rule"] == "person-invalid")
            .collect();
        assert!(bad.is_empty(), "{arg}: {bad:?}");
    }
}

#[test]
fn a_missing_packets_folder_is_an_error_unless_allowed() {
    let repo = Repo::new();
    let (code, _, stderr) = repo.run(&["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no packets folder handoffs"), "{stderr}");
    assert!(stderr.contains("--allow-empty"), "{stderr}");
    let (code, stdout, _) = repo.run(&["check", "--allow-empty"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("0 packets"), "{stdout}");
}

#[test]
fn deny_warnings_fails_the_packet_in_every_output() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let args = ["check", "--today", "2026-12-01", "--deny-warnings"];
    let (code, doc) = repo.check_json(&args[1..]);
    assert_eq!(code, 1);
    assert!(doc["packets"][0]["warnings"].as_u64().unwrap() > 0, "{doc}");
    assert_eq!(doc["packets"][0]["pass"], false);
    assert_eq!(doc["summary"]["failed"], 1);
    let (code, text, _) = repo.run(&args);
    assert_eq!(code, 1);
    assert!(
        text.contains("FAIL winback-email") && text.contains("0 pass, 1 fails"),
        "{text}"
    );
    let (_, sarif, _) = repo.run(&[&args[..], &["--format", "sarif"]].concat());
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["failed"], 1);
    assert_eq!(
        sarif["runs"][0]["properties"]["failedPackets"][0],
        "winback-email"
    );
    // --quiet prints what failed.
    let (code, quiet, _) = repo.run(&[
        "--quiet",
        "check",
        "--today",
        "2026-12-01",
        "--deny-warnings",
    ]);
    assert_eq!(code, 1);
    assert!(quiet.contains("FAIL winback-email"), "{quiet}");
    // ... and why: every warning that made it fail, and the flag that made them count.
    let warnings = doc["packets"][0]["warnings"].as_u64().unwrap() as usize;
    assert_eq!(
        quiet.matches("  ⚠ ").count() + quiet.matches("  ! ").count(),
        warnings,
        "every warning is a reason:\n{quiet}"
    );
    assert!(
        quiet.contains("1 fails on warnings alone, as --deny-warnings asks"),
        "{quiet}"
    );
    assert!(
        !text.contains("on warnings alone") || text.contains("--deny-warnings"),
        "{text}"
    );
    // Without --deny-warnings, --quiet still hides warnings of a passing packet.
    let (code, quiet, _) = repo.run(&["--quiet", "check", "--today", "2026-12-01"]);
    assert_eq!(code, 0);
    assert!(quiet.is_empty(), "{quiet}");
    // status --check has the same meaning.
    assert_eq!(repo.run(&["status", "--today", "2026-12-08"]).0, 0);
    assert_eq!(
        repo.run(&["status", "--today", "2026-12-08", "--check"]).0,
        1
    );
}

#[test]
fn changed_since_with_nothing_changed_says_so() {
    let repo = Repo::new();
    repo.copy_example("billing-api-4-2");
    repo.commit_as("Pat Morgan <pat@northwind.test>", "Packet");
    let (code, _, stderr) =
        repo.run(&["check", "--changed-since", "HEAD", "--today", "2026-12-01"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("no packet changed since HEAD"), "{stderr}");
}

#[test]
fn render_output_follows_its_extension_and_creates_folders() {
    let repo = Repo::new();
    repo.copy_example("billing-api-4-2");
    let (code, _, stderr) = repo.run(&["render", "billing-api-4-2", "-o", "review.pdf"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`.pdf`") && stderr.contains("--format"),
        "{stderr}"
    );
    assert!(!repo.file("review.pdf").exists());
    let (code, _, _) = repo.run(&[
        "render",
        "billing-api-4-2",
        "-o",
        "review.pdf",
        "--format",
        "md",
    ]);
    assert_eq!(code, 0);
    let (code, _, stderr) = repo.run(&["render", "--all", "-o", "site.html"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("names a file"), "{stderr}");
    // A sign-off's note travels with it into both documents.
    let p = "handoffs/billing-api-4-2/handoff.md";
    repo.write(
        p,
        repo.read(p).replacen(
            "    status: signed-off\n",
            "    status: signed-off\n    note: Evidence reviewed in REL-481\n",
            1,
        ),
    );
    let (code, _, stderr) = repo.run(&["render", "billing-api-4-2", "-o", "new/dir/x.html"]);
    assert_eq!(code, 0, "{stderr}");
    let html = repo.read("new/dir/x.html");
    assert!(
        html.starts_with("<!DOCTYPE html>") || html.contains("<html"),
        "{html}"
    );
    // Markdown and HTML carry the same content: the role's meaning is in both.
    let (_, md, _) = repo.run(&["render", "billing-api-4-2"]);
    for text in [
        "Engineering confirms the readiness evidence is real",
        "Platform ops holds the pager",
        "Evidence reviewed in REL-481",
    ] {
        assert!(md.contains(text) && html.contains(text), "{text}");
    }
}

#[test]
fn dates_are_strict_and_say_which_way_they_are_wrong() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let p = "handoffs/winback-email/handoff.md";
    repo.write(
        p,
        repo.read(p).replace("day0: 2026-12-07", "day0: 2027-1-11"),
    );
    let (code, doc) = repo.check_json(&["--today", "2026-11-01"]);
    assert_eq!(code, 1);
    let bad = with_rule(&diagnostics(&doc, "winback-email"), "date-invalid", "error");
    assert!(
        bad[0]["message"].as_str().unwrap().contains("YYYY-MM-DD"),
        "{doc}"
    );
    let (code, _, stderr) = repo.run(&[
        "new",
        "x",
        "--day0",
        "2027-02-30",
        "--from",
        "a",
        "--to",
        "b",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a day that exists"), "{stderr}");
    let (code, _, stderr) =
        repo.run(&["new", "x", "--day0", "27-02-03", "--from", "a", "--to", "b"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a date written YYYY-MM-DD"), "{stderr}");
}

#[test]
fn a_value_cut_by_a_comment_is_an_error_at_the_ready_gate() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let p = "handoffs/winback-email/handoff.md";
    repo.write(
        p,
        repo.read(p)
            .replace(
                "monitor: \"Email platform webhook posting to #lifecycle-alerts\"",
                "monitor: Email platform webhook posting to #lifecycle-alerts",
            )
            .replace("status: ready", "status: draft"),
    );
    let (_, doc) = repo.check_json(&["--today", "2026-11-01"]);
    assert_eq!(
        with_rule(
            &diagnostics(&doc, "winback-email"),
            "value-truncated",
            "warning"
        )
        .len(),
        1
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-05"]);
    assert_eq!(code, 1);
    assert_eq!(
        with_rule(
            &diagnostics(&doc, "winback-email"),
            "value-truncated",
            "error"
        )
        .len(),
        1
    );
}

#[test]
fn people_entries_are_validated_and_role_names_stand_for_people() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.write("handoff.toml", "[people]\nops-lead = \"Jordan\"\n");
    let (code, _, stderr) = repo.run(&["check"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("[people] `ops-lead` = `Jordan` is not `Name <email>`"),
        "{stderr}"
    );
    // --by takes a role name that names you.
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let (code, stdout, stderr) = repo.run_as(
        "Ines Moreau <ines@northwind.test>",
        &[
            "waive",
            "winback-email",
            "metric.kpi",
            "--reason",
            "r",
            "--until",
            "2026-12-20",
            "--today",
            "2026-12-01",
            "--by",
            "revops-director",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("(Ines Moreau <ines@northwind.test>)"),
        "{stdout}"
    );
}

#[test]
fn counts_days_and_dates_read_one_way() {
    let repo = Repo::new();
    repo.copy_example("billing-api-4-2");
    let (_, status, _) = repo.run(&["status", "--today", "2026-12-01"]);
    assert!(status.contains("(1 packet)"), "{status}");
    let (_, rendered, _) = repo.run(&["render", "--all", "-o", "site"]);
    assert!(rendered.contains("Rendered 1 packet and"), "{rendered}");
    let (_, timeline, _) = repo.run(&["timeline", "billing-api-4-2", "--today", "2026-10-05"]);
    assert!(timeline.contains("(day 0)"), "{timeline}");
    let (_, md, _) = repo.run(&["render", "billing-api-4-2", "--today", "2026-12-01"]);
    assert!(
        md.contains("(0 errors, 2 warnings)"),
        "the two unrecorded sign-offs: {md}"
    );
    assert!(md.contains("day +57"), "{md}");
    for bad in [
        "D0",
        "day +0",
        "day  +0",
        "error(s)",
        "1 warnings",
        "1 packets",
    ] {
        assert!(
            !status.contains(bad) && !timeline.contains(bad) && !md.contains(bad),
            "{bad}"
        );
    }
    // A long kind name keeps the kinds table aligned.
    repo.write(
        ".handoff/kinds/partner-marketing-launch/kind.yaml",
        "name: partner-marketing-launch\nsummary: A long name\nfields: []\n",
    );
    let (_, kinds, _) = repo.run(&["kinds"]);
    let summary_col: Vec<usize> = kinds
        .lines()
        .filter(|l| l.contains(" asks: "))
        .map(|l| l.find("asks:").unwrap())
        .collect();
    assert!(summary_col.windows(2).all(|w| w[0] == w[1]), "{kinds}");
    // YAML errors speak plainly first.
    let p = "handoffs/billing-api-4-2/handoff.md";
    repo.write(
        p,
        repo.read(p)
            .replace("service: billing-api 4.2.0", "service: billing: api"),
    );
    let (_, doc) = repo.check_json(&["--today", "2026-12-01"]);
    let d = &diagnostics(&doc, "billing-api-4-2")[0];
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("a value contains `: `"),
        "{d}"
    );
    assert!(
        d["help"].as_str().unwrap().contains("the YAML parser says"),
        "{d}"
    );
}

#[test]
fn a_custom_kind_without_templates_scaffolds_only_what_it_checks() {
    let repo = Repo::new();
    repo.write(
        ".handoff/kinds/audit-prep/kind.yaml",
        "name: audit-prep\nsummary: Evidence handed to the auditors\nfields:\n  - key: scope\n    type: text\n    prompt: What does the audit cover?\nsections:\n  - title: Evidence list\n    prompt: the documents handed over\ncriteria: [Auditors confirmed access]\n",
    );
    let (code, _, stderr) = repo.run(&[
        "new",
        "q1",
        "--kind",
        "audit-prep",
        "--day0",
        "2026-12-07",
        "--from",
        "finance",
        "--to",
        "audit",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = repo.read("handoffs/q1/handoff.md");
    let body = &text[text.find("\n---\n").unwrap()..];
    assert!(
        body.contains("## Evidence list") && !body.contains("## Summary"),
        "{body}"
    );
    // Every placeholder in the body is one the gate asks about.
    let (_, doc) = repo.check_json(&["--gate", "ready", "--today", "2026-12-01"]);
    let todo_lines: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("TODO"))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let flagged: Vec<u64> = diagnostics(&doc, "q1")
        .iter()
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert!(!todo_lines.is_empty());
    for line in todo_lines {
        assert!(
            flagged.contains(&line),
            "line {line} is never checked: {doc}"
        );
    }
}
