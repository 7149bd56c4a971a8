use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = handoff::cli::Cli::parse();
    match handoff::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(help) = e.help() {
                eprintln!("  help: {help}");
            }
            ExitCode::from(2)
        }
    }
}
