//! Any input gives a verdict or a located error, never a panic: property tests over the packet
//! parser and the rules, plus a corpus of nasty inputs.

use chrono::NaiveDate;
use handoff::config::{Config, Settings};
use handoff::gate::Gate;
use handoff::kind::Kinds;
use handoff::packet::Packet;
use proptest::prelude::*;
use std::path::Path;

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
        for d in handoff::rules::check(&packet, &kinds, gate, &config, today) {
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
