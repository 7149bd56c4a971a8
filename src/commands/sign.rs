//! `handoff sign`: record a role's sign-off, editing only the `signoffs` block, atomically.

use super::Env;
use crate::diagnostic::Severity;
use crate::error::Error;
use crate::gate::Gate;
use crate::packet::Packet;
use crate::rules::did_you_mean;
use crate::signoff::{self, Signoff};
use crate::workspace::Workspace;
use std::io::Write as _;

/// Flags of `handoff sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The packet id (or path).
    pub packet: String,
    /// The role you sign for (see `handoff kinds <kind>` for the kind's roles).
    #[arg(long)]
    pub role: String,
    /// The signer, `Name <email>` (default: git config user.name and user.email).
    #[arg(long)]
    pub by: Option<String>,
    /// A note kept with the sign-off.
    #[arg(long)]
    pub note: Option<String>,
    /// Sign even though required answers are missing.
    #[arg(long)]
    pub force: bool,
}

/// Sign; returns the exit status.
pub fn run(env: &Env, args: &SignArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let dir = ws.packet(&args.packet)?;
    let packet = Packet::load(&dir, &crate::paths::shown_path(&dir));
    let shown = crate::paths::shown(&dir.join(crate::packet::PACKET_FILE));
    if let Some(p) = packet.problems.first() {
        return Err(Error::usage(
            format!("{shown}:{}: {}", p.pos.line, p.message),
            "fix the packet first (`handoff check` shows how); a packet that does not parse cannot be signed",
        ));
    }
    let kind_name = ws.kind_name_of(&packet).to_string();
    let kind = ws
        .kinds
        .require(&kind_name)
        .map_err(|e| Error::usage(format!("{shown}: {e}"), e.help().unwrap_or_default()))?;
    let roles: Vec<&str> = kind.spec.roles.iter().map(|r| r.name.as_str()).collect();
    if !roles.contains(&args.role.as_str()) {
        let hint = did_you_mean(&args.role, roles.iter().copied())
            .map(|r| format!("did you mean `{r}`? "))
            .unwrap_or_default();
        return Err(Error::usage(
            format!(
                "`{}` is not a sign-off role of the {kind_name} kind",
                args.role
            ),
            format!("{hint}the roles are: {}", roles.join(", ")),
        ));
    }
    let by = match &args.by {
        Some(by) => by.trim().to_string(),
        None => git_signer(&env.cwd)?,
    };
    if !crate::rules::answers::is_person(&by) {
        return Err(Error::usage(
            format!("`{by}` is not `Name <email>`"),
            "pass --by \"Name <email>\"",
        ));
    }

    let today = chrono::Local::now().date_naive();
    let gate = crate::verdict::gate_for(&packet, &ws, today).max(Gate::Ready);
    let findings = crate::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
    let blocking: Vec<_> = findings
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| {
            !d.rule.starts_with("signoff-") && d.rule != crate::rules::sections::CRITERIA_OPEN.id
        })
        .collect();
    if !blocking.is_empty() && !args.force {
        let list: Vec<String> = blocking
            .iter()
            .take(5)
            .map(|d| format!("  {}:{}: {}", d.file, d.pos.line, d.message))
            .collect();
        let more = if blocking.len() > 5 {
            format!("\n  … and {} more", blocking.len() - 5)
        } else {
            String::new()
        };
        return Err(Error::usage(
            format!(
                "{} is not ready to sign: {} error(s) at the ready gate\n{}{more}",
                packet.id,
                blocking.len(),
                list.join("\n")
            ),
            "answer them first (`handoff check` shows each one), or sign anyway with --force",
        ));
    }
    // Criteria still open are worth a warning, not a refusal: signing before day 0 is normal.
    let unchecked: Vec<&str> = kind
        .spec
        .sections
        .iter()
        .filter(|s| s.all_checked.is_some())
        .filter_map(|s| packet.body.section(&s.title))
        .flat_map(|s| {
            packet
                .body
                .tasks_in(s)
                .filter(|t| !t.checked)
                .map(|t| t.text.as_str())
        })
        .collect();
    if !unchecked.is_empty() {
        eprintln!(
            "warning: {} acceptance criteria are still open:",
            unchecked.len()
        );
        for t in &unchecked {
            eprintln!("  - [ ] {t}");
        }
    }

    let (mut signoffs, _) = signoff::read(&packet);
    signoffs.retain(|s| s.role != args.role);
    let digest = signoff::digest(&packet);
    signoffs.push(Signoff {
        role: args.role.clone(),
        by: by.clone(),
        at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        digest: digest.clone(),
        note: args.note.clone().filter(|n| !n.trim().is_empty()),
        pos: Default::default(),
    });
    let Some(text) = signoff::splice(&packet, &signoffs) else {
        return Err(Error::usage(format!("{shown}: cannot read the packet"), ""));
    };
    write_atomic(&dir.join(crate::packet::PACKET_FILE), &text)?;
    if !env.quiet {
        println!(
            "Signed {} as {} ({by}), {}.",
            packet.id,
            args.role,
            short(&digest)
        );
        let missing: Vec<&str> = roles
            .iter()
            .copied()
            .filter(|r| !signoffs.iter().any(|s| s.role == *r))
            .collect();
        if missing.is_empty() {
            println!("Every role has signed.");
        } else {
            println!("Still to sign: {}.", missing.join(", "));
        }
        println!(
            "Record it in git as the signer:\n  git add {shown} && git commit -m \"Sign off {} as {}\"",
            packet.id, args.role
        );
    }
    Ok(0)
}

fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

/// `git config user.name <user.email>`.
fn git_signer(cwd: &std::path::Path) -> Result<String, Error> {
    let get = |key: &str| {
        std::process::Command::new("git")
            .args(["config", key])
            .current_dir(cwd)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    match (get("user.name"), get("user.email")) {
        (Some(name), Some(email)) => Ok(format!("{name} <{email}>")),
        _ => Err(Error::usage(
            "cannot tell who is signing: git config user.name and user.email are not set",
            "pass --by \"Name <email>\", or set them with `git config user.name` and `git config user.email`",
        )),
    }
}

/// Write `text` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &std::path::Path, text: &str) -> Result<(), Error> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let io = |doing| {
        move |source| Error::Io {
            path: path.to_path_buf(),
            doing,
            source,
        }
    };
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(io("cannot create a temporary file"))?;
    tmp.write_all(text.as_bytes()).map_err(io("cannot write"))?;
    tmp.as_file().sync_all().map_err(io("cannot write"))?;
    match std::fs::metadata(path) {
        Ok(meta) => {
            let _ = tmp.as_file().set_permissions(meta.permissions());
        }
        // A new file gets the usual mode rather than the temporary file's private one.
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        #[cfg(not(unix))]
        Err(_) => {}
    }
    tmp.persist(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        doing: "cannot replace the file",
        source: e.error,
    })?;
    Ok(())
}
