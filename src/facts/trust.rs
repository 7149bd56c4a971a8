//! Trust read from the base: `check --base REF` judges sign-offs by who may sign and by the kinds
//! as they are at REF (the pull request's target), the way code-owner rules are read from the
//! target branch, not from the change under review.
//!
//! What the change itself does to trust is listed: a `[people]` entry bound, unbound or rebound,
//! a kind new or weakened. A sign-off that only a binding made in the change allows does not
//! count until the change has landed; a kind the change weakens is judged as at REF; a kind new in
//! the change is used, with a warning that it needs review.

use crate::facts::config::Holders;
use crate::facts::config::{FILE_NAME, People, Settings};
use crate::facts::error::Error;
use crate::facts::kind::{Caveat, CaveatKind, Kind, KindSpec, RoleSpec, compare};
use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The most kinds read from the base.
const MAX_KINDS: usize = 500;

/// What is read from the base commit.
#[derive(Debug)]
pub struct Base {
    /// The revision as given (`origin/main`, a commit).
    pub rev: String,
    /// Its commit, abbreviated, for messages.
    pub short: String,
    commit: String,
    /// `handoff.toml` at the base (defaults when it had none).
    pub settings: Settings,
    /// The repository's work tree top.
    top: PathBuf,
    /// What the change does to trust.
    pub changes: Vec<Change>,
    /// One reader of the base's files for the whole run.
    reader: std::sync::Mutex<Option<crate::facts::git::Batch>>,
}

/// One change to trust between the base and the work tree.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// The rule it falls under.
    pub rule: &'static str,
    /// The file changed, relative to the repository root.
    pub file: String,
    /// The line in the work tree's file (1 when it is about the whole file or the file is gone).
    pub line: usize,
    /// What changed, in words.
    pub message: String,
}

/// The rule of a rebinding in `[people]`.
pub const REBINDING: &str = "trust-rebinding";
/// The rule of a kind new or weakened in the change.
pub const KIND_CHANGED: &str = "trust-kind-changed";

impl Base {
    /// Who might sign `role` on `packet` as the base has it: the base's `[people]` entry, or the
    /// packet field of the role's `held_by` as the packet was at the base.
    pub fn holders(&self, packet: &Packet, role: &RoleSpec) -> Holders {
        if let Some(path) = &role.held_by {
            let at_base = self.packet_text(packet);
            return match at_base {
                Some(text) => {
                    let then = Packet::from_text(&packet.dir, &packet.dir, text);
                    Holders::Bound {
                        people: self.settings.people_at(&then, path),
                        source: format!("the packet's `{path}` at {}", self.rev),
                    }
                }
                None => Holders::Bound {
                    people: Vec::new(),
                    source: format!(
                        "the packet's `{path}`, which is new since {}: it names holders once it has landed",
                        self.rev
                    ),
                },
            };
        }
        match self.settings.people.get(&role.name) {
            Some(entry) => Holders::Bound {
                people: entry.all().to_vec(),
                source: format!("handoff.toml [people] {} at {}", role.name, self.rev),
            },
            None => Holders::Unbound,
        }
    }

    /// The packet's `handoff.md` as the base commit has it.
    fn packet_text(&self, packet: &Packet) -> Option<String> {
        let abs = crate::support::paths::absolute(&packet.dir);
        let rel = abs.strip_prefix(&self.top).ok()?;
        let rel = rel.to_str()?.replace('\\', "/");
        let name = format!(
            "{}:{rel}/{}",
            self.commit,
            crate::facts::packet::PACKET_FILE
        );
        let mut reader = self.reader.lock().ok()?;
        if reader.is_none() {
            *reader = crate::facts::git::Batch::open(&self.top).ok();
        }
        let object = reader
            .as_mut()?
            .get(&name, crate::facts::packet::MAX_FILE_BYTES);
        match object {
            Ok(crate::facts::git::Object::Bytes(b)) => String::from_utf8(b).ok(),
            Ok(_) => None,
            Err(_) => {
                // A reader that failed once is started again for the next question.
                *reader = None;
                None
            }
        }
    }
}

