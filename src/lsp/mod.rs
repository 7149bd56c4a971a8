//! `handoff lsp`: the gate live in the editor. A Language Server Protocol server over stdio
//! (`lsp-server`, as rust-analyzer and ruff use) that runs the same rules, kinds and gates as
//! `check` on the unsaved text of a packet, and offers hover, completion and quick fixes.
//!
//! A packet is the folder holding a `handoff.md`; its attachments (the runbook) are checked with
//! it. Only the packet being edited is read: a change to one packet never re-reads the others.

use crate::diagnostic::{Diagnostic, Severity};
use crate::kind::{FieldSpec, FieldType, KindSpec};
use crate::packet::yaml::{Node, Value};
use crate::packet::{PACKET_FILE, Packet};
use crate::workspace::Workspace;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod format;
pub mod transport;

/// The files whose change changes every packet's verdict: the configuration, the repo's kinds
/// and the copies of signed kinds.
pub const WATCHED: [&str; 2] = ["**/handoff.toml", "**/.handoff/**"];

/// How long the server waits for the typing to pause before it checks (it checks at once when
/// nothing else is queued).
const DEBOUNCE: Duration = Duration::from_millis(5);

/// Serve until the client says `exit`; returns the exit status (0 after `shutdown`).
pub fn serve(today: Option<chrono::NaiveDate>) -> Result<u8, String> {
    let (conn, io) = transport::stdio()?;
    let caps = lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
            lsp::TextDocumentSyncKind::FULL,
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), "#".into(), "[".into()]),
            ..Default::default()
        }),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::SOURCE_FIX_ALL,
                ]),
                ..Default::default()
            },
        )),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    };
    let caps = serde_json::to_value(caps).map_err(|e| e.to_string())?;
    let init = match conn.initialize(caps) {
        Ok(init) => init,
        Err(e) => {
            // The input stopped before the handshake: say why it stopped, when the reader knows.
            drop(conn);
            return Err(io.join().err().unwrap_or_else(|| e.to_string()));
        }
    };
    // A client that lets servers ask for file events is asked for the configuration's and the
    // kinds' (a client without it sends them when its own settings say so, or on save).
    if init
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(serde_json::Value::as_bool)
        == Some(true)
    {
        let watchers: Vec<lsp::FileSystemWatcher> = WATCHED
            .iter()
            .map(|glob| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String((*glob).into()),
                kind: None,
            })
            .collect();
        let register = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "handoff-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(
                    lsp::DidChangeWatchedFilesRegistrationOptions { watchers },
                )
                .ok(),
            }],
        };
        let _ = conn.sender.send(Message::Request(Request::new(
            RequestId::from("handoff-watch".to_string()),
            "client/registerCapability".into(),
            register,
        )));
    }
    let mut server = Server {
        conn,
        today,
        docs: HashMap::new(),
        workspaces: HashMap::new(),
        published: HashMap::new(),
        dirty: HashSet::new(),
    };
    let clean_exit = server.run()?;
    drop(server);
    // A refused message (too large, not JSON-RPC) ends the input: told to the client and on
    // stderr already, it exits with 1.
    let read = io.join();
    if let Err(e) = &read {
        eprintln!("handoff lsp: {e}");
    }
    Ok(if clean_exit && read.is_ok() { 0 } else { 1 })
}

struct Server {
    conn: Connection,
    today: Option<chrono::NaiveDate>,
    /// Open documents: their unsaved text.
    docs: HashMap<PathBuf, String>,
    /// One workspace (config and kinds) per repository root, read once.
    workspaces: HashMap<PathBuf, Workspace>,
    /// Per packet folder, the files diagnostics were last published for.
    published: HashMap<PathBuf, HashSet<PathBuf>>,
    /// Packet folders changed since they were last checked.
    dirty: HashSet<PathBuf>,
}

impl Server {
    /// The message loop; true when the client shut down before exiting.
    fn run(&mut self) -> Result<bool, String> {
        let mut shut_down = false;
        loop {
            let msg = if self.dirty.is_empty() {
                match self.conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(shut_down),
                }
            } else {
                match self.conn.receiver.recv_timeout(DEBOUNCE) {
                    Ok(m) => m,
                    Err(crossbeam_timeout) => {
                        if crossbeam_timeout.is_disconnected() {
                            return Ok(shut_down);
                        }
                        self.publish_dirty();
                        continue;
                    }
                }
            };
            match msg {
                Message::Request(req) => {
                    if req.method == "shutdown" {
                        shut_down = true;
                        self.respond(req.id, serde_json::Value::Null);
                        continue;
                    }
                    self.request(req);
                }
                Message::Notification(n) if n.method == "exit" => return Ok(shut_down),
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
        }
    }

