//! `handoff.toml`: found by walking up from the working directory, stopping at the git root.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The config file name.
pub const FILE_NAME: &str = "handoff.toml";

/// How milestones that fall on a weekend are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Weekends {
    /// Keep the date and warn.
    #[default]
    Warn,
    /// Move the milestone to the Friday before.
    ShiftEarlier,
}

/// Settings from `handoff.toml`; every one has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The packets root, relative to the repo root.
    pub packets: String,
    /// The kind `handoff new` uses when `--kind` is not given.
    pub default_kind: String,
    /// Role or short name → `Name <email>`, or a list of them (a role's delegates).
    pub people: BTreeMap<String, People>,
    /// Weekend handling for milestones.
    pub weekends: Weekends,
    /// Email → Slack member id (`U…`), so that `remind --format slack` mentions people.
    pub slack: BTreeMap<String, String>,
    /// Where KPI series come from: `[sources.NAME]`, for `handoff metrics pull`.
    pub sources: BTreeMap<String, crate::facts::metrics::source::SourceConfig>,
    /// How to link to a packet from a reminder (`[links]`).
    pub links: Links,
    /// Trust as read from the base commit (`check --base`), when given.
    #[serde(skip)]
    pub base: Option<std::sync::Arc<dyn Base>>,
    /// This run reports the notes only `--verbose` asks for.
    #[serde(skip)]
    pub verbose: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            packets: "handoffs".into(),
            default_kind: "generic".into(),
            people: BTreeMap::new(),
            weekends: Weekends::Warn,
            slack: BTreeMap::new(),
            sources: BTreeMap::new(),
            links: Links::default(),
            base: None,
            verbose: false,
        }
    }
}

/// `[links]`: how a reminder links to the packet it is about. `packet` is a URL with `{path}`
/// (the packet's `handoff.md`, relative to the repository's top) and `{id}` in it, e.g.
/// `https://github.com/org/repo/blob/main/{path}`; `site` is where `render --all` is published,
/// each packet's page `<site>/<id>.html`. `packet` wins when both are given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Links {
    /// A link to the packet in the forge, with `{path}` and `{id}`.
    pub packet: Option<String>,
    /// The published site of `render --all`.
    pub site: Option<String>,
}

impl Links {
    /// The link to a packet whose `handoff.md` lies at `path` (relative to the repository's top,
    /// `/`-separated) and whose site page is `page` (without `.html`); none when `[links]` gives
    /// no http(s) address.
    pub fn to_packet(&self, id: &str, path: &str, page: &str) -> Option<String> {
        let web = |u: &str| {
            let l = u.trim().to_ascii_lowercase();
            l.starts_with("https://") || l.starts_with("http://")
        };
        if let Some(template) = self.packet.as_deref().filter(|u| web(u)) {
            return Some(
                template
                    .trim()
                    .replace("{path}", &encode_path(path))
                    .replace("{id}", &encode_path(id)),
            );
        }
        let site = self.site.as_deref().filter(|u| web(u))?.trim();
        Some(format!(
            "{}/{}.html",
            site.trim_end_matches('/'),
            encode_path(page)
        ))
    }
}

/// A path as it may stand in a URL: every byte but unreserved characters and `/`
/// percent-encoded (so no `|`, `>` or space can end the link in Slack or markdown).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A `[people]` entry: one person, or several who may all act for the name (delegates).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum People {
    /// `ops-lead = "Jordan Blake <jordan@example.com>"`.
    One(String),
    /// `ops-lead = ["Jordan Blake <jordan@example.com>", "Sam Lee <sam@example.com>"]`.
    Many(Vec<String>),
}

impl People {
    /// Every person of the entry, in order.
    pub fn all(&self) -> &[String] {
        match self {
            People::One(p) => std::slice::from_ref(p),
            People::Many(list) => list,
        }
    }

    /// The entry as one line of text: `A <a@x>, B <b@x>`.
    pub fn joined(&self) -> String {
        self.all().join(", ")
    }
}

impl Settings {
    /// The people a packet names at a dotted path (a person, or every person of a list), with
    /// names from `[people]` resolved to the people they stand for; placeholders left out.
    pub fn people_at(&self, packet: &crate::facts::packet::Packet, path: &str) -> Vec<String> {
        let Some(node) = packet.front.as_ref().and_then(|f| f.at(path)) else {
            return Vec::new();
        };
        node.texts()
            .into_iter()
            .flat_map(|v| self.resolve(v))
            .map(str::to_string)
            .collect()
    }

    /// The people a name stands for: its `[people]` entry, else the name itself.
    pub fn resolve<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        match self.people.get(name.trim()) {
            Some(p) => p.all().iter().map(String::as_str).collect(),
            None => vec![name.trim()],
        }
    }
}

/// The resolved configuration for one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The repo root: where `handoff.toml` is, else the git root, else the start directory.
    pub root: PathBuf,
    /// The config file, when there is one.
    pub file: Option<PathBuf>,
    /// The settings.
    pub settings: Settings,
}

/// A config that could not be read.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}",
            crate::support::paths::shown(&self.file),
            self.message
        )
    }
}

impl Config {
    /// Find and read the config for a run started in `start`.
    pub fn discover(start: &Path) -> Result<Config, ConfigError> {
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let mut git_root = None;
        for dir in start.ancestors() {
            let file = dir.join(FILE_NAME);
            if crate::support::inside::exists(&file) {
                return Config::read(dir, &file);
            }
            if dir.join(".git").exists() {
                git_root = Some(dir.to_path_buf());
                break;
            }
        }
        Ok(Config {
            root: git_root.unwrap_or(start),
            file: None,
            settings: Settings::default(),
        })
    }

