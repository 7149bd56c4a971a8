//! What a kind requires, as written in its `kind.yaml`.

use crate::facts::gate::{Gate, GateDays, Status};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The contents of a kind's `kind.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    /// The kind's name; must match its folder.
    pub name: String,
    /// One line: which handoff this kind is for.
    pub summary: String,
    /// The questions (front matter keys) the kind asks, in order.
    pub fields: Vec<FieldSpec>,
    /// Markdown sections the body must have.
    #[serde(default)]
    pub sections: Vec<SectionSpec>,
    /// Roles that must sign off.
    #[serde(default)]
    pub roles: Vec<RoleSpec>,
    /// Milestones relative to day 0.
    #[serde(default)]
    pub timeline: Vec<Milestone>,
    /// The kind's version: raise it when the kind gains a requirement (see `since`).
    #[serde(default = "one")]
    pub version: u32,
    /// Acceptance criteria: `handoff new` writes them as unchecked task items, and each must stay
    /// in the packet's criteria section (or be waived).
    #[serde(default)]
    pub criteria: Vec<CriterionSpec>,
    /// How waivers may be granted for this kind.
    #[serde(default)]
    pub waivers: WaiverPolicy,
    /// Days on which the calendar reaches each gate.
    #[serde(default)]
    pub gates: GateDays,
    /// Dotted paths of the answers naming the people `handoff remind` pings (lists ping everyone).
    #[serde(default)]
    pub owners: Vec<String>,
    /// Whether one person may hold the sign-offs of several roles on one packet (default: no).
    #[serde(default)]
    pub allow_same_signer: bool,
    /// Where the kind asks the five questions every handoff answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<FiveQuestions>,
    /// Criteria that follow from the answers: one per item of a list answer (e.g. a permissions
    /// check for every system the packet names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria_from: Vec<DerivedCriteria>,
    /// [`criterion_key`] of each of `criteria`, worked out once for all the packets checked.
    #[serde(skip)]
    pub criteria_keys: std::sync::OnceLock<Vec<String>>,
    /// Answer paths the review document's decision block shows, after the scope (default: the
    /// metric and the risks questions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decision: Vec<String>,
    /// How the metric answer's KPI series is judged, when the kind asks for one to be watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<KpiSpec>,
}

/// How a kind judges the daily KPI series a packet's metric answer points at (`series:`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct KpiSpec {
    /// Days before day 0 whose values must meet the target (the stability window).
    pub window: u32,
    /// The gate from which an unstable or incomplete window fails the packet (default: the
    /// handed-off gate, day 0); before it, `check` notes the progress.
    pub gate: Gate,
    /// Days of the window allowed to miss the target.
    pub misses: u32,
    /// The largest relative spread, (max − min) / mean, the window may show (e.g. 0.2).
    pub max_spread: Option<f64>,
    /// Consecutive days after day 0 under target that make a breach (the paging policy in days).
    pub breach_days: u32,
    /// The acceptance criterion the series decides once a packet has one; without a series the
    /// ticked box stands, noted as unverified.
    pub criterion: Option<String>,
}

impl Default for KpiSpec {
    fn default() -> Self {
        KpiSpec {
            window: 14,
            gate: Gate::HandedOff,
            misses: 0,
            max_spread: None,
            breach_days: 2,
            criterion: None,
        }
    }
}

/// The five questions every handoff answers, each the path of the answer that asks it in this
/// kind's words.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FiveQuestions {
    /// Who owns the work once it is handed over.
    pub owner: String,
    /// Which number proves it works (a release's SLOs, a routing change's SLA attainment).
    pub metric: String,
    /// How the receiving team runs it.
    pub runbook: String,
    /// What could go wrong and what contains it.
    pub risks: String,
    /// Which follow-up work moves with it.
    pub backlog: String,
}

impl FiveQuestions {
    /// The questions as (name, answer path), in their usual order.
    pub fn pairs(&self) -> [(&'static str, &str); 5] {
        [
            ("owner", &self.owner),
            ("metric", &self.metric),
            ("runbook", &self.runbook),
            ("risks", &self.risks),
            ("backlog", &self.backlog),
        ]
    }
}

/// Acceptance criteria derived from a list answer: one per item.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedCriteria {
    /// The path of a list of text answers, e.g. `systems`.
    pub field: String,
    /// The criterion, with `{}` where the item goes: `Permissions verified for {}`.
    pub text: String,
    /// The day (relative to day 0) from which it must be checked; default: the handed-off gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    /// The kind version that added it (default 1).
    #[serde(default = "one")]
    pub since: u32,
}

impl DerivedCriteria {
    /// The criterion for one item.
    pub fn for_item(&self, item: &str) -> String {
        self.text.replacen("{}", item.trim(), 1)
    }
}

