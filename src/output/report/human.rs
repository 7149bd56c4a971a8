//! Diagnostics for people: rustc-style snippets (miette) and a one-line verdict per packet.

use super::Summary;
use super::repeated::Repeated;
use crate::facts::packet::source::SourceFile;
use crate::judgement::diagnostic::{Diagnostic, Severity};
use crate::judgement::verdict::Verdict;
use crate::support::words::plural;
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
    /// Warnings fail the gate too (`--deny-warnings`): quiet output keeps them, since they are
    /// reasons for the failure.
    pub deny_warnings: bool,
    /// One line a finding, `path:line:col: severity[rule] message`, instead of snippets
    /// (`--format concise`, and `--quiet`).
    pub concise: bool,
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
    let mut repeated = Repeated::default();
    for batch in verdicts.chunks(256) {
        write_packets(out, &mut repeated, batch.iter(), style)?;
    }
    out.write_all(repeated.text(style.color).as_bytes())?;
    write_summary(out, &Summary::of(verdicts), style)
}

/// The packets' reports in order, laid out on all cores: which findings are folded into
/// `repeated` is decided first, packet by packet, so the text never depends on the cores.
pub fn write_packets<'v>(
    out: &mut impl std::io::Write,
    repeated: &mut Repeated,
    verdicts: impl Iterator<Item = &'v Verdict>,
    style: Style,
) -> std::io::Result<()> {
    // One line a finding needs no folding: nothing is shown at length.
    let folded: Vec<(&Verdict, Vec<bool>)> = verdicts
        .map(|v| {
            let mask = match style.concise {
                true => Vec::new(),
                false => repeated.fold(v, |d| printed(v, d, style)),
            };
            (v, mask)
        })
        .collect();
    for part in
        crate::judgement::verdict::parallel_map(&folded, |(v, mask)| report_of(v, style, mask))
    {
        out.write_all(part.as_bytes())?;
    }
    Ok(())
}

/// Whether the report prints finding `d` of `v`: everything, or when quiet the reasons a
/// failing packet fails (its errors, and with --deny-warnings its warnings).
fn printed(v: &Verdict, d: &Diagnostic, style: Style) -> bool {
    if !style.quiet {
        return true;
    }
    !v.pass
        && (d.severity == Severity::Error
            || style.deny_warnings && d.severity == Severity::Warning && d.waived.is_none())
}

/// The closing summary line of a run (after a blank line when packets were reported).
pub fn write_summary(
    out: &mut impl std::io::Write,
    summary: &Summary,
    style: Style,
) -> std::io::Result<()> {
    if !style.quiet || summary.failed > 0 {
        if summary.packets > 0 && !style.quiet {
            out.write_all(b"\n")?;
        }
        writeln!(out, "{}", summary.line())?;
    }
    Ok(())
}

/// One packet's findings and its verdict line (nothing for a passing packet when quiet).
pub fn packet_report(v: &Verdict, style: Style) -> String {
    report_of(v, style, &[])
}

