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
    /// The one-page decision block the meeting signs: scope, key answers, who signs.
    pub decision: Decision,
    /// The exact version reviewed.
    pub version: VersionView,
    /// What changed since stale sign-offs were made, one group per version signed.
    pub changed_since: Vec<ChangeGroup>,
    /// Every time the receiving team sent the packet back, oldest first.
    pub sent_back: Vec<crate::sendback::SentBack>,
    /// The KPI series, summarised and drawn, when the packet has one.
    pub kpi: Option<super::kpi_chart::KpiView>,
}

/// The decision block: what is being approved, the answers that decide it, and who must sign.
#[derive(Debug, Serialize)]
pub struct Decision {
    /// The summary section, as safe markdown (the scope being approved).
    pub scope: Option<String>,
    /// The summary section, as sanitized HTML.
    pub scope_html: Option<String>,
    /// The kind's decision answers (KPI against target and baseline, top risks, dependencies,
    /// support), in the kind's order; long tables cut to their first rows.
    pub answers: Vec<Question>,
    /// Roles that must sign.
    pub must_sign: Vec<String>,
    /// Roles with a sign-off that counts.
    pub signed: Vec<String>,
    /// Waivers in force.
    pub open_waivers: usize,
}

/// Which version of the packet the document shows.
#[derive(Debug, Serialize)]
pub struct VersionView {
    /// The digest sign-offs carry (`sha256:…`) of the packet as rendered.
    pub digest: String,
    /// The last commit that changed `handoff.md`, short, when git knows.
    pub commit: Option<String>,
    /// Whether `handoff.md` differs from that commit.
    pub uncommitted: bool,
}

/// What changed since a version some roles signed.
#[derive(Debug, Serialize)]
pub struct ChangeGroup {
    /// The roles whose (now stale) sign-offs saw that version.
    pub roles: Vec<String>,
    /// The commit that recorded their sign-offs.
    pub commit: String,
    /// The status then and now, when it moved.
    pub status: Option<(String, String)>,
    /// Answers changed: path, old value, new value.
    pub answers: Vec<AnswerChange>,
    /// Acceptance criteria checked, unchecked or added since.
    pub criteria: Vec<String>,
    /// Whether the body's text changed otherwise.
    pub body: bool,
    /// Other files of the packet changed in later commits.
    pub files: Vec<String>,
}

/// One answer that changed.
#[derive(Debug, Serialize)]
pub struct AnswerChange {
    /// Its dotted path.
    pub path: String,
    /// Before (empty when it was not answered).
    pub old: String,
    /// Now (empty when removed).
    pub new: String,
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
    /// For `table`: rows left out (the decision block shows the first few).
    pub more: usize,
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
    /// The packet's git history and its folder's path in it, when git knows.
    pub history: Option<(&'a crate::history::History, &'a str)>,
}

/// How many rows of a table the decision block shows.
const DECISION_ROWS: usize = 3;

/// The file name (without extension) of a packet's page in a site: its id, except that no page
/// may take the index's or the figures page's name.
pub fn page_name(id: &str) -> String {
    if matches!(id, "index" | FIGURES_PAGE) {
        format!("{id}-packet")
    } else {
        id.to_string()
    }
}

/// The site's page of charts (`stats`), beside the index.
pub const FIGURES_PAGE: &str = "figures";

/// Build the review.
pub fn build(i: &Inputs) -> Review {
    let p = i.packet;
    let spec = &i.kind.spec;
    let front = p.front.as_ref();
    let text = |k: &str| p.text(k).unwrap_or("").to_string();
    let placed = timeline::place(p, spec, i.settings, i.today);
    let review = signoff::Review::of(p, spec, i.settings);
    let signoffs = spec
        .roles_for(p.front.as_ref())
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
    let decision_paths: Vec<String> = if spec.decision.is_empty() {
        spec.questions
            .iter()
            .flat_map(|q| [q.metric.clone(), q.risks.clone()])
            .collect()
    } else {
        spec.decision.clone()
    };
    let decision_answers = decision_paths
        .iter()
        .filter_map(|path| Some((path, spec.field_at(path)?)))
        .map(|(path, f)| {
            let mut rows = rows(i, f, front.and_then(|n| n.at(path)), "");
            for r in &mut rows {
                if r.table.len() > DECISION_ROWS {
                    r.more = r.table.len() - DECISION_ROWS;
                    r.table.truncate(DECISION_ROWS);
                }
            }
            Question {
                key: path.clone(),
                title: f.title(),
                prompt: f.prompt.clone(),
                rows,
            }
        })
        .collect();
    let summary = sections
        .iter()
        .find(|s: &&SectionView| s.title.eq_ignore_ascii_case("summary"));
    let must_sign: Vec<String> = spec
        .roles_for(p.front.as_ref())
        .map(|r| r.name.clone())
        .collect();
    let decision = Decision {
        scope: summary.map(|s| s.markdown.clone()),
        scope_html: summary.map(|s| s.html.clone()),
        answers: decision_answers,
        signed: must_sign
            .iter()
            .filter(|r| review.signed(r))
            .cloned()
            .collect(),
        must_sign,
        open_waivers: crate::waiver::read(p)
            .0
            .iter()
            .filter(|w| w.holds(i.today))
            .count(),
    };
    let version = version(p, i.history);
    let changed_since = changed_since(p, &review, i.history);
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
                state: if crate::rules::waiver::problem(&w, p, spec, i.settings, i.today).is_some()
                {
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
        decision,
        version,
        changed_since,
        sent_back: crate::sendback::read(p),
        kpi: crate::rules::kpi::reading(p, spec, i.today)
            .and_then(|r| Some(super::kpi_chart::view(&r, p.day0()?, i.today))),
    }
}

