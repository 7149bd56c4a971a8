//! Formatting a packet's front matter: the top-level answers in canonical order (the header as
//! `handoff new` writes it, then the kind's questions in the kind's order, then anything else,
//! then send-backs, waivers and sign-offs), and quotes added where YAML would cut a value short
//! (` #` starts a comment). Lines move whole, with the comments and blank lines above them, so
//! every byte of an answer is kept; quotes are added by the same code as the quick fix.
//!
//! Nothing else is touched: not the quoting YAML does not need, not whitespace (a block scalar
//! keeps its trailing spaces), not the body. A result whose answers differ from the original in
//! any way is thrown away, and a packet with sign-offs is not formatted at all, since moving its
//! lines would turn every sign-off stale.

use super::{PACKET_FILE, Server, file_path, packet_dir, whole_document};
use crate::facts::packet::Packet;
use crate::facts::packet::yaml::{Node, Value};
use lsp_types as lsp;
use std::path::Path;

/// Where the header keys go, in `handoff new`'s order.
const HEAD: [&str; 8] = [
    "id",
    "title",
    "kind",
    "from",
    "to",
    "day0",
    "status",
    "kind_version",
];
/// Keys that close the front matter, in this order.
const TAIL: [&str; 3] = ["sent_back", "waivers", "signoffs"];

/// Why a packet is left as it is.
#[derive(Debug, PartialEq, Eq)]
pub enum Unformatted {
    /// Already in canonical form.
    Canonical,
    /// Its sign-offs would go stale.
    Signed,
    /// The front matter cannot be moved line by line safely (it does not parse, or its layout is
    /// one this formatter does not know).
    Unsafe(String),
}

/// `text` (a `handoff.md` in `dir`) with its front matter formatted; `questions` are the kind's
/// top-level keys in the kind's order.
pub fn formatted(dir: &Path, text: &str, questions: &[&str]) -> Result<String, Unformatted> {
    let packet = Packet::from_text(dir, dir, text.to_string());
    if packet.front.is_none() || !packet.problems.is_empty() {
        return Err(Unformatted::Unsafe(
            "the front matter does not parse; fix the errors first".into(),
        ));
    }
    let (good, bad) = crate::facts::signoff::read(&packet);
    if !good.is_empty() || !bad.is_empty() {
        return Err(Unformatted::Signed);
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return Err(Unformatted::Unsafe("no front matter".into()));
    }
    let Some(close) = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == "---")
        .map(|i| i + 1)
    else {
        return Err(Unformatted::Unsafe("the front matter is not closed".into()));
    };
    // The front matter's lines, in blocks: the comments and blank lines above a top-level key,
    // the key's line and every line below it until the next such group.
    // Lines are held with their number (1-based) in the original text.
    let mut preamble: Vec<(usize, String)> = Vec::new();
    let mut blocks: Vec<(String, Vec<(usize, String)>)> = Vec::new();
    let mut pending: Vec<(usize, String)> = Vec::new();
    for (i, line) in lines.iter().enumerate().take(close).skip(1) {
        let numbered = (i + 1, (*line).to_string());
        let bare = line.trim_end_matches(['\n', '\r']);
        let top = bare
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '#' && c != '-');
        let loose = bare.trim().is_empty() || bare.starts_with('#');
        if top {
            let Some((key, _)) = bare.split_once(':') else {
                return Err(Unformatted::Unsafe(format!(
                    "line `{bare}` is not `key: value`"
                )));
            };
            let key = key.trim();
            if key.is_empty() || key.contains(['"', '\'', '?', '[', '{', ' ']) {
                return Err(Unformatted::Unsafe(format!(
                    "key `{key}` is not a plain key"
                )));
            }
            if blocks.is_empty() {
                // Comments above the first key (an editor's schema line) stay on top.
                preamble = std::mem::take(&mut pending);
            }
            let mut block = std::mem::take(&mut pending);
            block.push(numbered);
            blocks.push((key.to_string(), block));
        } else if loose && !blocks.is_empty() {
            pending.push(numbered);
        } else if let Some((_, block)) = blocks.last_mut() {
            block.append(&mut pending);
            block.push(numbered);
        } else {
            pending.push(numbered);
        }
    }
    // Comments after the last key stay at the end.
    let trailer = pending;
    let rank = |key: &str| -> (usize, usize) {
        if let Some(i) = HEAD.iter().position(|k| *k == key) {
            return (0, i);
        }
        if let Some(i) = TAIL.iter().position(|k| *k == key) {
            return (3, i);
        }
        match questions.iter().position(|q| *q == key) {
            Some(i) => (1, i),
            None => (2, 0),
        }
    };
    let mut ordered: Vec<&(String, Vec<(usize, String)>)> = blocks.iter().collect();
    ordered.sort_by_key(|(key, _)| rank(key));
    let mut front: Vec<(usize, String)> = preamble;
    for (_, block) in ordered {
        front.extend(block.iter().cloned());
    }
    front.extend(trailer);
    let assemble = |front: &[(usize, String)]| {
        let mut out = String::with_capacity(text.len() + 16);
        out.push_str(lines[0]);
        for (_, line) in front {
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push('\n');
            }
        }
        for line in &lines[close..] {
            out.push_str(line);
        }
        out
    };
    // The moved lines hold the very same answers: anything else is a bug, and the text stays.
    let moved = assemble(&front);
    let after = Packet::from_text(dir, dir, moved);
    if !after.problems.is_empty()
        || crate::facts::history::changes::answers(&after)
            != crate::facts::history::changes::answers(&packet)
    {
        return Err(Unformatted::Unsafe(
            "moving the lines would change an answer".into(),
        ));
    }
    // Then the quotes YAML needs (which change the answer to what was written).
    let cut = cut_lines(&packet);
    let front: Vec<(usize, String)> = front
        .into_iter()
        .map(|(n, line)| match cut.contains(&n) {
            true => (n, quoted(line)),
            false => (n, line),
        })
        .collect();
    let out = assemble(&front);
    if out == text {
        return Err(Unformatted::Canonical);
    }
    Ok(out)
}

