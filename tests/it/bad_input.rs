//! Every kind of bad input gets a located diagnostic and exit 1 — never a panic, never a hang —
//! and the other packets are still checked.

use crate::common;
use common::{Repo, diagnostics};

const GOOD: &str = "onboarding-kickoff";

/// Write a broken packet `bad` beside a good one, check, and return the bad packet's diagnostics.
fn check_bad(write: impl FnOnce(&Repo)) -> Vec<serde_json::Value> {
    let repo = Repo::new();
    repo.copy_example(GOOD);
    write(&repo);
    let (code, doc) = repo.check_json(&["--today", "2026-11-26"]);
    assert_eq!(code, 1, "{doc}");
    let good = doc["packets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == GOOD)
        .expect("good packet still checked");
    assert_eq!(good["pass"], true, "{doc}");
    diagnostics(&doc, "bad").into_iter().cloned().collect()
}

fn assert_located(diags: &[serde_json::Value], rule: &str, file: &str, line: u64) {
    assert!(
        diags.iter().any(|d| d["rule"] == rule
            && d["file"] == file
            && d["line"] == line
            && d["severity"] == "error"),
        "expected {rule} at {file}:{line}, got {diags:#?}"
    );
}

const FILE: &str = "handoffs/bad/handoff.md";

fn packet(front: &str) -> String {
    format!("---\n{front}---\n\n# Bad\n")
}

#[test]
fn empty_file() {
    let d = check_bad(|r| r.write(FILE, ""));
    assert_located(&d, "front-matter", FILE, 1);
    assert!(d[0]["message"].as_str().unwrap().contains("empty"));
}

#[test]
fn no_front_matter() {
    let d = check_bad(|r| r.write(FILE, "# Just a heading\n\nSome text.\n"));
    assert_located(&d, "front-matter", FILE, 1);
}

#[test]
fn front_matter_never_closed() {
    let d = check_bad(|r| r.write(FILE, "---\nid: bad\nkind: generic\n\n# Body\n"));
    assert_located(&d, "front-matter", FILE, 1);
    assert!(d[0]["message"].as_str().unwrap().contains("never closed"));
}

#[test]
fn tabs_in_indentation() {
    let d = check_bad(|r| r.write(FILE, packet("id: bad\nowner:\n\tsender: A <a@b.test>\n")));
    assert_located(&d, "yaml-invalid", FILE, 4);
    assert!(d[0]["help"].as_str().unwrap().contains("tab"));
}

#[test]
fn unclosed_quote() {
    let d = check_bad(|r| {
        r.write(
            FILE,
            packet("id: bad\ntitle: \"never closed\nkind: generic\n"),
        )
    });
    assert!(d.iter().any(|d| d["rule"] == "yaml-invalid"
        && d["file"] == FILE
        && d["line"].as_u64().unwrap() >= 3));
}

#[test]
fn duplicate_keys() {
    let d = check_bad(|r| r.write(FILE, packet("id: bad\nkind: generic\nkind: release\n")));
    assert_located(&d, "yaml-invalid", FILE, 4);
    assert!(d[0]["message"].as_str().unwrap().contains("twice"));
}

#[test]
fn wrong_types() {
    let front = "id: bad\ntitle: [a, b]\nkind: generic\nfrom: a\nto: b\nday0: 2027-01-01\nstatus: draft\ninputs: just one\nowner: Dana\n";
    let d = check_bad(|r| r.write(FILE, packet(front)));
    assert_located(&d, "header-missing", FILE, 3);
    assert_located(&d, "wrong-type", FILE, 9);
    assert_located(&d, "wrong-type", FILE, 10);
}

#[test]
fn list_or_scalar_at_the_top() {
    let d = check_bad(|r| r.write(FILE, packet("- id: bad\n- kind: generic\n")));
    assert_located(&d, "yaml-invalid", FILE, 2);
    let d = check_bad(|r| r.write(FILE, packet("just some words\n")));
    assert_located(&d, "yaml-invalid", FILE, 2);
}

#[test]
fn alias_bomb_is_refused_at_once() {
    let mut front = String::from("id: bad\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        front.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    let d = check_bad(|r| r.write(FILE, packet(&front)));
    assert_located(&d, "yaml-invalid", FILE, 3);
    assert!(d[0]["message"].as_str().unwrap().contains("anchors"));
}

#[test]
fn deep_nesting() {
    let deep = format!("id: bad\nx: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let d = check_bad(|r| r.write(FILE, packet(&deep)));
    assert_located(&d, "yaml-invalid", FILE, 3);
    let nested_maps: String = (0..200)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    let d = check_bad(|r| r.write(FILE, packet(&format!("id: bad\n{nested_maps}"))));
    assert!(
        d.iter()
            .any(|d| d["rule"] == "yaml-invalid"
                && d["message"].as_str().unwrap().contains("deeper"))
    );
}

#[test]
fn binary_file() {
    let d = check_bad(|r| r.write(FILE, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice()));
    assert_located(&d, "file-invalid", FILE, 1);
    assert!(d[0]["message"].as_str().unwrap().contains("binary"));
}

#[test]
fn non_utf8_names_the_line() {
    let d = check_bad(|r| r.write(FILE, b"---\nid: bad\ntitle: caf\xe9\n---\n".as_slice()));
    assert_located(&d, "file-invalid", FILE, 3);
    assert!(d[0]["message"].as_str().unwrap().contains("UTF-8"));
}

#[test]
fn missing_handoff_md() {
    let d = check_bad(|r| r.write("handoffs/bad/notes.md", "notes"));
    assert_located(&d, "file-invalid", FILE, 1);
}

const GTM: &str = "id: bad\ntitle: T\nkind: gtm-play\nfrom: a\nto: b\nday0: 2027-01-01\nstatus: draft\nrunbook:\n  file: runbook.md\n  sla: 1h\n";

#[test]
fn missing_attachment() {
    let repo = Repo::new();
    repo.write(FILE, packet(GTM));
    let (code, doc) = repo.check_json(&["--gate", "ready"]);
    assert_eq!(code, 1);
    let d: Vec<_> = diagnostics(&doc, "bad").into_iter().cloned().collect();
    assert_located(&d, "attachment-missing", FILE, 10);
}

#[test]
fn unreadable_attachment() {
    // A folder where the runbook should be cannot be read as a file (permissions do not stop root).
    let d = check_bad(|r| {
        r.write(FILE, packet(GTM));
        std::fs::create_dir_all(r.file("handoffs/bad/runbook.md")).unwrap();
    });
    assert_located(&d, "attachment-invalid", FILE, 10);
    let d = check_bad(|r| {
        r.write(FILE, packet(GTM));
        r.write("handoffs/bad/runbook.md", b"\xff\xfe binary\0".as_slice());
    });
    assert_located(&d, "attachment-invalid", FILE, 10);
}

#[test]
fn ten_megabyte_packet() {
    let big = format!(
        "---\nid: bad\n---\n{}",
        "lorem ipsum dolor sit amet\n".repeat(400_000)
    );
    assert!(big.len() > 10_000_000);
    let d = check_bad(|r| r.write(FILE, big));
    assert_located(&d, "file-invalid", FILE, 1);
    assert!(d[0]["message"].as_str().unwrap().contains("larger than"));
}

#[cfg(unix)]
#[test]
fn symlink_leaving_the_repo() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "## Run checklist\n- [ ] x\n",
    )
    .unwrap();
    let d = check_bad(|r| {
        r.write(FILE, packet(GTM));
        std::os::unix::fs::symlink(
            outside.path().join("secret.md"),
            r.file("handoffs/bad/runbook.md"),
        )
        .unwrap();
    });
    assert_located(&d, "attachment-invalid", FILE, 10);
    assert!(
        d.iter()
            .any(|d| { d["message"].as_str().unwrap().contains("leaves the packet") })
    );
    let d = check_bad(|r| {
        r.write(
            FILE,
            packet(&GTM.replace("file: runbook.md", "file: ../../../etc/passwd")),
        )
    });
    assert_located(&d, "attachment-invalid", FILE, 10);
    let d = check_bad(|r| {
        std::fs::create_dir_all(r.file("handoffs/bad")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.md"), r.file(FILE)).unwrap();
    });
    assert_located(&d, "file-invalid", FILE, 1);
    assert!(d[0]["message"].as_str().unwrap().contains("symbolic link"));
}

#[test]
fn hostile_packet_folder_names_are_reported() {
    let d = check_bad(|r| r.write(FILE, packet("id: Bad Name\n")));
    assert_located(&d, "id-invalid", FILE, 2);
}
