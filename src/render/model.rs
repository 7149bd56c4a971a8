//! The review document's model: everything a template needs, computed once from the packet.

use crate::gate::Gate;
use crate::kind::{FieldSpec, FieldType, Kind};
use crate::packet::Packet;
use crate::packet::body::Body;
use crate::packet::source::SourceFile;
use crate::packet::yaml::{Node, Value};
use crate::signoff;
use crate::timeline::{self, Placed, State};
use crate::verdict::Verdict;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One packet's review document.
#[derive(Debug, Serialize)]
pub struct Review {
    /// Packet id.
    pub id: String,
    /// The page's file name in a site (without extension); never `index`.
    pub page: String,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind: String,
    /// The kind's one-line summary.
    pub kind_summary: String,
    /// Sending team.
    pub from: String,
    /// Receiving team.
    pub to: String,
    /// Day 0 (YYYY-MM-DD), when valid.
    pub day0: Option<String>,
    /// Day 0 with its weekday.
    pub day0_long: Option<String>,
    /// The status as written.
    pub status: String,
    /// The day the document is for.
    pub today: String,
    /// `D-3`, `D0`, `D+5`.
    pub day_label: Option<String>,
    /// The gate verdict.
    pub verdict: VerdictView,
    /// The kind's questions with their answers.
    pub questions: Vec<Question>,
    /// Acceptance criteria.
    pub criteria: Vec<Check>,
    /// Other body sections (summary, tables, open questions), as markdown and sanitized HTML.
    pub sections: Vec<SectionView>,
    /// The timeline.
    pub timeline: Vec<Placed>,
    /// The timeline drawn on a day axis.
    pub chart: Option<Chart>,
    /// The first milestone not done yet.
    pub next_milestone: Option<Placed>,
    /// One row per required role.
    pub signoffs: Vec<SignoffView>,
    /// Every waiver, with its reason, expiry and whether it holds.
    pub waivers: Vec<WaiverView>,
}

/// A waiver as the review shows it.
#[derive(Debug, Serialize)]
pub struct WaiverView {
    /// What it waives.
    pub target: String,
    /// Why.
    pub reason: String,
    /// Its last day.
    pub until: String,
    /// Who granted it.
    pub by: String,
    /// When.
    pub at: String,
    /// `holds`, `expired` or `invalid`.
    pub state: &'static str,
}

/// The gate verdict.
#[derive(Debug, Serialize)]
pub struct VerdictView {
    /// Passes its gate.
    pub pass: bool,
    /// The gate checked.
    pub gate: Gate,
    /// Error count.
    pub errors: usize,
    /// Warning count.
    pub warnings: usize,
    /// The errors, one line each.
    pub failing: Vec<String>,
    /// Its warnings (the sign-off audit's among them), one line each.
    pub warned: Vec<String>,
}

/// A question and its answer, flattened into rows.
#[derive(Debug, Serialize)]
pub struct Question {
    /// Key.
    pub key: String,
    /// Heading.
    pub title: String,
    /// The question asked.
    pub prompt: String,
    /// The answer.
    pub rows: Vec<Row>,
}

/// One line of an answer.
#[derive(Debug, Serialize)]
pub struct Row {
    /// What this row answers (empty for a single answer).
    pub label: String,
    /// `value`, `list`, `table` or `file`.
    pub shape: &'static str,
    /// For `value`.
    pub value: Option<Cell>,
    /// For `list`.
    pub items: Vec<Cell>,
    /// For `table`: column headings.
    pub columns: Vec<String>,
    /// For `table`: cells.
    pub table: Vec<Vec<Cell>>,
    /// For `file`: its checklists.
    pub checklists: Vec<Checklist>,
    /// Whether the answer is optional (an empty one reads "none", not "missing").
    pub optional: bool,
}

