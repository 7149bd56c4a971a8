//! What `handoff kinds` shows: the kinds in a list, or one kind in full (its questions, body
//! sections, acceptance criteria, sign-off roles, waivers and timeline).

use crate::facts::kind::spec::KindSpec;
use crate::facts::kind::{FieldSpec, FieldType, Kind, Origin};
use crate::support::words::{day, plural};
use std::fmt::Write as _;

/// The kinds, three lines each (summary, questions, sign-off roles), the names in a column as wide
/// as the longest, and how to see one in full.
pub fn list(kinds: &[&Kind]) -> String {
    // The name column is as wide as the longest name, so long repo kinds stay aligned.
    let w = kinds
        .iter()
        .map(|k| k.spec.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut out = String::new();
    for k in kinds {
        let roles: Vec<String> = k
            .spec
            .roles
            .iter()
            .map(|r| match &r.when {
                Some(c) => format!("{} (when {} is {})", r.name, c.field, c.one_of.join(" or ")),
                None => r.name.clone(),
            })
            .collect();
        let origin = match &k.origin {
            Origin::BuiltIn => String::new(),
            Origin::Repo(p) => format!(" [{}]", crate::support::paths::shown(p)),
        };
        let _ = writeln!(out, "{:<w$} {}{origin}", k.spec.name, k.spec.summary);
        let questions: Vec<&str> = k.spec.fields.iter().map(|f| f.key.as_str()).collect();
        let _ = writeln!(out, "{:<w$} asks: {}", "", questions.join(", "));
        let _ = writeln!(out, "{:<w$} sign-off: {}", "", roles.join(", "));
    }
    out.push_str("\n`handoff kinds <kind>` shows one kind in full.\n");
    out
}

/// A kind in full, as text.
pub fn describe(k: &Kind) -> String {
    let s = &k.spec;
    let mut out = format!(
        "{}: {} (version {})\n\nQuestions (front matter):\n",
        s.name, s.summary, s.version
    );
    for f in &s.fields {
        field(&mut out, f, 1);
    }
    questions(&mut out, s);
    sections(&mut out, s);
    criteria(&mut out, s);
    roles(&mut out, s);
    waivers(&mut out, s);
    out.push_str("\nTimeline:\n");
    for m in &s.timeline {
        let _ = writeln!(out, "  {:>8}  {}", day(m.day), m.title);
    }
    out.push('\n');
    out
}

/// ` (a; b)`, or nothing when there are no notes.
fn notes(notes: &[String]) -> String {
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    }
}

/// Where the five questions are answered, or how to map them.
fn questions(out: &mut String, s: &KindSpec) {
    match &s.questions {
        Some(q) => {
            out.push_str("\nThe five questions, in this kind's words:\n");
            for (name, path) in q.pairs() {
                let _ = writeln!(out, "  {name:<8} {path}");
            }
        }
        None => out.push_str(
            "\nThe five questions: not mapped (add `questions:` with owner, metric, runbook, risks and backlog).\n",
        ),
    }
}

/// The body's sections, each with its prompt and what it must hold.
fn sections(out: &mut String, s: &KindSpec) {
    out.push_str("\nBody sections:\n");
    for sec in &s.sections {
        let mut found = Vec::new();
        if !sec.required {
            found.push("optional".to_string());
        }
        match sec.table.shape() {
            Some(t) => {
                let mut shape = format!("a table with columns {}", t.columns.join(" | "));
                if !t.numbers.is_empty() {
                    let _ = write!(shape, "; numbers in {}", t.numbers.join(", "));
                }
                if let Some(c) = &t.covers {
                    let _ = write!(shape, "; a row for every item of `{}`", c.field);
                }
                if t.catch_all.is_some() {
                    shape.push_str("; a fallback row");
                }
                found.push(shape);
            }
            None if sec.table.required() => found.push("with a table".to_string()),
            None => {}
        }
        if let Some(g) = sec.all_checked {
            found.push(format!("all items checked from the {g} gate"));
        }
        let _ = writeln!(out, "  ## {}: {}{}", sec.title, sec.prompt, notes(&found));
    }
}

/// The acceptance criteria, with when each falls due, and those made from a list's items.
fn criteria(out: &mut String, s: &KindSpec) {
    out.push_str("\nAcceptance criteria (each must stay in the packet, or be waived):\n");
    for c in &s.criteria {
        let mut found = Vec::new();
        if let Some(due) = c.due() {
            found.push(format!("due {}", day(due)));
        }
        if c.since() > 1 {
            found.push(format!("since version {}", c.since()));
        }
        let _ = writeln!(out, "  - {}{}", c.text(), notes(&found));
    }
    for d in &s.criteria_from {
        let _ = writeln!(
            out,
            "  - {} (one for each item of `{}`)",
            d.text.replace("{}", "<item>"),
            d.field
        );
    }
}

/// The sign-off roles, who holds each and when it applies.
fn roles(out: &mut String, s: &KindSpec) {
    out.push_str("\nSign-off roles:\n");
    for r in &s.roles {
        let held = r
            .held_by
            .as_ref()
            .map(|p| format!(" (held by the packet's `{p}`)"))
            .unwrap_or_default();
        let when = r
            .when
            .as_ref()
            .map(|c| format!(" (only when `{}` is {})", c.field, c.one_of.join(" or ")))
            .unwrap_or_default();
        let _ = writeln!(out, "  {}: {}{held}{when}", r.name, r.description);
    }
}

/// How far ahead a waiver may reach, and who grants one.
fn waivers(out: &mut String, s: &KindSpec) {
    let _ = writeln!(
        out,
        "\nWaivers: at most {} ahead; granted by {}.",
        plural(s.waivers.max_days.max(0) as usize, "day", "days"),
        if s.waivers.approvers.is_empty() {
            "anyone".to_string()
        } else {
            format!("holders of {}", s.waivers.approvers.join(", "))
        }
    );
}

/// One question of the front matter, with its type and notes, and the questions under it.
fn field(out: &mut String, f: &FieldSpec, depth: usize) {
    let ty = match (f.ty, f.item) {
        (FieldType::List, Some(item)) => format!("list of {}", type_name(item)),
        (FieldType::List, None) => "list".to_string(),
        (t, _) => type_name(t).to_string(),
    };
    let mut found = vec![ty];
    if !f.required {
        found.push("optional".into());
    } else if f.gate > crate::facts::gate::Gate::Ready {
        found.push(format!("from the {} gate", f.gate));
    }
    if let Some(due) = f.due {
        found.push(format!("due {}", day(due)));
    }
    if f.since > 1 {
        found.push(format!("since version {}", f.since));
    }
    if !f.one_of.is_empty() {
        found.push(format!("one of: {}", f.one_of.join(", ")));
    }
    if let Some(e) = &f.expect {
        found.push(format!("`{e}` expected"));
    }
    if !f.checklists.is_empty() {
        found.push(format!("with checklists: {}", f.checklists.join(", ")));
    }
    let _ = writeln!(
        out,
        "{}{} ({}): {}",
        "  ".repeat(depth),
        f.key,
        found.join("; "),
        f.prompt
    );
    for sub in &f.fields {
        field(out, sub, depth + 1);
    }
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Text => "text",
        FieldType::Person => "person",
        FieldType::Date => "date",
        FieldType::Url => "link",
        FieldType::File => "file",
        FieldType::List => "list",
        FieldType::Map => "mapping",
    }
}
