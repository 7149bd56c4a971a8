//! `handoff kinds`: the kinds available here and what each requires.

use crate::commands::args::TextFormat;
use crate::facts::error::Error;
use crate::facts::kind::{FieldSpec, FieldType, Kind, Origin};
use crate::facts::workspace::Workspace;
use std::fmt::Write as _;

/// List the kinds, or show one.
pub fn run(ws: &Workspace, kind: Option<&str>, format: TextFormat) -> Result<u8, Error> {
    let chosen: Vec<&Kind> = match kind {
        None => ws.kinds.iter().collect(),
        Some(name) => vec![ws.require_kind(name)?],
    };
    match format {
        TextFormat::Json => {
            let specs: Vec<_> = chosen.iter().map(|k| &k.spec).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&specs).unwrap_or_default()
            );
        }
        TextFormat::Text if kind.is_none() => {
            // The name column is as wide as the longest name, so long repo kinds stay aligned.
            let w = chosen
                .iter()
                .map(|k| k.spec.name.chars().count())
                .max()
                .unwrap_or(0)
                .max(8);
            for k in &chosen {
                let roles: Vec<String> = k
                    .spec
                    .roles
                    .iter()
                    .map(|r| match &r.when {
                        Some(c) => {
                            format!("{} (when {} is {})", r.name, c.field, c.one_of.join(" or "))
                        }
                        None => r.name.clone(),
                    })
                    .collect();
                let origin = match &k.origin {
                    Origin::BuiltIn => String::new(),
                    Origin::Repo(p) => format!(" [{}]", crate::support::paths::shown(p)),
                };
                println!("{:<w$} {}{origin}", k.spec.name, k.spec.summary);
                let questions: Vec<String> = k.spec.fields.iter().map(|f| f.key.clone()).collect();
                println!("{:<w$} asks: {}", "", questions.join(", "));
                println!("{:<w$} sign-off: {}", "", roles.join(", "));
            }
            println!("\n`handoff kinds <kind>` shows one kind in full.");
        }
        TextFormat::Text => {
            for k in chosen {
                print!("{}", describe(k));
            }
        }
    }
    Ok(0)
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
    out.push_str("\nBody sections:\n");
    for sec in &s.sections {
        let mut notes = Vec::new();
        if !sec.required {
            notes.push("optional".to_string());
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
                notes.push(shape);
            }
            None if sec.table.required() => notes.push("with a table".to_string()),
            None => {}
        }
        if let Some(g) = sec.all_checked {
            notes.push(format!("all items checked from the {g} gate"));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        let _ = writeln!(out, "  ## {}: {}{notes}", sec.title, sec.prompt);
    }
    out.push_str("\nAcceptance criteria (each must stay in the packet, or be waived):\n");
    for c in &s.criteria {
        let mut notes = Vec::new();
        if let Some(due) = c.due() {
            notes.push(format!("due {}", crate::support::words::day(due)));
        }
        if c.since() > 1 {
            notes.push(format!("since version {}", c.since()));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        let _ = writeln!(out, "  - {}{notes}", c.text());
    }
    for d in &s.criteria_from {
        let _ = writeln!(
            out,
            "  - {} (one for each item of `{}`)",
            d.text.replace("{}", "<item>"),
            d.field
        );
    }
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
    let _ = writeln!(
        out,
        "\nWaivers: at most {} ahead; granted by {}.",
        crate::support::words::plural(s.waivers.max_days.max(0) as usize, "day", "days"),
        if s.waivers.approvers.is_empty() {
            "anyone".to_string()
        } else {
            format!("holders of {}", s.waivers.approvers.join(", "))
        }
    );
    out.push_str("\nTimeline:\n");
    for m in &s.timeline {
        let _ = writeln!(
            out,
            "  {:>8}  {}",
            crate::support::words::day(m.day),
            m.title
        );
    }
    out.push('\n');
    out
}

fn field(out: &mut String, f: &FieldSpec, depth: usize) {
    let ty = match (f.ty, f.item) {
        (FieldType::List, Some(item)) => format!("list of {}", type_name(item)),
        (FieldType::List, None) => "list".to_string(),
        (t, _) => type_name(t).to_string(),
    };
    let mut notes = vec![ty];
    if !f.required {
        notes.push("optional".into());
    } else if f.gate > crate::facts::gate::Gate::Ready {
        notes.push(format!("from the {} gate", f.gate));
    }
    if let Some(due) = f.due {
        notes.push(format!("due {}", crate::support::words::day(due)));
    }
    if f.since > 1 {
        notes.push(format!("since version {}", f.since));
    }
    if !f.one_of.is_empty() {
        notes.push(format!("one of: {}", f.one_of.join(", ")));
    }
    if let Some(e) = &f.expect {
        notes.push(format!("`{e}` expected"));
    }
    if !f.checklists.is_empty() {
        notes.push(format!("with checklists: {}", f.checklists.join(", ")));
    }
    let _ = writeln!(
        out,
        "{}{} ({}): {}",
        "  ".repeat(depth),
        f.key,
        notes.join("; "),
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
