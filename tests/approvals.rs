//! Approvals that prove who gave them, tried as the pull request that wants through would try
//! them: sign-offs in commits signed with keys made here by `ssh-keygen`, with another person's
//! key, unsigned, or with a key the change itself binds; the forged-identity attack; and
//! approvals given on the pull request (`handoff apply` on GitHub's documented event payloads,
//! `check --evidence` on its REST lists), with every refusal leaving the tree as it was.

mod common;
use common::{Repo, diagnostics, with_rule};
use serde_json::json;
use std::path::Path;

const PM: &str = "Pat Morgan <pat@northwind.test>";
const OPS: &str = "Jordan Blake <jordan@northwind.test>";
const RD: &str = "Ines Moreau <ines@northwind.test>";
const MALLORY: &str = "Mal Lory <mal@elsewhere.test>";
const PACKET: &str = "handoffs/winback-email/handoff.md";
const REVIEW_URL: &str = "https://github.com/northwind/handoffs/pull/7#pullrequestreview-2101";
const COMMENT_URL: &str = "https://github.com/northwind/handoffs/pull/7#issuecomment-3301";

/// An SSH key pair made here; returns the private key's path and the public key line.
fn keygen(dir: &Path, name: &str) -> (String, String) {
    let path = dir.join(name);
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(path.with_extension("pub")).expect("public key");
    (path.display().to_string(), public.trim().to_string())
}

/// The people of the example repo as tables, with accounts and (when given) keys.
fn people(keys: &[(&str, &str)], proof: &str) -> String {
    let key = |who: &str| {
        keys.iter()
            .find(|(k, _)| *k == who)
            .map_or(String::new(), |(_, pubkey)| {
                format!(", signing_keys = [\"{pubkey}\"]")
            })
    };
    format!(
        "packets = \"handoffs\"\n\n[trust]\nproof = [{proof}]\n\n[people]\n\
         pm = {{ name = \"Pat Morgan\", email = \"pat@northwind.test\", github = \"patm\"{} }}\n\
         ops-lead = [{{ name = \"Jordan Blake\", email = \"jordan@northwind.test\", github = \"jblake\"{} }}, \"Sam Lee <sam.lee@northwind.test>\"]\n\
         revops-director = {{ name = \"Ines Moreau\", email = \"ines@northwind.test\", github = \"imoreau\"{} }}\n",
        key("pm"),
        key("ops"),
        key("rd"),
    )
}

/// The ready winback packet, every criterion checked, committed on `main` with `config`; then
/// a `pr` branch is checked out.
fn repo_with(config: &str) -> Repo {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    common::finish_winback(&repo);
    repo.write("handoff.toml", config);
    repo.write(".gitignore", "keys/\n");
    repo.commit_as(PM, "Winback packet complete");
    repo.git(&["checkout", "-q", "-b", "pr"]);
    repo
}