/// Read trust from `rev` into the workspace: its settings carry the base from now on, and each
/// kind the change weakened is replaced by its version at `rev`.
pub fn open(ws: &mut Workspace, rev: &str) -> Result<Arc<Base>, Error> {
    let fail = |what: String| {
        Error::usage(
            format!("--base {rev}: {what}"),
            "name the commit the change is judged against (the pull request's base, e.g. `origin/main`); in a shallow clone fetch it first: `git fetch --depth=1 origin <base>`",
        )
    };
    if rev.is_empty() || rev.starts_with('-') || rev.contains(['\0', '\n']) {
        return Err(fail("not a revision".into()));
    }
    let root = crate::support::paths::absolute(&ws.config.root);
    let top = crate::facts::history::toplevel(&root).map_err(|e| fail(e.to_string()))?;
    let commit = git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .ok_or_else(|| fail("there is no such commit here".into()))?;
    let short: String = commit.chars().take(10).collect();
    let prefix = match root.strip_prefix(&top) {
        Ok(p) if p.as_os_str().is_empty() => String::new(),
        Ok(p) => format!("{}/", p.to_string_lossy().replace('\\', "/")),
        Err(_) => String::new(),
    };
    let config_at_base = blob(&top, &format!("{commit}:{prefix}{FILE_NAME}")).map_err(&fail)?;
    let settings: Settings = match &config_at_base {
        Some(text) => {
            let settings: Settings = toml::from_str(text).map_err(|e| {
                fail(format!(
                    "its {FILE_NAME} cannot be read: {}",
                    e.to_string().trim_end()
                ))
            })?;
            settings
                .validate(text)
                .map_err(|e| fail(format!("its {FILE_NAME}: {e}")))?;
            settings
        }
        None => Settings::default(),
    };
    // The packets root decides which packets are checked at all: a change may not move it.
    if settings.packets != ws.config.settings.packets {
        return Err(fail(format!(
            "this change moves the packets root (handoff.toml `packets`) from \"{}\" to \"{}\"; with --base it is read from the base, and a change that moves it checks nothing it should",
            crate::support::words::neutral(&settings.packets),
            crate::support::words::neutral(&ws.config.settings.packets)
        )));
    }
    let mut changes = people_changes(&settings.people, &ws.config.settings.people, ws, rev);
    if settings.trust != ws.config.settings.trust {
        changes.push(Change {
            rule: REBINDING,
            file: ws
                .config
                .file
                .as_ref()
                .map(|f| rel_to(f, &ws.config.root))
                .unwrap_or_else(|| FILE_NAME.to_string()),
            line: 1,
            message: format!(
                "[trust] proof is changed in this change to {} (at {rev}: {}); records are judged as at {rev} until it lands",
                ws.config.settings.trust.describe(),
                settings.trust.describe()
            ),
        });
    }

    // Kinds: each repo kind at the base, else the built-in one of that name.
    let mut at_base: BTreeMap<String, KindSpec> = BTreeMap::new();
    let kinds_dir = format!("{prefix}.handoff/kinds/");
    let listed = git(
        &top,
        &[
            "-c",
            "core.quotePath=false",
            "ls-tree",
            "-r",
            "--name-only",
            "--full-tree",
            &commit,
            "--",
            &kinds_dir,
        ],
    )
    .unwrap_or_default();
    for path in listed.lines().take(MAX_KINDS * 8) {
        let Some(name) = path
            .strip_prefix(&kinds_dir)
            .and_then(|p| p.strip_suffix("/kind.yaml"))
            .filter(|n| !n.contains('/'))
        else {
            continue;
        };
        if at_base.len() >= MAX_KINDS {
            break;
        }
        let Ok(Some(text)) = blob(&top, &format!("{commit}:{path}")) else {
            continue;
        };
        let shown = PathBuf::from(format!("{short}:{path}"));
        if let Ok(spec) = crate::facts::kind::parse_spec(&shown, text, name) {
            at_base.insert(name.to_string(), spec);
        }
    }
    let names: Vec<String> = ws.kinds.names().iter().map(|s| s.to_string()).collect();
    for name in names {
        let Some(head) = ws.kinds.get(&name) else {
            continue;
        };
        let file = match &head.origin {
            crate::facts::kind::Origin::Repo(dir) => dir.join("kind.yaml"),
            crate::facts::kind::Origin::BuiltIn => {
                root.join(".handoff/kinds").join(&name).join("kind.yaml")
            }
        };
        let file_shown = rel_to(&file, &top);
        let base_spec = match at_base.remove(&name) {
            Some(spec) => spec,
            None => match crate::facts::kind::builtin_spec(&name) {
                Some(spec) => spec,
                None => {
                    let message = format!(
                        "the kind `{name}` is new in this change (not at {rev}): it needs review before the packets it judges are trusted"
                    );
                    changes.push(Change {
                        rule: KIND_CHANGED,
                        file: file_shown,
                        line: 1,
                        message: message.clone(),
                    });
                    let mut kind = head.clone();
                    kind.caveats.push(Caveat {
                        what: CaveatKind::NewInChange,
                        message,
                    });
                    ws.kinds.put(kind);
                    continue;
                }
            },
        };
        if crate::facts::kind::signed::requirements(&base_spec)
            == crate::facts::kind::signed::requirements(&head.spec)
        {
            continue;
        }
        // The whole kind as at the base decides: questions, criteria, roles, the KPI rule, the
        // waiver policy, versions, tables, the calendar. What the change drops is said.
        let less = compare::asks_less(&base_spec, &head.spec);
        let (message, caveats) = if less.is_empty() {
            (
                format!(
                    "this change edits the kind `{name}`; its packets are judged by the kind as at {rev} until the change lands"
                ),
                Vec::new(),
            )
        } else {
            let message = format!(
                "this change weakens the kind `{name}`: it {}; its packets are judged by the kind as at {rev}",
                less.join("; ")
            );
            (
                message.clone(),
                vec![Caveat {
                    what: CaveatKind::WeakenedInChange,
                    message,
                }],
            )
        };
        changes.push(Change {
            rule: KIND_CHANGED,
            file: file_shown,
            line: 1,
            message,
        });
        let kind = Kind {
            spec: base_spec,
            templates: head.templates.clone(),
            origin: head.origin.clone(),
            caveats,
            requirements: Default::default(),
        };
        ws.kinds.put(kind);
    }
    let base = Arc::new(Base {
        rev: rev.to_string(),
        short,
        commit,
        settings,
        top,
        changes,
        reader: std::sync::Mutex::new(None),
    });
    ws.config.settings.base = Some(base.clone());
    Ok(base)
}

