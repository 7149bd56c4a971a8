//! Loading a packet: `handoff.md` split into front matter (a YAML tree with positions) and body
//! (markdown sections and task items). A packet is parsed once; every command uses this model.

pub mod body;
pub mod edit;
pub mod files;
pub(crate) mod git_index;
pub mod source;
pub mod tree;
pub mod yaml;

use crate::facts::gate::Status;
use body::Body;
use chrono::NaiveDate;
use source::{Pos, SourceFile};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use yaml::Node;

/// The packet file every packet folder must have.
pub const PACKET_FILE: &str = "handoff.md";
/// Files larger than this are refused rather than parsed.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// What went wrong while loading a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Missing, unreadable, too large, binary or not UTF-8.
    File,
    /// No front matter, or front matter never closed.
    FrontMatter,
    /// The front matter is not acceptable YAML.
    Yaml,
}

/// A located problem found while loading.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Which kind of problem.
    pub kind: ProblemKind,
    /// Where (line 1 when the file has no usable text).
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

/// One packet folder, loaded.
#[derive(Debug)]
pub struct Packet {
    /// The folder name, which is the packet id.
    pub id: String,
    /// The packet folder.
    pub dir: PathBuf,
    /// `handoff.md`, when it could be read as text.
    pub file: Option<Arc<SourceFile>>,
    /// The front matter, when it parsed.
    pub front: Option<Node>,
    /// Byte range of the front matter's YAML text (between the `---` lines).
    pub front_range: (usize, usize),
    /// The markdown body.
    pub body: Body,
    /// Byte offset where the markdown body starts.
    body_start: usize,
    /// Problems met while loading.
    pub problems: Vec<Problem>,
    /// The sign-off digest, computed once when first asked for (it reads every file).
    pub digest: std::sync::OnceLock<String>,
    /// The packet's files ([`files::list`]), listed once when first asked for.
    pub listed: std::sync::OnceLock<Vec<String>>,
    /// What each of [`Packet::files`] is ([`files::target`] within the packet), looked up once.
    targets: std::sync::OnceLock<Vec<files::Target>>,
    /// The size of `handoff.md` when it was read from disk as a regular file (not a link).
    read_len: Option<u64>,
}

/// A text file read with the limits every packet file gets.
pub enum ReadOutcome {
    /// The text, as UTF-8.
    Text(String),
    /// Why it cannot be used, and where (for non-UTF-8 bytes).
    Bad {
        message: String,
        help: String,
        at: Option<Pos>,
        lossy: Option<String>,
    },
}

/// Read a file as UTF-8 text, refusing huge, binary and non-UTF-8 files with a reason.
pub fn read_text(path: &Path) -> ReadOutcome {
    match open_for_reading(path, false) {
        Ok(file) => read_open(file).0,
        Err(e) => open_failed(&e),
    }
}

/// Open a file to read it, never blocking: a pipe or a device opens at once (and is then refused
/// by [`read_open`], which looks at what was opened rather than at the name beforehand: one
/// lookup of the path, not two). With `nofollow`, a symbolic link fails to open (`ELOOP`).
fn open_for_reading(path: &Path, nofollow: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let follow = if nofollow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | follow);
    }
    #[cfg(not(unix))]
    if nofollow && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other("a symbolic link"));
    }
    options.open(path)
}

/// Whether opening with `nofollow` failed because the file is a symbolic link.
fn is_link_refused(path: &Path, e: &std::io::Error) -> bool {
    #[cfg(unix)]
    let refused = e.raw_os_error() == Some(libc::ELOOP);
    #[cfg(not(unix))]
    let refused = e.kind() == std::io::ErrorKind::Other;
    // ELOOP also means a loop of links on the way: only a link at the end is this case.
    refused && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn open_failed(e: &std::io::Error) -> ReadOutcome {
    let (message, help) = if e.kind() == std::io::ErrorKind::NotFound {
        (
            "the file does not exist".to_string(),
            "create it, or fix the name that points to it",
        )
    } else {
        (
            format!("the file cannot be read: {e}"),
            "check the file's permissions",
        )
    };
    ReadOutcome::Bad {
        message,
        help: help.to_string(),
        at: None,
        lossy: None,
    }
}

/// Read an opened file as UTF-8 text with the limits of [`read_text`]; also its size when it is
/// a regular file.
fn read_open(file: std::fs::File) -> (ReadOutcome, Option<u64>) {
    let bad = |message: String, help: &str| ReadOutcome::Bad {
        message,
        help: help.to_string(),
        at: None,
        lossy: None,
    };
    // A pipe or a device would block or never end: only regular files are read.
    let meta = file.metadata().ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        return (
            bad(
                "this is a folder, not a file".into(),
                "point to a file inside the folder",
            ),
            None,
        );
    }
    if meta.as_ref().is_some_and(|m| !m.is_file()) {
        return (
            bad(
                "this is not a regular file (a pipe or a device)".into(),
                "replace it with a text file",
            ),
            None,
        );
    }
    let len = meta.as_ref().map(|m| m.len());
    (read_bytes(file, len), len)
}

