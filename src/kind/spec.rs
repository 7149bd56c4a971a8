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
    /// Acceptance criteria `handoff new` writes as unchecked task items.
    #[serde(default)]
    pub criteria: Vec<String>,
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
}

fn yes() -> bool {
    true
}

fn ready() -> Gate {
    Gate::Ready
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
