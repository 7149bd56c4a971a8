//! The markdown body: its sections (headings) and task-list items, each with its position.

use super::source::{Pos, SourceFile};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The parsed markdown after the front matter.
#[derive(Debug, Default, Clone)]
pub struct Body {
    /// Every heading, in order.
    pub sections: Vec<Section>,
    /// Every task-list item (`- [ ]` / `- [x]`), in order.
    pub tasks: Vec<Task>,
    /// Every table, in order.
    pub tables: Vec<Table>,
}

/// A markdown table: its header cells and its rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Where the table starts.
    pub pos: Pos,
    /// The header cells' text.
    pub header: Vec<String>,
    /// Each row's cells.
    pub rows: Vec<Vec<TableCell>>,
}

/// One cell of a table row.
#[derive(Debug, Clone)]
pub struct TableCell {
    /// Its text, trimmed.
    pub text: String,
    /// Where it starts.
    pub pos: Pos,
    /// Its length in bytes (at least 1).
    pub len: usize,
}

/// A heading and the content up to the next heading of the same or a higher level.
#[derive(Debug, Clone)]
pub struct Section {
    /// Heading text.
    pub title: String,
    /// 1 for `#`, 2 for `##`, ...
    pub level: u8,
    /// Where the heading starts.
    pub pos: Pos,
    /// Byte offset past the heading line.
    pub heading_end: usize,
    /// Byte offset where the section's content ends.
    pub end: usize,
    /// Whether the section (before any sub-heading) contains a table.
    pub has_table: bool,
    /// The section's own text (before any sub-heading), trimmed.
    pub text: String,
    /// The first `TODO` placeholder in the section's own text.
    pub todo: Option<Pos>,
}

/// One task-list item.
#[derive(Debug, Clone)]
pub struct Task {
    /// `[x]` or `[ ]`.
    pub checked: bool,
    /// The item's text.
    pub text: String,
    /// Where the list item starts.
    pub pos: Pos,
    /// Byte offset past the item's first line.
    pub end: usize,
}

impl Body {
    /// The same body read at another place of its file: every offset moved by `offsets` bytes
    /// and every line by `lines` (columns stay: the body's lines are the same text).
    pub fn shifted(&self, offsets: isize, lines: isize) -> Body {
        let at = |o: usize| o.saturating_add_signed(offsets);
        let pos = |p: Pos| Pos {
            offset: at(p.offset),
            line: p.line.saturating_add_signed(lines),
            column: p.column,
        };
        let mut body = self.clone();
        for s in &mut body.sections {
            s.pos = pos(s.pos);
            s.heading_end = at(s.heading_end);
            s.end = at(s.end);
            s.todo = s.todo.map(pos);
        }
        for t in &mut body.tasks {
            t.pos = pos(t.pos);
            t.end = at(t.end);
        }
        for t in &mut body.tables {
            t.pos = pos(t.pos);
            for cell in t.rows.iter_mut().flatten() {
                cell.pos = pos(cell.pos);
            }
        }
        body
    }

