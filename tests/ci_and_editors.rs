//! Fitting into CI and editors: SARIF, GitHub annotations, the Action, pre-commit, JSON Schema,
//! init, completions and output conventions.

mod common;
use common::Repo;
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn in_examples(args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(examples())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn sarif_validates_against_the_sarif_schema() {
    let (code, stdout, _) = in_examples(&["check", "--format", "sarif", "--today", "2026-12-08"]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-key")
        .unwrap();
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/handoffs/partner-referrals/handoff.md",
        "relative to the repository root"
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        17
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let index = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "unknown-key");
    // A mistake the validator must catch, so the test cannot pass vacuously.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn github_annotations_carry_file_line_and_column() {
    let (code, stdout, _) = in_examples(&[
        "check",
        "partner-referrals",
        "--format",
        "github",
        "--today",
        "2026-12-08",
    ]);
    assert_eq!(code, 1);
    let line = stdout
        .lines()
        .find(|l| l.contains("title=handoff unknown-key"))
        .expect(&stdout);
    assert!(line.starts_with("::error file=examples/handoffs/partner-referrals/handoff.md,line=17,col=3,title=handoff unknown-key::"), "{line}");
    assert!(line.contains("%0Ahelp: did you mean `source`?"), "{line}");
    assert!(stdout.lines().any(|l| l.starts_with("::warning ")));
}

#[test]
fn the_actions_check_step_runs_on_the_examples() {
    let action =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let step = action.find("- name: handoff check").expect("check step");
    let run = action[step..].find("run: |").unwrap() + step;
    let script: String = action[run..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("        ") || l.is_empty())
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    assert!(
        script.contains("handoff ${HANDOFF_DIR:+-C \"$HANDOFF_DIR\"} check \"$@\""),
        "{script}"
    );
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_handoff"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let scratch = tempfile::tempdir().unwrap();
    let sarif_path = scratch.path().join("handoff.sarif");
    let summary = scratch.path().join("summary.md");
    let outputs = scratch.path().join("outputs");
    // As a macOS runner's bash 3.2 would hold it to (`--posix`), and as plain sh; every input
    // may be empty.
    let run = |shell: &[&str], paths: &str, format: &str, sarif: bool| {
        let _ = std::fs::remove_file(&summary);
        let _ = std::fs::remove_file(&outputs);
        std::process::Command::new(shell[0])
            .args(&shell[1..])
            .arg(&script)
            .current_dir(examples())
            .env("PATH", &path)
            .env("HANDOFF_PATHS", paths)
            .env("HANDOFF_FORMAT", format)
            .env("HANDOFF_TODAY_INPUT", "2026-12-05")
            .env("HANDOFF_CHANGED_SINCE", "")
            .env("HANDOFF_BASE_INPUT", "")
            .env("HANDOFF_ARGS", "")
            .env("HANDOFF_DIR", "")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs)
            .env(
                "HANDOFF_SARIF",
                if sarif {
                    sarif_path.to_str().unwrap()
                } else {
                    ""
                },
            )
            .output()
            .unwrap()
    };
    for shell in [&["bash", "--posix", "-c"][..], &["sh", "-c"][..]] {
        let ok = run(shell, "winback-email billing-api-4-2", "github", false);
        assert_eq!(
            ok.status.code(),
            Some(0),
            "{shell:?}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        assert!(String::from_utf8_lossy(&ok.stdout).contains("2 packets: 2 pass"));
        assert!(
            std::fs::read_to_string(&outputs)
                .unwrap()
                .starts_with("verdict=pass\nfailed=0\n")
        );
        // Every input empty but the date: every packet, annotations by default.
        let failing = run(shell, "", "", true);
        assert_eq!(failing.status.code(), Some(1), "{shell:?}");
        let stdout = String::from_utf8_lossy(&failing.stdout);
        assert!(
            stdout.contains("::error file=examples/handoffs/partner-referrals/handoff.md"),
            "{stdout}"
        );
        // One run wrote them all: the annotations, the SARIF for the upload step (with as many
        // results), the job summary and the outputs; the exit code is still the check's.
        let log: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
        assert_eq!(
            log["runs"][0]["results"].as_array().map(Vec::len),
            Some(stdout.lines().filter(|l| l.starts_with("::")).count())
        );
        assert!(
            std::fs::read_to_string(&summary)
                .unwrap()
                .contains("### FAIL partner-referrals")
        );
        assert!(
            std::fs::read_to_string(&outputs)
                .unwrap()
                .starts_with("verdict=fail\nfailed=1\n")
        );
        let _ = std::fs::remove_file(&sarif_path);
    }
    // From the repository root, in the examples' folder as `working-directory` says.
    let from_root = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", &path)
        .env("HANDOFF_DIR", "examples")
        .env("HANDOFF_PATHS", "winback-email")
        .env("HANDOFF_TODAY_INPUT", "2026-12-05")
        .env("HANDOFF_SARIF", "target/action-test.sarif")
        .output()
        .unwrap();
    assert_eq!(
        from_root.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&from_root.stderr)
    );
    let sarif_at_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/action-test.sarif");
    assert!(
        sarif_at_root.is_file(),
        "the SARIF is where the upload step looks"
    );
    let _ = std::fs::remove_file(sarif_at_root);
}

