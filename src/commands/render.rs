//! `handoff render`: the review document for the live handoff meeting, in markdown or HTML.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::history;
use crate::facts::workspace::Workspace;
use crate::judgement::verdict;
use crate::output::render::{Templates, index, model};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Document formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    /// Markdown that reads well on GitHub.
    Md,
    /// One self-contained HTML file (inline CSS and SVG, no scripts, prints cleanly).
    Html,
}

impl DocFormat {
    fn ext(self) -> &'static str {
        match self {
            DocFormat::Md => "md",
            DocFormat::Html => "html",
        }
    }
}

/// Flags of `handoff render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The packet id (or path); omit with --all.
    #[arg(required_unless_present = "all", conflicts_with = "all", add = crate::commands::complete::packets())]
    pub packet: Option<String>,
    /// Render every packet, one page each, plus an index page (needs -o DIR).
    #[arg(long, requires = "output")]
    pub all: bool,
    /// With --all: render the packets of these repositories (repeatable) into one site, each
    /// with its own configuration and history; pages go in a folder per repository and packets
    /// show as `repo/id`. A repository that cannot be read is named on stderr (exit 2).
    #[arg(long = "repo", value_name = "DIR", requires = "all")]
    pub repos: Vec<PathBuf>,
    /// Output format (default: from the -o file's extension, else md).
    #[arg(long, value_enum)]
    pub format: Option<DocFormat>,
    /// Write to FILE (or, with --all, into the folder DIR) instead of stdout.
    #[arg(short, long, value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,
    /// Render as of DATE (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::args::parse_date, env = "HANDOFF_TODAY", value_name = "DATE")]
    pub today: Option<NaiveDate>,
}

/// Render one packet or all of them.
pub fn run(env: &Env, args: &RenderArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?.showing_proofs();
    let templates =
        Templates::load(&ws.config.root).map_err(|e| Error::usage(e.0, "fix the template"))?;
    let today = today(args.today);
    let format = format_of(args)?;
    if args.all {
        site(env, args, &ws, &templates, today, format)
    } else {
        one(env, args, &ws, &templates, today, format)
    }
}

/// The format asked for: `--format`, else the output file's extension, else markdown.
fn format_of(args: &RenderArgs) -> Result<DocFormat, Error> {
    let out = match (args.format, &args.output) {
        (Some(f), _) => return Ok(f),
        (None, Some(out)) if !args.all => out,
        _ => return Ok(DocFormat::Md),
    };
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => Ok(DocFormat::Html),
        Some("md" | "markdown") => Ok(DocFormat::Md),
        other => Err(Error::usage(
            format!(
                "cannot tell the format of {} from its extension{}",
                crate::support::paths::shown(out),
                other.map(|e| format!(" `.{e}`")).unwrap_or_default()
            ),
            "name the file .md or .html, or pass --format md|html",
        )),
    }
}

/// A template that failed, as an error naming it.
fn template_err(e: crate::output::render::RenderError) -> Error {
    Error::usage(
        e.0,
        "fix the template (or remove your override in .handoff/templates/)",
    )
}

/// One packet's review document, to stdout or a file.
fn one(
    env: &Env,
    args: &RenderArgs,
    ws: &Workspace,
    templates: &Templates,
    today: NaiveDate,
    format: DocFormat,
) -> Result<u8, Error> {
    let arg = args.packet.as_deref().unwrap_or_default();
    let packet_dir = ws.packet(arg)?;
    let hist = histories(std::slice::from_ref(&packet_dir));
    let Some(review) = review(ws, &packet_dir, today, hist.as_ref())? else {
        return Err(Error::usage(
            format!(
                "{} cannot be rendered: its handoff.md does not parse or its kind is unknown",
                crate::support::paths::shown(&packet_dir)
            ),
            format!("run `handoff check {arg}` to see why"),
        ));
    };
    let page = templates
        .render(&format!("packet.{}.j2", format.ext()), &review)
        .map_err(template_err)?;
    match &args.output {
        Some(path) => {
            write(path, &page)?;
            if !env.quiet {
                eprintln!(
                    "Rendered {} to {}",
                    review.id,
                    crate::support::paths::shown(path)
                );
            }
        }
        None => print!("{}", crate::support::words::neutral(&page)),
    }
    Ok(0)
}