/// The lines (1-based) of `key: value` answers that YAML cut short at ` #`, as the
/// `value-truncated` rule finds them: a plain value on its key's line, followed by `#` and a
/// character that is not a space.
fn cut_lines(packet: &Packet) -> std::collections::HashSet<usize> {
    fn walk(
        node: &Node,
        text: &str,
        out: &mut std::collections::HashSet<usize>,
        key_line: Option<usize>,
    ) {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    walk(&e.value, text, out, Some(e.key_pos.line));
                }
            }
            Value::Seq(items) => {
                for item in items {
                    walk(item, text, out, None);
                }
            }
            Value::Str(_) if node.plain && key_line == Some(node.pos.line) => {
                let rest = &text[node.end.min(text.len())..];
                let line = rest.split('\n').next().unwrap_or("");
                let trimmed = line.trim_start_matches([' ', '\t']);
                if trimmed.len() < line.len()
                    && trimmed.starts_with('#')
                    && trimmed[1..].starts_with(|c: char| !c.is_whitespace())
                {
                    out.insert(node.pos.line);
                }
            }
            _ => {}
        }
    }
    let mut out = std::collections::HashSet::new();
    if let (Some(front), Some(file)) = (packet.front.as_ref(), packet.file.as_ref()) {
        walk(front, &file.text, &mut out, None);
    }
    out
}

/// `key: value #more` as `key: "value #more"` (the quick fix's quoting), its line break kept.
fn quoted(line: String) -> String {
    let bare = line.trim_end_matches(['\n', '\r']);
    let ending = &line[bare.len()..];
    match super::quote_line_value(bare) {
        Some(q) => format!("{q}{ending}"),
        None => line,
    }
}

impl Server {
    /// The edits that format a packet's front matter (see [`format`]): one edit of the whole
    /// text, or none, with a message when the packet is left alone for a reason.
    pub(super) fn format(&mut self, uri: &lsp::Url) -> Vec<lsp::TextEdit> {
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
        match formatted(&dir, &text, &questions) {
            Ok(new_text) => {
                let lines: Vec<&str> = text.split('\n').collect();
                vec![lsp::TextEdit {
                    range: whole_document(&lines),
                    new_text,
                }]
            }
            Err(Unformatted::Canonical) => Vec::new(),
            Err(Unformatted::Signed) => {
                self.show(
                    lsp::MessageType::INFO,
                    "handoff: a packet with sign-offs is not formatted: moving its lines would turn every sign-off stale",
                );
                Vec::new()
            }
            Err(Unformatted::Unsafe(why)) => {
                self.show(
                    lsp::MessageType::WARNING,
                    &format!("handoff: not formatted: {why}"),
                );
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUESTIONS: [&str; 2] = ["owner", "metric"];

    const MOVED: &str = "---\n# yaml-language-server: $schema=x.json\nmetric: Replies to #winback # per week\n# Who runs it\nowner: Maria Lopez <maria@x.test>\nstatus: draft\nid: p\nsignoffs: []\n---\n\n# P\n";

    #[test]
    fn keys_move_whole_with_their_comments_and_cut_values_are_quoted() {
        let dir = Path::new("p");
        let out = formatted(dir, MOVED, &QUESTIONS).expect("formatted");
        assert_eq!(
            out,
            "---\n# yaml-language-server: $schema=x.json\nstatus: draft\nid: p\n# Who runs it\nowner: Maria Lopez <maria@x.test>\nmetric: \"Replies to #winback # per week\"\nsignoffs: []\n---\n\n# P\n"
                .replace("status: draft\nid: p\n", "id: p\nstatus: draft\n")
        );
        // Twice is once.
        assert_eq!(
            formatted(dir, &out, &QUESTIONS),
            Err(Unformatted::Canonical)
        );
    }

    #[test]
    fn a_packet_with_sign_offs_or_that_does_not_parse_is_left_alone() {
        let dir = Path::new("p");
        let signed = "---\nowner: A B <a@x.test>\nid: p\nsignoffs:\n  - role: owner\n    by: A B <a@x.test>\n    date: 2026-12-01\n---\n";
        assert_eq!(formatted(dir, signed, &QUESTIONS), Err(Unformatted::Signed));
        let broken = "---\nid: [p\n---\n";
        assert!(matches!(
            formatted(dir, broken, &QUESTIONS),
            Err(Unformatted::Unsafe(_))
        ));
    }
}