#[test]
fn the_pre_commit_hooks_judge_only_the_staged_packets_and_never_compile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hooks = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap();
    let mirror =
        std::fs::read_to_string(root.join("editors/pre-commit-mirror/.pre-commit-hooks.yaml"))
            .unwrap();
    // No hook builds a Python package from this repository (that would compile the crate): the
    // main one runs the installed binary, the mirror installs the published wheel.
    assert!(hooks.contains("id: handoff-check\n") && hooks.contains("language: system"));
    assert!(hooks.contains("id: handoff-check-source") && hooks.contains("language: rust"));
    assert!(!hooks.contains("language: python"), "{hooks}");
    assert!(mirror.contains("id: handoff-check\n") && mirror.contains("language: python"));
    let pyproject =
        std::fs::read_to_string(root.join("editors/pre-commit-mirror/pyproject.toml")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        pyproject.contains(&format!("dependencies = [\"handoff-packets=={version}\"]")),
        "the mirror installs this version's wheel: {pyproject}"
    );
    assert!(!pyproject.contains("maturin"), "{pyproject}");
    let field = |text: &str, key: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix(key))
            .map(|v| v.trim_matches('\'').to_string())
            .collect()
    };
    let entries = [field(&hooks, "entry: "), field(&mirror, "entry: ")].concat();
    let patterns = [field(&hooks, "files: "), field(&mirror, "files: ")].concat();
    assert_eq!(entries.len(), 3);
    assert!(
        entries
            .iter()
            .all(|e| e == "handoff check --quiet --staged"),
        "{entries:?}"
    );
    assert!(patterns.iter().all(|p| p == &patterns[0]), "{patterns:?}");
    // The entry, run in a repository holding a packet that fails at its calendar gate.
    let repo = common::Repo::new();
    repo.copy_example("winback-email");
    repo.copy_example("partner-referrals");
    repo.commit_as("Test User <test@example.test>", "packets");
    let words: Vec<&str> = entries[0].split_whitespace().skip(1).collect();
    let hook = |repo: &common::Repo| {
        let mut args = words.clone();
        args.extend(["--today", "2026-12-05"]);
        repo.run(&args)
    };
    // Nothing staged: nothing to judge.
    let (code, out, err) = hook(&repo);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    // A change to one packet: that packet alone, so the overdue one does not block it.
    let path = "handoffs/winback-email/runbook.md";
    repo.write(path, format!("{}\nOne more note.\n", repo.read(path)));
    repo.git(&["add", path]);
    let (code, out, err) = hook(&repo);
    assert_eq!(code, 0, "{out}{err}");
    // An unstaged change to the failing packet is not the commit's business either.
    let failing = "handoffs/partner-referrals/handoff.md";
    repo.write(failing, format!("{}\n", repo.read(failing)));
    assert_eq!(hook(&repo).0, 0);
    // Staged, it is judged.
    repo.git(&["add", failing]);
    let (code, out, _) = hook(&repo);
    assert_eq!(code, 1);
    assert!(out.contains("FAIL partner-referrals"), "{out}");
    assert!(
        !out.contains("winback-email"),
        "quiet: passing packets stay silent: {out}"
    );
    repo.git(&["reset", "-q", "--", failing]);
    // The configuration staged: every packet.
    repo.write("handoff.toml", "[people]\n");
    repo.git(&["add", "handoff.toml"]);
    let (code, out, _) = hook(&repo);
    assert_eq!(code, 1);
    assert!(out.contains("FAIL partner-referrals"), "{out}");
}