fn read_bytes(file: std::fs::File, len: Option<u64>) -> ReadOutcome {
    let bad = |message: String, help: &str| ReadOutcome::Bad {
        message,
        help: help.to_string(),
        at: None,
        lossy: None,
    };
    // Sized once from the file's length (read to its end all the same, in case it grew).
    let size = len.map_or(0, |len| len.min(MAX_FILE_BYTES + 1) as usize);
    let mut bytes = Vec::with_capacity(size + 1);
    if let Err(e) = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        return bad(
            format!("the file cannot be read: {e}"),
            "check the file's permissions",
        );
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return bad(
            format!(
                "the file is larger than {} MiB",
                MAX_FILE_BYTES / 1024 / 1024
            ),
            "keep packet files short; move bulk data into a linked file outside the packet",
        );
    }
    if bytes.contains(&0) {
        return bad(
            "the file is binary (it contains NUL bytes)".into(),
            "packet files are UTF-8 markdown; replace it with text",
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => ReadOutcome::Text(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let prefix = SourceFile::new(
                "",
                String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned(),
            );
            let pos = prefix.pos(valid);
            ReadOutcome::Bad {
                message: format!(
                    "the file is not valid UTF-8 (invalid byte at line {}, column {})",
                    pos.line, pos.column
                ),
                help: "save the file as UTF-8".into(),
                at: Some(pos),
                lossy: Some(lossy),
            }
        }
    }
}

/// The body of `file` from `start`: `prev`'s, moved into place, when it is the same text.
fn body_after(prevs: &[&Packet], file: &SourceFile, start: usize) -> Body {
    let reused = prevs.iter().find_map(|p| {
        let old = p.file.as_ref()?;
        let (was, now) = (old.pos(p.body_start), file.pos(start));
        // Columns carry over only where both bodies start a line.
        let same = was.column == 1 && now.column == 1;
        (same && old.text.get(p.body_start..)? == file.text.get(start..)?).then(|| {
            let lines = now.line as isize - was.line as isize;
            p.body
                .shifted(start as isize - p.body_start as isize, lines)
        })
    });
    reused.unwrap_or_else(|| Body::parse(file, start))
}

