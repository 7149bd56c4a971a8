//! Every rule, in process: for each rule id a fixture it reports on (the id, severity, line and
//! gist of the message asserted) and a near miss it stays silent about. Fixtures are packets
//! written in temp folders, most of them small edits of one clean packet of the `probe` kind
//! below, which asks one question of every shape; the rules that read history or a base run on
//! real git repositories. A rule without a case fails `every_rule_has_a_case`.

use crate::facts::gate::Gate;
use crate::facts::packet::Packet;
use crate::facts::signoff::{self, Signoff};
use crate::facts::workspace::Workspace;
use crate::judgement::diagnostic::Severity;
use crate::judgement::rules;
use crate::judgement::verdict;
use chrono::NaiveDate;
use std::path::Path;
use std::process::Command;

/// A kind that asks one question of each shape, a shaped table, criteria, two roles, a
/// milestone, a KPI rule and a waiver limit.
const PROBE_KIND: &str = r#"name: probe
summary: One question of each shape
version: 1
fields:
  - key: owner
    type: person
    prompt: Who owns the work?
  - key: due
    type: date
    prompt: By when?
  - key: recording
    type: url
    prompt: Where is the recording?
  - key: channel
    type: text
    prompt: Where do alerts go?
  - key: steps
    type: list
    item: text
    prompt: Which steps?
  - key: tier
    type: text
    one_of: [low, high]
    prompt: Which risk tier?
  - key: result
    type: text
    expect: pass
    prompt: Did the readiness check pass?
  - key: runbook
    type: file
    checklists: [Run checklist]
    prompt: Which file holds the runbook?
  - key: segments
    type: list
    item: text
    prompt: Which segments are routed?
  - key: metric
    type: map
    prompt: Which number shows it works?
    fields:
      - key: target
        type: text
        prompt: What value counts as success?
      - key: series
        type: map
        required: false
        prompt: Where is it measured day by day?
        fields:
          - key: file
            type: text
            required: false
            prompt: Which file holds it?
sections:
  - title: Summary
    prompt: what moves and why
  - title: Routing
    prompt: who gets what
    table:
      columns: [Segment, Goes to, Within]
      numbers: [Within]
      covers: {column: Segment, field: segments}
      catch_all: Segment
  - title: Acceptance criteria
    prompt: what the receiving team needs
    tasks: true
    all_checked: handed-off
roles:
  - name: sender
    description: The sending team
  - name: receiver
    description: The receiving team
criteria:
  - Runbook walked through
timeline:
  - day: -2
    title: Packet ready for review
    evidence:
      status: ready
kpi:
  window: 3
  gate: handed-off
  misses: 0
  breach_days: 2
waivers:
  max_days: 30
"#;

const PROBE_PACKET: &str = r#"---
id: probe-one
title: Probe packet
kind: probe
from: growth
to: ops
day0: 2027-03-10
status: draft
owner: Ann Lee <ann@x.test>
due: 2027-03-20
recording: https://video.example.test/probe
channel: "Alerts to #ops"
steps:
  - Turn it on
tier: low
result: pass
runbook: runbook.md
segments:
  - Mid-market
metric:
  target: ">= 4%"
---
# Probe packet

## Summary

Routing moves from growth to ops.

## Routing

| Segment | Goes to | Within |
|---|---|---|
| Mid-market | Pod | 2 hours |
| Any other | Nurture | 1 day |

## Acceptance criteria

- [x] Runbook walked through
"#;

const RUNBOOK: &str = "# Runbook\n\n## Run checklist\n\n- [ ] Turn it on\n";

const CONFIG: &str = "packets = \"handoffs\"\n\n[people]\nsender = \"Ann Lee <ann@x.test>\"\n";

const KIND_FILE: &str = ".handoff/kinds/probe/kind.yaml";

/// A dated list for the probe kind (inserted before its `sections:`): a backlog whose items
/// carry an owner and a due date.
const DATED_LIST: &str = "  - key: backlog\n    type: list\n    required: false\n    prompt: What is left?\n    fields:\n      - key: task\n        type: text\n        prompt: What?\n      - key: owner\n        type: person\n        prompt: Who?\n      - key: due\n        type: date\n        prompt: By when?\n      - key: done\n        type: date\n        required: false\n        prompt: Done when?\nsections:\n";

/// A discovery sync for the probe kind (inserted before its `sections:`).
const DISCOVERY: &str = "  - key: discovery\n    type: map\n    required: false\n    prompt: Who joined discovery?\n    fields:\n      - key: attendees\n        type: list\n        item: text\n        prompt: Who attended?\nsections:\n";
const PACKET: &str = "handoffs/probe-one/handoff.md";
const SERIES: &str = "handoffs/probe-one/metrics/kpi.csv";
const ANN: &str = "Ann Lee <ann@x.test>";
const BO: &str = "Bo Chen <bo@x.test>";
const PAT: &str = "Pat Morgan <pat@x.test>";
/// When the sign-offs of the fixtures were made: in the past whatever day the tests run.
const SIGNED_AT: &str = "2026-11-20T10:00:00Z";

/// Day 0 of the probe packet.
fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 10).expect("a date")
}

/// A repository to check: its files, the day, the gate, and what git holds.
#[derive(Clone)]
struct Fx {
    files: Vec<(String, Vec<u8>)>,
    today: NaiveDate,
    gate: Option<Gate>,
    /// Sign-offs recorded (with the packet's digest at that moment) before `after` runs.
    signs: Vec<(&'static str, &'static str)>,
    /// Edits of the packet made after signing: (from, to).
    after: Vec<(&'static str, &'static str)>,
    /// The sign-offs name the kind this text defines, and its copy is kept as `handoff sign`
    /// keeps it.
    signed_under: Option<String>,
    /// With `--base base`: the files of the base commit (the fixture's files are the change).
    base: Option<Vec<(String, Vec<u8>)>>,
    /// Everything committed at the end, by this author.
    commit_as: Option<&'static str>,
}