/// One of a kind's acceptance criteria: its text, or its text with the day it falls due and the
/// kind version that added it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CriterionSpec {
    /// Due at the handed-off gate, there since version 1.
    Text(String),
    /// With its details.
    Detailed {
        /// The criterion as the packet lists it.
        text: String,
        /// The day (relative to day 0) from which it must be checked; default: the handed-off
        /// gate.
        #[serde(default)]
        due: Option<i64>,
        /// The kind version that added it (default 1).
        #[serde(default = "one")]
        since: u32,
    },
}

impl CriterionSpec {
    /// The criterion's text.
    pub fn text(&self) -> &str {
        match self {
            CriterionSpec::Text(t) | CriterionSpec::Detailed { text: t, .. } => t,
        }
    }

    /// The day it falls due, when it has one.
    pub fn due(&self) -> Option<i64> {
        match self {
            CriterionSpec::Text(_) => None,
            CriterionSpec::Detailed { due, .. } => *due,
        }
    }

    /// The kind version that added it.
    pub fn since(&self) -> u32 {
        match self {
            CriterionSpec::Text(_) => 1,
            CriterionSpec::Detailed { since, .. } => *since,
        }
    }
}

/// Criterion texts compare with case, punctuation and spacing aside.
pub fn same_criterion(a: &str, b: &str) -> bool {
    criterion_key(a) == criterion_key(b)
}

/// What [`same_criterion`] compares: the text lowercased, without punctuation, single-spaced.
/// Compute it once per text when comparing many.
pub fn criterion_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // One pass, no allocation per word: a space goes in before a word's first kept character.
    let mut gap = false;
    if s.is_ascii() {
        // The common case, byte by byte, with no Unicode tables.
        let mut bytes = Vec::with_capacity(s.len());
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if gap && !bytes.is_empty() {
                    bytes.push(b' ');
                }
                gap = false;
                bytes.push(b.to_ascii_lowercase());
            } else if b.is_ascii_whitespace() || b == 0x0b {
                gap = true;
            }
        }
        return String::from_utf8(bytes).unwrap_or_default();
    }
    for c in s.chars() {
        if c.is_whitespace() {
            gap = true;
        } else if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Who may grant a waiver, and for how long.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct WaiverPolicy {
    /// How many days ahead a waiver may expire, counted from the day it is granted (default 90).
    #[serde(default = "ninety")]
    pub max_days: i64,
    /// Roles whose holders may grant waivers; empty: anyone.
    #[serde(default)]
    pub approvers: Vec<String>,
}

impl Default for WaiverPolicy {
    fn default() -> Self {
        WaiverPolicy {
            max_days: 90,
            approvers: Vec::new(),
        }
    }
}

fn ninety() -> i64 {
    90
}

fn one() -> u32 {
    1
}

/// The type of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Free text.
    Text,
    /// `Name <email>` or a role name from `handoff.toml`'s people directory.
    Person,
    /// An ISO 8601 date.
    Date,
    /// An http(s) link.
    Url,
    /// A file inside the packet folder.
    File,
    /// A list; `item` or `fields` say what each item is.
    List,
    /// A mapping; `fields` say its keys.
    Map,
}

/// One answer the kind asks for.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The YAML key.
    pub key: String,
    /// The answer's type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// A heading for the answer in rendered documents (defaults to the key).
    #[serde(default)]
    pub title: Option<String>,
    /// The question, in the words a packet author needs; becomes the `TODO:` placeholder.
    pub prompt: String,
    /// Whether an answer is required (default true).
    #[serde(default = "yes")]
    pub required: bool,
    /// The gate from which a missing answer is an error (default ready).
    #[serde(default = "ready")]
    pub gate: Gate,
    /// For lists: how many items at least (default 1 when required).
    #[serde(default)]
    pub min_items: Option<usize>,
    /// For lists of scalars: the type of each item.
    #[serde(default)]
    pub item: Option<FieldType>,
    /// For maps, and lists of maps: the keys of the map or of each item.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// For files: headings of task-list checklists the file must contain.
    #[serde(default)]
    pub checklists: Vec<String>,
    /// For files: the file name `handoff new` scaffolds.
    #[serde(default)]
    pub default: Option<String>,
    /// An example answer, shown in help text.
    #[serde(default)]
    pub example: Option<String>,
    /// The kind version that added this question (default 1): packets made under an older
    /// version get a warning, never an error, for it.
    #[serde(default = "one")]
    pub since: u32,
    /// The day (relative to day 0) before which a missing answer is only a warning, even at its
    /// gate: for what only an event can answer (the live meeting's record, due the day after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    /// The answers allowed, when the question has fixed choices (e.g. `pass`, `fail`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<String>,
    /// The answer the gate expects: from the question's gate, any other value is an error
    /// (a readiness gate whose result is `fail` blocks the handoff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// For a list whose items carry a `due` date: the gate by which every item must be done
    /// (`done:` on the item); from it on an overdue item is an error, before it (and without
    /// this) a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by: Option<Gate>,
}

