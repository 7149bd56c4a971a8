//! Findings to the editor: a packet checked as the editor has it, its findings published per file
//! (and cleared when gone), each as an LSP diagnostic.

use super::*;

impl Server {
    pub(super) fn publish_dirty(&mut self) {
        let dirs: Vec<PathBuf> = self.dirty.drain().collect();
        for dir in dirs {
            self.publish(&dir);
        }
    }

    /// Check one packet and publish its findings per file (clearing files that have none now).
    pub(super) fn publish(&mut self, dir: &Path) {
        // Files come and go while the editor runs: list the packet's files afresh.
        crate::facts::packet::files::forget();
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
                        crate::support::words::neutral(&why)
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
        let gate = crate::judgement::verdict::gate_for(&packet, ws, today);
        let found = crate::judgement::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
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

    pub(super) fn clear(&mut self, dir: &Path) {
        for f in self.published.remove(dir).unwrap_or_default() {
            self.send_diagnostics(&f, Vec::new());
        }
    }

    pub(super) fn send_diagnostics(&self, file: &Path, diagnostics: Vec<lsp::Diagnostic>) {
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
}

/// A finding as an LSP diagnostic: its range (in UTF-16 code units, the protocol's default), the
/// rule id as its code with a link to the rule's documentation, and the help text.
pub(super) fn to_lsp(d: &Diagnostic, text: Option<&str>) -> lsp::Diagnostic {
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
    let href = lsp::Url::parse(&crate::judgement::rules::doc_url(d.rule.as_str())).ok();
    lsp::Diagnostic {
        range: lsp::Range::new(start, end),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some("handoff".into()),
        message: format!("{}\nhelp: {}", d.message, d.help),
        data: Some(serde_json::json!({
            "target": d.target,
            "help": d.help,
            "fix": d.fix.as_ref().and_then(|f| fix_data(f, text)),
        })),
        ..Default::default()
    }
}

/// A rule's fix as the diagnostic's `data` carries it to the editor's code action request: its
/// title, whether fix-all may apply it, and its edits as LSP text edits (or the kind version an
/// upgrade moves to, worked out when asked for).
fn fix_data(fix: &Fix, text: Option<&str>) -> Option<serde_json::Value> {
    let with_others = fix.applicability == Applicability::Safe;
    match &fix.action {
        FixAction::Edits(edits) => {
            let text = text?;
            let edits: Vec<lsp::TextEdit> = edits
                .iter()
                .filter(|e| e.start <= e.end && e.end <= text.len())
                .map(|e| lsp::TextEdit {
                    range: lsp::Range::new(position_of(text, e.start), position_of(text, e.end)),
                    new_text: e.text.clone(),
                })
                .collect();
            Some(
                serde_json::json!({ "title": fix.title, "withOthers": with_others, "edits": edits }),
            )
        }
        FixAction::Upgrade { to } => Some(
            serde_json::json!({ "title": fix.title, "withOthers": with_others, "upgrade": to }),
        ),
    }
}
