//! What the kinds ask and check beyond the basics: the five questions in every kind, shaped
//! tables, fixed-choice answers, derived criteria, conditional roles, sending back, and the review
//! document as the contract (decision block, version line, what changed since the sign-offs).

use crate::common;
use common::{Repo, diagnostics, with_rule};

const KINDS: [&str; 7] = [
    "campaign-brief",
    "campaign-tracking",
    "creative-brief",
    "generic",
    "gtm-play",
    "release",
    "sales-routing",
];

#[test]
fn every_kind_asks_the_five_questions_and_new_scaffolds_them_as_todos() {
    let repo = Repo::new();
    let (code, out, err) = repo.run(&["kinds", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let kinds: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = kinds
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, KINDS);
    for kind in KINDS {
        let (code, out, _) = repo.run(&["kinds", kind, "--format", "json"]);
        assert_eq!(code, 0);
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let questions = &doc[0]["questions"];
        for q in ["owner", "metric", "runbook", "risks", "backlog"] {
            let path = questions[q]
                .as_str()
                .unwrap_or_else(|| panic!("{kind} does not map {q}: {questions}"));
            let top = path.split('.').next().unwrap();
            assert!(
                doc[0]["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["key"] == top),
                "{kind}: {q} -> {path} is not a question"
            );
        }
        // `new` scaffolds every one of them, and the ready gate asks for each.
        let id = format!("new-{kind}");
        let (code, _, err) = repo.run(&[
            "new",
            &id,
            "--kind",
            kind,
            "--day0",
            "2027-03-01",
            "--from",
            "a",
            "--to",
            "b",
        ]);
        assert_eq!(code, 0, "{err}");
        let (code, doc_check) = repo.check_json(&[&id, "--gate", "ready"]);
        assert_eq!(code, 1);
        let missing = with_rule(&diagnostics(&doc_check, &id), "answer-missing", "error");
        let targets: Vec<&str> = missing
            .iter()
            .filter_map(|d| d["target"].as_str())
            .collect();
        // A runbook kept in a file is asked inside the file (its checklists' placeholders).
        let in_runbook_file = missing
            .iter()
            .any(|d| d["file"].as_str().unwrap().ends_with("/runbook.md"));
        for q in ["owner", "metric", "runbook", "risks", "backlog"] {
            let path = questions[q].as_str().unwrap();
            assert!(
                targets.iter().any(|t| t.starts_with(path)) || (q == "runbook" && in_runbook_file),
                "{kind}: nothing asks {path} at the ready gate: {targets:?}"
            );
        }
    }
}

fn routing() -> Repo {
    let repo = Repo::new();
    repo.copy_example("inbound-demo-routing");
    repo
}

const ROUTING: &str = "handoffs/inbound-demo-routing/handoff.md";

fn table_findings(repo: &Repo) -> Vec<String> {
    let (_, doc) = repo.check_json(&["--today", "2026-12-01"]);
    with_rule(
        &diagnostics(&doc, "inbound-demo-routing"),
        "table-incomplete",
        "error",
    )
    .iter()
    .map(|d| format!("{}: {}", d["line"], d["message"].as_str().unwrap()))
    .collect()
}

#[test]
fn the_routing_matrix_covers_every_segment_and_has_a_fallback_row() {
    let repo = routing();
    assert!(table_findings(&repo).is_empty());
    // A segment without a row, and no catch-all row.
    repo.write(
        ROUTING,
        repo.read(ROUTING)
            .replace(
                "| Enterprise | Any request | Enterprise pod queue | Enterprise pod lead |\n",
                "",
            )
            .replace(
                "| Any other | Score under 70, or no segment |",
                "| SMB | Score under 70 |",
            ),
    );
    let found = table_findings(&repo);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].ends_with(
            "the `Routing matrix` table has no row for `Enterprise` (listed in `segments`)"
        ),
        "{found:?}"
    );
    assert!(found[1].contains("no fallback row"), "{found:?}");
    // `*` and "Everything else" both catch the rest; a new segment without a row is caught.
    repo.write(
        ROUTING,
        repo.read(ROUTING)
            .replace("| SMB | Score under 70 |", "| * | Score under 70 |")
            .replace("  - Enterprise\n", ""),
    );
    assert!(
        table_findings(&repo).is_empty(),
        "{:?}",
        table_findings(&repo)
    );
    // A missing column is named.
    repo.write(
        ROUTING,
        repo.read(ROUTING).replace(
            "| Segment | Rule | Goes to | Fallback |",
            "| Segment | Rule | Goes to | Backup |",
        ),
    );
    let found = table_findings(&repo);
    assert!(
        found
            .iter()
            .any(|f| f.ends_with("the `Routing matrix` table has no `Fallback` column")),
        "{found:?}"
    );
}

