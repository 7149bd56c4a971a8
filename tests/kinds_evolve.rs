//! Kinds that evolve: a packet behind its kind gets one finding that lists what was added, not a
//! warning per item; a signed-off packet gets none.

mod common;
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
