//! `handoff sign`: record a role's sign-off, editing only the `signoffs` block, atomically.

use super::Env;
use crate::facts::error::Error;
use crate::facts::gate::Gate;
use crate::facts::packet::Packet;
use crate::facts::signoff;
use crate::facts::workspace::Workspace;
use crate::judgement::acts;
use crate::judgement::open::Open;

/// Flags of `handoff sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The packet id (or path).
    #[arg(add = crate::commands::complete::packets())]
    pub packet: String,
    /// The role you sign for (see `handoff kinds <kind>` for the kind's roles).
    #[arg(long, add = crate::commands::complete::roles())]
    pub role: String,
    /// The signer, `Name <email>` (default: git's author identity). It must be the same person
    /// (email) as git's identity, when git has one: you sign for yourself.
    #[arg(long)]
    pub by: Option<String>,
    /// A note kept with the sign-off.
    #[arg(long)]
    pub note: Option<String>,
    /// Sign even though required answers are missing.
    #[arg(long)]
    pub force: bool,
    /// Replace someone else's sign-off of this role that still covers the packet (says whose).
    #[arg(long)]
    pub replace: bool,
    /// Judge the packet as of DATE (YYYY-MM-DD): what is open and what falls due when. The
    /// sign-off itself records the time it is made.
    #[arg(long, value_parser = crate::commands::args::parse_date, env = "HANDOFF_TODAY", hide_env_values = true, value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,
    /// Also make the commit: `git commit` of handoff.md (and the signed kind's copy), with the
    /// message "Sign off PACKET as ROLE", signed when git is set to sign (commit.gpgsign). Other
    /// staged changes are refused.
    #[arg(long)]
    pub commit: bool,
    /// With --commit: sign the commit (`git commit -S`), whatever commit.gpgsign says.
    #[arg(short = 'S', long, requires = "commit")]
    pub gpg_sign: bool,
}

/// Sign; returns the exit status.
pub fn run(env: &Env, args: &SignArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let dir = ws.packet(&args.packet)?;
    let signer = super::acting_person(&env.cwd, args.by.as_deref(), &ws.config.settings)?;
    // Where the commit goes, known before anything is written.
    let top = match args.commit {
        true => Some(crate::facts::git::top(&env.cwd).map_err(|e| {
            Error::git(
                "--commit needs a git repository",
                e,
                "run it in the repository that holds the packet, or sign without --commit",
            )
        })?),
        false => None,
    };
    let editing = super::edit_packet(&dir, "signed")?;
    let request = acts::SignRequest {
        role: args.role.clone(),
        signer: signer.clone(),
        note: args.note.clone(),
        replace: args.replace,
        force: args.force,
        via: None,
        at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        today: super::today(args.today),
    };
    let plan = acts::plan_signoff(&ws, &editing.packet, &editing.shown, &request)?;
    warn_open(&plan);
    let kind = ws.require_kind(ws.kind_name_of(&editing.packet))?;
    let message = format!("Sign off {} as {}", editing.packet.id, plan.signoff.role);
    let (kept, committed) = record(
        &ws,
        &kind.spec,
        &editing,
        &plan,
        top.as_deref(),
        &message,
        args.gpg_sign,
    )?;
    let super::Editing {
        lock,
        packet,
        shown,
        ..
    } = editing;
    drop(lock);
    if env.quiet {
        return Ok(0);
    }
    if let Some(r) = &plan.replaced {
        println!("{r}");
    }
    println!(
        "Signed {} as {} ({signer}), {}.",
        packet.id,
        plan.signoff.role,
        short(&plan.signoff.digest)
    );
    if plan.unbound {
        println!(
            "Note: the {} role is bound to nobody, so anyone may sign it; name its holder under [people] in handoff.toml.",
            plan.signoff.role
        );
    }
    say_where_it_stands(&ws, kind, &dir, &plan, request.today, &shown);
    match &committed {
        Some(c) => println!(
            "Committed {} \"{message}\", {}.",
            c.id.get(..8).unwrap_or(&c.id),
            if c.signed {
                "signed"
            } else {
                "not signed (set `git config commit.gpgsign true` with a signing key, or pass -S, so that the commit proves who signed)"
            }
        ),
        None => {
            let also = kept
                .as_deref()
                .map(|k| format!(" {}", crate::support::paths::shown(k)))
                .unwrap_or_default();
            println!(
                "Record it in git as the signer (or sign with --commit next time):\n  git add {shown}{also} && git commit -m \"{message}\""
            );
        }
    }
    Ok(0)
}