    fn respond(&self, id: RequestId, result: impl serde::Serialize) {
        let value = serde_json::to_value(result).unwrap_or(serde_json::Value::Null);
        let _ = self
            .conn
            .sender
            .send(Message::Response(Response::new_ok(id, value)));
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                    && let Some(path) = file_path(&p.text_document.uri)
                {
                    self.docs.insert(path.clone(), p.text_document.text);
                    self.touch(&path);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                    && let Some(path) = file_path(&p.text_document.uri)
                    && let Some(change) = p.content_changes.into_iter().last()
                {
                    self.docs.insert(path.clone(), change.text);
                    self.touch(&path);
                }
            }
            "textDocument/didSave" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidSaveTextDocumentParams>(n.params)
                    && let Some(path) = file_path(&p.text_document.uri)
                {
                    // A saved config or kind changes what every packet is checked against.
                    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    if name == crate::config::FILE_NAME || name == "kind.yaml" {
                        self.reload_all();
                    } else {
                        self.touch(&path);
                    }
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(n.params)
                {
                    let paths: Vec<PathBuf> =
                        p.changes.iter().filter_map(|c| file_path(&c.uri)).collect();
                    let shared = paths.iter().any(|p| {
                        p.file_name().and_then(|n| n.to_str()) == Some(crate::config::FILE_NAME)
                            || p.components().any(|c| c.as_os_str() == ".handoff")
                    });
                    if shared {
                        self.reload_all();
                    }
                    for path in paths {
                        self.touch(&path);
                    }
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                    && let Some(path) = file_path(&p.text_document.uri)
                {
                    self.docs.remove(&path);
                    self.touch(&path);
                }
            }
            _ => {}
        }
    }

    /// Read the configuration and kinds afresh, and check every packet open or shown again.
    fn reload_all(&mut self) {
        self.workspaces.clear();
        let open: Vec<PathBuf> = self.docs.keys().cloned().collect();
        for p in open {
            self.touch(&p);
        }
        let shown: Vec<PathBuf> = self.published.keys().cloned().collect();
        self.dirty.extend(shown);
    }

    /// Mark the packet a file belongs to for checking.
    fn touch(&mut self, file: &Path) {
        if let Some(dir) = packet_dir(file) {
            self.dirty.insert(dir);
        }
    }

    fn publish_dirty(&mut self) {
        let dirs: Vec<PathBuf> = self.dirty.drain().collect();
        for dir in dirs {
            self.publish(&dir);
        }
    }

    fn workspace(&mut self, dir: &Path) -> Option<&Workspace> {
        let config = crate::config::Config::discover(dir).ok()?;
        let root = config.root.clone();
        if !self.workspaces.contains_key(&root) {
            let ws = Workspace::open(dir).ok()?;
            self.workspaces.insert(root.clone(), ws);
        }
        self.workspaces.get(&root)
    }

    /// The packet in `dir` as the editor has it (unsaved text of `handoff.md` when open).
    fn packet(&self, dir: &Path) -> Option<Packet> {
        let file = dir.join(PACKET_FILE);
        match self.docs.get(&file) {
            Some(text) => Some(Packet::from_text(dir, dir, text.clone())),
            None if file.is_file() => Some(Packet::load(dir, dir)),
            None => None,
        }
    }

    fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// Check one packet and publish its findings per file (clearing files that have none now).
    fn publish(&mut self, dir: &Path) {
        // Files come and go while the editor runs: list the packet's files afresh.
        crate::packet::files::forget();
        let today = self.today();
        let Some(packet) = self.packet(dir) else {
            self.clear(dir);
            return;
        };
        if self.workspace(dir).is_none() {
            // The configuration or a kind does not read: say so on the packet, not nothing.
            let why = Workspace::open(dir)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "the repository's configuration cannot be read".into());
            let file = dir.join(PACKET_FILE);
            for other in self.published.remove(dir).unwrap_or_default() {
                if other != file {
                    self.send_diagnostics(&other, Vec::new());
                }
            }
            self.send_diagnostics(
                &file,
                vec![lsp::Diagnostic {
                    range: lsp::Range::default(),
                    severity: Some(lsp::DiagnosticSeverity::ERROR),
                    source: Some("handoff".into()),
                    message: format!(
                        "this packet cannot be checked: {}",
                        crate::words::neutral(&why)
                    ),
                    ..Default::default()
                }],
            );
            self.published
                .insert(dir.to_path_buf(), HashSet::from([file]));
            return;
        }
        let Some(ws) = self.workspace(dir) else {
            return;
        };
        let gate = crate::verdict::gate_for(&packet, ws, today);
        let found = crate::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
        let mut by_file: BTreeMap<PathBuf, Vec<lsp::Diagnostic>> = BTreeMap::new();
        by_file.insert(dir.join(PACKET_FILE), Vec::new());
        for d in &found {
            let file = PathBuf::from(&d.file);
            let file = if file.is_absolute() {
                file
            } else {
                dir.join(file.file_name().unwrap_or_default())
            };
            let text = self
                .docs
                .get(&file)
                .map(String::as_str)
                .or(d.source.as_ref().map(|s| s.text.as_str()));
            by_file.entry(file).or_default().push(to_lsp(d, text));
        }
        let before = self.published.remove(dir).unwrap_or_default();
        for gone in before.iter().filter(|f| !by_file.contains_key(*f)) {
            self.send_diagnostics(gone, Vec::new());
        }
        let now: HashSet<PathBuf> = by_file.keys().cloned().collect();
        for (file, diags) in by_file {
            self.send_diagnostics(&file, diags);
        }
        self.published.insert(dir.to_path_buf(), now);
    }

    fn clear(&mut self, dir: &Path) {
        for f in self.published.remove(dir).unwrap_or_default() {
            self.send_diagnostics(&f, Vec::new());
        }
    }

    fn send_diagnostics(&self, file: &Path, diagnostics: Vec<lsp::Diagnostic>) {
        let Ok(uri) = lsp::Url::from_file_path(file) else {
            return;
        };
        let params = lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        let _ = self
            .conn
            .sender
            .send(Message::Notification(Notification::new(
                "textDocument/publishDiagnostics".into(),
                params,
            )));
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        match req.method.as_str() {
            "textDocument/hover" => {
                let result = serde_json::from_value::<lsp::HoverParams>(req.params)
                    .ok()
                    .and_then(|p| self.hover(&p));
                self.respond(id, result);
            }
            "textDocument/completion" => {
                let result = serde_json::from_value::<lsp::CompletionParams>(req.params)
                    .ok()
                    .map(|p| self.completion(&p))
                    .unwrap_or_default();
                self.respond(id, result);
            }
            "textDocument/formatting" => {
                let result = serde_json::from_value::<lsp::DocumentFormattingParams>(req.params)
                    .ok()
                    .map(|p| self.format(&p.text_document.uri))
                    .unwrap_or_default();
                self.respond(id, result);
            }
            "textDocument/codeAction" => {
                let result = serde_json::from_value::<lsp::CodeActionParams>(req.params)
                    .ok()
                    .map(|p| self.code_actions(&p))
                    .unwrap_or_default();
                self.respond(id, result);
            }
            _ => {
                let _ = self.conn.sender.send(Message::Response(Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("handoff lsp does not handle {}", req.method),
                )));
            }
        }
    }

    /// The open text of a file, or its text on disk.
    fn text_of(&self, file: &Path) -> Option<String> {
        self.docs
            .get(file)
            .cloned()
            .or_else(|| std::fs::read_to_string(file).ok())
    }

    fn hover(&mut self, p: &lsp::HoverParams) -> Option<lsp::Hover> {
        let file = file_path(&p.text_document_position_params.text_document.uri)?;
        let dir = packet_dir(&file)?;
        let pos = p.text_document_position_params.position;
        let packet = self.packet(&dir)?;
        let today = self.today();
        let ws = self.workspace(&dir)?;
        let text = packet.file.as_ref()?.text.clone();
        let offset = offset_of(&text, pos);
        let mut parts: Vec<String> = Vec::new();
        if file.file_name().and_then(|n| n.to_str()) == Some(PACKET_FILE)
            && offset <= packet.front_range.1
            && let Some(front) = packet.front.as_ref()
        {
            if let Some((path, node)) = key_at(front, offset, "") {
                if let Some(spec) = ws.kind_of(&packet).map(|k| &k.spec)
                    && let Some(field) = spec.field_at(&path)
                {
                    parts.push(question_markdown(&path, field));
                }
                if let Some(s) = node.and_then(|n| n.as_str())
                    && let Some(people) = ws.config.settings.people.get(s.trim())
                {
                    parts.push(format!("`{}` stands for {}", s.trim(), people.joined()));
                }
            }
            // A finding under the cursor: what its rule checks, as `handoff explain` says it.
            let gate = crate::verdict::gate_for(&packet, ws, today);
            for d in crate::rules::check(&packet, &ws.kinds, gate, &ws.config, today) {
                let end = d.pos.offset + d.len.max(1);
                if d.pos.line > 0
                    && (d.pos.offset..=end).contains(&offset)
                    && let Some(rule) = crate::rules::all().into_iter().find(|r| r.id == d.rule)
                {
                    parts.push(format!(
                        "**{}**: {}\n\n{}",
                        rule.id, rule.summary, rule.explanation
                    ));
                    // What the finding lists (for `kind-behind`: what the kind added), and the
                    // message that counts it.
                    if !d.items.is_empty() {
                        let items: String = d.items.iter().map(|i| format!("- {i}\n")).collect();
                        parts.push(format!("{}:\n\n{items}", d.message));
                    }
                }
            }
        }
        (!parts.is_empty()).then(|| lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range: None,
        })
    }

    fn completion(&mut self, p: &lsp::CompletionParams) -> Vec<lsp::CompletionItem> {
        let Some(file) = file_path(&p.text_document_position.text_document.uri) else {
            return Vec::new();
        };
        let Some(dir) = packet_dir(&file) else {
            return Vec::new();
        };
        let Some(text) = self.text_of(&file) else {
            return Vec::new();
        };
        let pos = p.text_document_position.position;
        let Some(packet) = self.packet(&dir) else {
            return Vec::new();
        };
        let today = self.today();
        let Some(ws) = self.workspace(&dir) else {
            return Vec::new();
        };
        let spec = ws.kind_of(&packet).map(|k| k.spec.clone());
        let lines: Vec<&str> = text.split('\n').collect();
        let line = lines.get(pos.line as usize).copied().unwrap_or("");
        let before: String = utf16_prefix(line, pos.character);
        let in_front = front_matter_lines(&lines).contains(&(pos.line as usize));
        if !in_front {
            return body_completion(spec.as_ref(), &packet, &before);
        }
        let indent = before.len() - before.trim_start().len();
        if let Some((key, _)) = before.trim_start().split_once(':') {
            // A value: the choices the key has.
            let key = key.trim().trim_start_matches("- ").to_string();
            let parent = parent_path(&lines, pos.line as usize, indent);
            let path = if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            };
            return value_completion(ws, spec.as_ref(), &path, today);
        }
        let parent = parent_path(&lines, pos.line as usize, indent);
        let Some(spec) = spec else {
            return Vec::new();
        };
        let fields: &[FieldSpec] = if parent.is_empty() {
            &spec.fields
        } else {
            match spec.field_at(&parent) {
                Some(f) => &f.fields,
                None => return Vec::new(),
            }
        };
        let present = sibling_keys(&lines, pos.line as usize, indent);
        let mut items: Vec<lsp::CompletionItem> = fields
            .iter()
            .filter(|f| !present.contains(&f.key))
            .map(|f| {
                let path = if parent.is_empty() {
                    f.key.clone()
                } else {
                    format!("{parent}.{}", f.key)
                };
                lsp::CompletionItem {
                    label: f.key.clone(),
                    kind: Some(lsp::CompletionItemKind::PROPERTY),
                    detail: Some(f.title()),
                    documentation: Some(lsp::Documentation::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: question_markdown(&path, f),
                    })),
                    insert_text: Some(format!("{}: ", f.key)),
                    ..Default::default()
                }
            })
            .collect();
        if parent.is_empty() {
            for key in crate::rules::answers::HEADER_KEYS {
                if !present.contains(key) && !matches!(key, "signoffs" | "waivers" | "sent_back") {
                    items.push(lsp::CompletionItem {
                        label: key.to_string(),
                        kind: Some(lsp::CompletionItemKind::PROPERTY),
                        insert_text: Some(format!("{key}: ")),
                        ..Default::default()
                    });
                }
            }
        }
        items
    }

    /// The edits that format a packet's front matter (see [`format`]): one edit of the whole
    /// text, or none, with a message when the packet is left alone for a reason.
    fn format(&mut self, uri: &lsp::Url) -> Vec<lsp::TextEdit> {
        let Some(file) = file_path(uri) else {
            return Vec::new();
        };
        if file.file_name().and_then(|n| n.to_str()) != Some(PACKET_FILE) {
            return Vec::new();
        }
        let (Some(dir), Some(text)) = (packet_dir(&file), self.text_of(&file)) else {
            return Vec::new();
        };
        let questions: Vec<String> = self
            .packet(&dir)
            .and_then(|packet| {
                let ws = self.workspace(&dir)?;
                let kind = ws.kind_of(&packet)?;
                Some(kind.spec.fields.iter().map(|f| f.key.clone()).collect())
            })
            .unwrap_or_default();
        let questions: Vec<&str> = questions.iter().map(String::as_str).collect();
        match format::formatted(&dir, &text, &questions) {
            Ok(new_text) => {
                let lines: Vec<&str> = text.split('\n').collect();
                vec![lsp::TextEdit {
                    range: whole_document(&lines),
                    new_text,
                }]
            }
            Err(format::Unformatted::Canonical) => Vec::new(),
            Err(format::Unformatted::Signed) => {
                self.show(
                    lsp::MessageType::INFO,
                    "handoff: a packet with sign-offs is not formatted: moving its lines would turn every sign-off stale",
                );
                Vec::new()
            }
            Err(format::Unformatted::Unsafe(why)) => {
                self.show(
                    lsp::MessageType::WARNING,
                    &format!("handoff: not formatted: {why}"),
                );
                Vec::new()
            }
        }
    }

    fn show(&self, typ: lsp::MessageType, message: &str) {
        let _ = self
            .conn
            .sender
            .send(Message::Notification(Notification::new(
                "window/showMessage".into(),
                lsp::ShowMessageParams {
                    typ,
                    message: message.into(),
                },
            )));
    }

    fn code_actions(&mut self, p: &lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
        let Some(file) = file_path(&p.text_document.uri) else {
            return Vec::new();
        };
        let Some(text) = self.text_of(&file) else {
            return Vec::new();
        };
        let lines: Vec<&str> = text.split('\n').collect();
        // The kind, for inserting a missing question as its `TODO` scaffold; and the packet
        // moved to the kind's version, for `kind-behind`.
        let mut upgrade = None;
        let spec = packet_dir(&file).and_then(|dir| {
            let packet = self.packet(&dir)?;
            let ws = self.workspace(&dir)?;
            let spec = ws.kind_of(&packet).map(|k| k.spec.clone())?;
            if file.file_name().and_then(|n| n.to_str()) == Some(PACKET_FILE)
                && packet.kind_version() < spec.version
            {
                upgrade = crate::commands::upgrade::upgraded(&packet, &spec)
                    .ok()
                    .map(|(new, added)| (spec.version, new, added.len()));
            }
            Some(spec)
        });
        let front_end = front_matter_lines(&lines).end;
        // The fix for one finding: a title, the range it replaces and the new text.
        let fix = |d: &lsp::Diagnostic| -> Option<(String, lsp::Range, String)> {
            let code = match &d.code {
                Some(lsp::NumberOrString::String(s)) => s.as_str(),
                _ => return None,
            };
            let line_no = d.range.start.line as usize;
            let line = lines.get(line_no).copied().unwrap_or("");
            match code {
                "value-truncated" => quote_line_value(line).map(|new| {
                    (
                        "Quote the value so YAML keeps the whole of it".to_string(),
                        whole_line(line_no, line),
                        new,
                    )
                }),
                "unknown-key" => suggestion(&d.message, d.data.as_ref())
                    .map(|s| (format!("Rename the key to `{s}`"), d.range, s.to_string())),
                "answer-missing" => d
                    .data
                    .as_ref()
                    .and_then(|v| v.get("target"))
                    .and_then(|t| t.as_str())
                    .filter(|t| !t.contains(['.', '[']) && d.message.contains("is missing"))
                    .and_then(|key| spec.as_ref()?.fields.iter().find(|f| f.key == key))
                    .filter(|_| front_end < lines.len())
                    .map(|field| {
                        let at = lsp::Position::new(front_end as u32, 0);
                        (
                            format!("Add `{}` with a TODO for its answer", field.key),
                            lsp::Range::new(at, at),
                            crate::kind::scaffold::field_yaml(field, 0),
                        )
                    }),
                "criterion-missing" => d
                    .data
                    .as_ref()
                    .and_then(|v| v.get("target"))
                    .and_then(|t| t.as_str())
                    .map(|criterion| {
                        let at = lsp::Position::new(d.range.start.line + 1, 0);
                        (
                            format!("Add the criterion `{criterion}`"),
                            lsp::Range::new(at, at),
                            format!("- [ ] {criterion}\n"),
                        )
                    }),
                "kind-behind" => upgrade.as_ref().map(|(version, new, added)| {
                    (
                        format!(
                            "Upgrade to version {version} of the kind ({} to fill in, as `handoff upgrade` would)",
                            crate::words::plural(*added, "item", "items")
                        ),
                        whole_document(&lines),
                        new.clone(),
                    )
                }),
                _ => None,
            }
        };
        // Every fix at once (`source.fixAll`), from the document's findings now; the upgrade,
        // a step of its own, is left out.
        let wants = |kind: &lsp::CodeActionKind| {
            p.context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
        };
        let mut out = Vec::new();
        if wants(&lsp::CodeActionKind::SOURCE_FIX_ALL)
            && file.file_name().and_then(|n| n.to_str()) == Some(PACKET_FILE)
            && let Some(all) = self.fix_all(&p.text_document.uri, &file, &text, &fix)
        {
            out.push(all);
        }
        if !wants(&lsp::CodeActionKind::QUICKFIX) {
            return out;
        }
        let mut quick = Vec::new();
        for d in &p.context.diagnostics {
            let edit = fix(d);
            if let Some((title, range, new_text)) = edit {
                let mut changes = HashMap::new();
                changes.insert(
                    p.text_document.uri.clone(),
                    vec![lsp::TextEdit { range, new_text }],
                );
                quick.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title,
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    edit: Some(lsp::WorkspaceEdit {
                        changes: Some(changes),
                        ..Default::default()
                    }),
                    is_preferred: Some(true),
                    ..Default::default()
                }));
            }
        }
        quick.extend(out);
        quick
    }

    /// One action applying the fix of every finding in the packet's `handoff.md` that has one
    /// (edits that would overlap an earlier one are left for a second run).
    fn fix_all(
        &mut self,
        uri: &lsp::Url,
        file: &Path,
        text: &str,
        fix: &impl Fn(&lsp::Diagnostic) -> Option<(String, lsp::Range, String)>,
    ) -> Option<lsp::CodeActionOrCommand> {
        let dir = packet_dir(file)?;
        let packet = self.packet(&dir)?;
        let today = self.today();
        let ws = self.workspace(&dir)?;
        let gate = crate::verdict::gate_for(&packet, ws, today);
        let found = crate::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
        let mut edits: Vec<lsp::TextEdit> = found
            .iter()
            .filter(|d| {
                d.rule != "kind-behind"
                    && Path::new(&d.file).file_name().and_then(|n| n.to_str()) == Some(PACKET_FILE)
            })
            .filter_map(|d| fix(&to_lsp(d, Some(text))))
            .map(|(_, range, new_text)| lsp::TextEdit { range, new_text })
            .collect();
        let at = |p: lsp::Position| (p.line, p.character);
        edits.sort_by_key(|e| (at(e.range.start), at(e.range.end)));
        edits.dedup();
        let mut kept: Vec<lsp::TextEdit> = Vec::new();
        for e in edits {
            let clear = kept.last().is_none_or(|last| {
                at(e.range.start) >= at(last.range.end)
                    && (at(e.range.start) > at(last.range.start) || e.range.start == e.range.end)
            });
            if clear {
                kept.push(e);
            }
        }
        if kept.is_empty() {
            return None;
        }
        let title = format!(
            "Fix all: {} in this packet",
            crate::words::plural(kept.len(), "finding", "findings")
        );
        let mut changes = HashMap::new();
        changes.insert(uri.clone(), kept);
        Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title,
            kind: Some(lsp::CodeActionKind::SOURCE_FIX_ALL),
            edit: Some(lsp::WorkspaceEdit {
                changes: Some(changes),
                ..Default::default()
            }),
            ..Default::default()
        }))
    }
}