#[test]
fn the_sla_table_has_numbers_not_placeholders() {
    let repo = routing();
    repo.write(
        ROUTING,
        repo.read(ROUTING)
            .replace(
                "| Demo request, score 70+ | 2 business hours |",
                "| Demo request, score 70+ | tbd |",
            )
            .replace("| 1 business day | Weekly review |", "| same day | |"),
    );
    let found = table_findings(&repo);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0].contains("`First touch within` cell is still a placeholder: `tbd`"),
        "{found:?}"
    );
    assert!(
        found[1].contains("`First touch within` cell has no number: `same day`"),
        "{found:?}"
    );
    assert!(
        found[2].contains("an empty `When missed` cell"),
        "{found:?}"
    );
    // Each finding points at its cell's line.
    let line = repo
        .read(ROUTING)
        .lines()
        .position(|l| l.contains("| tbd |"))
        .unwrap()
        + 1;
    assert!(found[0].starts_with(&format!("{line}:")), "{found:?}");
    // Before the ready gate they are warnings.
    let (_, doc) = repo.check_json(&["--gate", "draft"]);
    assert_eq!(
        with_rule(
            &diagnostics(&doc, "inbound-demo-routing"),
            "table-incomplete",
            "warning"
        )
        .len(),
        3
    );
}

