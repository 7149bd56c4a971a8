//! Exact edits of a packet's front matter: add or replace one entry of a top-level list
//! (`signoffs`, `waivers`) or set one top-level scalar, changing only those lines. Every other
//! byte (comments, blank lines, key order, CRLF line endings, a byte-order mark) stays as it was;
//! a front matter that cannot be edited that exactly is refused with the reason, never rewritten.
//! Each edit is read back and compared before it is returned.

use super::Packet;
use super::yaml::{Node, Value};
use std::fmt::Write as _;
use std::path::Path;

/// A value as `handoff` writes it: plain when unambiguous (digests stay plain), quoted otherwise.
fn value(v: &str) -> String {
    let ours =
        v.starts_with("sha256:") && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':');
    let number = !v.is_empty() && v.len() < 10 && v.bytes().all(|b| b.is_ascii_digit());
    if ours || number {
        v.to_string()
    } else {
        scalar(v)
    }
}

/// The YAML lines of one list entry: the dash at `dash` columns, keys at `keys` columns.
fn entry_lines(fields: &[(&str, String)], dash: usize, keys: usize, nl: &str) -> String {
    let mut out = String::new();
    for (i, (key, v)) in fields.iter().enumerate() {
        let v = value(v);
        if i == 0 {
            let gap = keys.saturating_sub(dash + 1).max(1);
            let _ = write!(
                out,
                "{}-{}{key}: {v}{nl}",
                " ".repeat(dash),
                " ".repeat(gap)
            );
        } else {
            let _ = write!(out, "{}{key}: {v}{nl}", " ".repeat(keys));
        }
    }
    out
}

/// The last byte offset a node's text reaches.
pub fn reach(node: &Node) -> usize {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .map(|e| reach(&e.value).max(e.key_pos.offset))
            .max()
            .unwrap_or(node.end),
        Value::Seq(items) => items.iter().map(reach).max().unwrap_or(node.end),
        _ => node.end.max(node.pos.offset),
    }
}

/// The parts of a front matter every edit needs.
struct Front<'a> {
    file: &'a super::source::SourceFile,
    front: &'a Node,
    nl: &'static str,
    key_col: usize,
}

fn front(packet: &Packet) -> Result<Front<'_>, String> {
    let file = packet
        .file
        .as_deref()
        .ok_or("handoff.md could not be read")?;
    let front = packet
        .front
        .as_ref()
        .ok_or("the front matter does not parse")?;
    let entries = front.entries().ok_or("the front matter is not a mapping")?;
    if file.text[front.pos.offset..].starts_with('{') {
        return Err("the front matter is written as a flow mapping (`{...}`)".into());
    }
    Ok(Front {
        file,
        front,
        nl: if file.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        },
        key_col: entries.first().map_or(0, |e| e.key_pos.column - 1),
    })
}

/// `handoff.md`'s new text with `fields` as an entry of the top-level list `list`: in place of
/// the entry at `replace`, or after the last one (the list is created at the end of the front
/// matter when missing).
pub fn list_entry(
    packet: &Packet,
    list: &str,
    fields: &[(&str, String)],
    replace: Option<usize>,
) -> Result<String, String> {
    let Front {
        file,
        front,
        nl,
        key_col,
    } = front(packet)?;
    let text = &file.text;
    let line_of = |offset: usize| file.pos(offset).line;
    let edited = match front.entry(list) {
        None => {
            let at = packet.front_range.1;
            let block = format!(
                "{}{list}:{nl}{}",
                " ".repeat(key_col),
                entry_lines(fields, key_col + 2, key_col + 4, nl)
            );
            format!("{}{block}{}", &text[..at], &text[at..])
        }
        Some(entry) => match &entry.value.value {
            Value::Seq(items) if !items.is_empty() => {
                let first = &items[0];
                let dash_line = file.line_text(first.pos.line);
                let dash = dash_line.len() - dash_line.trim_start().len();
                let keys = first.pos.column - 1;
                for item in items {
                    let line = file.line_text(item.pos.line);
                    let here = line.len() - line.trim_start().len();
                    if !line.trim_start().starts_with('-')
                        || here != dash
                        || item.entries().is_none()
                        || text[item.pos.offset..].starts_with('{')
                    {
                        return Err(format!(
                            "the `{list}` entry on line {} is not written the way `handoff` writes them (a `- key: …` block, indented like the others)",
                            item.pos.line
                        ));
                    }
                }
                let lines = entry_lines(fields, dash, keys.max(dash + 2), nl);
                let (start, end) = match replace.and_then(|i| items.get(i)) {
                    Some(item) => (
                        file.line_start(item.pos.line),
                        file.line_start(line_of(reach(item)) + 1),
                    ),
                    None => {
                        let last = items.iter().map(reach).max().unwrap_or(entry.value.end);
                        let at = file.line_start(line_of(last) + 1);
                        (at, at)
                    }
                };
                let end = if end <= start && replace.is_some() {
                    text.len()
                } else {
                    end
                };
                let mut out = String::with_capacity(text.len() + lines.len());
                out.push_str(&text[..start]);
                if start > 0 && !text[..start].ends_with('\n') {
                    out.push_str(nl);
                }
                out.push_str(&lines);
                out.push_str(&text[end..]);
                out
            }
            Value::Seq(_) | Value::Null => {
                // `list:`, `list: []` or `list: ~`, maybe with a comment.
                let line_no = entry.key_pos.line;
                let line = file.line_text(line_no);
                let after_key = line
                    .find(':')
                    .map(|i| &line[i + 1..])
                    .ok_or_else(|| format!("cannot find `{list}:`"))?;
                let rest = after_key.trim_start();
                let (v, comment) = match rest.find('#') {
                    Some(i) => (rest[..i].trim(), Some(&rest[i..])),
                    None => (rest.trim(), None),
                };
                if !matches!(v, "" | "[]" | "~" | "null") {
                    return Err(format!(
                        "`{list}` on line {line_no} is written inline; write it as a `- key: …` list"
                    ));
                }
                let indent = line.len() - line.trim_start().len();
                let mut key_line = format!("{}{list}:", " ".repeat(indent));
                if let Some(c) = comment {
                    key_line.push_str("  ");
                    key_line.push_str(c.trim_end());
                }
                let start = file.line_start(line_no);
                let end = file.line_start(line_no + 1);
                let end = if end <= start { text.len() } else { end };
                format!(
                    "{}{key_line}{nl}{}{}",
                    &text[..start],
                    entry_lines(fields, indent + 2, indent + 4, nl),
                    &text[end..]
                )
            }
            _ => return Err(format!("`{list}` is not a list")),
        },
    };
    let mut expected: Vec<serde_json::Value> = front
        .get(list)
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .map(Node::to_json)
        .collect();
    let new_json = serde_json::Value::Object(
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), plain_json(v)))
            .collect(),
    );
    match replace {
        Some(i) if i < expected.len() => expected[i] = new_json,
        _ => expected.push(new_json),
    }
    verify(
        packet,
        &edited,
        list,
        Some(serde_json::Value::Array(expected)),
    )?;
    Ok(edited)
}

