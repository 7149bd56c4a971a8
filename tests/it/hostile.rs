//! Hostile repositories: what a pull request from a stranger could commit, tried against every
//! command CI might run. Each case asserts no panic, no file from outside the repository in any
//! output, nothing written outside it, an answer before a deadline (a hang or a quadratic path
//! trips it) under a 500 MB address-space limit, and a clear error where one is due.

use crate::common;
use common::Repo;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a run leaked if it printed this: it sits in a file outside the repository, and in the
/// environment of every run.
const SECRET: &str = "HOSTILE_SECRET_7f3a9c";
/// The deadline for an answer on files under 2 MB: a guard against a hang or a quadratic blow-up
/// (which takes minutes on these inputs), not a speed figure; `scripts/bench.sh` measures speed.
/// Loose enough for a debug build on a loaded 2-core machine.
const DEADLINE: Duration = Duration::from_secs(15);

/// Timed runs take turns, so that parallel tests do not eat each other's deadline.
static TIMED: Mutex<()> = Mutex::new(());

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `handoff args` in `dir` under `ulimit -v 500000` (KiB), killed at the deadline; assert no
/// panic, no secret, and an answer in time.
fn run_in(dir: &Path, args: &[&str]) -> Out {
    let _turn = TIMED.lock().unwrap_or_else(|e| e.into_inner());
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 500000 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOSTILE_TOKEN", SECRET)
        .env("GIT_AUTHOR_NAME", "Ann Lee")
        .env("GIT_AUTHOR_EMAIL", "ann@x.test")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn");
    // Drain the pipes on threads so a large output cannot block the child.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut so, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut se, &mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("handoff {args:?} gave no answer within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = Out {
        code: status.code(),
        stdout: String::from_utf8_lossy(&t_out.join().expect("stdout")).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().expect("stderr")).into_owned(),
    };
    assert!(
        !out.stderr.contains("panicked") && out.code != Some(101),
        "handoff {args:?} panicked: {}",
        out.stderr
    );
    assert!(
        !out.stdout.contains(SECRET) && !out.stderr.contains(SECRET),
        "handoff {args:?} printed a secret from outside the repository:\n{}\n{}",
        out.stdout,
        out.stderr
    );
    out
}

fn run(repo: &Repo, args: &[&str]) -> Out {
    run_in(repo.path(), args)
}

/// A repo with a complete packet `p` of the generic kind and a secret file beside the repo.
fn hostile() -> (Repo, tempfile::TempDir) {
    let outside = tempfile::tempdir().expect("outside");
    std::fs::write(outside.path().join("secret"), format!("TOKEN={SECRET}\n")).unwrap();
    let repo = Repo::new();
    repo.copy_example("winback-email");
    // The runs sign as Ann Lee: let her hold the pm role.
    repo.write(
        "handoff.toml",
        repo.read("handoff.toml").replace(
            "pm = \"Pat Morgan <pat@northwind.test>\"",
            "pm = \"Ann Lee <ann@x.test>\"",
        ),
    );
    repo.commit_as("Ann Lee <ann@x.test>", "Packet");
    (repo, outside)
}

