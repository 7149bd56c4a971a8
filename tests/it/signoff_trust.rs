//! What a sign-off proves, tried as someone who wants a packet through: bound roles, one sign-off
//! per person, no silent replacement, status moves, every route into the digest, concurrent and
//! killed signers, byte-exact edits, shallow clones, and one verdict across commands.

use crate::common;
use common::{Repo, diagnostics, with_rule};

const PM: &str = "Pat Morgan <pat@northwind.test>";
const OPS: &str = "Jordan Blake <jordan@northwind.test>";
const OPS_DELEGATE: &str = "Sam Lee <sam.lee@northwind.test>";
const RD: &str = "Ines Moreau <ines@northwind.test>";
const PACKET: &str = "handoffs/winback-email/handoff.md";

/// The example gtm-play packet with every criterion checked, committed.
fn ready_repo() -> Repo {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    common::finish_winback(&repo);
    repo.commit_as(PM, "Winback packet complete");
    repo
}

/// Sign all three roles, each by its holder, each committed by the signer.
fn sign_all(repo: &Repo) {
    for (role, who) in [("pm", PM), ("ops-lead", OPS), ("revops-director", RD)] {
        let (code, out, err) = repo.sign("winback-email", role, who);
        assert_eq!(code, 0, "{out}{err}");
        repo.commit_as(who, &format!("Sign off winback-email as {role}"));
    }
}

fn rules_of(doc: &serde_json::Value, rule: &str, severity: &str) -> usize {
    with_rule(&diagnostics(doc, "winback-email"), rule, severity).len()
}

fn set_status(repo: &Repo, status: &str) {
    let text = repo.read(PACKET);
    let line = text.lines().find(|l| l.starts_with("status:")).unwrap();
    repo.write(PACKET, text.replacen(line, &format!("status: {status}"), 1));
}

#[test]
fn a_bound_role_is_signed_only_by_its_holders() {
    let repo = ready_repo();
    // The PM tries to sign as the ops lead: refused, naming who may.
    let (code, _, stderr) = repo.sign("winback-email", "ops-lead", PM);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("may not sign")
            && stderr.contains("Jordan Blake")
            && stderr.contains("Sam Lee"),
        "{stderr}"
    );
    assert!(!repo.read(PACKET).contains("role: ops-lead"));
    // `--by` cannot name someone else either.
    let (code, _, stderr) = repo.run_as(
        PM,
        &["sign", "winback-email", "--role", "ops-lead", "--by", OPS],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("you are Pat Morgan"), "{stderr}");
    // A delegate may.
    let (code, out, err) = repo.sign("winback-email", "ops-lead", OPS_DELEGATE);
    assert_eq!(code, 0, "{out}{err}");

    // A sign-off written by hand for someone who does not hold the role fails the gate.
    sign_all_but_ops_by_hand(&repo);
    let (code, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(code, 1, "{doc}");
    let bad = with_rule(
        &diagnostics(&doc, "winback-email"),
        "signoff-unauthorized",
        "error",
    );
    assert_eq!(bad.len(), 1, "{doc}");
    let message = bad[0]["message"].as_str().unwrap();
    assert!(
        message.contains("ops-lead") && message.contains("Jordan Blake"),
        "{message}"
    );
    // Before the signed-off gate it is a warning.
    let (_, doc) = repo.check_json(&["--today", "2026-12-08"]);
    assert_eq!(rules_of(&doc, "signoff-unauthorized", "warning"), 1);
}

/// Replace the ops-lead entry's signer with someone who does not hold the role, as a hand edit.
fn sign_all_but_ops_by_hand(repo: &Repo) {
    let text = repo.read(PACKET);
    repo.write(
        PACKET,
        text.replace(
            "by: \"Sam Lee <sam.lee@northwind.test>\"",
            "by: \"Mallory Doe <mallory@northwind.test>\"",
        ),
    );
}

