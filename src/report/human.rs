//! Diagnostics for people: rustc-style snippets (miette) and a one-line verdict per packet.

use super::{Summary, plural};
use crate::diagnostic::{Diagnostic, Severity};
use crate::packet::source::SourceFile;
use crate::verdict::Verdict;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt::{self, Write as _};
use std::sync::Arc;

/// Output settings for people.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Print only failures.
    pub quiet: bool,
}

/// Render a whole check run.
pub fn render(verdicts: &[Verdict], style: Style) -> String {
    let mut out = Vec::new();
    let _ = write(&mut out, verdicts, style);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`] straight into `out`, a batch of packets at a time: each packet's report is laid out
/// on its own core, the batch is written in packet order, and its text is let go before the next.
pub fn write(
    out: &mut impl std::io::Write,
    verdicts: &[Verdict],
    style: Style,
) -> std::io::Result<()> {
    for batch in verdicts.chunks(256) {
        for part in crate::verdict::parallel_map(batch, |v| packet_report(v, style)) {
            out.write_all(part.as_bytes())?;
        }
    }
    let summary = Summary::of(verdicts);
    if !style.quiet || summary.failed > 0 {
        if !verdicts.is_empty() && !style.quiet {
            out.write_all(b"\n")?;
        }
        writeln!(out, "{}", summary.line())?;
    }
    Ok(())
}

/// One packet's findings and its verdict line (nothing for a passing packet when quiet).
fn packet_report(v: &Verdict, style: Style) -> String {
    let mut out = String::new();
    if style.quiet && v.pass {
        return out;
    }
    let handler = handler(style.color);
    // The files' texts, read again (once per file) for the snippets.
    let mut texts: std::collections::HashMap<&str, Option<Arc<SourceFile>>> =
        std::collections::HashMap::new();
    for d in &v.diagnostics {
        if style.quiet && d.severity != Severity::Error {
            continue;
        }
        let source = d.source.clone().or_else(|| {
            d.end?;
            texts
                .entry(d.file.as_str())
                .or_insert_with(
                    || match crate::packet::read_text(std::path::Path::new(&d.file)) {
                        crate::packet::ReadOutcome::Text(t)
                        | crate::packet::ReadOutcome::Bad { lossy: Some(t), .. } => {
                            Some(Arc::new(SourceFile::new(d.file.as_str(), t)))
                        }
                        _ => None,
                    },
                )
                .clone()
        });
        out.push_str(&diagnostic_with(&handler, d, source));
        out.push('\n');
    }
    let _ = writeln!(out, "{}", verdict_line(v, style.color));
    out
}

/// The miette handler for a colour setting.
pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// One diagnostic as text.
pub fn diagnostic(handler: &GraphicalReportHandler, d: &Diagnostic) -> String {
    diagnostic_with(handler, d, d.source.clone())
}

/// One diagnostic as text, its snippet from `source`.
fn diagnostic_with(
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    source: Option<Arc<SourceFile>>,
) -> String {
    let mut out = String::new();
    let shown = Shown {
        d,
        src: source.map(Src),
    };
    if handler.render_report(&mut out, &shown).is_err() {
        out = format!(
            "{}:{}:{}: {} [{}]\n  help: {}\n",
            d.file, d.pos.line, d.pos.column, d.message, d.rule, d.help
        );
    }
    out
}

fn verdict_line(v: &Verdict, color: bool) -> String {
    let (word, paint) = if v.pass {
        ("pass", "\x1b[32m")
    } else {
        ("FAIL", "\x1b[31;1m")
    };
    let word = if color {
        format!("{paint}{word}\x1b[0m")
    } else {
        word.to_string()
    };
    let mut counts = Vec::new();
    if v.errors > 0 {
        counts.push(plural(v.errors, "error", "errors"));
    }
    if v.warnings > 0 {
        counts.push(plural(v.warnings, "warning", "warnings"));
    }
    let counts = if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    };
    format!(
        "{word} {}  {} at the {} gate{counts}",
        v.id,
        v.kind.as_deref().unwrap_or("no kind"),
        v.gate
    )
}

struct Src(Arc<SourceFile>);

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette scans a source from its start for every span; with many findings in one file
        // that is quadratic. Hand it only the lines around the span (found through the file's
        // line index) and shift what it finds back into place: the same text, read once.
        let file = &self.0;
        let text = file.text.as_bytes();
        if span.is_empty() {
            // miette reads an empty span at the start of its input differently; keep its answer.
            let inner = text.read_span(span, before, after)?;
            return Ok(Box::new(MietteSpanContents::new_named(
                file.path().display().to_string(),
                inner.data(),
                *inner.span(),
                inner.line(),
                inner.column(),
                inner.line_count(),
            )));
        }
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let first = file.pos(start).line; // 1-based
        let last = file.pos(end.saturating_sub(1).max(start)).line;
        let from_line = first.saturating_sub(before).max(1);
        let win_start = file.line_start(from_line);
        let to_line = last + after + 1;
        let win_end = if to_line < file.line_count() {
            file.line_start(to_line + 1)
        } else {
            text.len()
        };
        let window = &text[win_start..win_end.max(win_start)];
        let shifted = SourceSpan::new((start - win_start).into(), span.len());
        let inner = window.read_span(&shifted, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            file.path().display().to_string(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + win_start).into(),
                inner.span().len(),
            ),
            inner.line() + (from_line - 1),
            inner.column(),
            inner.line_count(),
        )))
    }
}

struct Shown<'a> {
    d: &'a Diagnostic,
    src: Option<Src>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.d.rule)?;
        if self.src.is_none() {
            write!(f, "{}: ", self.d.file)?;
        }
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.d.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.src.as_ref()?;
        let label = (!self.d.label.is_empty()).then(|| self.d.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new(
            label,
            self.d.pos.offset,
            self.d.len,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The windowed read gives miette exactly what a full scan of the file gives it.
    #[test]
    fn windowed_spans_read_like_a_full_scan() {
        let text = "---\nid: a\r\nkind: x\n\n  k: \"TODO: é\"\nlast line\n\nend";
        let src = Src(Arc::new(SourceFile::new("h.md", text.to_string())));
        for offset in 0..text.len() {
            if !text.is_char_boundary(offset) {
                continue;
            }
            for len in [0, 1, 2, 5, 12] {
                let len = len.min(text.len() - offset);
                for ctx in [0, 1, 2] {
                    let span = SourceSpan::new(offset.into(), len);
                    let full = text.read_span(&span, ctx, ctx).unwrap();
                    let ours = src.read_span(&span, ctx, ctx).unwrap();
                    let at = format!("offset {offset} len {len} context {ctx}");
                    assert_eq!(ours.data(), full.data(), "{at}");
                    assert_eq!(ours.span(), full.span(), "{at}");
                    assert_eq!(ours.line(), full.line(), "{at}");
                    assert_eq!(ours.column(), full.column(), "{at}");
                }
            }
        }
    }
}
