//! `handoff sign`: record a role's sign-off, editing only the `signoffs` block, atomically.

use super::Env;
use crate::facts::error::Error;
use crate::facts::gate::Gate;
use crate::facts::packet::Packet;
use crate::facts::signoff::{self, Freshness, Signoff};
use crate::facts::workspace::Workspace;
use crate::judgement::diagnostic::Severity;
use crate::judgement::open::Open;
use crate::support::suggest::did_you_mean;

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
}

/// Sign; returns the exit status.
pub fn run(env: &Env, args: &SignArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let dir = ws.packet(&args.packet)?;
    let signer = super::acting_person(&env.cwd, args.by.as_deref(), &ws.config.settings)?;
    let super::Editing {
        lock,
        packet,
        path,
        shown,
    } = super::edit_packet(&dir, "signed")?;
    let kind_name = ws.kind_name_of(&packet).to_string();
    let kind = ws
        .require_kind(&kind_name)
        .map_err(|e| Error::usage(format!("{shown}: {e}"), e.help().unwrap_or_default()))?;
    let spec = &kind.spec;
    let Some(role) = spec.roles.iter().find(|r| r.name == args.role) else {
        let roles: Vec<&str> = spec.roles.iter().map(|r| r.name.as_str()).collect();
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
    };
    let settings = &ws.config.settings;
    let holders = signoff::holders(&packet, role, settings);
    if !holders.allows(&signer) {
        return Err(Error::usage(
            format!(
                "{signer} may not sign {} as {}: it may be signed by {}",
                packet.id,
                role.name,
                holders.describe()
            ),
            format!(
                "ask the holder to run `handoff sign {} --role {}`; to change who holds the role, edit {}",
                packet.id,
                role.name,
                match &role.held_by {
                    Some(path) => format!("the packet's `{path}`"),
                    None => format!("[people] {} in handoff.toml", role.name),
                }
            ),
        ));
    }
    let review = signoff::Review::of(&packet, spec, settings);
    if !spec.allow_same_signer {
        let other = review.standings.iter().find(|st| {
            st.signoff.role != role.name && crate::facts::person::same(&st.signoff.by, &signer)
        });
        if let Some(other) = other {
            return Err(Error::usage(
                format!(
                    "{signer} already signed {} as {}: one person holds one sign-off per packet",
                    packet.id, other.signoff.role
                ),
                format!(
                    "another holder of {} signs it (the {kind_name} kind does not allow one person several roles)",
                    role.name
                ),
            ));
        }
    }
    let existing = review
        .standings
        .iter()
        .rposition(|st| st.signoff.role == role.name);
    let mut replaced = None;
    if let Some(st) = existing.map(|i| &review.standings[i]) {
        let theirs = !crate::facts::person::same(&st.signoff.by, &signer);
        if theirs && st.counts() && !args.replace {
            return Err(Error::usage(
                format!(
                    "{} is already signed as {} by {} on {}, and that sign-off still covers the packet",
                    packet.id,
                    role.name,
                    st.signoff.by,
                    signoff::day_of(&st.signoff.at)
                ),
                "to replace their sign-off with yours, run the same command with --replace",
            ));
        }
        if theirs {
            let why = match &st.freshness {
                Freshness::Fresh if st.counts() => "",
                Freshness::Fresh => " (it did not count)",
                _ => " (stale)",
            };
            replaced = Some(format!(
                "Replaced the {} sign-off by {} of {}{why}.",
                role.name,
                st.signoff.by,
                signoff::day_of(&st.signoff.at)
            ));
        }
    }

    let today = super::today(args.today);
    let gate = crate::judgement::verdict::gate_for(&packet, &ws, today).max(Gate::Ready);
    let findings = crate::judgement::rules::check(&packet, &ws.kinds, gate, &ws.config, today);
    let blocking: Vec<_> = findings
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| {
            !d.rule.starts_with("signoff-")
                && d.rule != crate::judgement::rules::sections::CRITERIA_OPEN.id
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
                "{} is not ready to sign: {} at the {gate} gate\n{}{more}",
                packet.id,
                crate::output::report::plural(blocking.len(), "error", "errors"),
                list.join("\n")
            ),
            "answer them first (`handoff check` shows each one), or sign anyway with --force",
        ));
    }
    // Criteria still open are worth a warning, not a refusal: signing before day 0 is normal.
    // Only what `check` reports at this gate is open: a criterion the KPI series decides, one
    // that is waived, or one due later is not.
    let open = Open::of(&packet, kind, &ws.config.settings, today, gate);
    let unchecked: Vec<&str> = open.open_criteria().map(|c| c.text.as_str()).collect();
    if !unchecked.is_empty() {
        eprintln!(
            "warning: {} still open at the {gate} gate:",
            crate::output::report::plural(
                unchecked.len(),
                "acceptance criterion is",
                "acceptance criteria are"
            )
        );
        for t in &unchecked {
            eprintln!("  - [ ] {}", crate::support::words::neutral(t));
        }
    }
    let later = open.later_criteria();
    if let Some((_, Some(last))) = later.last() {
        eprintln!(
            "note: {} later, the last by {}; ticking {} then edits the packet, so this sign-off will need renewing",
            crate::output::report::plural(later.len(), "criterion falls due", "criteria fall due"),
            open.when(*last),
            if later.len() == 1 { "it" } else { "them" }
        );
    }

    let digest = signoff::digest(&packet);
    let new = Signoff {
        role: role.name.clone(),
        by: signer.clone(),
        at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        digest: digest.clone(),
        status: packet.text("status").map(str::to_string),
        note: args.note.clone().filter(|n| !n.trim().is_empty()),
        kind: Some(crate::facts::kind::signed::stamp(spec)),
        pos: Default::default(),
    };
    let text = signoff::record(&packet, &new, existing).map_err(|why| {
        Error::usage(
            format!("{shown}: cannot record the sign-off without rewriting the file: {why}"),
            "write the front matter in block style, one `key: value` per line, with `signoffs:` as a `- role: …` list (as `handoff new` writes it); the file was not changed",
        )
    })?;
    // The kind's requirements as signed, so that the packet is judged by them while the
    // sign-offs are fresh, whatever later edits of the kind ask.
    let kept = keep_signed_kind(&crate::support::paths::absolute(&ws.config.root), spec)?;
    crate::facts::atomic::write_atomic(&path, &text)?;
    drop(lock);
    if !env.quiet {
        if let Some(r) = &replaced {
            println!("{r}");
        }
        println!(
            "Signed {} as {} ({signer}), {}.",
            packet.id,
            role.name,
            short(&digest)
        );
        if holders == signoff::Holders::Unbound {
            println!(
                "Note: the {} role is bound to nobody, so anyone may sign it; name its holder under [people] in handoff.toml.",
                role.name
            );
        }
        let signed = Packet::load(&dir, &crate::support::paths::shown_path(&dir));
        let after = signoff::Review::of(&signed, spec, settings);
        let missing: Vec<&str> = spec
            .roles_for(signed.front.as_ref())
            .map(|r| r.name.as_str())
            .filter(|r| !after.signed(r))
            .collect();
        if missing.is_empty() {
            for line in next_steps(&signed, kind, &ws, today, &shown) {
                println!("{line}");
            }
        } else {
            println!("Still to sign: {}.", missing.join(", "));
        }
        let also = kept
            .as_deref()
            .map(|k| format!(" {}", crate::support::paths::shown(k)))
            .unwrap_or_default();
        println!(
            "Record it in git as the signer:\n  git add {shown}{also} && git commit -m \"Sign off {} as {}\"",
            packet.id, role.name
        );
    }
    Ok(0)
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

fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

/// Keep a copy of `spec`'s requirements for sign-offs to be judged by; returns the file when it
/// was written now (the signer commits it with the sign-off).
fn keep_signed_kind(
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
