//! The review document: a model built from the packet, rendered through minijinja templates
//! (embedded, or overridden in `.handoff/templates/`). Every packet value is escaped; packet
//! markdown is rendered to HTML and then sanitized, so no packet can put script in the page.

pub mod index;
pub mod kpi_chart;
pub mod model;
pub mod overview;
pub mod stats_charts;

use minijinja::{AutoEscape, Environment, Error as TemplateError};
use std::path::Path;

/// Built-in templates, by name.
pub static TEMPLATES: &[(&str, &str)] = &[
    (
        "packet.md.j2",
        include_str!("../../../templates/render/packet.md.j2"),
    ),
    (
        "packet.html.j2",
        include_str!("../../../templates/render/packet.html.j2"),
    ),
    (
        "index.md.j2",
        include_str!("../../../templates/render/index.md.j2"),
    ),
    (
        "index.html.j2",
        include_str!("../../../templates/render/index.html.j2"),
    ),
    (
        "stats.html.j2",
        include_str!("../../../templates/render/stats.html.j2"),
    ),
    (
        "style.css.j2",
        include_str!("../../../templates/render/style.css.j2"),
    ),
];

/// Where the repo's own templates live, relative to its root.
pub const OVERRIDE_DIR: &str = ".handoff/templates";

/// A template that failed, named with its file and line.
#[derive(Debug)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The templates: built-in ones, each replaced by `<root>/.handoff/templates/<name>` when present.
pub struct Templates {
    env: Environment<'static>,
    overridden: Vec<String>,
    root: std::path::PathBuf,
}

impl Templates {
    /// Load the templates for a repo.
    pub fn load(root: &Path) -> Result<Templates, RenderError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.contains(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.add_filter("md", md_escape);
        env.add_filter("code", md_code);
        env.add_filter("inline", inline_html);
        env.add_filter("md_inline", md_inline);
        env.add_filter("count", |n: usize, one: String, many: String| {
            crate::support::words::plural(n, &one, &many)
        });
        env.set_fuel(Some(FUEL));
        let mut overridden = Vec::new();
        for (name, builtin) in TEMPLATES {
            let path = root.join(OVERRIDE_DIR).join(name);
            let text = if crate::support::inside::exists(&path) {
                let text = crate::support::inside::read_text(
                    &path,
                    root,
                    crate::support::inside::MAX_BYTES,
                )
                .map_err(|e| {
                    RenderError(format!("{}: {e}", crate::support::paths::shown(&path)))
                })?;
                overridden.push(name.to_string());
                text
            } else {
                builtin.to_string()
            };
            env.add_template_owned(name.to_string(), text)
                .map_err(|e| RenderError(describe(&e, &overridden, root)))?;
        }
        Ok(Templates {
            env,
            overridden,
            root: root.to_path_buf(),
        })
    }

    /// Render a template with a context.
    pub fn render(&self, name: &str, ctx: impl serde::Serialize) -> Result<String, RenderError> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| RenderError(describe(&e, &self.overridden, &self.root)))?;
        let mut out = Capped {
            bytes: Vec::new(),
            cap: MAX_OUTPUT,
        };
        tmpl.render_captured_to(ctx, &mut out).map_err(|e| {
            if out.bytes.len() >= MAX_OUTPUT {
                RenderError(format!(
                    "{}: the document grew past {} MiB; a template override loops or repeats too much",
                    name,
                    MAX_OUTPUT / 1024 / 1024
                ))
            } else {
                RenderError(describe(&e, &self.overridden, &self.root))
            }
        })?;
        let text = String::from_utf8(out.bytes)
            .map_err(|_| RenderError(format!("{name}: the output is not UTF-8")))?;
        Ok(if name.ends_with(".md.j2") {
            tidy_markdown(&text)
        } else {
            text
        })
    }
}