/// The acceptance criteria still open at the gate, and those falling due later, on stderr.
fn warn_open(plan: &acts::SignPlan) {
    let gate = plan.gate;
    if !plan.open.is_empty() {
        eprintln!(
            "warning: {} still open at the {gate} gate:",
            crate::output::report::plural(
                plan.open.len(),
                "acceptance criterion is",
                "acceptance criteria are"
            )
        );
        for t in &plan.open {
            eprintln!("  - [ ] {}", crate::support::words::neutral(t));
        }
    }
    let later = plan.reading.later_criteria();
    if let Some((_, Some(last))) = later.last() {
        eprintln!(
            "note: {} later, the last by {}; ticking {} then edits the packet, so this sign-off will need renewing",
            crate::output::report::plural(later.len(), "criterion falls due", "criteria fall due"),
            plan.reading.when(*last),
            if later.len() == 1 { "it" } else { "them" }
        );
    }
}

/// Write the sign-off, with the kind's requirements as signed (so that the packet is judged by
/// them while the sign-offs are fresh, whatever later edits of the kind ask), and with `--commit`
/// commit both: one act, so that a commit git refuses leaves everything as it was. Returns the
/// copy of the kind written, and the commit.
fn record(
    ws: &Workspace,
    spec: &crate::facts::kind::KindSpec,
    editing: &super::Editing,
    plan: &acts::SignPlan,
    top: Option<&std::path::Path>,
    message: &str,
    gpg_sign: bool,
) -> Result<
    (
        Option<std::path::PathBuf>,
        Option<crate::facts::git::Committed>,
    ),
    Error,
> {
    let path = &editing.path;
    let root = crate::support::paths::absolute(&ws.config.root);
    let before = match top {
        Some(_) => Some(std::fs::read(path).map_err(|e| Error::Io {
            path: path.clone(),
            doing: "reading",
            source: e,
        })?),
        None => None,
    };
    let kept = keep_signed_kind(&root, spec)?;
    crate::facts::atomic::write_atomic(path, &plan.text)?;
    let (Some(top), Some(before)) = (top, before) else {
        return Ok((kept, None));
    };
    let mut files = vec![path.clone()];
    files.extend(signoff_kind_copy(ws, spec));
    match crate::facts::git::commit_files(top, &files, message, gpg_sign) {
        Ok(made) => Ok((kept, Some(made))),
        Err(e) => {
            let _ = crate::facts::git::unstage(top, &files);
            crate::facts::atomic::write_atomic_bytes(path, &before)?;
            if let Some(k) = &kept {
                let _ = std::fs::remove_file(k);
            }
            Err(Error::git(
                "git could not commit the sign-off, so nothing was recorded",
                e,
                "fix what git says (to sign commits with an SSH key: `git config gpg.format ssh` and `git config user.signingkey ~/.ssh/id_ed25519.pub`), then sign again",
            ))
        }
    }
}

/// The packet as it now stands, history included (a fresh look: the commit is new): whether
/// this sign-off counts yet, and what is left to sign or to do.
fn say_where_it_stands(
    ws: &Workspace,
    kind: &crate::facts::kind::Kind,
    dir: &std::path::Path,
    plan: &acts::SignPlan,
    today: chrono::NaiveDate,
    shown: &str,
) {
    let spec = &kind.spec;
    let mut settings = ws.config.settings.clone();
    crate::facts::prover::install(&mut settings, None, false);
    let signed = Packet::load(dir, &crate::support::paths::shown_path(dir));
    let after = signoff::Review::of(&signed, spec, &settings);
    let mine = after
        .standings
        .iter()
        .rev()
        .find(|st| st.signoff.role == plan.signoff.role && st.signoff.by == plan.signoff.by);
    if let Some(why) = mine.and_then(|st| st.proven.why_not.as_deref()) {
        println!(
            "It does not count yet: {}.",
            crate::support::words::neutral(why)
        );
    }
    let missing: Vec<&str> = spec
        .roles_for(signed.front.as_ref())
        .map(|r| r.name.as_str())
        .filter(|r| !after.signed(r))
        .collect();
    if missing.is_empty() {
        for line in next_steps(&signed, kind, ws, today, shown) {
            println!("{line}");
        }
    } else {
        println!("Still to sign: {}.", missing.join(", "));
    }
}

