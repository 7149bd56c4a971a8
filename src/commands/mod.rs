//! One file per subcommand, each a short function over the library's pieces.

pub mod check;
pub mod drill;
pub mod explain;
pub mod init;
pub mod kinds;
pub mod log;
pub mod new;
pub mod remind;
pub mod render;
pub mod sign;
pub mod stats;
pub mod status;
pub mod timeline;

use chrono::NaiveDate;
use std::path::PathBuf;

/// What every command gets from the command line besides its own flags.
#[derive(Debug, Clone)]
pub struct Env {
    /// The directory to work in.
    pub cwd: PathBuf,
    /// Use colour on stdout.
    pub color: bool,
    /// Print only failures.
    pub quiet: bool,
}

/// Today, unless overridden.
pub fn today(given: Option<NaiveDate>) -> NaiveDate {
    given.unwrap_or_else(|| chrono::Local::now().date_naive())
}
