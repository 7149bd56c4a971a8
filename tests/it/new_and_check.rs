//! `handoff new` then `handoff check`: scaffolding, the gates, and every kind's required answers.

use crate::common;
use common::{Repo, diagnostics, with_rule};

fn scaffold(repo: &Repo, id: &str, kind: &str) {
    let (code, stdout, stderr) = repo.run(&[
        "new",
        id,
        "--kind",
        kind,
        "--day0",
        "2026-12-07",
        "--from",
        "growth",
        "--to",
        "lifecycle-ops",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("handoffs/{id}/handoff.md")),
        "{stdout}"
    );
    assert!(stdout.contains("Next:"), "{stdout}");
}

#[test]
fn new_packet_passes_early_and_fails_at_ready_with_one_error_per_question() {
    let repo = Repo::new();
    scaffold(&repo, "winback-email", "gtm-play");
    let text = repo.read("handoffs/winback-email/handoff.md");
    assert!(text.starts_with("---\nid: winback-email\n"), "{text}");
    assert!(repo.file("handoffs/winback-email/runbook.md").is_file());

    let (code, doc) = repo.check_json(&["--today", "2026-11-26"]);
    assert_eq!(code, 0, "a fresh packet passes the draft gate: {doc}");
    assert_eq!(doc["packets"][0]["gate"], "draft");
    let diags = diagnostics(&doc, "winback-email");
    assert!(with_rule(&diags, "answer-missing", "error").is_empty());
    assert!(!with_rule(&diags, "answer-missing", "warning").is_empty());

    let (code, doc) = repo.check_json(&["--today", "2026-12-05"]);
    assert_eq!(code, 1, "day -2 reaches the ready gate");
    assert_eq!(doc["packets"][0]["gate"], "ready");
    let diags = diagnostics(&doc, "winback-email");
    let errors: Vec<u64> = with_rule(&diags, "answer-missing", "error")
        .iter()
        .filter(|d| d["file"] == "handoffs/winback-email/handoff.md")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    // Every TODO line of the front matter except the walkthrough and the live meeting's record
    // (both due at the handed-off gate) has exactly one error, on that line.
    let front_end = text.lines().skip(1).position(|l| l == "---").unwrap() + 2;
    let lines: Vec<&str> = text.lines().collect();
    let live = lines
        .iter()
        .position(|l| l.starts_with("live_meeting:"))
        .unwrap();
    let live_end = live
        + 1
        + lines[live + 1..]
            .iter()
            .position(|l| !l.starts_with(' '))
            .unwrap();
    let mut todo_lines: Vec<u64> = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            *i < front_end
                && l.contains("\"TODO:")
                && !l.starts_with("walkthrough")
                && !(live..live_end).contains(i)
        })
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut front_errors: Vec<u64> = errors
        .into_iter()
        .filter(|l| *l <= front_end as u64)
        .collect();
    front_errors.sort();
    todo_lines.sort();
    assert_eq!(front_errors, todo_lines);
    assert_eq!(todo_lines.len(), 38);
    // The walkthrough is only a warning until the handed-off gate.
    assert!(
        with_rule(&diags, "answer-missing", "warning")
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("walkthrough"))
    );
    // The runbook's TODO checklists are located in runbook.md.
    assert!(
        diags
            .iter()
            .any(|d| d["file"] == "handoffs/winback-email/runbook.md" && d["line"] == 7)
    );
}

