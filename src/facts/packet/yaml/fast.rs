//! The fast path of the front matter parser, for YAML written the way packets are: block mappings
//! with plain keys, block lists, and one-line values (plain, quoted, or a one-line `[a, b]` list).
//!
//! It reads a line at a time and builds the same [`Node`] tree, positions included, that the
//! event-based parser builds. It declines (returns `None`) as soon as it meets anything else
//! (multi-line values, block scalars, escapes, anchors, tags, flow mappings, tabs, control
//! characters, duplicate keys, indentation that does not line up), and the full parser then reads
//! the document and locates any error. So the fast path never decides what a document means on its
//! own terms: the differential tests below hold it to the full parser's tree.

use super::{Entry, MAX_DEPTH, MAX_NODES, Node, Value};
use crate::facts::packet::source::{Pos, SourceFile};
use compact_str::CompactString;

/// The most keys one mapping may have on the fast path (duplicates are looked for by scanning).
const MAX_KEYS: usize = 256;

/// One line that holds content (blank and comment-only lines are left out).
#[derive(Clone, Copy)]
struct Line {
    /// Byte offset of the line in the front matter.
    off: usize,
    /// Length in bytes, without the line break.
    len: usize,
    /// Leading spaces.
    indent: usize,
    /// 0-based line number in the front matter.
    no: usize,
    /// Whether the line is ASCII, so byte and character columns agree.
    ascii: bool,
}

struct Reader<'a> {
    text: &'a str,
    lines: Vec<Line>,
    /// The next line to read.
    i: usize,
    /// Byte offset of the front matter in the file.
    start: usize,
    first_line: usize,
    line_count: usize,
    nodes: usize,
    /// Entries of the mappings being read, innermost last; each mapping takes its own off the
    /// top when it ends, so its `Vec` is allocated once at its final size.
    entries: Vec<Entry>,
    /// The same for list items.
    items: Vec<Node>,
}

/// Read `file.text[start..end]` if it is written in the subset this path knows; `None` otherwise.
pub(super) fn parse(
    file: &SourceFile,
    start: usize,
    end: usize,
    first_line: usize,
) -> Option<Node> {
    let text = file.text.get(start..end)?;
    if !plain_text(text) {
        return None;
    }
    let all_ascii = text.is_ascii();
    let mut lines = Vec::with_capacity(text.len() / 24);
    // The file's own line index gives where each line of the front matter starts.
    let starts = file.line_starts();
    let first = starts.partition_point(|&s| s < start);
    let mut bounds = starts[first..]
        .iter()
        .take_while(|&&s| s < end)
        .map(|&s| s - start)
        .peekable();
    if starts.get(first) != Some(&start) {
        return None;
    }
    let mut no = 0;
    while let Some(off) = bounds.next() {
        let stop = bounds
            .peek()
            .map_or(
                text.strip_suffix('\n').map_or(text.len(), str::len),
                |&next| next - 1,
            )
            .max(off);
        let raw = &text[off..stop];
        let line_no = no;
        no += 1;
        let indent = raw.bytes().take_while(|&b| b == b' ').count();
        let content = &raw[indent..];
        if !content.is_empty() && !content.starts_with('#') {
            if indent == 0
                && (content.starts_with("---")
                    || content.starts_with("...")
                    || content.starts_with('%'))
            {
                return None;
            }
            lines.push(Line {
                off,
                len: raw.len(),
                indent,
                no: line_no,
                ascii: all_ascii || raw.is_ascii(),
            });
        }
    }
    let first = *lines.first()?;
    if first.indent != 0 {
        return None;
    }
    let mut r = Reader {
        text,
        lines,
        i: 0,
        start,
        first_line,
        line_count: file.line_count(),
        nodes: 0,
        entries: Vec::with_capacity(64),
        items: Vec::with_capacity(64),
    };
    let root = r.map(0, 0, 0)?;
    (r.i == r.lines.len()).then_some(root)
}