#[test]
fn an_unbound_role_is_signable_by_anyone_with_a_note() {
    let repo = ready_repo();
    // pm has no [people] entry here: anyone may sign it.
    repo.write(
        "handoff.toml",
        "[people]\nops-lead = \"Jordan Blake <jordan@northwind.test>\"\nrevops-director = \"Ines Moreau <ines@northwind.test>\"\n",
    );
    let (code, stdout, stderr) = repo.sign("winback-email", "pm", RD);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("bound to nobody"), "{stdout}");
    repo.commit_as(RD, "Sign as pm");
    let (code, doc) = repo.check_json(&["--today", "2026-12-04", "--deny-warnings"]);
    let diags = diagnostics(&doc, "winback-email");
    assert_eq!(
        with_rule(&diags, "signoff-unbound", "note").len(),
        1,
        "{doc}"
    );
    // A note is not a warning: it is not counted, and never fails, not even with --deny-warnings.
    let warnings = diags.iter().filter(|d| d["severity"] == "warning").count();
    assert_eq!(doc["packets"][0]["warnings"], warnings);
    assert_eq!(code, i32::from(warnings > 0), "{doc}");
}

#[test]
fn a_role_bound_to_a_packet_field_follows_the_packet() {
    let repo = Repo::new();
    repo.write(
        ".handoff/kinds/duo/kind.yaml",
        "name: duo\nsummary: Two people agree\nfields:\n  - key: owner\n    type: person\n    prompt: Who owns it?\nroles:\n  - name: owner\n    description: The owner agrees\n    held_by: owner\n  - name: peer\n    description: A peer agrees\n",
    );
    repo.write(
        "handoffs/p/handoff.md",
        "---\nid: p\ntitle: P\nkind: duo\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nowner: Ann Lee <ann@x.test>\nsignoffs: []\n---\n\n# P\n",
    );
    repo.commit_as("Ann Lee <ann@x.test>", "P");
    let (code, _, stderr) = repo.sign("p", "owner", "Bob Roe <bob@x.test>");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("Ann Lee") && stderr.contains("`owner`"),
        "{stderr}"
    );
    let (code, out, err) = repo.sign("p", "owner", "Ann Lee <ann@x.test>");
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn one_person_holds_one_sign_off_per_packet() {
    let repo = ready_repo();
    repo.write(
        "handoff.toml",
        "[people]\nops-lead = [\"Jordan Blake <jordan@northwind.test>\", \"Pat Morgan <pat@northwind.test>\"]\nrevops-director = \"Ines Moreau <ines@northwind.test>\"\n",
    );
    let (code, _, _) = repo.sign("winback-email", "pm", PM);
    assert_eq!(code, 0);
    let (code, _, stderr) = repo.sign("winback-email", "ops-lead", PM);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("already signed winback-email as pm"),
        "{stderr}"
    );

    // Written by hand, the second sign-off by the same person does not count.
    let text = repo.read(PACKET);
    let entry_start = text.find("  - role: pm").unwrap();
    let entry_len: usize = text[entry_start..]
        .split_inclusive('\n')
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.starts_with("    "))
        .map(|(_, l)| l.len())
        .sum();
    let entry_end = entry_start + entry_len;
    let entry = text[entry_start..entry_end].replace("role: pm", "role: ops-lead");
    repo.write(
        PACKET,
        format!("{}{entry}{}", &text[..entry_end], &text[entry_end..]),
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(code, 1);
    assert_eq!(rules_of(&doc, "signoff-same-signer", "error"), 1, "{doc}");

    // A kind may allow it.
    repo.write(
        ".handoff/kinds/gtm-play/kind.yaml",
        format!(
            "{}\nallow_same_signer: true\n",
            std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("templates/kinds/gtm-play/kind.yaml")
            )
            .unwrap()
        ),
    );
    let (_, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(rules_of(&doc, "signoff-same-signer", "error"), 0, "{doc}");
}

#[test]
fn replacing_someone_elses_fresh_sign_off_takes_a_flag_and_says_whose() {
    let repo = ready_repo();
    repo.sign("winback-email", "ops-lead", OPS);
    let before = repo.read(PACKET);
    let (code, _, stderr) = repo.sign("winback-email", "ops-lead", OPS_DELEGATE);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("already signed as ops-lead by Jordan Blake")
            && stderr.contains("--replace"),
        "{stderr}"
    );
    assert_eq!(repo.read(PACKET), before, "nothing written");
    let (code, stdout, _) = repo.run_as(
        OPS_DELEGATE,
        &["sign", "winback-email", "--role", "ops-lead", "--replace"],
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Replaced the ops-lead sign-off by Jordan Blake"),
        "{stdout}"
    );
    let after = repo.read(PACKET);
    assert_eq!(after.matches("role: ops-lead").count(), 1);
    assert!(
        after.contains("- role: ops-lead\n    by: \"Sam Lee"),
        "{after}"
    );
    // Re-signing your own needs no flag.
    let (code, _, _) = repo.sign("winback-email", "ops-lead", OPS_DELEGATE);
    assert_eq!(code, 0);
}

