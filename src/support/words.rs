//! How counts and days are written, everywhere the same: `1 packet`, `2 packets`; `day 0`,
//! `day +3`, `day -2`.

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

/// A day relative to day 0: `day 0`, `day +3`, `day -2`.
pub fn day(day: i64) -> String {
    format!("day {}", offset(day))
}

/// Whether `c` may not reach a terminal raw: C0 controls but tab and line feed, DEL, C1
/// controls, the bidirectional overrides, isolates and marks that reorder what a reader sees,
/// and the line and paragraph separators that some readers break a line at.
fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
        )
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

fn neutral_with(text: &str, keep_colour: bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_control) {
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
    fn counts_and_days_read_one_way() {
        assert_eq!(plural(1, "packet", "packets"), "1 packet");
        assert_eq!(plural(0, "packet", "packets"), "0 packets");
        assert_eq!(day(0), "day 0");
        assert_eq!(day(3), "day +3");
        assert_eq!(day(-2), "day -2");
        assert_eq!(offset(14), "+14");
    }
}