    fn read(root: &Path, file: &Path) -> Result<Config, ConfigError> {
        let text = crate::support::inside::read_text(file, root, crate::support::inside::MAX_BYTES)
            .map_err(|e| ConfigError {
                file: file.to_path_buf(),
                message: format!("cannot read the config: {e}"),
            })?;
        let settings: Settings = toml::from_str(&text).map_err(|e| ConfigError {
            file: file.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let packets = Path::new(&settings.packets);
        if packets.is_absolute()
            || settings.packets.trim().is_empty()
            || packets.components().any(|c| {
                !matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            })
        {
            return Err(ConfigError {
                file: file.to_path_buf(),
                message: format!(
                    "packets = \"{}\" must be a folder inside the repository, given relative to handoff.toml (e.g. \"handoffs\"), without `..`",
                    settings.packets
                ),
            });
        }
        for (email, id) in &settings.slack {
            let id_ok = id.len() > 1
                && id.starts_with(['U', 'W'])
                && id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if !email.contains('@') || !id_ok {
                return Err(ConfigError {
                    file: file.to_path_buf(),
                    message: format!(
                        "[slack] `{email}` = `{id}`: write an email and the person's Slack member id, e.g. \"jordan@example.com\" = \"U024BE7LH\""
                    ),
                });
            }
        }
        for (name, entry) in &settings.people {
            let bad = entry
                .all()
                .iter()
                .find(|p| !crate::facts::person::is_person(p));
            if let Some(bad) = bad.or(entry.all().is_empty().then_some(&String::new())) {
                return Err(ConfigError {
                    file: file.to_path_buf(),
                    message: format!(
                        "[people] `{name}` = `{bad}` is not `Name <email>`; write e.g. {name} = \"Jordan Blake <jordan@example.com>\", or a list of them"
                    ),
                });
            }
        }
        Ok(Config {
            root: root.to_path_buf(),
            file: Some(file.to_path_buf()),
            settings,
        })
    }

    /// The packets root.
    pub fn packets_dir(&self) -> PathBuf {
        self.root.join(&self.settings.packets)
    }
}

/// Trust as read from the base commit (`check --base`), as the judgements consult it: which files
/// have landed there, and who held a role there. `trust` reads it from git; settings hold it so
/// that every check of the run sees the same base.
pub trait Base: std::fmt::Debug + Send + Sync {
    /// The revision as given (`origin/main`, a commit), for messages.
    fn rev(&self) -> &str;
    /// Whether `path` (in the work tree) is at the base as it is now.
    fn landed(&self, path: &Path) -> bool;
    /// Who could sign `role` for `packet` at the base.
    fn holders(
        &self,
        packet: &crate::facts::packet::Packet,
        role: &crate::facts::kind::RoleSpec,
    ) -> Holders;
}

/// Who may sign a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holders {
    /// Anyone may (no `[people]` entry and no packet field binds the role).
    Unbound,
    /// Only these people may.
    Bound {
        /// The people, `Name <email>`.
        people: Vec<String>,
        /// Where the binding comes from, for messages.
        source: String,
    },
}

impl Holders {
    /// Whether `by` may sign.
    pub fn allows(&self, by: &str) -> bool {
        match self {
            Holders::Unbound => true,
            Holders::Bound { people, .. } => {
                people.iter().any(|p| crate::facts::person::same(p, by))
            }
        }
    }

    /// `Jordan Blake <jordan@x> (handoff.toml [people])`, for messages.
    pub fn describe(&self) -> String {
        match self {
            Holders::Unbound => "anyone (the role is unbound)".into(),
            Holders::Bound { people, source } if people.is_empty() => {
                format!("nobody yet ({source} names no one)")
            }
            Holders::Bound { people, source } => format!("{} ({source})", people.join(" or ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_config_above_and_stops_at_git_root() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("a/b")).unwrap();
        std::fs::write(tmp.path().join(FILE_NAME), "packets = \"outside\"").unwrap();
        let cfg = Config::discover(&repo.join("a/b")).unwrap();
        assert_eq!(cfg.root, repo);
        assert_eq!(cfg.settings.packets, "handoffs");

        std::fs::write(
            repo.join(FILE_NAME),
            "packets = \"hand\"\n[people]\nops-lead = \"A <a@x.test>\"",
        )
        .unwrap();
        let cfg = Config::discover(&repo.join("a/b")).unwrap();
        assert_eq!(cfg.packets_dir(), repo.join("hand"));
        assert_eq!(cfg.settings.resolve("ops-lead"), ["A <a@x.test>"]);
        assert_eq!(cfg.settings.resolve("Pat <p@x.test>"), ["Pat <p@x.test>"]);

        std::fs::write(
            repo.join(FILE_NAME),
            "[people]\nops-lead = [\"A <a@x.test>\", \"B <b@x.test>\"]",
        )
        .unwrap();
        let cfg = Config::discover(&repo).unwrap();
        assert_eq!(cfg.settings.resolve("ops-lead").len(), 2);

        std::fs::write(repo.join(FILE_NAME), "[people]\nops-lead = \"Jordan\"").unwrap();
        let err = Config::discover(&repo).unwrap_err();
        assert!(err.message.contains("`ops-lead`"), "{}", err.message);

        std::fs::write(repo.join(FILE_NAME), "pakets = 1").unwrap();
        let err = Config::discover(&repo).unwrap_err();
        assert!(err.message.contains("pakets"), "{}", err.message);
    }
}