#[test]
#[ignore = "needs python3"]
fn the_pre_commit_files_pattern_picks_every_packet_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hooks = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap();
    let patterns: Vec<String> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("files: "))
        .map(|v| v.trim_matches('\'').to_string())
        .collect();
    // The `files` pattern, as pre-commit reads it (a Python regex), picks every packet file, the
    // config and everything under .handoff/, in any folder.
    let matches = |path: &str| {
        std::process::Command::new("python3")
            .args([
                "-c",
                "import re,sys; sys.exit(0 if re.search(sys.argv[1], sys.argv[2]) else 1)",
            ])
            .args([&patterns[0], path])
            .status()
            .expect("this test needs python3")
            .success()
    };
    for path in [
        "handoffs/a/handoff.md",
        "team/work/handoffs/b/runbook.md",
        "handoffs/a/attachments/flow.png",
        "handoffs/a/metrics/kpi.csv",
        "handoff.toml",
        "team/handoff.toml",
        ".handoff/kinds/k/kind.yaml",
        ".handoff/signed-kinds/k-v1-abc.yaml",
    ] {
        assert!(matches(path), "{path}");
    }
    assert!(!matches("src/main.rs") && !matches("docs/handoff.toml.md"));
}

fn front_matter_json(dir: &Path) -> serde_json::Value {
    let packet = handoff::facts::packet::Packet::load(dir, dir);
    packet.front.expect("front matter").to_json()
}