impl Fx {
    /// The clean probe packet, checked on day −9 (the draft gate).
    fn probe() -> Fx {
        Fx {
            files: vec![
                ("handoff.toml".into(), CONFIG.into()),
                (KIND_FILE.into(), PROBE_KIND.into()),
                (PACKET.into(), PROBE_PACKET.into()),
                ("handoffs/probe-one/runbook.md".into(), RUNBOOK.into()),
            ],
            today: day0() - chrono::Duration::days(9),
            gate: None,
            signs: Vec::new(),
            after: Vec::new(),
            signed_under: None,
            base: None,
            commit_as: None,
        }
    }

    fn text(&self, path: &str) -> String {
        let (_, bytes) = self
            .files
            .iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("the fixture has no {path}"));
        String::from_utf8(bytes.clone()).expect("UTF-8")
    }

    /// Put a file in place of the one at `path`, or add it.
    fn file(mut self, path: &str, text: impl Into<Vec<u8>>) -> Fx {
        self.files.retain(|(p, _)| p != path);
        self.files.push((path.to_string(), text.into()));
        self
    }

    fn without(mut self, path: &str) -> Fx {
        self.files.retain(|(p, _)| p != path);
        self
    }

    /// Replace the first `from` in the file at `path` (which must hold it) by `to`.
    fn edit_in(self, path: &str, from: &str, to: &str) -> Fx {
        let text = self.text(path);
        assert!(text.contains(from), "{path} has no `{from}`");
        let new = text.replacen(from, to, 1);
        self.file(path, new)
    }

    /// Edit the packet's `handoff.md`.
    fn edit(self, from: &str, to: &str) -> Fx {
        self.edit_in(PACKET, from, to)
    }

    /// Add lines at the end of the front matter.
    fn front(self, lines: &str) -> Fx {
        self.edit(
            "---\n# Probe packet",
            &format!("{lines}---\n# Probe packet"),
        )
    }

    /// Check on day `n` of the packet's timeline.
    fn day(mut self, n: i64) -> Fx {
        self.today = day0() + chrono::Duration::days(n);
        self
    }

    fn gate(mut self, gate: Gate) -> Fx {
        self.gate = Some(gate);
        self
    }

    fn sign(mut self, role: &'static str, by: &'static str) -> Fx {
        self.signs.push((role, by));
        self
    }

    fn then_edit(mut self, from: &'static str, to: &'static str) -> Fx {
        self.after.push((from, to));
        self
    }

    /// The metric answer names a series file holding these rows.
    fn series(self, rows: &[(&str, &str)]) -> Fx {
        let mut csv = String::from("day,value\n");
        for (day, value) in rows {
            csv.push_str(&format!("{day},{value}\n"));
        }
        self.edit(
            "  target: \">= 4%\"\n",
            "  target: \">= 4%\"\n  series:\n    file: metrics/kpi.csv\n",
        )
        .file(SERIES, csv)
    }

    /// Check with `--base` at a commit holding `base`'s files.
    fn on(mut self, base: Fx) -> Fx {
        self.base = Some(base.files);
        self
    }

    fn committed_by(mut self, author: &'static str) -> Fx {
        self.commit_as = Some(author);
        self
    }
}

/// One finding, as the rule reports it.
#[derive(Debug, Clone)]
struct Found {
    rule: &'static str,
    severity: Severity,
    file: String,
    line: usize,
    message: String,
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", "2026-11-21T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-21T10:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write_all(root: &Path, files: &[(String, Vec<u8>)]) {
    for (rel, bytes) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
}

/// Record the sign-offs on the packet, each with its digest at that moment.
fn sign_all(root: &Path, fx: &Fx) {
    let dir = root.join("handoffs/probe-one");
    let kind = fx.signed_under.as_ref().map(|text| {
        let spec = crate::facts::kind::parse_spec(Path::new("kind.yaml"), text.clone(), "probe")
            .expect("the signed-under kind parses");
        let digest = crate::facts::kind::signed::digest(&spec);
        let copy = crate::facts::kind::signed::file_of(root, "probe", spec.version, &digest)
            .expect("a copy's name");
        std::fs::create_dir_all(copy.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&copy, serde_json::to_string(&spec).expect("JSON")).expect("write");
        crate::facts::kind::signed::stamp(&spec)
    });
    for (role, by) in &fx.signs {
        let packet = Packet::load(&dir, &dir);
        let new = Signoff {
            role: role.to_string(),
            by: by.to_string(),
            at: SIGNED_AT.into(),
            digest: signoff::digest(&packet),
            status: packet.text("status").map(str::to_string),
            note: None,
            kind: kind.clone(),
            via: None,
            pos: Default::default(),
        };
        let text = signoff::record(&packet, &new, None).expect("the sign-off is recorded");
        std::fs::write(dir.join("handoff.md"), text).expect("write");
    }
    for (from, to) in &fx.after {
        let path = dir.join("handoff.md");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "the signed packet has no `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    }
}

/// Lay the fixture out in a temp folder and check its packet as `handoff check` does: every
/// finding on the packet, and what the change does to trust (`--base`).
fn run(fx: &Fx) -> (tempfile::TempDir, Vec<Found>) {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let root = tmp.path().to_path_buf();
    if fx.base.is_some() || fx.commit_as.is_some() {
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["config", "user.name", "Test User"]);
        git(&root, &["config", "user.email", "test@example.test"]);
        git(&root, &["config", "commit.gpgsign", "false"]);
    }
    if let Some(base) = &fx.base {
        write_all(&root, base);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-qm", "base"]);
        git(&root, &["tag", "base"]);
        for entry in std::fs::read_dir(&root).expect("read the repo").flatten() {
            if entry.file_name() != ".git" {
                let path = entry.path();
                match path.is_dir() {
                    true => std::fs::remove_dir_all(&path).expect("rm"),
                    false => std::fs::remove_file(&path).expect("rm"),
                }
            }
        }
    }
    write_all(&root, &fx.files);
    sign_all(&root, fx);
    if let Some(author) = fx.commit_as {
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-qm", "packet", "--author", author]);
    }
    let mut ws = Workspace::open(&root).expect("the workspace opens");
    let mut found = Vec::new();
    if fx.base.is_some() {
        let base = crate::facts::trust::open(&mut ws, "base").expect("the base reads");
        crate::facts::prover::install(&mut ws.config.settings, None, false);
        found.extend(base.changes.iter().map(|c| Found {
            rule: c.rule,
            severity: Severity::Warning,
            file: c.file.clone(),
            line: c.line,
            message: c.message.clone(),
        }));
    }
    let dirs = [root.join("handoffs/probe-one")];
    let (checked, _) = verdict::check_keeping(&dirs, &ws, fx.today, fx.gate, true);
    for (_, v) in checked {
        found.extend(v.diagnostics.into_iter().map(|d| Found {
            rule: d.rule.as_str(),
            severity: d.severity,
            file: d.file,
            line: d.pos.line,
            message: d.message,
        }));
    }
    (tmp, found)
}

/// Where the finding must be: the file (its path's end) and the line holding `needle` there.
#[derive(Clone, Copy)]
struct At {
    file: &'static str,
    needle: &'static str,
}

/// On the line of `needle` in the packet's `handoff.md`.
fn at(needle: &'static str) -> At {
    At {
        file: PACKET,
        needle,
    }
}

fn at_in(file: &'static str, needle: &'static str) -> At {
    At { file, needle }
}

/// What a rule must report: its severity, where, and words of its message.
struct Expect {
    severity: Severity,
    at: At,
    gist: &'static [&'static str],
}