impl crate::facts::config::Base for Base {
    fn rev(&self) -> &str {
        &self.rev
    }

    fn landed(&self, path: &Path) -> bool {
        Base::landed(self, path)
    }

    fn holders(&self, packet: &Packet, role: &RoleSpec) -> Holders {
        Base::holders(self, packet, role)
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn commit(&self) -> &str {
        &self.commit
    }

    fn packet_text(&self, packet: &Packet) -> Option<String> {
        Base::packet_text(self, packet)
    }
}

/// `[people]` entries bound, unbound or rebound between the base and the work tree.
fn people_changes(
    then: &BTreeMap<String, People>,
    now: &BTreeMap<String, People>,
    ws: &Workspace,
    rev: &str,
) -> Vec<Change> {
    let file = ws
        .config
        .file
        .as_ref()
        .map(|f| rel_to(f, &ws.config.root))
        .unwrap_or_else(|| FILE_NAME.to_string());
    let text = ws
        .config
        .file
        .as_ref()
        .and_then(|f| {
            crate::support::inside::read_text(f, &ws.config.root, crate::support::inside::MAX_BYTES)
                .ok()
        })
        .unwrap_or_default();
    let line_of = |name: &str| {
        text.lines()
            .position(|l| {
                let l = l.trim_start().trim_start_matches('"');
                l.strip_prefix(name)
                    .is_some_and(|rest| rest.trim_start_matches('"').trim_start().starts_with('='))
            })
            .map_or(1, |i| i + 1)
    };
    let names: BTreeSet<&String> = then.keys().chain(now.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let before: Vec<&str> = then
            .get(name)
            .map_or(Vec::new(), |p| p.all().iter().map(String::as_str).collect());
        let after: Vec<&str> = now
            .get(name)
            .map_or(Vec::new(), |p| p.all().iter().map(String::as_str).collect());
        let added: Vec<&str> = after
            .iter()
            .copied()
            .filter(|a| !before.iter().any(|b| crate::facts::person::same(a, b)))
            .collect();
        let removed: Vec<&str> = before
            .iter()
            .copied()
            .filter(|b| !after.iter().any(|a| crate::facts::person::same(a, b)))
            .collect();
        // The same people, with other accounts or keys bound: listed too.
        let bindings = |p: Option<&People>| -> Vec<(String, Option<String>, Vec<String>)> {
            p.map_or(Vec::new(), |p| {
                p.people()
                    .iter()
                    .map(|x| {
                        let mut keys: Vec<String> = x
                            .signing_keys
                            .iter()
                            .filter_map(|k| crate::facts::person::signing_key_id(k))
                            .collect();
                        keys.sort();
                        (
                            crate::facts::person::email_of(&x.text).unwrap_or_default(),
                            x.github.as_ref().map(|g| g.to_ascii_lowercase()),
                            keys,
                        )
                    })
                    .collect()
            })
        };
        if added.is_empty() && removed.is_empty() {
            if bindings(then.get(name)) != bindings(now.get(name)) {
                out.push(Change {
                    rule: REBINDING,
                    file: file.clone(),
                    line: line_of(name),
                    message: format!(
                        "[people] {name} binds other GitHub accounts or signing keys in this change; approvals and signatures they prove count once it has landed"
                    ),
                });
            }
            continue;
        }
        let message = match (before.is_empty(), after.is_empty()) {
            (true, _) => format!(
                "[people] {name} is bound in this change, to {}; sign-offs it allows count once it has landed",
                added.join(", ")
            ),
            (_, true) => format!(
                "[people] {name} is unbound in this change (at {rev}: {})",
                before.join(", ")
            ),
            _ => {
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("adds {}", added.join(", ")));
                }
                if !removed.is_empty() {
                    parts.push(format!("removes {}", removed.join(", ")));
                }
                format!(
                    "[people] {name} is rebound in this change: it {} (at {rev}: {}); sign-offs by the people it adds count once it has landed",
                    parts.join(" and "),
                    before.join(", ")
                )
            }
        };
        out.push(Change {
            rule: REBINDING,
            file: file.clone(),
            line: if after.is_empty() { 1 } else { line_of(name) },
            message,
        });
    }
    out
}