/// One value.
#[derive(Debug, Serialize, Clone)]
pub struct Cell {
    /// The text (or the question, when missing).
    pub text: String,
    /// Unanswered.
    pub missing: bool,
    /// A safe http(s) link, when the value is one.
    pub url: Option<String>,
}

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
    /// Checked.
    pub checked: bool,
    /// Text.
    pub text: String,
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

/// A role's sign-off state.
#[derive(Debug, Serialize)]
pub struct SignoffView {
    /// Role.
    pub role: String,
    /// What signing means.
    pub description: String,
    /// `fresh`, `stale` or `awaiting`.
    pub state: &'static str,
    /// Signer.
    pub by: Option<String>,
    /// When.
    pub at: Option<String>,
    /// The commit that recorded it.
    pub commit: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// Milestones on a day axis, for an inline SVG.
#[derive(Debug, Serialize)]
pub struct Chart {
    /// Width in px.
    pub width: u32,
    /// The axis' y.
    pub axis_y: u32,
    /// First and last x of the axis.
    pub x0: f64,
    /// Last x of the axis.
    pub x1: f64,
    /// One point per milestone.
    pub points: Vec<ChartPoint>,
    /// Where today is, when on the axis.
    pub today_x: Option<f64>,
}

/// A milestone on the chart.
#[derive(Debug, Serialize)]
pub struct ChartPoint {
    /// x in px.
    pub x: f64,
    /// Day label, e.g. `+7`.
    pub day: String,
    /// `MM-DD`.
    pub date: String,
    /// State class.
    pub state: State,
    /// Whether the label goes above the axis (alternating, so labels do not collide).
    pub above: bool,
}

/// Everything needed to build a review.
pub struct Inputs<'a> {
    /// The packet.
    pub packet: &'a Packet,
    /// Its kind.
    pub kind: &'a Kind,
    /// Its verdict.
    pub verdict: &'a Verdict,
    /// The run's settings (people directory, weekends).
    pub settings: &'a crate::config::Settings,
    /// The day.
    pub today: NaiveDate,
    /// Role and time → short commit id, when git knows.
    pub commits: &'a BTreeMap<signoff::Key, String>,
}

/// The file name (without extension) of a packet's page in a site: its id, except that no page
/// may take the index's name.
pub fn page_name(id: &str) -> String {
    if id == "index" {
        "index-packet".into()
    } else {
        id.to_string()
    }
}