/// No tabs, carriage returns, control characters, escapes' backslashes in quotes are checked
/// later; here: nothing YAML reads as a line break or refuses as unprintable.
fn plain_text(text: &str) -> bool {
    // A fold without early exit, which the compiler turns into wide compares.
    let bad = text.bytes().fold(false, |bad, b| {
        bad | ((b < 0x20) & (b != b'\n')) | (b == 0x7f)
    });
    if bad {
        return false;
    }
    text.is_ascii()
        || !text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        })
}

/// The bytes a key the fast path reads may hold, by byte value (a table: keys are scanned for
/// every line of every packet).
const KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    table
};

/// The length of the plain key `content` starts with, when it is followed by `:` and a space or
/// the end of the line.
fn key_len(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    let first = *bytes.first()?;
    if !(first.is_ascii_alphanumeric() || first == b'_') {
        return None;
    }
    let len = bytes
        .iter()
        .position(|&b| !KEY_BYTES[usize::from(b)])
        .unwrap_or(bytes.len());
    if bytes.get(len) != Some(&b':') || !matches!(bytes.get(len + 1), None | Some(b' ')) {
        return None;
    }
    // Of the null words only `null` in its three spellings can start with a key byte.
    (len != 4 || !is_null(&content[..len])).then_some(len)
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// Whether a list item starts here: `-` then a space or the end of the line.
fn is_dash(content: &str) -> bool {
    content.starts_with('-') && matches!(content.as_bytes().get(1), None | Some(b' '))
}

/// Whether the rest of a line after a value is empty or a comment.
fn rest_is_blank(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.len() < rest.len() && trimmed.starts_with('#'))
}

