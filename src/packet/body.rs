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
                }
                Event::Text(t) | Event::Code(t) => {
                    if let Some((_, _, _, title)) = heading.as_mut() {
                        title.push_str(&t);
                    } else {
                        if let Some(task) = task.as_mut() {
                            task.text.push_str(&t);
                        }
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

    /// The task items inside a section.
    pub fn tasks_in<'a>(&'a self, section: &'a Section) -> impl Iterator<Item = &'a Task> + 'a {
        self.tasks
            .iter()
            .filter(move |t| t.pos.offset >= section.heading_end && t.pos.offset < section.end)
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
}
