//! The pull request as the attacker: every answer byte in the digest whatever the YAML style,
//! trust read from the base (`check --base`), a repo kind that shadows a built-in one, control
//! characters in every text output, and a language server that bounds its input.

mod common;
use common::{Repo, diagnostics};
use std::io::Write as _;

const DANA: &str = "Dana Kim <dana@x.test>";
const OMAR: &str = "Omar Haddad <omar@x.test>";
const MALLORY: &str = "Mallory Fox <mallory@x.test>";
const MOE: &str = "Moe Fox <moe@x.test>";
const PACKET: &str = "handoffs/p/handoff.md";

const KIND: &str = "name: duo\nsummary: Two sides agree\nfields:\n  - key: metric\n    type: map\n    prompt: Which number?\n    fields:\n      - key: target\n        type: text\n        prompt: What value counts?\n  - key: guardrail\n    type: text\n    prompt: What stops it?\ncriteria:\n  - Runbook walked through\nroles:\n  - name: sender\n    description: The sending side agrees\n  - name: receiver\n    description: The receiving side agrees\n";

const PEOPLE: &str =
    "[people]\nsender = \"Dana Kim <dana@x.test>\"\nreceiver = \"Omar Haddad <omar@x.test>\"\n";

const BODY: &str = "\n# P\n\n## Acceptance criteria\n\n- [x] Runbook walked through\n";

/// A repo whose `duo` packet is answered (block style) and committed, nobody signed yet.
fn duo_repo() -> Repo {
    let repo = Repo::new();
    repo.write(".handoff/kinds/duo/kind.yaml", KIND);
    repo.write("handoff.toml", PEOPLE);
    repo.write(
        PACKET,
        format!("---\nid: p\ntitle: P\nkind: duo\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nmetric:\n  target: 3 business days\nguardrail: refunds under 2%\nsignoffs: []\n---\n{BODY}"),
    );
    repo.commit_as(DANA, "P");
    repo
}

fn signed_off(repo: &Repo, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["--gate", "signed-off", "--today", "2026-12-08"];
    args.extend_from_slice(extra);
    repo.check_json(&args)
}

