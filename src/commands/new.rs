//! `handoff new`: scaffold a packet from its kind, atomically, never over an existing one.

use super::Env;
use crate::commands::args::parse_date;
use crate::facts::error::Error;
use crate::facts::kind::scaffold::{self, NewPacket};
use crate::facts::packet::valid_id;
use crate::facts::workspace::Workspace;
use chrono::NaiveDate;
use clap::Args;

/// `handoff new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The packet id: lowercase letters, digits and dashes (becomes the folder name).
    pub id: String,
    /// The kind of handoff (see `handoff kinds`); defaults to handoff.toml's `default_kind`.
    #[arg(long, short, add = crate::commands::complete::kinds())]
    pub kind: Option<String>,
    /// The live handoff day, YYYY-MM-DD (asked for when missing and stdin is a terminal).
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub day0: Option<NaiveDate>,
    /// The team handing the work over (asked for when missing and stdin is a terminal).
    #[arg(long)]
    pub from: Option<String>,
    /// The team taking the work over (asked for when missing and stdin is a terminal).
    #[arg(long)]
    pub to: Option<String>,
    /// A one-line title (defaults to the id in words).
    #[arg(long)]
    pub title: Option<String>,
}

/// Create the packet; prints what was written and what to do next.
pub fn run(env: &Env, args: &NewArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    check_id(&args.id)?;
    let kind_name = args
        .kind
        .clone()
        .unwrap_or_else(|| ws.config.settings.default_kind.clone());
    let kind = ws.require_kind(&kind_name)?;
    let mut ask = Prompter::new();
    require_flags(&ask, args, &kind_name)?;
    let (day0, from, to) = answers(&mut ask, args)?;
    ws.packets_root_inside()?;
    let root = ws.config.packets_dir();
    let target = root.join(&args.id);
    refuse_existing(&args.id, &target)?;
    let new = NewPacket {
        id: args.id.clone(),
        title: args
            .title
            .clone()
            .unwrap_or_else(|| crate::facts::kind::spec::humanize(&args.id)),
        kind: kind_name,
        from: from.trim().to_string(),
        to: to.trim().to_string(),
        day0,
        schema: schema_path(&ws),
    };
    let files =
        scaffold::render(kind, &new).map_err(|m| Error::usage(m, "fix the kind's template"))?;
    write_packet(&root, &target, &files)?;
    super::init::outside_git_note(env, &target);
    if !env.quiet {
        let ready_day = kind.spec.gates.ready;
        let ready = new.day0 + chrono::Duration::days(ready_day);
        let shown = crate::support::paths::shown(&target);
        print!(
            "{}",
            crate::output::new::created(&shown, &new, &files, ready, ready_day)
        );
    }
    Ok(0)
}

/// Refuse an id that cannot name a packet's folder.
fn check_id(id: &str) -> Result<(), Error> {
    if valid_id(id) {
        return Ok(());
    }
    Err(Error::usage(
        format!("`{id}` is not a valid packet id"),
        "use lowercase letters, digits and dashes, starting with a letter or digit, at most 64 characters (e.g. `winback-email`)",
    ))
}

/// Without a terminal to ask at, every missing flag is named at once.
fn require_flags(ask: &Prompter, args: &NewArgs, kind_name: &str) -> Result<(), Error> {
    let missing: Vec<&str> = [
        ("--day0 <YYYY-MM-DD>", args.day0.is_none()),
        ("--from <team>", args.from.is_none()),
        ("--to <team>", args.to.is_none()),
    ]
    .into_iter()
    .filter(|(_, absent)| *absent)
    .map(|(flag, _)| flag)
    .collect();
    if ask.interactive || missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing
        .iter()
        .map(|f| f.split(' ').next().unwrap_or(f))
        .collect();
    Err(Error::usage(
        format!(
            "{} {} required",
            crate::support::words::and_list(&names),
            if names.len() == 1 { "is" } else { "are" }
        ),
        format!(
            "pass {}, e.g. `handoff new {} --kind {kind_name} --day0 2026-12-07 --from growth --to lifecycle-ops`",
            missing.join(" "),
            args.id
        ),
    ))
}

