//! `handoff lsp`: the real binary driven over stdio with JSON-RPC, as an editor drives it.

use crate::common;
use common::Repo;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start(repo: &Repo) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(["lsp", "--today", "2026-12-05"])
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("handoff lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_vec(&msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request and wait for its response's result.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let msg = self.wait(|m| m["id"] == id);
        assert!(msg.get("error").is_none(), "{msg}");
        msg["result"].clone()
    }

    /// The next message that satisfies `want` (others are skipped), within 10 s.
    fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .incoming
                .recv_timeout(left)
                .expect("the server answered in time");
            if want(&msg) {
                return msg;
            }
        }
    }

    /// The next diagnostics published for a file.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let msg = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        msg["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

fn setup() -> (Repo, String, String, String) {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let path = repo.file("handoffs/winback-email/handoff.md");
    let path = path.canonicalize().unwrap();
    let uri = format!("file://{}", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    let root = format!("file://{}", repo.path().canonicalize().unwrap().display());
    (repo, uri, text, root)
}

fn open(client: &mut Client, uri: &str, text: &str, root: &str) {
    let caps = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": root, "capabilities": {} }),
    );
    assert_eq!(caps["capabilities"]["textDocumentSync"], 1, "{caps}");
    assert_eq!(caps["capabilities"]["hoverProvider"], true);
    assert!(caps["capabilities"]["completionProvider"].is_object());
    assert_eq!(
        caps["capabilities"]["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll"])
    );
    assert_eq!(caps["capabilities"]["documentFormattingProvider"], true);
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
    );
}

fn change(client: &mut Client, uri: &str, version: i64, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
    );
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap() as u64
}

