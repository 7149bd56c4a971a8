//! Reports CI can use as they are: SARIF with fingerprints, rule links, end positions and
//! GitHub's result cap; paths relative to the repository root, in a monorepo too; reports to a
//! file; rule docs that are the same text as `handoff explain`.

mod common;
use common::Repo;

fn sarif_schema() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn sarif(repo: &Repo, dir: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", "--format", "sarif", "--today", "2026-12-05"];
    args.extend_from_slice(extra);
    let out = repo
        .handoff()
        .current_dir(repo.file(dir))
        .args(&args)
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let errors: Vec<String> = sarif_schema()
        .iter_errors(&log)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    log
}

fn results(log: &serde_json::Value) -> &Vec<serde_json::Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn sarif_results_carry_fingerprints_rule_links_and_end_positions() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let p = "handoffs/winback-email/handoff.md";
    repo.write(
        p,
        repo.read(p)
            .replace("  kpi: Reactivated", "  kip: Reactivated"),
    );
    let log = sarif(&repo, ".", &[]);
    let r = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "unknown-key")
        .unwrap();
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 3);
    assert_eq!(region["endLine"], region["startLine"]);
    assert_eq!(
        region["endColumn"], 6,
        "`kip` is three characters: {region}"
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
    assert!(
        rule["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("/docs/rules.md#unknown-key"),
        "{rule}"
    );
    // Fingerprints stay the same when lines move.
    let before: Vec<String> = results(&log)
        .iter()
        .map(|r| {
            r["partialFingerprints"]["handoffFinding/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(before.iter().all(|f| f.len() == 32));
    repo.write(
        p,
        repo.read(p)
            .replacen("---\n", "---\n# a comment that moves every line\n", 1),
    );
    let moved = sarif(&repo, ".", &[]);
    let after: Vec<String> = results(&moved)
        .iter()
        .map(|r| {
            r["partialFingerprints"]["handoffFinding/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(before, after);
    let line = |log: &serde_json::Value| {
        results(log)
            .iter()
            .find(|r| r["ruleId"] == "unknown-key")
            .unwrap()["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(line(&moved), line(&log) + 1);
}

#[test]
fn sarif_keeps_to_githubs_result_limit_and_says_so() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let p = "handoffs/winback-email/handoff.md";
    let keys: String = (0..25_100).map(|i| format!("k{i}: v\n")).collect();
    repo.write(
        p,
        repo.read(p)
            .replacen("signoffs: []\n", &format!("signoffs: []\n{keys}"), 1),
    );
    let log = sarif(&repo, ".", &[]);
    assert_eq!(results(&log).len(), 25_000);
    let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    let text = note["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("errors first, then warnings, then notes, and leaves out"),
        "{note}"
    );
    let dropped = note["properties"]["droppedErrors"].as_u64().unwrap();
    assert!(dropped >= 100, "{note}");
}

#[test]
fn a_waived_finding_is_a_suppression_with_its_approver_reason_and_expiry() {
    let repo = Repo::new();
    repo.copy_example("partner-referrals");
    let log = sarif(&repo, ".", &[]);
    let packet = repo.read("handoffs/partner-referrals/handoff.md");
    let waivers = packet.matches("approved_by:").count() + packet.matches("  by:").count();
    let suppressed: Vec<&serde_json::Value> = results(&log)
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert!(!suppressed.is_empty(), "no suppression in the log");
    for r in &suppressed {
        let s = &r["suppressions"][0];
        assert_eq!(s["kind"], "external", "{r}");
        assert_eq!(s["status"], "accepted", "{r}");
        assert!(!s["justification"].as_str().unwrap().is_empty(), "{r}");
        assert!(
            !s["properties"]["approvedBy"].as_str().unwrap().is_empty(),
            "{r}"
        );
        assert!(
            s["properties"]["expires"]
                .as_str()
                .unwrap()
                .starts_with("20"),
            "{r}"
        );
    }
    // Every finding a waiver covers, and no other.
    let (_, json, _) = repo.run(&["check", "--format", "json", "--today", "2026-12-05"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let waived = doc["packets"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.get("waived").is_some_and(|w| !w.is_null()))
        .count();
    assert_eq!(suppressed.len(), waived, "{waivers} waivers");
}

#[test]
fn in_a_monorepo_paths_are_relative_to_the_repository_root() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    std::fs::create_dir_all(repo.file("team")).unwrap();
    std::fs::rename(repo.file("handoffs"), repo.file("team/handoffs")).unwrap();
    std::fs::rename(repo.file("handoff.toml"), repo.file("team/handoff.toml")).unwrap();
    let p = "team/handoffs/winback-email/handoff.md";
    repo.write(
        p,
        repo.read(p)
            .replace("  kpi: Reactivated", "  kip: Reactivated"),
    );
    let uri = |log: &serde_json::Value| {
        results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        uri(&sarif(&repo, "team", &[])),
        "team/handoffs/winback-email/handoff.md"
    );
    let out = repo
        .handoff()
        .args([
            "-C",
            "team",
            "check",
            "--format",
            "github",
            "--today",
            "2026-12-05",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .filter(|l| l.starts_with("::"))
            .all(|l| l.contains("file=team/handoffs/winback-email/handoff.md")),
        "{text}"
    );
}

#[test]
fn check_writes_its_report_to_a_file() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let (code, stdout, _) = repo.run(&[
        "check",
        "--format",
        "sarif",
        "--output",
        "out/handoff.sarif",
        "--today",
        "2026-12-05",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty(), "{stdout}");
    let log: serde_json::Value = serde_json::from_str(&repo.read("out/handoff.sarif")).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let (code, _, _) = repo.run(&["check", "-o", "report.txt", "--today", "2026-12-05"]);
    assert_eq!(code, 0);
    assert!(repo.read("report.txt").contains("1 packet: 1 pass"));
}

#[test]
fn the_rule_docs_are_the_text_explain_prints() {
    let repo = Repo::bare();
    let (_, generated, _) = repo.run(&["explain", "--markdown"]);
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"),
    )
    .unwrap();
    assert_eq!(
        committed, generated,
        "regenerate: handoff explain --markdown > docs/rules.md"
    );
    let (_, one, _) = repo.run(&["explain", "signoff-unauthorized"]);
    let body = one.split_once("\n\n").unwrap().1.trim();
    assert!(committed.contains(body));
}

/// Everything a CI step needs from one `check` run: annotations on stdout (errors first), the
/// SARIF file, the job summary and the step outputs.
#[test]
fn one_check_run_writes_annotations_sarif_a_job_summary_and_step_outputs() {
    let repo = Repo::new();
    repo.copy_example("partner-referrals");
    repo.copy_example("winback-email");
    repo.commit_as("Test User <test@example.test>", "packets");
    let summary = repo.file("ci/summary.md");
    std::fs::create_dir_all(summary.parent().unwrap()).unwrap();
    std::fs::write(&summary, "earlier step text\n").unwrap();
    let (code, out, err) = repo.run(&[
        "check",
        "--today",
        "2026-12-05",
        "--format",
        "github",
        "--sarif",
        "ci/handoff.sarif",
        "--summary",
        "ci/summary.md",
        "--github-output",
        "ci/outputs.txt",
    ]);
    assert_eq!(code, 1, "{err}");
    // Annotations: every error before any warning, whatever the packet order.
    let levels: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    let first_warning = levels
        .iter()
        .position(|l| *l == "warning")
        .expect("warnings");
    assert!(
        levels[..first_warning].iter().all(|l| *l == "error"),
        "{levels:?}"
    );
    assert!(
        levels[first_warning..].iter().all(|l| *l != "error"),
        "{levels:?}"
    );
    let annotations = levels.len();
    // SARIF from the same run: one result per annotation.
    let log: serde_json::Value = serde_json::from_str(&repo.read("ci/handoff.sarif")).unwrap();
    assert_eq!(results(&log).len(), annotations);
    // The job summary is appended, a table of packets, the failing one first, then its findings.
    let text = repo.read("ci/summary.md");
    assert!(
        text.starts_with("earlier step text\n## handoff check: 2 packets: 1 pass, 1 fails"),
        "{text}"
    );
    let failing = text.find("| partner-referrals | gtm-play |").expect(&text);
    let passing = text.find("| winback-email | gtm-play |").expect(&text);
    assert!(failing < passing, "{text}");
    assert!(text.contains("### FAIL partner-referrals"), "{text}");
    assert!(
        text.contains("| error | `handoffs/partner-referrals/handoff.md:10` | person-invalid | `owner.primary` is not a person: `Lena` |"),
        "{text}"
    );
    assert!(!text.contains("Not shown"), "{text}");
    let outputs = repo.read("ci/outputs.txt");
    assert!(
        outputs.starts_with("verdict=fail\nfailed=1\npackets=2\n"),
        "{outputs}"
    );
}

#[test]
fn the_job_summary_stays_within_githubs_limit_and_says_what_it_left_out() {
    let repo = Repo::new();
    repo.copy_example("partner-referrals");
    repo.commit_as("Test User <test@example.test>", "packets");
    // A step summary nearly full already: a few hundred bytes are left.
    let summary = repo.file("summary.md");
    let limit = 1024 * 1024;
    std::fs::write(&summary, "x".repeat(limit - 1500)).unwrap();
    let (code, _, err) = repo.run(&[
        "check",
        "--today",
        "2026-12-05",
        "--format",
        "github",
        "--summary",
        "summary.md",
    ]);
    assert_eq!(code, 1, "{err}");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.len() <= limit, "{}", text.len());
    let ours = &text[limit - 1500..];
    assert!(ours.contains("## handoff check: 1 packet"), "{ours}");
    assert!(
        ours.contains("Not shown, to stay within GitHub's 1 MiB summary: 0 packet rows and"),
        "{ours}"
    );
    assert!(
        ours.contains("`handoff check --format json` lists every finding"),
        "{ours}"
    );
}