/// What to do once every role has signed: set the status forward when the signed-off gate
/// passes; else what is still open, each with the day it falls due, and how to get there.
/// Never a step that would fail the gate.
fn next_steps(
    signed: &Packet,
    kind: &crate::facts::kind::Kind,
    ws: &Workspace,
    today: chrono::NaiveDate,
    shown: &str,
) -> Vec<String> {
    use crate::facts::gate::Status;
    if signed.status().is_some_and(|s| s >= Status::SignedOff) {
        return vec![format!(
            "Every role has signed, and the status says {}: commit it.",
            signed.status().map(|s| s.name()).unwrap_or_default()
        )];
    }
    let blocking =
        crate::judgement::open::blocking(signed, &ws.kinds, &ws.config, today, Gate::SignedOff);
    if blocking.is_empty() {
        return vec![format!(
            "Every role has signed. Next: set `status: signed-off` in {shown} (moving the status forward keeps the sign-offs fresh) and commit it."
        )];
    }
    let gate = crate::judgement::verdict::gate_for(signed, ws, today).max(Gate::Ready);
    let open = Open::of(signed, kind, &ws.config.settings, today, gate);
    let neutral = |s: &str| crate::support::words::neutral(s).into_owned();
    let mut lines = vec![
        "Every role has signed, but the packet does not pass the signed-off gate yet. Still open:"
            .to_string(),
    ];
    let mut listed: Vec<&str> = Vec::new();
    for c in open.open_criteria() {
        lines.push(format!("  - [ ] {}: due now", neutral(&c.text)));
        listed.push(&c.text);
    }
    for (c, date) in open.later_criteria() {
        let due = date.map_or_else(
            || "due later".to_string(),
            |d| format!("due {}", open.when(d)),
        );
        lines.push(format!("  - [ ] {}: {due}", neutral(&c.text)));
        listed.push(&c.text);
    }
    for d in &blocking {
        let criterion = d.rule == crate::judgement::rules::sections::CRITERIA_OPEN.id
            && d.target.as_deref().is_some_and(|t| listed.contains(&t));
        if !criterion {
            lines.push(format!(
                "  - {} ({}:{})",
                neutral(&d.message),
                d.file,
                d.pos.line
            ));
        }
    }
    let by = signed
        .day0()
        .and_then(|d0| d0.checked_add_signed(chrono::Duration::days(kind.spec.gates.signed_off)));
    let when = match by {
        Some(d) if d > today => format!("by {}, when the signed-off gate applies", open.when(d)),
        Some(d) => format!("now: the signed-off gate applies since {}", open.when(d)),
        None => "before the signed-off gate".to_string(),
    };
    let tick = if listed.is_empty() {
        "Settle each in"
    } else {
        "Tick each criterion in"
    };
    lines.push(format!(
        "{tick} {shown} once it holds (or waive it with a reason: `handoff waive`). That edits the packet, so the sign-offs go stale: once nothing is open, each role signs again, {when}; then set `status: signed-off` and commit it."
    ));
    lines
}

/// The signed-kind copy a sign-off under `spec` relies on, when there is one on disk.
fn signoff_kind_copy(
    ws: &Workspace,
    spec: &crate::facts::kind::KindSpec,
) -> Option<std::path::PathBuf> {
    crate::facts::kind::signed::file_of(
        &crate::support::paths::absolute(&ws.config.root),
        &spec.name,
        spec.version,
        &crate::facts::kind::signed::digest(spec),
    )
    .filter(|p| p.is_file())
}

fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

/// Keep a copy of `spec`'s requirements for sign-offs to be judged by; returns the file when it
/// was written now (the signer commits it with the sign-off).
pub(super) fn keep_signed_kind(
    root: &std::path::Path,
    spec: &crate::facts::kind::KindSpec,
) -> Result<Option<std::path::PathBuf>, Error> {
    let Some(path) = crate::facts::kind::signed::file_of(
        root,
        &spec.name,
        spec.version,
        &crate::facts::kind::signed::digest(spec),
    ) else {
        return Ok(None);
    };
    if path.exists() {
        return Ok(None);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::usage(
                format!("cannot create {}: {e}", crate::support::paths::shown(dir)),
                "check the repository is writable",
            )
        })?;
    }
    let text = serde_json::to_string_pretty(spec).unwrap_or_default() + "\n";
    crate::facts::atomic::write_atomic(&path, &text)?;
    Ok(Some(path))
}
