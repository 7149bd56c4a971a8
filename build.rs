//! Compiles the built-in kinds (`templates/kinds/*/kind.yaml`) to JSON at build time, shared
//! questions (`use:`) already filled in from `common-fields.yaml`, so that a run reads its kind
//! with one `serde_json` pass instead of parsing YAML. The YAML stays the one source: a unit test
//! (`builtin_kinds_compile_to_what_their_yaml_says`) holds the JSON to what the runtime parser
//! reads from the same files.
//!
//! The reading matches the runtime parser's: a plain `true`, `false` or integer is that value; a
//! plain empty value, `~` or `null` is null; every other scalar is text.

use saphyr_parser::{Event, Parser, ScalarStyle};
use std::fmt::Write as _;
use std::path::Path;

enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Json>),
    Map(Vec<(String, Json)>),
}

fn main() {
    let kinds = Path::new("templates/kinds");
    println!("cargo:rerun-if-changed=templates/kinds");
    let common = read(&kinds.join("common-fields.yaml"));
    let shared: Vec<(String, Json)> = match field(common, "fields") {
        Some(Json::Seq(fields)) => fields
            .into_iter()
            .filter_map(|f| match &f {
                Json::Map(entries) => match entries.iter().find(|(k, _)| k == "key") {
                    Some((_, Json::Str(key))) => Some((key.clone(), f)),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        _ => panic!("common-fields.yaml: no `fields` list"),
    };
    let mut names: Vec<String> = std::fs::read_dir(kinds)
        .expect("templates/kinds")
        .flatten()
        .filter(|e| e.path().join("kind.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = String::from("/// The built-in kinds' specs as JSON, by name (see build.rs).\n");
    out.push_str("pub(super) static COMPILED: &[(&str, &str)] = &[\n");
    for name in names {
        let mut spec = read(&kinds.join(&name).join("kind.yaml"));
        expand_uses(&mut spec, &shared, &name);
        let mut json = String::new();
        write_json(&mut json, &spec);
        let _ = writeln!(out, "    ({name:?}, {json:?}),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("compiled_kinds.rs");
    std::fs::write(dest, out).expect("write compiled_kinds.rs");
}

fn read(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut stack: Vec<(Json, Option<String>)> = Vec::new();
    let mut root = None;
    for event in Parser::new_from_str(&text) {
        let (event, span) = event.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value = match event {
            Event::Scalar(text, style, _, _) => {
                let plain = style == ScalarStyle::Plain;
                let text = text.into_owned();
                match text.as_str() {
                    "" | "~" | "null" | "Null" | "NULL" if plain => Json::Null,
                    "true" if plain => Json::Bool(true),
                    "false" if plain => Json::Bool(false),
                    t if plain && t.parse::<i64>().is_ok() => Json::Int(t.parse().unwrap_or(0)),
                    _ => Json::Str(text),
                }
            }
            Event::SequenceStart(..) => {
                stack.push((Json::Seq(Vec::new()), None));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push((Json::Map(Vec::new()), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some((done, _)) => done,
                None => panic!("{}: unbalanced YAML", path.display()),
            },
            Event::Alias(_) => panic!(
                "{}:{}: a built-in kind uses no aliases",
                path.display(),
                span.start.line()
            ),
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(value),
            Some((Json::Seq(items), _)) => items.push(value),
            Some((Json::Map(entries), key)) => match key.take() {
                None => match value {
                    Json::Str(k) => *key = Some(k),
                    Json::Int(n) => *key = Some(n.to_string()),
                    Json::Bool(b) => *key = Some(b.to_string()),
                    _ => panic!("{}: a key that is not text", path.display()),
                },
                Some(k) => entries.push((k, value)),
            },
            Some(_) => unreachable!("only collections are stacked"),
        }
    }
    root.unwrap_or_else(|| panic!("{}: empty", path.display()))
}

fn field(value: Json, key: &str) -> Option<Json> {
    match value {
        Json::Map(entries) => entries.into_iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// As the runtime does: each `- use: <key>` in `fields` becomes the shared question of that key,
/// with the settings written beside `use:` over it.
fn expand_uses(spec: &mut Json, shared: &[(String, Json)], kind: &str) {
    let Json::Map(entries) = spec else { return };
    let Some((_, Json::Seq(fields))) = entries.iter_mut().find(|(k, _)| k == "fields") else {
        return;
    };
    for f in fields.iter_mut() {
        let Json::Map(own) = f else { continue };
        let Some(at) = own.iter().position(|(k, _)| k == "use") else {
            continue;
        };
        let name = match own.remove(at).1 {
            Json::Str(name) => name,
            _ => panic!("{kind}: `use:` names no shared question"),
        };
        let Some((_, Json::Map(common))) = shared.iter().find(|(k, _)| *k == name) else {
            panic!("{kind}: `use: {name}` names no shared question");
        };
        let mut merged: Vec<(String, Json)> = common
            .iter()
            .filter(|(k, _)| !own.iter().any(|(o, _)| o == k))
            .map(|(k, v)| (k.clone(), copy(v)))
            .collect();
        merged.append(own);
        *own = merged;
    }
}

fn copy(value: &Json) -> Json {
    match value {
        Json::Null => Json::Null,
        Json::Bool(b) => Json::Bool(*b),
        Json::Int(n) => Json::Int(*n),
        Json::Str(s) => Json::Str(s.clone()),
        Json::Seq(items) => Json::Seq(items.iter().map(copy).collect()),
        Json::Map(entries) => {
            Json::Map(entries.iter().map(|(k, v)| (k.clone(), copy(v))).collect())
        }
    }
}

fn write_json(out: &mut String, value: &Json) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Json::Str(s) => write_str(out, s),
        Json::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Json::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