/// Build the review.
pub fn build(i: &Inputs) -> Review {
    let p = i.packet;
    let spec = &i.kind.spec;
    let front = p.front.as_ref();
    let text = |k: &str| p.text(k).unwrap_or("").to_string();
    let placed = timeline::place(p, spec, i.settings, i.today);
    let review = signoff::Review::of(p, spec, i.settings);
    let signoffs = spec
        .roles
        .iter()
        .map(|role| match review.of_role(&role.name) {
            Some(st) => {
                let s = &st.signoff;
                SignoffView {
                    role: role.name.clone(),
                    description: role.description.clone(),
                    state: if !st.holders.allows(&s.by) {
                        "unauthorized"
                    } else if st.also_signed_as.is_some() {
                        "same-signer"
                    } else if st.freshness != signoff::Freshness::Fresh {
                        "stale"
                    } else {
                        "fresh"
                    },
                    by: Some(s.by.clone()),
                    at: Some(s.at.clone()),
                    commit: i.commits.get(&s.key()).cloned(),
                    note: s.note.clone(),
                }
            }
            None => SignoffView {
                role: role.name.clone(),
                description: role.description.clone(),
                state: "awaiting",
                by: None,
                at: None,
                commit: None,
                note: None,
            },
        })
        .collect();
    let criteria_section = spec
        .sections
        .iter()
        .find(|s| s.tasks)
        .map(|s| s.title.as_str());
    let criteria = criteria_section
        .and_then(|t| p.body.section(t))
        .map(|s| {
            p.body
                .tasks_in(s)
                .map(|t| Check {
                    checked: t.checked,
                    text: t.text.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let sections = match &p.file {
        Some(file) => body_sections(file, &p.body, criteria_section),
        None => Vec::new(),
    };
    let questions = spec
        .fields
        .iter()
        .map(|f| Question {
            key: f.key.clone(),
            title: f.title(),
            prompt: f.prompt.clone(),
            rows: rows(i, f, front.and_then(|n| n.get(&f.key)), ""),
        })
        .collect();
    Review {
        id: p.id.clone(),
        page: page_name(&p.id),
        title: p.title().to_string(),
        kind: spec.name.clone(),
        kind_summary: spec.summary.clone(),
        from: text("from"),
        to: text("to"),
        day0: p.day0().map(|d| d.to_string()),
        day0_long: p.day0().map(|d| d.format("%A %-d %B %Y").to_string()),
        status: text("status"),
        today: i.today.to_string(),
        day_label: p.day0().map(|d| timeline::day_label(d, i.today)),
        verdict: VerdictView {
            pass: i.verdict.pass,
            gate: i.verdict.gate,
            errors: i.verdict.errors,
            warnings: i.verdict.warnings,
            failing: i
                .verdict
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                .map(|d| format!("{} (line {}): {}", d.file, d.pos.line, d.message))
                .collect(),
            warned: i
                .verdict
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::diagnostic::Severity::Warning)
                .map(|d| format!("{} (line {}): {}", d.file, d.pos.line, d.message))
                .collect(),
        },
        questions,
        criteria,
        sections,
        chart: chart(&placed, p.day0(), i.today),
        next_milestone: placed.iter().find(|m| !m.state.is_done()).cloned(),
        timeline: placed,
        signoffs,
        waivers: crate::waiver::read(p)
            .0
            .into_iter()
            .map(|w| WaiverView {
                state: if crate::rules::waiver::problem(&w, p, spec, i.settings).is_some() {
                    "invalid"
                } else if w.holds(i.today) {
                    "holds"
                } else {
                    "expired"
                },
                target: w.target,
                reason: w.reason,
                until: w.until,
                by: w.by,
                at: w.at,
            })
            .collect(),
    }
}

fn rows(i: &Inputs, f: &FieldSpec, node: Option<&Node>, prefix: &str) -> Vec<Row> {
    let label = if prefix.is_empty() {
        String::new()
    } else {
        prefix.to_string()
    };
    let join = |sub: &FieldSpec| {
        if prefix.is_empty() {
            sub.title()
        } else {
            format!("{prefix} · {}", sub.title())
        }
    };
    match f.ty {
        FieldType::Map => f
            .fields
            .iter()
            .flat_map(|sub| rows(i, sub, node.and_then(|n| n.get(&sub.key)), &join(sub)))
            .collect(),
        FieldType::List if !f.fields.is_empty() => {
            let items = node.and_then(Node::items).unwrap_or_default();
            let table: Vec<Vec<Cell>> = items
                .iter()
                .map(|item| {
                    f.fields
                        .iter()
                        .map(|sub| cell(i, sub, item.get(&sub.key)))
                        .collect()
                })
                .collect();
            vec![Row {
                label,
                shape: "table",
                columns: f.fields.iter().map(FieldSpec::title).collect(),
                table,
                optional: !f.required,
                ..row()
            }]
        }
        FieldType::List => {
            let item_spec = FieldSpec {
                ty: f.item.unwrap_or(FieldType::Text),
                ..f.clone()
            };
            let items = match node.and_then(Node::items) {
                Some(items) if !items.is_empty() => {
                    items.iter().map(|n| cell(i, &item_spec, Some(n))).collect()
                }
                _ => vec![missing(f)],
            };
            vec![Row {
                label,
                shape: "list",
                items,
                ..row()
            }]
        }
        FieldType::File => {
            let value = cell(i, f, node);
            let checklists = node
                .and_then(Node::as_str)
                .map(|name| checklists(i.packet, name, &f.checklists))
                .unwrap_or_default();
            vec![Row {
                label,
                shape: "file",
                value: Some(value),
                checklists,
                ..row()
            }]
        }
        _ => vec![Row {
            label,
            shape: "value",
            value: Some(cell(i, f, node)),
            ..row()
        }],
    }
}

fn row() -> Row {
    Row {
        label: String::new(),
        shape: "value",
        value: None,
        items: Vec::new(),
        columns: Vec::new(),
        table: Vec::new(),
        checklists: Vec::new(),
        optional: false,
    }
}

fn missing(f: &FieldSpec) -> Cell {
    Cell {
        text: f.prompt.clone(),
        missing: true,
        url: None,
    }
}

fn cell(i: &Inputs, f: &FieldSpec, node: Option<&Node>) -> Cell {
    let Some(node) = node else { return missing(f) };
    match &node.value {
        Value::Str(s) if !crate::rules::answers::is_placeholder(s) => {
            let text = match (f.ty, i.settings.people.get(s.trim())) {
                (FieldType::Person, Some(person)) => format!("{s} ({})", person.joined()),
                _ => s.clone(),
            };
            let url = (f.ty == FieldType::Url)
                .then(|| super::clean_url(s))
                .flatten();
            Cell {
                text,
                missing: false,
                url,
            }
        }
        Value::Seq(items) => {
            let texts: Vec<&str> = items.iter().filter_map(Node::as_str).collect();
            if texts.is_empty() {
                missing(f)
            } else {
                Cell {
                    text: texts.join(", "),
                    missing: false,
                    url: None,
                }
            }
        }
        _ => missing(f),
    }
}

fn checklists(packet: &Packet, name: &str, titles: &[String]) -> Vec<Checklist> {
    let path = packet.dir.join(name);
    let inside = path
        .canonicalize()
        .ok()
        .zip(packet.dir.canonicalize().ok())
        .is_some_and(|(real, dir)| real.starts_with(dir));
    let crate::packet::ReadOutcome::Text(text) = (if inside {
        crate::packet::read_text(&path)
    } else {
        crate::packet::ReadOutcome::Text(String::new())
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
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn body_sections(file: &SourceFile, body: &Body, skip: Option<&str>) -> Vec<SectionView> {
    body.sections
        .iter()
        .filter(|s| s.level == 2 && !skip.is_some_and(|t| s.title.eq_ignore_ascii_case(t)))
        .map(|s| {
            let markdown = file.text[s.heading_end.min(s.end)..s.end]
                .trim()
                .to_string();
            SectionView {
                title: s.title.clone(),
                html: super::markdown_to_safe_html(&markdown),
                markdown: super::markdown_to_safe_markdown(&markdown),
            }
        })
        .collect()
}

fn chart(placed: &[Placed], day0: Option<NaiveDate>, today: NaiveDate) -> Option<Chart> {
    let day0 = day0?;
    let (first, last) = (placed.first()?.day, placed.last()?.day);
    let today_day = (today - day0).num_days();
    let lo = first.min(today_day.max(first - 2));
    let hi = last.max(today_day.min(last + 2));
    let (width, x0, x1) = (760u32, 40.0, 720.0);
    let span = (hi - lo).max(1) as f64;
    let x = |day: i64| x0 + (day - lo) as f64 / span * (x1 - x0);
    let points = placed
        .iter()
        .enumerate()
        .map(|(n, m)| ChartPoint {
            x: (x(m.day) * 10.0).round() / 10.0,
            day: crate::words::day(m.day),
            date: m.date.format("%m-%d").to_string(),
            state: m.state,
            above: n % 2 == 0,
        })
        .collect();
    let today_x = (lo..=hi)
        .contains(&today_day)
        .then(|| (x(today_day) * 10.0).round() / 10.0);
    Some(Chart {
        width,
        axis_y: 70,
        x0,
        x1,
        points,
        today_x,
    })
}
