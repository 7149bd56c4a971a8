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
        // The packet moved to its kind's version, for the fix of `kind-behind`: worked out here,
        // when asked for, not by every check.
        let mut upgrade = None;
        if let Some(dir) = packet_dir(&file)
            && file.file_name().and_then(|n| n.to_str()) == Some(PACKET_FILE)
            && let Some(packet) = self.packet(&dir)
            && let Some(spec) = self
                .workspace(&dir)
                .and_then(|ws| ws.kind_of(&packet).map(|k| k.spec.clone()))
            && packet.kind_version() < spec.version
        {
            upgrade = crate::facts::kind::upgrade::upgraded(&packet, &spec)
                .ok()
                .map(|(new, added)| (spec.version, new, added.len()));
        }
        // The fix a finding carries (in its `data`, as the rule made it): a title and its edits.
        let fix = |d: &lsp::Diagnostic| -> Option<(String, Vec<lsp::TextEdit>)> {
            let fix = d.data.as_ref()?.get("fix")?;
            if let Some(to) = fix.get("upgrade").and_then(serde_json::Value::as_u64) {
                let (version, new, added) = upgrade.as_ref()?;
                if u64::from(*version) != to {
                    return None;
                }
                return Some((
                    format!(
                        "Upgrade to version {version} of the kind ({} to fill in, as `handoff upgrade` would)",
                        crate::support::words::plural(*added, "item", "items")
                    ),
                    vec![lsp::TextEdit {
                        range: whole_document(&lines),
                        new_text: new.clone(),
                    }],
                ));
            }
            let title = fix.get("title")?.as_str()?.to_string();
            let edits: Vec<lsp::TextEdit> =
                serde_json::from_value(fix.get("edits")?.clone()).ok()?;
            (!edits.is_empty()).then_some((title, edits))
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
            if let Some((title, edits)) = fix(d) {
                let mut changes = HashMap::new();
                changes.insert(p.text_document.uri.clone(), edits);
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
        fix: &impl Fn(&lsp::Diagnostic) -> Option<(String, Vec<lsp::TextEdit>)>,
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
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Safe)
                    && Path::new(&d.file).file_name().and_then(|n| n.to_str()) == Some(PACKET_FILE)
            })
            .filter_map(|d| fix(&to_lsp(d, Some(text))))
            .flat_map(|(_, edits)| edits)
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