/// [`packet_report`] leaving out the findings `folded` marks (listed under their rule's heading
/// after the packets, see [`Repeated`]).
fn report_of(v: &Verdict, style: Style, folded: &[bool]) -> String {
    let mut out = String::new();
    if style.quiet && v.pass {
        return out;
    }
    if style.concise {
        for d in v.diagnostics.iter().filter(|d| printed(v, d, style)) {
            out.push_str(&concise_line(d, style.color));
            out.push('\n');
        }
        let _ = writeln!(out, "{}", verdict_line(v, style.color, 0));
        return match style.color {
            true => crate::support::words::neutral_keeping_colour(&out).into_owned(),
            false => crate::support::words::neutral(&out).into_owned(),
        };
    }
    let handler = handler(style.color);
    let unwrapped = handler.clone().with_wrap_lines(false);
    // The files' texts, read again (once per file) for the snippets.
    let mut texts: std::collections::HashMap<&str, Option<Arc<SourceFile>>> =
        std::collections::HashMap::new();
    for (i, d) in v.diagnostics.iter().enumerate() {
        // Quiet output keeps every reason for the failure: the errors, and with
        // --deny-warnings the warnings too.
        if !printed(v, d, style) || folded.get(i) == Some(&true) {
            continue;
        }
        let source = d.source.clone().or_else(|| {
            d.end?;
            texts
                .entry(d.file.as_str())
                .or_insert_with(|| {
                    match crate::facts::packet::read_text(std::path::Path::new(&d.file)) {
                        crate::facts::packet::ReadOutcome::Text(t)
                        | crate::facts::packet::ReadOutcome::Bad { lossy: Some(t), .. } => {
                            Some(Arc::new(SourceFile::new(d.file.as_str(), t)))
                        }
                        _ => None,
                    }
                })
                .clone()
        });
        // A finding whose texts hold control characters is laid out without colour and then
        // written out in full, so that nothing of the packet's reaches the terminal raw.
        let tainted = style.color
            && (has_controls(&d.message)
                || has_controls(&d.help)
                || source.as_ref().is_some_and(|f| has_controls(&f.text)));
        if tainted {
            let plain = handler_plain();
            out.push_str(&crate::support::words::neutral(&diagnostic_with(
                &plain, d, source,
            )));
            out.push('\n');
            continue;
        }
        out.push_str(&match Prewrapped::of(d, source.is_some()) {
            Some(texts) => match source {
                Some(file) => remembered(&unwrapped, d, file, texts, style.color),
                None => diagnostic_as(&unwrapped, d, None, Some(texts)),
            },
            None => diagnostic_with(&handler, d, source),
        });
        out.push('\n');
    }
    // Of the errors and warnings the line counts, how many are listed after the packets.
    let folded = folded
        .iter()
        .zip(&v.diagnostics)
        .filter(|(f, d)| **f && d.severity != Severity::Note)
        .count();
    let _ = writeln!(out, "{}", verdict_line(v, style.color, folded));
    // A finding quotes the packet; in a CI job's log no line of it may read as a command.
    match style.color {
        true => crate::support::words::log_lines_keeping_colour(&out).into_owned(),
        false => match crate::support::words::log_lines(&out) {
            std::borrow::Cow::Borrowed(_) => out,
            std::borrow::Cow::Owned(o) => o,
        },
    }
}

/// Whether a text holds a character [`crate::support::words::neutral`] writes out.
fn has_controls(text: &str) -> bool {
    matches!(
        crate::support::words::neutral(text),
        std::borrow::Cow::Owned(_)
    )
}

fn handler_plain() -> GraphicalReportHandler {
    handler(false)
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
        .with_context_lines(CONTEXT_LINES)
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
    diagnostic_as(handler, d, source, None)
}

/// [`diagnostic_with`], the message and help given already wrapped (for a handler that does not
/// wrap).
fn diagnostic_as(
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    source: Option<Arc<SourceFile>>,
    wrapped: Option<Prewrapped>,
) -> String {
    diagnostic_named(handler, d, source, wrapped, false)
}

/// [`diagnostic_as`]; with `marked`, the snippet names the file `NAME_MARK`.
fn diagnostic_named(
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    source: Option<Arc<SourceFile>>,
    wrapped: Option<Prewrapped>,
    marked: bool,
) -> String {
    let mut out = String::new();
    let shown = Shown {
        d,
        src: source.map(|s| Src(s, marked)),
        wrapped,
    };
    if handler.render_report(&mut out, &shown).is_err() {
        out = format!(
            "{}:{}:{}: {} [{}]\n  help: {}\n",
            d.file, d.pos.line, d.pos.column, d.message, d.rule, d.help
        );
    }
    out
}

/// One finding on one line, as compilers and linters print them for editors and `grep`:
/// `handoffs/a/handoff.md:23:8: error[answer-missing] `metric.kpi` is still a TODO placeholder`.
pub fn concise_line(d: &Diagnostic, color: bool) -> String {
    let (word, paint) = match d.severity {
        Severity::Error => ("error", "\x1b[31;1m"),
        Severity::Warning => ("warning", "\x1b[33;1m"),
        Severity::Note => ("note", "\x1b[36m"),
    };
    let severity = if color {
        format!("{paint}{word}\x1b[0m")
    } else {
        word.to_string()
    };
    let message: String = d
        .message
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let place = if d.end.is_some() || d.pos.line > 0 {
        format!("{}:{}:{}", d.file, d.pos.line.max(1), d.pos.column.max(1))
    } else {
        d.file.clone()
    };
    format!("{place}: {severity}[{}] {message}", d.rule)
}

fn verdict_line(v: &Verdict, color: bool, folded: usize) -> String {
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
    let counts = match (counts.is_empty(), folded) {
        (true, _) => String::new(),
        (false, 0) => format!(" ({})", counts.join(", ")),
        (false, n) if n >= v.errors + v.warnings => format!(
            " ({}; listed under repeated findings below)",
            counts.join(", ")
        ),
        (false, n) => format!(
            " ({}; {n} of them under repeated findings below)",
            counts.join(", ")
        ),
    };
    format!(
        "{word} {}  {} at the {} gate{counts}",
        crate::support::words::inline(&v.id),
        crate::support::words::inline(v.kind.as_deref().unwrap_or("no kind")),
        v.gate
    )
}

