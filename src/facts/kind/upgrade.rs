//! A packet moved to its kind's current version: the questions and criteria the kind gained since
//! the packet's `kind_version`, planned as insertions into its text (questions as `TODO:`
//! placeholders, criteria as unchecked items) without touching anything else. Nothing is
//! written here: `handoff upgrade` writes the text, the language server offers it as an edit.

use super::FieldSpec;
use super::spec::{KindSpec, same_criterion};
use crate::facts::packet::Packet;
use crate::facts::packet::yaml::{Node, Value};
use std::path::Path;

/// The packet's text moved to `spec`'s version, and what was added (`question.path` or
/// `criterion: text`); or why it cannot be done without rewriting the file. Nothing is written:
/// `handoff upgrade` writes it, the language server offers it as a code action.
pub fn upgraded(packet: &Packet, spec: &KindSpec) -> Result<(String, Vec<String>), String> {
    let (Some(file), Some(front)) = (packet.file.as_ref(), packet.front.as_ref()) else {
        return Err("cannot read the packet".into());
    };
    let from = packet.kind_version();
    let text = &file.text;
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // (offset, text) insertions, applied from the end so earlier offsets stay valid.
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    let top_at = front
        .entry("signoffs")
        .map_or(packet.front_range.1, |e| file.line_start(e.key_pos.line));
    let key_col = front
        .entries()
        .and_then(|e| e.first())
        .map_or(0, |e| e.key_pos.column - 1);
    new_fields(
        &spec.fields,
        front,
        from,
        "",
        key_col,
        top_at,
        packet,
        &mut inserts,
        &mut added,
    );
    // Criteria the kind gained go after the last item of the criteria section.
    let section = spec
        .sections
        .iter()
        .find(|s| s.tasks)
        .and_then(|s| packet.body.section(&s.title));
    if let Some(section) = section {
        let tasks: Vec<_> = packet.body.tasks_in(section).collect();
        let at = tasks.last().map_or(section.end, |t| {
            let line = file.pos(t.end.saturating_sub(1).max(t.pos.offset)).line;
            file.line_start(line + 1)
        });
        let at = if at <= section.pos.offset {
            section.end
        } else {
            at
        };
        let mut lines = String::new();
        for c in spec.criteria.iter().filter(|c| c.since() > from) {
            if !tasks.iter().any(|t| same_criterion(&t.text, c.text())) {
                lines.push_str(&format!("- [ ] {}{nl}", c.text()));
                added.push(format!("criterion: {}", c.text()));
            }
        }
        if !lines.is_empty() {
            let lead = if at > 0 && !text[..at].ends_with('\n') {
                nl
            } else {
                ""
            };
            inserts.push((at, format!("{lead}{lines}")));
        }
    }
    // From the end, so earlier offsets stay valid; at one offset, the last planned goes in first,
    // so the kind's order is kept.
    let mut order: Vec<(usize, usize, String)> = inserts
        .into_iter()
        .enumerate()
        .map(|(i, (at, lines))| (at, i, lines))
        .collect();
    order.sort_by_key(|(at, i, _)| std::cmp::Reverse((*at, *i)));
    let mut new_text = text.clone();
    for (at, _, lines) in order {
        new_text.insert_str(at.min(new_text.len()), &lines);
    }
    let staged = Packet::from_text(&packet.dir, Path::new(""), new_text);
    if let Some(p) = staged.problems.first() {
        return Err(format!(
            "cannot add the new questions without rewriting the file ({})",
            p.message
        ));
    }
    let text =
        crate::facts::packet::edit::set_scalar(&staged, "kind_version", &spec.version.to_string())
            .map_err(|why| format!("cannot set kind_version: {why}"))?;
    Ok((text, added))
}

/// Plan the insertion of every question newer than `from` that the packet lacks: at the top
/// level before `signoffs`, inside an existing mapping after its last line.
#[allow(clippy::too_many_arguments)]
fn new_fields(
    fields: &[FieldSpec],
    map: &Node,
    from: u32,
    prefix: &str,
    indent: usize,
    at: usize,
    packet: &Packet,
    inserts: &mut Vec<(usize, String)>,
    added: &mut Vec<String>,
) {
    let Some(file) = packet.file.as_ref() else {
        return;
    };
    let nl = if file.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    for f in fields {
        let here = if prefix.is_empty() {
            f.key.clone()
        } else {
            format!("{prefix}.{}", f.key)
        };
        match map.get(&f.key) {
            None if f.since > from => {
                let yaml = crate::facts::kind::scaffold::field_yaml(f, indent).replace('\n', nl);
                inserts.push((at, yaml));
                added.push(here);
            }
            Some(node) if matches!(node.value, Value::Map(_)) => {
                let inner_indent = node
                    .entries()
                    .and_then(|e| e.first())
                    .map_or(indent + 2, |e| e.key_pos.column - 1);
                let last = crate::facts::packet::edit::reach(node);
                let inner_at = file.line_start(file.pos(last).line + 1);
                new_fields(
                    &f.fields,
                    node,
                    from,
                    &here,
                    inner_indent,
                    inner_at,
                    packet,
                    inserts,
                    added,
                );
            }
            _ => {}
        }
    }
}
