//! The review document's model: everything a template needs, computed once from the packet.
//! By section: `answers`, `changes` (since the sign-off), `body` (sections and checklists),
//! `chart` (the timeline); the review, its decision, waivers, verdict and sign-offs here.

use crate::facts::gate::Gate;
use crate::facts::kind::{FieldSpec, FieldType, Kind};
use crate::facts::packet::Packet;
use crate::facts::packet::body::Body;
use crate::facts::packet::source::SourceFile;
use crate::facts::packet::yaml::{Node, Value};
use crate::facts::signoff;
use crate::facts::timeline::{self, Placed, State};
use crate::judgement::verdict::Verdict;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

mod answers;
mod body;
mod changes;
mod chart;

use answers::rows;
pub use answers::{Cell, Question, Row};
pub use body::{Check, Checklist, SectionView};
use body::{body_sections, checklists};
pub use changes::{AnswerChange, ChangeGroup, VersionView};
use changes::{changed_since, version};
use chart::chart;
pub use chart::{Chart, ChartPoint};

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
    pub sent_back: Vec<crate::facts::sendback::SentBack>,
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
    /// How it is proven to come from its signer: a key's fingerprint, the review or comment it
    /// was given in, or git identity only.
    pub proof: Option<String>,
    /// The review's or comment's page, for a link (https only).
    pub proof_url: Option<String>,
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
    pub settings: &'a crate::facts::config::Settings,
    /// The day.
    pub today: NaiveDate,
    /// Role and time → short commit id, when git knows.
    pub commits: &'a BTreeMap<signoff::Key, String>,
    /// The packet's git history and its folder's path in it, when git knows.
    pub history: Option<(&'a crate::facts::history::History, &'a str)>,
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
                    } else if st.unlanded.is_some() {
                        "unlanded"
                    } else if !st.proven.counts {
                        "unproven"
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
                    proof: Some(st.proven.proof.describe()),
                    proof_url: match &st.proven.proof {
                        crate::facts::proof::Proof::Forge { url, .. }
                            if url.starts_with("https://") =>
                        {
                            Some(url.clone())
                        }
                        _ => None,
                    },
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
                proof: None,
                proof_url: None,
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
        open_waivers: crate::facts::waiver::read(p)
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
                .filter(|d| d.severity == crate::judgement::diagnostic::Severity::Error)
                .map(|d| format!("{} (line {}): {}", d.file, d.pos.line, d.message))
                .collect(),
            warned: i
                .verdict
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::judgement::diagnostic::Severity::Warning)
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
        waivers: crate::facts::waiver::read(p)
            .0
            .into_iter()
            .map(|w| WaiverView {
                state: if crate::judgement::rules::waiver::problem(&w, p, spec, i.settings, i.today)
                    .is_some()
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
        sent_back: crate::facts::sendback::read(p),
        kpi: crate::judgement::rules::kpi::reading(p, spec, i.today)
            .and_then(|r| Some(super::kpi_chart::view(&r, p.day0()?, i.today))),
    }
}
