//! `handoff man`: manual pages from the same definitions as `--help`, with the sections a man
//! page reader looks for (exit status, environment, files).

use super::Env;
use crate::facts::error::Error;
use crate::output::man::page;
use std::path::Path;

/// Print the main page, or write every page into `out_dir`.
pub fn run(env: &Env, out_dir: Option<&Path>, cli: clap::Command) -> Result<u8, Error> {
    let mut cmd = cli.disable_help_subcommand(true);
    cmd.build();
    let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    let all_pages: Vec<String> = subs
        .iter()
        .map(|s| {
            format!(
                "\\fB{}\\fR(1)",
                s.get_display_name().unwrap_or(s.get_name())
            )
        })
        .collect();
    let Some(dir) = out_dir else {
        let stdout = Path::new("<stdout>");
        let text = page(&cmd, &all_pages.join(", ")).map_err(io(stdout))?;
        use std::io::Write as _;
        std::io::stdout().write_all(&text).map_err(io(stdout))?;
        return Ok(0);
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let main = dir.join("handoff.1");
    let text = page(&cmd, &all_pages.join(", ")).map_err(io(&main))?;
    crate::facts::atomic::write_output(&main, &String::from_utf8_lossy(&text))?;
    let written = 1 + write_pages(dir, &subs)?;
    if !env.quiet {
        println!(
            "Wrote {} to {}",
            crate::support::words::plural(written, "manual page", "manual pages"),
            crate::support::paths::shown(dir)
        );
    }
    Ok(0)
}

/// Why writing the manual to `path` failed.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io {
        path,
        doing: "cannot write the manual",
        source,
    }
}

/// Write the page of every command in `subs`, and of theirs (`metrics pull`), into `dir`; returns
/// how many were written.
fn write_pages(dir: &Path, subs: &[&clap::Command]) -> Result<usize, Error> {
    let pages = subs.iter().flat_map(|s| {
        std::iter::once((*s, None)).chain(
            s.get_subcommands()
                .filter(|n| !n.is_hide_set() && n.get_name() != "help")
                .map(|n| (n, Some(*s))),
        )
    });
    let mut written = 0;
    for (sub, parent) in pages {
        let man = clap_mangen::Man::new(sub.clone());
        let path = dir.join(man.get_filename());
        // A nested command names its parent too: handoff-metrics-pull → handoff-metrics.
        let see_also = match parent.and_then(|p: &clap::Command| p.get_display_name()) {
            Some(parent) => format!("\\fBhandoff\\fR(1), \\fB{parent}\\fR(1)"),
            None => "\\fBhandoff\\fR(1)".to_string(),
        };
        let text = page(sub, &see_also).map_err(io(&path))?;
        crate::facts::atomic::write_output(&path, &String::from_utf8_lossy(&text))?;
        written += 1;
    }
    Ok(written)
}
