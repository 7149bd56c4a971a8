use clap::Parser;
use std::process::ExitCode;

// mimalloc: per-thread heaps, so packets checked on several cores do not queue for one lock, and
// a faster path for the many small allocations a parse makes (scripts/bench.sh measures both).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Answers the shell's completion requests (`COMPLETE=bash handoff …`) and exits.
    // The script it prints calls `handoff` from PATH, not the absolute path of the binary that
    // wrote it, so it keeps working when a venv or a package manager moves the binary.
    clap_complete::CompleteEnv::with_factory(<handoff::cli::Cli as clap::CommandFactory>::command)
        .completer("handoff")
        .complete();
    // Like any Unix filter: a reader that goes away (`handoff kinds | head -1`) ends the command
    // quietly with the usual status, instead of a failed write turning into a panic.
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = handoff::cli::Cli::parse();
    match handoff::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // An error may quote the repository (a path, a name, a line of a file): it reaches
            // the terminal and the CI log through the neutraliser.
            let log = handoff::support::words::log_lines;
            eprintln!("{}", log(&format!("error: {e}")));
            if let Some(help) = e.help() {
                eprintln!("{}", log(&format!("  help: {help}")));
            }
            ExitCode::from(2)
        }
    }
}