#[cfg(unix)]
fn link(target: impl AsRef<Path>, at: &Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

#[cfg(unix)]
#[test]
fn template_overrides_linked_outside_are_refused() {
    let (repo, outside) = hostile();
    link(
        outside.path().join("secret"),
        &repo.file(".handoff/templates/packet.md.j2"),
    );
    let out = run(&repo, &["render", "winback-email", "--format", "md"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("outside the repository"),
        "{}",
        out.stderr
    );

    std::fs::remove_file(repo.file(".handoff/templates/packet.md.j2")).unwrap();
    link(
        "/proc/self/environ",
        &repo.file(".handoff/templates/packet.md.j2"),
    );
    let out = run(&repo, &["render", "winback-email", "--format", "md"]);
    assert_eq!(out.code, Some(2));

    std::fs::remove_file(repo.file(".handoff/templates/packet.md.j2")).unwrap();
    link(
        outside.path().join("secret"),
        &repo.file(".handoff/templates/style.css.j2"),
    );
    let out = run(&repo, &["render", "winback-email", "--format", "html"]);
    assert_eq!(out.code, Some(2));
}

#[cfg(unix)]
#[test]
fn a_kind_template_linked_outside_is_never_copied_into_a_packet() {
    let (repo, outside) = hostile();
    repo.write(
        ".handoff/kinds/evil/kind.yaml",
        "name: evil\nsummary: x\nfields: []\n",
    );
    link(
        outside.path().join("secret"),
        &repo.file(".handoff/kinds/evil/handoff.md.j2"),
    );
    let out = run(
        &repo,
        &[
            "new",
            "q",
            "--kind",
            "evil",
            "--day0",
            "2026-12-07",
            "--from",
            "a",
            "--to",
            "b",
        ],
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(!repo.file("handoffs/q").exists());
}

#[cfg(unix)]
#[test]
fn a_config_or_kind_linked_to_secrets_or_devices_is_refused_unread() {
    let (repo, _outside) = hostile();
    std::fs::remove_file(repo.file("handoff.toml")).unwrap();
    link("/proc/self/environ", &repo.file("handoff.toml"));
    let out = run(&repo, &["check"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("handoff.toml"), "{}", out.stderr);

    std::fs::remove_file(repo.file("handoff.toml")).unwrap();
    link("/dev/zero", &repo.file(".handoff/kinds/zero/kind.yaml"));
    let out = run(&repo, &["check"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("kind.yaml"), "{}", out.stderr);
}

#[test]
fn the_packets_root_must_stay_inside_the_repository() {
    for packets in ["/tmp", "..", "a/../../b"] {
        let (repo, _outside) = hostile();
        repo.write("handoff.toml", format!("packets = \"{packets}\"\n"));
        for args in [
            &["check"][..],
            &[
                "new",
                "z",
                "--day0",
                "2026-12-07",
                "--from",
                "a",
                "--to",
                "b",
            ][..],
        ] {
            let out = run(&repo, args);
            assert_eq!(out.code, Some(2), "{packets}: {}", out.stderr);
            assert!(
                out.stderr.contains("inside the repository"),
                "{}",
                out.stderr
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_committed_link_for_the_packets_folder_or_github_is_refused() {
    let (repo, outside) = hostile();
    std::fs::remove_dir_all(repo.file("handoffs")).unwrap();
    link(outside.path(), &repo.file("handoffs"));
    let out = run(
        &repo,
        &[
            "new",
            "z",
            "--day0",
            "2026-12-07",
            "--from",
            "a",
            "--to",
            "b",
        ],
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        !outside.path().join("z").exists(),
        "nothing written outside"
    );
    let out = run(&repo, &["check"]);
    assert_eq!(out.code, Some(2));

    // A packet folder that is a link to elsewhere is neither listed nor read when named.
    let (repo, outside) = hostile();
    std::fs::write(
        outside.path().join("handoff.md"),
        format!("---\nid: evil\ntitle: {SECRET}\n---\n"),
    )
    .unwrap();
    link(outside.path(), &repo.file("handoffs/evil"));
    let out = run(&repo, &["check", "handoffs/evil"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let out = run(&repo, &["render", "--all", "-o", "site"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!repo.file("site/evil.md").exists());

    let (repo, outside) = hostile();
    link(outside.path(), &repo.file(".github"));
    let out = run(&repo, &["init"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(!outside.path().join("workflows").exists());
}

#[cfg(unix)]
#[test]
fn render_output_never_goes_through_a_pipe_or_link_and_no_page_replaces_the_index() {
    let (repo, outside) = hostile();
    let fifo = repo.file("review.md");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let out = run(&repo, &["render", "winback-email", "-o", "review.md"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);

    link(outside.path().join("secret"), &repo.file("out.md"));
    let out = run(&repo, &["render", "winback-email", "-o", "out.md"]);
    assert_eq!(out.code, Some(2));
    assert!(
        std::fs::read_to_string(outside.path().join("secret"))
            .unwrap()
            .contains(SECRET),
        "the link's target is untouched"
    );

    // A packet named `index` gets its own page; the index stays the index.
    std::fs::rename(
        repo.file("handoffs/winback-email"),
        repo.file("handoffs/index"),
    )
    .unwrap();
    let p = "handoffs/index/handoff.md";
    repo.write(p, repo.read(p).replace("id: winback-email", "id: index"));
    let out = run(
        &repo,
        &["render", "--all", "--format", "html", "-o", "site"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let index = repo.read("site/index.html");
    assert!(index.contains("href=\"index-packet.html\""), "{index}");
    assert!(repo.file("site/index-packet.html").is_file());
}

#[test]
fn a_revision_that_looks_like_an_option_is_refused() {
    let (repo, outside) = hostile();
    let target = outside.path().join("written-by-git");
    let arg = format!("--changed-since=--output={}", target.display());
    let out = run(&repo, &["check", &arg]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(!target.exists(), "git wrote a file outside the repository");
}

#[test]
fn dates_beyond_the_calendar_are_located_errors_in_every_command() {
    let (repo, _outside) = hostile();
    let p = "handoffs/winback-email/handoff.md";
    repo.write(
        p,
        repo.read(p)
            .replace("day0: 2026-12-07", "day0: +262142-12-31"),
    );
    for args in [
        &["check", "--format", "json"][..],
        &["status"][..],
        &["remind"][..],
        &["render", "winback-email"][..],
        &["timeline", "winback-email"][..],
        &["stats"][..],
    ] {
        let out = run(&repo, args);
        assert!(matches!(out.code, Some(0..=2)), "{args:?}: {}", out.stderr);
    }
    let out = run(&repo, &["check", "--format", "json"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stdout.contains("\"rule\": \"date-invalid\"") || out.stdout.contains("date-invalid"),
        "{}",
        out.stdout
    );
    let out = run(&repo, &["check", "--today", "+262142-01-01"]);
    assert_eq!(out.code, Some(2));
}

#[test]
fn kinds_with_days_beyond_ten_years_are_refused() {
    for (what, yaml) in [
        (
            "milestone",
            "timeline:\n  - day: 100000000\n    title: Far\n",
        ),
        (
            "gate",
            "gates:\n  ready: -2\n  handed-off: 0\n  signed-off: 9223372036854775807\n",
        ),
    ] {
        let (repo, _outside) = hostile();
        repo.write(
            ".handoff/kinds/far/kind.yaml",
            format!("name: far\nsummary: x\nfields: []\n{yaml}"),
        );
        let out = run(&repo, &["check"]);
        assert_eq!(out.code, Some(2), "{what}: {}", out.stderr);
        assert!(out.stderr.contains("days run from"), "{}", out.stderr);
    }
}

/// A packet whose front matter or body is large in one awkward way.
fn big_packet(front: &str, body: &str) -> Repo {
    let (repo, _outside) = hostile();
    let p = "handoffs/winback-email/handoff.md";
    let text = repo
        .read(p)
        .replace("signoffs: []\n", &format!("signoffs: []\n{front}"));
    repo.write(p, format!("{text}\n{body}\n"));
    repo.commit_as("Ann Lee <ann@x.test>", "Big");
    repo
}

#[test]
fn a_flow_list_of_190000_items_answers_in_time() {
    let items = vec!["x"; 190_000].join(", ");
    let repo = big_packet(&format!("extra: [{items}]\n"), "");
    for args in [
        &["check"][..],
        &["render", "winback-email"][..],
        &["sign", "winback-email", "--role", "pm", "--force"][..],
        &["log", "winback-email"][..],
    ] {
        let out = run(&repo, args);
        assert!(matches!(out.code, Some(0 | 1)), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn a_hundred_thousand_unknown_keys_answer_in_time() {
    let keys: String = (0..100_000).map(|i| format!("k{i}: v\n")).collect();
    let repo = big_packet(&keys, "");
    for args in [
        &["check", "--format", "json"][..],
        &["render", "winback-email"][..],
        &["sign", "winback-email", "--role", "pm", "--force"][..],
        &["log", "winback-email"][..],
    ] {
        let out = run(&repo, args);
        assert!(out.code.is_some(), "{args:?}");
    }
}

#[test]
fn deeply_nested_lists_and_quotes_render_in_time() {
    for body in ["- ".repeat(20_000) + "x", "> ".repeat(80_000) + "x"] {
        let repo = big_packet("", &format!("## Notes\n{body}\n"));
        for format in ["md", "html"] {
            let out = run(&repo, &["render", "winback-email", "--format", format]);
            assert_eq!(out.code, Some(0), "{}", out.stderr);
        }
    }
}

#[test]
fn a_huge_historical_version_is_passed_over_not_held_in_memory() {
    let (repo, _outside) = hostile();
    let p = "handoffs/winback-email/handoff.md";
    let original = repo.read(p);
    let line = "lorem ipsum dolor sit amet, consectetur adipiscing elit\n";
    repo.write(p, line.repeat(120 * 1024 * 1024 / line.len()));
    repo.commit_as("Ann Lee <ann@x.test>", "A huge version");
    repo.write(p, original);
    repo.commit_as("Ann Lee <ann@x.test>", "Back to normal");
    for args in [&["log", "winback-email"][..], &["stats"][..]] {
        let out = run(&repo, args);
        assert!(matches!(out.code, Some(0 | 1)), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn a_huge_file_in_a_signed_packet_is_refused_unread() {
    let (repo, _outside) = hostile();
    let big = std::fs::File::create(repo.file("handoffs/winback-email/data.bin")).unwrap();
    big.set_len(1536 * 1024 * 1024).unwrap(); // sparse: 1.5 GB that takes no disk
    let out = run(&repo, &["check", "--format", "json"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stdout.contains("too large to be part of a packet"),
        "{}",
        out.stdout
    );
    let out = run(&repo, &["sign", "winback-email", "--role", "pm", "--force"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

#[test]
fn a_template_that_loops_forever_or_writes_a_gigabyte_is_stopped() {
    for template in [
        "{% for a in range(100000) %}{% for b in range(100000) %}{% for c in range(100000) %}x{% endfor %}{% endfor %}{% endfor %}",
        "{% for a in range(1000000) %}{{ 'x' * 100000 }}{% endfor %}",
    ] {
        let (repo, _outside) = hostile();
        repo.write(".handoff/templates/packet.md.j2", template);
        let out = run(&repo, &["render", "winback-email", "--format", "md"]);
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(out.stderr.contains("template"), "{}", out.stderr);
    }
}

#[test]
fn the_markdown_review_keeps_no_html_or_unsafe_link_from_the_packet() {
    let (repo, _outside) = hostile();
    let p = "handoffs/winback-email/handoff.md";
    let text = repo
        .read(p)
        .replace(
            "walkthrough: https://video.northwind.test/share/winback-walkthrough",
            "walkthrough: \"https://x/) <img src=x onerror=alert(1)>\"",
        )
        .replace(
            "kpi: Reactivated trial accounts",
            "kpi: \"[click](javascript:alert(1)) <b onclick=x()>b</b>\"",
        )
        .replace(
            "## Summary\n",
            "## Summary\n<script>alert(1)</script>\n\n<iframe src=\"https://evil.test\"></iframe>\n\n<meta http-equiv=\"refresh\" content=\"0;url=https://evil.test\">\n\n[x](javascript:alert(2)) [y](data:text/html,z)\n\n",
        );
    repo.write(p, text);
    let out = run(&repo, &["render", "winback-email", "--format", "md"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&out.stdout));
    for bad in [
        "<script",
        "<iframe",
        "<meta",
        "<img",
        "<b ",
        "href=\"javascript",
        "href=\"data",
    ] {
        assert!(!html.contains(bad), "{bad} survives in\n{html}");
    }
    // What remains of the handlers is text (escaped) or inside a quoted, encoded link: never an
    // attribute of a tag.
    for handler in ["onerror=", "onclick="] {
        for (at, _) in html.match_indices(handler) {
            let before = &html[..at];
            let tag_open = before.rfind('<').unwrap_or(0);
            let in_tag = tag_open > before.rfind('>').unwrap_or(0);
            let quoted = before[tag_open..].matches('"').count() % 2 == 1;
            assert!(!in_tag || quoted, "{handler} is an attribute in\n{html}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    for cmd in [
        "\"$0\" kinds | head -c 1 >/dev/null",
        "\"$0\" explain | head -c 1 >/dev/null",
        "\"$0\" render winback-email | head -c 1 >/dev/null",
    ] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("{cmd}; echo \"${{PIPESTATUS:-}}\""))
            .arg(env!("CARGO_BIN_EXE_handoff"))
            .current_dir(repo.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{cmd}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{cmd}: {stderr}");
    }
}