/// The lines miette is handed for a span of `len` bytes at `offset`, with `before` and `after`
/// lines of context (and the line after, where a span ending at a line's end reaches):
/// the span's start (clamped to the text), the window's first line, and its byte range.
fn window_of(
    file: &SourceFile,
    offset: usize,
    len: usize,
    before: usize,
    after: usize,
) -> (usize, usize, usize, usize) {
    let size = file.text.len();
    let start = offset.min(size);
    let end = offset.saturating_add(len).min(size);
    let first = file.pos(start).line; // 1-based
    let last = file.pos(end.saturating_sub(1).max(start)).line;
    let from_line = first.saturating_sub(before).max(1);
    let win_start = file.line_start(from_line);
    let to_line = last + after + 1;
    let win_end = if to_line < file.line_count() {
        file.line_start(to_line + 1)
    } else {
        size
    };
    (start, from_line, win_start, win_end.max(win_start))
}

/// A file's text for miette; the name shown is the file's, or `NAME_MARK` when laying out a
/// finding to remember (see [`remembered`]).
struct Src(Arc<SourceFile>, bool);

/// Stands for the file's name in a finding laid out to be remembered: one character no report
/// writes otherwise (a private-use code point), replaced by the name afterwards.
const NAME_MARK: &str = "\u{E000}";

impl Src {
    fn name(&self) -> String {
        if self.1 {
            NAME_MARK.to_string()
        } else {
            self.0.path().display().to_string()
        }
    }
}

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
                self.name(),
                inner.data(),
                *inner.span(),
                inner.line(),
                inner.column(),
                inner.line_count(),
            )));
        }
        let (start, from_line, win_start, win_end) =
            window_of(file, span.offset(), span.len(), before, after);
        let window = &text[win_start..win_end];
        let shifted = SourceSpan::new((start - win_start).into(), span.len());
        let inner = window.read_span(&shifted, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name(),
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

/// Lines of the file shown around a finding's span (miette's default, set so that the findings
/// remembered by [`remembered`] are keyed on exactly the lines shown).
const CONTEXT_LINES: usize = 1;

/// The width miette wraps at: the handler's 100 columns less its margin of 2.
const WRAP_WIDTH: usize = 98;

/// A diagnostic's message and help, wrapped the way miette would wrap them (by textwrap, at its
/// width, after indents of the same display width as its own), so that a handler that does not
/// wrap lays out the same text. Most findings of a large run say the same few things: each text
/// is wrapped once per thread and remembered, where miette would wrap it for every finding.
#[derive(Clone)]
struct Prewrapped {
    message: std::rc::Rc<str>,
    help: std::rc::Rc<str>,
}

/// Laid-out findings by everything their text depends on but the file's name (see
/// [`remembered`]).
type FindingCache = std::collections::HashMap<String, std::rc::Rc<str>>;

thread_local! {
    static FINDINGS: std::cell::RefCell<FindingCache> = std::cell::RefCell::default();
}

/// A finding with a snippet, laid out by miette once per distinct finding and remembered per
/// thread: packets made from one template fail on the same lines in the same way, and miette's
/// snippet layout is most of a human report's cost. What miette's text depends on is the key:
/// the colour setting, severity, rule, message, help and label, the span's place and line, and
/// the lines shown around it; the file's name is put in afterwards.
fn remembered(
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    file: Arc<SourceFile>,
    texts: Prewrapped,
    color: bool,
) -> String {
    let size = file.text.len();
    let end = d.pos.offset.saturating_add(d.len).min(size);
    if d.len == 0 || d.pos.offset >= end || !file.text.is_char_boundary(d.pos.offset) {
        return diagnostic_as(handler, d, Some(file), Some(texts));
    }
    // Exactly the lines `Src` hands miette for this span.
    let (start, from, win_start, win_end) =
        window_of(&file, d.pos.offset, d.len, CONTEXT_LINES, CONTEXT_LINES);
    let window = &file.text[win_start..win_end];
    let key = format!(
        "{color}\0{:?}\0{}\0{}\0{}\0{}\0{}\0{}\0{}\0{window}",
        d.severity,
        d.rule,
        texts.message,
        texts.help,
        d.label,
        from,
        start - win_start,
        d.len,
    );
    let name = file.path().display().to_string();
    if let Some(hit) = FINDINGS.with(|c| c.borrow().get(&key).cloned()) {
        return hit.replacen(NAME_MARK, &name, 1);
    }
    let laid_out = diagnostic_named(handler, d, Some(file.clone()), Some(texts.clone()), true);
    if laid_out.matches(NAME_MARK).count() != 1 {
        // A text of the finding holds the mark itself: laid out as it is, not remembered.
        return diagnostic_as(handler, d, Some(file), Some(texts));
    }
    let shown = laid_out.replacen(NAME_MARK, &name, 1);
    FINDINGS.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= 4096 {
            cache.clear();
        }
        cache.insert(key, laid_out.into());
    });
    shown
}

