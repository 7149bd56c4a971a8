//! A file's text with a line index, so any byte offset can be shown as line and column.

use std::path::{Path, PathBuf};

/// A loaded text file: its path as the user should see it, its text, and where each line starts.
#[derive(Debug)]
pub struct SourceFile {
    /// The path shown in diagnostics (relative to where the user ran the tool when possible).
    pub path: PathBuf,
    /// The whole text of the file.
    pub text: String,
    line_starts: Vec<usize>,
}

/// A position in a source file: byte offset plus 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    /// Byte offset into the file.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl SourceFile {
    /// Index `text` as the content of `path`.
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The path shown in diagnostics.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The position of a byte offset (clamped to the text).
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        Pos {
            offset,
            line: line_idx + 1,
            column: self.text[start..offset].chars().count() + 1,
        }
    }

    /// The position of a 1-based line and a 0-based character column (as YAML parsers report).
    pub fn pos_at(&self, line: usize, char_col: usize) -> Pos {
        let line_idx = line.saturating_sub(1).min(self.line_starts.len() - 1);
        let start = self.line_starts[line_idx];
        let end = self.line_end(line_idx);
        let offset = self.text[start..end]
            .char_indices()
            .nth(char_col)
            .map_or(end, |(i, _)| start + i);
        Pos {
            offset,
            line: line_idx + 1,
            column: char_col.min(self.text[start..end].chars().count()) + 1,
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let idx = line.saturating_sub(1).min(self.line_starts.len() - 1);
        let text = &self.text[self.line_starts[idx]..self.line_end(idx)];
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// Byte offset where each line starts (the first line at 0).
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// Number of lines in the file.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.saturating_sub(1).min(self.line_starts.len() - 1)]
    }

    fn line_end(&self, line_idx: usize) -> usize {
        self.line_starts
            .get(line_idx + 1)
            .map_or(self.text.len(), |next| next - 1)
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let f = SourceFile::new("x.md", "ab\nçé: x\n".to_string());
        let p = f.pos(7);
        assert_eq!((p.line, p.column), (2, 3));
        let q = f.pos_at(2, 2);
        assert_eq!(q.offset, 7);
        assert_eq!(f.line_text(2), "çé: x");
        assert_eq!(f.pos(999).line, 3);
    }
}