/// Run handoff as `who` with git set to sign commits with `key` (or not to sign).
fn run_signing(repo: &Repo, who: &str, key: Option<&str>, args: &[&str]) -> (i32, String, String) {
    let (name, email) = who
        .split_once(" <")
        .map(|(n, e)| (n.to_string(), e.trim_end_matches('>').to_string()))
        .expect("Name <email>");
    let mut cmd = repo.handoff();
    cmd.env("GIT_AUTHOR_NAME", &name)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_COMMITTER_NAME", &name)
        .env("GIT_COMMITTER_EMAIL", &email)
        .env("GIT_CONFIG_COUNT", "2")
        .env("GIT_CONFIG_KEY_0", "gpg.format")
        .env("GIT_CONFIG_VALUE_0", "ssh")
        .env("GIT_CONFIG_KEY_1", "user.signingkey")
        .env("GIT_CONFIG_VALUE_1", key.unwrap_or(""));
    let out = cmd.args(args).output().expect("run handoff");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// Sign `role` as `who` with `sign --commit`, the commit signed with `key` when given.
fn sign_commit(repo: &Repo, role: &str, who: &str, key: Option<&str>) {
    let mut args = vec!["sign", "winback-email", "--role", role, "--commit"];
    if key.is_some() {
        args.push("-S");
    }
    let (code, out, err) = run_signing(repo, who, key, &args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Committed"), "{out}");
}

/// `check --base main` at the signed-off gate, as JSON.
fn gate(repo: &Repo, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec![
        "--base",
        "main",
        "--gate",
        "signed-off",
        "--today",
        "2026-12-21",
    ];
    args.extend_from_slice(extra);
    repo.check_json(&args)
}

fn unproven(doc: &serde_json::Value) -> Vec<String> {
    with_rule(
        &diagnostics(doc, "winback-email"),
        "signoff-unproven",
        "error",
    )
    .iter()
    .map(|d| d["message"].as_str().unwrap_or_default().to_string())
    .collect()
}

#[test]
fn with_signature_proof_only_a_commit_signed_by_the_bound_key_counts() {
    let keys = tempfile::tempdir().expect("tempdir");
    let (pm_key, pm_pub) = keygen(keys.path(), "pm");
    let (ops_key, ops_pub) = keygen(keys.path(), "ops");
    let (rd_key, rd_pub) = keygen(keys.path(), "rd");
    let config = people(
        &[("pm", &pm_pub), ("ops", &ops_pub), ("rd", &rd_pub)],
        "\"signature\"",
    );
    let repo = repo_with(&config);
    sign_commit(&repo, "pm", PM, Some(&pm_key));
    sign_commit(&repo, "ops-lead", OPS, Some(&ops_key));
    sign_commit(&repo, "revops-director", RD, Some(&rd_key));
    let (code, doc) = gate(&repo, &[]);
    assert!(unproven(&doc).is_empty(), "{doc}");
    assert_eq!(code, 0, "{doc}");
    // `log` says what proves each: the key's fingerprint.
    let (_, log, _) = repo.run(&["log", "winback-email"]);
    assert_eq!(log.matches("signed with key SHA256:").count(), 3, "{log}");

    // The ops lead's sign-off again, in a commit signed with the PM's key: not theirs.
    repo.git(&["reset", "-q", "--hard", "HEAD~2"]);
    sign_commit(&repo, "ops-lead", OPS, Some(&pm_key));
    // And the RevOps director's in a commit with no signature at all.
    sign_commit(&repo, "revops-director", RD, None);
    let (code, doc) = gate(&repo, &[]);
    assert_eq!(code, 1);
    let found = unproven(&doc);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .any(|m| m.contains("ops-lead") && m.contains("bound to pat@northwind.test")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.contains("revops-director") && m.contains("is not signed")),
        "{found:?}"
    );
}

#[test]
fn a_key_bound_in_the_change_itself_proves_nothing() {
    let keys = tempfile::tempdir().expect("tempdir");
    let (pm_key, pm_pub) = keygen(keys.path(), "pm");
    let (mal_key, mal_pub) = keygen(keys.path(), "mal");
    // At the base the ops lead has no key; the pull request binds one it holds, and signs.
    let repo = repo_with(&people(&[("pm", &pm_pub)], "\"signature\""));
    repo.write(
        "handoff.toml",
        people(&[("pm", &pm_pub), ("ops", &mal_pub)], "\"signature\""),
    );
    repo.commit_as(MALLORY, "Add my key");
    sign_commit(&repo, "ops-lead", OPS, Some(&mal_key));
    sign_commit(&repo, "pm", PM, Some(&pm_key));
    let (_, doc) = gate(&repo, &[]);
    let found = unproven(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("ops-lead")
            && found[0].contains("no signing key is bound to Jordan Blake"),
        "{found:?}"
    );
}

#[test]
fn the_forged_identity_attack_fails_with_signature_proof() {
    let keys = tempfile::tempdir().expect("tempdir");
    let (_, pm_pub) = keygen(keys.path(), "pm");
    let (_, ops_pub) = keygen(keys.path(), "ops");
    let (_, rd_pub) = keygen(keys.path(), "rd");
    let (mal_key, _) = keygen(keys.path(), "mal");
    let repo = repo_with(&people(
        &[("pm", &pm_pub), ("ops", &ops_pub), ("rd", &rd_pub)],
        "\"signature\"",
    ));
    // The pull request weakens a guardrail, then signs every role under the holders' names,
    // committing under those same names (one of them even signed, with the attacker's key).
    let text = repo.read(PACKET);
    let guardrail = text
        .lines()
        .find(|l| l.trim_start().starts_with("guardrail:"))
        .expect("a guardrail")
        .to_string();
    let indent = &guardrail[..guardrail.len() - guardrail.trim_start().len()];
    repo.write(
        PACKET,
        text.replacen(&guardrail, &format!("{indent}guardrail: none"), 1),
    );
    repo.commit_as(MALLORY, "Simplify");
    for (role, who) in [("pm", PM), ("ops-lead", OPS)] {
        let (code, out, err) = run_signing(
            &repo,
            who,
            None,
            &[
                "sign",
                "winback-email",
                "--role",
                role,
                "--replace",
                "--commit",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
    }
    sign_commit(&repo, "revops-director", RD, Some(&mal_key));
    let (code, doc) = gate(&repo, &[]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(unproven(&doc).len(), 3, "{doc}");
}

#[test]
fn in_a_shallow_clone_signatures_cannot_be_checked_and_the_gate_fails_closed() {
    let keys = tempfile::tempdir().expect("tempdir");
    let (pm_key, pm_pub) = keygen(keys.path(), "pm");
    let repo = repo_with(&people(&[("pm", &pm_pub)], "\"signature\""));
    sign_commit(&repo, "pm", PM, Some(&pm_key));
    let clone = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", repo.path().display());
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--no-single-branch", &url])
        .arg(clone.path().join("c"))
        .output()
        .expect("git clone");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = clone.path().join("c");
    let run = |args: &[&str]| {
        assert_cmd::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .expect("run")
    };
    let out = run(&[
        "check",
        "--base",
        "origin/main",
        "--gate",
        "signed-off",
        "--today",
        "2026-12-21",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(stderr.matches("shallow clone").count(), 1, "{stderr}");
    assert!(stdout.contains("signoff-unproven"), "{stdout}");
}

/// A `pull_request_review` event as GitHub documents it (octokit/webhooks' `submitted` example's
/// shape), for the pull request whose head is `head` and base `base`.
fn review_event(
    login: &str,
    state: &str,
    body: &str,
    commit: &str,
    base: &str,
) -> serde_json::Value {
    let user = json!({"login": login, "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User", "site_admin": false});
    let repo = json!({"id": 186853002, "name": "handoffs", "full_name": "northwind/handoffs", "private": true,
        "owner": {"login": "northwind", "id": 6811672, "type": "Organization"}});
    json!({
        "action": "submitted",
        "review": {
            "id": 2101, "node_id": "PRR_kwDOAbc", "user": user, "body": body, "commit_id": commit,
            "submitted_at": "2026-12-07T10:15:00Z", "state": state, "html_url": REVIEW_URL,
            "pull_request_url": "https://api.github.com/repos/northwind/handoffs/pulls/7",
            "author_association": "MEMBER",
            "_links": {"html": {"href": REVIEW_URL}, "pull_request": {"href": "https://api.github.com/repos/northwind/handoffs/pulls/7"}}
        },
        "pull_request": {
            "url": "https://api.github.com/repos/northwind/handoffs/pulls/7", "id": 1, "number": 7,
            "state": "open", "title": "Winback handoff", "user": user,
            "html_url": "https://github.com/northwind/handoffs/pull/7",
            "head": {"label": "northwind:pr", "ref": "pr", "sha": commit, "user": user, "repo": repo},
            "base": {"label": "northwind:main", "ref": "main", "sha": base, "user": user, "repo": repo}
        },
        "repository": repo,
        "sender": user
    })
}

/// An `issue_comment` `created` event; on a pull request when `on_pr`.
fn comment_event(login: &str, body: &str, on_pr: bool) -> serde_json::Value {
    let user = json!({"login": login, "id": 583231, "type": "User", "site_admin": false});
    let mut issue = json!({
        "url": "https://api.github.com/repos/northwind/handoffs/issues/7", "id": 7, "number": 7,
        "title": "Winback handoff", "user": user, "labels": [], "state": "open", "locked": false,
        "assignee": null, "assignees": [], "comments": 1,
        "created_at": "2026-12-06T09:00:00Z", "updated_at": "2026-12-07T11:00:00Z", "body": "…"
    });
    if on_pr {
        issue["pull_request"] = json!({
            "url": "https://api.github.com/repos/northwind/handoffs/pulls/7",
            "html_url": "https://github.com/northwind/handoffs/pull/7",
            "diff_url": "https://github.com/northwind/handoffs/pull/7.diff",
            "patch_url": "https://github.com/northwind/handoffs/pull/7.patch",
            "merged_at": null
        });
    }
    json!({
        "action": "created",
        "issue": issue,
        "comment": {
            "url": "https://api.github.com/repos/northwind/handoffs/issues/comments/3301",
            "html_url": COMMENT_URL,
            "issue_url": "https://api.github.com/repos/northwind/handoffs/issues/7",
            "id": 3301, "node_id": "IC_kwDOAbc", "user": user,
            "created_at": "2026-12-07T11:00:00Z", "updated_at": "2026-12-07T11:00:00Z",
            "author_association": "MEMBER", "body": body
        },
        "repository": {"id": 186853002, "name": "handoffs", "full_name": "northwind/handoffs"},
        "sender": user
    })
}

/// `GET /repos/{owner}/{repo}/pulls/{n}/reviews` as `gh api --paginate` writes it.
fn reviews_rest(login: &str, state: &str, commit: &str) -> String {
    json!([{
        "id": 2101, "node_id": "PRR_kwDOAbc",
        "user": {"login": login, "id": 583231, "type": "User"},
        "body": "", "state": state, "html_url": REVIEW_URL,
        "pull_request_url": "https://api.github.com/repos/northwind/handoffs/pulls/7",
        "author_association": "MEMBER", "submitted_at": "2026-12-07T10:15:00Z", "commit_id": commit,
        "_links": {"html": {"href": REVIEW_URL}}
    }])
    .to_string()
}

/// Every file of the repo (outside .git) with its bytes, to show a refusal changed nothing.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let e = e.expect("entry");
            if e.file_name() == ".git" {
                continue;
            }
            if e.file_type().expect("type").is_dir() {
                stack.push(e.path());
            } else {
                out.push((
                    e.path().display().to_string(),
                    std::fs::read(e.path()).expect("read"),
                ));
            }
        }
    }
    out.sort();
    out
}

fn apply(repo: &Repo, event: &serde_json::Value, name: &str) -> (i32, String, String) {
    // Beside the repository (never in its work tree), one file a call: tests run at once.
    let file = tempfile::NamedTempFile::new().expect("event file");
    std::fs::write(file.path(), event.to_string()).expect("event");
    let out = repo
        .handoff()
        .env("GITHUB_EVENT_NAME", name)
        .env("HANDOFF_BASE", "main")
        .env("HANDOFF_TODAY", "2026-12-07")
        .arg("apply")
        .arg(file.path())
        .output()
        .expect("apply");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

/// The pull request: a change to the packet, committed; returns (base, head).
fn pull_request(repo: &Repo) -> (String, String) {
    repo.write(
        "handoffs/winback-email/notes.md",
        "Questions raised in the review.\n",
    );
    repo.commit_as(PM, "Add review notes");
    (
        repo.git(&["rev-parse", "main"]).trim().to_string(),
        repo.git(&["rev-parse", "HEAD"]).trim().to_string(),
    )
}

/// Commit what apply wrote, as the workflow does.
fn commit_as_bot(repo: &Repo) {
    repo.commit_as(
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>",
        "Record approvals from the pull request",
    );
}

#[test]
fn an_approving_review_signs_off_and_the_forge_record_proves_it() {
    let repo = repo_with(&people(&[], "\"forge\""));
    let (base, head) = pull_request(&repo);
    let before = repo.read(PACKET);
    let (code, out, err) = apply(
        &repo,
        &review_event("jblake", "approved", "", &head, &base),
        "pull_request_review",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("sign-off of winback-email as ops-lead by Jordan Blake"),
        "{out}"
    );
    // Only the sign-off's lines changed: everything else is byte for byte as it was.
    let after = repo.read(PACKET);
    let added: Vec<&str> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect();
    let gone: Vec<&str> = before
        .lines()
        .filter(|l| !after.lines().any(|a| a == *l))
        .collect();
    assert!(gone.iter().all(|l| l.starts_with("signoffs:")), "{gone:?}");
    assert!(
        added
            .iter()
            .any(|l| l.contains(&format!("via: \"{REVIEW_URL}\""))),
        "{added:?}"
    );
    assert!(
        added
            .iter()
            .any(|l| l.contains("at: \"2026-12-07T10:15:00Z\"")),
        "{added:?}"
    );
    let entry = &after[after.find("  - role: ops-lead").expect("the entry")..];
    assert!(
        entry
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("by: \"Jordan Blake <jordan@northwind.test>\"")),
        "{entry}"
    );
    commit_as_bot(&repo);

    let scratch = tempfile::tempdir().expect("tempdir");
    let evidence = scratch.path().join("reviews.json");
    let check = |rest: &str| {
        std::fs::write(&evidence, rest).expect("evidence");
        let ev = evidence.display().to_string();
        let (_, doc) = gate(&repo, &["--evidence", &ev]);
        unproven(&doc)
    };
    // The forge's record holds the review: proven, and the bot's commit is no audit finding.
    assert!(
        check(&reviews_rest("jblake", "APPROVED", &head))
            .iter()
            .all(|m| !m.contains("ops-lead"))
    );
    let (_, doc) = gate(&repo, &["--evidence", &evidence.display().to_string()]);
    assert!(
        with_rule(
            &diagnostics(&doc, "winback-email"),
            "signoff-audit",
            "warning"
        )
        .is_empty(),
        "{doc}"
    );
    // The record lacks the review, names another login, or approved another commit.
    let ops = |found: Vec<String>| {
        found
            .into_iter()
            .filter(|m| m.contains("ops-lead"))
            .collect::<Vec<_>>()
    };
    assert_eq!(ops(check("[]")).len(), 1);
    let other = ops(check(&reviews_rest("mallory", "APPROVED", &head)));
    assert!(other[0].contains("@mallory"), "{other:?}");
    let older = ops(check(&reviews_rest("jblake", "APPROVED", &base)));
    assert!(older[0].contains("approve again"), "{older:?}");
    let commented = ops(check(&reviews_rest("jblake", "COMMENTED", &head)));
    assert!(commented[0].contains("does not approve"), "{commented:?}");
}

#[test]
fn a_via_line_typed_into_the_change_is_unproven() {
    let repo = repo_with(&people(&[], "\"forge\""));
    let (_, head) = pull_request(&repo);
    // The pull request signs as the RevOps director by hand and claims a review.
    let (code, _, err) = repo.sign("winback-email", "revops-director", RD);
    assert_eq!(code, 0, "{err}");
    let text = repo.read(PACKET);
    let at = text.find("    kind: ").expect("kind line");
    repo.write(
        PACKET,
        format!("{}    via: \"{REVIEW_URL}\"\n{}", &text[..at], &text[at..]),
    );
    repo.commit_as(RD, "Sign off");
    let scratch = tempfile::tempdir().expect("tempdir");
    let evidence = scratch.path().join("reviews.json");
    std::fs::write(&evidence, reviews_rest("jblake", "APPROVED", &head)).expect("evidence");
    let (code, doc) = gate(&repo, &["--evidence", &evidence.display().to_string()]);
    assert_eq!(code, 1);
    let found = unproven(&doc);
    assert!(
        found
            .iter()
            .any(|m| m.contains("revops-director") && m.contains("@jblake")),
        "{found:?}"
    );
    // And without any review claimed, with forge proof only: not proven either.
    let (_, doc) = gate(&repo, &[]);
    assert!(
        unproven(&doc).iter().any(|m| m.contains("revops-director")),
        "{doc}"
    );
}

#[test]
fn a_comment_sends_back_and_waives() {
    let repo = repo_with(&people(&[], "\"forge\""));
    pull_request(&repo);
    let (code, out, err) = apply(
        &repo,
        &comment_event(
            "jblake",
            "Not yet.\n/handoff send-back winback-email The runbook has no stop checklist\n",
            true,
        ),
        "issue_comment",
    );
    assert_eq!(code, 0, "{out}{err}");
    let text = repo.read(PACKET);
    assert!(
        text.contains("reason: The runbook has no stop checklist")
            || text.contains("reason: \"The runbook has no stop checklist\""),
        "{text}"
    );
    assert!(text.contains(&format!("via: \"{COMMENT_URL}\"")), "{text}");
    assert!(text.contains("status: draft"), "{text}");
    let (code, out, err) = apply(
        &repo,
        &comment_event(
            "imoreau",
            "/handoff waive winback-email metric.source --until 2027-01-15 --reason The warehouse view lands in January",
            true,
        ),
        "issue_comment",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        repo.read(PACKET).contains("target: metric.source"),
        "{}",
        repo.read(PACKET)
    );
}

#[test]
fn every_refusal_exits_2_and_leaves_the_tree_as_it_was() {
    let repo = repo_with(&people(&[], "\"forge\""));
    let (base, head) = pull_request(&repo);
    let before = snapshot(repo.path());
    let refusals: Vec<(serde_json::Value, &str, &str)> = vec![
        (
            review_event("stranger", "approved", "", &head, &base),
            "pull_request_review",
            "@stranger is bound to nobody",
        ),
        (
            review_event("jblake", "approved", "", &base, &base),
            "pull_request_review",
            "changed since it was reviewed",
        ),
        (
            review_event("jblake", "commented", "LGTM", &head, &base),
            "pull_request_review",
            "`commented` records nothing",
        ),
        (
            comment_event("jblake", "/handoff sign ops-lead", false),
            "issue_comment",
            "not a pull request",
        ),
        (
            comment_event("jblake", "/handoff sing ops-lead", true),
            "issue_comment",
            "did you mean `sign`",
        ),
        (
            comment_event("jblake", "/handoff sign pm winback-email", true),
            "issue_comment",
            "may not sign",
        ),
        (
            comment_event("jblake", "Looks good to me", true),
            "issue_comment",
            "no /handoff command",
        ),
        (
            json!({"ref": "refs/heads/main", "before": "0", "after": "1"}),
            "push",
            "`push` event records nothing",
        ),
    ];
    for (event, name, says) in refusals {
        let (code, out, err) = apply(&repo, &event, name);
        assert_eq!(code, 2, "{name} {event}: {out}{err}");
        assert!(err.contains(says), "expected {says:?} in: {err}");
        assert_eq!(snapshot(repo.path()), before, "{name} changed files");
    }
    // Malformed JSON is located.
    let scratch = tempfile::tempdir().expect("tempdir");
    let file = scratch.path().join("broken.json");
    std::fs::write(
        &file,
        "{\n  \"action\": \"submitted\",\n  \"review\": {,}\n}",
    )
    .expect("write");
    let (code, _, err) = repo.run(&["apply", &file.display().to_string()]);
    assert_eq!(code, 2);
    assert!(err.contains("broken.json:3:"), "{err}");
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn people_tables_are_checked_with_the_line_and_a_suggestion() {
    let repo = Repo::new();
    repo.write(
        "handoff.toml",
        "[people]\nops-lead = { name = \"Jordan Blake\", email = \"jordan@northwind.test\", gitub = \"jblake\" }\n",
    );
    repo.write("handoffs/.keep", "");
    let (code, _, err) = repo.run(&["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `github`") && err.contains("line 2"),
        "{err}"
    );
    repo.write("handoff.toml", "[trust]\nproof = [\"signatures\"]\n");
    let (code, _, err) = repo.run(&["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("signature"), "{err}");
    repo.write(
        "handoff.toml",
        "[people]\npm = { name = \"A\", email = \"a@x.test\", github = \"same\" }\nops-lead = { name = \"B\", email = \"b@x.test\", github = \"Same\" }\n",
    );
    let (code, _, err) = repo.run(&["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`same` is bound to") && err.contains("too; an account is one person's"),
        "{err}"
    );
}