#[test]
fn diagnostics_follow_the_unsaved_text_and_clear_when_fixed() {
    let (repo, uri, text, root) = setup();
    let mut client = Client::start(&repo);
    open(&mut client, &uri, &text, &root);
    // The ready packet is clean at the ready gate.
    let first = client.diagnostics(&uri);
    assert!(
        first.iter().all(|d| d["severity"] != 1),
        "no errors at first: {first:?}"
    );
    // A misspelt key: an error on that line, with the rule as code and a link to its docs.
    let typo = text.replace("  kpi: Reactivated", "  kpii: Reactivated");
    change(&mut client, &uri, 2, &typo);
    let diags = client.diagnostics(&uri);
    let unknown: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "unknown-key")
        .collect();
    assert_eq!(unknown.len(), 1, "{diags:?}");
    let d = unknown[0];
    assert_eq!(d["range"]["start"]["line"], line_of(&typo, "kpii:"));
    assert_eq!(d["range"]["start"]["character"], 2);
    assert_eq!(d["range"]["end"]["character"], 6);
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "handoff");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules.md#unknown-key"),
        "{d}"
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `kpi`?"),
        "{d}"
    );
    // The file on disk was never written.
    assert_eq!(
        std::fs::read_to_string(repo.file("handoffs/winback-email/handoff.md")).unwrap(),
        text
    );

    // The quick fix renames the key.
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": d["range"], "context": { "diagnostics": [d] } }),
    );
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(actions[0]["title"], "Rename the key to `kpi`");
    assert_eq!(edit["newText"], "kpi");

    // The fix, unsaved: the diagnostic clears.
    change(&mut client, &uri, 3, &text);
    let diags = client.diagnostics(&uri);
    assert!(
        diags.iter().all(|d| d["code"] != "unknown-key"),
        "{diags:?}"
    );

    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn hover_completion_and_a_fix_for_a_truncated_value() {
    let (repo, uri, text, root) = setup();
    let mut client = Client::start(&repo);
    open(&mut client, &uri, &text, &root);
    client.diagnostics(&uri);

    // Hover on a key shows the kind's question, its example and its gate.
    let line = line_of(&text, "  target: ");
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 4 } }),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("What value of the KPI counts as success?"),
        "{shown}"
    );
    assert!(shown.contains("`metric.target`"), "{shown}");
    assert!(shown.contains("Required from the ready gate"), "{shown}");
    // On a person named by role: who it stands for.
    let line = line_of(&text, "prioritized_by: ops-lead");
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 22 } }),
    );
    let shown = hover["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("{hover} at line {line}"));
    assert!(
        shown.contains("`ops-lead` stands for Jordan Blake"),
        "{shown}"
    );

    // Completion under `metric:` offers the keys the kind asks there and that are not written.
    let baseline = text
        .lines()
        .find(|l| l.starts_with("  baseline: "))
        .unwrap();
    let with_gap = text.replace(baseline, "  ");
    change(&mut client, &uri, 2, &with_gap);
    let line = line_of(&text, "  baseline: ");
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 2 } }),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(!labels.contains(&"kpi"), "{labels:?}");
    assert_eq!(
        labels,
        ["baseline", "series"],
        "only the keys not yet written"
    );
    assert!(
        !labels.contains(&"owner"),
        "top-level keys are not offered inside metric: {labels:?}"
    );
    // A value with choices: the statuses.
    let line = line_of(&with_gap, "status: ready");
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 8 } }),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"handed-off") && labels.contains(&"signed-off"),
        "{labels:?}"
    );

    // A value cut by ` #`: the fix quotes the whole value.
    let cut = text.replace(
        "    monitor: \"Email platform webhook posting to #lifecycle-alerts\"",
        "    monitor: Email platform webhook posting to #lifecycle-alerts",
    );
    assert_ne!(cut, text);
    change(&mut client, &uri, 3, &cut);
    let diags = client.diagnostics(&uri);
    let d = diags
        .iter()
        .find(|d| d["code"] == "value-truncated")
        .unwrap_or_else(|| panic!("{diags:?}"))
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": d["range"], "context": { "diagnostics": [d] } }),
    );
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["newText"],
        "    monitor: \"Email platform webhook posting to #lifecycle-alerts\""
    );
    assert_eq!(
        edit["range"]["start"]["line"],
        line_of(&cut, "posting to #lifecycle")
    );

    // A missing question: the fix inserts it with a TODO, before the front matter ends.
    let walkthrough = text
        .lines()
        .find(|l| l.starts_with("walkthrough: "))
        .unwrap();
    let without = text.replace(&format!("{walkthrough}\n"), "");
    change(&mut client, &uri, 4, &without);
    let diags = client.diagnostics(&uri);
    let d = diags
        .iter()
        .find(|d| {
            d["code"] == "answer-missing"
                && d["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("`walkthrough` is missing")
        })
        .unwrap_or_else(|| panic!("{diags:?}"))
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": d["range"], "context": { "diagnostics": [d] } }),
    );
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["newText"],
        "# Recorded walkthrough\nwalkthrough: \"TODO: Link to the recorded walkthrough of the flows, metrics and failure modes\"\n"
    );
    let closing = without.lines().skip(1).position(|l| l == "---").unwrap() + 1;
    assert_eq!(edit["range"]["start"]["line"], closing as u64);

    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}

