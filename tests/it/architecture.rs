//! The layers keep their arrows one way: among the modules of one folder (the crate's top level,
//! or any folder below it), no module refers to another that, directly or through others,
//! refers back to it. References are read from the source (`crate::…`, `super::…`, `use`
//! groups), tests and comments aside; a child's use of its own folder is not an arrow between
//! siblings.
//!
//! `KNOWN` lists circles allowed to remain (none today): the check fails on any other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Circles allowed to remain, by folder (`""` is the crate's top level) and members: none. A
/// refactor that cannot avoid one for a while lists it here, and ARCHITECTURE.md says why.
const KNOWN: &[(&str, &[&str])] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file and its module path (`packet::files`; the crate root is `[]`).
fn modules() -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src()).expect("inside src");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).expect("source");
            out.push((parts, code_of(&text)));
        }
    }
    out
}

/// The text without its test module and comments.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("//") { "" } else { l }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// The first segments (`config::Config`, `kind`; up to [`DEPTH`]) of the items of a `{…}` group
/// starting at `s` (just after `{`).
fn group_heads(s: &str) -> Vec<Vec<String>> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_item = true;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item = true,
            c if at_item && depth == 0 && !c.is_whitespace() => {
                if let Some(id) = ident_at(&s[i..]) {
                    let mut head = vec![id.to_string()];
                    let mut at = i + id.len();
                    while head.len() < DEPTH
                        && let Some(next) = s[at..].strip_prefix("::")
                        && let Some(more) = ident_at(next)
                    {
                        head.push(more.to_string());
                        at += 2 + more.len();
                    }
                    heads.push(head);
                }
                at_item = false;
            }
            _ => {}
        }
    }
    heads
}

/// How many segments of a path are read: enough for the folders three levels down.
const DEPTH: usize = 4;

/// The absolute module paths (first [`DEPTH`] segments) a file at `module` refers to.
fn references(module: &[String], code: &str) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let mut add = |base: Vec<String>, rest: &str| {
        let mut rest = rest;
        let mut path = base;
        loop {
            if let Some(r) = rest.strip_prefix('{') {
                for head in group_heads(r) {
                    let mut p = path.clone();
                    p.extend(head.into_iter().filter(|h| h != "self"));
                    out.insert(p.into_iter().take(DEPTH).collect());
                }
                return;
            }
            match ident_at(rest) {
                Some(id) if id.chars().next().is_some_and(|c| c.is_ascii_lowercase()) => {
                    path.push(id.to_string());
                    rest = &rest[id.len()..];
                    match rest.strip_prefix("::") {
                        Some(r) if path.len() < DEPTH => rest = r,
                        _ => break,
                    }
                }
                _ => break,
            }
        }
        out.insert(path.into_iter().take(DEPTH).collect());
    };
    for (i, _) in code.match_indices("crate::") {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        add(Vec::new(), &code[i + "crate::".len()..]);
    }
    for (i, _) in code.match_indices("super::") {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        // `super` is the parent of the module the file is (a folder's mod.rs is the folder).
        let mut rest = &code[i..];
        let mut base = module.to_vec();
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            base.pop();
        }
        add(base, rest);
    }
    out
}

/// Circles among the children of each folder: folder → list of circles (sorted member names).
fn circles() -> BTreeMap<String, Vec<Vec<String>>> {
    let files = modules();
    let folders: BTreeSet<Vec<String>> = files
        .iter()
        .filter(|(m, _)| {
            files
                .iter()
                .any(|(o, _)| o.len() > m.len() && o.starts_with(m))
        })
        .map(|(m, _)| m.clone())
        .collect();
    let mut found = BTreeMap::new();
    for folder in &folders {
        let depth = folder.len();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, code) in &files {
            if module.len() <= depth || !module.starts_with(folder) {
                continue;
            }
            let from = module[depth].clone();
            for absolute in references(module, code) {
                if absolute.len() > depth && absolute.starts_with(folder) && absolute[depth] != from
                {
                    edges
                        .entry(from.clone())
                        .or_default()
                        .insert(absolute[depth].clone());
                }
            }
        }
        let sccs = strongly_connected(&edges);
        if !sccs.is_empty() {
            found.insert(folder.join("::"), sccs);
        }
    }
    found
}

/// Tarjan's strongly connected components of more than one member, each sorted.
fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        let targets: Vec<&'a str> = s
            .edges
            .get(v)
            .map(|t| t.iter().map(String::as_str).collect())
            .unwrap_or_default();
        for w in targets {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(lw));
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v.as_str());
        }
    }
    s.out
}