/// Which indents a text is wrapped after.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Indent {
    Error,
    Warning,
    Advice,
    Help,
}

/// Wrapped texts by indent and text.
type WrapCache = std::collections::HashMap<(Indent, Box<str>), std::rc::Rc<str>>;

thread_local! {
    static WRAPPED: std::cell::RefCell<WrapCache> = std::cell::RefCell::default();
}

impl Prewrapped {
    /// The wrapped texts of `d` (its message as [`Shown`] displays it), or `None` when a text is
    /// not one line without surrounding spaces: those miette wraps itself.
    fn of(d: &Diagnostic, has_source: bool) -> Option<Prewrapped> {
        let mut message = format!("{}: ", d.rule);
        if !has_source {
            let _ = write!(message, "{}: ", d.file);
        }
        message.push_str(&d.message);
        let simple = |t: &str| !t.is_empty() && t.trim() == t && !t.contains(['\n', '\r']);
        if !simple(&message) || !simple(&d.help) {
            return None;
        }
        let indent = match d.severity {
            Severity::Error => Indent::Error,
            Severity::Warning => Indent::Warning,
            Severity::Note => Indent::Advice,
        };
        Some(Prewrapped {
            message: wrapped(indent, &message),
            help: wrapped(Indent::Help, &d.help),
        })
    }
}

/// `text` wrapped after `indent`'s indents, lines joined by `\n` without the indents (which
/// miette adds back, in colour when it colours).
fn wrapped(indent: Indent, text: &str) -> std::rc::Rc<str> {
    WRAPPED.with(|cache| {
        let key = (indent, Box::<str>::from(text));
        if let Some(hit) = cache.borrow().get(&key) {
            return hit.clone();
        }
        let chars = miette::ThemeCharacters::unicode();
        let icon = |c: &str| (format!("  {c} "), format!("  {} ", chars.vbar));
        let (first, rest) = match indent {
            Indent::Error => icon(&chars.error),
            Indent::Warning => icon(&chars.warning),
            Indent::Advice => icon(&chars.advice),
            Indent::Help => ("  help: ".to_string(), " ".repeat(8)),
        };
        let options = textwrap::Options::new(WRAP_WIDTH)
            .initial_indent(&first)
            .subsequent_indent(&rest)
            .break_words(true);
        let mut out = String::with_capacity(text.len() + 8);
        for (i, line) in textwrap::wrap(text, options).iter().enumerate() {
            let indent = if i == 0 { &first } else { &rest };
            if i > 0 {
                out.push('\n');
            }
            out.push_str(line.strip_prefix(indent.as_str()).unwrap_or(line));
        }
        let out: std::rc::Rc<str> = out.into();
        let mut cache = cache.borrow_mut();
        // Bounded: a run of endlessly different texts keeps only the latest few thousand.
        if cache.len() >= 4096 {
            cache.clear();
        }
        cache.insert(key, out.clone());
        out
    })
}

