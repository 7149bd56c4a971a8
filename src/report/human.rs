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
    let handler = handler(style.color);
    let mut out = String::new();
    for v in verdicts {
        if style.quiet && v.pass {
            continue;
        }
        for d in &v.diagnostics {
            if style.quiet && d.severity != Severity::Error {
                continue;
            }
            out.push_str(&diagnostic(&handler, d));
            out.push('\n');
        }
        let _ = writeln!(out, "{}", verdict_line(v, style.color));
    }
    let summary = Summary::of(verdicts);
    if !style.quiet || summary.failed > 0 {
        if !verdicts.is_empty() && !style.quiet {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", summary.line());
    }
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
    let mut out = String::new();
    let shown = Shown {
        d,
        src: d.source.clone().map(Src),
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
        let inner = self.0.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.path().display().to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
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