/// Every packet's page, the figures page (HTML) and the index, into the folder `-o` names.
fn site(
    env: &Env,
    args: &RenderArgs,
    ws: &Workspace,
    templates: &Templates,
    today: NaiveDate,
    format: DocFormat,
) -> Result<u8, Error> {
    let dir = site_folder(args)?;
    let (opened, mut failed) = open_repos(env, &args.repos);
    let sources: Vec<(Option<&str>, &Workspace)> = if args.repos.is_empty() {
        vec![(None, ws)]
    } else {
        opened.iter().map(|(n, w)| (Some(n.as_str()), w)).collect()
    };
    let site = Site {
        dir: &dir,
        templates,
        today,
        format,
        words: index::Words::default(),
    };
    let mut entries: Vec<index::Entry> = Vec::new();
    let mut figures: Vec<crate::output::stats::PacketStats> = Vec::new();
    for (name, ws) in sources {
        let dirs = match ws.all_packets() {
            Ok(d) => d,
            Err(e) if name.is_some() => {
                eprintln!("error: {}: {e}", name.unwrap_or_default());
                failed = true;
                continue;
            }
            Err(e) => return Err(e),
        };
        site.repository(name, ws, &dirs, &mut entries, &mut figures)?;
    }
    let figures_page = site.figures_page(figures)?;
    let rendered = entries.len();
    let index_path = site.index(entries, figures_page)?;
    crate::facts::atomic::flush(&dir)?;
    if !env.quiet {
        println!(
            "Rendered {} and {}",
            crate::support::words::plural(rendered, "packet", "packets"),
            crate::support::paths::shown(&index_path)
        );
    }
    Ok(if failed { 2 } else { 0 })
}

/// The folder `render --all` writes into, made if missing; a file name is refused.
fn site_folder(args: &RenderArgs) -> Result<PathBuf, Error> {
    let dir = args.output.clone().unwrap_or_else(|| PathBuf::from("."));
    if dir
        .extension()
        .is_some_and(|e| matches!(e.to_str(), Some("html" | "htm" | "md")))
        || dir.is_file()
    {
        return Err(Error::usage(
            format!(
                "--all writes a folder of pages, but {} names a file",
                crate::support::paths::shown(&dir)
            ),
            "pass a folder: render --all -o site/",
        ));
    }
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        doing: "cannot create the folder",
        source,
    })?;
    Ok(dir)
}

/// The repositories `--repo` names, each with its own configuration and a distinct site folder
/// name; one that cannot be read is named on stderr (the second value says so).
fn open_repos(env: &Env, repos: &[PathBuf]) -> (Vec<(String, Workspace)>, bool) {
    let mut failed = false;
    let mut opened: Vec<(String, Workspace)> = Vec::new();
    for repo in repos {
        let path = env.cwd.join(repo);
        match Workspace::open(&path).map(Workspace::showing_proofs) {
            Ok(w) if path.is_dir() => {
                // Two repositories in folders of the same name get distinct site folders.
                let base = repo_name(&path);
                let mut name = base.clone();
                let mut n = 1;
                while opened.iter().any(|(o, _)| *o == name) {
                    n += 1;
                    name = format!("{base}-{n}");
                }
                opened.push((name, w));
            }
            Ok(_) => {
                eprintln!(
                    "error: {}: there is no such folder",
                    crate::support::paths::shown(&path)
                );
                failed = true;
            }
            Err(e) => {
                eprintln!("error: {}: {e}", crate::support::paths::shown(&path));
                failed = true;
            }
        }
    }
    (opened, failed)
}

/// What every page of a site is rendered with.
struct Site<'a> {
    dir: &'a Path,
    templates: &'a Templates,
    today: NaiveDate,
    format: DocFormat,
    /// Milestone texts held once across the index's entries.
    words: index::Words,
}