#[test]
fn moving_the_status_forward_keeps_sign_offs_fresh_and_back_makes_them_stale() {
    let repo = ready_repo();
    set_status(&repo, "handed-off");
    repo.commit_as(PM, "Handed off");
    sign_all(&repo);
    for status in ["shadowing", "signed-off", "retired"] {
        set_status(&repo, status);
        let (code, doc) = repo.check_json(&["--today", "2026-12-21"]);
        assert_eq!(code, 0, "{status}: {doc}");
        assert_eq!(rules_of(&doc, "signoff-stale", "error"), 0);
    }
    // At `signed-off` nothing at all is left to say.
    set_status(&repo, "signed-off");
    let (code, doc) = repo.check_json(&["--today", "2026-12-21", "--deny-warnings"]);
    assert_eq!(code, 0, "{doc}");
    // Sent back: the status moves below the one signed at.
    set_status(&repo, "ready");
    let (code, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(code, 1);
    let stale = with_rule(
        &diagnostics(&doc, "winback-email"),
        "signoff-stale",
        "error",
    );
    assert_eq!(stale.len(), 3, "{doc}");
    assert!(
        stale[0]["message"]
            .as_str()
            .unwrap()
            .contains("went back to ready"),
        "{doc}"
    );
}

#[test]
fn the_last_signature_says_what_to_do_next() {
    let repo = ready_repo();
    repo.sign("winback-email", "pm", PM);
    repo.sign("winback-email", "ops-lead", OPS);
    let (_, stdout, _) = repo.sign("winback-email", "revops-director", RD);
    assert!(
        stdout.contains("Every role has signed") && stdout.contains("status: signed-off"),
        "{stdout}"
    );
}

/// Sign all roles, then apply `edit` and expect every sign-off to go stale.
fn edit_makes_stale(repo: &Repo, edit: impl Fn(&Repo)) {
    sign_all(repo);
    let (code, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(rules_of(&doc, "signoff-stale", "error"), 0, "{doc}");
    assert_eq!(code, 0, "{doc}");
    edit(repo);
    let (code, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(code, 1);
    assert_eq!(rules_of(&doc, "signoff-stale", "error"), 3, "{doc}");
}

#[test]
fn an_edit_through_a_dotfile_attachment_makes_sign_offs_stale() {
    let repo = ready_repo();
    std::fs::rename(
        repo.file("handoffs/winback-email/runbook.md"),
        repo.file("handoffs/winback-email/.runbook.md"),
    )
    .unwrap();
    repo.write(
        PACKET,
        repo.read(PACKET)
            .replace("file: runbook.md", "file: .runbook.md"),
    );
    repo.commit_as(PM, "Hidden runbook");
    edit_makes_stale(&repo, |r| {
        let p = "handoffs/winback-email/.runbook.md";
        r.write(p, r.read(p) + "\n- [ ] a step added after sign-off\n");
    });
}

#[test]
fn an_edit_in_a_dot_folder_or_deep_down_makes_sign_offs_stale() {
    let deep = "handoffs/winback-email/a/b/c/d/e/f/g/h/i/j/notes.md";
    for file in ["handoffs/winback-email/.notes/alerts.md", deep] {
        let repo = ready_repo();
        repo.write(file, "The alert thresholds we agreed.\n");
        repo.commit_as(PM, "Notes");
        edit_makes_stale(&repo, |r| r.write(file, "Different thresholds.\n"));
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_that_leaves_the_packet_is_refused_and_its_target_is_covered() {
    let repo = ready_repo();
    repo.write(
        "docs/runbook.md",
        repo.read("handoffs/winback-email/runbook.md"),
    );
    std::fs::remove_file(repo.file("handoffs/winback-email/runbook.md")).unwrap();
    std::os::unix::fs::symlink(
        "../../docs/runbook.md",
        repo.file("handoffs/winback-email/runbook.md"),
    )
    .unwrap();
    repo.commit_as(PM, "Runbook shared from docs");
    let (code, doc) = repo.check_json(&["--today", "2026-12-05"]);
    assert_eq!(code, 1);
    let bad = with_rule(
        &diagnostics(&doc, "winback-email"),
        "attachment-invalid",
        "error",
    );
    assert!(
        bad.iter()
            .any(|d| d["message"].as_str().unwrap().contains("leaves the packet")),
        "{doc}"
    );
    // Signed anyway (forced), an edit of the link's target still makes the sign-offs stale.
    for (role, who) in [("pm", PM), ("ops-lead", OPS), ("revops-director", RD)] {
        repo.run_as(who, &["sign", "winback-email", "--role", role, "--force"]);
    }
    let (_, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(rules_of(&doc, "signoff-stale", "error"), 0, "{doc}");
    repo.write(
        "docs/runbook.md",
        repo.read("docs/runbook.md") + "\n- [ ] extra\n",
    );
    let (_, doc) = repo.check_json(&["--today", "2026-12-21"]);
    assert_eq!(rules_of(&doc, "signoff-stale", "error"), 3, "{doc}");
}

#[test]
fn an_ignored_file_changes_nothing_between_working_copy_and_fresh_clone() {
    let repo = ready_repo();
    repo.write(".gitignore", "scratch.txt\n");
    repo.write("handoffs/winback-email/scratch.txt", "my local notes\n");
    repo.commit_as(PM, "Ignore scratch files");
    sign_all(&repo);
    let (code_here, doc_here) = repo.check_json(&["--today", "2026-12-21"]);
    repo.write("handoffs/winback-email/scratch.txt", "edited notes\n");
    let (code_edited, _) = repo.check_json(&["--today", "2026-12-21"]);

    let clone = Repo::bare();
    let out = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(repo.path())
        .arg(clone.path().join("c"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["check", "--format", "json", "--today", "2026-12-21"])
        .current_dir(clone.path().join("c"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let doc_clone: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(code_here, 0, "{doc_here}");
    assert_eq!(code_edited, 0);
    assert_eq!(out.status.code(), Some(0), "{doc_clone}");
    assert_eq!(doc_here["summary"], doc_clone["summary"]);
}

/// A kind with `n` unbound roles, and a packet of it.
fn many_roles_repo(n: usize) -> Repo {
    let repo = Repo::new();
    let roles: String = (1..=n)
        .map(|i| format!("  - name: r{i}\n    description: Role {i} agrees\n"))
        .collect();
    repo.write(
        ".handoff/kinds/many/kind.yaml",
        format!("name: many\nsummary: Many people agree\nfields: []\nroles:\n{roles}"),
    );
    repo.write(
        "handoffs/p/handoff.md",
        "---\nid: p\ntitle: P\nkind: many\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nsignoffs: []\n---\n\n# P\n",
    );
    repo.commit_as("Ann Lee <ann@x.test>", "P");
    repo
}

fn concurrent_signers(n: usize) {
    let repo = many_roles_repo(n);
    let children: Vec<_> = (1..=n)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
                .args(["sign", "p", "--role", &format!("r{i}")])
                .current_dir(repo.path())
                // On the tests' day, as `Repo::handoff` runs it.
                .env("HANDOFF_NOW", common::NOW)
                .env("GIT_AUTHOR_NAME", format!("Signer {i}"))
                .env("GIT_AUTHOR_EMAIL", format!("s{i}@x.test"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = repo.read("handoffs/p/handoff.md");
    for i in 1..=n {
        assert!(
            text.contains(&format!("role: r{i}\n")),
            "r{i} kept in\n{text}"
        );
    }
    let names: Vec<String> = std::fs::read_dir(repo.file("handoffs/p"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["handoff.md"], "no temporary files left");
    let (code, doc) = repo.check_json(&["--gate", "signed-off"]);
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn three_concurrent_signers_lose_nothing() {
    concurrent_signers(3);
}

#[test]
fn twenty_concurrent_signers_lose_nothing() {
    concurrent_signers(20);
}

#[cfg(unix)]
#[test]
fn a_killed_signer_leaves_no_litter_and_old_litter_is_ignored_then_swept() {
    let repo = many_roles_repo(2);
    let path = repo.file("handoffs/p/handoff.md");
    // Leftover of a write killed half-way: not part of the packet, removed by the next sign.
    repo.write("handoffs/p/.handoff.md.Ab12Cd.tmp", "half a file");
    let (_, doc) = repo.check_json(&["--gate", "draft"]);
    assert_eq!(doc["summary"]["failed"], 0, "{doc}");

    // A signer waiting for the lock is killed: nothing changes, nothing is left behind.
    let held = std::fs::File::open(&path).unwrap();
    held.lock().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["sign", "p", "--role", "r1"])
        .current_dir(repo.path())
        .env("GIT_AUTHOR_NAME", "Ann Lee")
        .env("GIT_AUTHOR_EMAIL", "ann@x.test")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "it waits for the lock");
    child.kill().unwrap();
    child.wait().unwrap();
    held.unlock().unwrap();
    assert!(!repo.read("handoffs/p/handoff.md").contains("role: r1"));

    let (code, _, _) = repo.sign("p", "r1", "Ann Lee <ann@x.test>");
    assert_eq!(code, 0);
    let names: Vec<String> = std::fs::read_dir(repo.file("handoffs/p"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["handoff.md"]);
}

/// The bytes `sign` added: what the new text has that the old one lacks, as one inserted run.
fn inserted(before: &str, after: &str) -> String {
    let prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before[prefix..]
        .bytes()
        .rev()
        .zip(after[prefix..].bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert_eq!(
        prefix + suffix,
        before.len(),
        "sign changed existing bytes:\n{before}\n---\n{after}"
    );
    after[prefix..after.len() - suffix].to_string()
}

#[test]
fn sign_keeps_comments_blank_lines_crlf_and_bom_byte_for_byte() {
    let repo = many_roles_repo(2);
    let path = "handoffs/p/handoff.md";
    let original = "\u{feff}---\r\nid: p\r\ntitle: P   # the title\r\nkind: many\r\nfrom: a\r\nto: b\r\nday0: 2026-12-07\r\nstatus: ready\r\n\r\n# Sign-offs below are written by the tool.\r\nsignoffs:   # none yet\r\n\r\n# trailing comment\r\n---\r\n\r\n# P\r\n";
    repo.write(path, original);
    let (code, out, err) = repo.sign("p", "r1", "Ann Lee <ann@x.test>");
    assert_eq!(code, 0, "{out}{err}");
    let once = repo.read(path);
    assert!(once.starts_with('\u{feff}'));
    assert!(
        !once.replace("\r\n", "").contains('\n'),
        "only CRLF: {once:?}"
    );
    assert!(
        once.contains("signoffs:  # none yet\r\n  - role: r1\r\n"),
        "{once:?}"
    );
    assert!(
        once.contains("\r\n\r\n# trailing comment\r\n---"),
        "{once:?}"
    );
    let (code, _, _) = repo.sign("p", "r2", "Bob Roe <bob@x.test>");
    assert_eq!(code, 0);
    let twice = repo.read(path);
    let added = inserted(&once, &twice);
    assert!(
        added.starts_with("  - role: r2\r\n") && added.ends_with("\r\n"),
        "{added:?}"
    );
    // Re-signing replaces exactly that entry's lines.
    repo.sign("p", "r2", "Bob Roe <bob@x.test>");
    let again = repo.read(path);
    assert_eq!(again.len(), twice.len());
    assert_eq!(again.lines().count(), twice.lines().count());
    let (code, doc) = repo.check_json(&["--gate", "signed-off"]);
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn sign_handles_an_indented_front_matter_and_refuses_what_it_cannot_edit_exactly() {
    let repo = many_roles_repo(1);
    let path = "handoffs/p/handoff.md";
    let indented = "---\n  id: p\n  title: P\n  kind: many\n  from: a\n  to: b\n  day0: 2026-12-07\n  status: ready\n---\n\n# P\n";
    repo.write(path, indented);
    let (code, out, err) = repo.sign("p", "r1", "Ann Lee <ann@x.test>");
    assert_eq!(code, 0, "{out}{err}");
    let (code, doc) = repo.check_json(&["--gate", "signed-off"]);
    assert_eq!(code, 0, "{doc}");
    inserted(indented, &repo.read(path));

    let flow = "---\n{id: p, title: P, kind: many, from: a, to: b, day0: 2026-12-07, status: ready}\n---\n\n# P\n";
    repo.write(path, flow);
    let (code, _, stderr) = repo.sign("p", "r1", "Ann Lee <ann@x.test>");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("flow mapping") && stderr.contains("not changed"),
        "{stderr}"
    );
    assert_eq!(repo.read(path), flow);

    let inline = "---\nid: p\ntitle: P\nkind: many\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nsignoffs: [{role: r1, by: A <a@x.test>, at: x, digest: y}]\n---\n";
    repo.write(path, inline);
    let (code, _, stderr) = repo.sign("p", "r1", "Ann Lee <ann@x.test>");
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(repo.read(path), inline);
}

#[cfg(unix)]
#[test]
fn sign_refuses_a_read_only_file() {
    use std::os::unix::fs::PermissionsExt;
    let repo = many_roles_repo(1);
    let path = repo.file("handoffs/p/handoff.md");
    let before = repo.read("handoffs/p/handoff.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (code, _, stderr) = repo.sign("p", "r1", "Ann Lee <ann@x.test>");
    assert_eq!(code, 2);
    assert!(stderr.contains("read-only"), "{stderr}");
    assert_eq!(repo.read("handoffs/p/handoff.md"), before);
}

#[test]
fn a_shallow_clone_gives_the_full_clones_verdict_and_says_history_is_missing() {
    let repo = ready_repo();
    sign_all(&repo);
    // A later edit committed by someone else, so the shallow clone's one commit is not the signer's.
    repo.write("handoffs/winback-email/notes.md", "notes\n");
    repo.commit_as(PM, "Notes");
    let holder = Repo::bare();
    let url = format!("file://{}", repo.path().display());
    for (name, depth) in [("full", None), ("shallow", Some("1"))] {
        let mut git = std::process::Command::new("git");
        git.args(["clone", "-q"]);
        if let Some(d) = depth {
            git.args(["--depth", d]);
        }
        let out = git
            .arg(&url)
            .arg(holder.path().join(name))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let run = |name: &str, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(args)
            .current_dir(holder.path().join(name))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for today in ["2026-12-08", "2026-12-21"] {
        for extra in [&[][..], &["--deny-warnings"][..]] {
            let mut args = vec!["check", "--format", "json", "--today", today];
            args.extend_from_slice(extra);
            let (full_code, full, _) = run("full", &args);
            let (shallow_code, shallow, stderr) = run("shallow", &args);
            assert_eq!(
                full_code, shallow_code,
                "{today} {extra:?}\n{full}\n{shallow}"
            );
            let full: serde_json::Value = serde_json::from_str(&full).unwrap();
            let shallow: serde_json::Value = serde_json::from_str(&shallow).unwrap();
            assert_eq!(full["summary"], shallow["summary"]);
            assert_eq!(stderr.matches("shallow clone").count(), 1, "{stderr}");
            assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
        }
    }
    let (code, stdout, stderr) = run("shallow", &["log", "winback-email"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stderr.contains("shallow clone"), "{stderr}");
}

#[test]
fn render_status_and_check_give_one_verdict_with_the_audit() {
    let repo = ready_repo();
    // The PM commits the ops lead's sign-off: an audit warning.
    repo.sign("winback-email", "ops-lead", OPS);
    repo.commit_as(PM, "Sign off for Jordan");
    let (code, doc) = repo.check_json(&["--today", "2026-12-08"]);
    assert_eq!(code, 0);
    let packet = &doc["packets"][0];
    assert_eq!(rules_of(&doc, "signoff-audit", "warning"), 1, "{doc}");
    let (_, md, _) = repo.run(&[
        "render",
        "winback-email",
        "--format",
        "md",
        "--today",
        "2026-12-08",
    ]);
    assert!(
        md.contains(&format!(
            "0 errors, {} warning{}",
            packet["warnings"],
            if packet["warnings"] == 1 { "" } else { "s" }
        )),
        "{md}"
    );
    assert!(md.contains("was committed by Pat Morgan"), "{md}");
    let (_, status, _) = repo.run(&["status", "--format", "json", "--today", "2026-12-08"]);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let row = status.to_string();
    assert!(
        row.contains(&format!("\"warnings\":{}", packet["warnings"])),
        "{row}"
    );
}

#[test]
fn log_exits_1_only_for_findings_that_still_hold() {
    let repo = ready_repo();
    repo.sign("winback-email", "ops-lead", OPS);
    repo.commit_as(PM, "Sign off for Jordan");
    let (code, stdout, _) = repo.run(&["log", "winback-email"]);
    assert_eq!(code, 1, "{stdout}");
    // Jordan signs again and commits it: the old mis-commit is history, not a finding.
    repo.run_as(
        OPS,
        &[
            "sign",
            "winback-email",
            "--role",
            "ops-lead",
            "--note",
            "Signed myself",
        ],
    );
    repo.commit_as(OPS, "Sign off winback-email as ops-lead");
    let (code, stdout, _) = repo.run(&["log", "winback-email"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("committed by Pat Morgan"),
        "the story keeps it: {stdout}"
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-08"]);
    assert_eq!(code, 0);
    assert_eq!(rules_of(&doc, "signoff-audit", "warning"), 0, "{doc}");
}

/// A run over more packets than `check` holds at once (it reports a chunk of packets at a time,
/// auditing each chunk's sign-offs against history as it goes) reads exactly as the report laid
/// out after all packets are checked, and ends with the same status.
#[test]
fn a_report_written_as_packets_are_checked_reads_as_one_written_at_the_end() {
    let repo = Repo::new();
    let ids = [
        "benchmark-landing-page",
        "billing-api-4-2",
        "inbound-demo-routing",
        "onboarding-kickoff",
        "partner-referrals",
        "winback-email",
    ];
    for id in ids {
        repo.copy_example(id);
    }
    // The last packets in order carry sign-offs too: every chunk has some to audit.
    let signed = repo.read("handoffs/benchmark-landing-page/handoff.md");
    assert!(signed.contains("role:"));
    repo.commit_as("Test User <test@example.test>", "packets");
    // 6 × 100 copies: two chunks and more, signed packets in each.
    for i in 0..100 {
        for id in ids {
            common::copy_dir(
                &repo.file(&format!("handoffs/{id}")),
                &repo.file(&format!("handoffs/{id}-{i:03}")),
            );
        }
    }
    for i in 0..40 {
        repo.write(&format!("handoffs/zz-signed-{i:02}/handoff.md"), &signed);
    }
    repo.commit_as("Someone Else <else@example.test>", "copies");
    for quiet in [false, true] {
        let mut streamed = vec!["check", "--today", "2026-12-05"];
        if quiet {
            streamed.insert(0, "--quiet");
        }
        let mut collected = streamed.clone();
        collected.extend(["--output", "report.txt"]);
        let (code, out, err) = repo.run(&streamed);
        let (code_collected, _, err_collected) = repo.run(&collected);
        let report = repo.read("report.txt");
        assert_eq!(code, code_collected);
        assert_eq!(err, err_collected);
        let differ = out.lines().zip(report.lines()).position(|(a, b)| a != b);
        assert_eq!(differ, None, "quiet: {quiet}: line {differ:?} differs");
        assert_eq!(out.len(), report.len(), "quiet: {quiet}");
        assert!(
            out.contains("646 packets"),
            "{}",
            &out[out.len().saturating_sub(300)..]
        );
        if !quiet {
            assert!(
                out.contains("\nFAIL zz-signed-39 "),
                "the last packet reported"
            );
            // Repeated findings are folded after the packets; the table counts them all.
            let table = &out[out.find("Findings by rule:").expect("a table of findings")..];
            assert!(table.contains("signoff-audit"), "{table}");
        }
    }
    // The JSON document too: streamed to stdout, it is the very text written to a file.
    let (code, out, _) = repo.run(&["check", "--today", "2026-12-05", "--format", "json"]);
    let (code_file, _, _) = repo.run(&[
        "check",
        "--today",
        "2026-12-05",
        "--format",
        "json",
        "--output",
        "report.json",
    ]);
    assert_eq!(code, code_file);
    assert!(out == repo.read("report.json"), "the streamed JSON differs");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(doc["summary"]["packets"], 646);
    assert_eq!(doc["packets"].as_array().map(Vec::len), Some(646));
    // The last chunk's sign-offs were audited.
    let last = doc["packets"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["id"] == "zz-signed-39"))
        .expect("the last packet");
    assert!(
        last["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["rule"] == "signoff-audit")),
        "{last:#}"
    );
}

#[test]
fn a_sign_off_records_the_moment_handoff_now_fixes_and_a_bad_value_is_said() {
    let repo = many_roles_repo(1);
    let (code, _, err) = repo.sign("p", "r1", "Signer 1 <s1@x.test>");
    assert_eq!(code, 0, "{err}");
    let text = repo.read("handoffs/p/handoff.md");
    assert!(
        text.contains(&format!("at: \"{}\"", common::NOW)),
        "the sign-off is dated by the fixed clock: {text}"
    );
    let out = repo
        .handoff()
        .env("HANDOFF_NOW", "tomorrow")
        .args(["check", "--format", "json"])
        .output()
        .expect("handoff");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("HANDOFF_NOW=tomorrow is not a time written as RFC 3339"),
        "{stderr}"
    );
}