/// The range of a whole document, given its lines (split on `\n`), in UTF-16 code units.
fn whole_document(lines: &[&str]) -> lsp::Range {
    let last = lines.len().saturating_sub(1);
    let width = lines.last().map_or(0, |l| l.encode_utf16().count());
    lsp::Range::new(
        lsp::Position::new(0, 0),
        lsp::Position::new(last as u32, width as u32),
    )
}

/// The path of a `file://` URI.
fn file_path(uri: &lsp::Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

/// The packet folder a file belongs to: its own folder when that holds a `handoff.md` (or the
/// file is one).
fn packet_dir(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    let is_packet = file.file_name().and_then(|n| n.to_str()) == Some(PACKET_FILE)
        || dir.join(PACKET_FILE).is_file();
    is_packet.then(|| dir.to_path_buf())
}

/// A finding as an LSP diagnostic: its range (in UTF-16 code units, the protocol's default), the
/// rule id as its code with a link to the rule's documentation, and the help text.
fn to_lsp(d: &Diagnostic, text: Option<&str>) -> lsp::Diagnostic {
    let (start, end) = match text {
        Some(text) if d.pos.line > 0 => (
            position_of(text, d.pos.offset),
            position_of(text, (d.pos.offset + d.len).min(text.len())),
        ),
        _ => (lsp::Position::new(0, 0), lsp::Position::new(0, 0)),
    };
    let severity = match d.severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Note => lsp::DiagnosticSeverity::INFORMATION,
    };
    let href = lsp::Url::parse(&crate::rules::doc_url(d.rule)).ok();
    lsp::Diagnostic {
        range: lsp::Range::new(start, end),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some("handoff".into()),
        message: format!("{}\nhelp: {}", d.message, d.help),
        data: Some(serde_json::json!({ "target": d.target, "help": d.help })),
        ..Default::default()
    }
}

