//! How counts and days are written, everywhere the same: `1 packet`, `2 packets`; `day 0`,
//! `day +3`, `day -2`; and the one neutraliser that every text of a packet, a kind or the
//! configuration passes on its way to a terminal, stderr, a CI job's log, an annotation, a job
//! summary, a calendar or a chat message: [`neutral`] for a text of many lines, [`inline`] for a
//! value inside a line, [`log_lines`] for a whole text bound for a log, [`code_span`] for a value
//! shown as code in markdown. Each writes a character it refuses as `\u{1b}`.

/// `1 error`, `2 errors`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A day relative to day 0 as a signed offset: `0`, `+3`, `-2`.
pub fn offset(day: i64) -> String {
    if day == 0 {
        "0".into()
    } else {
        format!("{day:+}")
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A day relative to day 0: `day 0`, `day +3`, `day -2`.
pub fn day(day: i64) -> String {
    format!("day {}", offset(day))
}

/// Whether `c` may not reach a terminal raw: C0 controls but tab and line feed, DEL, C1
/// controls (NEL among them), the line and paragraph separators, and the bidirectional marks,
/// embeddings, overrides and isolates that reorder what a reader sees.
fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{61c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Whether `bytes` (UTF-8) hold a character [`is_control`] names, told from the bytes alone: a
/// C0 control but tab and line feed, DEL, a C1 control (`C2 80..9F`), U+061C (`D8 9C`) or the
/// marks and separators from U+200E to U+2069 (`E2 80 8E`, …). A page is mostly ASCII, and
/// this is many times faster than decoding it.
fn holds_control(bytes: &[u8]) -> bool {
    // 32 bytes at a time, without branching on each (the compiler makes it a few vector
    // compares); only a stretch holding a C0 control or a byte from 0x7f up is read exactly.
    const STRETCH: usize = 32;
    let mut chunks = bytes.chunks_exact(STRETCH);
    let mut at = 0;
    for chunk in &mut chunks {
        let odd = chunk.iter().fold(false, |odd, &b| {
            odd | ((b < 0x20) & (b != b'\n') & (b != b'\t')) | (b >= 0x7f)
        });
        if odd && (at..at + STRETCH).any(|i| control_at(bytes, i)) {
            return true;
        }
        at += STRETCH;
    }
    (at..bytes.len()).any(|i| control_at(bytes, i))
}

/// Whether the character that starts at byte `i` (or the byte, when it is not a start) is one
/// [`is_control`] names.
fn control_at(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\n' | b'\t' => false,
        0..0x20 | 0x7f => true,
        0xc2 => bytes.get(i + 1).is_some_and(|n| (0x80..0xa0).contains(n)),
        0xd8 => bytes.get(i + 1) == Some(&0x9c),
        0xe2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0x8e | 0x8f | 0xa8..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    }
}

/// `text` safe for a terminal, a chat message or a page: every control character written out as
/// `\u{1b}` (so an OSC 8 link, a clipboard write or a screen clear in a packet shows as text).
/// A carriage return before a line feed stays (CRLF files); tab and line feed stay.
pub fn neutral(text: &str) -> std::borrow::Cow<'_, str> {
    neutral_with(text, false)
}

/// [`neutral`], keeping the colour sequences (`ESC [ 0-9; m`) this tool writes itself: for
/// output painted already, whose packet texts were made [`neutral`] before they were painted.
pub fn neutral_keeping_colour(text: &str) -> std::borrow::Cow<'_, str> {
    neutral_with(text, true)
}

/// A value (a name, a path, an answer, a database's message) for a place inside one line: as
/// [`neutral`], and line feeds and carriage returns written out too, so that the value cannot
/// start a line of its own; a value that itself starts with `::` (a workflow command of GitHub's
/// log, `::error …`, `::stop-commands::…`) has its first colon written out as `\u{3a}`.
pub fn inline(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = text
        .chars()
        .any(|c| is_control(c) || c == '\n' || c == '\r')
        || text.trim_start().starts_with("::");
    if !needs {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_control(c) || c == '\n' || c == '\r' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(guard_commands(&out).into_owned())
}

/// A whole text for a terminal or a CI job's log (a report, an error with its help): as
/// [`neutral`], and no line of it can be read as a workflow command: a line whose first
/// characters but blanks are `::` (the runner trims blanks before it looks) has that colon written
/// out as `\u{3a}`. The tool's own annotations (`--format github`) are written apart from it.
pub fn log_lines(text: &str) -> std::borrow::Cow<'_, str> {
    match neutral(text) {
        std::borrow::Cow::Borrowed(b) => guard_commands(b),
        std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(guard_commands(&o).into_owned()),
    }
}

/// [`log_lines`] keeping this tool's colour sequences ([`neutral_keeping_colour`]).
pub fn log_lines_keeping_colour(text: &str) -> std::borrow::Cow<'_, str> {
    match neutral_keeping_colour(text) {
        std::borrow::Cow::Borrowed(b) => guard_commands(b),
        std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(guard_commands(&o).into_owned()),
    }
}