    /// Parse the markdown in `file.text[start..]`.
    pub fn parse(file: &SourceFile, start: usize) -> Body {
        let text = &file.text[start..];
        let mut opts = Options::empty();
        opts.insert(Options::ENABLE_TASKLISTS);
        opts.insert(Options::ENABLE_TABLES);
        let mut body = Body::default();
        let mut heading: Option<(u8, usize, usize, String)> = None;
        let mut item_start: Vec<usize> = Vec::new();
        let mut task: Option<Task> = None;
        let mut table: Option<Table> = None;
        let mut in_head = false;
        let mut cell: Option<TableCell> = None;
        for (event, range) in Parser::new_ext(text, opts).into_offset_iter() {
            let (from, to) = (start + range.start, start + range.end);
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    finish_task(&mut body, &mut task);
                    heading = Some((heading_level(level), from, to, String::new()));
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, at, end, title)) = heading.take() {
                        body.sections.push(Section {
                            title: title.trim().to_string(),
                            level,
                            pos: file.pos(at),
                            heading_end: end,
                            end: file.text.len(),
                            has_table: false,
                            text: String::new(),
                            todo: None,
                        });
                    }
                }
                Event::Start(Tag::Item) => {
                    finish_task(&mut body, &mut task);
                    item_start.push(from);
                }
                Event::End(TagEnd::Item) => {
                    finish_task(&mut body, &mut task);
                    item_start.pop();
                }
                Event::Start(Tag::List(_)) => finish_task(&mut body, &mut task),
                Event::TaskListMarker(checked) => {
                    let at = item_start.last().copied().unwrap_or(from);
                    let end = file.text[at..]
                        .find('\n')
                        .map_or(file.text.len(), |i| at + i);
                    task = Some(Task {
                        checked,
                        text: String::new(),
                        pos: file.pos(at),
                        end,
                    });
                }
                Event::Start(Tag::Table(_)) => {
                    if let Some(s) = body.sections.last_mut() {
                        s.has_table = true;
                    }
                    table = Some(Table {
                        pos: file.pos(from),
                        ..Table::default()
                    });
                }
                Event::End(TagEnd::Table) => body.tables.extend(table.take()),
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => {
                    if let Some(t) = table.as_mut() {
                        t.rows.push(Vec::new());
                    }
                }
                Event::Start(Tag::TableCell) => {
                    cell = Some(TableCell {
                        text: String::new(),
                        pos: file.pos(from),
                        len: (to - from).max(1),
                    });
                }
                Event::End(TagEnd::TableCell) => {
                    if let (Some(t), Some(mut c)) = (table.as_mut(), cell.take()) {
                        c.text = c.text.trim().to_string();
                        if in_head {
                            t.header.push(c.text);
                        } else if let Some(row) = t.rows.last_mut() {
                            row.push(c);
                        }
                    }
                }
                Event::Text(t) | Event::Code(t) if cell.is_some() => {
                    if let Some(c) = cell.as_mut() {
                        c.text.push_str(&t);
                    }
                    section_text(&mut body, file, from, &t);
                }
                Event::Text(t) | Event::Code(t) => {
                    if let Some((_, _, _, title)) = heading.as_mut() {
                        title.push_str(&t);
                    } else {
                        if let Some(task) = task.as_mut() {
                            task.text.push_str(&t);
                        }
                        section_text(&mut body, file, from, &t);
                    }
                }
                Event::SoftBreak | Event::HardBreak => {
                    if let Some(task) = task.as_mut() {
                        task.text.push(' ');
                    }
                }
                _ => {}
            }
        }
        finish_task(&mut body, &mut task);
        // A section runs until the next heading of the same or a higher level.
        for i in 0..body.sections.len() {
            let level = body.sections[i].level;
            if let Some(next) = body.sections[i + 1..].iter().find(|s| s.level <= level) {
                body.sections[i].end = next.pos.offset;
            }
        }
        body
    }

    /// The first section whose title matches `title` (case-insensitive).
    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.title.eq_ignore_ascii_case(title))
    }

    /// The tables inside a section's own text.
    pub fn tables_in<'a>(&'a self, section: &'a Section) -> impl Iterator<Item = &'a Table> + 'a {
        let end = self
            .sections
            .iter()
            .find(|s| s.pos.offset > section.pos.offset)
            .map_or(section.end, |s| s.pos.offset.min(section.end));
        self.tables
            .iter()
            .filter(move |t| t.pos.offset >= section.heading_end && t.pos.offset < end)
    }

    /// The task items inside a section.
    pub fn tasks_in<'a>(&'a self, section: &'a Section) -> impl Iterator<Item = &'a Task> + 'a {
        self.tasks
            .iter()
            .filter(move |t| t.pos.offset >= section.heading_end && t.pos.offset < section.end)
    }
}

/// Add text (at byte `from`) to the current section's own text, noting its first `TODO`.
fn section_text(body: &mut Body, file: &SourceFile, from: usize, t: &str) {
    if let Some(s) = body.sections.last_mut() {
        if s.todo.is_none() && t.trim_start().starts_with("TODO") {
            s.todo = Some(file.pos(from));
        }
        if !s.text.is_empty() {
            s.text.push(' ');
        }
        s.text.push_str(t.trim());
    }
}

fn finish_task(body: &mut Body, task: &mut Option<Task>) {
    if let Some(mut t) = task.take() {
        t.text = t.text.trim().to_string();
        body.tasks.push(t);
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_tasks_with_positions() {
        let text = "---\nid: a\n---\n# T\n\n## Acceptance criteria\n- [x] One `done`\n- [ ] Two\n\n## Open questions\nNone.\n";
        let file = SourceFile::new("h.md", text.to_string());
        let body = Body::parse(&file, 14);
        let titles: Vec<_> = body.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["T", "Acceptance criteria", "Open questions"]);
        let ac = body.section("acceptance criteria").unwrap();
        let tasks: Vec<_> = body.tasks_in(ac).collect();
        assert_eq!(tasks.len(), 2);
        assert!(tasks[0].checked && !tasks[1].checked);
        assert_eq!(tasks[0].text, "One done");
        assert_eq!(tasks[1].pos.line, 8);
        assert_eq!(body.section("Open questions").unwrap().text, "None.");
        assert_eq!(body.tasks_in(body.section("T").unwrap()).count(), 2);
    }

    #[test]
    fn tables_with_cells_and_positions() {
        let text = "# T\n\n## Matrix\n\n| Segment | Goes to |\n|---|---|\n| SMB | `pod-a` |\n| Any other |  |\n\n## Next\n\n| a |\n|---|\n| b |\n";
        let file = SourceFile::new("h.md", text.to_string());
        let body = Body::parse(&file, 0);
        let m = body.section("Matrix").unwrap();
        let tables: Vec<_> = body.tables_in(m).collect();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].header, ["Segment", "Goes to"]);
        assert_eq!(tables[0].rows.len(), 2);
        assert_eq!(tables[0].rows[0][1].text, "pod-a");
        assert_eq!(tables[0].rows[1][1].text, "");
        assert_eq!(tables[0].rows[1][0].pos.line, 8);
        assert_eq!(body.tables_in(body.section("Next").unwrap()).count(), 1);
    }
}
