//! Reminders that arrive: Slack's limits kept, people mentioned, nothing sent when nothing is due.

use crate::common;
use common::Repo;

/// `n` copies of the winback packet, all with day 0 on 2026-12-07.
fn many(n: usize, title: &str) -> Repo {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let text = repo.read("handoffs/winback-email/handoff.md");
    for i in 1..n {
        let id = format!("play-{i:02}");
        repo.write(
            &format!("handoffs/{id}/handoff.md"),
            text.replace("id: winback-email", &format!("id: {id}"))
                .replace(
                    "title: Win-back email for lapsed trial users",
                    &format!("title: {title}"),
                ),
        );
        repo.write(
            &format!("handoffs/{id}/runbook.md"),
            repo.read("handoffs/winback-email/runbook.md"),
        );
    }
    repo
}

fn payloads(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn sixty_packets_fit_slacks_limits() {
    let repo = many(60, "A title");
    let (code, stdout, _) = repo.run(&[
        "remind",
        "--today",
        "2026-12-07",
        "--within",
        "0d",
        "--format",
        "slack",
    ]);
    assert_eq!(code, 0);
    let messages = payloads(&stdout);
    assert_eq!(messages.len(), 2, "61 blocks do not fit one message");
    let mut sections = 0;
    for m in &messages {
        let blocks = m["blocks"].as_array().unwrap();
        assert!(blocks.len() <= 50, "{} blocks", blocks.len());
        assert_eq!(blocks[0]["type"], "header");
        for b in &blocks[1..] {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3000);
            sections += 1;
        }
    }
    assert_eq!(sections, 60, "every reminder is sent");
}

#[test]
fn a_long_title_is_cut_to_fit_a_section() {
    let repo = many(2, &"Very long title ".repeat(400));
    let (_, stdout, _) = repo.run(&[
        "remind",
        "--today",
        "2026-12-07",
        "--within",
        "0d",
        "--format",
        "slack",
    ]);
    for m in payloads(&stdout) {
        for b in m["blocks"].as_array().unwrap().iter().skip(1) {
            let text = b["text"]["text"].as_str().unwrap();
            assert!(text.chars().count() <= 3000, "{}", text.len());
            assert!(
                text.contains("Live handoff walkthrough"),
                "the milestone stays: {text}"
            );
        }
    }
}

#[test]
fn people_with_a_slack_id_are_mentioned() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.write(
        "handoff.toml",
        format!(
            "{}\n[slack]\n\"aisha@northwind.test\" = \"U024BE7LH\"\n",
            repo.read("handoff.toml")
        ),
    );
    let (_, stdout, stderr) = repo.run(&[
        "remind",
        "--today",
        "2026-12-07",
        "--within",
        "0d",
        "--format",
        "slack",
    ]);
    let text = payloads(&stdout)[0]["blocks"][1]["text"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("<@U024BE7LH>"), "{text}{stderr}");
    assert!(
        text.contains("Tomas Weber &lt;tomas@northwind.test&gt;"),
        "{text}"
    );
    repo.write("handoff.toml", "[slack]\n\"aisha\" = \"someone\"\n");
    let (code, _, stderr) = repo.run(&["remind"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("[slack]"), "{stderr}");
}

#[test]
fn skip_empty_sends_nothing_when_nothing_is_due() {
    let repo = Repo::new();
    repo.copy_example("billing-api-4-2");
    for format in ["text", "json", "slack"] {
        let (code, stdout, _) = repo.run(&[
            "remind",
            "--today",
            "2026-12-01",
            "--format",
            format,
            "--skip-empty",
        ]);
        assert_eq!((code, stdout.as_str()), (0, ""), "{format}");
        let (_, stdout, _) = repo.run(&["remind", "--today", "2026-12-01", "--format", format]);
        assert!(!stdout.is_empty(), "{format}");
    }
}