impl Site<'_> {
    /// One repository's pages, written as they are rendered (a chunk of packets at a time),
    /// with its entries for the index; for HTML, its figures, computed from its history beside
    /// the pages (none outside git).
    fn repository(
        &self,
        name: Option<&str>,
        ws: &Workspace,
        dirs: &[PathBuf],
        entries: &mut Vec<index::Entry>,
        figures: &mut Vec<crate::output::stats::PacketStats>,
    ) -> Result<(), Error> {
        std::thread::scope(|s| {
            let stats = (self.format == DocFormat::Html)
                .then(|| s.spawn(|| crate::output::stats::compute(ws, self.today, None)));
            let pages = self.pages(name, ws, dirs, entries);
            let stats = stats.map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            if let Some(Ok((packets, _))) = stats {
                figures.extend(packets.into_iter().map(|mut p| {
                    if let Some(name) = name {
                        p.id = format!("{name}/{}", p.id);
                    }
                    p
                }));
            }
            pages
        })
    }

    /// The pages of `dirs`, checked and rendered a chunk at a time on every core.
    fn pages(
        &self,
        name: Option<&str>,
        ws: &Workspace,
        dirs: &[PathBuf],
        entries: &mut Vec<index::Entry>,
    ) -> Result<(), Error> {
        // The history's shape, read once; each packet's texts are fetched with its page.
        let shape = shapes(dirs);
        let readers: std::sync::Mutex<Vec<crate::facts::git::Batch>> = Default::default();
        verdict::check_chunks(
            dirs,
            ws,
            self.today,
            PAGES_AT_ONCE,
            |_| {},
            |checked| {
                let done = verdict::parallel_map(&checked, |(packet, verdict)| {
                    let hist = shape
                        .as_ref()
                        .and_then(|(h, top)| packet_history(h, top, packet, &readers));
                    self.page(name, ws, packet, verdict, hist.as_ref())
                });
                for entry in done {
                    entries.extend(entry?);
                }
                Ok::<(), Error>(())
            },
        )
    }

    /// One packet's page, written; its index entry (`None` when it cannot be rendered).
    fn page(
        &self,
        name: Option<&str>,
        ws: &Workspace,
        packet: &crate::facts::packet::Packet,
        verdict: &verdict::Verdict,
        hist: Option<&(history::History, PathBuf)>,
    ) -> Result<Option<index::Entry>, Error> {
        let Some(mut review) = review_of(ws, packet, verdict, self.today, hist) else {
            return Ok(None);
        };
        if let Some(name) = name {
            review.page = format!("{name}/{}", review.page);
            review.id = format!("{name}/{}", review.id);
        }
        let ext = self.format.ext();
        let page = self
            .templates
            .render(&format!("packet.{ext}.j2"), &review)
            .map_err(template_err)?;
        let path = self.dir.join(format!("{}.{ext}", review.page));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                doing: "cannot create the folder",
                source,
            })?;
        }
        write_page(&path, &page)?;
        let html = self.format == DocFormat::Html;
        Ok(Some(index::Entry::of(&review, html, &self.words)))
    }

    /// The site's figures page (HTML, when any packet has history): its file name.
    fn figures_page(
        &self,
        figures: Vec<crate::output::stats::PacketStats>,
    ) -> Result<Option<String>, Error> {
        if figures.is_empty() {
            return Ok(None);
        }
        let overall = crate::output::stats::overall(&figures);
        let page = self
            .templates
            .render(
                "stats.html.j2",
                minijinja::context! {
                    today => self.today.to_string(),
                    since => None::<String>,
                    charts => crate::output::render::stats_charts::build(&overall),
                    overall => &overall,
                    packets => index::Lazy::value(figures),
                },
            )
            .map_err(template_err)?;
        let name = format!("{}.html", model::FIGURES_PAGE);
        write_page(&self.dir.join(&name), &page)?;
        Ok(Some(name))
    }

    /// The index page, from the entries: its path.
    fn index(&self, entries: Vec<index::Entry>, figures: Option<String>) -> Result<PathBuf, Error> {
        let ext = self.format.ext();
        let overview = (self.format == DocFormat::Html)
            .then(|| crate::output::render::overview::build(&entries, self.today))
            .flatten();
        let index = self
            .templates
            .render(
                &format!("index.{ext}.j2"),
                minijinja::context! {
                    figures => figures,
                    overview => overview,
                    packets => index::Lazy::value(entries),
                    today => self.today.to_string(),
                },
            )
            .map_err(template_err)?;
        let path = self.dir.join(format!("index.{ext}"));
        write_page(&path, &index)?;
        Ok(path)
    }
}

