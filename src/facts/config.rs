//! `handoff.toml`: found by walking up from the working directory, stopping at the git root.

use crate::facts::proof::ProofMethod;
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
    /// What proves who gave a sign-off, waiver or send-back.
    pub trust: Trust,
    /// Trust as read from the base commit (`check --base`), when given.
    #[serde(skip)]
    pub base: Option<std::sync::Arc<dyn Base>>,
    /// How records are proven, for this run (see `facts::prover`); without one, every record
    /// is taken on its git identity.
    #[serde(skip)]
    pub prover: Option<std::sync::Arc<dyn crate::facts::proof::Prove>>,
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
            trust: Trust::default(),
            base: None,
            prover: None,
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

/// A `[people]` entry: one person, or several who may all act for the name (delegates). Each
/// person is written `"Name <email>"`, or as a table that also binds their forge account and
/// signing keys: `{ name = "…", email = "…", github = "login", signing_keys = ["ssh-ed25519 …"] }`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct People {
    /// Every person as `Name <email>`, in order.
    texts: Vec<String>,
    /// Every person with what the entry binds to them, in the same order.
    people: Vec<Person>,
}

/// One person of a `[people]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    /// `Name <email>`.
    pub text: String,
    /// Their account on the forge (GitHub login), when bound: the account whose pull request
    /// reviews and comments count as theirs.
    pub github: Option<String>,
    /// Public keys whose signatures count as theirs: SSH public keys (`ssh-ed25519 AAAA…`) or
    /// OpenPGP fingerprints (40 hex digits).
    pub signing_keys: Vec<String>,
}

/// The keys of a person table, for messages and did-you-mean.
pub const PERSON_KEYS: [&str; 4] = ["name", "email", "github", "signing_keys"];

impl People {
    /// Every person of the entry, in order, as `Name <email>`.
    pub fn all(&self) -> &[String] {
        &self.texts
    }

    /// Every person of the entry with their bindings.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// The entry as one line of text: `A <a@x>, B <b@x>`.
    pub fn joined(&self) -> String {
        self.texts.join(", ")
    }

    /// An entry of these people.
    pub fn of(people: Vec<Person>) -> People {
        People {
            texts: people.iter().map(|p| p.text.clone()).collect(),
            people,
        }
    }
}

impl<'de> Deserialize<'de> for Person {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Person;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"Name <email>\" or a table { name, email, github, signing_keys }")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Person, E> {
                Ok(Person {
                    text: s.to_string(),
                    ..Person::default()
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Person, A::Error> {
                use serde::de::Error as _;
                let (mut name, mut email) = (None::<String>, None::<String>);
                let mut person = Person::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => name = Some(map.next_value()?),
                        "email" => email = Some(map.next_value()?),
                        "github" => person.github = Some(map.next_value()?),
                        "signing_keys" => person.signing_keys = map.next_value()?,
                        other => {
                            let hint = crate::support::suggest::did_you_mean(other, PERSON_KEYS)
                                .map(|k| format!("did you mean `{k}`? "))
                                .unwrap_or_default();
                            return Err(A::Error::custom(format!(
                                "unknown key `{other}` in a person; {hint}a person's keys are {}",
                                PERSON_KEYS.join(", ")
                            )));
                        }
                    }
                }
                let (Some(name), Some(email)) = (name, email) else {
                    return Err(A::Error::custom(
                        "a person written as a table needs `name` and `email`, e.g. { name = \"Jordan Blake\", email = \"jordan@example.com\", github = \"jblake\" }",
                    ));
                };
                person.text = format!("{} <{}>", name.trim(), email.trim());
                Ok(person)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for People {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = People;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a person (\"Name <email>\" or a table), or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<People, E> {
                Ok(People::of(vec![Person {
                    text: s.to_string(),
                    ..Person::default()
                }]))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<People, A::Error> {
                let one = Person::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(People::of(vec![one]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<People, A::Error> {
                let mut all = Vec::new();
                while let Some(p) = seq.next_element::<Person>()? {
                    all.push(p);
                }
                Ok(People::of(all))
            }
        }
        d.deserialize_any(V)
    }
}

/// `[trust]`: what proves that a sign-off, waiver or send-back comes from the person it names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Trust {
    /// The proofs that count, any of them: `identity` (git's author identity, the default),
    /// `signature` (a commit signed with a key bound to the person), `forge` (a pull request
    /// review or comment by the person's account).
    pub proof: Vec<ProofMethod>,
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            proof: vec![ProofMethod::Identity],
        }
    }
}

impl Trust {
    /// Whether a record proven by `method` counts.
    pub fn accepts(&self, method: ProofMethod) -> bool {
        self.proof.contains(&method)
    }