impl Packet {
    /// Load the packet in `dir`; `shown` is the folder path as the user should see it.
    pub fn load(dir: &Path, shown: &Path) -> Packet {
        let path = dir.join(PACKET_FILE);
        // Opened without following a link: one lookup of the path tells a link, a missing file
        // and a file to read apart.
        let (outcome, read_len) = match open_for_reading(&path, true) {
            Ok(file) => read_open(file),
            Err(e) if is_link_refused(&path, &e) => {
                let mut packet = Packet::empty(dir);
                packet.problems.push(Problem {
                    kind: ProblemKind::File,
                    pos: Pos { offset: 0, line: 1, column: 1 },
                    message: "handoff.md is a symbolic link".into(),
                    help: "replace the link with the file itself: git records a link, not the content it points to, so the review and the sign-offs would cover nothing".into(),
                });
                return packet;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound || !path.exists() => (
                ReadOutcome::Bad {
                    message: format!("the packet folder has no {PACKET_FILE}"),
                    help: format!(
                        "create it with `handoff new {}`, or remove the folder",
                        dir.file_name()
                            .map(|n| n.to_string_lossy())
                            .unwrap_or_default()
                    ),
                    at: None,
                    lossy: None,
                },
                None,
            ),
            Err(e) => (open_failed(&e), None),
        };
        match outcome {
            ReadOutcome::Text(text) => Packet {
                read_len,
                ..Packet::from_text(dir, shown, text)
            },
            ReadOutcome::Bad {
                message,
                help,
                at,
                lossy,
            } => {
                let mut packet = Packet::empty(dir);
                let pos = at.unwrap_or(Pos {
                    offset: 0,
                    line: 1,
                    column: 1,
                });
                packet.problems.push(Problem {
                    kind: ProblemKind::File,
                    pos,
                    message,
                    help,
                });
                packet.file = lossy.map(|t| Arc::new(SourceFile::new(shown.join(PACKET_FILE), t)));
                packet
            }
        }
    }

    fn empty(dir: &Path) -> Packet {
        // `.` or `..` has no name of its own: the id is the name of the folder it resolves to.
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let id = name
            .or_else(|| {
                dir.canonicalize()
                    .ok()
                    .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
            .unwrap_or_default();
        Packet {
            id,
            dir: dir.to_path_buf(),
            file: None,
            front: None,
            front_range: (0, 0),
            body: Body::default(),
            body_start: 0,
            problems: Vec::new(),
            digest: std::sync::OnceLock::new(),
            listed: std::sync::OnceLock::new(),
            targets: std::sync::OnceLock::new(),
            read_len: None,
        }
    }

    /// Parse the text of a `handoff.md` (from disk or from git history) for the packet in `dir`.
    pub fn from_text(dir: &Path, shown: &Path, text: String) -> Packet {
        Packet::from_text_after(None, dir, shown, text)
    }

    /// [`Packet::from_text`] for a later version of `prev`: when its markdown body is the same
    /// text as `prev`'s, `prev`'s reading of it is moved into place instead of read again
    /// (walking a history reads every version, and most versions change answers, not the body).
    pub fn from_text_after(
        prev: Option<&Packet>,
        dir: &Path,
        shown: &Path,
        text: String,
    ) -> Packet {
        Packet::from_text_like(prev.as_slice(), dir, shown, text)
    }

    /// [`Packet::from_text_after`] with several earlier versions to take the body's reading from:
    /// the first whose body is the same text (a history whose body goes back and forth between
    /// a few texts reads each once).
    pub fn from_text_like(prevs: &[&Packet], dir: &Path, shown: &Path, text: String) -> Packet {
        Packet::from_text_reading(prevs, dir, shown, text, true)
    }

    /// [`Packet::from_text`] without reading the markdown body (left empty): what a reader of
    /// many versions' answers, status and sign-offs needs, at a fraction of the work.
    pub fn front_only(dir: &Path, shown: &Path, text: String) -> Packet {
        Packet::from_text_reading(&[], dir, shown, text, false)
    }

    fn from_text_reading(
        prevs: &[&Packet],
        dir: &Path,
        shown: &Path,
        text: String,
        read_body: bool,
    ) -> Packet {
        let shown_file = shown.join(PACKET_FILE);
        let mut packet = Packet::empty(dir);
        let problem = |kind, pos, message: String, help: String| Problem {
            kind,
            pos,
            message,
            help,
        };
        let start = Pos {
            offset: 0,
            line: 1,
            column: 1,
        };
        let file = Arc::new(SourceFile::new(&shown_file, text));
        packet.file = Some(file.clone());
        let bom = if file.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        if file.line_text(1).trim_start_matches('\u{feff}').trim_end() != "---" {
            let first = file.text[bom..].trim();
            let message = if first.is_empty() {
                "the file is empty"
            } else {
                "the file does not start with front matter"
            };
            packet.problems.push(problem(
                ProblemKind::FrontMatter,
                start,
                message.into(),
                "start the file with a `---` line, the YAML answers, and a closing `---` line (`handoff new` writes this for you)".into(),
            ));
            packet.body_start = bom;
            if read_body {
                packet.body = body_after(prevs, &file, bom);
            }
            return packet;
        }
        let close = (2..=file.line_count())
            .find(|&l| matches!(file.line_text(l).trim_end(), "---" | "..."));
        let Some(close) = close else {
            packet.problems.push(problem(
                ProblemKind::FrontMatter,
                start,
                "the front matter is never closed".into(),
                "add a `---` line after the last YAML answer, before the markdown body".into(),
            ));
            return packet;
        };
        let (yaml_start, yaml_end) = (file.line_start(2), file.line_start(close));
        packet.front_range = (yaml_start, yaml_end);
        match yaml::parse(&file, yaml_start, yaml_end, 2) {
            Ok(node) => packet.front = Some(node),
            Err(e) => packet
                .problems
                .push(problem(ProblemKind::Yaml, e.pos, e.message, e.help)),
        }
        let body_start = if close < file.line_count() {
            file.line_start(close + 1)
        } else {
            file.text.len()
        };
        packet.body_start = body_start;
        if read_body {
            packet.body = body_after(prevs, &file, body_start);
        }
        packet
    }

    /// A top-level front matter value as text.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.front.as_ref()?.get(key)?.as_str()
    }

    /// The packet's kind name, as written.
    pub fn kind_name(&self) -> Option<&str> {
        self.text("kind")
    }

    /// The packet's status, when valid.
    pub fn status(&self) -> Option<Status> {
        Status::parse(self.text("status")?)
    }

    /// Day 0, when valid.
    pub fn day0(&self) -> Option<NaiveDate> {
        parse_date(self.text("day0")?)
    }

    /// The packet's files, as [`files::list`] decides them (listed once).
    pub fn files(&self) -> &[String] {
        self.listed.get_or_init(|| files::list(&self.dir))
    }

    /// What each of [`Packet::files`] is, in the same order, as [`files::target`] finds it with
    /// the packet folder as boundary: one `lstat` per file, once (`handoff.md`, already read as
    /// a regular file, costs none).
    pub fn targets(&self) -> &[files::Target] {
        self.targets.get_or_init(|| {
            self.files()
                .iter()
                .map(|rel| match self.read_len {
                    Some(len) if rel == PACKET_FILE => {
                        files::Target::File(self.dir.join(PACKET_FILE), len)
                    }
                    _ => files::target(&self.dir, rel, &self.dir),
                })
                .collect()
        })
    }

    /// The kind version the packet was made under (`kind_version:`, 1 when absent).
    pub fn kind_version(&self) -> u32 {
        self.text("kind_version")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1)
    }

    /// The title, falling back to the id.
    pub fn title(&self) -> &str {
        self.text("title").unwrap_or(&self.id)
    }
}

/// A value that still needs answering: empty, or starting with `TODO`.
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.starts_with("TODO")
}

