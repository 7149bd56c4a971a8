//! Kinds: what each kind of handoff must contain, and the templates `handoff new` scaffolds from.
//!
//! Kinds are data. The built-in ones are embedded from `templates/kinds/`; a repo adds or overrides
//! kinds in `.handoff/kinds/<kind>/`.

pub mod compare;
pub mod scaffold;
pub mod signed;
pub mod spec;
pub mod upgrade;

use crate::facts::packet::source::SourceFile;
use crate::facts::packet::yaml;
pub use spec::{FieldSpec, FieldType, KindSpec, Milestone, RoleSpec, SectionSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a kind came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped inside the binary.
    BuiltIn,
    /// A repo's `.handoff/kinds/<kind>/` folder.
    Repo(PathBuf),
}

/// A kind: its requirements and its scaffold templates.
#[derive(Debug, Clone)]
pub struct Kind {
    /// The parsed `kind.yaml`.
    pub spec: KindSpec,
    /// Scaffold templates: file name (ending in `.j2`) and text.
    pub templates: Vec<(String, String)>,
    /// Where it came from.
    pub origin: Origin,
    /// What a packet of this kind is told about the kind itself (it shadows a built-in kind
    /// and asks less; it is new or weakened in the change under review).
    pub caveats: Vec<Caveat>,
    /// [`signed::digest`] of the spec, worked out once for all the packets checked.
    pub requirements: std::sync::OnceLock<String>,
}

impl Kind {
    /// The digest of what the kind requires (see [`signed::digest`]).
    pub fn requirements_digest(&self) -> &str {
        self.requirements.get_or_init(|| signed::digest(&self.spec))
    }
}

/// Something about a kind that its packets' checks report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caveat {
    /// Which.
    pub what: CaveatKind,
    /// In words, naming the kind and what it asks less.
    pub message: String,
}

/// The caveats a kind can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaveatKind {
    /// A repo kind named like a built-in one asks less than the built-in.
    ShadowsWeaker,
    /// The kind is new in the change under review (`check --base`).
    NewInChange,
    /// The change under review weakened the kind; it is judged as at the base.
    WeakenedInChange,
}

/// A repo kind named like a built-in one, and what it asks less than the built-in.
#[derive(Debug, Clone)]
pub struct Shadow {
    /// The kind's name.
    pub name: String,
    /// Its `kind.yaml`.
    pub file: PathBuf,
    /// What it asks less (empty: at least as much).
    pub less: Vec<String>,
}

/// A kind file that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", crate::support::paths::shown(.file))]
pub struct KindError {
    /// The file.
    pub file: PathBuf,
    /// What is wrong, with the line when known.
    #[source]
    pub problem: KindProblem,
}