/// Day 0 and the two teams, from the flags or asked for; each team on one line.
fn answers(ask: &mut Prompter, args: &NewArgs) -> Result<(NaiveDate, String, String), Error> {
    let day0 = match args.day0 {
        Some(d) => d,
        None => ask.date("--day0", "Day 0, the live handoff (YYYY-MM-DD)")?,
    };
    let from = match &args.from {
        Some(t) => t.clone(),
        None => ask.text("--from", "Team handing over")?,
    };
    let to = match &args.to {
        Some(t) => t.clone(),
        None => ask.text("--to", "Team taking over")?,
    };
    for (flag, team) in [("--from", &from), ("--to", &to)] {
        if team.trim().is_empty() || team.contains(['\n', '\r']) {
            return Err(Error::usage(
                format!("{flag} must name a team on one line"),
                "e.g. --from growth --to lifecycle-ops",
            ));
        }
    }
    Ok((day0, from, to))
}

/// Never write over a packet that is already there.
fn refuse_existing(id: &str, target: &std::path::Path) -> Result<(), Error> {
    if !target.exists() {
        return Ok(());
    }
    Err(Error::usage(
        format!(
            "a packet `{id}` already exists at {}",
            crate::support::paths::shown(target)
        ),
        "choose another id, or edit the existing packet; nothing was changed",
    ))
}

/// Write the files into a temporary folder beside the target, then rename it into place, so a
/// failure half-way leaves no half-written packet.
fn write_packet(
    root: &std::path::Path,
    target: &std::path::Path,
    files: &[(String, String)],
) -> Result<(), Error> {
    fn io(path: &std::path::Path, doing: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |source| Error::Io {
            path,
            doing,
            source,
        }
    }
    std::fs::create_dir_all(root).map_err(io(root, "cannot create the packets folder"))?;
    let tmp = tempfile::Builder::new()
        .prefix(".new-packet-")
        .tempdir_in(root)
        .map_err(io(root, "cannot create a temporary folder"))?;
    for (name, text) in files {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).map_err(io(&path, "cannot write"))?;
    }
    if target.exists() {
        return Err(Error::usage(
            "the packet appeared while it was being written",
            "nothing was changed; try again",
        ));
    }
    let tmp_path = tmp.keep();
    std::fs::rename(&tmp_path, target).map_err(|source| {
        let _ = std::fs::remove_dir_all(&tmp_path);
        Error::Io {
            path: target.to_path_buf(),
            doing: "cannot move the new packet into place",
            source,
        }
    })
}

/// The editor schema (`.handoff/schema.json`, written by `handoff init`) as seen from a packet.
fn schema_path(ws: &Workspace) -> Option<String> {
    ws.config
        .root
        .join(".handoff/schema.json")
        .is_file()
        .then(|| {
            let depth = std::path::Path::new(&ws.config.settings.packets)
                .components()
                .count()
                + 1;
            format!("{}.handoff/schema.json", "../".repeat(depth))
        })
}

/// Asks for missing values when stdin is a terminal; otherwise names the flag to pass.
struct Prompter {
    interactive: bool,
}

impl Prompter {
    fn new() -> Self {
        use std::io::IsTerminal;
        Prompter {
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        }
    }

    fn text(&mut self, flag: &str, question: &str) -> Result<String, Error> {
        if !self.interactive {
            return Err(Error::usage(
                format!("{flag} is required"),
                format!("pass {flag} <value>; `handoff new --help` lists the flags"),
            ));
        }
        loop {
            eprint!("{question}: ");
            let mut line = String::new();
            let read = std::io::stdin()
                .read_line(&mut line)
                .map_err(|source| Error::Io {
                    path: "<stdin>".into(),
                    doing: "cannot read the answer",
                    source,
                })?;
            if read == 0 {
                return Err(Error::usage(
                    format!("{flag} is required"),
                    format!("pass {flag} <value>"),
                ));
            }
            let answer = line.trim();
            if !answer.is_empty() {
                return Ok(answer.to_string());
            }
        }
    }

    fn date(&mut self, flag: &str, question: &str) -> Result<chrono::NaiveDate, Error> {
        loop {
            let answer = self.text(flag, question)?;
            match crate::facts::packet::parse_date(&answer) {
                Some(d) => return Ok(d),
                None => eprintln!("`{answer}` is not a date; write YYYY-MM-DD, e.g. 2026-12-07"),
            }
        }
    }
}
