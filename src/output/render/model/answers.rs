//! The answers section: each question of the kind as a row, its answer as a cell (a value, a
//! person, a link, a list or a nested table), and what is missing.

use super::*;

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
    /// Whether the answer may be empty (an empty one reads "none", not "missing").
    pub optional: bool,
    /// For `table`: an empty table the packet is not asked to fill yet (not due yet).
    pub later: bool,
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
    /// Unanswered, and not required yet at the packet's gate (the live meeting's record before
    /// day +1, the shadow-period log before the signed-off gate): shown as not due yet, never
    /// as missing.
    pub later: bool,
    /// A safe http(s) link, when the value is one.
    pub url: Option<String>,
}

/// When an answer is required: the gate, and the day it falls due at that gate, each the
/// latest of the question's own and its enclosing questions'.
#[derive(Debug, Clone, Copy)]
pub(super) struct Due {
    gate: Gate,
    day: Option<i64>,
}

impl Due {
    fn of(f: &FieldSpec, outer: Option<Due>) -> Due {
        let day = match (outer.and_then(|o| o.day), f.due) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Due {
            gate: outer.map_or(f.gate, |o| o.gate.max(f.gate)),
            day,
        }
    }

    /// Whether the packet is asked for it on the review's day at its gate.
    fn now(self, i: &Inputs) -> bool {
        let gate = i.verdict.gate;
        let day = i.packet.day0().map(|d0| (i.today - d0).num_days());
        gate >= self.gate
            && (gate >= Gate::SignedOff
                || match (self.day, day) {
                    (Some(due), Some(day)) => day >= due,
                    _ => true,
                })
    }
}

/// Whether a node holds no answer: absent, null, blank or a placeholder.
fn unanswered(node: Option<&Node>) -> bool {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => true,
        Some(Value::Str(s)) => crate::facts::packet::is_placeholder(s),
        _ => false,
    }
}

/// Whether a list answer may be empty: optional, or asking for no items at least (`min_items:
/// 0`, as the shadow-period log does when nothing went wrong).
fn may_be_empty(f: &FieldSpec) -> bool {
    !f.required || f.min_items == Some(0)
}

/// The cell a list that may be empty shows when it is.
fn none() -> Cell {
    Cell {
        text: "none".into(),
        missing: false,
        later: false,
        url: None,
    }
}

pub(super) fn rows(i: &Inputs, f: &FieldSpec, node: Option<&Node>, prefix: &str) -> Vec<Row> {
    rows_in(i, f, node, prefix, None)
}

fn rows_in(
    i: &Inputs,
    f: &FieldSpec,
    node: Option<&Node>,
    prefix: &str,
    outer: Option<Due>,
) -> Vec<Row> {
    let due = Due::of(f, outer);
    // An optional answer left out is left out of the document too.
    if !f.required && unanswered(node) {
        return Vec::new();
    }
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
            .flat_map(|sub| {
                rows_in(
                    i,
                    sub,
                    node.and_then(|n| n.get(&sub.key)),
                    &join(sub),
                    Some(due),
                )
            })
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
                optional: may_be_empty(f) && node.is_some_and(|n| n.items().is_some()),
                later: !due.now(i),
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
                Some(_) if may_be_empty(f) => vec![none()],
                _ => vec![missing_at(f, due, i)],
            };
            vec![Row {
                label,
                shape: "list",
                items,
                ..row()
            }]
        }
        FieldType::File => {
            let value = cell_at(i, f, node, due);
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
            value: Some(cell_at(i, f, node, due)),
            ..row()
        }],
    }
}

/// [`cell`], a missing answer shown as not due yet when the packet is not asked for it yet.
fn cell_at(i: &Inputs, f: &FieldSpec, node: Option<&Node>, due: Due) -> Cell {
    let c = cell(i, f, node);
    if c.missing && !due.now(i) {
        return Cell { later: true, ..c };
    }
    c
}

/// The cell of a missing answer, not due yet when the packet is not asked for it yet.
fn missing_at(f: &FieldSpec, due: Due, i: &Inputs) -> Cell {
    Cell {
        later: !due.now(i),
        ..missing(f)
    }
}

pub(super) fn row() -> Row {
    Row {
        label: String::new(),
        shape: "value",
        value: None,
        items: Vec::new(),
        columns: Vec::new(),
        table: Vec::new(),
        checklists: Vec::new(),
        optional: false,
        later: false,
        more: 0,
    }
}

pub(super) fn missing(f: &FieldSpec) -> Cell {
    Cell {
        text: f.prompt.clone(),
        missing: true,
        later: false,
        url: None,
    }
}

pub(super) fn cell(i: &Inputs, f: &FieldSpec, node: Option<&Node>) -> Cell {
    let Some(node) = node else { return missing(f) };
    match &node.value {
        Value::Str(s) if !crate::facts::packet::is_placeholder(s) => {
            let text = match (f.ty, i.settings.people.get(s.trim())) {
                (FieldType::Person, Some(person)) => format!("{s} ({})", person.joined()),
                _ => s.to_string(),
            };
            let url = (f.ty == FieldType::Url)
                .then(|| super::super::clean_url(s))
                .flatten();
            Cell {
                text,
                missing: false,
                later: false,
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
                    later: false,
                    url: None,
                }
            }
        }
        _ => missing(f),
    }
}