    /// Whether the git identity a record names is enough.
    pub fn identity_enough(&self) -> bool {
        self.accepts(ProofMethod::Identity)
    }

    /// The accepted proofs, as written: `signature or forge`.
    pub fn describe(&self) -> String {
        let names: Vec<&str> = self.proof.iter().map(|m| m.name()).collect();
        names.join(" or ")
    }
}

impl Settings {
    /// What deserializing cannot tell: each `[people]` person is `Name <email>`, a forge login
    /// and a signing key are well formed and name one person each, and `[trust]` names a proof.
    /// `text` is the file, so that a message can give the line.
    pub fn validate(&self, text: &str) -> Result<(), String> {
        let line = |name: &str| {
            let n = line_of_key(text, name);
            if n > 0 {
                format!("line {n}: ")
            } else {
                String::new()
            }
        };
        // Who each account and each key is bound to, by email: one person each.
        let mut logins: BTreeMap<String, String> = BTreeMap::new();
        let mut keys: BTreeMap<String, String> = BTreeMap::new();
        for (name, entry) in &self.people {
            if entry.all().is_empty() {
                return Err(format!(
                    "{}[people] `{name}` names nobody; write e.g. {name} = \"Jordan Blake <jordan@example.com>\", or a list of people",
                    line(name)
                ));
            }
            for p in entry.people() {
                if !crate::facts::person::is_person(&p.text) {
                    return Err(format!(
                        "{}[people] `{name}` = `{}` is not `Name <email>`; write e.g. {name} = \"Jordan Blake <jordan@example.com>\", or a table {{ name = \"Jordan Blake\", email = \"jordan@example.com\", github = \"jblake\" }}",
                        line(name),
                        p.text
                    ));
                }
                let email = crate::facts::person::email_of(&p.text).unwrap_or_default();
                if let Some(login) = &p.github {
                    if !valid_login(login) {
                        return Err(format!(
                            "{}[people] `{name}`: github = `{login}` is not a GitHub login (letters, digits and single hyphens, at most 39)",
                            line(name)
                        ));
                    }
                    let login = login.to_ascii_lowercase();
                    if let Some(other) = logins.get(&login).filter(|o| **o != email) {
                        return Err(format!(
                            "{}[people] `{name}`: the GitHub account `{login}` is bound to {other} too; an account is one person's",
                            line(name)
                        ));
                    }
                    logins.insert(login, email.clone());
                }
                for key in &p.signing_keys {
                    let Some(id) = crate::facts::person::signing_key_id(key) else {
                        return Err(format!(
                            "{}[people] `{name}`: signing key `{}` is neither an SSH public key (`ssh-ed25519 AAAA…`, as in a .pub file) nor an OpenPGP fingerprint (40 hex digits)",
                            line(name),
                            crate::support::words::neutral(
                                &key.chars().take(40).collect::<String>()
                            )
                        ));
                    };
                    if let Some(other) = keys.get(&id).filter(|o| **o != email) {
                        return Err(format!(
                            "{}[people] `{name}`: a signing key of {} is bound to {other} too; a key is one person's",
                            line(name),
                            p.text
                        ));
                    }
                    keys.insert(id, email.clone());
                }
            }
        }
        if self.trust.proof.is_empty() {
            return Err(format!(
                "{}[trust] proof = [] accepts no proof at all; name one or more of \"identity\", \"signature\", \"forge\"",
                line("proof")
            ));
        }
        Ok(())
    }