/// Parse a calendar date written `YYYY-MM-DD` (four-digit year, zero-padded month and day).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    date_or_problem(s).ok()
}

/// A `YYYY-MM-DD` date, or what is wrong with it: malformed (not that shape) or impossible
/// (that shape, but no such day). Years are 0000 to 9999, so date arithmetic never overflows.
pub fn date_or_problem(s: &str) -> Result<NaiveDate, DateProblem> {
    let b = s.trim().as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(DateProblem::Malformed);
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
    NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10)).ok_or(DateProblem::Impossible)
}

/// Why a date was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not `YYYY-MM-DD`.
    Malformed,
    /// `YYYY-MM-DD`, but there is no such day (e.g. February 30).
    Impossible,
}

impl DateProblem {
    /// The message for a value `s`.
    pub fn describe(self, s: &str) -> String {
        match self {
            DateProblem::Malformed => {
                format!(
                    "`{s}` is not a date written YYYY-MM-DD (four-digit year, two-digit month and day)"
                )
            }
            DateProblem::Impossible => format!("`{s}` is not a day that exists in the calendar"),
        }
    }
}

/// Whether `id` is a valid packet id: `[a-z0-9][a-z0-9-]{0,63}`.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(valid_id("winback-email"));
        assert!(valid_id("0"));
        assert!(!valid_id("-a"));
        assert!(!valid_id("../etc"));
        assert!(!valid_id("A"));
        assert!(!valid_id(&"a".repeat(65)));
    }

    /// A body carried over from the version before reads exactly as the same body read afresh,
    /// wherever the front matter before it moved it.
    #[test]
    fn a_body_carried_over_reads_as_read_afresh() {
        let body = "\n# Plan\n\nTODO: say more\n\n## Acceptance criteria\n\n- [ ] one\n- [x] two é\n\n\
                    | a | b |\n|---|---|\n| x | y |\n";
        let versions = [
            format!("---\nid: a\n---\n{body}"),
            format!("---\nid: a\nstatus: ready\nnote: longer answer\n---\n{body}"),
            format!("---\nid: a\n---\n{body}"),
            format!("---\nid: a\n---\n{body}\n- [ ] three\n"),
            format!("\u{feff}# No front matter\n{body}"),
            format!("# No front matter\n{body}"),
            format!("---\nid: é\n---\n{body}"),
        ];
        let dir = Path::new("a");
        let shown = |p: &Packet| format!("{:?}", p.body);
        let mut prev: Option<Packet> = None;
        for text in versions.iter().chain(versions.iter().rev()) {
            let fresh = Packet::from_text(dir, dir, text.clone());
            let after = Packet::from_text_after(prev.as_ref(), dir, dir, text.clone());
            assert_eq!(shown(&after), shown(&fresh), "{text}");
            assert!(!fresh.body.tasks.is_empty() && !fresh.body.tables.is_empty());
            prev = Some(after);
        }
        // Carried over, moved: the tasks sit two lines further down.
        let first = Packet::from_text(dir, dir, versions[0].clone());
        let second = Packet::from_text_after(Some(&first), dir, dir, versions[1].clone());
        assert_eq!(
            second.body.tasks[0].pos.line,
            first.body.tasks[0].pos.line + 2
        );
    }
}
