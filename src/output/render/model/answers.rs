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

pub(super) fn rows(i: &Inputs, f: &FieldSpec, node: Option<&Node>, prefix: &str) -> Vec<Row> {
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
        more: 0,
    }
}

pub(super) fn missing(f: &FieldSpec) -> Cell {
    Cell {
        text: f.prompt.clone(),
        missing: true,
        url: None,
    }
}

pub(super) fn cell(i: &Inputs, f: &FieldSpec, node: Option<&Node>) -> Cell {
    let Some(node) = node else { return missing(f) };
    match &node.value {
        Value::Str(s) if !crate::judgement::rules::answers::is_placeholder(s) => {
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
