//! Any input gives a verdict or a located error, never a panic: property tests over the packet
//! parser and the rules, over `kind.yaml` and over `handoff.toml`, plus a corpus of nasty inputs
//! kept in `tests/fixtures/corpus/`. `HANDOFF_FUZZ_SECONDS=600 cargo test --test it
//! robustness::fuzz_for_a_while` fuzzes all three for ten minutes; a failure it finds is kept in
//! `tests/fixtures/corpus/fuzz-regressions.txt` and replayed on every run after.

use chrono::NaiveDate;
use handoff::facts::config::{Config, Settings};
use handoff::facts::gate::Gate;
use handoff::facts::kind::Kinds;
use handoff::facts::packet::Packet;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, FileFailurePersistence, TestRunner};
use std::path::Path;

/// A kind file never panics the loader: it is a kind or a located error.
fn check_kind(text: String) {
    let path = Path::new("kinds/k/kind.yaml");
    match handoff::facts::kind::parse_spec(path, text, "k") {
        Ok(spec) => {
            // A kind that loads can judge a packet without panicking.
            let packet = Packet::from_text(
                Path::new("/nonexistent/p"),
                Path::new("p"),
                "---\nid: p\nkind: k\nday0: 2026-12-07\nstatus: ready\n---\n# P\n".into(),
            );
            let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
            let _ = handoff::facts::timeline::place(&packet, &spec, &Settings::default(), today);
        }
        Err(e) => assert!(!e.problem.to_string().is_empty()),
    }
}

/// A `handoff.toml` never panics discovery: it is a configuration or an error naming the file.
fn check_config(text: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join(".git")).expect("git marker");
    std::fs::write(dir.path().join("handoff.toml"), text).expect("write");
    match Config::discover(dir.path()) {
        Ok(config) => {
            let packets = config.packets_dir();
            assert!(
                packets.starts_with(dir.path()),
                "the packets root stays inside: {}",
                packets.display()
            );
        }
        Err(e) => assert!(e.file.ends_with("handoff.toml")),
    }
}

const KIND_PIECES: &[&str] = &[
    "name: k\n",
    "summary: s\n",
    "fields: []\n",
    "fields:\n",
    "  - key: a\n",
    "    type: map\n",
    "    type: file\n",
    "    type: person\n",
    "    prompt: p\n",
    "    fields:\n",
    "      - key: b\n",
    "        type: list\n",
    "        prompt: q\n",
    "    checklists: [Run, \"\"]\n",
    "roles:\n",
    "  - name: r\n",
    "    description: d\n",
    "    held_by: a\n",
    "timeline:\n",
    "  - day: -7\n",
    "  - day: 99999999999\n",
    "    title: t\n",
    "    evidence: {field: a, signed: true}\n",
    "gates: {ready: -2, handed-off: 0, signed-off: 14}\n",
    "criteria: [x, y]\n",
    "allow_same_signer: true\n",
    "&a ",
    "*a\n",
    "\t",
    "[",
    "{",
    "'",
];

const CONFIG_PIECES: &[&str] = &[
    "packets = \"handoffs\"\n",
    "packets = \"..\"\n",
    "packets = \"/\"\n",
    "packets = \"a/./b\"\n",
    "default_kind = \"gtm-play\"\n",
    "weekends = \"warn\"\n",
    "weekends = \"shift-earlier\"\n",
    "[people]\n",
    "ops-lead = \"A <a@x.test>\"\n",
    "ops-lead = [\"A <a@x.test>\", \"B <b@x.test>\"]\n",
    "pm = \"nobody\"\n",
    "pm = []\n",
    "x = 3\n",
    "[people.deep]\n",
    "\"\"\"\n",
    "= \n",
    "\u{0}",
];

fn check_text(text: String) {
    let kinds = Kinds::load(None).expect("built-in kinds");
    let config = Config {
        root: std::env::temp_dir(),
        file: None,
        settings: Settings::default(),
    };
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
    let packet = Packet::from_text(Path::new("/nonexistent/p"), Path::new("p"), text);
    for gate in Gate::ALL {
        for d in handoff::judgement::rules::check(&packet, &kinds, gate, &config, today) {
            assert!(d.pos.line >= 1 && d.pos.column >= 1, "{d:?}");
            if let Some(src) = &d.source {
                assert!(d.pos.offset <= src.text.len(), "{d:?}");
                assert!(src.text.is_char_boundary(d.pos.offset));
            }
        }
    }
}

