//! The timeline, sign-offs (digest, staleness, byte-exact edits) and the git audit trail.

use crate::common;
use common::{Repo, diagnostics, with_rule};

const PM: &str = "Pat Morgan <pat@northwind.test>";
const OPS: &str = "Jordan Blake <jordan@northwind.test>";
const RD: &str = "Ines Moreau <ines@northwind.test>";

fn all_checked(repo: &Repo) {
    common::finish_winback(repo);
}

#[test]
fn timeline_dates_and_states_follow_today() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let (code, stdout, _) = repo.run(&[
        "timeline",
        "winback-email",
        "--today",
        "2026-12-08",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let dates: Vec<&str> = doc["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, common::WINBACK_TIMELINE);
    let states: Vec<&str> = doc["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    // Day 0 passed but the status is still `ready`: overdue. The rest are ahead.
    assert_eq!(
        states,
        [
            "done", "done", "done", "overdue", "upcoming", "upcoming", "upcoming"
        ]
    );
    assert_eq!(doc["milestones"][2]["weekend"], true);

    let (_, stdout, _) = repo.run(&[
        "timeline",
        "winback-email",
        "--today",
        "2026-12-07",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["milestones"][3]["state"], "due-today");

    let (_, text, _) = repo.run(&["timeline", "winback-email", "--today", "2026-12-08"]);
    for date in common::WINBACK_TIMELINE {
        assert!(text.contains(date), "{date} in {text}");
    }
    assert!(
        text.contains("◀ today") && text.contains("weekend"),
        "{text}"
    );
    let today_row = text.lines().position(|l| l.contains("◀ today")).unwrap();
    let day0_row = text
        .lines()
        .position(|l| l.contains("   0  Mon 2026-12-07"))
        .unwrap();
    assert_eq!(
        today_row,
        day0_row + 1,
        "today is marked after day 0:\n{text}"
    );

    repo.write(
        "handoff.toml",
        repo.read("handoff.toml")
            .replace("weekends = \"warn\"", "weekends = \"shift-earlier\""),
    );
    let (_, stdout, _) = repo.run(&[
        "timeline",
        "winback-email",
        "--today",
        "2026-12-08",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["milestones"][2]["date"], "2026-12-04");
    assert_eq!(doc["milestones"][2]["moved_from"], "2026-12-05");
}

#[test]
fn three_signers_pass_the_gate_and_an_edit_makes_them_stale() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    all_checked(&repo);
    repo.commit_as(PM, "Winback packet complete");
    for (role, who) in [("pm", PM), ("ops-lead", OPS), ("revops-director", RD)] {
        let (code, stdout, stderr) = repo.sign("winback-email", role, who);
        assert_eq!(code, 0, "{stdout}{stderr}");
        repo.commit_as(who, &format!("Sign off winback-email as {role}"));
    }
    let (code, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["packets"][0]["gate"], "signed-off");
    assert!(
        with_rule(
            &diagnostics(&doc, "winback-email"),
            "signoff-audit",
            "warning"
        )
        .is_empty()
    );

    // Someone edits the body after the sign-offs.
    let path = "handoffs/winback-email/handoff.md";
    repo.write(
        path,
        repo.read(path)
            .replace("three-email sequence", "four-email sequence"),
    );
    repo.commit_as(OPS, "Add a fourth email");
    let (code, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(code, 1);
    let stale = with_rule(
        &diagnostics(&doc, "winback-email"),
        "signoff-stale",
        "error",
    );
    assert_eq!(stale.len(), 3, "{doc}");
    assert!(stale[0]["message"].as_str().unwrap().contains("Pat Morgan"));
    assert!(
        stale[0]["help"]
            .as_str()
            .unwrap()
            .contains("handoff sign winback-email --role pm")
    );
    // Before the signed-off gate a stale sign-off is a warning.
    let (code, doc) = repo.check_json(&["--today", "2026-12-08"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        with_rule(
            &diagnostics(&doc, "winback-email"),
            "signoff-stale",
            "warning"
        )
        .len(),
        3
    );
    // Editing the runbook makes them stale too.
    repo.git(&["checkout", "-q", "HEAD~1", "--", "handoffs"]);
    let (code, _) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(code, 0);
    repo.write(
        "handoffs/winback-email/runbook.md",
        repo.read("handoffs/winback-email/runbook.md") + "\n- [ ] one more step\n",
    );
    let (code, _) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(code, 1);

    let (code, stdout, _) = repo.run(&["log", "winback-email"]);
    assert_eq!(code, 0, "{stdout}");
    for who in ["Pat Morgan", "Jordan Blake", "Ines Moreau"] {
        assert!(stdout.contains(who), "{who} in {stdout}");
    }
    for role in ["pm", "ops-lead", "revops-director"] {
        assert!(
            stdout.contains(&format!("signed off as {role}")),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("edited the body") && stdout.contains("uncommitted changes"),
        "{stdout}"
    );
    let commits = repo.git(&["rev-list", "--count", "HEAD"]);
    assert_eq!(
        stdout
            .lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with("uncommitted"))
            .count()
            .to_string(),
        commits.trim()
    );
}

#[test]
fn sign_off_committed_by_someone_else_is_flagged() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_as(PM, "Winback packet");
    repo.sign("winback-email", "ops-lead", OPS);
    repo.commit_as(PM, "Sign off for Jordan");
    let (code, stdout, _) = repo.run(&["log", "winback-email"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "ops-lead sign-off by Jordan Blake <jordan@northwind.test> was committed by Pat Morgan"
        ),
        "{stdout}"
    );
    let (_, doc) = repo.check_json(&["--today", "2026-12-01"]);
    let audit = with_rule(
        &diagnostics(&doc, "winback-email"),
        "signoff-audit",
        "warning",
    );
    assert_eq!(audit.len(), 1, "{doc}");
    assert!(
        audit[0]["message"]
            .as_str()
            .unwrap()
            .contains("committed by Pat Morgan")
    );

    // An uncommitted sign-off is reported as unrecorded.
    repo.sign("winback-email", "pm", PM);
    let (_, doc) = repo.check_json(&["--today", "2026-12-01"]);
    let audit = with_rule(
        &diagnostics(&doc, "winback-email"),
        "signoff-audit",
        "warning",
    );
    assert!(
        audit
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("unrecorded")),
        "{doc}"
    );
    let (code, stdout, _) = repo.run(&["log", "winback-email", "--format", "json"]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let last = log["entries"].as_array().unwrap().last().unwrap();
    assert!(last["commit"].is_null());
    assert!(last["flags"][0].as_str().unwrap().contains("unrecorded"));
}

#[test]
fn sign_changes_only_the_signoffs_block_and_refuses_unknown_roles() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let path = "handoffs/winback-email/handoff.md";
    // Put the block in the middle, with odd spacing elsewhere, to prove nothing else moves.
    let original = repo
        .read(path)
        .replace("signoffs: []\n", "")
        .replace("walkthrough:", "signoffs: []\nwalkthrough:")
        .replace("title: Win-back", "title:    Win-back");
    repo.write(path, &original);
    let (code, _, stderr) = repo.sign("winback-email", "ops", OPS);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean `ops-lead`") && stderr.contains("revops-director"),
        "{stderr}"
    );
    assert_eq!(repo.read(path), original);

    let (code, _, stderr) = repo.run_as(
        OPS,
        &[
            "sign",
            "winback-email",
            "--role",
            "ops-lead",
            "--note",
            "Alerts: reviewed",
            "--today",
            "2026-12-07",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // On day 0 only what `check` reports is open, and here nothing is: the alerts criterion is
    // waived, and the four others fall due later (the live run at day +1, the shadow period's
    // by day +14); the note says so, and that ticking them will need the sign-off renewed.
    assert!(!stderr.contains("still open"), "{stderr}");
    assert!(
        stderr.contains("4 criteria fall due later, the last by day +14 (Mon 2026-12-21)"),
        "{stderr}"
    );
    let signed = repo.read(path);
    let start = original.find("signoffs: []\n").unwrap();
    let end = start + "signoffs: []\n".len();
    assert_eq!(&signed[..start], &original[..start]);
    let tail = &original[end..];
    assert!(signed.ends_with(tail));
    let block = &signed[start..signed.len() - tail.len()];
    assert!(
        block.contains("role: ops-lead")
            && block.contains("digest: sha256:")
            && block.contains("note: \"Alerts: reviewed\""),
        "{block}"
    );

    // Signing again for the same role replaces the earlier sign-off; the digest does not change.
    let digest = |t: &str| {
        t.lines()
            .find(|l| l.contains("digest:"))
            .unwrap()
            .to_string()
    };
    repo.sign("winback-email", "ops-lead", OPS);
    let again = repo.read(path);
    assert_eq!(again.matches("role: ops-lead").count(), 1);
    assert_eq!(digest(&again), digest(&signed));
    assert!(signed.ends_with(tail) && again.ends_with(tail));
}

#[test]
fn sign_refuses_unanswered_packets_unless_forced() {
    let repo = Repo::new();
    repo.run(&[
        "new",
        "p",
        "--kind",
        "generic",
        "--day0",
        "2026-12-07",
        "--from",
        "a",
        "--to",
        "b",
    ]);
    let before = repo.read("handoffs/p/handoff.md");
    let (code, _, stderr) = repo.run(&["sign", "p", "--role", "sender"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("not ready to sign") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(repo.read("handoffs/p/handoff.md"), before);
    let (code, stdout, _) = repo.run(&["sign", "p", "--role", "sender", "--force"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Test User <test@example.test>"),
        "signer from git config: {stdout}"
    );
}

#[test]
fn outside_git_the_audit_says_so_and_the_rest_works() {
    let repo = Repo::bare();
    repo.copy_example("winback-email");
    let (code, _, stderr) = repo.run(&["log", "winback-email"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the audit needs git"), "{stderr}");
    let (code, _, _) = repo.sign("winback-email", "pm", PM);
    assert_eq!(code, 0);
    let (code, _, stderr) = repo.run(&["check", "--today", "2026-12-01"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("needs git"), "{stderr}");
    assert_eq!(repo.run(&["timeline", "winback-email"]).0, 0);
}

#[test]
fn status_lagging_the_calendar_is_reported() {
    let repo = Repo::new();
    repo.copy_example("onboarding-kickoff");
    let (_, doc) = repo.check_json(&["--today", "2027-09-05"]);
    let lags = with_rule(
        &diagnostics(&doc, "onboarding-kickoff"),
        "status-lags",
        "warning",
    );
    assert_eq!(lags.len(), 1, "{doc}");
    assert_eq!(lags[0]["line"], 8);
    let (_, doc) = repo.check_json(&["--today", "2026-11-26"]);
    assert!(
        with_rule(
            &diagnostics(&doc, "onboarding-kickoff"),
            "status-lags",
            "warning"
        )
        .is_empty()
    );
}

/// The log's lines of each commit (the commit line itself left out), oldest first.
fn story(log: &str) -> Vec<Vec<String>> {
    let mut entries: Vec<Vec<String>> = Vec::new();
    // The proofs of the records the packet carries now come after the commits.
    for line in log.lines().take_while(|l| !l.starts_with("  what proves")) {
        match line.strip_prefix("    ") {
            Some(change) => entries
                .last_mut()
                .expect("a commit line first")
                .push(change.to_string()),
            None => entries.push(Vec::new()),
        }
    }
    entries
}

#[test]
fn log_follows_a_history_that_goes_back_and_forth() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_as(PM, "Create");
    let path = "handoffs/winback-email/handoff.md";
    let runbook = "handoffs/winback-email/runbook.md";
    let original = repo.read(path);
    let relaxed = original.replacen("within 2 business hours", "within 3 business hours", 1);
    repo.write(path, &relaxed);
    repo.commit_as(PM, "Relax the SLA");
    // The first text again: its blob was read already, and it is compared anew.
    repo.write(path, &original);
    repo.commit_as(OPS, "Back to two hours");
    repo.write(runbook, repo.read(runbook) + "\nOne more step.\n");
    repo.commit_as(OPS, "Runbook only");
    // The body alone changes: the front matter is the same text.
    let ticked = original.replacen("- [ ] Alerts fire", "- [x] Alerts fire", 1);
    repo.write(path, &ticked);
    repo.commit_as(PM, "Tick a box");
    repo.git(&["rm", "-q", path]);
    repo.commit_as(PM, "Delete");
    repo.write(path, &relaxed);
    repo.commit_as(PM, "Bring it back, relaxed");
    repo.write(path, &ticked);
    repo.sign("winback-email", "pm", PM);
    repo.commit_as(OPS, "Sign for Pat");

    let (code, stdout, stderr) = repo.run(&["log", "winback-email"]);
    assert_eq!(
        code, 1,
        "the pm sign-off was committed by someone else: {stderr}"
    );
    let entries = story(&stdout);
    assert_eq!(entries.len(), 8, "{stdout}");
    assert_eq!(entries[0][0], "created the packet");
    assert!(entries[0][1].starts_with("with "), "{stdout}");
    assert_eq!(entries[1], ["changed runbook.sla"]);
    assert_eq!(entries[2], ["changed runbook.sla"]);
    assert_eq!(entries[3], ["changed runbook.md"]);
    assert_eq!(
        entries[4],
        ["checked: Alerts fire into the receiving team's channel"]
    );
    assert_eq!(entries[5], ["deleted the packet"]);
    assert_eq!(entries[6][0], "created the packet");
    let last = &entries[7];
    assert!(
        last.contains(&"changed runbook.sla".to_string()),
        "{stdout}"
    );
    assert!(
        last.iter()
            .any(|l| l.starts_with("signed off as pm: Pat Morgan")),
        "{stdout}"
    );
    assert!(
        last.iter().any(|l| l.starts_with(
            "! pm sign-off by Pat Morgan <pat@northwind.test> was committed by Jordan Blake"
        )),
        "{stdout}"
    );
    // The JSON form tells the same story, entry by entry.
    let (_, json, _) = repo.run(&["log", "winback-email", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let events: Vec<Vec<&str>> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["event"].as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(events[5], ["deleted"]);
    assert_eq!(events[6][0], "created");
    assert_eq!(events[4], ["checked"]);

    // `stats` reads the same history in one pass: the SLA edits after `ready` are rework, the
    // runbook-only commit is counted among the commits.
    let (code, stdout, stderr) = repo.run(&["stats", "--format", "json", "--today", "2026-12-05"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let p = &doc["packets"][0];
    assert_eq!(p["commits"], 8, "{doc}");
    assert_eq!(p["rework"], 3, "{doc}");
    assert_eq!(p["sent_back"], 0, "{doc}");
}

#[test]
fn log_reads_back_a_text_last_seen_hundreds_of_versions_ago() {
    // More distinct versions than the log keeps parsed: the first text, brought back at the end,
    // is read again from git.
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_as(PM, "Create");
    let path = "handoffs/winback-email/handoff.md";
    let original = repo.read(path);
    let mut stream = String::new();
    let mut mark = 0;
    for i in 0..=600 {
        let text = if i == 600 {
            original.clone()
        } else {
            original.replacen(
                "within 2 business hours",
                &format!("within {} minutes", i + 1),
                1,
            )
        };
        mark += 1;
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{mark}\ncommitter Pat Morgan <pat@northwind.test> {} +0000\ndata 4\nedit\n{}M 100644 inline {path}\ndata {}\n{text}\n",
            1_800_000_000 + i,
            if i == 0 { "from refs/heads/main^0\n" } else { "" },
            text.len()
        ));
    }
    let mut import = std::process::Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    import
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(import.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);
    let (code, stdout, stderr) = repo.run(&["log", "winback-email"]);
    assert_eq!(code, 0, "{stderr}");
    let entries = story(&stdout);
    assert_eq!(entries.len(), 602, "{stderr}");
    assert!(entries[1..].iter().all(|e| e == &["changed runbook.sla"]));
}
