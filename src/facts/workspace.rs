//! The repo a command works in: its config, its kinds, and which packets it holds.

use crate::facts::config::Config;
use crate::facts::error::Error;
use crate::facts::kind::Kinds;
use crate::facts::packet::{PACKET_FILE, valid_id};
use crate::support::suggest::did_you_mean;
use std::path::{Path, PathBuf};

/// Config and kinds, loaded once per command.
pub struct Workspace {
    /// The configuration.
    pub config: Config,
    /// Built-in and repo kinds.
    pub kinds: Kinds,
}

impl Workspace {
    /// The kind with this name, or an error that suggests the closest one and lists them all.
    pub fn require_kind(&self, name: &str) -> Result<&crate::facts::kind::Kind, Error> {
        self.kinds.get(name).ok_or_else(|| {
            Error::usage(format!("there is no kind `{name}`"), self.kinds.hint(name))
        })
    }

    /// Discover the config from `start` and load the kinds.
    pub fn open(start: &Path) -> Result<Workspace, Error> {
        let mut config = Config::discover(start)?;
        crate::facts::prover::install(&mut config.settings, None, false);
        let kinds = Kinds::load(Some(&config.root))?;
        Ok(Workspace { config, kinds })
    }

    /// The same workspace, its prover looking for every kind of proof a record has, not only
    /// those the policy accepts: for the commands that show them (`render`, `status`, `log`).
    pub fn showing_proofs(mut self) -> Workspace {
        crate::facts::prover::install(&mut self.config.settings, None, true);
        self
    }

    /// The kind a packet names (or the default kind when it names none).
    pub fn kind_of(
        &self,
        packet: &crate::facts::packet::Packet,
    ) -> Option<&crate::facts::kind::Kind> {
        self.kinds.get(self.kind_name_of(packet))
    }

    /// The kind name a packet uses: its `kind:`, or the default kind.
    pub fn kind_name_of<'a>(&'a self, packet: &'a crate::facts::packet::Packet) -> &'a str {
        packet
            .kind_name()
            .unwrap_or(&self.config.settings.default_kind)
    }

    /// The project a command runs on: the one around `cwd`, unless the only argument names a
    /// folder holding its own `handoff.toml` (not a packet), which is then checked as a whole with
    /// its own configuration, like `-C DIR`. Returns the workspace and the arguments left.
    pub fn for_args(cwd: &Path, args: &[String]) -> Result<(Workspace, Vec<String>), Error> {
        if let [only] = args {
            let dir = Path::new(only);
            if dir.is_dir()
                && dir.join(crate::facts::config::FILE_NAME).exists()
                && !dir.join(PACKET_FILE).exists()
            {
                return Ok((Workspace::open(&cwd.join(dir))?, Vec::new()));
            }
        }
        Ok((Workspace::open(cwd)?, args.to_vec()))
    }

    /// Every packet folder under the packets root, sorted.
    pub fn all_packets(&self) -> Result<Vec<PathBuf>, Error> {
        let root = self.config.packets_dir();
        if !root.exists() {
            return Ok(Vec::new());
        }
        self.packets_root_inside()?;
        packet_dirs_in(&root)
    }

    /// A packet folder named on the command line must resolve inside the repository too.
    fn inside_repo(&self, dir: &Path) -> Result<(), Error> {
        crate::support::inside::resolve_inside(dir, &self.config.root)
            .map(|_| ())
            .map_err(|e| {
                Error::usage(
                    format!(
                        "the packet folder {}: {e}",
                        crate::support::paths::shown(dir)
                    ),
                    "name a packet folder inside the repository",
                )
            })
    }

    /// The packets root must resolve inside the repository: a committed link to elsewhere would
    /// have `handoff` read and write outside it.
    pub fn packets_root_inside(&self) -> Result<(), Error> {
        let root = self.config.packets_dir();
        if !crate::support::inside::exists(&root) {
            return Ok(());
        }
        crate::support::inside::resolve_inside(&root, &self.config.root)
            .map(|_| ())
            .map_err(|e| {
                Error::usage(
                    format!(
                        "the packets folder {}: {e}",
                        crate::support::paths::shown(&root)
                    ),
                    "make the packets folder a real folder inside the repository",
                )
            })
    }

    /// The packet folders named by `args` (ids or paths), or all of them when `args` is empty.
    pub fn select(&self, args: &[String]) -> Result<Vec<PathBuf>, Error> {
        if args.is_empty() {
            return self.all_packets();
        }
        let mut dirs = Vec::new();
        for arg in args {
            dirs.extend(self.resolve(arg)?);
        }
        let mut seen = std::collections::HashSet::new();
        dirs.retain(|d| seen.insert(d.clone()));
        for dir in &dirs {
            self.inside_repo(dir)?;
        }
        Ok(dirs)
    }

    /// One packet folder by id or path.
    pub fn packet(&self, arg: &str) -> Result<PathBuf, Error> {
        let mut dirs = self.resolve(arg)?;
        match dirs.len() {
            1 => {
                self.inside_repo(&dirs[0])?;
                Ok(dirs.remove(0))
            }
            _ => Err(Error::usage(
                format!("`{arg}` is not a single packet"),
                "name one packet by its id",
            )),
        }
    }

    fn resolve(&self, arg: &str) -> Result<Vec<PathBuf>, Error> {
        // `.`, `..`, `./x` and absolute paths name what they resolve to (so a packet named by
        // `.` still has its folder's name as its id).
        let resolved;
        let path = if Path::new(arg).exists() && !valid_id(arg) {
            resolved = Path::new(arg)
                .canonicalize()
                .unwrap_or_else(|_| PathBuf::from(arg));
            resolved.as_path()
        } else {
            Path::new(arg)
        };
        if path.is_file() {
            // Any file inside a packet folder names that packet (pre-commit passes file names).
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let root =
                std::path::absolute(&self.config.root).unwrap_or_else(|_| self.config.root.clone());
            let packet = abs
                .ancestors()
                .skip(1)
                .take_while(|d| d.starts_with(&root))
                .find(|d| d.join(PACKET_FILE).is_file());
            if let Some(dir) = packet {
                return Ok(vec![crate::support::paths::shown_path(dir)]);
            }
            return Err(Error::usage(
                format!("{arg} is not inside a packet folder"),
                format!(
                    "packets are folders with a {PACKET_FILE}, under {}",
                    crate::support::paths::shown(&self.config.packets_dir())
                ),
            ));
        }
        if path.is_dir()
            && (arg.contains('/')
                || arg.contains(std::path::MAIN_SEPARATOR)
                || !valid_id(arg)
                || path.join(PACKET_FILE).exists())
        {
            if path.join(PACKET_FILE).exists() {
                return Ok(vec![path.to_path_buf()]);
            }
            return packet_dirs_in(path);
        }
        if valid_id(arg) {
            let dir = self.config.packets_dir().join(arg);
            if dir.is_dir() {
                return Ok(vec![dir]);
            }
        }
        let ids: Vec<String> = self
            .all_packets()
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let hint = match did_you_mean(arg, ids.iter().map(String::as_str)) {
            Some(id) => format!("did you mean `{id}`?"),
            None if ids.is_empty() => format!(
                "there are no packets under {}; create one with `handoff new`",
                crate::support::paths::shown(&self.config.packets_dir())
            ),
            None => format!("packets here: {}", ids.join(", ")),
        };
        Err(Error::usage(format!("no packet `{arg}`"), hint))
    }
}

/// Sub-folders of `root` that are packets (every non-hidden folder), sorted.
pub fn packet_dirs_in(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(root).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        doing: "cannot list the packets",
        source,
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    Ok(dirs)
}