const PIECES: &[&str] = &[
    "---\n",
    "id: p\n",
    "kind: gtm-play\n",
    "kind: [x]\n",
    "status: ready\n",
    "day0: 2026-12-07\n",
    "day0: 2026-02-31\n",
    "owner:\n",
    "  primary: A <a@b.test>\n",
    "  primary:\n",
    "    - x\n",
    "risks:\n",
    "  - risk: r\n",
    "    guardrail: g\n",
    "  - \n",
    "signoffs:\n",
    "  - role: pm\n",
    "    digest: x\n",
    "signoffs: 3\n",
    "&a ",
    "*a\n",
    "!!str ",
    "? k\n",
    ": v\n",
    "{a: [b, {c: d}]}\n",
    "'\n",
    "\"\\u00e9\n",
    "\t",
    "...\n",
    "# Title\n",
    "## Acceptance criteria\n",
    "- [ ] x\n",
    "- [x] y\n",
    "  - [ ] nested\n",
    "| a | b |\n|---|---|\n",
    "TODO: x\n",
    "é",
    "\u{feff}",
    "\r\n",
    "\n",
    "runbook:\n  file: ../x\n",
    "runbook:\n  file: /etc/passwd\n",
    "walkthrough: javascript:alert(1)\n",
    "<script>\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_text(text);
    }

    #[test]
    fn shuffled_packet_pieces_never_panic(pieces in proptest::collection::vec(0..PIECES.len(), 0..40)) {
        check_text(pieces.into_iter().map(|i| PIECES[i]).collect());
    }

    #[test]
    fn kind_files_never_panic(pieces in proptest::collection::vec(0..KIND_PIECES.len(), 0..40)) {
        check_kind(pieces.into_iter().map(|i| KIND_PIECES[i]).collect());
    }

    #[test]
    fn config_files_never_panic(pieces in proptest::collection::vec(0..CONFIG_PIECES.len(), 0..16)) {
        check_config(&pieces.into_iter().map(|i| CONFIG_PIECES[i]).collect::<String>());
    }

    #[test]
    fn arbitrary_front_matter_never_panics(yaml in "[ a-z:\\-\\[\\]{}'\"&*!|>#\n\t,?%@`]{0,300}") {
        check_text(format!("---\nid: p\nkind: gtm-play\n{yaml}\n---\n# T\n"));
    }
}

#[test]
fn nasty_corpus() {
    let long_line = format!("---\ntitle: {}\n---\n", "x".repeat(200_000));
    let many_keys: String = (0..5000).map(|i| format!("k{i}: v\n")).collect();
    let corpus: Vec<String> = vec![
        String::new(),
        "---".into(),
        "---\n---".into(),
        "---\n...\n".into(),
        "---\na: 1\n---\nb: 2\n---\n".into(),
        "\u{feff}---\nid: p\n---\n".into(),
        "---\r\nid: p\r\nkind: generic\r\n---\r\n# T\r\n".into(),
        "---\n%YAML 1.2\n---\n".into(),
        "---\n? [a, b]\n: c\n---\n".into(),
        "---\n[a, b]: c\n---\n".into(),
        "---\nid: p\nowner: {primary: [[[[[]]]]]}\n---\n".into(),
        "---\n\"\\xzz\": 1\n---\n".into(),
        "---\nid: |\n  multi\n  line\n---\n".into(),
        "---\nsignoffs:\n  - role: pm\n    by: x\n    at: y\n    digest: z\n---\n".into(),
        long_line,
        format!("---\n{many_keys}---\n"),
        "# Heading only\n- [ ] task\n".into(),
        "---\nid: p\n---\n## Acceptance criteria\n- [ ]\n- [x]\n1. [ ] ordered\n".into(),
        "---\nid: p\n---\n```\n## not a heading\n- [ ] not a task\n```\n".into(),
        "---\n\u{0}\n---\n".into(),
        "---\nid: \u{202e}evil\n---\n".into(),
    ];
    for text in corpus {
        check_text(text);
    }
}

/// Every file of the kept corpus: packets, kinds and configs that once broke, or nearly did.
#[test]
fn kept_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut seen = 0;
    for (folder, check) in [
        ("packets", &(|t: String| check_text(t)) as &dyn Fn(String)),
        ("kinds", &(|t: String| check_kind(t)) as &dyn Fn(String)),
        (
            "configs",
            &(|t: String| check_config(&t)) as &dyn Fn(String),
        ),
    ] {
        for entry in std::fs::read_dir(root.join(folder)).expect("corpus folder") {
            let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
            check(String::from_utf8_lossy(&bytes).into_owned());
            seen += 1;
        }
    }
    assert!(seen >= 20, "the corpus has {seen} files");
}

/// Fuzz the three inputs for `HANDOFF_FUZZ_SECONDS` (a few seconds by default; ten minutes when
/// asked), with failures kept in the corpus.
#[test]
fn fuzz_for_a_while() {
    let seconds: u64 = std::env::var("HANDOFF_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let kept = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/corpus/fuzz-regressions.txt")
        .to_string_lossy()
        .into_owned();
    let config = || RunnerConfig {
        cases: 64,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(Box::leak(
            kept.clone().into_boxed_str(),
        )))),
        ..RunnerConfig::default()
    };
    let mut rounds = 0u64;
    while rounds == 0 || std::time::Instant::now() < deadline {
        let mut runner = TestRunner::new(config());
        runner
            .run(&"\\PC{0,600}", |text| {
                check_text(text);
                Ok(())
            })
            .expect("packet text");
        runner
            .run(&proptest::collection::vec(0..PIECES.len(), 0..60), |p| {
                check_text(p.into_iter().map(|i| PIECES[i]).collect());
                Ok(())
            })
            .expect("packet pieces");
        runner
            .run(
                &proptest::collection::vec(0..KIND_PIECES.len(), 0..60),
                |p| {
                    check_kind(p.into_iter().map(|i| KIND_PIECES[i]).collect());
                    Ok(())
                },
            )
            .expect("kind pieces");
        runner
            .run(
                &proptest::collection::vec(0..CONFIG_PIECES.len(), 0..20),
                |p| {
                    check_config(&p.into_iter().map(|i| CONFIG_PIECES[i]).collect::<String>());
                    Ok(())
                },
            )
            .expect("config pieces");
        rounds += 1;
    }
    eprintln!("fuzzed {rounds} rounds of 4 × 64 cases in {seconds} s");
}