/// What is wrong with a kind file.
#[derive(Debug, thiserror::Error)]
pub enum KindProblem {
    /// The kind file could not be read (or lies outside the repository).
    #[error("cannot read the kind file: {0}")]
    Unreadable(#[source] crate::support::inside::Refused),
    /// A template of the kind could not be read.
    #[error("cannot read the template: {0}")]
    Template(#[source] crate::support::inside::Refused),
    /// A built-in kind compiled at build time does not read back.
    #[error("{0}")]
    Compiled(#[source] serde_json::Error),
    /// The file is not YAML.
    #[error("line {line}: {message} ({help})")]
    Yaml {
        /// The line.
        line: usize,
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
    /// A `- use:` that names no shared question, or is written wrong.
    #[error("{0}")]
    Uses(String),
    /// A setting has the wrong shape.
    #[error("{0}")]
    Spec(#[source] yaml::de::DeError),
    /// The kind's name is not its folder's.
    #[error("the kind is named `{name}` but its folder is `{folder}`; make them match")]
    Misnamed {
        /// The name in the file.
        name: String,
        /// The folder's name.
        folder: String,
    },
    /// A day outside the range days may take.
    #[error("{what} is on day {day}; days run from -{MAX_DAYS} to +{MAX_DAYS} around day 0")]
    DayOutOfRange {
        /// What is on that day.
        what: String,
        /// The day.
        day: i64,
    },
    /// An answer path that names no question.
    #[error("{0}")]
    NoSuchPath(String),
}

macro_rules! builtin_kind {
    ($name:literal, [$($file:literal),*]) => {
        (
            $name,
            &[$(($file, include_str!(concat!("../../../templates/kinds/", $name, "/", $file)))),*] as &[(&str, &str)],
        )
    };
}

/// The kinds shipped in the binary, with their files.
pub static BUILTIN: &[(&str, &[(&str, &str)])] = &[
    builtin_kind!("gtm-play", ["kind.yaml", "handoff.md.j2", "runbook.md.j2"]),
    builtin_kind!("sales-routing", ["kind.yaml", "handoff.md.j2"]),
    builtin_kind!("release", ["kind.yaml", "handoff.md.j2", "runbook.md.j2"]),
    builtin_kind!("generic", ["kind.yaml", "handoff.md.j2"]),
    builtin_kind!("campaign-brief", ["kind.yaml", "handoff.md.j2"]),
    builtin_kind!("creative-brief", ["kind.yaml", "handoff.md.j2"]),
    builtin_kind!("campaign-tracking", ["kind.yaml", "handoff.md.j2"]),
];

/// Every kind available in a repo, by name. A built-in kind is parsed the first time it is
/// asked for, so a run that checks one packet reads one kind.
#[derive(Debug, Clone, Default)]
pub struct Kinds {
    kinds: BTreeMap<String, Slot>,
    shadows: Vec<Shadow>,
}

/// A kind, or a built-in one still to be parsed.
#[derive(Debug, Clone)]
enum Slot {
    Ready(Box<Kind>),
    BuiltIn(&'static str, std::sync::OnceLock<Box<Kind>>),
}

impl Slot {
    fn kind(&self) -> &Kind {
        match self {
            Slot::Ready(k) => k,
            Slot::BuiltIn(name, cell) => cell.get_or_init(|| {
                // The built-in kinds are part of the binary and tested to parse
                // (`builtin_kinds_parse`); a failure here is a bug in this build.
                Box::new(builtin(name).unwrap_or_else(|e| panic!("built-in kind {name}: {e}")))
            }),
        }
    }
}

/// The built-in kinds' `kind.yaml`, compiled to JSON by build.rs.
mod compiled {
    include!(concat!(env!("OUT_DIR"), "/compiled_kinds.rs"));
}

/// Parse a built-in kind.
fn builtin(name: &str) -> Result<Kind, KindError> {
    let files = BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_default();
    let mut templates = Vec::new();
    let mut spec_text = "";
    for (file, text) in files.iter() {
        if *file == "kind.yaml" {
            spec_text = text;
        } else {
            templates.push((file.to_string(), text.to_string()));
        }
    }
    let path = PathBuf::from(format!("<built-in>/kinds/{name}/kind.yaml"));
    // Compiled to JSON at build time (see build.rs), which reads faster than the YAML; both say
    // the same (`builtin_kinds_compile_to_what_their_yaml_says`).
    let spec = match compiled::COMPILED.iter().find(|(n, _)| *n == name) {
        Some((_, json)) => serde_json::from_str(json).map_err(|e| KindError {
            file: path.clone(),
            problem: KindProblem::Compiled(e),
        })?,
        None => parse_spec(&path, spec_text.to_string(), name)?,
    };
    Ok(Kind {
        spec,
        templates,
        origin: Origin::BuiltIn,
        caveats: Vec::new(),
        requirements: Default::default(),
    })
}

impl Kinds {
    /// The built-in kinds, then the repo's `.handoff/kinds/*` over them.
    pub fn load(repo_root: Option<&Path>) -> Result<Kinds, KindError> {
        let mut kinds = BTreeMap::new();
        let mut shadows = Vec::new();
        for (name, _) in BUILTIN {
            kinds.insert(
                name.to_string(),
                Slot::BuiltIn(name, std::sync::OnceLock::new()),
            );
        }
        if let Some(root) = repo_root {
            let dir = root.join(".handoff").join("kinds");
            if let Ok(entries) = std::fs::read_dir(&dir) {
                let mut dirs: Vec<_> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect();
                dirs.sort();
                for kind_dir in dirs {
                    let mut kind = load_repo_kind(root, &kind_dir, &kinds)?;
                    if let Some(less) = shadowed(&kind) {
                        if !less.is_empty() {
                            kind.caveats.push(Caveat {
                                what: CaveatKind::ShadowsWeaker,
                                message: format!(
                                    "the repo's kind `{}` ({}) replaces the built-in kind of that name and asks less: it {}",
                                    kind.spec.name,
                                    crate::support::paths::shown(&kind_dir.join("kind.yaml")),
                                    less.join("; ")
                                ),
                            });
                        }
                        shadows.push(Shadow {
                            name: kind.spec.name.clone(),
                            file: kind_dir.join("kind.yaml"),
                            less,
                        });
                    }
                    kinds.insert(kind.spec.name.clone(), Slot::Ready(Box::new(kind)));
                }
            }
        }
        Ok(Kinds { kinds, shadows })
    }

    /// The repo kinds named like a built-in kind, each with what it asks less than the built-in.
    pub fn shadows(&self) -> &[Shadow] {
        &self.shadows
    }

    /// Put `kind` in place of the kind of its name (or add it).
    pub fn put(&mut self, kind: Kind) {
        self.kinds
            .insert(kind.spec.name.clone(), Slot::Ready(Box::new(kind)));
    }

    /// The kind with this name.
    pub fn get(&self, name: &str) -> Option<&Kind> {
        self.kinds.get(name).map(Slot::kind)
    }

    /// Every kind, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Kind> {
        self.kinds.values().map(Slot::kind)
    }

    /// Every kind name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.kinds.keys().map(String::as_str).collect()
    }

    /// `did you mean `x`? known kinds: …` for a name that is not a kind.
    pub fn hint(&self, name: &str) -> String {
        let names = self.names();
        let guess = crate::support::suggest::did_you_mean(name, names.iter().copied())
            .map(|s| format!("did you mean `{s}`? "));
        format!(
            "{}known kinds: {}",
            guess.unwrap_or_default(),
            names.join(", ")
        )
    }
}

fn load_repo_kind(
    root: &Path,
    dir: &Path,
    existing: &BTreeMap<String, Slot>,
) -> Result<Kind, KindError> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let spec_path = dir.join("kind.yaml");
    let text =
        crate::support::inside::read_text(&spec_path, root, crate::support::inside::MAX_BYTES)
            .map_err(|e| KindError {
                file: spec_path.clone(),
                problem: KindProblem::Unreadable(e),
            })?;
    let spec = parse_spec(&spec_path, text, &name)?;
    // Templates the folder does not provide come from the built-in kind of the same name, or from
    // the generic kind, so an override may change only what it needs to.
    // Only the templates are needed: taken from the built-in files without parsing the kind.
    let templates_of = |slot: &Slot| -> Vec<(String, String)> {
        match slot {
            Slot::Ready(k) => k.templates.clone(),
            Slot::BuiltIn(n, _) => BUILTIN
                .iter()
                .find(|(b, _)| b == n)
                .map(|(_, files)| {
                    files
                        .iter()
                        .filter(|(f, _)| *f != "kind.yaml")
                        .map(|(f, t)| (f.to_string(), t.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    };
    let fallback = existing
        .get(&name)
        .or_else(|| existing.get("generic"))
        .map(templates_of)
        .unwrap_or_default();
    let mut templates: Vec<(String, String)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if file.ends_with(".j2") {
                let text = crate::support::inside::read_text(
                    &path,
                    root,
                    crate::support::inside::MAX_BYTES,
                )
                .map_err(|e| KindError {
                    file: path.clone(),
                    problem: KindProblem::Template(e),
                })?;
                templates.push((file.to_string(), text));
            }
        }
    }
    if !templates.iter().any(|(f, _)| f == "handoff.md.j2") {
        // A new kind with no template of its own gets a body made from its own sections, so
        // that every placeholder `handoff new` writes is one its checks will ask about.
        match existing.get(&name) {
            Some(_) => templates.extend(fallback.into_iter().filter(|(f, _)| f == "handoff.md.j2")),
            None => templates.push(("handoff.md.j2".to_string(), scaffold::body_template(&spec))),
        }
    }
    Ok(Kind {
        spec,
        templates,
        origin: Origin::Repo(dir.to_path_buf()),
        caveats: Vec::new(),
        requirements: Default::default(),
    })
}

/// The spec of the built-in kind `name`, when there is one.
pub fn builtin_spec(name: &str) -> Option<KindSpec> {
    BUILTIN.iter().find(|(n, _)| *n == name)?;
    builtin(name).ok().map(|k| k.spec)
}

/// For a repo kind named like a built-in one: what it asks less than the built-in.
fn shadowed(kind: &Kind) -> Option<Vec<String>> {
    let name = kind.spec.name.as_str();
    BUILTIN.iter().find(|(n, _)| *n == name)?;
    let builtin = builtin(name).ok()?;
    Some(compare::asks_less(&builtin.spec, &kind.spec))
}

/// Parse a `kind.yaml` text into its spec.
pub fn parse_spec(path: &Path, text: String, folder_name: &str) -> Result<KindSpec, KindError> {
    let file = SourceFile::new(path, text);
    let node = yaml::parse(&file, 0, file.text.len(), 1).map_err(|e| KindError {
        file: path.to_path_buf(),
        problem: KindProblem::Yaml {
            line: e.pos.line,
            message: e.message,
            help: e.help,
        },
    })?;
    let mut node = node;
    expand_uses(&mut node).map_err(|message| KindError {
        file: path.to_path_buf(),
        problem: KindProblem::Uses(message),
    })?;
    // Read straight from the tree: every error names the line of the value it is about.
    let spec: KindSpec = yaml::de::from_node(&node).map_err(|e| KindError {
        file: path.to_path_buf(),
        problem: KindProblem::Spec(e),
    })?;
    if spec.name != folder_name {
        return Err(KindError {
            file: path.to_path_buf(),
            problem: KindProblem::Misnamed {
                name: spec.name.to_string(),
                folder: folder_name.to_string(),
            },
        });
    }
    validate(&spec, path)?;
    Ok(spec)
}

/// What every kind must satisfy however it was read (a `kind.yaml`, or a signed-under copy):
/// days within [`MAX_DAYS`] of day 0, and answer paths that exist.
pub fn validate(spec: &KindSpec, path: &Path) -> Result<(), KindError> {
    let kpi_days = spec.kpi.iter().flat_map(|k| {
        [
            ("kpi.window".to_string(), i64::from(k.window)),
            ("kpi.breach_days".to_string(), i64::from(k.breach_days)),
        ]
    });
    let days = spec
        .timeline
        .iter()
        .map(|m| (format!("milestone `{}`", m.title), m.day))
        .chain([
            ("gates.ready".to_string(), spec.gates.ready),
            ("gates.handed-off".to_string(), spec.gates.handed_off),
            ("gates.signed-off".to_string(), spec.gates.signed_off),
        ])
        .chain(kpi_days);
    for (what, day) in days {
        if day.unsigned_abs() > MAX_DAYS.unsigned_abs() {
            return Err(KindError {
                file: path.to_path_buf(),
                problem: KindProblem::DayOutOfRange { what, day },
            });
        }
    }
    if let Some(problem) = unresolved_path(spec) {
        return Err(KindError {
            file: path.to_path_buf(),
            problem: KindProblem::NoSuchPath(problem),
        });
    }
    Ok(())
}

/// The questions kinds share (`templates/kinds/common-fields.yaml`), by key.
static COMMON_FIELDS: &str = include_str!("../../../templates/kinds/common-fields.yaml");

fn common_fields() -> &'static BTreeMap<String, yaml::Node> {
    static FIELDS: std::sync::OnceLock<BTreeMap<String, yaml::Node>> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        let file = SourceFile::new("common-fields.yaml", COMMON_FIELDS.to_string());
        let Ok(tree) = yaml::parse(&file, 0, file.text.len(), 1) else {
            return BTreeMap::new();
        };
        tree.get("fields")
            .and_then(yaml::Node::items)
            .into_iter()
            .flatten()
            .filter_map(|f| Some((f.get("key")?.as_str()?.to_string(), f.clone())))
            .collect()
    })
}

/// Replace each `- use: <key>` in the top-level field list with the shared question of that key,
/// keeping any other setting written next to it (`since: 2`).
fn expand_uses(tree: &mut yaml::Node) -> Result<(), String> {
    let Some(fields) = tree.value_mut("fields") else {
        return Ok(());
    };
    let yaml::Value::Seq(fields) = &mut fields.value else {
        return Ok(());
    };
    for field in fields.iter_mut() {
        let yaml::Value::Map(own) = &mut field.value else {
            continue;
        };
        let Some(at) = own.iter().position(|e| e.key == "use") else {
            continue;
        };
        let used = own.remove(at);
        let name = used.value.as_str().unwrap_or_default();
        let Some(yaml::Value::Map(shared)) = common_fields().get(name).map(|n| &n.value) else {
            let known: Vec<&str> = common_fields().keys().map(String::as_str).collect();
            return Err(format!(
                "line {}: `use: {name}` names no shared question; the shared ones are: {}",
                used.key_pos.line,
                known.join(", ")
            ));
        };
        // The shared settings, each overridden by one written beside `use:`.
        let mut merged: Vec<yaml::Entry> = shared
            .iter()
            .filter(|e| !own.iter().any(|o| o.key == e.key))
            .cloned()
            .collect();
        merged.append(own);
        *own = merged;
    }
    Ok(())
}

/// The first answer path the kind names (in `questions`, `criteria_from`, `decision`, a role's
/// `when` or a table's `covers`) that is not one of its questions, as a message.
fn unresolved_path(spec: &KindSpec) -> Option<String> {
    let mut named: Vec<(String, &str)> = Vec::new();
    if let Some(q) = &spec.questions {
        for (name, path) in q.pairs() {
            named.push((format!("questions.{name}"), path));
        }
    }
    for d in &spec.criteria_from {
        named.push(("criteria_from".into(), &d.field));
    }
    for d in &spec.decision {
        named.push(("decision".into(), d));
    }
    for r in &spec.roles {
        if let Some(c) = &r.when {
            named.push((format!("role `{}`'s when", r.name), &c.field));
        }
    }
    for s in &spec.sections {
        if let Some(c) = s.table.shape().and_then(|t| t.covers.as_ref()) {
            named.push((format!("section `{}`'s covers", s.title), &c.field));
        }
    }
    let bad = named.into_iter().find(|(_, p)| spec.field_at(p).is_none());
    if let Some((what, path)) = bad {
        return Some(format!(
            "{what} names `{path}`, which is not one of the kind's questions; the paths are: {}",
            spec.paths().join(", ")
        ));
    }
    fn expect_outside(fields: &[FieldSpec]) -> Option<&FieldSpec> {
        fields.iter().find_map(|f| {
            let outside = f.expect.as_ref().is_some_and(|e| {
                !f.one_of.is_empty() && !f.one_of.iter().any(|o| o.eq_ignore_ascii_case(e))
            });
            if outside {
                Some(f)
            } else {
                expect_outside(&f.fields)
            }
        })
    }
    expect_outside(&spec.fields).map(|f| {
        format!(
            "`{}` expects `{}`, which is not one of its choices ({})",
            f.key,
            f.expect.as_deref().unwrap_or_default(),
            f.one_of.join(", ")
        )
    })
}

/// How far from day 0 a kind's milestones and gates may lie (ten years).
pub const MAX_DAYS: i64 = 3660;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_builtin_value_is_cut_by_a_yaml_comment() {
        fn walk(node: &yaml::Node, file: &SourceFile, bad: &mut Vec<String>) {
            match &node.value {
                yaml::Value::Map(entries) => entries.iter().for_each(|e| walk(&e.value, file, bad)),
                yaml::Value::Seq(items) => items.iter().for_each(|i| walk(i, file, bad)),
                yaml::Value::Str(s) if node.plain => {
                    let rest = file.text[node.end..].split('\n').next().unwrap_or("");
                    if rest.trim_start().starts_with('#') && !rest.trim_start().starts_with("# ") {
                        bad.push(format!("{s}{rest}"));
                    }
                }
                _ => {}
            }
        }
        let shared = [("common-fields", COMMON_FIELDS)];
        let kinds = BUILTIN.iter().map(|(name, files)| {
            (
                *name,
                files.iter().find(|(f, _)| *f == "kind.yaml").unwrap().1,
            )
        });
        for (name, text) in kinds.chain(shared) {
            let file = SourceFile::new(name, text.to_string());
            let node = yaml::parse(&file, 0, file.text.len(), 1).unwrap();
            let mut bad = Vec::new();
            walk(&node, &file, &mut bad);
            assert!(bad.is_empty(), "{name}: {bad:?}");
        }
    }

    #[test]
    fn builtin_kinds_compile_to_what_their_yaml_says() {
        let compiled: Vec<&str> = compiled::COMPILED.iter().map(|(n, _)| *n).collect();
        let shipped: Vec<&str> = {
            let mut names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            names.sort();
            names
        };
        assert_eq!(compiled, shipped, "build.rs compiles every built-in kind");
        for (name, files) in BUILTIN {
            let yaml = files
                .iter()
                .find(|(f, _)| *f == "kind.yaml")
                .map(|(_, t)| t.to_string())
                .unwrap();
            let path = PathBuf::from(format!("{name}/kind.yaml"));
            let from_yaml = parse_spec(&path, yaml, name).unwrap();
            let from_json = builtin(name).unwrap().spec;
            assert_eq!(
                serde_json::to_value(&from_json).unwrap(),
                serde_json::to_value(&from_yaml).unwrap(),
                "{name}"
            );
            // Not trivially equal: every kind says something, and shares questions.
            assert!(!from_json.fields.is_empty(), "{name}");
        }
    }

    #[test]
    fn builtin_kinds_parse() {
        let kinds = Kinds::load(None).unwrap();
        assert_eq!(
            kinds.names(),
            [
                "campaign-brief",
                "campaign-tracking",
                "creative-brief",
                "generic",
                "gtm-play",
                "release",
                "sales-routing"
            ]
        );
        for kind in kinds.iter() {
            assert!(
                kind.spec.questions.is_some(),
                "{} maps the five questions",
                kind.spec.name
            );
            assert!(!kind.spec.roles.is_empty(), "{} has roles", kind.spec.name);
            assert!(
                !kind.spec.timeline.is_empty(),
                "{} has a timeline",
                kind.spec.name
            );
            assert!(kind.templates.iter().any(|(f, _)| f == "handoff.md.j2"));
        }
    }
}