fn expect(severity: Severity, at: At, gist: &'static [&'static str]) -> Expect {
    Expect { severity, at, gist }
}

/// One rule's fixture, what it reports there, and a near miss it stays silent about.
struct Case {
    rule: &'static str,
    hit: fn() -> Fx,
    expect: Expect,
    miss: fn() -> Fx,
}

fn case(rule: &'static str, hit: fn() -> Fx, expect: Expect, miss: fn() -> Fx) -> Case {
    Case {
        rule,
        hit,
        expect,
        miss,
    }
}

use Severity::{Error, Note, Warning};

/// The probe kind with the `tier` question taken out: it asks less.
fn probe_without_tier() -> String {
    PROBE_KIND.replacen(
        "  - key: tier\n    type: text\n    one_of: [low, high]\n    prompt: Which risk tier?\n",
        "",
        1,
    )
}

fn waiver(until: &str, at: &str) -> String {
    format!(
        "waivers:\n  - target: tier\n    reason: The tier is decided at the review\n    until: {until}\n    by: Ann Lee <ann@x.test>\n    at: {at}\n"
    )
}

const SENT_BACK: &str = "sent_back:\n  - at: 2027-02-20\n    by: Bo Chen <bo@x.test>\n    from: ready\n    reason: No runbook\n";

const SIGNATURES_ONLY: &str = "packets = \"handoffs\"\n\n[people]\nsender = \"Ann Lee <ann@x.test>\"\n\n[trust]\nproof = [\"signature\"]\n";