#[test]
fn a_packet_behind_its_kind_hovers_what_was_added_and_upgrades_from_the_editor() {
    let repo = Repo::new();
    repo.write(
        ".handoff/kinds/play/kind.yaml",
        "name: play\nsummary: A play whose kind grew\nversion: 2\nfields:\n  - key: owner\n    type: person\n    prompt: Who runs it?\n  - key: baseline\n    type: text\n    since: 2\n    prompt: What was the number before?\ncriteria:\n  - Runbook walked through\n  - text: Alerts tuned\n    since: 2\nsections:\n  - title: Acceptance criteria\n    prompt: What must hold\n    tasks: true\n",
    );
    let text = "---\nid: p\ntitle: P\nkind: play\nkind_version: 1\nfrom: a\nto: b\nday0: 2026-12-15\nstatus: ready\nowner: Maria Lopez <maria@x.test>\nsignoffs: []\n---\n\n# P\n\n## Acceptance criteria\n\n- [ ] Runbook walked through\n";
    repo.write("handoffs/p/handoff.md", text);
    repo.commit_as("Dana Kim <dana@x.test>", "P");
    let path = repo.file("handoffs/p/handoff.md").canonicalize().unwrap();
    let uri = format!("file://{}", path.display());
    let root = format!("file://{}", repo.path().canonicalize().unwrap().display());
    let mut client = Client::start(&repo);
    open(&mut client, &uri, text, &root);
    let diags = client.diagnostics(&uri);
    let d = diags
        .iter()
        .find(|d| d["code"] == "kind-behind")
        .unwrap_or_else(|| panic!("{diags:?}"))
        .clone();
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": d["range"]["start"] }),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        shown.contains("- question `baseline`\n- criterion \"Alerts tuned\""),
        "{shown}"
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": d["range"], "context": { "diagnostics": [d] } }),
    );
    let action = &actions[0];
    assert!(
        action["title"]
            .as_str()
            .unwrap()
            .starts_with("Upgrade to version 2 of the kind (2 items"),
        "{action}"
    );
    let edit = &action["edit"]["changes"][&uri][0];
    assert_eq!(edit["range"]["start"], json!({ "line": 0, "character": 0 }));
    let last = text.split('\n').count() - 1;
    assert_eq!(
        edit["range"]["end"],
        json!({ "line": last, "character": 0 })
    );
    // The very text `handoff upgrade` writes.
    assert_eq!(repo.run(&["upgrade", "p"]).0, 0);
    assert_eq!(edit["newText"], repo.read("handoffs/p/handoff.md"));
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}

/// Format `rel` through the server; the formatted text, or None when it leaves it alone.
fn format_via_lsp(repo: &Repo, rel: &str, text: &str) -> Option<String> {
    let path = repo.file(rel).canonicalize().unwrap();
    let uri = format!("file://{}", path.display());
    let root = format!("file://{}", repo.path().canonicalize().unwrap().display());
    let mut client = Client::start(repo);
    open(&mut client, &uri, text, &root);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = client.child.wait();
    let edits = edits.as_array().cloned().unwrap_or_default();
    assert!(edits.len() <= 1, "{edits:?}");
    let edit = edits.first()?;
    assert_eq!(edit["range"]["start"], json!({ "line": 0, "character": 0 }));
    Some(edit["newText"].as_str().unwrap().to_string())
}

/// The findings of `check` on one packet as (rule, message) pairs, sorted: what formatting must
/// not change.
fn findings(repo: &Repo, id: &str) -> Vec<(String, String)> {
    let (_, doc) = repo.check_json(&["--today", "2026-12-05"]);
    let mut out: Vec<(String, String)> = common::diagnostics(&doc, id)
        .iter()
        .map(|d| (d["rule"].to_string(), d["message"].to_string()))
        .collect();
    out.sort();
    out
}

#[test]
fn formatting_puts_answers_in_canonical_order_keeps_them_and_is_stable() {
    let ids = [
        "benchmark-landing-page",
        "billing-api-4-2",
        "inbound-demo-routing",
        "onboarding-kickoff",
        "partner-referrals",
        "q1-benchmark-brief",
        "winback-email",
    ];
    let mut formatted_packets = 0;
    for id in ids {
        let repo = Repo::new();
        repo.copy_example(id);
        let rel = format!("handoffs/{id}/handoff.md");
        let original = repo.read(&rel);
        let signed = !original.contains("signoffs: []");
        // Its answers with the top-level keys turned around, comments and all: the header last,
        // the kind's questions backwards.
        let close = original[4..].find("\n---\n").unwrap() + 4;
        let front = &original[4..=close];
        let mut blocks: Vec<String> = Vec::new();
        for line in front.split_inclusive('\n') {
            let top = line.starts_with(|c: char| c.is_ascii_lowercase());
            match blocks.last_mut() {
                Some(b) if !top => b.push_str(line),
                _ => blocks.push(line.to_string()),
            }
        }
        blocks.reverse();
        let scrambled = format!("---\n{}{}", blocks.concat(), &original[close + 1..]);
        assert_ne!(scrambled, original, "{id}");
        for (label, text) in [("as shipped", &original), ("scrambled", &scrambled)] {
            repo.write(&rel, text);
            let before = findings(&repo, id);
            let formatted = format_via_lsp(&repo, &rel, text);
            if signed {
                // Moving a signed packet's lines would stale its sign-offs: left alone.
                assert_eq!(formatted, None, "{id} {label}");
                continue;
            }
            let Some(formatted) = formatted else {
                assert_eq!(
                    label, "as shipped",
                    "{id}: the scrambled text was left alone"
                );
                continue;
            };
            repo.write(&rel, &formatted);
            assert_eq!(
                findings(&repo, id),
                before,
                "{id} {label}: the findings changed"
            );
            // Twice is once.
            assert_eq!(
                format_via_lsp(&repo, &rel, &formatted),
                None,
                "{id} {label}"
            );
            if label == "scrambled" {
                assert!(formatted.starts_with("---\nid: "), "{id}: {formatted}");
                formatted_packets += 1;
            }
        }
    }
    // The unsigned ones (two packets before their handoff, and the failing example) were
    // formatted; the signed ones left alone.
    assert_eq!(formatted_packets, 3);
}

