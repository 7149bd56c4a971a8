//! Every due date reaches its owner: overdue backlog items, enablement items and open questions
//! are findings and reminders (with a link to the packet when handoff.toml says how to build
//! one); a sent-back packet says so until it moves forward; the receiving team joins discovery.

use crate::common;
use common::Repo;

const FILE: &str = "handoffs/winback-email/handoff.md";
const LINKS: &str =
    "\n[links]\npacket = \"https://github.com/northwind/handoffs/blob/main/{path}\"\n";

/// The example play before its handoff, with a backlog item due on 2026-12-01 and an open
/// question of the live meeting due on 2026-12-04.
fn play_with_dates() -> Repo {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let text = repo
        .read(FILE)
        .replace("      due: 2027-01-20", "      due: 2026-12-01")
        .replace(
            "  open_questions: []  # optional: Which questions stayed open, who answers each, and by when?",
            "  open_questions:\n    - question: Who approves new subject lines?\n      owner: ops-lead\n      due: 2026-12-04",
        );
    repo.write(FILE, text);
    repo
}

#[test]
fn overdue_items_are_findings_and_reminders_with_their_owner_and_a_link() {
    let repo = play_with_dates();
    let config = repo.read("handoff.toml") + LINKS;
    repo.write("handoff.toml", config);
    let (_, doc) = repo.check_json(&["--today", "2026-12-05"]);
    let diags = common::diagnostics(&doc, "winback-email");
    let overdue = common::with_rule(&diags, "item-overdue", "warning");
    let messages: Vec<&str> = overdue
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].starts_with("backlog item `Add a second touch for users who open but do not click` (Tomas Weber <tomas@northwind.test>) was due 2026-12-01 (4 days ago)"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with(
            "open question `Who approves new subject lines?` (ops-lead) was due 2026-12-04"
        ),
        "{messages:?}"
    );
    // Not yet overdue the day before, and the finding points at the date.
    let (_, doc) = repo.check_json(&["--today", "2026-11-30"]);
    assert!(
        common::with_rule(
            &common::diagnostics(&doc, "winback-email"),
            "item-overdue",
            "warning"
        )
        .is_empty()
    );
    assert_eq!(overdue[0]["line"], 38);

    let (code, out, err) = repo.run(&["remind", "--today", "2026-12-05"]);
    assert_eq!(code, 0, "{err}");
    common::assert_contains_all(
        &out,
        &[
            "Tue 2026-12-01  winback-email (day -6): backlog item `Add a second touch for users who open but do not click`\n                ping: Tomas Weber <tomas@northwind.test>\n                open: https://github.com/northwind/handoffs/blob/main/handoffs/winback-email/handoff.md",
            "Fri 2026-12-04  winback-email (day -3): open question `Who approves new subject lines?`\n                ping: Jordan Blake <jordan@northwind.test>, Sam Lee <sam.lee@northwind.test>",
        ],
    );
    let (_, out, _) = repo.run(&["remind", "--today", "2026-12-05", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let item = doc["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"] == "backlog.items[1]")
        .expect("the backlog item");
    assert_eq!(item["about"], "overdue");
    assert_eq!(
        item["people"],
        serde_json::json!(["Tomas Weber <tomas@northwind.test>"])
    );
    assert_eq!(
        item["link"],
        "https://github.com/northwind/handoffs/blob/main/handoffs/winback-email/handoff.md"
    );
    // Every Slack section links the packet's title.
    let (_, out, _) = repo.run(&["remind", "--today", "2026-12-05", "--format", "slack"]);
    let message: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let sections = &message["blocks"].as_array().unwrap()[1..];
    assert!(!sections.is_empty());
    for s in sections {
        let text = s["text"]["text"].as_str().unwrap();
        assert!(
            text.starts_with("*<https://github.com/northwind/handoffs/blob/main/handoffs/winback-email/handoff.md|Win-back email for lapsed trial users>*"),
            "{text}"
        );
    }

    // Done is done: `done:` on the item ends the finding and the reminder, and editors accept it.
    let text = repo.read(FILE).replace(
        "      due: 2026-12-01\n",
        "      due: 2026-12-01\n      done: 2026-12-02\n",
    );
    repo.write(FILE, text);
    let (_, doc) = repo.check_json(&["--today", "2026-12-05"]);
    let diags = common::diagnostics(&doc, "winback-email");
    assert_eq!(
        common::with_rule(&diags, "item-overdue", "warning").len(),
        1
    );
    assert!(
        diags.iter().all(|d| d["rule"] != "unknown-key"),
        "{diags:?}"
    );
    let (_, out, _) = repo.run(&["remind", "--today", "2026-12-05"]);
    assert!(!out.contains("Add a second touch"), "{out}");
    let (_, schema, _) = repo.run(&["schema", "--kind", "gtm-play"]);
    assert!(schema.contains("\"done\""), "{schema}");

    // A site instead of the forge: the page render --all writes.
    let config = repo.read("handoff.toml").replace(
        "packet = \"https://github.com/northwind/handoffs/blob/main/{path}\"",
        "site = \"https://northwind.example/handoffs/\"",
    );
    repo.write("handoff.toml", config);
    let (_, out, _) = repo.run(&["remind", "--today", "2026-12-05"]);
    assert!(
        out.contains("open: https://northwind.example/handoffs/winback-email.html"),
        "{out}"
    );
}

