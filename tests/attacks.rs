//! A pull request written to get a packet through the gate, as the attacker would write it: the
//! examples (or a small repo) committed on `main`, the attack committed on a branch by its
//! author, and `CI=true handoff check --base main` as the job runs it. Each attack fails the gate
//! (or is refused) with a finding that names what happened.

mod common;
use common::{Repo, copy_dir, diagnostics};
use std::path::Path;

const MALLORY: &str = "Mallory Fox <mallory@evil.test>";
const DANA: &str = "Dana Kim <dana@x.test>";
const OMAR: &str = "Omar Haddad <omar@x.test>";

/// The examples, committed on `main`, with the branch `attack` checked out.
fn examples_on_main() -> Repo {
    let repo = Repo::new();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        repo.path(),
    );
    repo.commit_as("Test User <test@example.test>", "The examples");
    repo.git(&["checkout", "-q", "-b", "attack"]);
    repo
}

/// `check` as the job runs it, with the base or without.
fn gate(repo: &Repo, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let out = repo
        .handoff()
        .env("CI", "true")
        .args(&args)
        .output()
        .expect("run handoff");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn with_base<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--base", "main"];
    args.extend_from_slice(extra);
    args
}

/// The findings of `rule` on packet `id`, as (severity, message).
fn found(doc: &serde_json::Value, id: &str, rule: &str) -> Vec<(String, String)> {
    diagnostics(doc, id)
        .into_iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn passes(doc: &serde_json::Value, id: &str) -> bool {
    doc["packets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["id"] == id)
        .is_some_and(|p| p["pass"] == true)
}

#[test]
fn a_waiver_granted_by_an_approver_the_change_adds_waives_nothing() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let packet = "handoffs/winback-email/handoff.md";
    let text = repo.read(packet).replace(
        "- [x] Permissions verified for HubSpot",
        "- [ ] Permissions verified for HubSpot",
    );
    repo.write(packet, text);
    repo.commit_as("Test User <test@example.test>", "winback, HubSpot open");
    repo.git(&["checkout", "-q", "-b", "attack"]);
    // The attacker makes themself an ops lead and waives the open criterion.
    let config = repo
        .read("handoff.toml")
        .replace("ops-lead = [", &format!("ops-lead = [\"{MALLORY}\", "));
    repo.write("handoff.toml", config);
    let (code, _, stderr) = repo.run_as(
        MALLORY,
        &[
            "waive",
            "winback-email",
            "Permissions verified for HubSpot",
            "--reason",
            "later",
            "--until",
            "2027-01-15",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    repo.commit_as(MALLORY, "Waive HubSpot");
    let args = ["--gate", "handed-off", "--today", "2026-12-08"];

    // As the change has it, the waiver holds...
    let (_, doc, _) = gate(&repo, &args);
    let open = found(&doc, "winback-email", "criteria-open");
    assert!(
        open.iter()
            .any(|(s, m)| s == "note" && m.contains("waived") && m.contains("HubSpot")),
        "{open:?}"
    );
    // ...and as the base has it, the approver holds no role that may waive: the criterion is open.
    let (code, doc, _) = gate(&repo, &with_base(&args));
    assert_eq!(code, 1, "{doc}");
    let invalid = found(&doc, "winback-email", "waiver-invalid");
    assert!(
        invalid
            .iter()
            .any(|(s, m)| s == "error" && m.contains("Mallory Fox")),
        "{invalid:?}"
    );
    let open = found(&doc, "winback-email", "criteria-open");
    assert!(
        open.iter()
            .any(|(s, m)| s == "error" && m.ends_with("Permissions verified for HubSpot")),
        "{open:?}"
    );
}

#[test]
fn a_built_in_kind_copied_and_loosened_in_the_change_is_judged_as_built() {
    let repo = examples_on_main();
    let built_in = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/kinds/gtm-play/kind.yaml"),
    )
    .expect("gtm-play");
    let mut weak = built_in
        .replace("  misses: 0\n", "  misses: 14\n")
        .replace("  max_days: 90\n", "  max_days: 100000\n")
        .replace(
            "  approvers: [ops-lead, revops-director]\n",
            "  approvers: []\n",
        )
        .replace("version: 3\n", "version: 4\n");
    for key in ["risks", "walkthrough"] {
        weak = weak.replace(
            &format!("  - key: {key}\n"),
            &format!("  - key: {key}\n    since: 4\n"),
        );
    }
    assert_ne!(weak, built_in);
    repo.write(".handoff/kinds/gtm-play/kind.yaml", &weak);
    // The KPI series is evidence outside the sign-offs: the days before day 0 now miss the
    // target, which the loosened `misses` would let through.
    let series = "handoffs/winback-email/metrics/kpi.csv";
    let missed = repo
        .read(series)
        .lines()
        .map(|l| match l.split_once(',') {
            Some((day, _)) if day.starts_with("2026-11-2") => format!("{day},1.0"),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    repo.write(series, missed + "\n");
    repo.commit_as(MALLORY, "A kind of our own");

    let (code, doc, _) = gate(&repo, &["winback-email"]);
    assert_eq!(
        code, 0,
        "as the change has it, the loosened kind lets it through: {doc}"
    );
    let (code, doc, _) = gate(&repo, &with_base(&["winback-email"]));
    assert_eq!(code, 1, "{doc}");
    let weakened = found(&doc, "winback-email", "kind-weakened-in-change");
    assert_eq!(weakened.len(), 1, "{doc}");
    let said = &weakened[0].1;
    for part in [
        "allows 14 days under target (was 0)",
        "lets a waiver run 100000 days (was 90)",
        "lets anyone grant a waiver",
        "asks `risks` only of packets made under version 4",
        "asks `walkthrough` only of packets made under version 4",
        "judged by the kind as at main",
    ] {
        assert!(said.contains(part), "{part}: {said}");
    }
    let unstable = found(&doc, "winback-email", "kpi-unstable");
    assert!(
        unstable.iter().any(|(s, _)| s == "error"),
        "judged by the built-in kind, the missed days fail: {doc}"
    );
}

#[test]
fn a_packet_moved_to_a_kind_new_in_the_change_is_judged_by_its_kind_at_the_base() {
    let repo = examples_on_main();
    repo.write(
        ".handoff/kinds/lax/kind.yaml",
        "name: lax\nsummary: Nothing asked\nfields: []\n",
    );
    let packet = "handoffs/winback-email/handoff.md";
    let text = repo.read(packet).replace("kind: gtm-play\n", "kind: lax\n");
    repo.write(packet, text);
    repo.commit_as(MALLORY, "Move to lax");

    let (code, doc, _) = gate(&repo, &with_base(&["winback-email"]));
    assert_eq!(code, 1, "{doc}");
    let switched = found(&doc, "winback-email", "kind-switched-in-change");
    assert_eq!(switched.len(), 1, "{doc}");
    assert_eq!(switched[0].0, "error");
    assert!(
        switched[0].1.contains("lax") && switched[0].1.contains("gtm-play"),
        "{switched:?}"
    );
}

#[test]
fn a_packets_folder_moved_in_the_change_is_refused() {
    let repo = examples_on_main();
    let config = repo
        .read("handoff.toml")
        .replace("packets = \"handoffs\"", "packets = \"other\"");
    repo.write("handoff.toml", config);
    repo.write("other/README.md", "Nothing to check here\n");
    repo.commit_as(MALLORY, "Elsewhere");
    let (code, _, stderr) = gate(&repo, &with_base(&[]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("packets") && stderr.contains("other"),
        "{stderr}"
    );
    // Without the base the change judges itself: nothing is checked (what --base prevents).
    let (code, doc, _) = gate(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(doc["packets"].as_array().map(Vec::len), Some(0), "{doc}");
}

#[test]
fn a_change_to_handoff_toml_alone_has_changed_since_check_every_packet() {
    let repo = examples_on_main();
    let config = repo.read("handoff.toml").replace(
        "pm = \"Pat Morgan <pat@northwind.test>\"",
        &format!("pm = \"{MALLORY}\""),
    );
    repo.write("handoff.toml", config);
    repo.commit_as(MALLORY, "Rebind pm");
    let (_, doc, _) = gate(&repo, &["--changed-since", "main"]);
    let checked = doc["packets"].as_array().map(Vec::len).unwrap_or(0);
    let all = std::fs::read_dir(repo.file("handoffs"))
        .expect("packets")
        .count();
    assert_eq!(checked, all, "{doc}");
    // A change to a kind folder does the same.
    repo.git(&["reset", "-q", "--hard", "main"]);
    repo.write(
        ".handoff/kinds/lax/kind.yaml",
        "name: lax\nsummary: Nothing asked\nfields: []\n",
    );
    repo.commit_as(MALLORY, "A kind");
    let (_, doc, _) = gate(&repo, &["--changed-since", "main"]);
    assert_eq!(doc["packets"].as_array().map(Vec::len), Some(all), "{doc}");
    // And a change to nothing of the kind checks no packet.
    repo.git(&["reset", "-q", "--hard", "main"]);
    repo.write("notes.txt", "unrelated\n");
    repo.commit_as(MALLORY, "Unrelated");
    let (_, doc, _) = gate(&repo, &["--changed-since", "main"]);
    assert_eq!(doc["packets"].as_array().map(Vec::len), Some(0), "{doc}");
}

const DUO_KIND: &str = "name: duo\nsummary: Two sides agree\nfields:\n  - key: metric\n    type: map\n    prompt: Which number?\n    fields:\n      - key: target\n        type: text\n        prompt: What value counts?\n  - key: runbook\n    type: map\n    prompt: Where is the runbook?\n    fields:\n      - key: file\n        type: file\n        prompt: Which file?\nroles:\n  - name: sender\n    description: The sending side agrees\n  - name: receiver\n    description: The receiving side agrees\n    receives: true\n";

const DUO_PACKET: &str = "handoffs/p/handoff.md";

/// A `duo` packet whose runbook is `runbook_at`, signed by both sides and committed on `main`
/// (each signer's own commit), with `attack` checked out.
fn signed_duo(runbook_at: &str, line_end: &str) -> Repo {
    let repo = Repo::new();
    repo.write(".handoff/kinds/duo/kind.yaml", DUO_KIND);
    repo.write(
        "handoff.toml",
        format!("[people]\nsender = \"{DANA}\"\nreceiver = \"{OMAR}\"\n"),
    );
    let text = format!(
        "---\nid: p\ntitle: P\nkind: duo\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nmetric:\n  target: 3 business days\nrunbook:\n  file: {runbook_at}\nsignoffs: []\n---\n\n# P\n\nWhat it is.\n"
    );
    repo.write(DUO_PACKET, text.replace('\n', line_end));
    repo.write(&format!("handoffs/p/{runbook_at}"), "1. Stop the sends\n");
    repo.commit_as(DANA, "P");
    for (role, who) in [("sender", DANA), ("receiver", OMAR)] {
        let (code, _, stderr) = repo.sign("p", role, who);
        assert_eq!(code, 0, "{stderr}");
        repo.commit_as(who, &format!("sign as {role}"));
    }
    repo.git(&["checkout", "-q", "-b", "attack"]);
    repo
}

fn stale(doc: &serde_json::Value) -> usize {
    found(doc, "p", "signoff-stale").len()
}

#[test]
fn a_file_under_metrics_that_is_not_the_series_is_covered_by_the_sign_offs() {
    let repo = signed_duo("metrics/runbook.csv", "\n");
    let (code, doc, _) = gate(
        &repo,
        &with_base(&["--today", "2026-12-08", "--gate", "signed-off"]),
    );
    assert_eq!((code, stale(&doc)), (0, 0), "{doc}");
    // The runbook kept under metrics/ is edited after both signed: both sign-offs are stale.
    repo.write("handoffs/p/metrics/runbook.csv", "1. Keep sending\n");
    repo.commit_as(MALLORY, "Soften the runbook");
    let (code, doc, _) = gate(
        &repo,
        &with_base(&["--today", "2026-12-08", "--gate", "signed-off"]),
    );
    assert_eq!((code, stale(&doc)), (1, 2), "{doc}");
    // (The series a metric names stales nothing: see the loosened-kind attack above.)
}

#[test]
fn a_send_back_removed_in_the_change_is_an_error_naming_it() {
    let repo = signed_duo("runbook.md", "\n");
    repo.git(&["checkout", "-q", "main"]);
    let (code, _, stderr) = repo.run_as(
        OMAR,
        &["send-back", "p", "--reason", "The runbook has no stop step"],
    );
    assert_eq!(code, 0, "{stderr}");
    repo.commit_as(OMAR, "Send back");
    repo.git(&["checkout", "-q", "-B", "attack"]);
    // The attacker restores the packet as it was before the send-back.
    repo.git(&["checkout", "HEAD~1", "--", DUO_PACKET]);
    repo.commit_as(MALLORY, "Restore");
    let (code, doc, _) = gate(&repo, &["--today", "2026-12-05"]);
    assert_eq!(
        code, 0,
        "without the base the restored packet passes: {doc}"
    );
    let (code, doc, _) = gate(&repo, &with_base(&["--today", "2026-12-05"]));
    assert_eq!(code, 1, "{doc}");
    let removed = found(&doc, "p", "sendback-removed");
    assert_eq!(removed.len(), 1, "{doc}");
    assert_eq!(removed[0].0, "error");
    assert!(
        removed[0].1.contains("Omar Haddad") && removed[0].1.contains("no stop step"),
        "{removed:?}"
    );
}

#[test]
fn line_endings_of_a_checkout_never_stale_a_sign_off_and_sign_keeps_them() {
    for (how, config) in [
        ("core.autocrlf=true", vec!["core.autocrlf=true"]),
        ("eol=crlf", vec![]),
    ] {
        let repo = signed_duo("runbook.md", "\n");
        if config.is_empty() {
            repo.write(".gitattributes", "*.md text eol=crlf\n");
            repo.commit_as(DANA, "CRLF checkouts");
        }
        let base = Repo::bare();
        let target = base.path().join("c");
        let mut args = vec!["clone", "-q"];
        for c in &config {
            args.extend(["-c", c]);
        }
        let from = repo.path().display().to_string();
        let to = target.display().to_string();
        args.extend([from.as_str(), to.as_str()]);
        let out = std::process::Command::new("git")
            .args(&args)
            .output()
            .expect("git clone");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(target.join(DUO_PACKET)).expect("packet");
        assert!(text.contains("\r\n"), "{how}: the checkout has CRLF");
        let out = repo
            .handoff()
            .current_dir(&target)
            .args(["check", "--format", "json", "--today", "2026-12-05"])
            .output()
            .expect("check");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(stale(&doc), 0, "{how}: {doc}");
        assert_eq!(out.status.code(), Some(0), "{how}: {doc}");

        // Signing in that checkout writes CRLF like the rest of the file.
        let out = repo
            .handoff()
            .current_dir(&target)
            .env("GIT_AUTHOR_NAME", "Omar Haddad")
            .env("GIT_AUTHOR_EMAIL", "omar@x.test")
            .args(["sign", "p", "--role", "receiver", "--replace"])
            .output()
            .expect("sign");
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{how}: {said}");
        let text = std::fs::read_to_string(target.join(DUO_PACKET)).expect("packet");
        assert_eq!(
            text.matches('\n').count(),
            text.matches("\r\n").count(),
            "{how}: every line ends in CRLF:\n{text:?}"
        );
    }
}

#[test]
fn a_sign_off_dated_in_garbage_ahead_of_the_clock_or_after_its_commit_is_invalid() {
    for (at, says) in [
        ("garbage", "garbage"),
        ("2031-01-01T00:00:00Z", "still to come"),
        ("2026-12-05T09:00:00Z", "after the commit that added it"),
    ] {
        let repo = Repo::new();
        repo.write(".handoff/kinds/duo/kind.yaml", DUO_KIND);
        repo.write(
            "handoff.toml",
            format!("[people]\nsender = \"{DANA}\"\nreceiver = \"{OMAR}\"\n"),
        );
        repo.write(
            DUO_PACKET,
            "---\nid: p\ntitle: P\nkind: duo\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nmetric:\n  target: 3 business days\nrunbook:\n  file: runbook.md\nsignoffs: []\n---\n\n# P\n",
        );
        repo.write("handoffs/p/runbook.md", "1. Stop\n");
        repo.commit_at(DANA, "2026-11-01", "P");
        assert_eq!(repo.sign("p", "sender", DANA).0, 0);
        let text = repo.read(DUO_PACKET);
        let start = text.find("    at: ").expect("at");
        let end = start + text[start..].find('\n').expect("line");
        repo.write(
            DUO_PACKET,
            format!("{}    at: \"{at}\"{}", &text[..start], &text[end..]),
        );
        repo.commit_at(DANA, "2026-11-01", "sign as sender");
        let (code, doc, _) = gate(&repo, &["--today", "2026-12-05", "--gate", "ready"]);
        let invalid = found(&doc, "p", "signoff-invalid");
        assert!(
            invalid
                .iter()
                .any(|(s, m)| s == "error" && m.contains(says)),
            "{at}: {doc}"
        );
        assert_eq!(code, 1, "{at}");
    }
}

#[test]
fn examples_committed_as_they_are_pass_against_their_own_base() {
    // The control: with nothing changed on the branch, every example gives the verdict it gives
    // without a base; the attacks above are what moves it.
    let repo = examples_on_main();
    let (code_plain, doc_plain, _) = gate(&repo, &["--today", "2026-12-07"]);
    let (code_base, doc_base, _) = gate(&repo, &with_base(&["--today", "2026-12-07"]));
    assert_eq!(code_plain, code_base);
    for id in ["winback-email", "billing-api-4-2"] {
        assert!(
            passes(&doc_plain, id) && passes(&doc_base, id),
            "{id}: {doc_base}"
        );
    }
}