/// The LSP position (line, UTF-16 column) of a byte offset.
fn position_of(text: &str, offset: usize) -> lsp::Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    lsp::Position::new(line as u32, col as u32)
}

/// The byte offset of an LSP position.
fn offset_of(text: &str, pos: lsp::Position) -> usize {
    let mut offset = 0;
    for (i, line) in text.split('\n').enumerate() {
        if i == pos.line as usize {
            let mut units = 0;
            for (b, c) in line.char_indices() {
                if units >= pos.character as usize {
                    return offset + b;
                }
                units += c.len_utf16();
            }
            return offset + line.len();
        }
        offset += line.len() + 1;
    }
    text.len()
}

/// The part of a line before a UTF-16 column.
fn utf16_prefix(line: &str, character: u32) -> String {
    let mut units = 0;
    let mut out = String::new();
    for c in line.chars() {
        if units >= character as usize {
            break;
        }
        units += c.len_utf16();
        out.push(c);
    }
    out
}

/// The mapping key under a byte offset, as a dotted path (`metric.kpi`, `risks[1].monitor`), with
/// its value.
fn key_at<'a>(node: &'a Node, offset: usize, prefix: &str) -> Option<(String, Option<&'a Node>)> {
    match &node.value {
        Value::Map(entries) => entries.iter().find_map(|e| {
            let path = if prefix.is_empty() {
                e.key.to_string()
            } else {
                format!("{prefix}.{}", e.key)
            };
            let key_end = e.key_pos.offset + e.key.len();
            if (e.key_pos.offset..=key_end).contains(&offset) {
                return Some((path, Some(&e.value)));
            }
            if (e.value.pos.offset..=crate::packet::edit::reach(&e.value)).contains(&offset) {
                return key_at(&e.value, offset, &path).or(Some((path, Some(&e.value))));
            }
            None
        }),
        Value::Seq(items) => items.iter().enumerate().find_map(|(i, item)| {
            if (item.pos.offset..=crate::packet::edit::reach(item)).contains(&offset) {
                key_at(item, offset, &format!("{prefix}[{}]", i + 1))
            } else {
                None
            }
        }),
        _ => None,
    }
}

