//! `handoff`: handoffs between teams as contracts kept in git.
//!
//! The pipeline every command follows: config → discover packets → load each packet (front
//! matter with positions, markdown body) → resolve its kind → the gate that applies → rules →
//! diagnostics → one reporter per output format.

pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod error;
pub mod gate;
pub mod history;
pub mod kind;
pub mod packet;
pub mod paths;
pub mod report;
pub mod rules;
pub mod signoff;
pub mod timeline;
pub mod verdict;
pub mod workspace;

use cli::{Cli, ColorChoice, Command};
use std::io::IsTerminal;

/// Run a parsed command line; returns the exit status.
pub fn run(cli: Cli) -> Result<u8, error::Error> {
    let cwd = match &cli.dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().map_err(|source| error::Error::Io {
            path: ".".into(),
            doing: "cannot read the working directory",
            source,
        })?,
    };
    if !cwd.is_dir() {
        return Err(error::Error::usage(
            format!("{} is not a directory", cwd.display()),
            "pass an existing directory to -C",
        ));
    }
    let env = commands::Env {
        cwd,
        color: use_color(cli.color),
        quiet: cli.quiet,
    };
    match &cli.command {
        Command::New(args) => commands::new::run(&env, args),
        Command::Check(args) => commands::check::run(&env, args),
        Command::Sign(args) => commands::sign::run(&env, args),
        Command::Timeline(args) => commands::timeline::run(&env, args),
        Command::Log(args) => commands::log::run(&env, args),
        Command::Explain { rule } => commands::explain::run(rule.as_deref()),
        Command::Kinds { kind, format } => {
            let ws = workspace::Workspace::open(&env.cwd)?;
            commands::kinds::run(&ws, kind.as_deref(), *format)
        }
    }
}

/// Whether stdout gets colour.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