#[test]
fn a_failed_readiness_gate_blocks_and_a_high_risk_tier_needs_security() {
    let repo = Repo::new();
    repo.copy_example("billing-api-4-2");
    repo.commit_as("Sam Ortiz <sam@northwind.test>", "release");
    let path = "handoffs/billing-api-4-2/handoff.md";
    let original = repo.read(path);
    repo.write(
        path,
        original.replacen("    result: pass\n", "    result: fail\n", 1),
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-01"]);
    assert_eq!(code, 1);
    let choice = with_rule(
        &diagnostics(&doc, "billing-api-4-2"),
        "answer-choice",
        "error",
    );
    assert_eq!(choice.len(), 1, "{doc}");
    assert_eq!(
        choice[0]["message"],
        "`readiness.load.result` is `fail`; the ready gate expects `pass`"
    );
    // An answer outside the choices is an error at every gate.
    repo.write(
        path,
        original.replace("risk_tier: medium", "risk_tier: spicy"),
    );
    let (_, doc) = repo.check_json(&["--gate", "draft"]);
    let choice = with_rule(
        &diagnostics(&doc, "billing-api-4-2"),
        "answer-choice",
        "error",
    );
    assert_eq!(choice.len(), 1, "{doc}");
    assert!(
        choice[0]["help"]
            .as_str()
            .unwrap()
            .contains("low, medium, high")
    );
    // A high tier adds the security sign-off.
    repo.write(
        path,
        original.replace("risk_tier: medium", "risk_tier: high"),
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-01"]);
    assert_eq!(code, 1);
    let missing = with_rule(
        &diagnostics(&doc, "billing-api-4-2"),
        "signoff-missing",
        "error",
    );
    assert_eq!(missing.len(), 1, "{doc}");
    assert_eq!(
        missing[0]["message"],
        "the security-lead role has not signed off"
    );
}

#[test]
fn send_back_records_the_reason_moves_the_status_back_and_shows_everywhere() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_as("Pat Morgan <pat@northwind.test>", "ready");
    let path = "handoffs/winback-email/handoff.md";
    let before = repo.read(path);
    let ops = "Jordan Blake <jordan@northwind.test>";
    // A reason is required, and a draft cannot be sent back.
    let (code, _, err) = repo.run_as(ops, &["send-back", "winback-email", "--reason", " "]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("needs a reason"), "{err}");
    assert_eq!(repo.read(path), before);
    let (code, out, err) = repo.run_as(
        ops,
        &[
            "send-back",
            "winback-email",
            "--reason",
            "The runbook's stop checklist is empty",
            "--today",
            "2026-12-03",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Sent winback-email back to `draft`"), "{out}");
    let after = repo.read(path);
    assert!(after.contains("status: draft\n"), "{after}");
    assert!(
        after.contains("sent_back:\n  - at: 2026-12-03\n    by: \"Jordan Blake <jordan@northwind.test>\"\n    from: ready\n    reason: \"The runbook's stop checklist is empty\"\n"),
        "{after}"
    );
    // Only those lines changed.
    let changed: Vec<_> = diff_lines(&before, &after);
    assert_eq!(changed.len(), 5, "{changed:?}"); // the `by:` line reads like the waiver's
    assert_eq!(after.lines().count(), before.lines().count() + 5);
    let (code, _, err) = repo.run_as(ops, &["send-back", "winback-email", "--reason", "again"]);
    assert_eq!(code, 2);
    assert!(err.contains("has not been handed over"), "{err}");
    repo.commit_as(ops, "Send winback-email back");

    let (_, status, _) = repo.run(&["status", "--today", "2026-12-03"]);
    assert!(
        status.contains("sent back 2026-12-03 by Jordan Blake <jordan@northwind.test>: The runbook's stop checklist is empty"),
        "{status}"
    );
    let (_, log, _) = repo.run(&["log", "winback-email"]);
    assert!(log.contains("status ready -> draft"), "{log}");
    assert!(
        log.contains("sent back by Jordan Blake <jordan@northwind.test>: The runbook's stop checklist is empty"),
        "{log}"
    );
    let (_, md, _) = repo.run(&["render", "winback-email", "--today", "2026-12-03"]);
    assert!(md.contains("## Sent back"), "{md}");
    assert!(md.contains("2026-12-03, by Jordan Blake \\<jordan@northwind.test\\>, from ready: The runbook's stop checklist is empty"), "{md}");
    let (_, stats, _) = repo.run(&["stats", "--format", "json", "--today", "2026-12-03"]);
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["overall"]["sent_back"], 1, "{stats}");
    // The packet stays valid: `sent_back` is a known key.
    let (_, doc) = repo.check_json(&["--gate", "draft"]);
    assert!(with_rule(&diagnostics(&doc, "winback-email"), "unknown-key", "error").is_empty());
}

fn diff_lines(a: &str, b: &str) -> Vec<String> {
    let old: std::collections::HashSet<&str> = a.lines().collect();
    b.lines()
        .filter(|l| !old.contains(l))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_review_document_opens_with_the_decision_and_names_its_version() {
    let repo = Repo::new();
    repo.copy_example("inbound-demo-routing");
    repo.commit_as("Ines Moreau <ines@northwind.test>", "routing");
    let head = repo.git(&["rev-parse", "--short=8", "HEAD"]);
    let md = {
        let (code, out, err) =
            repo.run(&["render", "inbound-demo-routing", "--today", "2026-12-01"]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let (_, json, _) = repo.run(&["check", "inbound-demo-routing", "--format", "json"]);
    assert!(json.contains("\"pass\": true"), "{json}");
    let decision = md.find("## Decision").expect("decision block");
    let details = md.find("## Summary").expect("details");
    assert!(decision < details);
    let block = &md[decision..details];
    for expected in [
        "**What is approved**",
        "Demo requests from mid-market accounts stop landing in a shared inbox",
        "**Q2: Success metrics**",
        "90% of demo requests get a first touch within 2 business hours",
        "**Q4: Risks and guardrails**",
        "| A scoring change floods the pod beyond its capacity | Over 35 new requests a week per SDR",
        "**Dependencies**",
        "**Escalation ladder**",
        "**Waivers in force:** none",
        "**Sign-off:** 2 of 2 roles: revops-director signed, sales-manager signed",
        "Passes the signed-off gate",
    ] {
        assert!(block.contains(expected), "missing {expected:?} in\n{block}");
    }
    let version = md
        .lines()
        .find(|l| l.starts_with("Version reviewed: "))
        .expect("version line");
    assert!(version.contains("`sha256:"), "{version}");
    assert!(
        version.ends_with(&format!("at commit `{}`", head.trim())),
        "{version}"
    );
    // Clean to paste: no HTML, no entities, no runs of blank lines.
    assert!(
        !md.contains("&lt;") && !md.contains("&gt;") && !md.contains("&amp;"),
        "{md}"
    );
    assert!(!md.contains("<sub>") && !md.contains("<br"), "{md}");
    assert!(!md.contains("\n\n\n"), "{md}");
    // The HTML carries the same blocks.
    let (_, html, _) = repo.run(&[
        "render",
        "inbound-demo-routing",
        "--format",
        "html",
        "--today",
        "2026-12-01",
    ]);
    for expected in [
        "id=\"decision\"",
        "What is approved",
        "Version reviewed: <code>sha256:",
        "What signing attests",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
    // An uncommitted edit is named.
    let path = "handoffs/inbound-demo-routing/handoff.md";
    repo.write(
        path,
        repo.read(path)
            .replace("Weekly review |", "Weekly review with the pod lead |"),
    );
    let (_, md, _) = repo.run(&["render", "inbound-demo-routing"]);
    assert!(md.contains("with uncommitted changes"), "{md}");
}

#[test]
fn an_edit_after_the_sign_offs_shows_old_and_new_values() {
    let repo = Repo::new();
    repo.copy_example("inbound-demo-routing");
    repo.commit_as("Ines Moreau <ines@northwind.test>", "routing");
    let path = "handoffs/inbound-demo-routing/handoff.md";
    repo.write(
        path,
        repo.read(path)
            .replace(
                "response_sla: First touch within 2 business hours",
                "response_sla: First touch within 4 business hours",
            )
            .replace(
                "- [x] Rejected leads go back to marketing with a reason",
                "- [ ] Rejected leads go back to marketing with a reason",
            ),
    );
    repo.commit_as("Carla Mendes <carla@northwind.test>", "Relax the SLA");
    let (_, md, _) = repo.run(&["render", "inbound-demo-routing", "--today", "2026-12-01"]);
    let start = md
        .find("## Changed since the sign-offs")
        .expect("changed-since section");
    let section = &md[start
        ..md[start..]
            .find("\n## Summary")
            .map_or(md.len(), |e| start + e)];
    assert!(
        section.contains("Since revops-director, sales-manager signed (commit `"),
        "{section}"
    );
    assert!(
        section.contains("| `response_sla` | First touch within 2 business hours | First touch within 4 business hours |"),
        "{section}"
    );
    assert!(
        section.contains("- unchecked: Rejected leads go back to marketing with a reason"),
        "{section}"
    );
    // Nothing else is listed as changed.
    assert_eq!(section.matches("\n| `").count(), 1, "{section}");
    // Fresh sign-offs: no such section.
    let repo = Repo::new();
    repo.copy_example("inbound-demo-routing");
    repo.commit_as("Ines Moreau <ines@northwind.test>", "routing");
    let (_, md, _) = repo.run(&["render", "inbound-demo-routing"]);
    assert!(!md.contains("Changed since the sign-offs"), "{md}");
}

#[test]
fn a_kind_naming_a_question_it_does_not_ask_is_refused_with_the_paths() {
    let repo = Repo::new();
    repo.write(
        ".handoff/kinds/tiny/kind.yaml",
        "name: tiny\nsummary: A tiny kind\nfields:\n  - key: owner\n    type: person\n    prompt: Who?\nquestions:\n  owner: owner\n  metric: kpi\n  runbook: owner\n  risks: owner\n  backlog: owner\n",
    );
    let (code, _, err) = repo.run(&["kinds", "tiny"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("questions.metric names `kpi`, which is not one of the kind's questions; the paths are: owner"),
        "{err}"
    );
    // Shared questions come in with `use:`; an unknown one is named.
    repo.write(
        ".handoff/kinds/tiny/kind.yaml",
        "name: tiny\nsummary: A tiny kind\nfields:\n  - use: live_meeting\n  - use: retro\n",
    );
    let (code, _, err) = repo.run(&["kinds", "tiny"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "`use: retro` names no shared question; the shared ones are: discovery, live_meeting"
        ),
        "{err}"
    );
    repo.write(
        ".handoff/kinds/tiny/kind.yaml",
        "name: tiny\nsummary: A tiny kind\nfields:\n  - use: live_meeting\n    since: 2\n",
    );
    let (code, out, err) = repo.run(&["kinds", "tiny"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "live_meeting (mapping; from the handed-off gate; due day +1; since version 2)"
        ),
        "{out}"
    );
}

/// The kind format `handoff kinds --help` documents is a kind `handoff` accepts, every key of it.
#[test]
fn the_kind_format_in_the_help_is_a_kind_handoff_loads() {
    let repo = Repo::new();
    let (code, help, _) = repo.run(&["kinds", "--help"]);
    assert_eq!(code, 0);
    let start = help.find("kind.yaml:\n").expect("the format") + "kind.yaml:\n".len();
    let yaml: String = help[start..]
        .lines()
        .take_while(|l| l.starts_with("  ") || l.is_empty())
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    for key in [
        "one_of:",
        "expect:",
        "questions:",
        "decision:",
        "criteria_from:",
        "when:",
        "covers:",
        "use: live_meeting",
    ] {
        assert!(yaml.contains(key), "the help documents {key}");
    }
    repo.write(".handoff/kinds/support-rotation/kind.yaml", &yaml);
    let (code, out, err) = repo.run(&["kinds", "support-rotation", "--format", "json"]);
    assert_eq!(code, 0, "{err}\n{yaml}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc[0]["questions"]["metric"], "result");
    assert_eq!(doc[0]["roles"][2]["when"]["field"], "result");
    assert_eq!(doc[0]["sections"][1]["table"]["covers"]["field"], "queues");
    assert!(
        doc[0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "live_meeting")
    );
}
