//! `handoff sign`: record a role's sign-off, editing only the `signoffs` block, atomically.

use super::Env;
use crate::facts::error::Error;
use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use crate::judgement::acts;
use crate::output::sign;
use chrono::NaiveDate;

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
    let today = super::today(args.today);
    let plan = acts::plan_signoff(
        &ws,
        &editing.packet,
        &editing.shown,
        &request(args, signer, today),
    )?;
    eprint!("{}", sign::open_warning(&plan));
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
    print!("{}", sign::signed(&packet.id, &plan));
    print!(
        "{}",
        sign::where_it_stands(&after_signing(&ws, kind, &dir, &plan, today), &shown)
    );
    print!(
        "{}",
        sign::recorded(committed.as_ref(), kept.as_deref(), &shown, &message)
    );
    Ok(0)
}

/// The sign-off the flags ask for, by `signer`, made now.
fn request(args: &SignArgs, signer: String, today: NaiveDate) -> acts::SignRequest {
    acts::SignRequest {
        role: args.role.clone(),
        signer,
        note: args.note.clone(),
        replace: args.replace,
        force: args.force,
        via: None,
        at: crate::support::clock::now()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        today,
    }
}

/// The packet in `dir` as it now stands, read again with the proofs looked for afresh (the
/// commit is new), judged after the sign-off `plan` recorded.
fn after_signing(
    ws: &Workspace,
    kind: &crate::facts::kind::Kind,
    dir: &std::path::Path,
    plan: &acts::SignPlan,
    today: NaiveDate,
) -> acts::AfterSigning {
    let mut settings = ws.config.settings.clone();
    crate::facts::prover::install(&mut settings, None, false);
    let signed = Packet::load(dir, &crate::support::paths::shown_path(dir));
    acts::after_signing(ws, &settings, kind, &signed, &plan.signoff, today)
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