fn version(p: &Packet, history: Option<(&crate::history::History, &str)>) -> VersionView {
    let latest = history.and_then(|(h, dir)| {
        let versions = h.versions.get(dir)?;
        let last = versions.len().checked_sub(1)?;
        let text = crate::history::text_at(h, dir, last);
        Some((h.commits[versions[last].commit].short.to_string(), text))
    });
    let now = p.file.as_ref().map(|f| f.text.as_str());
    VersionView {
        digest: signoff::digest(p),
        uncommitted: latest.as_ref().is_some_and(|(_, text)| *text != now),
        commit: latest.map(|(c, _)| c),
    }
}

/// For the stale sign-offs, what changed since the version each was recorded in.
fn changed_since(
    p: &Packet,
    review: &signoff::Review,
    history: Option<(&crate::history::History, &str)>,
) -> Vec<ChangeGroup> {
    let Some((h, dir)) = history else {
        return Vec::new();
    };
    let stale: Vec<&signoff::Standing> = review
        .standings
        .iter()
        .filter(|s| s.freshness != signoff::Freshness::Fresh)
        .collect();
    if stale.is_empty() {
        return Vec::new();
    }
    let recorded = crate::history::recorded_versions(h, dir, p);
    let mut groups: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for s in stale {
        if let Some(&i) = recorded.get(&s.signoff.key()) {
            groups.entry(i).or_default().push(s.signoff.role.clone());
        }
    }
    let versions = h.versions.get(dir).map(Vec::as_slice).unwrap_or_default();
    let built: Vec<ChangeGroup> = groups
        .into_iter()
        .filter_map(|(i, roles)| {
            let text = crate::history::text_at(h, dir, i)?;
            let then = Packet::from_text(&p.dir, std::path::Path::new(""), text.to_string());
            let (a, b) = (crate::history::answers(&then), crate::history::answers(p));
            let mut answers: Vec<AnswerChange> = b
                .iter()
                .filter(|(k, v)| a.get(*k) != Some(*v))
                .map(|(k, v)| AnswerChange {
                    path: k.clone(),
                    old: a.get(k).cloned().unwrap_or_default(),
                    new: v.clone(),
                })
                .collect();
            answers.extend(a.iter().filter(|(k, _)| !b.contains_key(*k)).map(|(k, v)| {
                AnswerChange {
                    path: k.clone(),
                    old: v.clone(),
                    new: String::new(),
                }
            }));
            let mut criteria = Vec::new();
            let mut body = false;
            let mut status = None;
            for c in crate::history::diff(Some(&then), Some(p)) {
                match c {
                    crate::history::Change::Checked { criterion } => {
                        criteria.push(format!("checked: {criterion}"))
                    }
                    crate::history::Change::Unchecked { criterion } => {
                        criteria.push(format!("unchecked: {criterion}"))
                    }
                    crate::history::Change::Body => body = true,
                    crate::history::Change::Status { from, to } => status = Some((from, to)),
                    _ => {}
                }
            }
            let mut files: Vec<String> = versions
                .get(i + 1..)
                .unwrap_or_default()
                .iter()
                .flat_map(|v| v.other_files.iter().cloned())
                .filter(|f| !crate::metrics::is_series_file(f))
                .collect();
            files.sort();
            files.dedup();
            Some(ChangeGroup {
                roles,
                commit: h.commits[versions[i].commit].short.to_string(),
                status,
                answers,
                criteria,
                body,
                files,
            })
        })
        .collect();
    // Roles that signed in different commits with nothing changed in between saw the same
    // packet: one group for them.
    let mut merged: Vec<ChangeGroup> = Vec::new();
    for g in built {
        match merged.last_mut() {
            Some(last)
                if last.answers.len() == g.answers.len()
                    && last
                        .answers
                        .iter()
                        .zip(&g.answers)
                        .all(|(a, b)| a.path == b.path && a.old == b.old && a.new == b.new)
                    && last.criteria == g.criteria
                    && last.body == g.body
                    && last.status == g.status
                    && last.files == g.files =>
            {
                last.roles.extend(g.roles);
            }
            _ => merged.push(g),
        }
    }
    merged
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
        more: 0,
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
                _ => s.to_string(),
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