/// A question as markdown: title, the question, its example, its gate.
fn question_markdown(path: &str, f: &FieldSpec) -> String {
    let mut out = format!("**{}** (`{path}`)\n\n{}", f.title(), f.prompt);
    if let Some(e) = &f.example {
        out.push_str(&format!("\n\nExample: `{e}`"));
    }
    if !f.one_of.is_empty() {
        out.push_str(&format!("\n\nOne of: {}", f.one_of.join(", ")));
    }
    let when = if !f.required {
        "Optional.".to_string()
    } else {
        let mut s = format!("Required from the {} gate", f.gate);
        if let Some(due) = f.due {
            s.push_str(&format!(" (due day {})", crate::words::offset(due)));
        }
        s.push('.');
        s
    };
    out.push_str(&format!("\n\n{when}"));
    out
}

/// The indices of the front matter's lines (between the `---` fences).
fn front_matter_lines(lines: &[&str]) -> std::ops::Range<usize> {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return 0..0;
    }
    let end = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == "---")
        .map_or(lines.len(), |i| i + 1);
    1..end
}

/// The dotted path of the mapping a line at `indent` sits in, found from the lines above.
fn parent_path(lines: &[&str], line: usize, indent: usize) -> String {
    let mut path: Vec<String> = Vec::new();
    let mut want = indent;
    for l in lines[..line.min(lines.len())].iter().rev() {
        if l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim_end() == "---" {
            continue;
        }
        let ind = l.len() - l.trim_start().len();
        let body = l.trim_start().trim_start_matches("- ");
        let ind = if l.trim_start().starts_with("- ") {
            ind + 2
        } else {
            ind
        };
        if ind < want
            && let Some((key, rest)) = body.split_once(':')
            && rest.trim().is_empty()
        {
            path.push(key.trim().to_string());
            want = l.len() - l.trim_start().len();
            if want == 0 {
                break;
            }
        }
    }
    path.reverse();
    path.join(".")
}

