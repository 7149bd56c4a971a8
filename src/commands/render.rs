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
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(out)) if !args.all => {
            match out
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("html" | "htm") => DocFormat::Html,
                Some("md" | "markdown") => DocFormat::Md,
                other => {
                    return Err(Error::usage(
                        format!(
                            "cannot tell the format of {} from its extension{}",
                            crate::support::paths::shown(out),
                            other.map(|e| format!(" `.{e}`")).unwrap_or_default()
                        ),
                        "name the file .md or .html, or pass --format md|html",
                    ));
                }
            }
        }
        _ => DocFormat::Md,
    };
    let template_err = |e: crate::output::render::RenderError| {
        Error::usage(
            e.0,
            "fix the template (or remove your override in .handoff/templates/)",
        )
    };

    if args.all {
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
        // One repository (this one), or several, each read with its own configuration.
        let mut failed = false;
        let mut opened: Vec<(String, Workspace)> = Vec::new();
        for repo in &args.repos {
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
        let sources: Vec<(Option<&str>, &Workspace)> = if args.repos.is_empty() {
            vec![(None, &ws)]
        } else {
            opened.iter().map(|(n, w)| (Some(n.as_str()), w)).collect()
        };
        // Each packet's page is written as soon as it is rendered; the index keeps a few lines
        // of each (`index::Entry`), so memory holds a chunk of packets, not the site.
        let mut entries: Vec<index::Entry> = Vec::new();
        let words = index::Words::default();
        let mut figures: Vec<crate::output::stats::PacketStats> = Vec::new();
        for (name, ws) in sources {
            // The site's charts come from each repository's history (none outside git).
            if format == DocFormat::Html
                && let Ok((packets, _)) = crate::output::stats::compute(ws, today, None)
            {
                figures.extend(packets.into_iter().map(|mut p| {
                    if let Some(name) = name {
                        p.id = format!("{name}/{}", p.id);
                    }
                    p
                }));
            }
            let dirs = match ws.all_packets() {
                Ok(d) => d,
                Err(e) if name.is_some() => {
                    eprintln!("error: {}: {e}", name.unwrap_or_default());
                    failed = true;
                    continue;
                }
                Err(e) => return Err(e),
            };
            // The history's shape, read once; each packet's texts are fetched with its page.
            let shape = shapes(&dirs);
            let readers: std::sync::Mutex<Vec<crate::facts::git::Batch>> = Default::default();
            verdict::check_chunks(
                &dirs,
                ws,
                today,
                PAGES_AT_ONCE,
                |_| {},
                |checked| {
                    let done = verdict::parallel_map(
                        &checked,
                        |(packet, verdict)| -> Result<Option<index::Entry>, Error> {
                            let hist = match &shape {
                                Some((h, top)) => {
                                    let taken = readers.lock().ok().and_then(|mut r| r.pop());
                                    let blobs = taken
                                        .map_or_else(|| crate::facts::git::Batch::open(top), Ok);
                                    let one = blobs.and_then(|mut blobs| {
                                        let one = history::one_packet(
                                            h,
                                            &rel_of(top, &packet.dir),
                                            &mut blobs,
                                        );
                                        if let Ok(mut r) = readers.lock() {
                                            r.push(blobs);
                                        }
                                        one
                                    });
                                    one.ok().map(|one| (one, top.clone()))
                                }
                                None => None,
                            };
                            let Some(mut review) =
                                review_of(ws, packet, verdict, today, hist.as_ref())
                            else {
                                return Ok(None);
                            };
                            if let Some(name) = name {
                                review.page = format!("{name}/{}", review.page);
                                review.id = format!("{name}/{}", review.id);
                            }
                            let page = templates
                                .render(&format!("packet.{}.j2", format.ext()), &review)
                                .map_err(template_err)?;
                            let path = dir.join(format!("{}.{}", review.page, format.ext()));
                            if let Some(parent) = path.parent() {
                                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                                    path: parent.to_path_buf(),
                                    doing: "cannot create the folder",
                                    source,
                                })?;
                            }
                            write_page(&path, &page)?;
                            Ok(Some(index::Entry::of(
                                &review,
                                format == DocFormat::Html,
                                &words,
                            )))
                        },
                    );
                    for entry in done {
                        entries.extend(entry?);
                    }
                    Ok::<(), Error>(())
                },
            )?;
        }
        let figures_page = if figures.is_empty() {
            None
        } else {
            let overall = crate::output::stats::overall(&figures);
            let page = templates
                .render(
                    "stats.html.j2",
                    minijinja::context! {
                        today => today.to_string(),
                        since => None::<String>,
                        charts => crate::output::render::stats_charts::build(&overall),
                        overall => &overall,
                        packets => index::Lazy::value(figures),
                    },
                )
                .map_err(template_err)?;
            let name = format!("{}.html", model::FIGURES_PAGE);
            write_page(&dir.join(&name), &page)?;
            Some(name)
        };
        let rendered = entries.len();
        let overview = model_overview(&entries, today, format);
        let index = templates
            .render(
                &format!("index.{}.j2", format.ext()),
                minijinja::context! {
                    figures => figures_page,
                    overview => overview,
                    packets => index::Lazy::value(entries),
                    today => today.to_string(),
                },
            )
            .map_err(template_err)?;
        let index_path = dir.join(format!("index.{}", format.ext()));
        write_page(&index_path, &index)?;
        crate::facts::atomic::flush(&dir)?;
        if !env.quiet {
            println!(
                "Rendered {} and {}",
                crate::support::words::plural(rendered, "packet", "packets"),
                crate::support::paths::shown(&index_path)
            );
        }
        return Ok(if failed { 2 } else { 0 });
    }

    let arg = args.packet.as_deref().unwrap_or_default();
    let packet_dir = ws.packet(arg)?;
    let hist = histories(std::slice::from_ref(&packet_dir));
    let Some(review) = review(&ws, &packet_dir, today, hist.as_ref())? else {
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

/// The review model of one packet; `None` when it cannot be rendered.
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

/// The site index's calendar picture (HTML only; the markdown index is the table).
fn model_overview(
    entries: &[index::Entry],
    today: NaiveDate,
    format: DocFormat,
) -> Option<crate::output::render::overview::Overview> {
    (format == DocFormat::Html)
        .then(|| crate::output::render::overview::build(entries, today))
        .flatten()
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
    let abs = std::path::absolute(dir).unwrap_or(dir.to_path_buf());
    abs.strip_prefix(top)
        .unwrap_or(&abs)
        .to_string_lossy()
        .replace('\\', "/")
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