/// The most work one template may do (minijinja's fuel), so a repo's override cannot loop
/// forever: far above what the built-in templates need for the largest packet.
pub const FUEL: u64 = 10_000_000;
/// The largest document `render` writes.
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// A writer that refuses to grow past its cap.
struct Capped {
    bytes: Vec<u8>,
    cap: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.cap {
            return Err(std::io::Error::other("output cap reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn describe(e: &TemplateError, overridden: &[String], root: &Path) -> String {
    let name = e.name().unwrap_or("?");
    let file = if overridden.iter().any(|o| o == name) {
        crate::support::paths::shown(&root.join(OVERRIDE_DIR).join(name))
    } else {
        format!("<built-in>/templates/render/{name}")
    };
    let line = e.line().map(|l| format!(" line {l}")).unwrap_or_default();
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    format!("template {file}{line}: {}{detail}", e.kind())
}

/// Markdown to HTML, then sanitized: no script, no event handlers, no `javascript:` links, no
/// external loads (images are dropped; links open only on click).
pub fn markdown_to_safe_html(markdown: &str) -> String {
    let mut opts = pulldown_cmark::Options::empty();
    opts.insert(pulldown_cmark::Options::ENABLE_TABLES);
    opts.insert(pulldown_cmark::Options::ENABLE_TASKLISTS);
    opts.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        flatten_deep(pulldown_cmark::Parser::new_ext(markdown, opts)),
    );
    SANITIZER.clean(&html).to_string()
}

/// What packet HTML may keep: no images, task-list checkboxes, links to `http(s)` and `mailto`
/// only, each opened without the page's context. Built once: a site renders thousands of pages.
static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.rm_tags(["img"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer"));
    b
});

/// The packet's markdown made safe to paste where markdown becomes HTML (a wiki, a chat): raw
/// HTML turns into visible text, images into plain links, and links keep their target only when
/// it is `http(s)` or `mailto` (any other link keeps its text and loses its target).
pub fn markdown_to_safe_markdown(markdown: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
    let mut opts = pulldown_cmark::Options::empty();
    opts.insert(pulldown_cmark::Options::ENABLE_TABLES);
    opts.insert(pulldown_cmark::Options::ENABLE_TASKLISTS);
    opts.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    let events = flatten_deep(pulldown_cmark::Parser::new_ext(markdown, opts)).map(|event| {
        match event {
            // Shown as text: inside a paragraph the writer escapes its `<`.
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("")
                },
                title,
                id,
            }),
            Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
            other => other,
        }
    });
    let mut out = String::new();
    match pulldown_cmark_to_cmark::cmark(events, &mut out, opts) {
        Ok(_) => out,
        Err(_) => md_escape(markdown.to_string()),
    }
}

/// Whether a link target may appear in a document: `http(s)` or `mailto`, nothing else.
pub fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// How deep block quotes and lists may nest in rendered output; deeper ones are flattened.
pub const MAX_NESTING: usize = 16;

/// Drop the start and end of block quotes, lists and list items nested deeper than
/// [`MAX_NESTING`], keeping their content. A line of 80,000 `> ` would otherwise become 80,000
/// nested elements, which the HTML sanitizer handles in quadratic time.
pub fn flatten_deep<'a>(
    events: impl Iterator<Item = pulldown_cmark::Event<'a>>,
) -> impl Iterator<Item = pulldown_cmark::Event<'a>> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut kept: Vec<bool> = Vec::new();
    events.filter(move |event| match event {
        Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) => {
            let keep = kept.len() < MAX_NESTING;
            kept.push(keep);
            keep
        }
        Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
            kept.pop().unwrap_or(true)
        }
        _ => true,
    })
}

/// Escape text for a markdown table cell or line: no raw HTML, no table breaks.
fn md_escape(value: String) -> String {
    if !value.contains(['\\', '|', '<', '>', '[', ']', '\r', '\n']) {
        return value;
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' | '|' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A line of plain text for HTML, escaped, with its `code spans` set as code: a question's
/// wording shows `[]` as code, never as raw backticks.
fn inline_html(value: String) -> minijinja::Value {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let mut parts: Vec<String> = value.split('`').map(str::to_string).collect();
    // A stray backtick (an odd number of them) stays text, joined to what follows it.
    if parts.len().is_multiple_of(2)
        && let Some(last) = parts.pop()
        && let Some(before) = parts.last_mut()
    {
        before.push('`');
        before.push_str(&last);
    }
    let mut out = String::with_capacity(value.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(&escape(part));
            out.push_str("</code>");
        } else {
            out.push_str(&escape(part));
        }
    }
    minijinja::Value::from_safe_string(out)
}

/// A line of plain text for markdown: escaped like [`md_escape`], its `code spans` kept as
/// code (escaping inside a code span would show the backslashes).
fn md_inline(value: String) -> String {
    let parts: Vec<&str> = value.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // A stray backtick: escape it all.
        return md_escape(value.replace('`', "\\`"));
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                md_code(part.to_string())
            } else {
                md_escape(part.to_string())
            }
        })
        .collect()
}