/// Keys already written at this level around a line.
fn sibling_keys(lines: &[&str], line: usize, indent: usize) -> HashSet<String> {
    let mut out = HashSet::new();
    let range = front_matter_lines(lines);
    let collect = |l: &str, out: &mut HashSet<String>| {
        let ind = l.len() - l.trim_start().len();
        if ind == indent
            && let Some((key, _)) = l.trim_start().split_once(':')
        {
            out.insert(key.trim().to_string());
        }
    };
    for l in lines[range.start..line.min(range.end)].iter().rev() {
        let ind = l.len() - l.trim_start().len();
        if !l.trim().is_empty() && ind < indent {
            break;
        }
        collect(l, &mut out);
    }
    for l in lines.get(line + 1..range.end).unwrap_or_default() {
        let ind = l.len() - l.trim_start().len();
        if !l.trim().is_empty() && ind < indent {
            break;
        }
        collect(l, &mut out);
    }
    out
}

fn value_completion(
    ws: &Workspace,
    spec: Option<&KindSpec>,
    path: &str,
    today: chrono::NaiveDate,
) -> Vec<lsp::CompletionItem> {
    let item = |label: String, detail: Option<String>| lsp::CompletionItem {
        label,
        kind: Some(lsp::CompletionItemKind::VALUE),
        detail,
        ..Default::default()
    };
    match path {
        "status" => crate::gate::Status::ALL
            .iter()
            .map(|s| item(s.name().to_string(), None))
            .collect(),
        "kind" => ws
            .kinds
            .names()
            .into_iter()
            .map(|k| {
                item(
                    k.to_string(),
                    ws.kinds.get(k).map(|k| k.spec.summary.clone()),
                )
            })
            .collect(),
        "day0" => vec![item(today.to_string(), Some("today".into()))],
        _ => {
            let Some(field) = spec.and_then(|s| s.field_at(path)) else {
                return Vec::new();
            };
            let ty = match field.ty {
                FieldType::List => field.item.unwrap_or(FieldType::Text),
                t => t,
            };
            if !field.one_of.is_empty() {
                return field.one_of.iter().map(|o| item(o.clone(), None)).collect();
            }
            match ty {
                FieldType::Person => ws
                    .config
                    .settings
                    .people
                    .iter()
                    .map(|(name, p)| item(name.clone(), Some(p.joined())))
                    .collect(),
                FieldType::Date => vec![item(today.to_string(), Some("today".into()))],
                _ => Vec::new(),
            }
        }
    }
}

