//! The README is a contract: its commands are run as written, and what it says they print is
//! what they print. The examples' verdict does not move with the calendar.

use crate::common;
use common::Repo;
use std::path::Path;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// The fenced blocks of a section (from its `## ` heading to the next), with their info strings.
fn blocks(section: &str) -> Vec<(String, String)> {
    let text = readme();
    let start = text
        .find(&format!("## {section}\n"))
        .unwrap_or_else(|| panic!("no section {section}"));
    let rest = &text[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
    let mut out = Vec::new();
    let mut lines = rest[..end].lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            out.push((info.to_string(), body.join("\n")));
        }
    }
    out
}

/// `FAIL x  k at the g gate (16 errors, 11 warnings)` without the counts, which follow the date.
fn verdict_line(line: &str) -> String {
    match line.find(" (") {
        Some(i) if line.starts_with("FAIL") || line.starts_with("pass") => line[..i].to_string(),
        _ => line.to_string(),
    }
}

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

#[test]
fn the_set_up_command_prints_the_verdict_the_readme_states() {
    let blocks = blocks("Set up");
    assert_eq!(
        blocks[0].1,
        "cargo install --path . && handoff -C examples check"
    );
    let stated: Vec<String> = blocks[1].1.lines().map(verdict_line).collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["-C", &examples().to_string_lossy(), "check"])
        .env("NO_COLOR", "1")
        .env_remove("HANDOFF_TODAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "one packet fails on purpose");
    let printed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("pass ") || l.starts_with("FAIL "))
        .map(verdict_line)
        .collect();
    assert_eq!(printed, stated);
    assert_eq!(
        blocks[2].1, "cargo test",
        "the second set-up command runs the tests"
    );
}

#[test]
fn the_examples_give_the_same_verdict_on_any_date() {
    for today in [
        "2026-01-01",
        "2026-11-23",
        "2026-12-08",
        "2027-03-01",
        "2028-02-29",
        "2030-07-15",
        "2033-01-01",
        "2035-12-31",
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(["-C", &examples().to_string_lossy()])
            .args(["check", "--format", "json", "--today", today])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{today}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let failing: Vec<&str> = doc["packets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["pass"] == false)
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert_eq!(failing, ["partner-referrals"], "{today}");
        assert_eq!(doc["summary"]["passed"], 7, "{today}");
    }
}

/// A command line's words, as a shell splits them: double-quoted words may hold spaces.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

#[test]
fn the_tour_runs_as_written_and_prints_what_it_shows() {
    let repo = Repo::new();
    let tour = blocks("A tour");
    let mut ran = 0;
    for (info, body) in &tour {
        if info != "sh" {
            continue;
        }
        for line in body.lines() {
            let command = line.split(" #").next().unwrap_or("").trim();
            let Some(rest) = command.strip_prefix("handoff ") else {
                continue;
            };
            let args = words(rest);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, stdout, stderr) = repo.run(&args);
            ran += 1;
            if args[0] == "sign" {
                // The tour signs after the answers are filled in; on the fresh packet it refuses.
                assert_eq!(code, 2, "{command}: {stdout}{stderr}");
                assert!(stderr.contains("not ready to sign"), "{command}: {stderr}");
            } else if args[0] == "send-back" {
                // Sending back needs a packet that was handed over; the fresh one is a draft.
                assert_eq!(code, 2, "{command}: {stdout}{stderr}");
                assert!(
                    stderr.contains("has not been handed over"),
                    "{command}: {stderr}"
                );
            } else if args[0] == "drill" {
                // A drill needs a signed-off packet; the fresh repo has none yet, and says so.
                assert_eq!(code, 2, "{command}: {stdout}{stderr}");
                assert!(
                    stderr.contains("no signed-off packet"),
                    "{command}: {stderr}"
                );
            } else {
                assert!(matches!(code, 0 | 1), "{command} exited {code}: {stderr}");
            }
        }
    }
    assert!(ran >= 14, "ran {ran} commands");
    assert!(repo.file("handoffs/winback-email/handoff.md").is_file());
    assert!(repo.file("review.html").is_file());
    assert!(repo.file("site/index.html").is_file() || repo.file("site/index.md").is_file());

    // The sample finding, and the verdict and summary after it, line for line.
    let sample = tour
        .iter()
        .find(|(info, body)| info.is_empty() && body.contains("answer-missing"))
        .map(|(_, body)| body.clone())
        .expect("the sample finding");
    let (_, printed, _) = repo.run(&["check", "--today", "2026-12-05"]);
    let printed: Vec<&str> = printed.lines().collect();
    let sample: Vec<&str> = sample.lines().collect();
    let first = printed
        .iter()
        .position(|l| *l == sample[0])
        .unwrap_or_else(|| panic!("`{}` not printed:\n{}", sample[0], printed.join("\n")));
    let finding = sample.iter().position(|l| l.is_empty()).unwrap();
    assert_eq!(&printed[first..first + finding], &sample[..finding]);
    assert_eq!(&printed[printed.len() - 3..], &sample[finding + 1..]);
}

#[test]
fn the_configuration_example_is_a_configuration_handoff_accepts() {
    let block = blocks("Configuration")
        .into_iter()
        .find(|(info, _)| info == "toml")
        .expect("a toml block")
        .1;
    let repo = Repo::new();
    repo.write("handoff.toml", block);
    let (code, stdout, stderr) = repo.run(&["check", "--allow-empty"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn the_editor_setup_starts_the_server_the_tests_drive() {
    let blocks = blocks("In CI and in editors");
    let helix = blocks
        .iter()
        .find(|(info, body)| info == "toml" && body.contains("language-server"))
        .expect("the Helix block")
        .1
        .clone();
    let doc: toml::Table = toml::from_str(&helix).expect("the Helix block is TOML");
    let server = &doc["language-server"]["handoff"];
    assert_eq!(server["command"].as_str(), Some("handoff"));
    assert_eq!(server["args"].as_array().map(Vec::len), Some(1));
    assert_eq!(server["args"][0].as_str(), Some("lsp"));
    let lua = blocks
        .iter()
        .find(|(info, _)| info == "lua")
        .expect("the Neovim block")
        .1
        .clone();
    assert!(lua.contains(r#"cmd = { "handoff", "lsp" }"#), "{lua}");
    // The command they name exists.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["lsp", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("language server"));
}