#[test]
fn new_refuses_existing_packets_and_bad_ids_without_touching_anything() {
    let repo = Repo::new();
    scaffold(&repo, "a", "generic");
    repo.write("handoffs/a/handoff.md", "my edits");
    let (code, _, stderr) = repo.run(&[
        "new",
        "a",
        "--day0",
        "2026-12-07",
        "--from",
        "x",
        "--to",
        "y",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(repo.read("handoffs/a/handoff.md"), "my edits");

    for bad in [
        "../escape",
        "Upper",
        "_under",
        "a/b",
        "",
        ".hidden",
        &"x".repeat(65),
    ] {
        let (code, _, stderr) = repo.run(&[
            "new",
            bad,
            "--day0",
            "2026-12-07",
            "--from",
            "x",
            "--to",
            "y",
        ]);
        assert_eq!(code, 2, "id {bad:?}");
        assert!(stderr.contains("not a valid packet id"), "{stderr}");
    }
    assert!(!repo.file("escape").exists());
    let (code, _, stderr) = repo.run(&[
        "new",
        "b",
        "--kind",
        "gtm-ply",
        "--day0",
        "2026-12-07",
        "--from",
        "x",
        "--to",
        "y",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `gtm-play`"), "{stderr}");
    let (code, _, stderr) = repo.run(&[
        "new",
        "b",
        "--day0",
        "12/07/2026",
        "--from",
        "x",
        "--to",
        "y",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");
    // No temporary folders are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(repo.file("handoffs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn complete_packet_passes_ready_and_fails_on_day0_with_open_criteria() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let (code, doc) = repo.check_json(&["--today", "2026-12-05"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["packets"][0]["errors"], 0);

    // Day 0, before the meeting: what only the meeting can make true is not due yet (the live run
    // is due at day +1, the shadow run at +3), and the alerts criterion is waived.
    let (code, doc) = repo.check_json(&["--today", "2026-12-07"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["packets"][0]["gate"], "handed-off");
    let diags = diagnostics(&doc, "winback-email");
    let waived = with_rule(&diags, "criteria-open", "note");
    assert_eq!(waived.len(), 1, "{doc}");
    assert_eq!(waived[0]["waived"]["until"], "2027-01-15");
    assert!(
        waived[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("waived until 2027-01-15:")
    );

    // The day after, the live run and the meeting's record are due.
    let (code, doc) = repo.check_json(&["--today", "2026-12-08"]);
    assert_eq!(code, 1);
    let diags = diagnostics(&doc, "winback-email");
    let open = with_rule(&diags, "criteria-open", "error");
    assert_eq!(open.len(), 1, "{doc}");
    assert!(
        open[0]["message"]
            .as_str()
            .unwrap()
            .contains("live handoff")
    );
    assert!(
        with_rule(&diags, "answer-missing", "error")
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("live_meeting.date"))
    );
    let text = repo.read("handoffs/winback-email/handoff.md");
    for d in open {
        let line = d["line"].as_u64().unwrap() as usize;
        assert!(text.lines().nth(line - 1).unwrap().starts_with("- [ ]"));
    }
    // --gate forces a gate whatever the date says.
    let (code, _) = repo.check_json(&["--today", "2026-12-07", "--gate", "ready"]);
    assert_eq!(code, 0);
}

fn required_errors(kind: &str) -> Vec<String> {
    let repo = Repo::new();
    scaffold(&repo, "p", kind);
    let (code, doc) = repo.check_json(&["--gate", "ready", "--today", "2026-11-01"]);
    assert_eq!(code, 1);
    with_rule(&diagnostics(&doc, "p"), "answer-missing", "error")
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

fn assert_asks(kind: &str, paths: &[&str]) {
    let errors = required_errors(kind);
    for path in paths {
        assert!(
            errors.iter().any(|m| m.starts_with(&format!("`{path}`"))),
            "{kind}: no error for {path} in {errors:#?}"
        );
    }
}

#[test]
fn every_kind_enforces_its_own_questions() {
    assert_asks(
        "gtm-play",
        &[
            "owner.primary",
            "metric.kpi",
            "runbook.sla",
            "risks[1].guardrail",
            "backlog.items[1].due",
            "data_contract[1].freshness",
        ],
    );
    assert_asks(
        "sales-routing",
        &[
            "segment",
            "goal",
            "response_sla",
            "capacity",
            "dependencies[1]",
            "escalation[1]",
            "enablement[1].due",
        ],
    );
    assert_asks(
        "release",
        &[
            "service",
            "readiness.load.owner",
            "readiness.security.evidence",
            "readiness.runbook.owner",
            "readiness.rollback.evidence",
            "escalation[1]",
            "communication.channel",
        ],
    );
    assert_asks(
        "generic",
        &[
            "trigger",
            "inputs[1]",
            "output",
            "owner.sender",
            "sla.receiver",
            "review",
            "failure_signal",
        ],
    );
}

#[test]
fn every_kind_has_a_passing_example() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for (id, today) in [
        ("winback-email", "2026-12-05"),
        ("inbound-demo-routing", "2026-12-01"),
        ("billing-api-4-2", "2026-12-01"),
        ("onboarding-kickoff", "2026-11-26"),
    ] {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args([
                "-C",
                examples.to_str().unwrap(),
                "check",
                id,
                "--today",
                today,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(0), "{id}: {doc}");
        assert_eq!(doc["packets"][0]["errors"], 0, "{id}");
    }
    // The broken example fails with the typical mistakes.
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args([
            "-C",
            examples.to_str().unwrap(),
            "check",
            "partner-referrals",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = diagnostics(&doc, "partner-referrals")
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "unknown-key",
        "person-invalid",
        "wrong-type",
        "date-invalid",
        "attachment-missing",
    ] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
}

#[test]
fn sales_routing_needs_its_tables() {
    let repo = Repo::new();
    repo.copy_example("inbound-demo-routing");
    let path = "handoffs/inbound-demo-routing/handoff.md";
    let text = repo.read(path);
    let start = text.find("## SLA table").unwrap();
    let end = text.find("## Acceptance criteria").unwrap();
    repo.write(
        path,
        format!(
            "{}## SLA table\nWe answer fast.\n\n{}",
            &text[..start],
            &text[end..]
        ),
    );
    let (code, doc) = repo.check_json(&["--gate", "ready", "--today", "2026-09-01"]);
    assert_eq!(code, 1);
    let errs = with_rule(
        &diagnostics(&doc, "inbound-demo-routing"),
        "section-missing",
        "error",
    );
    assert_eq!(errs.len(), 1, "{doc}");
    assert!(errs[0]["message"].as_str().unwrap().contains("SLA table"));
}

#[test]
fn typos_get_a_suggestion_and_wrong_values_are_located() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let path = "handoffs/winback-email/handoff.md";
    let text = repo
        .read(path)
        .replace("  kpi: Reactivated", "  kip: Reactivated")
        .replace("status: ready", "status: redy");
    repo.write(path, text);
    let (code, doc) = repo.check_json(&["--today", "2026-11-26"]);
    assert_eq!(code, 1);
    let diags = diagnostics(&doc, "winback-email");
    let unknown = with_rule(&diags, "unknown-key", "error");
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["line"], 17);
    assert_eq!(unknown[0]["column"], 3);
    assert!(
        unknown[0]["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `kpi`")
    );
    let status = with_rule(&diags, "status-invalid", "error");
    assert!(
        status[0]["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `ready`")
    );
}

#[test]
fn human_output_shows_the_snippet_and_the_summary() {
    let repo = Repo::new();
    repo.copy_example("onboarding-kickoff");
    let path = "handoffs/onboarding-kickoff/handoff.md";
    repo.write(
        path,
        repo.read(path).replace(
            "receiver: Omar Haddad <omar@northwind.test>",
            "receiver: Omar",
        ),
    );
    let (code, stdout, _) = repo.run(&["check", "--today", "2026-11-26"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let repo = Repo::new();
    scaffold(&repo, "a", "generic");
    assert_eq!(repo.run(&["check", "--today", "2026-11-01"]).0, 0);
    assert_eq!(
        repo.run(&["check", "--today", "2026-11-01", "--deny-warnings"])
            .0,
        1
    );
    let (code, stdout, _) = repo.run(&["check", "--today", "2026-11-01", "--quiet"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
}

#[test]
fn unknown_packets_and_bad_config_exit_2() {
    let repo = Repo::new();
    scaffold(&repo, "winback-email", "gtm-play");
    let (code, _, stderr) = repo.run(&["check", "winback-emial"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `winback-email`"), "{stderr}");
    repo.write("handoff.toml", "packets = [1]\n");
    let (code, _, stderr) = repo.run(&["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("handoff.toml"), "{stderr}");
}

#[test]
fn explain_and_kinds_document_the_rules() {
    let repo = Repo::new();
    let (code, stdout, _) = repo.run(&["explain", "answer-missing"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("TODO"), "{stdout}");
    let (code, stdout, _) = repo.run(&["explain"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("signoff-stale") && stdout.contains("unknown-key"));
    let (code, _, stderr) = repo.run(&["explain", "answer-mising"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `answer-missing`"));
    let (code, stdout, _) = repo.run(&["kinds"]);
    assert_eq!(code, 0);
    for kind in ["gtm-play", "sales-routing", "release", "generic"] {
        assert!(stdout.contains(kind));
    }
    let (_, stdout, _) = repo.run(&["kinds", "sales-routing"]);
    assert!(
        stdout.contains("Routing matrix") && stdout.contains("revops-director"),
        "{stdout}"
    );
}

#[test]
fn repo_kinds_add_and_override_without_code() {
    let repo = Repo::new();
    repo.write(
        ".handoff/kinds/support-rotation/kind.yaml",
        "name: support-rotation\nsummary: Support hands a queue to another tier\nfields:\n  - key: queue\n    type: text\n    prompt: Which queue moves?\nroles:\n  - name: support-lead\n    description: Accepts the queue\ntimeline:\n  - day: 0\n    title: Queue moves\n",
    );
    let (code, stdout, stderr) = repo.run(&[
        "new",
        "tier2",
        "--kind",
        "support-rotation",
        "--day0",
        "2026-12-07",
        "--from",
        "t1",
        "--to",
        "t2",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        repo.read("handoffs/tier2/handoff.md")
            .contains("queue: \"TODO: Which queue moves?\"")
    );
    let (code, doc) = repo.check_json(&["--gate", "ready"]);
    assert_eq!(code, 1);
    assert_eq!(
        with_rule(&diagnostics(&doc, "tier2"), "answer-missing", "error").len(),
        1,
        "{doc}"
    );
    // A broken kind file stops the run with its name.
    repo.write(
        ".handoff/kinds/support-rotation/kind.yaml",
        "name: support-rotation\nsumary: x\n",
    );
    let (code, _, stderr) = repo.run(&["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("kind.yaml"), "{stderr}");
}

#[test]
fn new_asks_for_missing_values_on_a_terminal_and_names_the_flag_otherwise() {
    let repo = Repo::new();
    let (code, _, stderr) = repo.run(&["new", "p", "--kind", "generic", "--day0", "2026-12-07"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--from is required"), "{stderr}");
    // `script` gives the command a terminal, as a person typing would.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped the terminal half: no `script` here");
        return;
    }
    let cmd = format!("{} new p --kind generic", env!("CARGO_BIN_EXE_handoff"));
    let mut child = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"next tuesday\n2026-12-07\ngrowth\nlifecycle-ops\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("is not a date"), "{shown}");
    let text = repo.read("handoffs/p/handoff.md");
    assert!(
        text.contains("day0: 2026-12-07\n")
            && text.contains("from: growth\n")
            && text.contains("to: lifecycle-ops\n"),
        "{text}"
    );
}
