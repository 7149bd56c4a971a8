//! The body's sections and checklists as the review shows them.

use super::*;

/// A checklist in an attachment.
#[derive(Debug, Serialize)]
pub struct Checklist {
    /// Heading.
    pub title: String,
    /// Items.
    pub items: Vec<Check>,
}

/// A task item.
#[derive(Debug, Serialize, Clone)]
pub struct Check {
    /// Checked (for an acceptance criterion: met, by its box or by the numbers that decide it).
    pub checked: bool,
    /// Text.
    pub text: String,
    /// For an acceptance criterion, where it stands: `met`, `decided` (by the KPI series),
    /// `waived`, `later` (not due yet) or `open`; empty for a checklist item.
    pub state: &'static str,
    /// What the state rests on: `decided by the KPI series: stable`, `due day +3 (Thu …)`.
    pub note: Option<String>,
}

/// A body section.
#[derive(Debug, Serialize)]
pub struct SectionView {
    /// Heading.
    pub title: String,
    /// Its markdown, made safe to paste (no raw HTML, only http(s)/mailto links).
    pub markdown: String,
    /// Its HTML, sanitized.
    pub html: String,
}

pub(super) fn checklists(packet: &Packet, name: &str, titles: &[String]) -> Vec<Checklist> {
    let path = packet.dir.join(name);
    let inside = path
        .canonicalize()
        .ok()
        .zip(packet.dir.canonicalize().ok())
        .is_some_and(|(real, dir)| real.starts_with(dir));
    let crate::facts::packet::ReadOutcome::Text(text) = (if inside {
        crate::facts::packet::read_text(&path)
    } else {
        crate::facts::packet::ReadOutcome::Text(String::new())
    }) else {
        return Vec::new();
    };
    let file = SourceFile::new(name, text);
    let body = Body::parse(&file, 0);
    titles
        .iter()
        .map(|title| Checklist {
            title: title.clone(),
            items: body
                .section(title)
                .map(|s| {
                    body.tasks_in(s)
                        .map(|t| Check {
                            checked: t.checked,
                            text: t.text.clone(),
                            state: "",
                            note: None,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

pub(super) fn body_sections(
    file: &SourceFile,
    body: &Body,
    skip: Option<&str>,
) -> Vec<SectionView> {
    body.sections
        .iter()
        .filter(|s| s.level == 2 && !skip.is_some_and(|t| s.title.eq_ignore_ascii_case(t)))
        .map(|s| {
            let markdown = file.text[s.heading_end.min(s.end)..s.end]
                .trim()
                .to_string();
            SectionView {
                title: s.title.clone(),
                html: super::super::markdown_to_safe_html(&markdown),
                markdown: super::super::markdown_to_safe_markdown(&markdown),
            }
        })
        .collect()
}
