//! Kinds that evolve: a packet behind its kind gets one finding that lists what was added, not a
//! warning per item; a signed-off packet gets none.

use crate::common;
use common::{Repo, diagnostics};

const KIND: &str = "name: play\nsummary: A play whose kind grew\nversion: 3\nfields:\n  - key: owner\n    type: person\n    prompt: Who runs it?\n  - key: baseline\n    type: text\n    since: 2\n    prompt: What was the number before?\n  - key: budget\n    type: map\n    since: 3\n    prompt: What does it cost?\n    fields:\n      - key: monthly\n        type: text\n        prompt: Per month?\ncriteria:\n  - Runbook walked through\n  - text: Alerts tuned\n    since: 3\nsections:\n  - title: Acceptance criteria\n    prompt: What must hold\n    tasks: true\n";

fn packet(status: &str) -> String {
    format!(
        "---\nid: p\ntitle: P\nkind: play\nkind_version: 1\nfrom: a\nto: b\nday0: 2026-12-15\nstatus: {status}\nowner: Maria Lopez <maria@x.test>\nsignoffs: []\n---\n\n# P\n\n## Acceptance criteria\n\n- [ ] Runbook walked through\n"
    )
}

fn repo(status: &str) -> Repo {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    repo.write("handoffs/p/handoff.md", packet(status));
    repo.commit_as("Dana Kim <dana@x.test>", "P");
    repo
}

#[test]
fn a_packet_two_versions_behind_gets_one_finding_listing_what_was_added() {
    let repo = repo("ready");
    let (code, doc) = repo.check_json(&["--today", "2026-12-10"]);
    assert_eq!(code, 0, "{doc:#}");
    let found = diagnostics(&doc, "p");
    assert_eq!(found.len(), 1, "one finding, not one per item: {doc:#}");
    let d = found[0];
    assert_eq!(d["rule"], "kind-behind");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["line"], 5, "on `kind_version:`");
    assert_eq!(
        d["message"],
        "play is at version 3, this packet at 1: 2 questions and 1 criterion were added"
    );
    assert_eq!(
        d["items"],
        serde_json::json!([
            "question `baseline`",
            "question `budget`",
            "criterion \"Alerts tuned\""
        ])
    );
    assert!(d["help"].as_str().unwrap().contains("`handoff upgrade p`"));
    let (_, sarif, _) = repo.run(&["check", "--today", "2026-12-10", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["properties"]["items"][2],
        "criterion \"Alerts tuned\""
    );

    // A draft gets a note; after `upgrade` the packet is asked for the items themselves.
    repo.write("handoffs/p/handoff.md", packet("draft"));
    let (_, doc) = repo.check_json(&["--today", "2026-12-01"]);
    assert_eq!(diagnostics(&doc, "p")[0]["severity"], "note");
    repo.write("handoffs/p/handoff.md", packet("ready"));
    assert_eq!(repo.run(&["upgrade", "p"]).0, 0);
    let (code, doc) = repo.check_json(&["--today", "2026-12-10"]);
    assert_eq!(code, 1, "the added answers are TODOs now: {doc:#}");
    let rules: Vec<&str> = diagnostics(&doc, "p")
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"kind-behind"), "{rules:?}");
    assert!(rules.contains(&"answer-missing"), "{rules:?}");
}

#[test]
fn a_signed_off_or_retired_packet_behind_its_kind_gets_no_such_finding() {
    for status in ["signed-off", "retired"] {
        let repo = repo(status);
        let (_, doc) = repo.check_json(&["--today", "2026-12-10"]);
        assert!(
            diagnostics(&doc, "p")
                .iter()
                .all(|d| d["rule"] != "kind-behind"),
            "{status}: {doc:#}"
        );
    }
}

/// A kind at version 1 with one question and one criterion, and its edit that adds a required
/// question (`extra`), under the same version or a raised one.
fn duo(version: u32, extra: bool) -> String {
    let mut k = format!(
        "name: duo\nsummary: Two sides agree\nversion: {version}\nfields:\n  - key: goal\n    type: text\n    prompt: What is the goal?\n"
    );
    if extra {
        k.push_str(&format!("  - key: extra\n    type: text\n    prompt: What does the edit ask?\n    since: {version}\n"));
    }
    k.push_str("criteria:\n  - First check\nsections:\n  - title: Acceptance criteria\n    prompt: What must hold\n    tasks: true\nroles:\n  - name: owner\n    description: The owner agrees\n");
    k
}

