//! Argument types and parsers shared by the command line (`cli`) and the commands that read them:
//! below both, so that neither imports the other for them.

use crate::facts::gate::Gate;
use chrono::NaiveDate;
use clap::ValueEnum;

/// Text or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// Readable text.
    Text,
    /// JSON.
    Json,
}

/// Parse a YYYY-MM-DD date argument.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::facts::packet::date_or_problem(s)
        .map_err(|p| format!("{}; e.g. 2026-12-07", p.describe(s)))
}

/// Parse a gate name argument.
pub fn parse_gate(s: &str) -> Result<Gate, String> {
    s.parse()
}
