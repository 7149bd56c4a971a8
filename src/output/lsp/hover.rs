//! Hover: the question a key answers, who a `[people]` name stands for, what a finding's rule
//! checks (and, for `kind-behind`, what the kind added).

use super::*;

impl Server {
    pub(super) fn hover(&mut self, p: &lsp::HoverParams) -> Option<lsp::Hover> {
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
            let gate = crate::judgement::verdict::gate_for(&packet, ws, today);
            for d in crate::judgement::rules::check(&packet, &ws.kinds, gate, &ws.config, today) {
                let end = d.pos.offset + d.len.max(1);
                if d.pos.line > 0
                    && (d.pos.offset..=end).contains(&offset)
                    && let Some(rule) = crate::judgement::rules::all()
                        .into_iter()
                        .find(|r| r.id == d.rule)
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
}

/// The mapping key under a byte offset, as a dotted path (`metric.kpi`, `risks[1].monitor`), with
/// its value.
pub(super) fn key_at<'a>(
    node: &'a Node,
    offset: usize,
    prefix: &str,
) -> Option<(String, Option<&'a Node>)> {
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
            if (e.value.pos.offset..=crate::facts::packet::edit::reach(&e.value)).contains(&offset)
            {
                return key_at(&e.value, offset, &path).or(Some((path, Some(&e.value))));
            }
            None
        }),
        Value::Seq(items) => items.iter().enumerate().find_map(|(i, item)| {
            if (item.pos.offset..=crate::facts::packet::edit::reach(item)).contains(&offset) {
                key_at(item, offset, &format!("{prefix}[{}]", i + 1))
            } else {
                None
            }
        }),
        _ => None,
    }
}

/// A question as markdown: title, the question, its example, its gate.
pub(super) fn question_markdown(path: &str, f: &FieldSpec) -> String {
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
            s.push_str(&format!(
                " (due day {})",
                crate::support::words::offset(due)
            ));
        }
        s.push('.');
        s
    };
    out.push_str(&format!("\n\n{when}"));
    out
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