#[test]
fn the_json_schema_accepts_every_example_and_rejects_a_typo() {
    let (code, stdout, _) = in_examples(&["schema"]);
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    for id in [
        "winback-email",
        "billing-api-4-2",
        "inbound-demo-routing",
        "onboarding-kickoff",
    ] {
        let front = front_matter_json(&examples().join("handoffs").join(id));
        let errors: Vec<String> = validator
            .iter_errors(&front)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{id}: {errors:#?}");
    }
    // A sign-off `handoff sign` writes now records the kind it was made under.
    let mut stamped = front_matter_json(&examples().join("handoffs/winback-email"));
    stamped["signoffs"][0]["kind"] = serde_json::json!("gtm-play 3 sha256:0123456789abcdef");
    let errors: Vec<String> = validator
        .iter_errors(&stamped)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    stamped["signoffs"][0]["kind"] = serde_json::json!("gtm-play");
    assert!(!validator.is_valid(&stamped));
    let mut typo = front_matter_json(&examples().join("handoffs/winback-email"));
    let kpi = typo["metric"]["kpi"].take();
    typo["metric"].as_object_mut().unwrap().remove("kpi");
    typo["metric"]["kip"] = kpi;
    assert!(!validator.is_valid(&typo));
    let mut top_typo = front_matter_json(&examples().join("handoffs/onboarding-kickoff"));
    top_typo["trigerr"] = serde_json::json!("x");
    assert!(!validator.is_valid(&top_typo));
    // Descriptions come from the kinds' prompts.
    assert!(stdout.contains("Who runs the play day to day after launch?"));
    let (_, one, _) = in_examples(&["schema", "--kind", "release"]);
    let one: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(one["additionalProperties"], false);
    assert!(one["properties"]["readiness"]["properties"]["rollback"].is_object());
}

#[test]
fn init_then_new_then_check_works_end_to_end() {
    let repo = Repo::new();
    let (code, stdout, _) = repo.run(&["init"]);
    assert_eq!(code, 0, "{stdout}");
    for file in [
        "handoff.toml",
        "handoffs/.gitkeep",
        ".handoff/schema.json",
        ".github/workflows/handoff.yml",
    ] {
        assert!(repo.file(file).is_file(), "{file}");
    }
    repo.write(".github/workflows/handoff.yml", "mine");
    let (code, stdout, _) = repo.run(&["init"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("kept     handoff.toml"), "{stdout}");
    assert_eq!(repo.read(".github/workflows/handoff.yml"), "mine");

    let (code, _, stderr) = repo.run(&[
        "new",
        "first",
        "--kind",
        "release",
        "--day0",
        "2026-12-07",
        "--from",
        "dev",
        "--to",
        "ops",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = repo.read("handoffs/first/handoff.md");
    assert!(
        text.starts_with("---\n# yaml-language-server: $schema=../../.handoff/schema.json\n"),
        "{text}"
    );
    let (code, doc) = repo.check_json(&["--today", "2026-11-26"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["packets"], 1);
    let (code, _) = repo.check_json(&["--today", "2026-12-05"]);
    assert_eq!(code, 1);
}

#[test]
fn changed_since_checks_only_touched_packets_and_those_the_calendar_moved() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.copy_example("onboarding-kickoff");
    repo.copy_example("billing-api-4-2");
    // Committed on a fixed day: the calendar's move is measured from the base commit's date.
    repo.commit_at("A <a@b.test>", "2026-11-26", "packets");
    let ids = |doc: &serde_json::Value| -> Vec<String> {
        doc["packets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, doc) = repo.check_json(&["--changed-since", "HEAD", "--today", "2026-11-26"]);
    assert!(ids(&doc).is_empty(), "{doc}");
    repo.write("handoffs/onboarding-kickoff/notes.md", "new file");
    let (_, doc) = repo.check_json(&["--changed-since", "HEAD", "--today", "2026-11-26"]);
    assert_eq!(ids(&doc), ["onboarding-kickoff"]);
    // Far enough ahead, the calendar moves winback-email's gate (and onboarding-kickoff's).
    let (_, doc) = repo.check_json(&["--changed-since", "HEAD", "--today", "2026-12-07"]);
    assert_eq!(ids(&doc), ["onboarding-kickoff", "winback-email"]);
    let (code, _, stderr) = repo.run(&["check", "--changed-since", "no-such-ref"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-ref"), "{stderr}");
}

#[test]
fn colour_follows_no_color_and_the_flag() {
    let repo = Repo::new();
    repo.copy_example("onboarding-kickoff");
    let (_, plain, _) = repo.run(&["check", "--today", "2026-11-26"]);
    assert!(!plain.contains('\u{1b}'));
    let (_, coloured, _) = repo.run(&["check", "--today", "2026-11-26", "--color", "always"]);
    assert!(coloured.contains('\u{1b}'));
    let (_, never, _) = repo.run(&["--color", "never", "check", "--today", "2026-11-26"]);
    assert!(!never.contains('\u{1b}'));
    // Piped output takes colour only when forced.
    let forced = repo
        .handoff()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "--today", "2026-11-26"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\u{1b}'));
}

#[cfg(unix)]
#[test]
fn on_a_terminal_colour_follows_the_usual_variables() {
    let repo = Repo::new();
    repo.copy_example("onboarding-kickoff");
    // `script` gives the command a terminal of its own; CI is unset because a CI log counts as
    // colour-capable whatever TERM says.
    let on_tty = |vars: &str| {
        let out = std::process::Command::new("script")
            .args(["-qec"])
            .arg(format!(
                "env -u NO_COLOR -u CLICOLOR -u CLICOLOR_FORCE -u CI TERM=xterm {vars} '{}' check --today 2026-11-26",
                env!("CARGO_BIN_EXE_handoff")
            ))
            .arg("/dev/null")
            .current_dir(repo.path())
            .output()
            .expect("script");
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    assert!(on_tty(""), "a terminal gets colour");
    for vars in ["NO_COLOR=1", "CLICOLOR=0", "TERM=dumb"] {
        assert!(!on_tty(vars), "{vars} turns colour off");
    }
}

#[test]
fn completions_and_man_page() {
    let repo = Repo::new();
    for shell in ["bash", "zsh", "fish"] {
        let (code, stdout, _) = repo.run(&["completions", shell]);
        assert_eq!(code, 0);
        assert!(
            stdout.contains("COMPLETE=") && stdout.contains("handoff"),
            "{shell}: {stdout}"
        );
        // The script calls `handoff` from PATH: no path of the binary that wrote it.
        let exe = std::path::Path::new(env!("CARGO_BIN_EXE_handoff"));
        let folder = exe.parent().unwrap().to_string_lossy().into_owned();
        assert!(!stdout.contains(&folder), "{shell}: {stdout}");
        assert!(!stdout.contains("/target/"), "{shell}: {stdout}");
    }
    // The script asks handoff for candidates: packet ids, roles, kinds and rule ids of the
    // repository the shell is in.
    let complete = |words: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .env("COMPLETE", "fish")
            .arg("--")
            .arg("handoff")
            .args(words)
            .current_dir(examples())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(complete(&["sign", ""]).contains("winback-email\n"));
    assert!(complete(&["check", "inb"]).contains("inbound-demo-routing"));
    assert!(complete(&["sign", "winback-email", "--role", ""]).contains("revops-director\t"));
    assert!(complete(&["new", "x", "--kind", ""]).contains("sales-routing\t"));
    assert!(complete(&["explain", "signoff-s"]).contains("signoff-stale\t"));
    let (code, stdout, _) = repo.run(&["man"]);
    assert_eq!(code, 0);
    assert!(stdout.contains(".TH HANDOFF 1 "), "{stdout}");
}

#[test]
fn man_writes_a_page_per_subcommand_with_every_flag() {
    let repo = Repo::new();
    let (code, stdout, stderr) = repo.run(&["man", "--out-dir", "man1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("Wrote "), "{stdout}");
    let (_, help, _) = repo.run(&["--help"]);
    let subcommands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert!(subcommands.len() >= 17, "{subcommands:?}");
    // A nested command has its page too, naming its parent.
    let pull = repo.read("man1/handoff-metrics-pull.1");
    assert!(
        pull.contains("\\-\\-check") && pull.contains("handoff-metrics\\fR(1)"),
        "{pull}"
    );
    // The title line: the version in the source slot, a date in the date slot.
    let th = pull.lines().find(|l| l.starts_with(".TH ")).unwrap();
    assert!(
        th.starts_with(".TH HANDOFF-METRICS-PULL 1 20")
            && th.ends_with(&format!(
                "\"handoff {}\" \"handoff manual\"",
                env!("CARGO_PKG_VERSION")
            )),
        "{th}"
    );
    let main = repo.read("man1/handoff.1");
    for section in [
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
        "HANDOFF_TODAY",
        "NO_COLOR",
    ] {
        assert!(main.contains(section), "{section}");
    }
    for sub in subcommands {
        let page = repo.read(&format!("man1/handoff-{sub}.1"));
        assert!(
            page.contains("EXIT STATUS") && page.contains("FILES"),
            "{sub}"
        );
        let (_, sub_help, _) = repo.run(&[sub, "--help"]);
        for flag in sub_help
            .split_whitespace()
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(|w| {
                w.trim_end_matches([',', '.', ')', '`'])
                    .split(['=', '[', '<'])
                    .next()
                    .unwrap_or("")
            })
            .filter(|f| f.len() > 2 && f[2..].chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        {
            let escaped = flag.replace('-', "\\-");
            assert!(page.contains(&escaped), "handoff-{sub}.1 lacks {flag}");
        }
    }
}

/// The VS Code extension in editors/vscode starts the server the LSP tests drive, and its files
/// load: the manifest parses and names an entry point that exists and is valid JavaScript.
#[test]
#[ignore = "needs node"]
fn the_vscode_extension_starts_handoff_lsp() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    // The extension ships bundled (one file, made by esbuild before `vsce package`) from this
    // source.
    assert_eq!(manifest["main"], "./dist/extension.js");
    assert!(
        manifest["scripts"]["vscode:prepublish"]
            .as_str()
            .unwrap()
            .starts_with("esbuild extension.js --bundle --platform=node"),
        "{manifest}"
    );
    let main = "extension.js";
    let script = std::fs::read_to_string(dir.join(main)).unwrap();
    assert!(script.contains(r#"args: ["lsp"]"#), "{script}");
    // Changes to the configuration and kinds reach the server, which checks open packets again.
    assert!(
        script.contains(r#"createFileSystemWatcher("**/{handoff.toml,.handoff/**}")"#),
        "{script}"
    );
    assert_eq!(manifest["activationEvents"][0], "onLanguage:markdown");
    assert!(manifest["dependencies"]["vscode-languageclient"].is_string());
    let node = std::process::Command::new("node")
        .arg("--check")
        .arg(dir.join(main))
        .output();
    match node {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => panic!("node is needed for this test (.ci/run installs it)"),
    }
}

#[test]
#[ignore = "needs nvim 0.10 or later"]
fn the_readmes_neovim_snippet_sees_a_change_to_handoff_toml() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let nvim = std::env::var("HANDOFF_TEST_NVIM").unwrap_or_else(|_| "nvim".into());
    let version = std::process::Command::new(&nvim)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| {
            panic!("this test needs Neovim 0.10 or later ({nvim}: {e}; `.ci/run` installs it)")
        });
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    let minor: u32 = version
        .strip_prefix("NVIM v0.")
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse().ok())
        .unwrap_or(99);
    assert!(
        minor >= 10,
        "this test needs Neovim 0.10 or later: {version}"
    );
    // The README's snippet, as a user's init.lua.
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find("```lua\n").expect("a Lua block in the README") + 7;
    let snippet = &readme[start..start + readme[start..].find("```").unwrap()];
    let repo = common::Repo::new();
    copy_tree(&examples(), repo.path());
    repo.commit_as("Test User <test@example.test>", "examples");
    let config = tempfile::tempdir().unwrap();
    std::fs::write(config.path().join("init.lua"), snippet).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_handoff")).parent().unwrap();
    let out = std::process::Command::new(&nvim)
        .args(["--headless", "-u"])
        .arg(config.path().join("init.lua"))
        .arg("-c")
        .arg(format!(
            "luafile {}",
            root.join("tests/fixtures/nvim-config-change.lua").display()
        ))
        .current_dir(repo.path())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("XDG_CONFIG_HOME", config.path())
        .env("XDG_DATA_HOME", config.path())
        .env("XDG_STATE_HOME", config.path())
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && said.contains("PASS"), "{said}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
#[ignore = "needs mandoc"]
fn every_manual_page_passes_mandoc_lint() {
    let repo = Repo::new();
    let (code, _, stderr) = repo.run(&["man", "--out-dir", "man1"]);
    assert_eq!(code, 0, "{stderr}");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(repo.file("man1"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    assert!(pages.len() >= 20, "{pages:?}");
    let out = std::process::Command::new("mandoc")
        .args(["-Tlint", "-W", "all"])
        .args(&pages)
        .output()
        .expect("this test needs mandoc (`.ci/run` installs it)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
    // The lint can fail: a page with a version where the date goes is reported.
    let bad = repo.file("bad.1");
    std::fs::write(&bad, ".TH BAD 1 \"bad 0.1.0\"\n.SH NAME\nbad \\- a page\n").unwrap();
    let out = std::process::Command::new("mandoc")
        .args(["-Tlint", "-W", "all"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty() || !out.status.success());
}