/// A markdown section the body must contain.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    /// The heading text.
    pub title: String,
    /// What belongs in it.
    pub prompt: String,
    /// The gate from which a missing or empty section is an error (default ready).
    #[serde(default = "ready")]
    pub gate: Gate,
    /// The section holds task-list items (the acceptance criteria).
    #[serde(default)]
    pub tasks: bool,
    /// From this gate on, every task in the section must be checked.
    #[serde(default)]
    pub all_checked: Option<Gate>,
    /// The section must contain a table: `true`, or the table's shape.
    #[serde(default)]
    pub table: TableRule,
    /// Whether the section is required (default true).
    #[serde(default = "yes")]
    pub required: bool,
}

/// What a section's table must hold.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum TableRule {
    /// `true`: some table; `false`: none needed.
    Any(bool),
    /// A table of this shape.
    Shaped(TableShape),
}

impl Default for TableRule {
    fn default() -> Self {
        TableRule::Any(false)
    }
}

impl TableRule {
    /// Whether the section must hold a table.
    pub fn required(&self) -> bool {
        !matches!(self, TableRule::Any(false))
    }

    /// The shape, when the kind gives one.
    pub fn shape(&self) -> Option<&TableShape> {
        match self {
            TableRule::Shaped(s) => Some(s),
            TableRule::Any(_) => None,
        }
    }
}

/// The shape of a required table: its columns, and what its cells must say. Every cell must be
/// filled in: empty cells and placeholders (`tbd`, `TODO`, `?`) are findings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableShape {
    /// Column headings the table must have (case aside), in any order.
    pub columns: Vec<String>,
    /// Columns whose every cell must carry a number (a time, a rate): `2 business hours`, not
    /// `soon`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<String>,
    /// Every item of a list answer must have a row, named in a column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covers: Option<Coverage>,
    /// A column in which one row must catch everything the other rows do not (`Any other`,
    /// `Everything else`, `Default`, `*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_all: Option<String>,
    /// The kind version that gave the table this shape (default 1): older packets get warnings.
    #[serde(default = "one")]
    pub since: u32,
}

/// A table must name every item of a list answer in one of its columns.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// The column.
    pub column: String,
    /// The path of the list answer, e.g. `segments`.
    pub field: String,
}

/// A condition on an answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The answer's path, e.g. `risk_tier`.
    pub field: String,
    /// The condition holds when the answer is one of these (case aside).
    pub one_of: Vec<String>,
}

impl Condition {
    /// Whether the packet's answer at `field` is one of the values.
    pub fn holds(&self, front: Option<&crate::facts::packet::yaml::Node>) -> bool {
        front
            .and_then(|f| f.at(&self.field))
            .and_then(|n| n.as_str())
            .is_some_and(|v| self.one_of.iter().any(|o| o.eq_ignore_ascii_case(v.trim())))
    }
}

/// A role that signs the packet off.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    /// Role id, e.g. `ops-lead`.
    pub name: String,
    /// What signing means for this role.
    pub description: String,
    /// A dotted path of the packet naming who holds the role (e.g. `owner.primary`); without it,
    /// a `[people]` entry named like the role binds it, and without that anyone may sign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_by: Option<String>,
    /// The role must sign only when this holds (e.g. a security sign-off for a high risk tier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// The role belongs to the receiving team: its holders may send the packet back from a pull
    /// request (a review requesting changes, `/handoff send-back`). When a kind marks none, any
    /// role's holder may.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub receives: bool,
}

/// A step of the timeline.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Days relative to day 0.
    pub day: i64,
    /// What happens.
    pub title: String,
    /// What in the packet shows the milestone is done.
    #[serde(default)]
    pub evidence: Option<Evidence>,
}

/// Evidence that a milestone happened; every given condition must hold.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// This answer is present.
    #[serde(default)]
    pub field: Option<String>,
    /// A checked acceptance criterion contains this text.
    #[serde(default)]
    pub task: Option<String>,
    /// The status is at least this.
    #[serde(default)]
    pub status: Option<Status>,
    /// Every role has a fresh sign-off.
    #[serde(default)]
    pub signed: bool,
    /// This body section is present and has text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

fn yes() -> bool {
    true
}

fn ready() -> Gate {
    Gate::Ready
}

impl KindSpec {
    /// The sign-off roles of the receiving team (`receives: true`; gtm-play: `ops-lead`): they
    /// may send a packet back from a review, and one of them joins the discovery sync.
    pub fn receivers(&self) -> Vec<&str> {
        self.roles
            .iter()
            .filter(|r| r.receives)
            .map(|r| r.name.as_str())
            .collect()
    }

