//! The front matter as a YAML tree that keeps the position of every key and value.
//!
//! Built on saphyr-parser's event stream rather than a serde model: kinds are data, so the rules
//! walk a generic tree, and every diagnostic needs the line of the exact key or value it is about.
//! Anchors, aliases and tags are refused outright (a packet never needs them, and refusing them makes
//! alias bombs impossible); nesting depth and node count are capped so no input can exhaust memory.

use super::source::{Pos, SourceFile};
use compact_str::CompactString;
use saphyr_parser::{Event, Parser, ScalarStyle};

pub mod de;
mod fast;

/// How deep mappings and sequences may nest.
pub const MAX_DEPTH: usize = 32;
/// How many nodes one front matter may hold.
pub const MAX_NODES: usize = 200_000;

/// One YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value starts.
    pub pos: Pos,
    /// Byte offset just past the value (for scalars; the start for collections).
    pub end: usize,
    /// The value itself.
    pub value: Value,
    /// Whether a scalar was written plain (unquoted), so `true` or `7` may be read as such.
    pub plain: bool,
}

/// The shapes a YAML value can take in a packet.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An empty value (`key:`), `~` or `null`.
    Null,
    /// Any scalar; packets treat every answer as text. Most answers are short, and a short one
    /// is held inline, with no allocation of its own.
    Str(CompactString),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in source order.
    Map(Vec<Entry>),
}

/// One key of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key text (held inline: keys are short).
    pub key: CompactString,
    /// Where the key starts.
    pub key_pos: Pos,
    /// The value.
    pub value: Node,
}