#[test]
fn a_list_the_kind_wants_done_by_sign_off_fails_that_gate_when_overdue() {
    let repo = Repo::new();
    repo.copy_example("inbound-demo-routing");
    let path = "handoffs/inbound-demo-routing/handoff.md";
    let text = repo
        .read(path)
        .replace("status: signed-off", "status: handed-off");
    repo.write(path, text);
    // Day 0 is 2026-09-14; the enablement kit was due 2026-09-07 and 2026-09-10.
    let (_, doc) = repo.check_json(&["--today", "2026-09-20"]);
    let diags = common::diagnostics(&doc, "inbound-demo-routing");
    let warned = common::with_rule(&diags, "item-overdue", "warning");
    assert_eq!(warned.len(), 2, "{diags:?}");
    assert!(warned[0]["message"].as_str().unwrap().contains("enablement item `Talk track for pricing-page demo requests` (Priya Shah <priya@northwind.test>)"));
    let (code, doc) = repo.check_json(&["--today", "2026-09-28"]);
    assert_eq!(code, 1);
    let failed = common::with_rule(
        &common::diagnostics(&doc, "inbound-demo-routing"),
        "item-overdue",
        "error",
    );
    assert_eq!(failed.len(), 2);
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("the kind wants it done by the signed-off gate")
    );
    // remind pings the asset's owner, with the link to the packet.
    let config = repo.read("handoff.toml") + LINKS;
    repo.write("handoff.toml", config);
    let (_, out, _) = repo.run(&["remind", "--today", "2026-09-20"]);
    common::assert_contains_all(
        &out,
        &[
            "Mon 2026-09-07  inbound-demo-routing (day -7): enablement item `Talk track for pricing-page demo requests`\n                ping: Priya Shah <priya@northwind.test>\n                open: https://github.com/northwind/handoffs/blob/main/handoffs/inbound-demo-routing/handoff.md",
        ],
    );
    // Marked done, the gate takes it.
    let text = repo
        .read(path)
        .replace(
            "    due: 2026-09-07\n",
            "    due: 2026-09-07\n    done: 2026-09-06\n",
        )
        .replace(
            "    due: 2026-09-10\n",
            "    due: 2026-09-10\n    done: 2026-09-12\n",
        );
    repo.write(path, text);
    let (_, doc) = repo.check_json(&["--today", "2026-09-28"]);
    let diags = common::diagnostics(&doc, "inbound-demo-routing");
    assert!(
        diags.iter().all(|d| d["rule"] != "item-overdue"),
        "{diags:?}"
    );
    // A signed-off packet is not asked about its items any more: the backlog moved on.
    let text = repo
        .read(path)
        .replace("status: handed-off", "status: signed-off");
    repo.write(path, text.replace("    done: 2026-09-06\n", ""));
    let (_, doc) = repo.check_json(&["--today", "2027-03-01"]);
    let diags = common::diagnostics(&doc, "inbound-demo-routing");
    assert!(
        diags.iter().all(|d| d["rule"] != "item-overdue"),
        "{diags:?}"
    );
}

