//! Completion: the keys the kind asks and values that fit in the front matter; section headings
//! and criteria in the body.

use super::*;

impl Server {
    pub(super) fn completion(&mut self, p: &lsp::CompletionParams) -> Vec<lsp::CompletionItem> {
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
            for key in crate::judgement::rules::answers::HEADER_KEYS {
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
}

/// The dotted path of the mapping a line at `indent` sits in, found from the lines above.
pub(super) fn parent_path(lines: &[&str], line: usize, indent: usize) -> String {
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
pub(super) fn sibling_keys(lines: &[&str], line: usize, indent: usize) -> HashSet<String> {
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

pub(super) fn value_completion(
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
        "status" => crate::facts::gate::Status::ALL
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
pub(super) fn body_completion(
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
            .map(|t| crate::facts::kind::spec::criterion_key(&t.text))
            .collect();
        return spec
            .criteria_for(packet.front.as_ref())
            .into_iter()
            .filter(|c| !have.contains(&crate::facts::kind::spec::criterion_key(c.text())))
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
