//! `handoff man`: manual pages from the same definitions as `--help`, with the sections a man
//! page reader looks for (exit status, environment, files).

use super::Env;
use crate::facts::error::Error;
use std::path::Path;

const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success: every packet passes its gate (\fBcheck\fR), or the command did what it was asked.
.TP
\fB1\fR
A gate failed: a packet fails (\fBcheck\fR, \fBstatus --check\fR), or \fBlog\fR flagged a sign-off the packet still carries.
.TP
\fB2\fR
The command could not run: bad arguments, an unreadable configuration or kind, an unknown packet, or a refused edit (\fBsign\fR, \fBwaive\fR).
"#;

const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBHANDOFF_TODAY\fR
The day to check as of (YYYY-MM-DD), like \fB--today\fR.
.TP
\fBNO_COLOR\fR, \fBCLICOLOR\fR, \fBCLICOLOR_FORCE\fR, \fBTERM\fR
Colour: none when NO_COLOR is set, CLICOLOR is 0 or TERM is dumb; forced by CLICOLOR_FORCE; else only on a terminal. \fB--color\fR overrides them.
.TP
\fBGIT_AUTHOR_NAME\fR, \fBGIT_AUTHOR_EMAIL\fR
Who signs and waives, as git's author identity (else git's user.name and user.email).
"#;

const FILES: &str = r#".SH FILES
.TP
\fBhandoff.toml\fR
The configuration, found by walking up to the git root: the packets folder, the default kind, weekends, [people] (who holds which sign-off role) and [slack].
.TP
\fBhandoffs/<id>/handoff.md\fR
A packet: YAML front matter answering the kind's questions, and a markdown body with the acceptance criteria.
.TP
\fB.handoff/kinds/<kind>/kind.yaml\fR
A repository's own kinds, or overrides of the built-in ones (see \fBhandoff kinds --help\fR).
.TP
\fB.handoff/templates/*.j2\fR
Overrides of the review document's templates.
"#;

/// The page of one command: clap's sections, then ours.
fn page(cmd: &clap::Command, see_also: &str) -> Result<Vec<u8>, std::io::Error> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    if cmd.get_subcommands().next().is_some() {
        man.render_subcommands_section(&mut out)?;
    }
    for section in [EXIT_STATUS, ENVIRONMENT, FILES] {
        out.extend_from_slice(section.as_bytes());
    }
    out.extend_from_slice(format!(".SH \"SEE ALSO\"\n{see_also}\n").as_bytes());
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Print the main page, or write every page into `out_dir`.
pub fn run(env: &Env, out_dir: Option<&Path>, cli: clap::Command) -> Result<u8, Error> {
    let mut cmd = cli.disable_help_subcommand(true);
    cmd.build();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io {
            path,
            doing: "cannot write the manual",
            source,
        }
    };
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
        let text = page(&cmd, &all_pages.join(", ")).map_err(io(Path::new("<stdout>")))?;
        use std::io::Write as _;
        std::io::stdout()
            .write_all(&text)
            .map_err(io(Path::new("<stdout>")))?;
        return Ok(0);
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    let main = dir.join("handoff.1");
    let text = page(&cmd, &all_pages.join(", ")).map_err(io(&main))?;
    crate::facts::atomic::write_output(&main, &String::from_utf8_lossy(&text))?;
    written.push(main);
    for sub in subs {
        let man = clap_mangen::Man::new(sub.clone());
        let path = dir.join(man.get_filename());
        let text = page(sub, "\\fBhandoff\\fR(1)").map_err(io(&path))?;
        crate::facts::atomic::write_output(&path, &String::from_utf8_lossy(&text))?;
        written.push(path);
    }
    if !env.quiet {
        println!(
            "Wrote {} to {}",
            crate::support::words::plural(written.len(), "manual page", "manual pages"),
            crate::support::paths::shown(dir)
        );
    }
    Ok(0)
}
