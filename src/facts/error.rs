//! Why a command could not run (exit status 2). Gate failures are not errors: they are results.

use crate::facts::config::ConfigError;
use crate::facts::git::GitError;
use crate::facts::kind::KindError;
use std::path::PathBuf;

/// A reason the tool could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `handoff.toml` is unreadable or invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A kind file is unreadable or invalid.
    #[error("{0}")]
    Kind(#[from] KindError),
    /// The request itself cannot be carried out (unknown packet, existing packet, bad id, ...).
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
    /// A file operation failed.
    #[error("{}: {doing}: {source}", crate::support::paths::shown(.path))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the tool was doing.
        doing: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// git could not answer what the command needs of it.
    #[error("{doing}: {source}")]
    Git {
        /// What needed git.
        doing: String,
        /// Why git could not answer.
        source: GitError,
        /// What to do (empty: nothing to add).
        help: &'static str,
    },
    /// The language server stopped before the client said `exit`.
    #[error("the language server stopped: {0}")]
    LanguageServer(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// A usage error with a help line.
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: help.into(),
        }
    }

    /// git failed while `doing` something, with a help line (empty for none).
    pub fn git(doing: impl Into<String>, source: GitError, help: &'static str) -> Self {
        Error::Git {
            doing: doing.into(),
            source,
            help,
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
            Error::Git { help, .. } => (!help.is_empty()).then(|| (*help).to_string()),
            Error::LanguageServer(_) => Some(
                "start it from an editor's language client, which speaks LSP over stdio".into(),
            ),
        }
    }
}
