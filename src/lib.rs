//! `handoff`: handoffs between teams as contracts kept in git.
//!
//! The pipeline every command follows: config → discover packets → load each packet (front
//! matter with positions, markdown body) → resolve its kind → the gate that applies → rules →
//! diagnostics → one reporter per output format.

pub mod cli;
pub mod commands;
pub mod facts;
pub mod judgement;
pub mod output;
pub mod support;

use facts::{error, workspace};
use judgement::rules;
use output::schema;
use support::paths;

use cli::{Cli, ColorChoice, Command};

/// Run a parsed command line; returns the exit status.
pub fn run(cli: Cli) -> Result<u8, error::Error> {
    // Like `git -C`: every relative path, given or shown, is relative to DIR.
    if let Some(dir) = &cli.dir {
        std::env::set_current_dir(dir).map_err(|e| {
            error::Error::usage(
                format!("cannot change to {}: {e}", dir.display()),
                "pass an existing directory to -C",
            )
        })?;
    }
    paths::remember_cwd();
    let cwd = std::env::current_dir().map_err(|source| error::Error::Io {
        path: ".".into(),
        doing: "cannot read the working directory",
        source,
    })?;
    let env = commands::Env {
        cwd,
        color: use_color(cli.color),
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match &cli.command {
        Command::New(args) => commands::new::run(&env, args),
        Command::Check(args) => commands::check::run(&env, args),
        Command::Sign(args) => commands::sign::run(&env, args),
        Command::Waive(args) => commands::waive::run(&env, args),
        Command::SendBack(args) => commands::send_back::run(&env, args),
        Command::Apply(args) => commands::apply::run(&env, args),
        Command::Lsp(args) => crate::output::lsp::serve(args.today)
            .map_err(|e| crate::facts::error::Error::LanguageServer(Box::new(e))),
        Command::Upgrade(args) => commands::upgrade::run(&env, args),
        Command::Timeline(args) => commands::timeline::run(&env, args),
        Command::Log(args) => commands::log::run(&env, args),
        Command::Status(args) => commands::status::run(&env, args),
        Command::Remind(args) => commands::remind::run(&env, args),
        Command::Stats(args) => commands::stats::run(&env, args),
        Command::Metrics(args) => commands::metrics::run(&env, args),
        Command::Drill(args) => commands::drill::run(&env, args),
        Command::Render(args) => commands::render::run(&env, args),
        Command::Init(args) => commands::init::run(&env, args),
        Command::Schema { config: true, .. } => {
            println!(
                "{}",
                serde_json::to_string_pretty(&schema::config()).unwrap_or_default()
            );
            Ok(0)
        }
        Command::Schema { kind, .. } => {
            let ws = workspace::Workspace::open(&env.cwd)?;
            let only = match kind {
                Some(name) => Some(ws.require_kind(name)?),
                None => None,
            };
            let schema = schema::generate(&ws.kinds, only);
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            Ok(0)
        }
        Command::Completions { shell } => {
            // The registration script of the dynamic completer: the same as `COMPLETE=<shell>
            // handoff` prints.
            let exe = std::env::current_exe().map_err(|source| error::Error::Io {
                path: "handoff".into(),
                doing: "cannot find its own binary",
                source,
            })?;
            let status = std::process::Command::new(exe)
                .env("COMPLETE", shell.to_string())
                .status()
                .map_err(|source| error::Error::Io {
                    path: "handoff".into(),
                    doing: "cannot write the completion script",
                    source,
                })?;
            Ok(if status.success() { 0 } else { 2 })
        }
        Command::Man { out_dir } => commands::man::run(
            &env,
            out_dir.as_deref(),
            <Cli as clap::CommandFactory>::command(),
        ),
        Command::Explain { rule, markdown } => {
            if *markdown {
                print!("{}", rules::markdown());
                Ok(0)
            } else {
                commands::explain::run(rule.as_deref())
            }
        }
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
        // anstream reads NO_COLOR, CLICOLOR, CLICOLOR_FORCE and TERM=dumb, and whether stdout is
        // a terminal, the way other command-line tools do.
        ColorChoice::Auto => {
            anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    }
}
