//! The names the project is distributed under, held in every file: `handoff-packets` on PyPI and
//! crates.io (`handoff-cli` on PyPI and `handoff` on crates.io are other projects, whose install
//! commands would run someone else's software), the command `handoff` it installs; and the README
//! as PyPI and crates.io show it, where only absolute links work.

use std::path::Path;
use std::process::Command;

/// The one distribution name.
const NAME: &str = "handoff-packets";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The files git tracks, but the tests (which name the other projects to refuse them) and the
/// lock file.
fn shipped_files() -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files"])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|f| !f.starts_with("tests/") && *f != "Cargo.lock")
        .map(str::to_string)
        .collect()
}

/// Every place in `text` where an install command names a package other than ours.
fn foreign_installs(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        // Names of the other projects may be mentioned only to say they are others.
        let mut foreign = line.contains("handoff-cli") && !line.contains("other project");
        for command in [
            "pipx install ",
            "pip install ",
            "uvx --from ",
            "uv tool install ",
            "cargo binstall ",
            "cargo install ",
            "cargo add ",
        ] {
            let mut rest = line;
            while let Some(at) = rest.find(command) {
                let after = &rest[at + command.len()..];
                foreign |= after.starts_with("handoff") && !after.starts_with(NAME);
                rest = after;
            }
        }
        if foreign {
            found.push(line.trim().to_string());
        }
    }
    found
}

#[test]
fn every_file_names_the_distribution_handoff_packets() {
    let manifest = read("Cargo.toml");
    assert!(
        manifest.contains(&format!("[package]\nname = \"{NAME}\"\n")),
        "Cargo.toml"
    );
    assert!(
        manifest.contains("[[bin]]\nname = \"handoff\"\n"),
        "the command is handoff"
    );
    assert!(read("pyproject.toml").contains(&format!("\nname = \"{NAME}\"\n")));
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        read("editors/pre-commit-mirror/pyproject.toml")
            .contains(&format!("dependencies = [\"{NAME}=={version}\"]"))
    );
    assert!(read("scripts/pre_commit_mirror.sh").contains(&format!("\"{NAME}==")));
    let readme = read("README.md");
    for command in [
        format!("pipx install {NAME}"),
        format!("uvx --from {NAME} handoff"),
        format!("cargo binstall {NAME}"),
        format!("cargo install {NAME}"),
    ] {
        assert!(readme.contains(&command), "the README lacks `{command}`");
    }
    assert!(read(".github/workflows/release.yml").contains(&format!("pipx install {NAME}")));
    // No file installs another project's package by a name that looks like ours.
    let mut found = Vec::new();
    for file in shipped_files() {
        let Ok(text) = std::fs::read_to_string(root().join(&file)) else {
            continue;
        };
        for line in foreign_installs(&text) {
            found.push(format!("{file}: {line}"));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
    // The check can fail.
    assert_eq!(
        foreign_installs("run: pipx install handoff-cli\nrun: cargo binstall handoff\n").len(),
        2
    );
    assert!(foreign_installs("uvx --from handoff-packets handoff check").is_empty());
}

#[test]
fn the_readme_links_work_where_pypi_and_crates_io_show_it() {
    // PyPI shows the README without the repository around it and without heading anchors: a
    // relative link or a bare `#anchor` goes nowhere there.
    let readme = read("README.md");
    let mut bad = Vec::new();
    let mut in_code = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let target = &rest[at + 2..];
            let end = target.find(')').unwrap_or(target.len());
            let url = &target[..end];
            if !url.starts_with("https://") && !url.starts_with("http://") {
                bad.push(url.to_string());
            }
            rest = &target[end..];
        }
    }
    assert!(bad.is_empty(), "links that break on PyPI: {bad:?}");
}

#[test]
fn the_python_package_metadata_is_current() {
    let pyproject = read("pyproject.toml");
    // An SPDX expression (PEP 639), not the legacy table setuptools stops accepting.
    assert!(
        pyproject.contains("\nlicense = \"MIT OR Apache-2.0\"\n"),
        "{pyproject}"
    );
    assert!(pyproject.contains("license-files = [\"LICENSE-MIT\", \"LICENSE-APACHE\"]"));
    assert!(
        !pyproject.contains("License ::"),
        "no license classifier beside an expression"
    );
    for key in ["Homepage", "Repository", "Issues", "Documentation"] {
        assert!(
            pyproject.contains(&format!("\n{key} = \"https://")),
            "{key}"
        );
    }
    assert!(pyproject.matches("\"Topic :: ").count() >= 2);
    assert!(
        read("editors/pre-commit-mirror/pyproject.toml")
            .contains("\nlicense = \"MIT OR Apache-2.0\"\n")
    );
}
