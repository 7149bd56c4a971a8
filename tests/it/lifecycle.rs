//! A handoff's whole life: protected criteria, waivers with expiry, kinds that gain requirements
//! without turning history red, criteria and answers that fall due, and honest milestones.

use crate::common;
use common::{Repo, diagnostics, with_rule};

const PACKET: &str = "handoffs/winback-email/handoff.md";
const OPS: &str = "Jordan Blake <jordan@northwind.test>";
const PM: &str = "Pat Morgan <pat@northwind.test>";

fn winback() -> Repo {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_as(PM, "Winback packet");
    repo
}

#[test]
fn deleting_a_kind_criterion_fails_naming_it() {
    let repo = winback();
    repo.write(
        PACKET,
        repo.read(PACKET)
            .replace("- [x] Permissions verified for HubSpot\n", "")
            .replace("- [x] KPI stable for 14 days before the handoff\n", ""),
    );
    // Before the handed-off gate it is a warning; from it on, an error naming the criterion.
    let (code, doc) = repo.check_json(&["--today", "2026-12-05"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        with_rule(
            &diagnostics(&doc, "winback-email"),
            "criterion-missing",
            "warning"
        )
        .len(),
        2
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-07"]);
    assert_eq!(code, 1);
    let missing = with_rule(
        &diagnostics(&doc, "winback-email"),
        "criterion-missing",
        "error",
    );
    let messages: Vec<&str> = missing
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{doc}");
    assert!(
        messages[0].ends_with("KPI stable for 14 days before the handoff"),
        "{messages:?}"
    );
    // A criterion that follows from an answer (one per system named) is protected too.
    assert!(messages[1].ends_with("Permissions verified for HubSpot"));
    // Matched on the text, case and punctuation aside; packets may add their own.
    repo.write(
        PACKET,
        repo.read(PACKET).replace(
            "## Acceptance criteria\n",
            "## Acceptance criteria\n- [x] kpi stable for 14 days before the handoff.\n- [x] PERMISSIONS VERIFIED FOR HUBSPOT\n- [x] Our own extra check\n",
        ),
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-07"]);
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn a_waiver_holds_until_its_date_then_fails_naming_itself() {
    let repo = winback();
    // The example's waiver covers the alerts criterion until 2027-01-15.
    let (code, doc) = repo.check_json(&["--today", "2026-12-07"]);
    assert_eq!(code, 0, "{doc}");
    let notes = with_rule(&diagnostics(&doc, "winback-email"), "criteria-open", "note");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["waived"]["by"], OPS);
    // SARIF carries it as a note.
    let (_, sarif, _) = repo.run(&["check", "--today", "2026-12-07", "--format", "sarif"]);
    assert!(sarif.contains("\"level\": \"note\"") && sarif.contains("waived until 2027-01-15"));
    // After its date: the criterion is an error again, and so is the expired waiver, by name.
    let (code, doc) = repo.check_json(&["--today", "2027-01-16"]);
    assert_eq!(code, 1);
    let diags = diagnostics(&doc, "winback-email");
    let expired = with_rule(&diags, "waiver-expired", "error");
    assert_eq!(expired.len(), 1);
    assert!(
        expired[0]["message"].as_str().unwrap().contains(
            "waiver of `Alerts fire into the receiving team's channel` expired on 2027-01-15"
        ),
        "{doc}"
    );
    assert!(
        with_rule(&diags, "criteria-open", "error")
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("Alerts fire"))
    );
}

#[test]
fn waive_writes_an_exact_entry_and_refuses_what_it_must() {
    let repo = winback();
    let before = repo.read(PACKET);
    let waive = |who: &str, args: &[&str]| {
        let mut all = vec!["waive", "winback-email"];
        all.extend_from_slice(args);
        repo.run_as(who, &all)
    };
    // No reason, no expiry: clap refuses, nothing written.
    let (code, _, stderr) = waive(OPS, &["metric.source", "--until", "2026-12-20"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--reason"), "{stderr}");
    let (code, _, stderr) = waive(OPS, &["metric.source", "--reason", "x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--until"), "{stderr}");
    let (code, _, stderr) = waive(
        OPS,
        &["metric.source", "--reason", "  ", "--until", "2026-12-20"],
    );
    assert_eq!(code, 2, "{stderr}");
    // Too far ahead for the kind (90 days), an unknown target, someone who may not approve.
    let today = ["--today", "2026-12-01"];
    let (code, _, stderr) = waive(
        OPS,
        &[
            "metric.source",
            "--reason",
            "r",
            "--until",
            "2027-06-01",
            today[0],
            today[1],
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("at most 90 days"), "{stderr}");
    let (code, _, stderr) = waive(
        OPS,
        &[
            "metric.sorce",
            "--reason",
            "r",
            "--until",
            "2026-12-20",
            today[0],
            today[1],
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `metric.source`"), "{stderr}");
    let (code, _, stderr) = waive(
        PM,
        &[
            "metric.source",
            "--reason",
            "r",
            "--until",
            "2026-12-20",
            today[0],
            today[1],
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("ops-lead, revops-director"), "{stderr}");
    assert_eq!(repo.read(PACKET), before, "nothing was written");

    // A valid one: only the new entry's lines are added.
    repo.write(
        PACKET,
        before.replace(
            "  source: Dashboard \"Lifecycle / Win-back\" over warehouse table lifecycle.winback_sends\n",
            "",
        ),
    );
    let edited = repo.read(PACKET);
    let (code, stdout, stderr) = waive(
        OPS,
        &[
            "metric.source",
            "--reason",
            "The dashboard moves to the new BI tool next sprint",
            "--until",
            "2026-12-20",
            today[0],
            today[1],
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Waived `metric.source`"), "{stdout}");
    let after = repo.read(PACKET);
    assert!(after.starts_with(&edited[..edited.find("\n---\n").unwrap()]));
    assert!(after.len() > edited.len());
    let (code, doc) = repo.check_json(&["--today", "2026-12-05"]);
    assert_eq!(code, 0, "{doc}");
    let note = with_rule(
        &diagnostics(&doc, "winback-email"),
        "answer-missing",
        "note",
    );
    assert_eq!(note.len(), 1, "{doc}");
    // The review document lists every waiver with its reason and expiry.
    let (_, md, _) = repo.run(&["render", "winback-email", "--today", "2026-12-05"]);
    assert!(md.contains("## Waivers"), "{md}");
    assert!(
        md.contains(
            "| metric.source | The dashboard moves to the new BI tool next sprint | 2026-12-20 |"
        ),
        "{md}"
    );
    let (_, html, _) = repo.run(&[
        "render",
        "winback-email",
        "--format",
        "html",
        "--today",
        "2026-12-05",
    ]);
    assert!(html.contains("The dashboard moves to the new BI tool next sprint"));
    // status shows waivers ending soon.
    let (_, status, _) = repo.run(&["status", "--today", "2026-12-10", "--format", "json"]);
    assert!(status.contains("2026-12-20: metric.source"), "{status}");
}

/// A repo kind `duo` at `version`, whose `extra` question came with version 2.
fn duo_kind(repo: &Repo, version: u32) {
    let extra = if version >= 2 {
        "  - key: extra\n    type: text\n    since: 2\n    prompt: What does version 2 ask?\n"
    } else {
        ""
    };
    let criteria = if version >= 2 {
        "criteria:\n  - First check\n  - text: Second check\n    since: 2\n"
    } else {
        "criteria:\n  - First check\n"
    };
    repo.write(
        ".handoff/kinds/duo/kind.yaml",
        format!(
            "name: duo\nsummary: Two teams agree\nversion: {version}\nfields:\n  - key: goal\n    type: text\n    prompt: What is the goal?\n{extra}sections:\n  - title: Acceptance criteria\n    prompt: the criteria\n    tasks: true\n    all_checked: handed-off\n{criteria}roles:\n  - name: owner\n    description: The owner agrees\ntimeline:\n  - day: 0\n    title: Live\n    evidence:\n      status: handed-off\n"
        ),
    );
}

#[test]
fn a_kind_that_gains_a_question_keeps_history_green_and_asks_new_packets() {
    let repo = Repo::new();
    duo_kind(&repo, 1);
    let new = |id: &str| {
        repo.run(&[
            "new",
            id,
            "--kind",
            "duo",
            "--day0",
            "2026-10-05",
            "--from",
            "a",
            "--to",
            "b",
        ])
    };
    assert_eq!(new("old").0, 0);
    let path = "handoffs/old/handoff.md";
    let text = repo
        .read(path)
        .replace("\"TODO: What is the goal?\"", "Ship it")
        .replace("- [ ] First check", "- [x] First check")
        .replace("status: draft", "status: handed-off");
    let body_start = text.find("\n---\n").unwrap();
    repo.write(path, text.clone());
    assert!(text[..body_start].contains("kind_version: 1"), "{text}");
    repo.commit_as("Ann Lee <ann@x.test>", "Old packet");
    let (code, _, err) = repo.sign("old", "owner", "Ann Lee <ann@x.test>");
    assert_eq!(code, 0, "{err}");
    repo.commit_as("Ann Lee <ann@x.test>", "Sign");
    let (code, doc) = repo.check_json(&["--today", "2026-12-01"]);
    assert_eq!(code, 0, "{doc}");

    // The kind gains a question and a criterion.
    duo_kind(&repo, 2);
    let (code, doc) = repo.check_json(&["--today", "2026-12-01"]);
    assert_eq!(
        code, 0,
        "a signed-off packet of the old version stays green: {doc}"
    );
    let diags = diagnostics(&doc, "old");
    // Its sign-off is fresh: it is not asked for what the kind added, not even once.
    for rule in ["kind-behind", "answer-missing", "criterion-missing"] {
        assert!(diags.iter().all(|d| d["rule"] != rule), "{rule}: {doc}");
    }
    // Once the packet is edited the sign-off is stale, and one finding asks for both items.
    repo.write(path, repo.read(path).replace("Ship it", "Ship it soon"));
    let (_, doc) = repo.check_json(&["--today", "2026-12-01"]);
    let behind = with_rule(&diagnostics(&doc, "old"), "kind-behind", "warning")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(behind.len(), 1, "{doc}");
    assert_eq!(
        behind[0]["items"],
        serde_json::json!(["question `extra`", "criterion \"Second check\""])
    );
    repo.write(path, repo.read(path).replace("Ship it soon", "Ship it"));

    // A new packet is asked for it at its gate.
    assert_eq!(new("fresh").0, 0);
    let (code, doc) = repo.check_json(&["fresh", "--gate", "ready", "--today", "2026-12-01"]);
    assert_eq!(code, 1);
    assert!(
        with_rule(&diagnostics(&doc, "fresh"), "answer-missing", "error")
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("`extra`")),
        "{doc}"
    );

    // upgrade adds the TODOs, and nothing else changes.
    let before = repo.read(path);
    let (code, stdout, stderr) = repo.run(&["upgrade", "old"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("from version 1 to 2"), "{stdout}");
    let after = repo.read(path);
    assert!(
        after.contains("extra: \"TODO: What does version 2 ask?\""),
        "{after}"
    );
    assert!(after.contains("- [ ] Second check"), "{after}");
    assert!(after.contains("kind_version: 2"));
    let kept: Vec<&str> = before
        .lines()
        .filter(|l| !l.starts_with("kind_version"))
        .collect();
    let now: Vec<&str> = after.lines().collect();
    let mut i = 0;
    for line in &now {
        if i < kept.len() && *line == kept[i] {
            i += 1;
        }
    }
    assert_eq!(
        i,
        kept.len(),
        "every old line is still there, in order:\n{after}"
    );
    // Upgraded, the new question is required (and the sign-off is stale: the packet changed).
    let (code, _) = repo.check_json(&["old", "--today", "2026-12-01"]);
    assert_eq!(code, 1);
    let (code, stdout, _) = repo.run(&["upgrade", "old"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("already at version 2"));
}

#[test]
fn on_day_0_a_complete_release_passes_before_the_meeting() {
    let repo = Repo::new();
    repo.copy_example("billing-api-4-2");
    let path = "handoffs/billing-api-4-2/handoff.md";
    let text = repo.read(path);
    let start = text.find("live_meeting:\n").unwrap();
    let end = start + text[start..].find("\nsignoffs:").unwrap() + 1;
    let text = format!(
        "{}live_meeting:\n  date: \"TODO: On which day?\"\n  attendees: []\n  recording: \"TODO: link\"\n  decisions: []\n{}",
        &text[..start],
        &text[end..]
    )
    .replace("status: signed-off", "status: handed-off")
    .replace(
        "- [x] First on-call week reviewed; alert noise tuned",
        "- [ ] First on-call week reviewed; alert noise tuned",
    );
    repo.write(path, text);
    // Day 0 at 07:00: the meeting's record and the week-one review are not due yet.
    let (code, doc) = repo.check_json(&["--today", "2026-10-05"]);
    assert_eq!(code, 0, "{doc}");
    // Day +1: the record is due.
    let (code, _) = repo.check_json(&["--today", "2026-10-06"]);
    assert_eq!(code, 1);
}

#[test]
fn milestones_are_done_late_or_overdue_never_done_by_default() {
    let repo = Repo::new();
    repo.copy_example("inbound-demo-routing");
    repo.copy_example("partner-referrals");
    let timeline = |id: &str| {
        let (_, out, _) = repo.run(&["timeline", id, "--today", "2026-12-01", "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        doc["milestones"].as_array().unwrap().clone()
    };
    let routing = timeline("inbound-demo-routing");
    // The live meeting was recorded a day after day 0: late, by one day, with its date.
    assert_eq!(routing[3]["state"], "late");
    assert_eq!(routing[3]["done_on"], "2026-09-15");
    assert_eq!(routing[3]["late_by"], 1);
    assert_eq!(routing[0]["state"], "done");
    assert_eq!(routing[0]["done_on"], "2026-09-07");
    // A packet with no discovery record: its day -7 passed with nothing to show.
    let partner = timeline("partner-referrals");
    assert_eq!(partner[0]["state"], "overdue");
    // The ICS export says the same.
    let (_, ics, _) = repo.run(&["status", "--format", "ics", "--today", "2026-12-01"]);
    assert!(ics.contains("State: late (done 2026-09-15"), "{ics}");
    // remind lists overdue milestones first.
    let (_, text, _) = repo.run(&["remind", "--today", "2026-12-01"]);
    assert!(text.starts_with("Overdue:"), "{text}");
    assert!(text.contains("partner-referrals (day -7)"), "{text}");
}

#[test]
fn a_hand_written_waiver_without_reason_or_grant_day_waives_nothing() {
    // The example's waiver covers the alerts criterion; edited by hand, each of these must stop
    // it from covering anything.
    for (from, to, says) in [
        (
            "    reason: \"The #lifecycle-alerts channel",
            "    reason: \"TODO: say why\"\n    note: \"The #lifecycle-alerts channel",
            "gives no reason",
        ),
        ("    at: 2026-11-26\n", "", "has no valid `at` date"),
        (
            "    at: 2026-11-26\n",
            "    at: 2026-12-06\n",
            "a day still to come",
        ),
    ] {
        let repo = winback();
        let text = repo.read(PACKET);
        assert!(text.contains(from), "{from}");
        repo.write(PACKET, text.replacen(from, to, 1));
        let (code, doc) = repo.check_json(&["--today", "2026-12-05"]);
        let invalid = with_rule(
            &diagnostics(&doc, "winback-email"),
            "waiver-invalid",
            "error",
        );
        assert_eq!(invalid.len(), 1, "{says}: {doc}");
        assert!(
            invalid[0]["message"].as_str().unwrap().contains(says),
            "{says}: {}",
            invalid[0]["message"]
        );
        assert_eq!(code, 1, "{says}");
        let notes = with_rule(&diagnostics(&doc, "winback-email"), "criteria-open", "note");
        assert!(notes.is_empty(), "{says}: nothing is waived: {doc}");
    }
}
