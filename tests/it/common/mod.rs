//! A temporary git repo driven through the real `handoff` binary.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The moment the tests run at: the day the fixtures' handoffs are dated around (day 0 of
/// `winback-email` before its handoff), noon UTC.
pub const NOW: &str = "2026-12-07T12:00:00Z";

/// A temp git repo with a configured user.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test User"]);
        repo.git(&["config", "user.email", "test@example.test"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    /// A temp folder that is not a git repo.
    pub fn bare() -> Repo {
        Repo {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let path = self.file(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.file(rel)).expect("read")
    }

    /// handoff in this repo, on the tests' day: its clock and git's stand at [`NOW`], so a
    /// test reads the same on whatever day it runs (the fixtures are dated around it).
    pub fn handoff(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_handoff"));
        cmd.current_dir(self.path())
            .env_remove("HANDOFF_TODAY")
            .env("HANDOFF_NOW", NOW)
            .env("GIT_AUTHOR_DATE", NOW)
            .env("GIT_COMMITTER_DATE", NOW)
            .env("NO_COLOR", "1");
        cmd
    }

    /// Run handoff with args; returns (exit code, stdout, stderr) and asserts no panic.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.handoff().args(args).output().expect("run handoff");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "handoff panicked: {stderr}");
        (out.status.code().unwrap_or(-1), stdout, stderr)
    }

    /// Run handoff as `who` (`Name <email>`): git's author identity, which `handoff sign` records.
    pub fn run_as(&self, who: &str, args: &[&str]) -> (i32, String, String) {
        let (name, email) = who
            .split_once(" <")
            .map(|(n, e)| (n.to_string(), e.trim_end_matches('>').to_string()))
            .expect("Name <email>");
        let out = self
            .handoff()
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .args(args)
            .output()
            .expect("run handoff");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "handoff panicked: {stderr}");
        (out.status.code().unwrap_or(-1), stdout, stderr)
    }

    /// Sign a packet's role as `who`.
    pub fn sign(&self, id: &str, role: &str, who: &str) -> (i32, String, String) {
        self.run_as(who, &["sign", id, "--role", role])
    }

    /// `handoff check --format json` parsed.
    pub fn check_json(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = self.run(&args);
        let doc = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("bad JSON ({e}): {stdout}\n{stderr}"));
        (code, doc)
    }

    /// git in this repo, its commits dated [`NOW`].
    pub fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .env("GIT_AUTHOR_DATE", NOW)
            .env("GIT_COMMITTER_DATE", NOW)
            .args(args)
            .current_dir(self.path())
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn commit_as(&self, who: &str, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message, "--author", who]);
    }

    /// Commit everything as `who` on `date` (YYYY-MM-DD, noon UTC).
    pub fn commit_at(&self, who: &str, date: &str, message: &str) {
        self.git(&["add", "-A"]);
        let stamp = format!("{date}T12:00:00+00:00");
        let out = std::process::Command::new("git")
            .args(["commit", "-q", "-m", message, "--author", who])
            .env("GIT_AUTHOR_DATE", &stamp)
            .env("GIT_COMMITTER_DATE", &stamp)
            .current_dir(self.path())
            .output()
            .expect("git commit");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Copy a packet (and the config naming its people) from examples/ into this repo. The
    /// examples are all signed off (so that their verdict never changes with the calendar); for
    /// `winback-email` and `onboarding-kickoff`, the tests take the packets as they stand before
    /// their handoff (ready, and a draft), kept in `tests/fixtures/packets/`.
    pub fn copy_example(&self, id: &str) {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let before = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/packets")
            .join(id);
        if !self.file("handoff.toml").exists() {
            self.write(
                "handoff.toml",
                std::fs::read(examples.join("handoff.toml")).expect("config"),
            );
        }
        let src = if before.is_dir() {
            before
        } else {
            examples.join("handoffs").join(id)
        };
        let mut folders = vec![(src, String::new())];
        while let Some((dir, rel)) = folders.pop() {
            for entry in std::fs::read_dir(&dir).expect("example") {
                let entry = entry.expect("entry");
                let name = format!("{rel}{}", entry.file_name().to_string_lossy());
                if entry.file_type().expect("type").is_dir() {
                    folders.push((entry.path(), format!("{name}/")));
                    continue;
                }
                let text = std::fs::read(entry.path()).expect("read example");
                self.write(&format!("handoffs/{id}/{name}"), text);
            }
        }
    }
}

/// Copy the folder `from` into `to` with everything below it (a packet with its `metrics/`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Make the example winback-email packet complete for every gate: every criterion checked and
/// the live meeting recorded.
pub fn finish_winback(repo: &Repo) {
    let path = "handoffs/winback-email/handoff.md";
    let text = repo.read(path).replace("- [ ]", "- [x]");
    let start = text.find("live_meeting:\n").expect("live_meeting");
    let end = start
        + text[start..]
            .find("\nsignoffs:")
            .expect("signoffs after live_meeting")
        + 1;
    let record = "shadow_log: []\nlive_meeting:\n  date: 2026-12-07\n  attendees:\n    - Aisha Khan <aisha@northwind.test>\n    - Jordan Blake <jordan@northwind.test>\n  recording: https://video.northwind.test/share/winback-live\n  decisions:\n    - Lifecycle ops runs the sends from day 0\n  open_questions: []\n";
    repo.write(path, format!("{}{record}{}", &text[..start], &text[end..]));
}

/// The diagnostics of one packet in a JSON check document.
pub fn diagnostics<'a>(doc: &'a serde_json::Value, id: &str) -> Vec<&'a serde_json::Value> {
    doc["packets"]
        .as_array()
        .expect("packets")
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no packet {id} in {doc}"))["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .collect()
}

/// Diagnostics of a rule at a severity.
pub fn with_rule<'a>(
    diags: &[&'a serde_json::Value],
    rule: &str,
    severity: &str,
) -> Vec<&'a serde_json::Value> {
    diags
        .iter()
        .copied()
        .filter(|d| d["rule"] == rule && d["severity"] == severity)
        .collect()
}

/// The seven milestone dates of the example gtm-play packet (day 0 on 2026-12-07).
pub const WINBACK_TIMELINE: [&str; 7] = [
    "2026-11-30",
    "2026-12-04",
    "2026-12-05",
    "2026-12-07",
    "2026-12-10",
    "2026-12-14",
    "2026-12-21",
];

/// Assert that `text` contains every one of `expected`, naming the first that is missing.
pub fn assert_contains_all(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "missing {e:?} in\n{text}");
    }
}

/// The headless browser on this machine. The tests that use it are ignored unless asked for
/// (`cargo test -- --include-ignored`, as `.ci/run` does after installing it); asked for
/// without a browser, they fail rather than pass untested.
pub fn chromium() -> &'static str {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("this test needs chromium on PATH (`.ci/run` installs it)")
}

/// A headless browser run with its own profile, no network chatter and a fixed window.
pub fn headless(browser: &str, profile: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1000,1400",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}