/// A YAML problem, located.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// Where the problem is.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl Node {
    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    /// The value under `key` when this is a mapping, to change it.
    pub fn value_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|e| e.key == key)
                .map(|e| &mut e.value),
            _ => None,
        }
    }

    /// The value at a dotted path of mapping keys, e.g. `metric.kpi`.
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// The answered texts here: the scalar itself, or every scalar item of a list; placeholders
    /// left out.
    pub fn texts(&self) -> Vec<&str> {
        let values: Vec<&str> = match &self.value {
            Value::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
            Value::Str(s) => vec![s.as_str()],
            _ => Vec::new(),
        };
        values
            .into_iter()
            .filter(|v| !crate::facts::packet::is_placeholder(v))
            .collect()
    }

    /// The entry for `key` when this is a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key == key)
    }

    /// Mapping entries, if this is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Sequence items, if this is a sequence.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// True for `~`, `null` and empty values.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A word for the value's shape, for messages.
    pub fn shape(&self) -> &'static str {
        match self.value {
            Value::Null => "an empty value",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Byte length to underline in a diagnostic.
    pub fn span_len(&self) -> usize {
        self.end.saturating_sub(self.pos.offset).max(1)
    }

    /// Convert to JSON, reading plain `true`, `false` and integers as such (used to read kind
    /// files into typed structs).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Str(s) if self.plain => match s.as_str() {
                "true" => serde_json::Value::Bool(true),
                "false" => serde_json::Value::Bool(false),
                _ => s
                    .parse::<i64>()
                    .map_or_else(|_| serde_json::Value::String(s.as_str().into()), Into::into),
            },
            // `as_str().into()`: `to_string` would go through the formatting machinery.
            Value::Str(s) => serde_json::Value::String(s.as_str().into()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.as_str().into(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

enum Frame {
    Seq(Node),
    /// The mapping, the key waiting for its value, and the keys seen so far (a set, so that a
    /// mapping of 100,000 keys is checked for duplicates in linear time).
    Map(
        Node,
        Option<(CompactString, Pos)>,
        std::collections::HashSet<CompactString>,
    ),
}

/// A YAML parser error in the words of someone who never read the YAML spec: what is wrong, and
/// what to do.
fn plain_words(info: &str, line: &str) -> (&'static str, &'static str) {
    let info = info.to_ascii_lowercase();
    if line.contains('\t') {
        (
            "the line is indented with a tab",
            "indent with spaces only; replace the tab characters on this line",
        )
    } else if info.contains("quot") || info.contains("end of the stream") {
        (
            "a quoted value is not closed",
            "check that every value that opens a quote (\" or ') closes it on the same line",
        )
    } else if info.contains("mapping values are not allowed") || info.contains("block scalar") {
        (
            "a value contains `: `, which YAML reads as a new key",
            "put the whole value in double quotes, e.g. `note: \"Owner: Jordan\"`",
        )
    } else if info.contains("expected key") || info.contains("indent") {
        (
            "the indentation does not line up",
            "indent every key of one group by the same number of spaces as its neighbours",
        )
    } else if info.contains("flow") || info.contains("']'") || info.contains("'}'") {
        (
            "a list or mapping written in brackets is not closed",
            "close every `[` with `]` and `{` with `}`, or write the list one `- item` per line",
        )
    } else {
        (
            "the line does not follow YAML's rules",
            "compare it with the lines around it; quote values that contain `: ` or start with a special character",
        )
    }
}

/// Turns character indexes into byte offsets by walking from the last one asked for.
struct CharCursor<'a> {
    text: &'a str,
    chars: usize,
    bytes: usize,
}

impl<'a> CharCursor<'a> {
    fn new(text: &'a str) -> Self {
        CharCursor {
            text,
            chars: 0,
            bytes: 0,
        }
    }

    fn byte_of(&mut self, char_index: usize) -> usize {
        while self.chars < char_index {
            let Some(c) = self.text[self.bytes..].chars().next() else {
                break;
            };
            self.bytes += c.len_utf8();
            self.chars += 1;
        }
        while self.chars > char_index {
            let Some(c) = self.text[..self.bytes].chars().next_back() else {
                break;
            };
            self.bytes -= c.len_utf8();
            self.chars -= 1;
        }
        self.bytes
    }
}

/// Parse `file.text[start..end]` (which begins at line `first_line` of the file) as one YAML
/// document whose top level is a mapping. An empty document is an empty mapping.
///
/// Front matter written the way packets are (block mappings and lists of one-line values) is read
/// by a fast path that gives the very tree the full parser would; anything else, errors included,
/// goes to the full parser.
pub fn parse(
    file: &SourceFile,
    start: usize,
    end: usize,
    first_line: usize,
) -> Result<Node, YamlError> {
    if let Some(node) = fast::parse(file, start, end, first_line) {
        return Ok(node);
    }
    parse_events(file, start, end, first_line)
}

/// The byte just past the value that starts at byte `value_at` of `file.text[start..end]` (a
/// front matter), as the YAML parser itself sees it: its last scalar, or the bracket that closes
/// a flow collection. So a quote or an apostrophe inside a plain scalar (`[Pat's first pass]`),
/// a bracket inside a quoted one, or a comment cannot move where the value ends. `None` when no
/// value starts there or the text does not parse.
pub fn value_end(file: &SourceFile, start: usize, end: usize, value_at: usize) -> Option<usize> {
    file.text.get(start..end)?;
    // An empty collection on one line (`signoffs: []`, as `handoff new` writes it) ends at its
    // closing bracket: nothing inside it can move that, so the parser is not needed.
    if let Some(empty) = empty_flow_end(file.text.as_bytes(), value_at, end) {
        return Some(empty);
    }
    parsed_value_end(file, start, end, value_at)
}

/// [`value_end`] as the parser's events tell it.
fn parsed_value_end(file: &SourceFile, start: usize, end: usize, value_at: usize) -> Option<usize> {
    let text = file.text.get(start..end)?;
    let mut cursor = CharCursor::new(text);
    let mut depth = 0usize;
    let mut last = None;
    // Whether each open collection was written in brackets: only those end at a token of
    // their own (a block collection's end event sits where the next key begins).
    let mut flow: Vec<bool> = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.ok()?;
        let from = start + cursor.byte_of(span.start.index());
        let to = start + cursor.byte_of(span.end.index());
        if depth == 0 {
            if from != value_at {
                continue;
            }
            match event {
                Event::Scalar(..) => return Some(to),
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    flow.push(matches!(file.text.as_bytes().get(from), Some(b'[' | b'{')));
                    depth = 1;
                    last = Some(from + 1);
                    continue;
                }
                _ => continue,
            }
        }
        match event {
            Event::Scalar(..) => last = last.max(Some(to)),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                flow.push(matches!(file.text.as_bytes().get(from), Some(b'[' | b'{')));
                depth += 1;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if flow.pop() == Some(true) {
                    last = last.max(Some(to));
                }
                depth -= 1;
                if depth == 0 {
                    return last;
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the parser ends `[]` or `{}` (blanks between the brackets allowed) written at `at`:
/// past the blanks after it, when the line or the flow entry ends there and before `end`.
fn empty_flow_end(bytes: &[u8], at: usize, end: usize) -> Option<usize> {
    let close = match bytes.get(at)? {
        b'[' => b']',
        b'{' => b'}',
        _ => return None,
    };
    let mut i = at + 1;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if bytes.get(i) != Some(&close) || i >= end {
        return None;
    }
    // The parser's span of the closing bracket runs over the blanks after it, and over a
    // comment: only a line that ends after the blanks is told here.
    let mut j = i + 1;
    while matches!(bytes.get(j), Some(b' ' | b'\t')) {
        j += 1;
    }
    matches!(bytes.get(j), None | Some(b'\n' | b'\r' | b',')).then_some(j)
}

/// [`parse`] by saphyr-parser's event stream alone: every YAML document, and the located error for
/// one that cannot be read.
fn parse_events(
    file: &SourceFile,
    start: usize,
    end: usize,
    first_line: usize,
) -> Result<Node, YamlError> {
    let text = &file.text[start..end];
    // Markers count characters; positions need bytes. Events arrive in (nearly) source order, so
    // one cursor walked forward (or back a little) keeps this linear even on a one-line list of
    // 100,000 items, where looking each column up from the line's start would be quadratic.
    let mut cursor = CharCursor::new(text);
    let mut at = |m: saphyr_parser::Marker| Pos {
        offset: start + cursor.byte_of(m.index()),
        line: (first_line + m.line().saturating_sub(1)).min(file.line_count()),
        column: m.col() + 1,
    };
    let err = |pos: Pos, message: String, help: &str| YamlError {
        pos,
        message,
        help: help.to_string(),
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut nodes = 0usize;
    let mut docs = 0usize;

    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(ev) => ev,
            Err(e) => {
                let pos = at(*e.marker());
                let line = file.line_text(pos.line);
                let (what, help) = plain_words(e.info(), line);
                // The plain explanation first; the parser's own words second, for searching.
                return Err(err(
                    pos,
                    format!("the front matter cannot be read here: {what}"),
                    &format!("{help}\n(the YAML parser says: {})", e.info()),
                ));
            }
        };
        let pos = at(span.start);
        let end_pos = at(span.end).offset;
        let new_node = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => continue,
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    return Err(err(
                        pos,
                        "the front matter holds more than one YAML document".into(),
                        "remove the extra `---` or `...` line inside the front matter",
                    ));
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(err(
                    pos,
                    "YAML aliases (`*name`) are not allowed in a packet".into(),
                    "write the value out in full where it is used",
                ));
            }
            Event::Scalar(_, _, anchor, _)
            | Event::SequenceStart(anchor, _)
            | Event::MappingStart(anchor, _)
                if anchor != 0 =>
            {
                return Err(err(
                    pos,
                    "YAML anchors (`&name`) are not allowed in a packet".into(),
                    "remove the anchor and write each value out in full",
                ));
            }
            Event::Scalar(_, _, _, Some(tag))
            | Event::SequenceStart(_, Some(tag))
            | Event::MappingStart(_, Some(tag)) => {
                return Err(err(
                    pos,
                    format!(
                        "YAML tags (`{}{}`) are not allowed in a packet",
                        tag.handle, tag.suffix
                    ),
                    "remove the tag; every answer is read as plain text",
                ));
            }
            Event::Scalar(text, style, _, None) => {
                let value = if style == ScalarStyle::Plain
                    && matches!(&*text, "" | "~" | "null" | "Null" | "NULL")
                {
                    Value::Null
                } else {
                    Value::Str(CompactString::from(text))
                };
                Some(Node {
                    pos,
                    end: end_pos,
                    value,
                    plain: style == ScalarStyle::Plain,
                })
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        pos,
                        format!("the front matter nests deeper than {MAX_DEPTH} levels"),
                        "flatten the structure; packet answers are at most a few levels deep",
                    ));
                }
                if let Some(Frame::Map(_, None, _)) = stack.last() {
                    return Err(err(
                        pos,
                        "a mapping key must be plain text, not a list or mapping".into(),
                        "write the key as a single word followed by `:`",
                    ));
                }
                if stack.is_empty() && matches!(event, Event::SequenceStart(..)) {
                    return Err(err(
                        pos,
                        "the front matter is a list; it must be a mapping of `key: value` lines"
                            .into(),
                        "start the front matter with keys such as `id:`, `kind:` and `day0:`",
                    ));
                }
                let value = if matches!(event, Event::SequenceStart(..)) {
                    Value::Seq(Vec::new())
                } else {
                    Value::Map(Vec::new())
                };
                let node = Node {
                    pos,
                    end: pos.offset,
                    value,
                    plain: false,
                };
                stack.push(match node.value {
                    Value::Seq(_) => Frame::Seq(node),
                    _ => Frame::Map(node, None, Default::default()),
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(n)) | Some(Frame::Map(n, _, _)) => Some(n),
                None => continue,
            },
        };
        let Some(node) = new_node else { continue };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(err(
                node.pos,
                format!("the front matter has more than {MAX_NODES} values"),
                "move bulk data into an attachment and link it from the front matter",
            ));
        }
        match stack.last_mut() {
            None => {
                if !matches!(node.value, Value::Map(_)) {
                    if node.is_null() {
                        root = Some(Node {
                            value: Value::Map(Vec::new()),
                            ..node
                        });
                        continue;
                    }
                    return Err(err(
                        node.pos,
                        format!(
                            "the front matter is {}; it must be a mapping of `key: value` lines",
                            node.shape()
                        ),
                        "start the front matter with keys such as `id:`, `kind:` and `day0:`",
                    ));
                }
                root = Some(node);
            }
            Some(Frame::Seq(seq)) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some(Frame::Map(map, pending, seen)) => match pending.take() {
                None => {
                    // Collections were refused as keys before they were built.
                    let key = match node.value {
                        Value::Str(s) => s,
                        _ => CompactString::default(),
                    };
                    if !seen.insert(key.clone()) {
                        return Err(err(
                            node.pos,
                            format!("the key `{key}` appears twice in the same mapping"),
                            "keep one of the two; a second value would silently replace the first",
                        ));
                    }
                    *pending = Some((key, node.pos));
                }
                Some((key, key_pos)) => {
                    if let Value::Map(entries) = &mut map.value {
                        entries.push(Entry {
                            key,
                            key_pos,
                            value: node,
                        });
                    }
                }
            },
        }
    }
    Ok(root.unwrap_or(Node {
        pos: file.pos(start),
        end: start,
        value: Value::Map(Vec::new()),
        plain: false,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_empty_flow_collection_ends_where_the_parser_says() {
        for text in [
            "signoffs: []\nstatus: ready\n",
            "signoffs: [ ]  \n",
            "signoffs: {}\r\n",
            "signoffs: {\t}\nx: 1\n",
            "a: 1\nsignoffs: []",
            "{a: 1, signoffs: [], b: 2}",
            "{a: 1, signoffs: [ ]   , b: 2}",
        ] {
            let file = SourceFile::new("handoff.md", text.to_string());
            let at = text.find(['[', '{']).expect("a bracket");
            let fast = value_end(&file, 0, text.len(), at);
            assert!(fast.is_some(), "{text:?}");
            assert_eq!(fast, parsed_value_end(&file, 0, text.len(), at), "{text:?}");
        }
        // Not empty, or not closed on its line: the parser decides.
        for text in [
            "signoffs: [a]\n",
            "signoffs: [\n]\n",
            "signoffs: ['']\n",
            "signoffs: [] # none\n",
        ] {
            assert_eq!(
                empty_flow_end(text.as_bytes(), 10, text.len()),
                None,
                "{text:?}"
            );
        }
    }

    use super::*;

    fn parse_str(text: &str) -> Result<Node, YamlError> {
        let file = SourceFile::new("t.md", text.to_string());
        parse(&file, 0, text.len(), 1)
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = parse_str("id: a\nowner:\n  primary: Ann <a@x.test>\n").unwrap();
        let owner = node.entry("owner").unwrap();
        assert_eq!(owner.key_pos.line, 2);
        let primary = owner.value.get("primary").unwrap();
        assert_eq!((primary.pos.line, primary.pos.column), (3, 12));
        assert_eq!(primary.as_str(), Some("Ann <a@x.test>"));
    }

    #[test]
    fn refuses_duplicates_aliases_and_lists_at_top() {
        assert!(
            parse_str("a: 1\na: 2\n")
                .unwrap_err()
                .message
                .contains("twice")
        );
        assert!(
            parse_str("a: &x 1\nb: *x\n")
                .unwrap_err()
                .message
                .contains("anchors")
        );
        assert!(
            parse_str("- a\n- b\n")
                .unwrap_err()
                .message
                .contains("list")
        );
        assert!(
            parse_str("just text\n")
                .unwrap_err()
                .message
                .contains("mapping")
        );
        assert!(parse_str("a:\n\tb: 1\n").unwrap_err().help.contains("tab"));
        let deep = "a: ".to_string() + &"[".repeat(100) + &"]".repeat(100);
        assert!(parse_str(&deep).unwrap_err().message.contains("deeper"));
    }

    #[test]
    fn empty_and_null_values() {
        let node = parse_str("a:\nb: ~\nc: ''\n").unwrap();
        assert!(node.get("a").unwrap().is_null());
        assert!(node.get("b").unwrap().is_null());
        assert_eq!(node.get("c").unwrap().as_str(), Some(""));
        assert_eq!(
            parse_str("").unwrap().entries().map(<[Entry]>::len),
            Some(0)
        );
    }
}
