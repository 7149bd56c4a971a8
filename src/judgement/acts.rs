//! What a person does to a packet: sign it off, waive a requirement, send it back. Each is
//! planned here, from the packet as it is and who asks, into the exact new text of `handoff.md`
//! or a refusal saying why not and what to do; `sign`, `waive`, `send-back` and `apply` (the
//! same acts asked for on a pull request) carry the plans out. So the terminal and the forge
//! refuse the same things in the same words.

use crate::facts::config::Holders;
use crate::facts::error::Error;
use crate::facts::gate::{Gate, Status};
use crate::facts::kind::{KindSpec, RoleSpec};
use crate::facts::packet::Packet;
use crate::facts::signoff::{self, Freshness, Signoff};
use crate::facts::workspace::Workspace;
use crate::judgement::diagnostic::Severity;
use crate::support::suggest::did_you_mean;
use chrono::NaiveDate;

/// Who may sign `role` on `packet`: as the base has it when the run has one (`--base`), else as
/// the working tree has it.
pub fn holders(ws: &Workspace, packet: &Packet, role: &RoleSpec) -> Holders {
    match &ws.config.settings.base {
        Some(base) => base.holders(packet, role),
        None => signoff::holders(packet, role, &ws.config.settings),
    }
}

/// The kind role named `name`, or a refusal listing the roles.
pub fn role<'k>(spec: &'k KindSpec, name: &str) -> Result<&'k RoleSpec, Error> {
    spec.roles.iter().find(|r| r.name == name).ok_or_else(|| {
        let roles: Vec<&str> = spec.roles.iter().map(|r| r.name.as_str()).collect();
        let hint = did_you_mean(name, roles.iter().copied())
            .map(|r| format!("did you mean `{r}`? "))
            .unwrap_or_default();
        Error::usage(
            format!(
                "`{}` is not a sign-off role of the {} kind",
                crate::support::words::neutral(name),
                spec.name
            ),
            format!("{hint}the roles are: {}", roles.join(", ")),
        )
    })
}

/// A sign-off asked for.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// The role.
    pub role: String,
    /// Who signs, `Name <email>`.
    pub signer: String,
    /// A note kept with it.
    pub note: Option<String>,
    /// Replace another holder's sign-off that still counts.
    pub replace: bool,
    /// Sign although errors remain.
    pub force: bool,
    /// The review or comment it was given in.
    pub via: Option<String>,
    /// When, RFC 3339.
    pub at: String,
    /// The day, for the gate.
    pub today: NaiveDate,
}

/// A sign-off ready to be written.
#[derive(Debug, Clone)]
pub struct SignPlan {
    /// `handoff.md` with it recorded.
    pub text: String,
    /// The entry.
    pub signoff: Signoff,
    /// Whose sign-off it replaces, in words, when it replaces someone else's.
    pub replaced: Option<String>,
    /// Acceptance criteria open at `gate` (what `check` reports), for a warning.
    pub open: Vec<String>,
    /// The gate the packet was judged at (at least ready).
    pub gate: Gate,
    /// Where its criteria and dated items stand at that gate, what falls due later included.
    pub reading: crate::judgement::open::Open,
    /// Whether the role is bound to nobody.
    pub unbound: bool,
}