/// How `to_json` reads back a value written by [`value`].
fn plain_json(v: &str) -> serde_json::Value {
    let written = value(v);
    if written.starts_with('"') {
        serde_json::Value::String(v.to_string())
    } else {
        Node {
            pos: Default::default(),
            end: 0,
            value: Value::Str(v.into()),
            plain: true,
        }
        .to_json()
    }
}

/// `handoff.md`'s new text with the top-level key `key` set to the plain scalar `v`: its value
/// replaced on its line, or a `key: v` line added at the end of the front matter.
pub fn set_scalar(packet: &Packet, key: &str, v: &str) -> Result<String, String> {
    let Front {
        file,
        front,
        nl,
        key_col,
    } = front(packet)?;
    let text = &file.text;
    let edited = match front.get(key) {
        Some(node)
            if matches!(node.value, Value::Str(_))
                && node.pos.line == front.entry(key).map_or(0, |e| e.key_pos.line) =>
        {
            format!(
                "{}{}{}",
                &text[..node.pos.offset],
                value(v),
                &text[node.end..]
            )
        }
        Some(_) => {
            return Err(format!("`{key}` is not a one-line value"));
        }
        None => {
            let at = packet.front_range.1;
            format!(
                "{}{}{key}: {}{nl}{}",
                &text[..at],
                " ".repeat(key_col),
                value(v),
                &text[at..]
            )
        }
    };
    verify(packet, &edited, key, Some(plain_json(v)))?;
    Ok(edited)
}

/// The edit must read back with `key` as `expected` and every other key and the body unchanged.
fn verify(
    before: &Packet,
    text: &str,
    key: &str,
    expected: Option<serde_json::Value>,
) -> Result<(), String> {
    let after = Packet::from_text(&before.dir, Path::new(""), text.to_string());
    if let Some(p) = after.problems.first() {
        return Err(format!("the edited file would not parse ({})", p.message));
    }
    let others = |p: &Packet| -> Vec<(String, serde_json::Value)> {
        p.front
            .as_ref()
            .and_then(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter(|e| e.key != key)
            .map(|e| (e.key.to_string(), e.value.to_json()))
            .collect()
    };
    let body = |p: &Packet| {
        p.file
            .as_ref()
            .map(|f| f.text[p.front_range.1..].to_string())
    };
    let got = after
        .front
        .as_ref()
        .and_then(|f| f.get(key))
        .map(Node::to_json);
    if got != expected || others(before) != others(&after) || body(before) != body(&after) {
        return Err(format!("the edit would change more than `{key}`"));
    }
    Ok(())
}
/// A YAML scalar for `s`: plain when that is unambiguous, double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || " -_.,()/".contains(c))
        && !s.starts_with(['-', ' ', '.'])
        && !s.ends_with(' ')
        && !matches!(
            s,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        )
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}
