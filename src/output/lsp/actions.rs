//! Code actions: a quick fix per finding that has one, the upgrade of a packet behind its kind,
//! and fix-all.

use super::*;

impl Server {
    pub(super) fn code_actions(
        &mut self,
        p: &lsp::CodeActionParams,
    ) -> Vec<lsp::CodeActionOrCommand> {
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
                upgrade = crate::facts::kind::upgrade::upgraded(&packet, &spec)
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
                            crate::facts::kind::scaffold::field_yaml(field, 0),
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
                            crate::support::words::plural(*added, "item", "items")
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
    pub(super) fn fix_all(
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
        let gate = crate::judgement::verdict::gate_for(&packet, ws, today);
        let found = crate::judgement::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
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
            crate::support::words::plural(kept.len(), "finding", "findings")
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

/// A line's value wrapped in double quotes (`key: a #b` → `key: "a #b"`).
pub(super) fn quote_line_value(line: &str) -> Option<String> {
    let (key, value) = line.split_once(": ")?;
    let value = value.trim();
    if value.is_empty() || value.starts_with('"') {
        return None;
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!("{key}: \"{escaped}\""))
}

/// The key an `unknown-key` finding suggests (`did you mean `x`?`).
pub(super) fn suggestion<'a>(
    message: &'a str,
    data: Option<&'a serde_json::Value>,
) -> Option<&'a str> {
    let help = data
        .and_then(|d| d.get("help"))
        .and_then(|h| h.as_str())
        .unwrap_or(message);
    let rest = help.split("did you mean `").nth(1)?;
    rest.split('`').next()
}

/// The range of a whole line, without its line break.
pub(super) fn whole_line(line_no: usize, line: &str) -> lsp::Range {
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