/// Plan a sign-off of `packet` (as loaded under its lock; `shown` is its `handoff.md` for
/// messages), or say why it may not be made.
pub fn plan_signoff(
    ws: &Workspace,
    packet: &Packet,
    shown: &str,
    req: &SignRequest,
) -> Result<SignPlan, Error> {
    let kind_name = ws.kind_name_of(packet).to_string();
    let kind = ws
        .require_kind(&kind_name)
        .map_err(|e| Error::usage(format!("{shown}: {e}"), e.help().unwrap_or_default()))?;
    let spec = &kind.spec;
    let role = role(spec, &req.role)?;
    let signer = &req.signer;
    let holders = holders(ws, packet, role);
    if !holders.allows(signer) {
        return Err(Error::usage(
            format!(
                "{signer} may not sign {} as {}: it may be signed by {}",
                packet.id,
                role.name,
                holders.describe()
            ),
            format!(
                "ask the holder to sign (`handoff sign {} --role {}`); to change who holds the role, edit {}",
                packet.id,
                role.name,
                match &role.held_by {
                    Some(path) => format!("the packet's `{path}`"),
                    None => format!("[people] {} in handoff.toml", role.name),
                }
            ),
        ));
    }
    let settings = &ws.config.settings;
    let review = signoff::Review::of(packet, spec, settings);
    if !spec.allow_same_signer {
        let other = review.standings.iter().find(|st| {
            st.signoff.role != role.name && crate::facts::person::same(&st.signoff.by, signer)
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
        let theirs = !crate::facts::person::same(&st.signoff.by, signer);
        if theirs && st.counts() && !req.replace {
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

    let gate = crate::judgement::verdict::gate_for(packet, ws, req.today).max(Gate::Ready);
    let findings = crate::judgement::rules::check(packet, &ws.kinds, gate, &ws.config, req.today);
    let blocking: Vec<_> = findings
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| {
            !d.rule.is_signoff() && d.rule != crate::judgement::rules::sections::CRITERIA_OPEN.id
        })
        .collect();
    if !blocking.is_empty() && !req.force {
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
                crate::support::words::plural(blocking.len(), "error", "errors"),
                list.join("\n")
            ),
            "answer them first (`handoff check` shows each one), or sign anyway with --force",
        ));
    }
    // Criteria still open are worth a warning, not a refusal: signing before day 0 is normal.
    // Only what `check` reports at this gate is open: a criterion the KPI series decides, one
    // that is waived, or one due later is not.
    let reading = crate::judgement::open::Open::of(packet, kind, settings, req.today, gate);
    let open: Vec<String> = reading.open_criteria().map(|c| c.text.clone()).collect();

    let new = Signoff {
        role: role.name.clone(),
        by: signer.clone(),
        at: req.at.clone(),
        digest: signoff::digest(packet),
        status: packet.text("status").map(str::to_string),
        note: req.note.clone().filter(|n| !n.trim().is_empty()),
        kind: Some(crate::facts::kind::signed::stamp(spec)),
        via: req.via.clone(),
        pos: Default::default(),
    };
    let text = signoff::record(packet, &new, existing).map_err(|why| {
        Error::usage(
            format!("{shown}: cannot record the sign-off without rewriting the file: {why}"),
            "write the front matter in block style, one `key: value` per line, with `signoffs:` as a `- role: …` list (as `handoff new` writes it); the file was not changed",
        )
    })?;
    Ok(SignPlan {
        text,
        signoff: new,
        replaced,
        open,
        gate,
        reading,
        unbound: holders == Holders::Unbound,
    })
}

/// A waiver asked for.
#[derive(Debug, Clone)]
pub struct WaiveRequest {
    /// An answer path or a criterion's text.
    pub target: String,
    /// Why.
    pub reason: String,
    /// The last day it holds.
    pub until: NaiveDate,
    /// Who grants it.
    pub by: String,
    /// The day it is granted.
    pub today: NaiveDate,
    /// The comment it was asked for in.
    pub via: Option<String>,
}

/// A waiver ready to be written.
#[derive(Debug, Clone)]
pub struct WaivePlan {
    /// `handoff.md` with it recorded.
    pub text: String,
    /// The target as recorded (a criterion's text as the kind or packet writes it).
    pub target: String,
    /// Whether it renews a waiver of the same target.
    pub renewed: bool,
}