#[test]
fn no_import_circle_among_the_modules_of_any_folder() {
    let found = circles();
    let mut new = Vec::new();
    for (folder, sccs) in &found {
        for scc in sccs {
            let known = KNOWN.iter().any(|(f, members)| {
                f == folder && scc.iter().all(|m| members.contains(&m.as_str()))
            });
            if !known {
                new.push(format!("in `{folder}`: {}", scc.join(" ↔ ")));
            }
        }
    }
    assert!(
        new.is_empty(),
        "import circles (arrows must point one way; see ARCHITECTURE.md):\n{}",
        new.join("\n")
    );
}

#[test]
fn the_check_sees_a_circle() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(strongly_connected(&edges), vec![vec!["a", "b"]]);
    // And reads references the way Rust resolves them.
    let refs = references(
        &["packet".into(), "files".into()],
        "use super::{git_index::Tracked, tree};\nlet x = crate::report::human::write();\nuse crate::{config::Config, kind};",
    );
    let refs: Vec<String> = refs.iter().map(|r| r.join("::")).collect();
    assert_eq!(
        refs,
        [
            "config::Config",
            "kind",
            "packet::git_index::Tracked",
            "packet::tree",
            "report::human::write"
        ]
    );
}

#[test]
fn architecture_md_places_every_top_level_module() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let layers = &doc[doc.find("## The layers").expect("a layers section")..];
    // The layers' folders and what each holds.
    let mut missing: Vec<String> = modules()
        .into_iter()
        .filter(|(m, _)| {
            m.len() == 1
                || m.len() == 2
                    && ["facts", "judgement", "output", "support"].contains(&m[0].as_str())
        })
        .map(|(m, _)| m[m.len() - 1].clone())
        .filter(|name| {
            !layers
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| w == name)
        })
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not place: {missing:?}"
    );
}

#[test]
fn git_is_started_only_through_facts_git() {
    // Test code sets up its repositories with git directly; the tool itself has one door.
    let outside: Vec<String> = modules()
        .into_iter()
        .filter(|(path, code)| {
            path != &["facts", "git"]
                && path.last().is_none_or(|m| m != "rule_cases")
                && code.contains("Command::new(\"git\")")
        })
        .map(|(path, _)| path.join("::"))
        .collect();
    assert!(
        outside.is_empty(),
        "git started outside facts::git (use facts::git::command): {outside:?}"
    );
    // The check can fail: facts::git itself starts it.
    assert!(
        modules()
            .iter()
            .any(|(path, code)| path == &["facts", "git"] && code.contains("Command::new(\"git\")"))
    );
}

/// Every function in `text` (test code aside) with its name and length in lines, from the line of
/// its `fn` to the line of its closing brace. Braces inside strings and chars are skipped well
/// enough for this crate's source (no raw strings holding braces in the command layer).
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let t = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub(super) "))
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        let t = t.strip_prefix("async ").unwrap_or(t);
        let Some(rest) = t.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // Find the body's opening brace, then its match.
        let mut depth = 0i32;
        let mut opened = false;
        let mut end = None;
        'scan: for (j, l) in lines.iter().enumerate().skip(i) {
            let mut in_str = false;
            let mut prev = ' ';
            for c in l.chars() {
                if in_str {
                    if c == '"' && prev != '\\' {
                        in_str = false;
                    }
                    prev = if prev == '\\' && c == '\\' { ' ' } else { c };
                    continue;
                }
                match c {
                    '"' => in_str = true,
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => {
                        depth -= 1;
                        if opened && depth == 0 {
                            end = Some(j);
                            break 'scan;
                        }
                    }
                    ';' if !opened && depth == 0 => break 'scan, // a declaration without a body
                    _ => {}
                }
                prev = c;
            }
            if l.trim_start().starts_with("//") {
                continue;
            }
        }
        if let Some(end) = end {
            out.push((name, end - i + 1));
        }
    }
    out
}

#[test]
fn no_command_function_is_over_sixty_lines() {
    // A command is a short pipeline: arguments → facts → judgement → output.
    let long: Vec<String> = modules()
        .into_iter()
        .filter(|(path, _)| path.first().is_some_and(|p| p == "commands"))
        .flat_map(|(path, code)| {
            function_lengths(&code)
                .into_iter()
                .filter(|(_, n)| *n > 60)
                .map(move |(name, n)| format!("{}::{name} ({n} lines)", path.join("::")))
        })
        .collect();
    assert!(
        long.is_empty(),
        "command functions over 60 lines: {long:#?}"
    );
    // The measure can fail.
    let body = (0..61).map(|_| "    x();\n").collect::<String>();
    assert_eq!(
        function_lengths(&format!("fn long() {{\n{body}}}\n")),
        vec![("long".to_string(), 63)]
    );
}