    /// The roles that must sign this packet: every role, except one whose `when` does not hold
    /// for the packet's answers.
    pub fn roles_for<'a>(
        &'a self,
        front: Option<&'a crate::facts::packet::yaml::Node>,
    ) -> impl Iterator<Item = &'a RoleSpec> + 'a {
        self.roles
            .iter()
            .filter(move |r| r.when.as_ref().is_none_or(|c| c.holds(front)))
    }

    /// The kind's criteria for this packet: its own, then those its answers call for
    /// (`criteria_from`), without duplicates.
    pub fn criteria_for(
        &self,
        front: Option<&crate::facts::packet::yaml::Node>,
    ) -> Vec<CriterionSpec> {
        self.keyed_criteria_for(front)
            .into_iter()
            .map(|(c, _)| c.into_owned())
            .collect()
    }

    /// [`Self::criteria_for`], each criterion with its [`criterion_key`]; the kind's own criteria
    /// are borrowed, with keys worked out once per run.
    pub fn keyed_criteria_for(
        &self,
        front: Option<&crate::facts::packet::yaml::Node>,
    ) -> Vec<(Cow<'_, CriterionSpec>, Cow<'_, str>)> {
        let keys = self.criteria_keys.get_or_init(|| {
            self.criteria
                .iter()
                .map(|c| criterion_key(c.text()))
                .collect()
        });
        let mut out: Vec<(Cow<'_, CriterionSpec>, Cow<'_, str>)> = self
            .criteria
            .iter()
            .zip(keys)
            .map(|(c, k)| (Cow::Borrowed(c), Cow::Borrowed(k.as_str())))
            .collect();
        for d in &self.criteria_from {
            let items = front
                .and_then(|f| f.at(&d.field))
                .map(|n| n.texts())
                .unwrap_or_default();
            for item in items {
                let text = d.for_item(item);
                let key = criterion_key(&text);
                if !out.iter().any(|(_, k)| *k == key) {
                    out.push((
                        Cow::Owned(CriterionSpec::Detailed {
                            text,
                            due: d.due,
                            since: d.since,
                        }),
                        Cow::Owned(key),
                    ));
                }
            }
        }
        out
    }

    /// The question at an answer path such as `metric.source` or `risks[1].monitor`.
    pub fn field_at(&self, path: &str) -> Option<&FieldSpec> {
        let mut fields = &self.fields;
        let mut found = None;
        for part in path.split('.') {
            let key = match part.find('[') {
                Some(i)
                    if part.ends_with(']')
                        && part[i + 1..part.len() - 1].parse::<usize>().is_ok() =>
                {
                    &part[..i]
                }
                Some(_) => return None,
                None => part,
            };
            let f = fields.iter().find(|f| f.key == key)?;
            fields = &f.fields;
            found = Some(f);
        }
        found
    }

    /// Every answer path of the kind, for suggestions (lists as `key[1]`).
    pub fn paths(&self) -> Vec<String> {
        fn walk(fields: &[FieldSpec], prefix: &str, out: &mut Vec<String>) {
            for f in fields {
                let here = if prefix.is_empty() {
                    f.key.clone()
                } else {
                    format!("{prefix}.{}", f.key)
                };
                out.push(here.clone());
                let inner = if f.ty == FieldType::List {
                    format!("{here}[1]")
                } else {
                    here
                };
                walk(&f.fields, &inner, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.fields, "", &mut out);
        out
    }
}

impl FieldSpec {
    /// The heading shown for this answer.
    pub fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| humanize(&self.key))
    }
}

/// `data_contract` → `Data contract`.
pub fn humanize(key: &str) -> String {
    let words = key.replace(['_', '-'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::criterion_key;
    use proptest::prelude::*;

    /// The definition, one character at a time.
    fn by_chars(s: &str) -> String {
        let words: Vec<String> = s
            .split(char::is_whitespace)
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect()
            })
            .filter(|w: &String| !w.is_empty())
            .collect();
        words.join(" ")
    }

    #[test]
    fn keys_ignore_case_punctuation_and_spacing() {
        assert_eq!(
            criterion_key("  Permissions verified — for HubSpot!\u{0b}Now "),
            "permissions verified for hubspot now"
        );
        assert_eq!(criterion_key("Ünïcode  ÄRGER, ok"), "ünïcode ärger ok");
        assert_eq!(criterion_key("a-b c.d"), "ab cd");
    }

    proptest! {
        #[test]
        fn the_ascii_path_keys_as_the_definition_does(s in "[ -~\\t\\n\\x0b\\x0cäÉ—]{0,40}") {
            prop_assert_eq!(criterion_key(&s), by_chars(&s));
        }
    }
}