/// A markdown code span holding `value` as is: fenced with more backticks than it contains,
/// its pipes escaped (a table cell ends at a bare pipe even inside code), on one line.
fn md_code(value: String) -> String {
    let value = value.replace(['\r', '\n'], " ").replace('|', "\\|");
    let longest = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if value.starts_with('`') || value.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{value}{pad}{fence}")
}

/// Markdown made tidy to paste: no run of blank lines (outside fenced code), no trailing spaces
/// on table rows.
pub fn tidy_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
        }
        // Whitespace-only lines are blank; table rows lose their trailing spaces (other lines
        // keep theirs, which may be a hard line break).
        let line = if line.trim().is_empty() {
            ""
        } else if trimmed.starts_with('|') {
            line.trim_end()
        } else {
            line
        };
        if line.is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// A link target as it may stand in a document: only `http(s)` and `mailto`, with the characters
/// that could end a markdown link or an HTML attribute percent-encoded.
pub fn clean_url(url: &str) -> Option<String> {
    let url = url.trim();
    if !safe_url(url) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '<' | '>' | '(' | ')' | '"' | '\'' | '`' | '\\' | '[' | ']' | '{' | '}' | '|' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c if c.is_control() || c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn md_escape_escapes_what_markdown_would_read() {
        for (text, want) in [
            ("plain words", "plain words"),
            ("a|b <c> [d] \\e", "a\\|b \\<c\\> \\[d\\] \\\\e"),
            ("two\r\nlines\nhere", "two  lines here"),
            ("déjà — vu", "déjà — vu"),
        ] {
            assert_eq!(md_escape(text.to_string()), want, "{text:?}");
        }
    }

    use super::*;

    #[test]
    fn sanitizer_drops_script_handlers_and_external_loads() {
        let html = markdown_to_safe_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) <b onclick=\"x()\">b</b> ![i](https://evil.test/i.png)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(
            !html.contains("onerror") && !html.contains("onclick"),
            "{html}"
        );
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("evil.test"), "{html}");
        assert!(html.contains("<b>b</b>"), "{html}");
    }

    #[test]
    fn safe_markdown_keeps_no_html_and_no_unsafe_links() {
        let md = markdown_to_safe_markdown(
            "Hi <script>alert(1)</script> there\n\n<iframe src=x></iframe>\n\n<meta http-equiv=refresh content=0>\n\n[a](javascript:alert(1)) [b](data:text/html,x) [c](https://ok.test/) ![i](https://evil.test/i.png)\n\n- [x] done\n",
        );
        let html = {
            let mut h = String::new();
            pulldown_cmark::html::push_html(&mut h, pulldown_cmark::Parser::new(&md));
            h
        };
        for bad in [
            "<script",
            "<iframe",
            "<meta",
            "javascript:",
            "data:",
            "<img",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}\nfrom {md}");
        }
        assert!(html.contains("href=\"https://ok.test/\""), "{html}");
        assert!(md.contains("[x] done"), "{md}");
    }

    #[test]
    fn inline_code_spans_become_code_and_the_rest_is_escaped() {
        let html = |s: &str| inline_html(s.to_string()).to_string();
        assert_eq!(
            html("Write `[]` when <none>"),
            "Write <code>[]</code> when &lt;none&gt;"
        );
        assert_eq!(html("a ` b"), "a ` b");
        assert_eq!(html("`<x>` and `y"), "<code>&lt;x&gt;</code> and `y");
    }

    #[test]
    fn markdown_lines_keep_their_code_spans() {
        assert_eq!(
            md_inline("Write `[]` when [none]".into()),
            "Write `[]` when \\[none\\]"
        );
    }

    #[test]
    fn markdown_escape_keeps_tables_intact() {
        assert_eq!(md_escape("a|b\n<i>".into()), "a\\|b \\<i\\>");
        assert_eq!(
            md_escape("[x](javascript:alert(1))".into()),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(
            clean_url("https://x/) <img src=x onerror=alert(1)>").as_deref(),
            Some("https://x/%29%20%3Cimg%20src=x%20onerror=alert%281%29%3E")
        );
        assert_eq!(clean_url("javascript:alert(1)"), None);
    }
}
