//! Why a command could not run (exit status 2). Gate failures are not errors: they are results.

use crate::facts::config::ConfigError;
use crate::facts::kind::KindError;
use std::path::PathBuf;

/// A reason the tool could not do what was asked.
#[derive(Debug)]
pub enum Error {
    /// `handoff.toml` is unreadable or invalid.
    Config(ConfigError),
    /// A kind file is unreadable or invalid.
    Kind(KindError),
    /// The request itself cannot be carried out (unknown packet, existing packet, bad id, ...).
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
    /// A file operation failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What the tool was doing.
        doing: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

impl Error {
    /// A usage error with a help line.
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: help.into(),
        }
    }

    /// The help line, if any.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Config(_) => Some(
                "fix handoff.toml; `handoff init` writes one with every setting explained".into(),
            ),
            Error::Kind(_) => {
                Some("fix the kind file; `handoff kinds --help` describes the format".into())
            }
            Error::Usage { help, .. } if !help.is_empty() => Some(help.clone()),
            Error::Usage { .. } => None,
            Error::Io { .. } => {
                Some("check that the path exists and that you may write to it".into())
            }
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Config(e) => write!(f, "{e}"),
            Error::Kind(e) => write!(f, "{e}"),
            Error::Usage { message, .. } => f.write_str(message),
            Error::Io {
                path,
                doing,
                source,
            } => write!(
                f,
                "{}: {doing}: {source}",
                crate::support::paths::shown(path)
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

impl From<KindError> for Error {
    fn from(e: KindError) -> Self {
        Error::Kind(e)
    }
}