fn rel_to(path: &Path, top: &Path) -> String {
    crate::facts::git::relative(&crate::support::paths::absolute(top), path)
        .unwrap_or_else(|| path.display().to_string())
}

/// `git ARGS` in `dir`: its trimmed output, or `None` when it failed.
impl Base {
    /// Whether the file at `path` (in the work tree) is in the base commit as it is now: a
    /// copy of a signed-under kind counts only once it has landed.
    pub fn landed(&self, path: &Path) -> bool {
        let abs = crate::support::paths::absolute(path);
        let Ok(rel) = abs.strip_prefix(&self.top) else {
            return false;
        };
        let spec = format!(
            "{}:{}",
            self.commit,
            rel.to_string_lossy().replace('\\', "/")
        );
        matches!(blob(&self.top, &spec), Ok(Some(then)) if std::fs::read_to_string(&abs).is_ok_and(|now| now == then))
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    crate::facts::git::output(dir, args)
        .ok()
        .map(|s| s.trim_end().to_string())
}

/// The text of the blob `spec` (`COMMIT:path`): `None` when there is none, an error when it is
/// too large or not text.
fn blob(top: &Path, spec: &str) -> Result<Option<String>, String> {
    crate::facts::git::blob_text(top, spec, crate::support::inside::MAX_BYTES)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_its_text_none_when_absent_and_an_error_when_git_cannot_say() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Outside a repository git cannot answer: the base is unreadable, never empty.
        assert!(blob(dir.path(), "HEAD:nothing").is_err());
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .current_dir(dir.path())
                .args(["-c", "user.name=T", "-c", "user.email=t@x.test"])
                .args(args)
                .output()
                .expect("git");
            assert!(out.status.success(), "{out:?}");
        };
        git(&["init", "-q"]);
        std::fs::write(dir.path().join("a.toml"), "x = 1\n").expect("write");
        std::fs::create_dir(dir.path().join("d")).expect("mkdir");
        std::fs::write(dir.path().join("d/b"), [0xff, 0xfe]).expect("write");
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "c"]);
        assert_eq!(blob(dir.path(), "HEAD:a.toml"), Ok(Some("x = 1\n".into())));
        assert_eq!(blob(dir.path(), "HEAD:nothing"), Ok(None));
        assert_eq!(blob(dir.path(), "HEAD:d"), Ok(None), "a folder is no file");
        assert!(blob(dir.path(), "HEAD:d/b").is_err(), "not text");
    }
}