impl<'a> Reader<'a> {
    fn raw(&self, line: Line) -> &'a str {
        let text: &'a str = self.text;
        &text[line.off..line.off + line.len]
    }

    fn pos(&self, line: Line, col: usize) -> Pos {
        let column = if line.ascii {
            col
        } else {
            self.raw(line)[..col].chars().count()
        };
        Pos {
            offset: self.start + line.off + col,
            line: (self.first_line + line.no).min(self.line_count),
            column: column + 1,
        }
    }

    /// Count one more node; `None` past the cap (the full parser then says so).
    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes < MAX_NODES).then_some(())
    }

    fn node(&mut self, pos: Pos, end: usize, value: Value, plain: bool) -> Option<Node> {
        self.count()?;
        Some(Node {
            pos,
            end,
            value,
            plain,
        })
    }

    /// A block mapping whose first key starts at byte `col` of the current line; its other keys
    /// are lines indented by `col`.
    fn map(&mut self, col: usize, first_col: usize, depth: usize) -> Option<Node> {
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        let pos = self.pos(self.lines[self.i], first_col);
        let base = self.entries.len();
        let mut at = first_col;
        loop {
            let line = self.lines[self.i];
            let content = &self.raw(line)[at..];
            let len = key_len(content)?;
            let key = &content[..len];
            let siblings = &self.entries[base..];
            if siblings.len() >= MAX_KEYS || siblings.iter().any(|e| e.key == key) {
                return None;
            }
            let key = CompactString::from(key);
            let key_pos = self.pos(line, at);
            self.count()?;
            let value_col = at + len + 1;
            let after = &self.raw(line)[value_col..];
            let value = if rest_is_blank(after) {
                self.i += 1;
                self.nested(col, value_col - 1, depth)?
            } else {
                let skip = after.len() - after.trim_start_matches(' ').len();
                let value = self.inline(line, value_col + skip, depth)?;
                self.i += 1;
                value
            };
            self.entries.push(Entry {
                key,
                key_pos,
                value,
            });
            let Some(next) = self.lines.get(self.i) else {
                break;
            };
            if next.indent < col {
                break;
            }
            if next.indent > col {
                return None;
            }
            at = col;
        }
        let entries = self.entries.split_off(base);
        self.node(pos, pos.offset, Value::Map(entries), false)
    }

    /// The value of a key written on the lines after it (the key at byte `col`, its colon at byte
    /// `colon` of the line before): a nested mapping or list, or an empty value.
    fn nested(&mut self, col: usize, colon: usize, depth: usize) -> Option<Node> {
        let key_line = self.lines[self.i - 1];
        match self.lines.get(self.i).copied() {
            Some(next) if next.indent > col => {
                let content = &self.raw(next)[next.indent..];
                if is_dash(content) {
                    self.seq(next.indent, false, depth + 1)
                } else {
                    self.map(next.indent, next.indent, depth + 1)
                }
            }
            Some(next) if next.indent == col && is_dash(&self.raw(next)[next.indent..]) => {
                self.seq(col, true, depth + 1)
            }
            _ => {
                let pos = self.pos(key_line, colon);
                self.node(pos, pos.offset, Value::Null, true)
            }
        }
    }

    /// A block list whose dashes sit at byte `col`, starting at the current line. An indentless
    /// list (dashes level with the key that owns it) starts where its first item's content does.
    fn seq(&mut self, col: usize, indentless: bool, depth: usize) -> Option<Node> {
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        let base = self.items.len();
        let mut pos = None;
        while let Some(line) = self.lines.get(self.i).copied() {
            if line.indent < col {
                break;
            }
            if line.indent > col {
                return None;
            }
            let raw = self.raw(line);
            if !is_dash(&raw[col..]) {
                if indentless {
                    break;
                }
                return None;
            }
            let spaces = raw[col + 1..].bytes().take_while(|&b| b == b' ').count();
            let item_col = col + 1 + spaces;
            let content = &raw[item_col..];
            if content.is_empty() || content.starts_with('#') || is_dash(content) {
                return None;
            }
            if pos.is_none() {
                pos = Some(self.pos(line, if indentless { item_col } else { col }));
            }
            let item = if key_len(content).is_some() {
                self.map(item_col, item_col, depth + 1)?
            } else {
                let item = self.inline(line, item_col, depth)?;
                self.i += 1;
                if self.lines.get(self.i).is_some_and(|next| next.indent > col) {
                    return None;
                }
                item
            };
            self.items.push(item);
        }
        let pos = pos?;
        let items = self.items.split_off(base);
        self.node(pos, pos.offset, Value::Seq(items), false)
    }

    /// A value written on the line of its key or dash, starting at byte `col`; the rest of the
    /// line may only hold a comment.
    fn inline(&mut self, line: Line, col: usize, depth: usize) -> Option<Node> {
        let raw = self.raw(line);
        let content = &raw[col..];
        let first = *content.as_bytes().first()?;
        let (node, len) = match first {
            b'"' | b'\'' => {
                let (value, len) = quoted(content)?;
                let pos = self.pos(line, col);
                (
                    self.node(pos, pos.offset + len, Value::Str(value), false)?,
                    len,
                )
            }
            b'[' => self.flow_seq(line, col, depth)?,
            b'{' => {
                let inner = content[1..].trim_start_matches(' ');
                if !inner.starts_with('}') {
                    return None;
                }
                let pos = self.pos(line, col);
                let len = content.len() - inner.len() + 1;
                (
                    self.node(pos, pos.offset, Value::Map(Vec::new()), false)?,
                    len,
                )
            }
            _ => {
                let len = plain_len(content, false)?;
                let text = &content[..len];
                let pos = self.pos(line, col);
                let value = if is_null(text) {
                    Value::Null
                } else {
                    Value::Str(CompactString::from(text))
                };
                (self.node(pos, pos.offset + len, value, true)?, len)
            }
        };
        rest_is_blank(&content[len..]).then_some(node)
    }

    /// A one-line `[a, "b", c]` list starting at byte `col`; its length in bytes.
    fn flow_seq(&mut self, line: Line, col: usize, depth: usize) -> Option<(Node, usize)> {
        if depth + 2 >= MAX_DEPTH {
            return None;
        }
        let raw = self.raw(line);
        let pos = self.pos(line, col);
        let mut items = Vec::new();
        let mut at = col + 1;
        loop {
            at += raw[at..].bytes().take_while(|&b| b == b' ').count();
            let rest = &raw[at..];
            if rest.starts_with(']') {
                if !items.is_empty() {
                    // `[a, ]`: a trailing comma, left to the full parser.
                    return None;
                }
                at += 1;
                break;
            }
            let (value, len, plain) = match rest.as_bytes().first()? {
                b'"' | b'\'' => {
                    let (value, len) = quoted(rest)?;
                    (Value::Str(value), len, false)
                }
                _ => {
                    let len = plain_len(rest, true)?;
                    let text = &rest[..len];
                    let value = if is_null(text) {
                        Value::Null
                    } else {
                        Value::Str(CompactString::from(text))
                    };
                    (value, len, true)
                }
            };
            let item_pos = self.pos(line, at);
            items.push(self.node(item_pos, item_pos.offset + len, value, plain)?);
            at += len;
            at += raw[at..].bytes().take_while(|&b| b == b' ').count();
            match raw.as_bytes().get(at) {
                Some(b',') => {
                    at += 1;
                    let next = raw[at..].trim_start_matches(' ');
                    if next.is_empty() || next.starts_with(']') || next.starts_with(',') {
                        return None;
                    }
                }
                Some(b']') => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
        let node = self.node(pos, pos.offset, Value::Seq(items), false)?;
        Some((node, at - col))
    }
}

/// A plain scalar at the start of `content`: its length without trailing spaces or a comment.
/// `None` for anything the fast path leaves to the full parser: an indicator first, `: ` or a
/// final `:` (a key where a value should be), and in a flow list any bracket, brace or quote.
fn plain_len(content: &str, flow: bool) -> Option<usize> {
    let bytes = content.as_bytes();
    let first = *bytes.first()?;
    // `-`, `?` and `:` start a plain value when no space follows (`-7`, `:x`).
    if matches!(first, b'-' | b'?' | b':') {
        match bytes.get(1) {
            None | Some(b' ') => return None,
            Some(b',' | b'[' | b']' | b'{' | b'}') if flow => return None,
            _ => {}
        }
    } else if matches!(
        first,
        b',' | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
    ) {
        return None;
    }
    let mut end = bytes.len();
    if flow {
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'#' if bytes[i - 1] == b' ' => {
                    end = i;
                    break;
                }
                b',' | b']' => {
                    end = i;
                    break;
                }
                b'[' | b'{' | b'}' | b'"' | b'\'' | b':' => return None,
                _ => {}
            }
        }
    } else {
        // In a block value only `#` and `:` can end or break it: jump between them.
        for i in memchr::memchr2_iter(b'#', b':', bytes) {
            if bytes[i] == b'#' {
                if bytes[i - 1] == b' ' {
                    end = i;
                    break;
                }
            } else if matches!(bytes.get(i + 1), None | Some(b' ')) {
                return None;
            }
        }
    }
    let len = content[..end].trim_end_matches(' ').len();
    (len > 0).then_some(len)
}

