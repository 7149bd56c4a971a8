//! What `handoff new` writes: the front matter generated from the kind's fields, then the kind's
//! templates rendered around it.

use super::{FieldSpec, FieldType, Kind};
use crate::facts::packet::edit::scalar;
use chrono::NaiveDate;
use minijinja::Environment;
use serde::Serialize;
use std::fmt::Write as _;

/// The header of a new packet.
#[derive(Debug, Clone, Serialize)]
pub struct NewPacket {
    /// Packet id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind: String,
    /// Sending team.
    pub from: String,
    /// Receiving team.
    pub to: String,
    /// Day 0.
    pub day0: NaiveDate,
    /// The JSON Schema path relative to the packet folder, for the editor modeline.
    pub schema: Option<String>,
}

/// Render every template of the kind: (file name, text), `handoff.md` first.
pub fn render(kind: &Kind, new: &NewPacket) -> Result<Vec<(String, String)>, String> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    for (name, text) in &kind.templates {
        env.add_template_owned(name.clone(), text.clone())
            .map_err(|e| format!("template {name}: {e}"))?;
    }
    let ctx = minijinja::context! {
        id => new.id,
        title => new.title,
        kind => new.kind,
        from => new.from,
        to => new.to,
        day0 => new.day0.to_string(),
        criteria => kind.spec.criteria.iter().map(|c| c.text()).collect::<Vec<_>>(),
        front_matter => front_matter(kind, new),
    };
    let mut files = Vec::new();
    for (name, _) in &kind.templates {
        let tmpl = env
            .get_template(name)
            .map_err(|e| format!("template {name}: {e}"))?;
        let text = tmpl
            .render(&ctx)
            .map_err(|e| format!("template {name}: {e:#}"))?;
        files.push((name.trim_end_matches(".j2").to_string(), text));
    }
    files.sort_by_key(|(name, _)| name != crate::facts::packet::PACKET_FILE);
    Ok(files)
}

/// A `handoff.md` template made from a kind's own sections: the front matter, the title, and one
/// `## Section` per section the kind checks, with a `TODO:` placeholder (or the criteria as
/// unchecked items, for a task section).
pub fn body_template(spec: &super::KindSpec) -> String {
    let raw = |s: &str| format!("{{% raw %}}{s}{{% endraw %}}");
    let mut out = String::from("---\n{{ front_matter }}---\n\n# {{ title }}\n");
    for sec in &spec.sections {
        let _ = write!(out, "\n## {}\n", raw(&sec.title));
        if sec.tasks {
            out.push_str("{% for c in criteria %}- [ ] {{ c }}\n{% endfor %}");
            if spec.criteria.is_empty() {
                let _ = writeln!(out, "- [ ] TODO: {}", raw(&sec.prompt));
            }
        } else {
            let _ = writeln!(out, "TODO: {}", raw(&sec.prompt));
        }
    }
    out
}

/// The front matter for a new packet: the header, then every question as a `TODO:` placeholder.
pub fn front_matter(kind: &Kind, new: &NewPacket) -> String {
    let mut out = String::new();
    if let Some(schema) = &new.schema {
        let _ = writeln!(out, "# yaml-language-server: $schema={schema}");
    }
    let _ = writeln!(out, "id: {}", new.id);
    let _ = writeln!(out, "title: {}", scalar(&new.title));
    let _ = writeln!(out, "kind: {}", new.kind);
    let _ = writeln!(out, "from: {}", scalar(&new.from));
    let _ = writeln!(out, "to: {}", scalar(&new.to));
    let _ = writeln!(out, "day0: {}", new.day0);
    out.push_str("status: draft\n");
    let _ = writeln!(out, "kind_version: {}", kind.spec.version);
    fields(&mut out, &kind.spec.fields, 0, false);
    out.push_str("signoffs: []  # written by `handoff sign`, never by hand\n");
    out
}

/// The YAML lines `handoff new` writes for one question at `indent` columns, with `TODO:`
/// placeholders (for `handoff upgrade`).
pub fn field_yaml(field: &FieldSpec, indent: usize) -> String {
    let mut out = String::new();
    fields(&mut out, std::slice::from_ref(field), indent, false);
    out
}

fn fields(out: &mut String, specs: &[FieldSpec], indent: usize, in_list: bool) {
    for (i, f) in specs.iter().enumerate() {
        let pad = if in_list && i == 0 {
            format!("{}- ", " ".repeat(indent - 2))
        } else {
            " ".repeat(indent)
        };
        if indent == 0 {
            let _ = writeln!(out, "# {}", f.title());
        }
        match f.ty {
            // An optional list starts empty: a placeholder item would itself ask to be answered.
            FieldType::List if !f.required => {
                let _ = writeln!(out, "{pad}{}: []  # optional: {}", f.key, f.prompt);
            }
            // An optional mapping is shown commented out, filled with its examples, to be
            // taken up by removing the `#`s (a KPI series and its query, say).
            FieldType::Map if !f.required && indent > 0 => {
                let _ = writeln!(out, "{pad}# {}:  # optional: {}", f.key, f.prompt);
                for sub in &f.fields {
                    if let Some(example) = sub.example.as_deref() {
                        let _ = writeln!(
                            out,
                            "{}#   {}: {}",
                            " ".repeat(indent),
                            sub.key,
                            scalar(example)
                        );
                    }
                }
            }
            FieldType::Map => {
                let _ = writeln!(out, "{pad}{}:", f.key);
                fields(out, &f.fields, indent + 2, false);
            }
            FieldType::List if !f.fields.is_empty() => {
                let _ = writeln!(out, "{pad}{}:", f.key);
                fields(out, &f.fields, indent + 4, true);
            }
            FieldType::List => {
                let _ = writeln!(out, "{pad}{}:", f.key);
                let _ = writeln!(out, "{}  - {}", " ".repeat(indent), todo(f));
            }
            FieldType::File => {
                let value = f.default.as_deref().map_or_else(|| todo(f), scalar);
                let _ = writeln!(out, "{pad}{}: {value}", f.key);
            }
            _ => {
                let _ = writeln!(out, "{pad}{}: {}", f.key, todo(f));
            }
        }
    }
}

fn todo(f: &FieldSpec) -> String {
    scalar(&format!("TODO: {}", f.prompt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_quote_what_yaml_would_misread() {
        assert_eq!(scalar("growth"), "growth");
        assert_eq!(scalar("lifecycle ops"), "lifecycle ops");
        assert_eq!(scalar("TODO: who?"), "\"TODO: who?\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("1.5"), "\"1.5\"");
        assert_eq!(scalar("a \"b\""), "\"a \\\"b\\\"\"");
    }
}