#[test]
fn a_signed_off_packet_stays_green_after_a_kind_edit_with_or_without_a_version_raise() {
    for raised in [false, true] {
        let repo = Repo::new();
        repo.write(
            "handoff.toml",
            "[people]\nowner = \"Ann Lee <ann@x.test>\"\n",
        );
        repo.write(".handoff/kinds/duo/kind.yaml", duo(1, false));
        repo.write(
            "handoffs/old/handoff.md",
            "---\nid: old\ntitle: Old\nkind: duo\nkind_version: 1\nfrom: a\nto: b\nday0: 2026-11-02\nstatus: handed-off\ngoal: Ship it\nsignoffs: []\n---\n\n# Old\n\n## Acceptance criteria\n\n- [x] First check\n",
        );
        repo.commit_as("Ann Lee <ann@x.test>", "Old");
        let (code, out, err) = repo.sign("old", "owner", "Ann Lee <ann@x.test>");
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            out.contains(".handoff/signed-kinds/duo-v1-"),
            "the copy is named for the commit: {out}"
        );
        let signed = repo.read("handoffs/old/handoff.md");
        assert!(signed.contains("    kind: \"duo 1 sha256:"), "{signed}");
        repo.commit_as("Ann Lee <ann@x.test>", "Sign");
        let (code, doc) = repo.check_json(&["--today", "2026-12-01"]);
        assert_eq!(code, 0, "{doc:#}");

        // The kind gains a required question, with or without raising its version.
        let version = if raised { 2 } else { 1 };
        repo.write(".handoff/kinds/duo/kind.yaml", duo(version, true));
        let (code, doc) = repo.check_json(&["--today", "2026-12-01"]);
        assert_eq!(
            code, 0,
            "raised {raised}: the signed-off packet stays green: {doc:#}"
        );
        let found = diagnostics(&doc, "old");
        assert!(
            found.iter().all(|d| d["rule"] != "answer-missing"),
            "{doc:#}"
        );
        let unversioned: Vec<_> = found
            .iter()
            .filter(|d| d["rule"] == "kind-changed-unversioned")
            .collect();
        if raised {
            assert!(unversioned.is_empty(), "{doc:#}");
        } else {
            assert_eq!(unversioned.len(), 1, "{doc:#}");
            assert_eq!(unversioned[0]["severity"], "warning");
            assert!(
                unversioned[0]["file"]
                    .as_str()
                    .unwrap()
                    .ends_with(".handoff/kinds/duo/kind.yaml")
            );
            assert!(
                unversioned[0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("still at version 1")
            );
        }

        // A new packet of the same kind is asked for the new question.
        assert_eq!(
            repo.run(&[
                "new",
                "fresh",
                "--kind",
                "duo",
                "--day0",
                "2026-12-03",
                "--from",
                "a",
                "--to",
                "b"
            ])
            .0,
            0
        );
        let (code, doc) = repo.check_json(&["fresh", "--gate", "ready", "--today", "2026-12-01"]);
        assert_eq!(code, 1);
        assert!(
            diagnostics(&doc, "fresh")
                .iter()
                .any(|d| d["rule"] == "answer-missing"
                    && d["message"].as_str().unwrap().contains("`extra`")),
            "{doc:#}"
        );

        // Edit the signed packet: its sign-off is stale and the kind as it is now applies.
        repo.write(
            "handoffs/old/handoff.md",
            repo.read("handoffs/old/handoff.md")
                .replace("Ship it", "Ship it soon"),
        );
        let (_, doc) = repo.check_json(&["old", "--today", "2026-12-01"]);
        let rules: Vec<&str> = diagnostics(&doc, "old")
            .iter()
            .map(|d| d["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&"signoff-stale"), "{rules:?}");
        assert!(!rules.contains(&"kind-changed-unversioned"), "{rules:?}");
        if !raised {
            assert!(rules.contains(&"answer-missing"), "{rules:?}");
        }

        // A copy edited by hand is not used.
        repo.write(
            "handoffs/old/handoff.md",
            repo.read("handoffs/old/handoff.md")
                .replace("Ship it soon", "Ship it"),
        );
        let copy = std::fs::read_dir(repo.file(".handoff/signed-kinds"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let text = std::fs::read_to_string(&copy).unwrap();
        std::fs::write(&copy, text.replace("First check", "Nothing at all")).unwrap();
        let (code, doc) = repo.check_json(&["old", "--today", "2026-12-01"]);
        if !raised {
            assert_eq!(code, 1, "a tampered copy is not used: {doc:#}");
        }
    }
}

#[test]
fn a_kind_whose_kpi_window_is_out_of_bounds_is_refused_naming_it() {
    let repo = repo("ready");
    repo.write(
        ".handoff/kinds/play/kind.yaml",
        format!("{KIND}kpi:\n  window: 99999999\n"),
    );
    let (code, _, err) = repo.run(&["check", "--today", "2026-12-10"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("kpi.window is on day 99999999"), "{err}");
}

#[test]
fn a_finding_repeated_on_many_packets_is_shown_in_full_three_times_then_listed_and_capped() {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    for i in 0..20 {
        repo.write(
            &format!("handoffs/p{i:02}/handoff.md"),
            packet("ready").replace("id: p\n", &format!("id: p{i:02}\n")),
        );
    }
    repo.commit_as("Dana Kim <dana@x.test>", "Twenty plays");
    let (code, out, err) = repo.run(&["check", "--today", "2026-12-10"]);
    assert_eq!(code, 0, "{out}{err}");
    // In full (the snippet and its help) on the first three packets only.
    assert_eq!(out.matches("handoff upgrade p0").count(), 3, "{out}");
    assert!(
        out.contains("pass p00  play at the ready gate (1 warning)\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "pass p03  play at the ready gate (1 warning; listed under repeated findings below)\n"
        ),
        "{out}"
    );
    let folded = &out[out
        .find("warning[kind-behind] on 17 more packets:\n")
        .expect(&out)..];
    let listed: Vec<&str> = folded
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  p"))
        .collect();
    assert_eq!(listed.len(), 10, "{folded}");
    assert!(
        listed[0].starts_with(
            "  p03  handoffs/p03/handoff.md:5:1  play is at version 3, this packet at 1"
        ),
        "{folded}"
    );
    assert!(
        folded.contains("\n  and 7 more; --format json for all\n"),
        "{folded}"
    );
    assert!(folded.contains("Findings by rule:"), "{folded}");
    assert!(
        folded
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["kind-behind", "0", "20", "0", "20"]),
        "{folded}"
    );
    assert!(
        out.ends_with("20 packets: 20 pass, 0 fail (0 errors, 20 warnings)\n"),
        "{out}"
    );
    // Machines get every finding.
    let (_, doc) = repo.check_json(&["--today", "2026-12-10"]);
    let all: usize = (0..20)
        .map(|i| diagnostics(&doc, &format!("p{i:02}")).len())
        .sum();
    assert_eq!(all, 20);
    let (_, sarif, _) = repo.run(&["check", "--today", "2026-12-10", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(20)
    );
}

#[test]
fn verbose_notes_a_signed_off_or_retired_packet_behind_its_kind_without_asking_anything() {
    for (status, why) in [
        ("signed-off", "nothing is asked, since it is signed off"),
        ("retired", "nothing is asked, since it is retired"),
    ] {
        let repo = repo(status);
        let (code, doc) = repo.check_json(&["--today", "2026-12-10", "--verbose"]);
        assert_eq!(code, 0, "{doc:#}");
        let found = diagnostics(&doc, "p");
        let behind: Vec<_> = found
            .iter()
            .filter(|d| d["rule"] == "kind-behind")
            .collect();
        assert_eq!(behind.len(), 1, "{status}: {doc:#}");
        assert_eq!(behind[0]["severity"], "note");
        assert!(
            behind[0]["message"].as_str().unwrap().ends_with(why),
            "{status}: {}",
            behind[0]["message"]
        );
        assert_eq!(behind[0]["items"].as_array().map(Vec::len), Some(3));
    }
    // --verbose and --quiet ask for opposite things.
    let repo = repo("ready");
    let (code, _, err) = repo.run(&["check", "--verbose", "--quiet"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
}