/// A one-line quoted scalar at the start of `content`: its value and length in bytes with the
/// quotes. Double quotes with a backslash (escapes) are left to the full parser.
fn quoted(content: &str) -> Option<(CompactString, usize)> {
    let quote = *content.as_bytes().first()?;
    let body = &content[1..];
    if quote == b'"' {
        let close = body.find('"')?;
        if body[..close].contains('\\') {
            return None;
        }
        return Some((CompactString::from(&body[..close]), close + 2));
    }
    let mut value = CompactString::default();
    let mut rest = body;
    let mut len = 1;
    loop {
        let close = rest.find('\'')?;
        value.push_str(&rest[..close]);
        len += close + 1;
        if rest.as_bytes().get(close + 1) == Some(&b'\'') {
            value.push('\'');
            len += 1;
            rest = &rest[close + 2..];
        } else {
            return Some((value, len));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Both parsers on `text`: the fast path must decline or give exactly the full parser's tree.
    fn agree(text: &str) -> Option<Node> {
        let file = SourceFile::new("t.md", format!("---\n{text}---\n"));
        let end = file.text.len() - 4;
        let fast = parse(&file, 4, end, 2);
        if let Some(fast) = &fast {
            let full = super::super::parse_events(&file, 4, end, 2);
            assert_eq!(
                full.as_ref(),
                Ok(fast),
                "the fast path disagrees with the full parser on:\n{text}"
            );
        }
        fast
    }

    #[test]
    fn reads_what_packets_are_written_in() {
        let text = "id: a\nempty:\nnul: ~\nowner:\n  primary: Ann <a@x.test>   # a comment\n  esc:\n    - x\n    - y: 1\n      z: \"q\"\n  list:\n  - p\n  - q: r\n    s: [t, 'u''v', \"w x\", ü, é]\n# a comment line\nf: [a, b]\ng: []\nh: {}\ni: 'it''s'\nj: https://x.test/a?b=c#d\nk: Ünïcödé: no\n";
        // `k` holds `: ` in a plain value, which the fast path leaves to the full parser.
        assert!(agree(text).is_none());
        let node = agree(&text.replace("k: Ünïcödé: no\n", "k: Ünïcödé, née x\n"))
            .expect("the fast path reads this");
        assert_eq!(
            node.at("owner.primary").and_then(Node::as_str),
            Some("Ann <a@x.test>")
        );
        assert_eq!(node.at("k").map(|n| n.pos.column), Some(4));
    }

    #[test]
    fn reads_every_bundled_packet_kind_and_template() {
        let (mut read, mut declined) = (0, Vec::new());
        for dir in ["examples", "templates"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let mut stack = vec![root];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let Ok(text) = std::fs::read_to_string(&path) else {
                        continue;
                    };
                    let yaml = match path.extension().and_then(|e| e.to_str()) {
                        Some("yaml" | "yml") => text.clone(),
                        Some("md") => match text
                            .strip_prefix("---\n")
                            .and_then(|t| t.split_once("\n---\n"))
                        {
                            Some((front, _)) => format!("{front}\n"),
                            None => continue,
                        },
                        _ => continue,
                    };
                    if agree(&yaml).is_some() {
                        read += 1;
                    } else {
                        declined.push(path);
                    }
                }
            }
        }
        assert!(declined.is_empty(), "the fast path declined {declined:?}");
        assert!(read >= 16, "the fast path read only {read} bundled files");
    }

    #[test]
    fn declines_what_it_does_not_know() {
        for text in [
            "a: |\n  block\n",
            "a: >\n  folded\n",
            "a: b\n  continued\n",
            "a: \"esc\\n\"\n",
            "a: &x 1\n",
            "a: !t 1\n",
            "a: *x\n",
            "a: {b: 1}\n",
            "a:\tb\n",
            "a: 1\na: 2\n",
            "\"a\": 1\n",
            "a: [1,\n  2]\n",
            "- a\n",
            "  a: 1\n",
            "a:\n  b: 1\n c: 2\n",
            "a: b: c\n",
            "a: 'open\n",
            "a: x\r\n",
            "---\na: 1\n",
            "a: [b, ]\n",
            "a:\n  - b\n  c: d\n",
            "~: 1\n",
        ] {
            assert!(agree(text).is_none(), "the fast path read {text:?}");
        }
    }

    /// Pieces of YAML, shuffled: whatever the fast path reads, it reads as the full parser does.
    const PIECES: &[&str] = &[
        "a", "b", "key", "x_y", "é", "1", "~", "null", ":", ": ", "-", "- ", "  ", "    ", "\n",
        "\n", "\n", "#", " # c", "'", "''", "\"", "[", "]", ", ", ",", "{", "}", "{}", "[]", "|",
        ">", "&a", "*a", "!t", "?", "\\", "---", "...", "\t", "%", "@", "http://x", "a b", "😀",
    ];

    /// A YAML tree to write out in block style.
    #[derive(Debug, Clone)]
    enum Tree {
        Scalar(&'static str),
        Map(Vec<(&'static str, Tree)>),
        Seq(Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let scalar = prop::sample::select(vec![
            "Ann <a@x.test>",
            "2026-12-07",
            "\"#alerts\"",
            "'it''s'",
            "~",
            "null",
            "-7",
            "true",
            "[a, b]",
            "[]",
            "{}",
            "x # note",
            "a:b",
            "ünï",
            "\"\"",
            "''",
            "[\"q\", 'r', s]",
            ":x",
            "?y",
            "a [b] {c}, d",
            "'a # b'",
            "50%",
            "x  ",
            "🚀 go",
            "[ü, 'é', x]",
            "é: [ö, b]",
        ])
        .prop_map(Tree::Scalar);
        let key =
            prop::sample::select(vec!["id", "owner", "kpi", "a-b", "x_1", "Risk", "due", "9"]);
        scalar.prop_recursive(6, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec((key.clone(), inner.clone()), 1..6).prop_map(|mut e| {
                    let mut seen = std::collections::HashSet::new();
                    e.retain(|(k, _)| seen.insert(*k));
                    Tree::Map(e)
                }),
                prop::collection::vec(inner, 1..5).prop_map(Tree::Seq),
            ]
        })
    }

    /// Write `tree` at `indent`, taking layout choices (indent steps, indentless lists, spaces
    /// after dashes, comments, blank lines) from `choices`.
    fn write(tree: &Tree, indent: usize, choices: &mut impl Iterator<Item = u8>, out: &mut String) {
        fn pick(choices: &mut impl Iterator<Item = u8>, n: u8) -> usize {
            usize::from(choices.next().unwrap_or(0) % n)
        }
        match tree {
            Tree::Scalar(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Tree::Map(entries) => {
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&" ".repeat(indent));
                    }
                    out.push_str(key);
                    out.push(':');
                    match value {
                        Tree::Scalar(s) => {
                            out.push_str(
                                [" ", " ", " ", "  ", " ", " ", " ", ""][pick(choices, 8)],
                            );
                            out.push_str(if s.is_empty() { "" } else { s });
                            out.push('\n');
                        }
                        _ => {
                            out.push_str(["", "  # c", " "][pick(choices, 3)]);
                            out.push('\n');
                            if pick(choices, 4) == 0 {
                                out.push_str(["\n", "# note\n", "    # deep\n"][pick(choices, 3)]);
                            }
                            let inner = if matches!(value, Tree::Seq(_)) && pick(choices, 2) == 0 {
                                indent
                            } else {
                                indent + [1, 2, 4][pick(choices, 3)]
                            };
                            out.push_str(&" ".repeat(inner));
                            write(value, inner, choices, out);
                        }
                    }
                }
            }
            Tree::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&" ".repeat(indent));
                    }
                    let spaces = 1 + pick(choices, 2);
                    out.push('-');
                    out.push_str(&" ".repeat(spaces));
                    write(item, indent + 1 + spaces, choices, out);
                }
            }
        }
    }

    /// Block-structured documents, as packets are written, so the fast path is exercised deeply.
    fn document() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec!["id", "owner", "kpi", "a-b", "x_1", "Risk", "due"]);
        (
            prop::collection::vec((key, tree()), 1..8),
            prop::collection::vec(any::<u8>(), 64),
        )
            .prop_map(|(entries, choices)| {
                let mut seen = std::collections::HashSet::new();
                let entries: Vec<_> = entries
                    .into_iter()
                    .filter(|(k, _)| seen.insert(*k))
                    .collect();
                let mut out = String::new();
                write(
                    &Tree::Map(entries),
                    0,
                    &mut choices.into_iter().cycle(),
                    &mut out,
                );
                out
            })
    }

    #[test]
    fn reads_most_block_documents() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = document();
        let read = (0..2000)
            .filter(|_| {
                let text = strategy.new_tree(&mut runner).map(|t| t.current());
                text.is_ok_and(|text| agree(&text).is_some())
            })
            .count();
        // Shapes are random, so many documents are not valid YAML at all; enough must be read
        // for the comparison above to mean something.
        assert!(
            read >= 200,
            "the fast path read only {read} of 2000 documents"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn agrees_with_the_full_parser_on_shuffled_pieces(
            pieces in prop::collection::vec(prop::sample::select(PIECES), 0..60)
        ) {
            agree(&pieces.concat());
        }

        #[test]
        fn agrees_with_the_full_parser_on_block_documents(text in document()) {
            agree(&text);
        }
    }
}
