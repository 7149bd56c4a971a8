//! Manual pages for `handoff man`: clap's sections from the same definitions as `--help`, then
//! the sections a man page reader looks for (exit status, environment, files), tidied for
//! `mandoc -Tlint`.

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

/// The date in a page's title line: SOURCE_DATE_EPOCH when set (a reproducible build), else
/// today.
fn page_date() -> String {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|t| t.date_naive())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
        .format("%Y-%m-%d")
        .to_string()
}

/// A line's length as mandoc measures it: it reads a character beyond ASCII as its escape,
/// `\[u2026]` for `…`, eight bytes.
fn roff_len(line: &str) -> usize {
    line.chars().map(|c| if c.is_ascii() { 1 } else { 8 }).sum()
}

/// clap's page made clean for `mandoc -Tlint`: a blank line between two breaks is one vertical
/// space; text lines are wrapped before 80 bytes (never a macro line, nor the tag line after `.TP`,
/// and a continuation starting with `.` or `'` is guarded by `\&`); no space ends a line.
fn tidy(page: &str) -> String {
    let page = page.replace(".br\n\n.br\n", ".sp\n");
    let mut out = String::with_capacity(page.len() + 256);
    let mut after_tp = false;
    for line in page.lines() {
        let line = line.trim_end();
        let is_macro = line.starts_with('.') || line.starts_with('\'');
        if is_macro || after_tp || roff_len(line) <= 80 {
            out.push_str(line);
            out.push('\n');
        } else {
            // Leading spaces break the line and indent it in roff: they stay.
            let body = line.trim_start_matches(' ');
            let mut current = line[..line.len() - body.len()].to_string();
            let mut words_on_line = 0;
            for word in body.split(' ') {
                if words_on_line > 0
                    && !word.is_empty()
                    && roff_len(&current) + 1 + roff_len(word) > 76
                {
                    out.push_str(current.trim_end());
                    out.push('\n');
                    current.clear();
                    words_on_line = 0;
                }
                if words_on_line > 0 {
                    current.push(' ');
                } else if current.is_empty() && (word.starts_with('.') || word.starts_with('\'')) {
                    // A line starting so would be a request: `\&` is a zero-width character.
                    current.push_str("\\&");
                }
                current.push_str(word);
                words_on_line += 1;
            }
            out.push_str(&current);
            out.push('\n');
        }
        after_tp = line == ".TP";
    }
    out
}

/// The page of one command: clap's sections, then ours.
pub fn page(cmd: &clap::Command, see_also: &str) -> Result<Vec<u8>, std::io::Error> {
    let name = cmd.get_display_name().unwrap_or(cmd.get_name());
    let man = clap_mangen::Man::new(cmd.clone())
        .title(name.to_uppercase())
        .date(page_date())
        .source(format!("handoff {}", env!("CARGO_PKG_VERSION")))
        .manual("handoff manual");
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
    Ok(tidy(&String::from_utf8_lossy(&out)).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_wrapped_as_mandoc_counts_them() {
        let line = "`/handoff sign ROLE [PACKET…]` and `/handoff send\\-back PACKET REASON…` or \
                    `/handoff waive PACKET TARGET \\-\\-until DATE \\-\\-reason REASON…`, one a line";
        let page = tidy(line);
        assert!(page.lines().count() > 1, "{page}");
        for l in page.lines() {
            assert!(roff_len(l) <= 80, "{l}");
        }
        // A short line, or one of plain ASCII under 80 bytes, is left as it is.
        assert_eq!(tidy("a b c…"), "a b c…\n");
    }
}