/// Every rule's cases.
fn cases() -> Vec<Case> {
    vec![
        // The file and its front matter.
        case(
            "file-invalid",
            || Fx::probe().file(PACKET, b"---\nid: probe-one\n\xff\xfe\n---\n".to_vec()),
            expect(Error, at("\u{fffd}"), &["not valid UTF-8", "line 3"]),
            || Fx::probe().edit("Routing moves", "Routing — déjà vu — moves"),
        ),
        case(
            "front-matter",
            || Fx::probe().edit("---\nid: probe-one\n", "id: probe-one\n"),
            expect(Error, at(""), &["front matter"]),
            || Fx::probe().edit("---\nid: probe-one\n", "---\r\nid: probe-one\n"),
        ),
        case(
            "yaml-invalid",
            || Fx::probe().edit("tier: low\n", "tier: low\ntier: high\n"),
            expect(Error, at("tier: high"), &["tier"]),
            || Fx::probe().edit("tier: low\n", "tier: low # high\n"),
        ),
        // The header.
        case(
            "header-missing",
            || Fx::probe().edit("title: Probe packet\n", ""),
            expect(Error, at("id: probe-one"), &["no `title`"]),
            || Fx::probe().edit("title: Probe packet\n", "title: 'Probe: packet'\n"),
        ),
        case(
            "id-invalid",
            || Fx::probe().edit("id: probe-one", "id: probe-two"),
            expect(
                Error,
                at("id: probe-two"),
                &["`probe-two`", "folder name `probe-one`"],
            ),
            || Fx::probe().edit("id: probe-one", "id: \"probe-one\""),
        ),
        case(
            "kind-unknown",
            || Fx::probe().edit("kind: probe", "kind: prob"),
            expect(Error, at("kind: prob"), &["no kind `prob`"]),
            || Fx::probe().edit("kind: probe", "kind: 'probe'"),
        ),
        case(
            "status-invalid",
            || Fx::probe().edit("status: draft", "status: redy"),
            expect(Error, at("status: redy"), &["`redy` is not a status"]),
            || Fx::probe().edit("status: draft", "status: ready"),
        ),
        // The answers.
        case(
            "unknown-key",
            || Fx::probe().front("ownr: Bo Chen <bo@x.test>\n"),
            expect(Error, at("ownr:"), &["unknown key `ownr`"]),
            || Fx::probe().front("kind_version: 1\n"),
        ),
        case(
            "wrong-type",
            || Fx::probe().edit("steps:\n  - Turn it on\n", "steps: Turn it on\n"),
            expect(
                Error,
                at("steps: Turn"),
                &["`steps` must be a list", "text"],
            ),
            || Fx::probe().edit("steps:\n  - Turn it on\n", "steps: [Turn it on]\n"),
        ),
        case(
            "person-invalid",
            || Fx::probe().edit("owner: Ann Lee <ann@x.test>", "owner: Ann"),
            expect(Error, at("owner: Ann"), &["`owner` is not a person: `Ann`"]),
            // A role named in [people] stands for its holder.
            || Fx::probe().edit("owner: Ann Lee <ann@x.test>", "owner: sender"),
        ),
        case(
            "date-invalid",
            || Fx::probe().edit("due: 2027-03-20", "due: 3/20/2027"),
            expect(Error, at("due: 3/20"), &["`due`"]),
            || Fx::probe().edit("due: 2027-03-20", "due: \"2027-03-20\""),
        ),
        case(
            "url-invalid",
            || Fx::probe().edit("recording: https://video", "recording: video"),
            expect(
                Error,
                at("recording: video"),
                &["`recording` is not a link"],
            ),
            || Fx::probe().edit("recording: https://", "recording: http://"),
        ),
        case(
            "answer-missing",
            || {
                Fx::probe()
                    .edit(
                        "channel: \"Alerts to #ops\"",
                        "channel: \"TODO: where do alerts go?\"",
                    )
                    .gate(Gate::Ready)
            },
            expect(
                Error,
                at("channel: \"TODO"),
                &["`channel` is still a TODO placeholder"],
            ),
            || {
                Fx::probe()
                    .edit(
                        "channel: \"Alerts to #ops\"",
                        "channel: Alerts, TODO list aside",
                    )
                    .gate(Gate::Ready)
            },
        ),
        case(
            "answer-missing",
            || Fx::probe().edit("channel: \"Alerts to #ops\"\n", ""),
            expect(Warning, at("id: probe-one"), &["`channel` is missing"]),
            || Fx::probe().edit("channel: \"Alerts to #ops\"", "channel: none"),
        ),
        case(
            "value-truncated",
            || {
                Fx::probe()
                    .edit("channel: \"Alerts to #ops\"", "channel: Alerts to #ops")
                    .gate(Gate::Ready)
            },
            expect(
                Error,
                at("channel: Alerts"),
                &["`channel` ends before `#ops`"],
            ),
            // `# ` (hash, space) is a comment meant as one.
            || {
                Fx::probe()
                    .edit(
                        "channel: \"Alerts to #ops\"",
                        "channel: Alerts to ops # the channel",
                    )
                    .gate(Gate::Ready)
            },
        ),
        case(
            "answer-choice",
            || Fx::probe().edit("tier: low", "tier: medium"),
            expect(
                Error,
                at("tier: medium"),
                &["`tier` is `medium`", "not one of its choices"],
            ),
            || Fx::probe().edit("tier: low", "tier: HIGH"),
        ),
        case(
            "answer-choice",
            || {
                Fx::probe()
                    .edit("result: pass", "result: fail")
                    .gate(Gate::Ready)
            },
            expect(
                Error,
                at("result: fail"),
                &["the ready gate expects `pass`"],
            ),
            || {
                Fx::probe()
                    .edit("result: pass", "result: Pass")
                    .gate(Gate::Ready)
            },
        ),
        // The body.
        case(
            "section-missing",
            || {
                Fx::probe()
                    .edit("## Summary\n\nRouting moves from growth to ops.\n\n", "")
                    .gate(Gate::Ready)
            },
            expect(Error, at("# Probe packet"), &["no `## Summary` section"]),
            || {
                Fx::probe()
                    .edit("## Summary", "## summary")
                    .gate(Gate::Ready)
            },
        ),
        case(
            "criteria-open",
            || {
                Fx::probe()
                    .edit("- [x] Runbook", "- [ ] Runbook")
                    .gate(Gate::HandedOff)
            },
            expect(
                Error,
                at("- [ ] Runbook"),
                &["acceptance criterion not met: Runbook walked through"],
            ),
            // Before the handed-off gate an open criterion is still work in progress.
            || {
                Fx::probe()
                    .edit("- [x] Runbook", "- [ ] Runbook")
                    .gate(Gate::Ready)
            },
        ),
        case(
            "criterion-missing",
            || {
                Fx::probe()
                    .edit("- [x] Runbook walked through\n", "- [x] Something else\n")
                    .gate(Gate::HandedOff)
            },
            expect(
                Error,
                at("## Acceptance criteria"),
                &["criterion is missing", "Runbook walked through"],
            ),
            // Case and punctuation aside.
            || {
                Fx::probe()
                    .edit(
                        "- [x] Runbook walked through\n",
                        "- [x] runbook walked through.\n",
                    )
                    .gate(Gate::HandedOff)
            },
        ),
        case(
            "table-incomplete",
            || {
                Fx::probe()
                    .edit("| 2 hours |", "| soon |")
                    .gate(Gate::Ready)
            },
            expect(
                Error,
                at("| Mid-market | Pod"),
                &["`Within` cell has no number: `soon`"],
            ),
            || {
                Fx::probe()
                    .edit("| 2 hours |", "| within 2h |")
                    .gate(Gate::Ready)
            },
        ),
        case(
            "table-incomplete",
            || Fx::probe().edit("| Any other |", "| Enterprise |"),
            expect(Warning, at("| Segment |"), &["no fallback row"]),
            || Fx::probe().edit("| Any other |", "| Everything else |"),
        ),
        // Attachments.
        case(
            "attachment-missing",
            || {
                Fx::probe()
                    .edit("runbook: runbook.md", "runbook: runbok.md")
                    .gate(Gate::Ready)
            },
            expect(
                Error,
                at("runbook: runbok.md"),
                &["`runbok.md` does not exist"],
            ),
            || {
                Fx::probe()
                    .edit("runbook: runbook.md", "runbook: ./runbook.md")
                    .gate(Gate::Ready)
            },
        ),
        case(
            "attachment-invalid",
            || Fx::probe().edit("runbook: runbook.md", "runbook: ../runbook.md"),
            expect(
                Error,
                at("runbook: ../"),
                &["points outside the packet folder"],
            ),
            || Fx::probe().edit("runbook: runbook.md", "runbook: ./runbook.md"),
        ),
        case(
            "checklist-missing",
            || {
                Fx::probe().file(
                    "handoffs/probe-one/runbook.md",
                    "# Runbook\n\n## Start\n\n- [ ] Turn it on\n",
                )
            },
            expect(
                Warning,
                at_in("handoffs/probe-one/runbook.md", "# Runbook"),
                &["`runbook.md` has no `## Run checklist` section"],
            ),
            || {
                Fx::probe().file(
                    "handoffs/probe-one/runbook.md",
                    "# Runbook\n\n## RUN CHECKLIST\n\n- [x] Turn it on\n",
                )
            },
        ),
        // Sign-offs.
        case(
            "signoff-invalid",
            || {
                Fx::probe().front(
                    "signoffs:\n  - role: sender\n    by: Ann Lee <ann@x.test>\n    at: 2026-11-20T10:00:00Z\n",
                )
            },
            expect(
                Error,
                at("  - role: sender"),
                &["needs `role`, `by`, `at` and `digest`"],
            ),
            || Fx::probe().sign("sender", ANN),
        ),
        case(
            "signoff-invalid",
            || Fx::probe().sign("sendr", ANN),
            expect(
                Error,
                at("role: sendr"),
                &["`sendr` is not a sign-off role of the probe kind"],
            ),
            || Fx::probe().sign("sender", ANN),
        ),
        case(
            "signoff-missing",
            || Fx::probe().sign("sender", ANN).gate(Gate::SignedOff),
            expect(
                Error,
                at("signoffs:"),
                &["the receiver role has not signed off"],
            ),
            || Fx::probe().sign("sender", ANN).gate(Gate::HandedOff),
        ),
        case(
            "signoff-stale",
            || {
                Fx::probe()
                    .sign("sender", ANN)
                    .then_edit("tier: low", "tier: high")
            },
            expect(
                Warning,
                at("role: sender"),
                &[
                    "sign-off by Ann Lee <ann@x.test>",
                    "is stale: the packet changed",
                ],
            ),
            // Moving the status forward keeps a sign-off fresh.
            || {
                Fx::probe()
                    .sign("sender", ANN)
                    .then_edit("status: draft", "status: ready")
            },
        ),
        case(
            "signoff-stale",
            || {
                Fx::probe()
                    .edit("status: draft", "status: ready")
                    .sign("sender", ANN)
                    .then_edit("status: ready", "status: draft")
                    .gate(Gate::SignedOff)
            },
            expect(
                Error,
                at("role: sender"),
                &["signed at status ready and the status went back to draft"],
            ),
            || {
                Fx::probe()
                    .edit("status: draft", "status: ready")
                    .sign("sender", ANN)
                    .then_edit("status: ready", "status: signed-off")
                    .gate(Gate::SignedOff)
            },
        ),
        case(
            "signoff-unauthorized",
            || Fx::probe().sign("sender", PAT),
            expect(
                Warning,
                at("role: sender"),
                &["by Pat Morgan <pat@x.test>, who does not hold the role"],
            ),
            || Fx::probe().sign("sender", ANN),
        ),
        case(
            "signoff-same-signer",
            || {
                Fx::probe()
                    .sign("sender", ANN)
                    .sign("receiver", ANN)
                    .gate(Gate::SignedOff)
            },
            expect(
                Error,
                at("role: receiver"),
                &["signed as sender and as receiver"],
            ),
            || {
                Fx::probe()
                    .sign("sender", ANN)
                    .sign("receiver", BO)
                    .gate(Gate::SignedOff)
            },
        ),
        case(
            "signoff-unbound",
            || Fx::probe().sign("receiver", BO),
            expect(
                Note,
                at("role: receiver"),
                &["the receiver role is bound to nobody"],
            ),
            || Fx::probe().sign("sender", ANN),
        ),
        case(
            "signoff-unlanded",
            || {
                Fx::probe()
                    .edit_in("handoff.toml", ANN, PAT)
                    .sign("sender", PAT)
                    .on(Fx::probe())
            },
            expect(
                Warning,
                at("role: sender"),
                &["by Pat Morgan <pat@x.test> relies on a binding made since base"],
            ),
            || {
                Fx::probe()
                    .edit_in("handoff.toml", ANN, PAT)
                    .sign("sender", PAT)
                    .on(Fx::probe().edit_in("handoff.toml", ANN, PAT))
            },
        ),
        case(
            "signoff-unproven",
            || {
                Fx::probe()
                    .file("handoff.toml", SIGNATURES_ONLY)
                    .sign("sender", ANN)
            },
            expect(
                Warning,
                at("role: sender"),
                &["sign-off by Ann Lee <ann@x.test> is not proven to be theirs"],
            ),
            || Fx::probe().sign("sender", ANN),
        ),
        case(
            "signoff-audit",
            || {
                Fx::probe()
                    .sign("sender", ANN)
                    .committed_by("Pat Morgan <pat@x.test>")
            },
            expect(
                Warning,
                at("role: sender"),
                &["was committed by Pat Morgan <pat@x.test>"],
            ),
            || Fx::probe().sign("sender", ANN).committed_by(ANN),
        ),
        // The timeline.
        case(
            "status-lags",
            || Fx::probe().day(0),
            expect(
                Warning,
                at("status: draft"),
                &["status is still `draft` on 2027-03-10", "`handed-off`"],
            ),
            || {
                Fx::probe()
                    .edit("status: draft", "status: handed-off")
                    .day(0)
            },
        ),
        case(
            "milestone-overdue",
            || Fx::probe().day(-1),
            expect(
                Warning,
                at("day0:"),
                &["milestone overdue since", "Packet ready for review"],
            ),
            || Fx::probe().edit("status: draft", "status: ready").day(-1),
        ),
        // Waivers.
        case(
            "waiver-invalid",
            || Fx::probe().front(&waiver("2027-06-30", "2027-02-25")),
            expect(
                Error,
                at("  - target: tier"),
                &["runs 125 days", "allows at most 30"],
            ),
            || Fx::probe().front(&waiver("2027-03-27", "2027-02-25")),
        ),
        case(
            "waiver-expired",
            || Fx::probe().front(&waiver("2027-02-28", "2027-02-25")),
            expect(
                Error,
                at("  - target: tier"),
                &["the waiver of `tier` expired on 2027-02-28"],
            ),
            // A waiver holds through its `until` day.
            || Fx::probe().front(&waiver("2027-03-01", "2027-02-25")),
        ),
        case(
            "waiver-unproven",
            || {
                Fx::probe()
                    .file("handoff.toml", SIGNATURES_ONLY)
                    .front(&waiver("2027-03-20", "2027-02-25"))
            },
            expect(
                Error,
                at("  - target: tier"),
                &["the waiver of `tier` by Ann Lee <ann@x.test> waives nothing"],
            ),
            || Fx::probe().front(&waiver("2027-03-20", "2027-02-25")),
        ),
        // Trust: the kind, and what the change under review does.
        case(
            "kind-shadows-builtin",
            || {
                Fx::probe()
                    .file(
                        ".handoff/kinds/generic/kind.yaml",
                        "name: generic\nsummary: Less\nfields: []\n",
                    )
                    .edit("kind: probe", "kind: generic")
            },
            expect(
                Warning,
                at("kind: generic"),
                &["replaces the built-in kind of that name and asks less"],
            ),
            // A repo kind that asks what the built-in asks replaces it without a finding.
            || {
                Fx::probe()
                    .file(
                        ".handoff/kinds/generic/kind.yaml",
                        include_str!("../../templates/kinds/generic/kind.yaml"),
                    )
                    .edit("kind: probe", "kind: generic")
            },
        ),
        case(
            "kind-new-in-change",
            || Fx::probe().on(Fx::probe().without(KIND_FILE)),
            expect(
                Warning,
                at("kind: probe"),
                &["the kind `probe` is new in this change"],
            ),
            || Fx::probe().on(Fx::probe()),
        ),
        case(
            "trust-kind-changed",
            || Fx::probe().on(Fx::probe().without(KIND_FILE)),
            expect(
                Warning,
                at_in(KIND_FILE, ""),
                &["the kind `probe` is new in this change"],
            ),
            || {
                Fx::probe()
                    .edit_in(
                        KIND_FILE,
                        "prompt: Which risk tier?",
                        "prompt: How risky is it?",
                    )
                    .on(Fx::probe())
            },
        ),
        case(
            "kind-weakened-in-change",
            || {
                Fx::probe()
                    .file(KIND_FILE, probe_without_tier())
                    .on(Fx::probe())
            },
            expect(Warning, at("kind: probe"), &["tier"]),
            || {
                Fx::probe()
                    .edit_in(
                        KIND_FILE,
                        "prompt: Which risk tier?",
                        "prompt: How risky is it?",
                    )
                    .on(Fx::probe())
            },
        ),
        case(
            "trust-rebinding",
            || {
                Fx::probe()
                    .edit_in("handoff.toml", ANN, PAT)
                    .on(Fx::probe())
            },
            expect(
                Warning,
                at_in("handoff.toml", "sender ="),
                &["sender", "Pat Morgan <pat@x.test>"],
            ),
            || {
                Fx::probe()
                    .edit_in("handoff.toml", "sender =", "sender  =")
                    .on(Fx::probe())
            },
        ),
        case(
            "kind-switched-in-change",
            || {
                Fx::probe()
                    .file(
                        ".handoff/kinds/lax/kind.yaml",
                        "name: lax\nsummary: Nothing asked\nfields: []\n",
                    )
                    .edit("kind: probe", "kind: lax")
                    .on(Fx::probe())
            },
            expect(
                Error,
                at("kind: lax"),
                &[
                    "moves the packet from the kind `probe` to `lax`",
                    "new in this change",
                ],
            ),
            // A kind that was at the base and asks as much may take the packet.
            || {
                let twin = PROBE_KIND.replacen("name: probe", "name: twin", 1);
                Fx::probe()
                    .file(".handoff/kinds/twin/kind.yaml", twin.clone())
                    .edit("kind: probe", "kind: twin")
                    .on(Fx::probe().file(".handoff/kinds/twin/kind.yaml", twin))
            },
        ),
        case(
            "sendback-removed",
            || Fx::probe().on(Fx::probe().front(SENT_BACK)),
            expect(
                Error,
                at("id: probe-one"),
                &[
                    "removes the send-back of 2027-02-20 by Bo Chen <bo@x.test>",
                    "No runbook",
                ],
            ),
            || {
                Fx::probe()
                    .front(SENT_BACK)
                    .on(Fx::probe().front(SENT_BACK))
            },
        ),
        // The KPI.
        case(
            "kpi-target-invalid",
            || {
                Fx::probe()
                    .series(&[("2027-02-27", "5")])
                    .edit("target: \">= 4%\"", "target: about four percent")
            },
            expect(Warning, at("target: about"), &["the target cannot be read"]),
            || {
                Fx::probe()
                    .series(&[("2027-02-27", "5")])
                    .edit("target: \">= 4%\"", "target: \">= 4% of lapsed users\"")
            },
        ),
        case(
            "kpi-series-invalid",
            || {
                Fx::probe()
                    .series(&[
                        ("2027-03-07", "5"),
                        ("2027-03-08", "abc"),
                        ("2027-03-09", "5"),
                    ])
                    .day(0)
            },
            expect(Error, at_in(SERIES, "2027-03-08,abc"), &[]),
            || {
                Fx::probe()
                    .series(&[
                        ("2027-03-07", "5"),
                        ("2027-03-08", "4.5%"),
                        ("2027-03-09", "5"),
                    ])
                    .day(0)
            },
        ),
        case(
            "kpi-gap",
            || {
                Fx::probe()
                    .series(&[("2027-03-07", "5"), ("2027-03-09", "5")])
                    .day(0)
            },
            expect(
                Error,
                at("file: metrics/kpi.csv"),
                &["1 of the 3 days before day 0 have no value"],
            ),
            || {
                Fx::probe()
                    .series(&[
                        ("2027-03-07", "5"),
                        ("2027-03-08", "5"),
                        ("2027-03-09", "5"),
                    ])
                    .day(0)
            },
        ),
        case(
            "kpi-unstable",
            || {
                Fx::probe()
                    .series(&[
                        ("2027-03-07", "5"),
                        ("2027-03-08", "3.5"),
                        ("2027-03-09", "5"),
                    ])
                    .day(0)
            },
            expect(
                Error,
                at("target: \">= 4%\""),
                &["the KPI missed >= 4% on 1 of the 3 days before day 0"],
            ),
            || {
                Fx::probe()
                    .series(&[
                        ("2027-03-07", "5"),
                        ("2027-03-08", "4"),
                        ("2027-03-09", "5"),
                    ])
                    .day(0)
            },
        ),
        case(
            "kpi-stale",
            || {
                Fx::probe()
                    .series(&[
                        ("2027-03-05", "5"),
                        ("2027-03-06", "5"),
                        ("2027-03-07", "5"),
                    ])
                    .day(0)
            },
            expect(
                Warning,
                at("file: metrics/kpi.csv"),
                &[
                    "the series ends 3 days ago (2027-03-07); without a data contract's freshness, a daily series may be 2 days behind",
                ],
            ),
            || {
                Fx::probe()
                    .series(&[("2027-03-07", "5"), ("2027-03-08", "5")])
                    .day(0)
            },
        ),
        case(
            "kpi-breach",
            || {
                Fx::probe()
                    .edit("status: draft", "status: handed-off")
                    .series(&[
                        ("2027-03-07", "5"),
                        ("2027-03-08", "5"),
                        ("2027-03-09", "5"),
                        ("2027-03-10", "5"),
                        ("2027-03-11", "5"),
                        ("2027-03-12", "3"),
                        ("2027-03-13", "3"),
                        ("2027-03-14", "3"),
                    ])
                    .day(5)
            },
            expect(
                Warning,
                at("target: \">= 4%\""),
                &[
                    "missed >= 4% for 3 days in a row since 2027-03-12",
                    "allows 2",
                ],
            ),
            // One day under target is no breach (a run as long as `breach_days` already is).
            || {
                Fx::probe()
                    .edit("status: draft", "status: handed-off")
                    .series(&[
                        ("2027-03-07", "5"),
                        ("2027-03-08", "5"),
                        ("2027-03-09", "5"),
                        ("2027-03-10", "5"),
                        ("2027-03-11", "5"),
                        ("2027-03-12", "5"),
                        ("2027-03-13", "5"),
                        ("2027-03-14", "3"),
                    ])
                    .day(5)
            },
        ),
        case(
            "kpi-unverified",
            || Fx::probe().gate(Gate::Ready),
            expect(
                Note,
                at("  target:"),
                &["is a ticked box: no series backs it"],
            ),
            || Fx::probe().series(&[("2027-02-27", "5")]).gate(Gate::Ready),
        ),
        // The kind moved on.
        case(
            "kind-behind",
            || {
                Fx::probe().edit_in(
                    KIND_FILE,
                    "version: 1\nfields:\n",
                    "version: 2\nfields:\n  - key: escalation\n    type: person\n    since: 2\n    prompt: Who is paged?\n",
                )
            },
            expect(
                Note,
                at("kind: probe"),
                &["probe is at version 2, this packet at 1: 1 question was added"],
            ),
            || {
                Fx::probe()
                    .edit_in(
                        KIND_FILE,
                        "version: 1\nfields:\n",
                        "version: 2\nfields:\n  - key: escalation\n    type: person\n    since: 2\n    prompt: Who is paged?\n",
                    )
                    .front("kind_version: 2\nescalation: Bo Chen <bo@x.test>\n")
            },
        ),
        case(
            "kind-changed-unversioned",
            || {
                let mut fx = Fx::probe()
                    .edit_in(
                        KIND_FILE,
                        "one_of: [low, high]",
                        "one_of: [low, medium, high]",
                    )
                    .sign("sender", ANN)
                    .sign("receiver", BO);
                fx.signed_under = Some(PROBE_KIND.to_string());
                fx
            },
            expect(
                Warning,
                at_in(KIND_FILE, ""),
                &[
                    "probe changed what it asks since probe-one was signed, but is still at version 1",
                ],
            ),
            // The same change with the version raised is what the rule asks for.
            || {
                let mut fx = Fx::probe()
                    .edit_in(
                        KIND_FILE,
                        "one_of: [low, high]",
                        "one_of: [low, medium, high]",
                    )
                    .edit_in(KIND_FILE, "version: 1", "version: 2")
                    .sign("sender", ANN)
                    .sign("receiver", BO);
                fx.signed_under = Some(PROBE_KIND.to_string());
                fx
            },
        ),
        case(
            "sent-back",
            || {
                Fx::probe()
                    .front("sent_back:\n  - from: ready\n    by: Omar Haddad <omar@x.test>\n    at: 2027-03-01\n    reason: The runbook has no stop step\n")
                    .gate(Gate::Ready)
            },
            expect(
                Error,
                at("- from: ready"),
                &[
                    "sent back on 2027-03-01 by Omar Haddad <omar@x.test> from ready: The runbook has no stop step",
                ],
            ),
            // Its status moved forward again to where it was sent back from.
            || {
                Fx::probe()
                    .edit("status: draft", "status: ready")
                    .front("sent_back:\n  - from: ready\n    by: Omar Haddad <omar@x.test>\n    at: 2027-03-01\n    reason: The runbook has no stop step\n")
                    .gate(Gate::Ready)
            },
        ),
        case(
            "item-overdue",
            || {
                Fx::probe()
                    .edit_in(KIND_FILE, "sections:\n", DATED_LIST)
                    .front("backlog:\n  - task: Move the audience query\n    owner: Ann Lee <ann@x.test>\n    due: 2027-02-20\n")
            },
            expect(
                Warning,
                at("due: 2027-02-20"),
                &[
                    "backlog item `Move the audience query`",
                    "was due 2027-02-20",
                    "is not marked done",
                ],
            ),
            // Done, and the day recorded.
            || {
                Fx::probe()
                    .edit_in(KIND_FILE, "sections:\n", DATED_LIST)
                    .front("backlog:\n  - task: Move the audience query\n    owner: Ann Lee <ann@x.test>\n    due: 2027-02-20\n    done: 2027-02-19\n")
            },
        ),
        case(
            "discovery-without-receiver",
            || {
                Fx::probe()
                    .edit_in(KIND_FILE, "sections:\n", DISCOVERY)
                    .edit_in(
                        KIND_FILE,
                        "    description: The receiving team\n",
                        "    description: The receiving team\n    receives: true\n",
                    )
                    .front("discovery:\n  attendees:\n    - Ann Lee <ann@x.test>\n")
            },
            expect(
                Warning,
                at("    - Ann Lee <ann@x.test>"),
                &["nobody of the receiving team (ops) attended the discovery sync"],
            ),
            // The receiving team, by the name `to:` gives it.
            || {
                Fx::probe()
                    .edit_in(KIND_FILE, "sections:\n", DISCOVERY)
                    .edit_in(
                        KIND_FILE,
                        "    description: The receiving team\n",
                        "    description: The receiving team\n    receives: true\n",
                    )
                    .front("discovery:\n  attendees:\n    - Ann Lee <ann@x.test>\n    - ops\n")
            },
        ),
    ]
}