#[test]
fn fix_all_applies_every_fix_and_a_config_change_reaches_open_documents() {
    let (repo, uri, text, root) = setup();
    let mut client = Client::start(&repo);
    // A client that lets the server register file watchers is asked to watch the config.
    let caps = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": root,
                "capabilities": { "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } } }),
    );
    assert!(caps["capabilities"]["codeActionProvider"].is_object());
    client.notify("initialized", json!({}));
    let register = client.wait(|m| m["method"] == "client/registerCapability");
    let watchers = &register["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(watchers[0]["globPattern"], "**/handoff.toml", "{register}");
    assert_eq!(watchers[1]["globPattern"], "**/.handoff/**", "{register}");
    // Two findings with fixes: a value cut at ` #`, and a missing question.
    let walkthrough = text
        .lines()
        .find(|l| l.starts_with("walkthrough: "))
        .unwrap();
    let broken = text
        .replace(
            "    monitor: \"Email platform webhook posting to #lifecycle-alerts\"",
            "    monitor: Email platform webhook posting to #lifecycle-alerts",
        )
        .replace(&format!("{walkthrough}\n"), "");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": broken } }),
    );
    let opened = client.diagnostics(&uri);
    assert!(
        opened.iter().any(|d| d["code"] == "value-truncated"),
        "{opened:?}"
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [], "only": ["source.fixAll"] } }),
    );
    let all = &actions[0];
    assert_eq!(all["kind"], "source.fixAll", "{actions}");
    let edits = all["edit"]["changes"][&uri].as_array().unwrap();
    assert!(edits.len() >= 2, "{edits:?}");
    assert!(
        edits.iter().any(|e| e["newText"]
            == "    monitor: \"Email platform webhook posting to #lifecycle-alerts\""),
        "{edits:?}"
    );
    assert!(
        edits
            .iter()
            .any(|e| e["newText"].as_str().unwrap().contains("walkthrough: ")),
        "{edits:?}"
    );
    // handoff.toml changes on disk (another tool, a git pull): the open packet is checked again
    // against it, without being touched. A configuration that does not read is said on the
    // packet, not met with silence.
    let config = repo.read("handoff.toml");
    let changed = |client: &mut Client, text: String| {
        repo.write("handoff.toml", text);
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": format!("{root}/handoff.toml"), "type": 2 }] }),
        );
        client.diagnostics(&uri)
    };
    let diags = changed(&mut client, format!("{config}\nwatch-me = [\n"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    let message = diags[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("this packet cannot be checked: ") && message.contains("handoff.toml"),
        "{message}"
    );
    // Fixed again: the packet's own findings are back.
    let codes = |d: &[Value]| d.iter().map(|d| d["code"].to_string()).collect::<Vec<_>>();
    assert_eq!(codes(&changed(&mut client, config.clone())), codes(&opened));
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}