    /// How each record is proven, as the run's prover says; without a prover, each is taken on
    /// its git identity, which counts when `[trust] proof` accepts it.
    pub fn prove(
        &self,
        packet: &crate::facts::packet::Packet,
        records: &[crate::facts::proof::Record],
    ) -> Vec<crate::facts::proof::Proven> {
        use crate::facts::proof::{Proof, Proven};
        if records.is_empty() {
            return Vec::new();
        }
        match &self.prover {
            Some(prover) => prover.prove(packet, records),
            None if self.trust.identity_enough() => vec![Proven::identity(); records.len()],
            None => vec![
                Proven {
                    proof: Proof::Identity,
                    counts: false,
                    why_not: Some(format!(
                        "[trust] proof accepts {} and nothing checked it",
                        self.trust.describe()
                    )),
                };
                records.len()
            ],
        }
    }

    /// The person bound to a forge account: the first `[people]` person whose `github` is
    /// `login` (case aside).
    pub fn person_of_login(&self, login: &str) -> Option<&Person> {
        self.people.values().flat_map(People::people).find(|p| {
            p.github
                .as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(login))
        })
    }

    /// What `[people]` binds to the person of `email` (their forge account, their keys), merged
    /// over every entry that names them.
    pub fn bindings_of(&self, person: &str) -> Person {
        let mut out = Person {
            text: person.to_string(),
            ..Person::default()
        };
        for p in self.people.values().flat_map(People::people) {
            if crate::facts::person::same(&p.text, person) {
                if out.github.is_none() {
                    out.github = p.github.clone();
                }
                for k in &p.signing_keys {
                    if !out.signing_keys.contains(k) {
                        out.signing_keys.push(k.clone());
                    }
                }
            }
        }
        out
    }

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

/// Whether `s` is a GitHub login: letters, digits and single hyphens, not at either end, at most
/// 39 characters.
pub fn valid_login(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 39
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The line (1-based) of the first `key =` or `"key" =` in a TOML text, or 0.
pub fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches(['"', '\'']);
            l.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with('=')
            })
        })
        .map_or(0, |i| i + 1)
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
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", crate::support::paths::shown(.file))]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// What is wrong.
    #[source]
    pub problem: ConfigProblem,
}

/// What is wrong with a config.
#[derive(Debug, thiserror::Error)]
pub enum ConfigProblem {
    /// The file could not be read (or lies outside the repository).
    #[error("cannot read the config: {0}")]
    Unreadable(#[source] crate::support::inside::Refused),
    /// It is not TOML, or a setting has the wrong shape.
    #[error("{}", .0.to_string().trim_end())]
    Toml(#[source] toml::de::Error),
    /// `packets` names no folder inside the repository.
    #[error(
        "packets = \"{0}\" must be a folder inside the repository, given relative to handoff.toml (e.g. \"handoffs\"), without `..`"
    )]
    PacketsOutside(String),
    /// A `[slack]` entry that is not an email and a Slack member id.
    #[error(
        "[slack] `{email}` = `{id}`: write an email and the person's Slack member id, e.g. \"jordan@example.com\" = \"U024BE7LH\""
    )]
    Slack {
        /// The key written.
        email: String,
        /// The value written.
        id: String,
    },
    /// A setting deserializing cannot check (people, logins, keys, `[trust]`), with its line.
    #[error("{0}")]
    Invalid(String),
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
                problem: ConfigProblem::Unreadable(e),
            })?;
        let settings: Settings = toml::from_str(&text).map_err(|e| ConfigError {
            file: file.to_path_buf(),
            problem: ConfigProblem::Toml(e),
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
                problem: ConfigProblem::PacketsOutside(settings.packets.clone()),
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
                    problem: ConfigProblem::Slack {
                        email: email.clone(),
                        id: id.clone(),
                    },
                });
            }
        }
        if let Err(message) = settings.validate(&text) {
            return Err(ConfigError {
                file: file.to_path_buf(),
                problem: ConfigProblem::Invalid(message),
            });
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
    /// The settings at the base: `[people]` with their accounts and keys, `[trust]`.
    fn settings(&self) -> &Settings;
    /// The base commit, in full.
    fn commit(&self) -> &str;
    /// The packet's `handoff.md` as the base commit has it.
    fn packet_text(&self, packet: &crate::facts::packet::Packet) -> Option<String>;
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
        assert!(err.to_string().contains("`ops-lead`"), "{err}");

        std::fs::write(repo.join(FILE_NAME), "pakets = 1").unwrap();
        let err = Config::discover(&repo).unwrap_err();
        assert!(err.to_string().contains("pakets"), "{err}");
    }
}