/// The line of `at.needle` in the fixture's file as it ended up (1 for an empty needle).
fn line_of(root: &Path, at: At) -> usize {
    if at.needle.is_empty() {
        return 1;
    }
    let bytes = std::fs::read(root.join(at.file)).unwrap_or_else(|e| panic!("{}: {e}", at.file));
    let text = String::from_utf8_lossy(&bytes);
    let offset = text
        .find(at.needle)
        .unwrap_or_else(|| panic!("{} has no `{}`:\n{text}", at.file, at.needle));
    text[..offset].matches('\n').count() + 1
}

fn show(found: &[Found]) -> String {
    found
        .iter()
        .map(|f| {
            format!(
                "  {} {:?} {}:{} {}",
                f.rule, f.severity, f.file, f.line, f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What is wrong with one case, if anything.
fn judge(case: &Case) -> Vec<String> {
    let mut wrong = Vec::new();
    let (tmp, found) = run(&(case.hit)());
    let e = &case.expect;
    let line = line_of(tmp.path(), e.at);
    let hits: Vec<&Found> = found.iter().filter(|f| f.rule == case.rule).collect();
    let matching = hits.iter().any(|f| {
        f.severity == e.severity
            && f.file.ends_with(e.at.file)
            && f.line == line
            && e.gist.iter().all(|g| f.message.contains(g))
    });
    if !matching {
        wrong.push(format!(
            "{}: expected {:?} at {}:{line} saying {:?}; found:\n{}",
            case.rule,
            e.severity,
            e.at.file,
            e.gist,
            show(&found)
        ));
    }
    let (_tmp, found) = run(&(case.miss)());
    if found.iter().any(|f| f.rule == case.rule) {
        wrong.push(format!(
            "{}: the near miss is reported:\n{}",
            case.rule,
            show(&found)
        ));
    }
    wrong
}

#[test]
fn every_rule_reports_its_fixture_and_not_its_near_miss() {
    let cases = cases();
    // Each case lays out and checks two small repositories; two at a time keeps two cores busy.
    let wrong: Vec<String> = verdict::parallel_map(&cases, judge)
        .into_iter()
        .flatten()
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn every_rule_has_a_case() {
    let covered: Vec<&str> = cases().iter().map(|c| c.rule).collect();
    let missing: Vec<&str> = rules::all()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a case in src/judgement/rule_cases.rs: {missing:?}"
    );
    let unknown: Vec<&str> = covered
        .iter()
        .copied()
        .filter(|id| rules::find(id).is_none())
        .collect();
    assert!(unknown.is_empty(), "cases of no rule: {unknown:?}");
}

/// The fixtures are edits of a packet that draws no error or warning at any gate before
/// signed-off, so a case's finding is the edit's doing.
#[test]
fn the_probe_packet_is_clean() {
    for gate in [Gate::Draft, Gate::Ready, Gate::HandedOff] {
        let (_tmp, found) = run(&Fx::probe().gate(gate));
        let loud: Vec<Found> = found
            .into_iter()
            .filter(|f| f.severity > Severity::Note)
            .collect();
        assert!(loud.is_empty(), "at {gate:?}:\n{}", show(&loud));
    }
}
