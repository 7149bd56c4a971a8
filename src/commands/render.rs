//! `handoff render`: the review document for the live handoff meeting, in markdown or HTML.

use super::{Env, today};
use crate::error::Error;
use crate::history;
use crate::render::{Templates, model};
use crate::verdict;
use crate::workspace::Workspace;
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
    #[arg(required_unless_present = "all", conflicts_with = "all", add = crate::complete::packets())]
    pub packet: Option<String>,
    /// Render every packet, one page each, plus an index page (needs -o DIR).
    #[arg(long, requires = "output")]
    pub all: bool,
    /// Output format (default: from the -o file's extension, else md).
    #[arg(long, value_enum)]
    pub format: Option<DocFormat>,
    /// Write to FILE (or, with --all, into the folder DIR) instead of stdout.
    #[arg(short, long, value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,
    /// Render as of DATE (YYYY-MM-DD).
    #[arg(long, value_parser = crate::cli::parse_date, env = "HANDOFF_TODAY", value_name = "DATE")]
    pub today: Option<NaiveDate>,
}

/// Render one packet or all of them.
pub fn run(env: &Env, args: &RenderArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
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
                            crate::paths::shown(out),
                            other.map(|e| format!(" `.{e}`")).unwrap_or_default()
                        ),
                        "name the file .md or .html, or pass --format md|html",
                    ));
                }
            }
        }
        _ => DocFormat::Md,
    };
    let template_err = |e: crate::render::RenderError| {
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
                    crate::paths::shown(&dir)
                ),
                "pass a folder: render --all -o site/",
            ));
        }
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            doing: "cannot create the folder",
            source,
        })?;
        let dirs = ws.all_packets()?;
        let hist = histories(&dirs);
        let mut reviews = Vec::new();
        for packet_dir in &dirs {
            let Some(review) = review(&ws, packet_dir, today, hist.as_ref())? else {
                continue;
            };
            let page = templates
                .render(&format!("packet.{}.j2", format.ext()), &review)
                .map_err(template_err)?;
            write(
                &dir.join(format!("{}.{}", model::page_name(&review.id), format.ext())),
                &page,
            )?;
            reviews.push(review);
        }
        let index = templates
            .render(
                &format!("index.{}.j2", format.ext()),
                minijinja::context! {
                    overview => model_overview(&reviews, today, format),
                    packets => reviews,
                    today => today.to_string(),
                },
            )
            .map_err(template_err)?;
        let index_path = dir.join(format!("index.{}", format.ext()));
        write(&index_path, &index)?;
        if !env.quiet {
            println!(
                "Rendered {} and {}",
                crate::words::plural(reviews.len(), "packet", "packets"),
                crate::paths::shown(&index_path)
            );
        }
        return Ok(0);
    }

    let arg = args.packet.as_deref().unwrap_or_default();
    let packet_dir = ws.packet(arg)?;
    let hist = histories(std::slice::from_ref(&packet_dir));
    let Some(review) = review(&ws, &packet_dir, today, hist.as_ref())? else {
        return Err(Error::usage(
            format!(
                "{} cannot be rendered: its handoff.md does not parse or its kind is unknown",
                crate::paths::shown(&packet_dir)
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
                eprintln!("Rendered {} to {}", review.id, crate::paths::shown(path));
            }
        }
        None => print!("{page}"),
    }
    Ok(0)
}

/// The review model of one packet; `None` when it cannot be rendered.
/// The site index's calendar picture (HTML only; the markdown index is the table).
fn model_overview(
    reviews: &[model::Review],
    today: NaiveDate,
    format: DocFormat,
) -> Option<crate::render::overview::Overview> {
    (format == DocFormat::Html)
        .then(|| crate::render::overview::build(reviews, today))
        .flatten()
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
    let (Some(kind), Some(_)) = (ws.kind_of(&packet), packet.front.as_ref()) else {
        return Ok(None);
    };
    let rel = hist.map(|(_, top)| rel_of(top, dir));
    let history = hist.map(|(h, _)| h).zip(rel.as_deref());
    let commits: BTreeMap<crate::signoff::Key, String> = match history {
        Some((h, rel)) => history::recorded_in(h, rel, &packet)
            .into_iter()
            .map(|(k, c)| (k, c.short.clone()))
            .collect(),
        None => BTreeMap::new(),
    };
    Ok(Some(model::build(&model::Inputs {
        packet: &packet,
        kind,
        verdict: &verdict,
        settings: &ws.config.settings,
        today,
        commits: &commits,
        history,
    })))
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    crate::atomic::write_output(path, text)
}
