//! `handoff lsp`: the gate live in the editor. A Language Server Protocol server over stdio
//! (`lsp-server`, as rust-analyzer and ruff use) that runs the same rules, kinds and gates as
//! `check` on the unsaved text of a packet, and offers hover, completion and quick fixes.
//!
//! A packet is the folder holding a `handoff.md`; its attachments (the runbook) are checked with
//! it. Only the packet being edited is read: a change to one packet never re-reads the others.
//!
//! Here: the server's state and message loop; `transport` (bounded stdio), `diagnostics`,
//! `hover`, `completion`, `actions` (quick fixes, upgrade, fix-all), `format`. An output layer: it
//! may use the facts, the rules and the verdict, and nothing uses it but the `lsp` command.

use crate::facts::kind::{FieldSpec, FieldType, KindSpec};
use crate::facts::packet::yaml::{Node, Value};
use crate::facts::packet::{PACKET_FILE, Packet};
use crate::facts::workspace::Workspace;
use crate::judgement::diagnostic::{Applicability, Diagnostic, Fix, FixAction, Severity};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

mod actions;
mod completion;
mod diagnostics;
pub mod format;
mod hover;
pub mod transport;

use crate::judgement::rules::answers::quote_line_value;
use diagnostics::to_lsp;
use hover::question_markdown;

/// The files whose change changes every packet's verdict: the configuration, the repo's kinds
/// and the copies of signed kinds.
pub const WATCHED: [&str; 2] = ["**/handoff.toml", "**/.handoff/**"];

/// How long the server waits for the typing to pause before it checks (it checks at once when
/// nothing else is queued).
const DEBOUNCE: Duration = Duration::from_millis(5);

/// Serve until the client says `exit`; returns the exit status (0 after `shutdown`).
pub fn serve(today: Option<chrono::NaiveDate>) -> Result<u8, transport::LspError> {
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
    let caps = serde_json::to_value(caps).map_err(transport::LspError::Json)?;
    let init = match conn.initialize(caps) {
        Ok(init) => init,
        Err(e) => {
            // The input stopped before the handshake: say why it stopped, when the reader knows.
            drop(conn);
            return Err(io.join().err().unwrap_or(transport::LspError::Protocol(e)));
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
    let clean_exit = server.run();
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
    fn run(&mut self) -> bool {
        let mut shut_down = false;
        loop {
            let msg = if self.dirty.is_empty() {
                match self.conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return shut_down,
                }
            } else {
                match self.conn.receiver.recv_timeout(DEBOUNCE) {
                    Ok(m) => m,
                    Err(crossbeam_timeout) => {
                        if crossbeam_timeout.is_disconnected() {
                            return shut_down;
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
                Message::Notification(n) if n.method == "exit" => return shut_down,
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
                    if name == crate::facts::config::FILE_NAME || name == "kind.yaml" {
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
                        p.file_name().and_then(|n| n.to_str())
                            == Some(crate::facts::config::FILE_NAME)
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

    fn workspace(&mut self, dir: &Path) -> Option<&Workspace> {
        let config = crate::facts::config::Config::discover(dir).ok()?;
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
        self.today.unwrap_or_else(crate::support::clock::today)
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