/// In the body: the kind's section headings after `## `, its criteria not yet listed after `- [`.
fn body_completion(
    spec: Option<&KindSpec>,
    packet: &Packet,
    before: &str,
) -> Vec<lsp::CompletionItem> {
    let Some(spec) = spec else {
        return Vec::new();
    };
    let trimmed = before.trim_start();
    if trimmed.starts_with('#') {
        return spec
            .sections
            .iter()
            .filter(|s| packet.body.section(&s.title).is_none())
            .map(|s| lsp::CompletionItem {
                label: s.title.clone(),
                kind: Some(lsp::CompletionItemKind::MODULE),
                detail: Some(s.prompt.clone()),
                insert_text: Some(format!("## {}", s.title)),
                filter_text: Some(format!("## {}", s.title)),
                ..Default::default()
            })
            .collect();
    }
    if trimmed.starts_with('-') {
        let have: HashSet<String> = packet
            .body
            .tasks
            .iter()
            .map(|t| crate::kind::spec::criterion_key(&t.text))
            .collect();
        return spec
            .criteria_for(packet.front.as_ref())
            .into_iter()
            .filter(|c| !have.contains(&crate::kind::spec::criterion_key(c.text())))
            .map(|c| lsp::CompletionItem {
                label: c.text().to_string(),
                kind: Some(lsp::CompletionItemKind::TEXT),
                detail: Some("acceptance criterion of the kind".into()),
                insert_text: Some(format!("- [ ] {}", c.text())),
                filter_text: Some(format!("- [ ] {}", c.text())),
                ..Default::default()
            })
            .collect();
    }
    Vec::new()
}

/// A line's value wrapped in double quotes (`key: a #b` → `key: "a #b"`).
fn quote_line_value(line: &str) -> Option<String> {
    let (key, value) = line.split_once(": ")?;
    let value = value.trim();
    if value.is_empty() || value.starts_with('"') {
        return None;
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!("{key}: \"{escaped}\""))
}

/// The range of a whole line, without its line break.
fn whole_line(line_no: usize, line: &str) -> lsp::Range {
    let len: usize = line
        .trim_end_matches('\r')
        .chars()
        .map(char::len_utf16)
        .sum();
    lsp::Range::new(
        lsp::Position::new(line_no as u32, 0),
        lsp::Position::new(line_no as u32, len as u32),
    )
}

/// The key an `unknown-key` finding suggests (`did you mean `x`?`).
fn suggestion<'a>(message: &'a str, data: Option<&'a serde_json::Value>) -> Option<&'a str> {
    let help = data
        .and_then(|d| d.get("help"))
        .and_then(|h| h.as_str())
        .unwrap_or(message);
    let rest = help.split("did you mean `").nth(1)?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_at_finds_nested_keys_and_values() {
        let text = "---\nid: a\nmetric:\n  kpi: K\n  target: T\nbacklog:\n  prioritized_by: ops-lead\n  items:\n    - task: X\n---\n# A\n";
        let p = Packet::from_text(Path::new("a"), Path::new("a"), text.to_string());
        let front = p.front.as_ref().unwrap();
        let at = |needle: &str, plus: usize| {
            key_at(front, text.find(needle).unwrap() + plus, "").map(|(p, _)| p)
        };
        assert_eq!(at("target", 1).as_deref(), Some("metric.target"));
        assert_eq!(at("ops-lead", 2).as_deref(), Some("backlog.prioritized_by"));
        assert_eq!(at("task", 0).as_deref(), Some("backlog.items[1].task"));
        assert_eq!(
            position_of("a\né𝄞b", 8),
            lsp::Position::new(1, 3),
            "UTF-16 columns"
        );
        assert_eq!(offset_of("a\né𝄞b", lsp::Position::new(1, 3)), 8);
    }
}
