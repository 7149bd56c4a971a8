//! `handoff kinds`: the kinds available here and what each requires.

use crate::cli::TextFormat;
use crate::error::Error;
use crate::kind::{FieldSpec, FieldType, Kind, Origin};
use crate::workspace::Workspace;
use std::fmt::Write as _;

/// List the kinds, or show one.
pub fn run(ws: &Workspace, kind: Option<&str>, format: TextFormat) -> Result<u8, Error> {
    let chosen: Vec<&Kind> = match kind {
        None => ws.kinds.iter().collect(),
        Some(name) => vec![ws.kinds.require(name)?],
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
            for k in &chosen {
                let roles: Vec<&str> = k.spec.roles.iter().map(|r| r.name.as_str()).collect();
                let origin = match &k.origin {
                    Origin::BuiltIn => String::new(),
                    Origin::Repo(p) => format!(" [{}]", crate::paths::shown(p)),
                };
                println!("{:<14} {}{origin}", k.spec.name, k.spec.summary);
                let questions: Vec<String> = k.spec.fields.iter().map(|f| f.key.clone()).collect();
                println!("{:<14} asks: {}", "", questions.join(", "));
                println!("{:<14} sign-off: {}", "", roles.join(", "));
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
    let mut out = format!("{}: {}\n\nQuestions (front matter):\n", s.name, s.summary);
    for f in &s.fields {
        field(&mut out, f, 1);
    }
    out.push_str("\nBody sections:\n");
    for sec in &s.sections {
        let mut notes = Vec::new();
        if !sec.required {
            notes.push("optional".to_string());
        }
        if sec.table {
            notes.push("with a table".to_string());
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
    out.push_str("\nSign-off roles:\n");
    for r in &s.roles {
        let _ = writeln!(out, "  {}: {}", r.name, r.description);
    }
    out.push_str("\nTimeline:\n");
    for m in &s.timeline {
        let _ = writeln!(out, "  day {:>+3}  {}", m.day, m.title);
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
    } else if f.gate > crate::gate::Gate::Ready {
        notes.push(format!("from the {} gate", f.gate));
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
