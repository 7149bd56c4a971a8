//! What a kind requires, as written in its `kind.yaml`.

use crate::gate::{Gate, GateDays, Status};
use serde::{Deserialize, Serialize};

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
    for word in s.split_whitespace() {
        let word: String = word
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if !word.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
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
    /// The section must contain a table.
    #[serde(default)]
    pub table: bool,
    /// Whether the section is required (default true).
    #[serde(default = "yes")]
    pub required: bool,
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