/// Plan a waiver, or say why it may not be granted.
pub fn plan_waiver(
    ws: &Workspace,
    packet: &Packet,
    shown: &str,
    req: &WaiveRequest,
) -> Result<WaivePlan, Error> {
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(
            "a waiver needs a reason",
            "say why it does not apply: --reason \"…\"",
        ));
    }
    let kind_name = ws.kind_name_of(packet).to_string();
    let spec = &ws.require_kind(&kind_name)?.spec;
    let target = req.target.trim();
    let criterion = spec
        .criteria_for(packet.front.as_ref())
        .iter()
        .map(|c| c.text().to_string())
        .chain(packet.body.tasks.iter().map(|t| t.text.clone()))
        .find(|c| crate::facts::kind::spec::same_criterion(c, target));
    let target = match (spec.field_at(target), criterion) {
        (Some(_), _) => target.to_string(),
        (None, Some(c)) => c,
        (None, None) => {
            let paths = spec.paths();
            let hint = did_you_mean(target, paths.iter().map(String::as_str))
                .map(|p| format!("did you mean `{p}`? "))
                .unwrap_or_default();
            return Err(Error::usage(
                format!(
                    "`{}` is neither a question nor an acceptance criterion of {}",
                    crate::support::words::neutral(target),
                    packet.id
                ),
                format!(
                    "{hint}name an answer path (e.g. `metric.source`, `risks[1].monitor`; `handoff kinds {kind_name}` lists them) or a criterion's text"
                ),
            ));
        }
    };
    if req.until < req.today {
        return Err(Error::usage(
            format!("the waiver's end, {}, is in the past", req.until),
            "a waiver holds until a day to come",
        ));
    }
    let days = (req.until - req.today).num_days();
    if days > spec.waivers.max_days {
        return Err(Error::usage(
            format!(
                "the waiver would run until {}, {days} days away; the {kind_name} kind allows waivers of at most {} days",
                req.until, spec.waivers.max_days
            ),
            format!(
                "choose a date by {}",
                req.today + chrono::Duration::days(spec.waivers.max_days)
            ),
        ));
    }
    if !crate::judgement::rules::waiver::may_approve(&req.by, packet, spec, &ws.config.settings) {
        return Err(Error::usage(
            format!(
                "{} may not grant waivers on {kind_name} packets: only holders of {} may",
                req.by,
                spec.waivers.approvers.join(", ")
            ),
            "ask one of them to grant it",
        ));
    }
    let (existing, _) = crate::facts::waiver::read(packet);
    let replace = existing.iter().rposition(|w| w.covers(&target));
    let mut fields: Vec<(&str, String)> = vec![
        ("target", target.clone()),
        ("reason", reason.to_string()),
        ("until", req.until.to_string()),
        ("by", req.by.clone()),
        ("at", req.today.to_string()),
    ];
    if let Some(via) = &req.via {
        fields.push(("via", via.clone()));
    }
    let text = crate::facts::packet::edit::list_entry(packet, "waivers", &fields, replace).map_err(
        |why| {
            Error::usage(
                format!("{shown}: cannot record the waiver without rewriting the file: {why}"),
                "write the front matter in block style, with `waivers:` as a `- target: …` list; the file was not changed",
            )
        },
    )?;
    Ok(WaivePlan {
        text,
        target,
        renewed: replace.is_some(),
    })
}

/// A send-back asked for.
#[derive(Debug, Clone)]
pub struct SendBackRequest {
    /// What is missing.
    pub reason: String,
    /// The status to move back to.
    pub to: Status,
    /// Who sends it back.
    pub by: String,
    /// The day.
    pub today: NaiveDate,
    /// The review or comment it was asked for in.
    pub via: Option<String>,
}

/// A send-back ready to be written.
#[derive(Debug, Clone)]
pub struct SendBackPlan {
    /// `handoff.md` with it recorded and the status moved back.
    pub text: String,
    /// The status it had.
    pub from: Status,
    /// How many times it has been sent back, this one included.
    pub times: usize,
}

/// Plan a send-back, or say why it cannot be made.
pub fn plan_send_back(
    packet: &Packet,
    shown: &str,
    req: &SendBackRequest,
) -> Result<SendBackPlan, Error> {
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(
            "a send-back needs a reason",
            "say what is missing, so the sending team can fix it",
        ));
    }
    let to = req.to;
    let Some(from) = packet.status() else {
        return Err(Error::usage(
            format!("{shown}: the status is not one handoff knows"),
            "fix `status:` first (`handoff check` says how)",
        ));
    };
    if from <= to {
        return Err(Error::usage(
            format!("{} is `{from}`, which is not past `{to}`", packet.id),
            if from == Status::Draft {
                "a draft has not been handed over yet; tell the sending team what is missing instead".to_string()
            } else {
                format!("choose an earlier status than `{from}`")
            },
        ));
    }
    let mut fields: Vec<(&str, String)> = vec![
        ("at", req.today.to_string()),
        ("by", req.by.clone()),
        ("from", from.to_string()),
        ("reason", reason.to_string()),
    ];
    if let Some(via) = &req.via {
        fields.push(("via", via.clone()));
    }
    let cannot = |why: String| {
        Error::usage(
            format!("{shown}: cannot record the send-back without rewriting the file: {why}"),
            "write the front matter in block style, with `sent_back:` as a `- at: …` list; the file was not changed",
        )
    };
    let text = crate::facts::packet::edit::list_entry(packet, "sent_back", &fields, None)
        .map_err(cannot)?;
    let recorded = Packet::from_text(&packet.dir, &packet.dir, text);
    let times = crate::facts::sendback::read(&recorded).len();
    let text =
        crate::facts::packet::edit::set_scalar(&recorded, "status", to.name()).map_err(cannot)?;
    Ok(SendBackPlan { text, from, times })
}