#[test]
fn a_sent_back_packet_says_so_until_it_moves_forward() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_as("Pat Morgan <pat@northwind.test>", "Ready");
    let (code, _, err) = repo.run_as(
        "Jordan Blake <jordan@northwind.test>",
        &[
            "send-back",
            "winback-email",
            "--reason",
            "The runbook has no stop checklist",
            "--today",
            "2026-12-01",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // Day -6: below the ready gate it was sent back from, a warning with the reason.
    let (_, doc) = repo.check_json(&["--today", "2026-12-01"]);
    let diags = common::diagnostics(&doc, "winback-email");
    let sent = common::with_rule(&diags, "sent-back", "warning");
    assert_eq!(sent.len(), 1, "{diags:?}");
    assert_eq!(
        sent[0]["message"],
        "sent back on 2026-12-01 by Jordan Blake <jordan@northwind.test> from ready: The runbook has no stop checklist"
    );
    // Day -2: the ready gate it was sent back at applies; the packet fails, saying why.
    let (code, doc) = repo.check_json(&["--today", "2026-12-05"]);
    assert_eq!(code, 1);
    assert_eq!(
        common::with_rule(
            &common::diagnostics(&doc, "winback-email"),
            "sent-back",
            "error"
        )
        .len(),
        1
    );
    let (_, out, _) = repo.run(&["check", "--today", "2026-12-05", "--format", "concise"]);
    assert!(
        out.contains("error[sent-back] sent back on 2026-12-01"),
        "{out}"
    );
    // Moved forward again: nothing more to say.
    let text = repo.read(FILE).replace("status: draft", "status: ready");
    repo.write(FILE, text);
    let (_, doc) = repo.check_json(&["--today", "2026-12-05"]);
    assert!(
        common::diagnostics(&doc, "winback-email")
            .iter()
            .all(|d| d["rule"] != "sent-back")
    );
}

#[test]
fn the_receiving_team_joins_the_discovery_sync() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let without = repo.read(FILE).replace(
        "    - ops-lead\n# Live handoff meeting",
        "# Live handoff meeting",
    );
    assert_ne!(without, repo.read(FILE));
    let findings = |text: &str| {
        repo.write(FILE, text);
        let (_, doc) = repo.check_json(&["--today", "2026-12-01"]);
        common::diagnostics(&doc, "winback-email")
            .iter()
            .filter(|d| d["rule"] == "discovery-without-receiver")
            .map(|d| {
                (
                    d["severity"].as_str().unwrap().to_string(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let found = findings(&without);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "warning");
    assert_eq!(
        found[0].1,
        "nobody of the receiving team (lifecycle-ops) attended the discovery sync: the attendees list no ops-lead"
    );
    // The role's holder by name, a delegate, or the team itself all count.
    for who in [
        "Jordan Blake <jordan@northwind.test>",
        "Sam Lee <SAM.LEE@northwind.test>",
        "lifecycle-ops",
    ] {
        let with = without.replace(
            "    - Tomas Weber <tomas@northwind.test>\n# Live handoff meeting",
            &format!(
                "    - Tomas Weber <tomas@northwind.test>\n    - {who}\n# Live handoff meeting"
            ),
        );
        assert!(findings(&with).is_empty(), "{who}");
    }
}