/// One packet's history from the site's shape, its texts read through a reader taken from the
/// pool (one `git cat-file --batch` per thread, reused across pages).
fn packet_history(
    shape: &history::History,
    top: &Path,
    packet: &crate::facts::packet::Packet,
    readers: &std::sync::Mutex<Vec<crate::facts::git::Batch>>,
) -> Option<(history::History, PathBuf)> {
    let taken = readers.lock().ok().and_then(|mut r| r.pop());
    let mut blobs = taken
        .map_or_else(|| crate::facts::git::Batch::open(top), Ok)
        .ok()?;
    let one = history::one_packet(shape, &rel_of(top, &packet.dir), &mut blobs);
    if let Ok(mut r) = readers.lock() {
        r.push(blobs);
    }
    one.ok().map(|one| (one, top.to_path_buf()))
}

/// A repository's name as a site folder: its folder's name, with anything but letters, digits,
/// `.`, `_` and `-` replaced, never starting with a dot.
fn repo_name(path: &Path) -> String {
    let name = std::path::absolute(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "repo".into()
    } else {
        clean
    }
}

/// How many packets `render --all` checks and renders before writing the next ones.
const PAGES_AT_ONCE: usize = 512;

/// The packets' git history without its texts (one read for all of them), with the repo top;
/// none outside git.
fn shapes(dirs: &[PathBuf]) -> Option<(history::History, PathBuf)> {
    let first = std::path::absolute(dirs.first()?).ok()?;
    let top = history::toplevel(&first).ok()?;
    let rels: Vec<String> = dirs.iter().map(|d| rel_of(&top, d)).collect();
    let hist = history::read_ids(&top, &rels).ok()?;
    Some((hist, top))
}

/// The packets' git history (one read for all of them), with the repo top; none outside git.
fn histories(dirs: &[PathBuf]) -> Option<(history::History, PathBuf)> {
    let first = std::path::absolute(dirs.first()?).ok()?;
    let top = history::toplevel(&first).ok()?;
    let rels: Vec<String> = dirs.iter().map(|d| rel_of(&top, d)).collect();
    let hist = history::read(&top, &rels, false).ok()?;
    Some((hist, top))
}

fn rel_of(top: &Path, dir: &Path) -> String {
    crate::facts::git::pathspec(top, dir)
}

fn review(
    ws: &Workspace,
    dir: &Path,
    today: NaiveDate,
    hist: Option<&(history::History, PathBuf)>,
) -> Result<Option<model::Review>, Error> {
    // The verdict `check` gives, the sign-off audit included.
    let (mut checked, _) = verdict::check_keeping(&[dir.to_path_buf()], ws, today, None, true);
    let Some((Some(packet), verdict)) = checked.pop() else {
        return Ok(None);
    };
    Ok(review_of(ws, &packet, &verdict, today, hist))
}

/// The review model of a packet checked already; `None` when it cannot be rendered.
fn review_of(
    ws: &Workspace,
    packet: &crate::facts::packet::Packet,
    verdict: &verdict::Verdict,
    today: NaiveDate,
    hist: Option<&(history::History, PathBuf)>,
) -> Option<model::Review> {
    let dir = packet.dir.as_path();
    let (Some(kind), Some(_)) = (ws.kind_of(packet), packet.front.as_ref()) else {
        return None;
    };
    let rel = hist.map(|(_, top)| rel_of(top, dir));
    let history = hist.map(|(h, _)| h).zip(rel.as_deref());
    let commits: BTreeMap<crate::facts::signoff::Key, String> = match history {
        Some((h, rel)) => history::audit::recorded_in(h, rel, packet)
            .into_iter()
            .map(|(k, c)| (k, c.short.to_string()))
            .collect(),
        None => BTreeMap::new(),
    };
    Some(model::build(&model::Inputs {
        packet,
        kind,
        verdict,
        settings: &ws.config.settings,
        today,
        commits: &commits,
        history,
    }))
}

/// Pages are written with every control character of the packets' texts written out.
fn write(path: &Path, text: &str) -> Result<(), Error> {
    crate::facts::atomic::write_output(path, &crate::support::words::neutral(text))
}

/// [`write`] for one page of a site: the disk is waited for once, after the last page.
fn write_page(path: &Path, text: &str) -> Result<(), Error> {
    crate::facts::atomic::write_output_deferred(path, &crate::support::words::neutral(text))
}