/// Each line of `text` that would start a workflow command (`::` after blanks) with its first
/// colon written out.
fn guard_commands(text: &str) -> std::borrow::Cow<'_, str> {
    let starts = |line: &str| {
        line.trim_start_matches(|c: char| c.is_whitespace())
            .starts_with("::")
    };
    if !text.split('\n').any(starts) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if starts(line) {
            let blanks = line.len() - line.trim_start_matches(|c: char| c.is_whitespace()).len();
            out.push_str(&line[..blanks]);
            out.push_str("\\u{3a}");
            out.push_str(&line[blanks + 1..]);
        } else {
            out.push_str(line);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `value` as a markdown code span that shows it as it is: opened and closed by a run of
/// backticks longer than any run inside it (padded with a space where it starts or ends with a
/// backtick or a space), so that no backtick of the value can close it early and let what
/// follows be read as markdown or HTML. The value is made [`inline`] first.
pub fn code_span(value: &str) -> String {
    let value = inline(value);
    let mut longest = 0;
    let mut run = 0;
    for c in value.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    if value.is_empty() {
        return "` `".into();
    }
    let fence = "`".repeat(longest + 1);
    // CommonMark takes one space off each end when both ends have one and there is more.
    let pad = !value.trim_matches(' ').is_empty()
        && (value.starts_with(['`', ' ']) || value.ends_with(['`', ' ']));
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{value}{space}{fence}")
}

fn neutral_with(text: &str, keep_colour: bool) -> std::borrow::Cow<'_, str> {
    if !holds_control(text.as_bytes()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_control(c) {
            out.push(c);
            continue;
        }
        if c == '\r' && text[i + 1..].starts_with('\n') {
            out.push(c);
            continue;
        }
        if keep_colour && c == '\u{1b}' {
            let rest = &text[i + 1..];
            if let Some(params) = rest.strip_prefix('[') {
                let n = params
                    .bytes()
                    .take_while(|b| b.is_ascii_digit() || *b == b';')
                    .count();
                if params.as_bytes().get(n) == Some(&b'm') {
                    out.push(c);
                    out.push_str(&rest[..n + 2]);
                    for _ in 0..n + 2 {
                        chars.next();
                    }
                    continue;
                }
            }
        }
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_byte_scan_misses_no_control_character() {
        // The bytes tell exactly the characters the decoded test names.
        for c in (0..0x3000)
            .chain(0xfff0..0x10100)
            .filter_map(char::from_u32)
        {
            let text = format!("a{c}b");
            assert_eq!(
                holds_control(text.as_bytes()),
                is_control(c),
                "{:x}",
                c as u32
            );
        }
        assert!(!holds_control("plain — text\twith «quotes»\n".as_bytes()));
    }

    use super::*;

    #[test]
    fn control_characters_are_written_out() {
        assert_eq!(neutral("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            neutral("a\u{1b}]8;;https://x.test\u{7}b\u{1b}[2J\rc\r\n"),
            "a\\u{1b}]8;;https://x.test\\u{7}b\\u{1b}[2J\\u{d}c\r\n"
        );
        assert_eq!(neutral("\u{9b}31m \u{202e}"), "\\u{9b}31m \\u{202e}");
        assert_eq!(
            neutral("a\u{200f}b\u{61c}c\u{2028}d"),
            "a\\u{200f}b\\u{61c}c\\u{2028}d"
        );
        assert_eq!(
            neutral_keeping_colour("\u{1b}[31;1mFAIL\u{1b}[0m \u{1b}[2J \u{1b}]52;c;x\u{7}"),
            "\u{1b}[31;1mFAIL\u{1b}[0m \\u{1b}[2J \\u{1b}]52;c;x\\u{7}"
        );
    }

    #[test]
    fn a_value_never_starts_a_line_or_a_workflow_command() {
        assert_eq!(inline("Pat <p@x.test>"), "Pat <p@x.test>");
        assert_eq!(
            inline("Pat\n::error file=a::pwned\r"),
            "Pat\\u{a}::error file=a::pwned\\u{d}"
        );
        assert_eq!(inline("  ::stop-commands::x"), "  \\u{3a}:stop-commands::x");
        assert_eq!(
            inline("a\u{200f}b\u{2028}c\u{85}"),
            "a\\u{200f}b\\u{2028}c\\u{85}"
        );
        assert_eq!(
            log_lines("error: x\n  ::add-mask::y\n::warning::z\nok ::no\n"),
            "error: x\n  \\u{3a}:add-mask::y\n\\u{3a}:warning::z\nok ::no\n"
        );
        assert_eq!(log_lines("plain\nlines\n"), "plain\nlines\n");
    }

    #[test]
    fn a_code_span_is_fenced_longer_than_any_run_inside() {
        assert_eq!(code_span("a.md:3"), "`a.md:3`");
        assert_eq!(code_span("a``b"), "```a``b```");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span(""), "` `");
        assert_eq!(code_span("a\nb"), "`a\\u{a}b`");
    }

    #[test]
    fn counts_and_days_read_one_way() {
        assert_eq!(plural(1, "packet", "packets"), "1 packet");
        assert_eq!(plural(0, "packet", "packets"), "0 packets");
        assert_eq!(day(0), "day 0");
        assert_eq!(day(3), "day +3");
        assert_eq!(day(-2), "day -2");
        assert_eq!(offset(14), "+14");
    }
}