struct Shown<'a> {
    d: &'a Diagnostic,
    src: Option<Src>,
    wrapped: Option<Prewrapped>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(wrapped) = &self.wrapped {
            return f.write_str(&wrapped.message);
        }
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
        match &self.wrapped {
            Some(wrapped) => Some(Box::new(&*wrapped.help)),
            None => Some(Box::new(&self.d.help)),
        }
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
    use proptest::prelude::*;

    /// Texts of words (long ones, hyphens, non-ASCII, wide characters, backticks) and runs of
    /// spaces between them.
    fn text() -> impl Strategy<Value = String> {
        let word = prop::sample::select(vec![
            "the",
            "`owner.name`",
            "is",
            "missing;",
            "well-known",
            "é",
            "日本語",
            "x",
            "--",
            "https://example.com/a/very/long/path/that/does/not/fit/on/one/line/of/the/report/at/all/ever",
            "handoffs/winback-email/runbook.md",
            "TODO:",
            "a-b-c-d-e-f-g-h",
            "—",
        ]);
        let gap = prop::sample::select(vec![" ", " ", " ", "  ", "   ", " - "]);
        prop::collection::vec((word, gap), 1..60).prop_map(|parts| {
            let mut t: String = parts.iter().map(|(w, g)| format!("{w}{g}")).collect();
            t.truncate(t.trim_end().len());
            t
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// Wrapped ahead and laid out by a handler that does not wrap, a finding reads exactly
        /// as miette wraps it itself, in colour or not, for every severity, with a snippet or
        /// without.
        #[test]
        fn prewrapped_findings_read_as_miette_wraps_them(
            message in text(),
            help in text(),
            severity in prop::sample::select(vec![Severity::Error, Severity::Warning, Severity::Note]),
            color in any::<bool>(),
            located in any::<bool>(),
        ) {
            let file = Arc::new(SourceFile::new("h.md", "---\nid: a\nowner:\n---\n".to_string()));
            let d = if located {
                Diagnostic::at(crate::judgement::diagnostic::RuleId::AnswerMissing, severity, &file, file.pos(12), 6, message, help)
            } else {
                Diagnostic::file_level(crate::judgement::diagnostic::RuleId::AnswerMissing, severity, "h.md", message, help)
            };
            let source = d.source.clone();
            let wrapped = Prewrapped::of(&d, source.is_some()).expect("one-line texts");
            let wrapping = handler(color);
            let unwrapped = handler(color).with_wrap_lines(false);
            prop_assert_eq!(
                diagnostic_as(&unwrapped, &d, source.clone(), Some(wrapped)),
                diagnostic_with(&wrapping, &d, source)
            );
        }
    }

    /// A remembered finding reads exactly as one laid out afresh: for every place in a file, in
    /// two files of the same text under different names (the second served from memory), in a
    /// file whose text differs just outside the lines shown, and in colour or not.
    #[test]
    fn remembered_findings_read_as_findings_laid_out_afresh() {
        let text = "---\nid: a\nowner:\n  name: TODO\nkpi: \"x\"\n---\n\n## Summary\n\nTODO: é 日本\n\n## Risks\n- none\n";
        let other = text.replace("## Risks", "## Dangers");
        for color in [false, true] {
            let unwrapped = handler(color).with_wrap_lines(false);
            for (name, body) in [
                ("handoffs/a/handoff.md", text.to_string()),
                ("handoffs/b/handoff.md", text.to_string()),
                ("handoffs/\u{E000}/handoff.md", text.to_string()),
                ("handoffs/c/handoff.md", other.clone()),
            ] {
                let file = Arc::new(SourceFile::new(name, body.clone()));
                for offset in (0..body.len()).filter(|o| body.is_char_boundary(*o)) {
                    for len in [1, 4, 30] {
                        let len = len.min(body.len() - offset);
                        let mut d = Diagnostic::at(
                            crate::judgement::diagnostic::RuleId::AnswerMissing,
                            Severity::Warning,
                            &file,
                            file.pos(offset),
                            len,
                            "`owner.name` is still a TODO placeholder",
                            "write who owns it",
                        );
                        d.label = "here".into();
                        let texts = Prewrapped::of(&d, true).expect("one line");
                        let fresh =
                            diagnostic_as(&unwrapped, &d, Some(file.clone()), Some(texts.clone()));
                        let kept = remembered(&unwrapped, &d, file.clone(), texts, color);
                        assert_eq!(
                            kept, fresh,
                            "{name} offset {offset} len {len} colour {color}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn texts_of_several_lines_are_left_to_miette() {
        let d = Diagnostic::file_level(
            crate::judgement::diagnostic::RuleId::UnknownKey,
            Severity::Error,
            "h.md",
            "two\nlines",
            "help",
        );
        assert!(Prewrapped::of(&d, false).is_none());
        let d = Diagnostic::file_level(
            crate::judgement::diagnostic::RuleId::UnknownKey,
            Severity::Error,
            "h.md",
            "one",
            " padded",
        );
        assert!(Prewrapped::of(&d, false).is_none());
        let d = Diagnostic::file_level(
            crate::judgement::diagnostic::RuleId::UnknownKey,
            Severity::Error,
            "h.md",
            "one",
            "help",
        );
        assert!(Prewrapped::of(&d, false).is_some());
    }

    /// The windowed read gives miette exactly what a full scan of the file gives it.
    #[test]
    fn windowed_spans_read_like_a_full_scan() {
        let text = "---\nid: a\r\nkind: x\n\n  k: \"TODO: é\"\nlast line\n\nend";
        let src = Src(Arc::new(SourceFile::new("h.md", text.to_string())), false);
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