fn rules_of(doc: &serde_json::Value) -> Vec<String> {
    doc["packets"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["diagnostics"].as_array().cloned().unwrap_or_default())
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The findings of one rule on one packet.
fn found(doc: &serde_json::Value, id: &str, rule: &str) -> Vec<serde_json::Value> {
    diagnostics(doc, id)
        .into_iter()
        .filter(|d| d["rule"] == rule)
        .cloned()
        .collect()
}

/// The digest the packet in `repo` has now, as `sign` would record it.
fn digest_now(repo: &Repo) -> String {
    let dir = repo.file("handoffs/p");
    let packet = handoff::facts::packet::Packet::load(&dir, &dir);
    handoff::facts::signoff::digest(&packet)
}

#[test]
fn every_answer_edit_stales_the_signoffs_in_block_flow_and_mixed_front_matter() {
    // The notes hold an apostrophe and quotes in plain scalars: a cut that takes either for
    // the start of a quoted string runs to the end of the front matter.
    let so = |role: &str, who: &str| {
        let note = if role == "sender" {
            "[Pat's first pass]"
        } else {
            "Omar's \"ok\" it's fine"
        };
        format!(
            "{{role: {role}, by: '{who}', note: {note}, at: '2026-12-01T10:00:00Z', digest: 'DIGEST', status: ready}}"
        )
    };
    let signoffs = format!("[{}, {}]", so("sender", DANA), so("receiver", OMAR));
    let styles = [
        // Block mapping, flow sign-offs.
        format!(
            "---\nid: p\ntitle: P\nkind: duo\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nmetric:\n  target: 3 business days\nsignoffs: {signoffs}\nguardrail: refunds under 2%\n---\n{BODY}"
        ),
        // One-line flow mapping.
        format!(
            "---\n{{id: p, title: P, kind: duo, from: a, to: b, day0: 2026-12-07, status: ready, metric: {{target: 3 business days}}, signoffs: {signoffs}, guardrail: refunds under 2%}}\n---\n{BODY}"
        ),
        // Flow mapping over lines that `signoffs` shares with answers.
        format!(
            "---\n{{id: p, title: P, kind: duo, from: a, to: b,\n day0: 2026-12-07, status: ready, metric: {{target: 3 business days}}, signoffs: {signoffs}, guardrail: refunds under 2%\n}}\n---\n{BODY}"
        ),
        // Block mapping of flow values on the sign-offs' line's neighbours.
        format!(
            "---\nid: p\ntitle: P\nkind: duo\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nmetric: {{target: 3 business days}}\nguardrail: refunds under 2%\nsignoffs:\n  - {}\n  - {}\n---\n{BODY}",
            so("sender", DANA),
            so("receiver", OMAR)
        ),
    ];
    let edits = [
        ("3 business days", "300 business days"),
        ("refunds under 2%", "none"),
        ("to: b", "to: c"),
        ("title: P", "title: Q"),
        ("- [x] Runbook", "- [ ] Runbook"),
    ];
    for (i, text) in styles.iter().enumerate() {
        let repo = duo_repo();
        repo.write(PACKET, text);
        let digest = digest_now(&repo);
        repo.write(PACKET, text.replace("DIGEST", &digest));
        let (code, doc) = signed_off(&repo, &[]);
        assert!(
            !rules_of(&doc)
                .iter()
                .any(|r| r != "signoff-audit" && r.starts_with("signoff-")),
            "style {i} signs fresh: {doc}"
        );
        assert_eq!(code, 0, "style {i}: {doc}");
        for (from, to) in edits {
            assert!(text.contains(from), "style {i} holds {from}");
            repo.write(PACKET, text.replace("DIGEST", &digest).replace(from, to));
            let (code, doc) = signed_off(&repo, &[]);
            let stale = rules_of(&doc)
                .iter()
                .filter(|r| *r == "signoff-stale")
                .count();
            assert_eq!(stale, 2, "style {i}, {from} → {to}: {doc}");
            assert_eq!(code, 1);
        }
    }
}

/// The pull request's shape: a base where Dana and Omar signed, then a commit that edits an
/// answer, rebinds `sender` to its author, adds a second identity to `receiver` and re-signs.
fn rebinding_pull_request() -> (Repo, String) {
    let repo = duo_repo();
    assert_eq!(repo.sign("p", "sender", DANA).0, 0);
    repo.commit_as(DANA, "sign as sender");
    assert_eq!(repo.sign("p", "receiver", OMAR).0, 0);
    repo.commit_as(OMAR, "sign as receiver");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(signed_off(&repo, &["--base", &base]).0, 0, "signed at base");

    repo.write(
        PACKET,
        repo.read(PACKET)
            .replace("3 business days", "300 business days"),
    );
    repo.write(
        "handoff.toml",
        format!("[people]\nsender = \"{MALLORY}\"\nreceiver = [\"{OMAR}\", \"{MOE}\"]\n"),
    );
    let (code, _, err) = repo.run_as(MALLORY, &["sign", "p", "--role", "sender", "--replace"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = repo.run_as(MOE, &["sign", "p", "--role", "receiver", "--replace"]);
    assert_eq!(code, 0, "{err}");
    repo.commit_as(MALLORY, "Relax the target");
    (repo, base)
}

#[test]
fn a_pull_request_that_rebinds_and_resigns_fails_against_its_base_and_names_the_rebinding() {
    let (repo, base) = rebinding_pull_request();
    // Judged by what the change says, it passes: the hole `--base` closes.
    let (_, doc) = signed_off(&repo, &[]);
    assert!(!rules_of(&doc).contains(&"signoff-unlanded".to_string()));

    let (code, doc) = signed_off(&repo, &["--base", &base]);
    assert_eq!(code, 1, "{doc}");
    let unlanded = found(&doc, "p", "signoff-unlanded");
    assert_eq!(unlanded.len(), 2, "{doc}");
    let said: String = unlanded
        .iter()
        .map(|d| d["message"].as_str().unwrap_or_default())
        .collect();
    assert!(
        said.contains("Mallory Fox") && said.contains("Dana Kim"),
        "{said}"
    );
    assert!(
        said.contains("Moe Fox") && said.contains("Omar Haddad"),
        "{said}"
    );

    // The human report names each rebinding of handoff.toml, with its line.
    let (code, out, err) = repo.run(&[
        "check",
        "--gate",
        "signed-off",
        "--today",
        "2026-12-08",
        "--base",
        &base,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("warning[trust-rebinding]: handoff.toml:2: [people] sender is rebound")
            && err.contains("adds Mallory Fox <mallory@x.test> and removes Dana Kim")
            && err.contains("[people] receiver is rebound in this change: it adds Moe Fox"),
        "{err}"
    );
    assert!(out.contains("signoff-unlanded"), "{out}");

    // In GitHub's format the rebinding is an annotation on handoff.toml.
    let (_, out, _) = repo.run(&[
        "check",
        "--format",
        "github",
        "--gate",
        "signed-off",
        "--base",
        &base,
    ]);
    assert!(
        out.contains("::warning file=handoff.toml,line=2,col=1,title=handoff trust-rebinding::"),
        "{out}"
    );

    // Once the rebinding has landed (the base moves to it), the new holders' sign-offs count.
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let (code, doc) = signed_off(&repo, &["--base", &head]);
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn a_base_that_is_not_there_is_a_usage_error() {
    let repo = duo_repo();
    for bad in ["no-such-branch", "-x", "main^{tree}"] {
        let (code, _, err) = repo.run(&["check", &format!("--base={bad}")]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("--base") && err.contains("git fetch"), "{err}");
    }
    // An empty base (an Action input left empty) means no base.
    let out = repo
        .handoff()
        .env("HANDOFF_BASE", "")
        .arg("check")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn without_a_base_ci_is_told_that_the_change_decides_who_signs() {
    let repo = duo_repo();
    let out = repo
        .handoff()
        .env("CI", "true")
        .args(["check"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("note: no --base given"), "{err}");
    let out = repo
        .handoff()
        .env_remove("CI")
        .args(["check"])
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("--base"));
}

#[test]
fn a_kind_weakened_in_the_change_is_judged_as_at_the_base_and_a_new_one_is_flagged() {
    let repo = duo_repo();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    // The change drops the criterion and the receiver role, and makes the guardrail optional.
    let weak = KIND
        .replace("criteria:\n  - Runbook walked through\n", "")
        .replace(
            "  - name: receiver\n    description: The receiving side agrees\n",
            "",
        )
        .replace(
            "    prompt: What stops it?\n",
            "    prompt: What stops it?\n    required: false\n",
        );
    repo.write(".handoff/kinds/duo/kind.yaml", &weak);
    repo.write(
        PACKET,
        "---\nid: p\ntitle: P\nkind: duo\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\nmetric:\n  target: 3 business days\nsignoffs: []\n---\n\n# P\n",
    );
    assert_eq!(repo.sign("p", "sender", DANA).0, 0);
    repo.commit_as(DANA, "Loosen the kind");
    let (code, _) = signed_off(&repo, &[]);
    assert_eq!(code, 0, "as the change has it, the weakened kind passes");

    let (code, doc) = signed_off(&repo, &["--base", &base]);
    assert_eq!(code, 1, "{doc}");
    let weakened = found(&doc, "p", "kind-weakened-in-change");
    let said = weakened[0]["message"].as_str().unwrap_or_default();
    for part in [
        "makes the question `guardrail` optional",
        "drops the criterion \"Runbook walked through\"",
        "drops the sign-off role `receiver`",
    ] {
        assert!(said.contains(part), "{part}: {said}");
    }
    let rules = rules_of(&doc);
    assert!(rules.contains(&"signoff-missing".to_string()), "{rules:?}");
    assert!(rules.contains(&"answer-missing".to_string()), "{rules:?}");

    // A kind the base does not have is used, with a warning that it needs review.
    repo.write(
        ".handoff/kinds/solo/kind.yaml",
        "name: solo\nsummary: One side\nfields: []\n",
    );
    repo.write(
        "handoffs/s/handoff.md",
        "---\nid: s\ntitle: S\nkind: solo\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: ready\n---\n\n# S\n",
    );
    let (_, doc) = repo.check_json(&["--base", &base, "s"]);
    let new = found(&doc, "s", "kind-new-in-change");
    assert_eq!(new.len(), 1, "{doc}");
    assert_eq!(new[0]["severity"], "warning");
}

#[test]
fn a_repo_kind_that_shadows_a_built_in_one_says_so_and_warns_when_it_asks_less() {
    let repo = Repo::new();
    repo.write(
        ".handoff/kinds/generic/kind.yaml",
        "name: generic\nsummary: Anything\nfields:\n  - key: note\n    type: text\n    prompt: Anything?\n    required: false\nroles:\n  - name: nobody\n    description: Never asked\n    when: {field: note, one_of: [never]}\n",
    );
    repo.write(
        PACKET,
        "---\nid: p\ntitle: P\nkind: generic\nfrom: a\nto: b\nday0: 2026-12-07\nstatus: signed-off\n---\n\n# P\n",
    );
    repo.commit_as(DANA, "An empty packet");
    let (code, out, err) = repo.run(&["check"]);
    assert!(
        err.contains("note: .handoff/kinds/generic/kind.yaml replaces the built-in kind `generic` and asks less"),
        "{err}"
    );
    assert!(out.contains("kind-shadows-builtin"), "{out}");
    let (_, doc) = repo.check_json(&[]);
    let found = found(&doc, "p", "kind-shadows-builtin");
    assert_eq!(found.len(), 1, "{doc}");
    let said = found[0]["message"].as_str().unwrap_or_default();
    for part in [
        "drops the question `trigger`",
        "no longer asks the owner question",
        "drops the sign-off role `sender`",
    ] {
        assert!(said.contains(part), "{part}: {said}");
    }
    let _ = code;
    let (code, _, _) = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(code, 1);

    // A shadowing kind that asks at least as much gets the note only.
    let builtin = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/kinds/generic/kind.yaml"),
    )
    .expect("built-in generic");
    repo.write(".handoff/kinds/generic/kind.yaml", builtin);
    let (_, out, err) = repo.run(&["check"]);
    assert!(
        err.contains("replaces the built-in kind `generic`"),
        "{err}"
    );
    assert!(
        !err.contains("asks less") && !out.contains("kind-shadows-builtin"),
        "{out}{err}"
    );
}

const NASTY: &str = "\u{1b}]8;;https://evil.test\u{7}click\u{1b}]8;;\u{7}\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}1m\u{202e}";

#[test]
fn no_control_character_of_a_packet_reaches_any_text_output() {
    let repo = Repo::new();
    repo.write("handoff.toml", format!("[people]\nsender = \"{DANA}\"\n"));
    repo.write(
        ".handoff/kinds/duo/kind.yaml",
        KIND.replace("Runbook walked through", &format!("Runbook {NASTY} walked"))
            + &format!("timeline:\n  - day: 0\n    title: \"Live {NASTY}\"\n"),
    );
    let packet = format!(
        "---\nid: p\ntitle: \"T {NASTY}\"\nkind: duo\nfrom: \"a{NASTY}\"\nto: b\nday0: 2026-12-07\nstatus: ready\nmetric:\n  target: \"{NASTY}\"\nguardrail: \"{NASTY}\"\n\"key{NASTY}\": 1\nsignoffs: []\n---\n\n# P {NASTY}\n\n## Acceptance criteria\n\n- [ ] Runbook {NASTY} walked\n- [ ] {NASTY}\n\nbody {NASTY} text\n"
    );
    repo.write(PACKET, &packet);
    repo.commit_as(DANA, &format!("Packet {NASTY}"));
    let runs: &[&[&str]] = &[
        &["check"],
        &["check", "--gate", "signed-off"],
        &["check", "--color", "always"],
        &["check", "--format", "github"],
        &["render", "p"],
        &["render", "p", "--format", "html"],
        &["status"],
        &["status", "--color", "always"],
        &["log", "p"],
        &["timeline", "p"],
        &["remind", "--today", "2026-12-06", "--within", "30d"],
        &[
            "remind",
            "--today",
            "2026-12-06",
            "--within",
            "30d",
            "--format",
            "slack",
        ],
    ];
    for args in runs {
        let out = repo
            .handoff()
            .args(*args)
            .env("HANDOFF_TODAY", "2026-12-06")
            .output()
            .expect("run");
        let painted = args.contains(&"always");
        let mut stdout = out.stdout.clone();
        if painted {
            // The tool's own colours may stay; the packet's `ESC [ 31m` must not.
            let text = String::from_utf8_lossy(&stdout).into_owned();
            assert!(!text.contains("\u{1b}[31mred"), "{args:?}: {text}");
            let own = regex_lite_strip(&text);
            stdout = own.into_bytes();
        }
        let stdout = &stdout;
        assert!(!stdout.is_empty(), "{args:?} printed nothing");
        for (byte, name) in [(0x1b, "ESC"), (0x07, "BEL")] {
            if let Some(at) = stdout.iter().position(|b| *b == byte) {
                let around = String::from_utf8_lossy(
                    &stdout[at.saturating_sub(60)..(at + 20).min(stdout.len())],
                );
                panic!("{args:?} printed a raw {name}: {around:?}");
            }
        }
        let text = String::from_utf8_lossy(stdout);
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202e}'),
            "{args:?}: {text}"
        );
        assert!(
            text.contains("\\u{1b}") || args[0] == "status" && !text.contains("evil"),
            "{args:?} shows the escape written out: {text}"
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn the_language_server_refuses_an_oversized_message_without_allocating_it() {
    for size in ["99999999999999", "2000000000"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .arg("lsp")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start lsp");
        let mut stdin = child.stdin.take().expect("stdin");
        let _ = write!(stdin, "Content-Length: {size}\r\n\r\n{{\"jsonrpc\":\"2.0\"");
        drop(stdin);
        let out = child.wait_with_output().expect("lsp ends");
        let code = out.status.code();
        assert!(code.is_some(), "ended by a signal: {:?}", out.status);
        assert_ne!(code, Some(0));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stdout.contains("window/showMessage") && stdout.contains("larger than the 64 MiB"),
            "{stdout}"
        );
        assert!(
            stderr.contains(size) && stderr.contains("64 MiB"),
            "{stderr}"
        );
    }
}

/// `text` without the colour sequences `ESC [ digits;… m`.
fn regex_lite_strip(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let n = after
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b';')
            .count();
        if after.as_bytes().get(n) == Some(&b'm') {
            rest = &after[n + 1..];
        } else {
            out.push('\u{1b}');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}
