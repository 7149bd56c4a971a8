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
use crate::judgement::diagnostic::Diagnostic;
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
pub fn role<'k>(spec: &'k KindSpec, name: &str) -> Result<&'k RoleSpec, Refusal> {
    spec.roles
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| Refusal::UnknownRole {
            role: name.to_string(),
            kind: spec.name.clone(),
            roles: spec.roles.iter().map(|r| r.name.clone()).collect(),
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
    /// The other holder's sign-off it replaces, when it replaces someone else's.
    pub replaced: Option<Replaced>,
    /// Acceptance criteria open at `gate` (what `check` reports), for a warning.
    pub open: Vec<String>,
    /// The gate the packet was judged at (at least ready).
    pub gate: Gate,
    /// Where its criteria and dated items stand at that gate, what falls due later included.
    pub reading: crate::judgement::open::Open,
    /// Whether the role is bound to nobody.
    pub unbound: bool,
}

/// Someone else's sign-off that a new one replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    /// The role.
    pub role: String,
    /// Who had signed.
    pub by: String,
    /// The day they signed.
    pub day: String,
    /// How their sign-off stood.
    pub stood: Stood,
}

/// How a replaced sign-off stood when it was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stood {
    /// Fresh, but it did not count (not proven, or its signer no longer holds the role).
    NotCounting,
    /// The packet changed since it was given.
    Stale,
    /// It still counted (replaced with `--replace`).
    Counting,
}

/// Why a sign-off may not be made: each carries what its message names.
#[derive(Debug)]
pub enum Refusal {
    /// The packet's kind cannot be read.
    Kind {
        /// The packet's `handoff.md`, as shown.
        file: String,
        /// Why.
        error: Box<Error>,
    },
    /// The kind has no such role.
    UnknownRole {
        /// The role asked for.
        role: String,
        /// The kind.
        kind: String,
        /// Its roles.
        roles: Vec<String>,
    },
    /// The signer does not hold the role.
    NotHolder {
        /// Who asked to sign.
        signer: String,
        /// The packet id.
        packet: String,
        /// The role.
        role: String,
        /// Who holds it.
        holders: Box<Holders>,
        /// The packet's answer naming the holders, when the kind binds the role there.
        held_by: Option<String>,
    },
    /// The signer signed another role of the packet, and its kind wants one person a role.
    SameSigner {
        /// Who asked to sign.
        signer: String,
        /// The packet id.
        packet: String,
        /// The role asked for.
        role: String,
        /// The role they signed already.
        signed: String,
        /// The kind.
        kind: String,
    },
    /// Another holder's sign-off of the role still covers the packet (and no `--replace`).
    SignedByAnother {
        /// The packet id.
        packet: String,
        /// The role.
        role: String,
        /// Who signed it.
        by: String,
        /// The day they did.
        day: String,
    },
    /// The packet has errors at its gate (and no `--force`).
    NotReady {
        /// The packet id.
        packet: String,
        /// The gate judged.
        gate: Gate,
        /// The findings that block it.
        errors: Vec<Diagnostic>,
    },
    /// The front matter cannot take the sign-off without being rewritten.
    Unrecordable {
        /// The packet's `handoff.md`, as shown.
        file: String,
        /// Why.
        why: String,
    },
}

/// How many blocking findings a refusal lists.
const LISTED: usize = 5;

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::support::words::{neutral, plural};
        match self {
            Refusal::Kind { file, error } => write!(f, "{file}: {error}"),
            Refusal::UnknownRole { role, kind, .. } => write!(
                f,
                "`{}` is not a sign-off role of the {kind} kind",
                neutral(role)
            ),
            Refusal::NotHolder {
                signer,
                packet,
                role,
                holders,
                ..
            } => write!(
                f,
                "{signer} may not sign {packet} as {role}: it may be signed by {}",
                holders.describe()
            ),
            Refusal::SameSigner {
                signer,
                packet,
                signed,
                ..
            } => write!(
                f,
                "{signer} already signed {packet} as {signed}: one person holds one sign-off per packet"
            ),
            Refusal::SignedByAnother {
                packet,
                role,
                by,
                day,
            } => write!(
                f,
                "{packet} is already signed as {role} by {by} on {day}, and that sign-off still covers the packet"
            ),
            Refusal::NotReady {
                packet,
                gate,
                errors,
            } => {
                writeln!(
                    f,
                    "{packet} is not ready to sign: {} at the {gate} gate",
                    plural(errors.len(), "error", "errors")
                )?;
                let list: Vec<String> = errors
                    .iter()
                    .take(LISTED)
                    .map(|d| format!("  {}:{}: {}", d.file, d.pos.line, d.message))
                    .collect();
                f.write_str(&list.join("\n"))?;
                if errors.len() > LISTED {
                    write!(f, "\n  … and {} more", errors.len() - LISTED)?;
                }
                Ok(())
            }
            Refusal::Unrecordable { file, why } => write!(
                f,
                "{file}: cannot record the sign-off without rewriting the file: {why}"
            ),
        }
    }
}

impl Refusal {
    /// What to do about it.
    pub fn help(&self) -> String {
        match self {
            Refusal::Kind { error, .. } => error.help().unwrap_or_default(),
            Refusal::UnknownRole { role, roles, .. } => {
                let hint = did_you_mean(role, roles.iter().map(String::as_str))
                    .map(|r| format!("did you mean `{r}`? "))
                    .unwrap_or_default();
                format!("{hint}the roles are: {}", roles.join(", "))
            }
            Refusal::NotHolder {
                packet,
                role,
                held_by,
                ..
            } => format!(
                "ask the holder to sign (`handoff sign {packet} --role {role}`); to change who holds the role, edit {}",
                match held_by {
                    Some(path) => format!("the packet's `{path}`"),
                    None => format!("[people] {role} in handoff.toml"),
                }
            ),
            Refusal::SameSigner { role, kind, .. } => format!(
                "another holder of {role} signs it (the {kind} kind does not allow one person several roles)"
            ),
            Refusal::SignedByAnother { .. } => {
                "to replace their sign-off with yours, run the same command with --replace".into()
            }
            Refusal::NotReady { .. } => {
                "answer them first (`handoff check` shows each one), or sign anyway with --force"
                    .into()
            }
            Refusal::Unrecordable { .. } => "write the front matter in block style, one `key: value` per line, with `signoffs:` as a `- role: …` list (as `handoff new` writes it); the file was not changed".into(),
        }
    }
}

impl std::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Refusal::Kind { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        Error::usage(refusal.to_string(), refusal.help())
    }
}

/// Plan a sign-off of `packet` (as loaded under its lock; `shown` is its `handoff.md` for
/// messages), or say why it may not be made.
pub fn plan_signoff(
    ws: &Workspace,
    packet: &Packet,
    shown: &str,
    req: &SignRequest,
) -> Result<SignPlan, Refusal> {
    let kind_name = ws.kind_name_of(packet).to_string();
    let kind = ws.require_kind(&kind_name).map_err(|error| Refusal::Kind {
        file: shown.to_string(),
        error: Box::new(error),
    })?;
    let spec = &kind.spec;
    let role = role(spec, &req.role)?;
    let holders = may_sign(ws, packet, role, &req.signer)?;
    let review = signoff::Review::of(packet, spec, &ws.config.settings);
    if !spec.allow_same_signer {
        one_role_each(&review, packet, role, &req.signer, &kind_name)?;
    }
    let existing = review
        .standings
        .iter()
        .rposition(|st| st.signoff.role == role.name);
    let replaced = match existing {
        Some(i) => replacing(&review.standings[i], packet, &req.signer, req.replace)?,
        None => None,
    };
    let gate = crate::judgement::verdict::gate_for(packet, ws, req.today).max(Gate::Ready);
    let errors = blocking(ws, packet, gate, req.today);
    if !errors.is_empty() && !req.force {
        return Err(Refusal::NotReady {
            packet: packet.id.clone(),
            gate,
            errors,
        });
    }
    // Criteria still open are worth a warning, not a refusal: signing before day 0 is normal.
    // Only what `check` reports at this gate is open: a criterion the KPI series decides, one
    // that is waived, or one due later is not.
    let reading =
        crate::judgement::open::Open::of(packet, kind, &ws.config.settings, req.today, gate);
    let open: Vec<String> = reading.open_criteria().map(|c| c.text.clone()).collect();
    let new = entry(packet, spec, role, req);
    let text = signoff::record(packet, &new, existing).map_err(|why| Refusal::Unrecordable {
        file: shown.to_string(),
        why,
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

/// The sign-off entry `req` records on `packet` as it is now, for `role` of the kind `spec`.
fn entry(packet: &Packet, spec: &KindSpec, role: &RoleSpec, req: &SignRequest) -> Signoff {
    Signoff {
        role: role.name.clone(),
        by: req.signer.clone(),
        at: req.at.clone(),
        digest: signoff::digest(packet),
        status: packet.text("status").map(str::to_string),
        note: req.note.clone().filter(|n| !n.trim().is_empty()),
        kind: Some(crate::facts::kind::signed::stamp(spec)),
        via: req.via.clone(),
        pos: Default::default(),
    }
}

/// Who holds `role` on `packet`, when `signer` is one of them.
fn may_sign(
    ws: &Workspace,
    packet: &Packet,
    role: &RoleSpec,
    signer: &str,
) -> Result<Holders, Refusal> {
    let holders = holders(ws, packet, role);
    if holders.allows(signer) {
        return Ok(holders);
    }
    Err(Refusal::NotHolder {
        signer: signer.to_string(),
        packet: packet.id.clone(),
        role: role.name.clone(),
        holders: Box::new(holders),
        held_by: role.held_by.clone(),
    })
}

/// One person, one sign-off a packet: `signer` has signed no other role of it.
fn one_role_each(
    review: &signoff::Review,
    packet: &Packet,
    role: &RoleSpec,
    signer: &str,
    kind: &str,
) -> Result<(), Refusal> {
    let other = review.standings.iter().find(|st| {
        st.signoff.role != role.name && crate::facts::person::same(&st.signoff.by, signer)
    });
    match other {
        Some(other) => Err(Refusal::SameSigner {
            signer: signer.to_string(),
            packet: packet.id.clone(),
            role: role.name.clone(),
            signed: other.signoff.role.clone(),
            kind: kind.to_string(),
        }),
        None => Ok(()),
    }
}

/// What signing over the role's latest sign-off `st` replaces: nothing when it is the signer's
/// own; someone else's only when it no longer counts, or when `replace` says so.
fn replacing(
    st: &signoff::Standing,
    packet: &Packet,
    signer: &str,
    replace: bool,
) -> Result<Option<Replaced>, Refusal> {
    if crate::facts::person::same(&st.signoff.by, signer) {
        return Ok(None);
    }
    let day = signoff::day_of(&st.signoff.at).to_string();
    if st.counts() && !replace {
        return Err(Refusal::SignedByAnother {
            packet: packet.id.clone(),
            role: st.signoff.role.clone(),
            by: st.signoff.by.clone(),
            day,
        });
    }
    let stood = match &st.freshness {
        Freshness::Fresh if st.counts() => Stood::Counting,
        Freshness::Fresh => Stood::NotCounting,
        _ => Stood::Stale,
    };
    Ok(Some(Replaced {
        role: st.signoff.role.clone(),
        by: st.signoff.by.clone(),
        day,
        stood,
    }))
}

/// The findings that keep a packet from being signed at `gate`: its errors there, apart from
/// the sign-off rules and open acceptance criteria (signing before day 0 is normal).
fn blocking(ws: &Workspace, packet: &Packet, gate: Gate, today: NaiveDate) -> Vec<Diagnostic> {
    crate::judgement::open::blocking(packet, &ws.kinds, &ws.config, today, gate)
        .into_iter()
        .filter(|d| d.rule != crate::judgement::rules::sections::CRITERIA_OPEN.id)
        .collect()
}

/// Where a packet stands once a sign-off is recorded.
#[derive(Debug)]
pub struct AfterSigning {
    /// Why the new sign-off does not count yet (its proof is missing), when it does not.
    pub not_counting: Option<String>,
    /// What comes next.
    pub next: Next,
}

/// What comes next for a packet once a sign-off is recorded. Never a step that would fail the
/// gate.
#[derive(Debug)]
pub enum Next {
    /// These roles have yet to sign.
    Sign(Vec<String>),
    /// Every role has signed and the status is signed-off or later: commit it.
    Commit(Status),
    /// Every role has signed and the signed-off gate passes: set the status forward.
    SetSignedOff,
    /// Every role has signed, but the signed-off gate does not pass yet.
    Settle(Unsettled),
}

/// What keeps a packet whose roles have all signed from passing the signed-off gate.
#[derive(Debug)]
pub struct Unsettled {
    /// Its criteria and dated items at its gate (at least ready): the open criteria, now and later.
    pub open: crate::judgement::open::Open,
    /// The other errors at the signed-off gate (open criteria listed in `open` left out).
    pub findings: Vec<Diagnostic>,
    /// The day the signed-off gate applies from, when day 0 is known.
    pub gate_from: Option<NaiveDate>,
    /// The day judged.
    pub today: NaiveDate,
}

impl Unsettled {
    /// Whether any acceptance criterion is listed, now or later.
    pub fn lists_criteria(&self) -> bool {
        self.open.open_criteria().next().is_some() || !self.open.later_criteria().is_empty()
    }
}

/// Where `packet` (as written with the sign-off `signed`, judged with `settings`, whose proofs
/// see the new commit) stands: whether the sign-off counts yet, and what is left to sign or do.
pub fn after_signing(
    ws: &Workspace,
    settings: &crate::facts::config::Settings,
    kind: &crate::facts::kind::Kind,
    packet: &Packet,
    signed: &Signoff,
    today: NaiveDate,
) -> AfterSigning {
    let spec = &kind.spec;
    let after = signoff::Review::of(packet, spec, settings);
    let mine = after
        .standings
        .iter()
        .rev()
        .find(|st| st.signoff.role == signed.role && st.signoff.by == signed.by);
    let not_counting = mine.and_then(|st| st.proven.why_not.clone());
    let missing: Vec<String> = spec
        .roles_for(packet.front.as_ref())
        .filter(|r| !after.signed(&r.name))
        .map(|r| r.name.clone())
        .collect();
    let next = match missing.is_empty() {
        true => next_step(ws, kind, packet, today),
        false => Next::Sign(missing),
    };
    AfterSigning { not_counting, next }
}

/// What comes next once every role has signed `packet`.
fn next_step(
    ws: &Workspace,
    kind: &crate::facts::kind::Kind,
    packet: &Packet,
    today: NaiveDate,
) -> Next {
    if let Some(status) = packet.status().filter(|s| *s >= Status::SignedOff) {
        return Next::Commit(status);
    }
    let blocking =
        crate::judgement::open::blocking(packet, &ws.kinds, &ws.config, today, Gate::SignedOff);
    if blocking.is_empty() {
        return Next::SetSignedOff;
    }
    let gate = crate::judgement::verdict::gate_for(packet, ws, today).max(Gate::Ready);
    let open = crate::judgement::open::Open::of(packet, kind, &ws.config.settings, today, gate);
    let listed: Vec<&str> = open
        .open_criteria()
        .map(|c| c.text.as_str())
        .chain(
            open.later_criteria()
                .into_iter()
                .map(|(c, _)| c.text.as_str()),
        )
        .collect();
    let findings = blocking
        .into_iter()
        .filter(|d| {
            d.rule != crate::judgement::rules::sections::CRITERIA_OPEN.id
                || !d.target.as_deref().is_some_and(|t| listed.contains(&t))
        })
        .collect();
    let gate_from = packet
        .day0()
        .and_then(|d0| d0.checked_add_signed(chrono::Duration::days(kind.spec.gates.signed_off)));
    Next::Settle(Unsettled {
        open,
        findings,
        gate_from,
        today,
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

#[cfg(test)]
mod tests {
    use super::*;

    const KIND: &str = "name: duo
summary: Two teams, two sign-offs
version: 1
fields:
  - key: trigger
    type: text
    prompt: What starts it?
roles:
  - name: sender
    description: The sending team
  - name: receiver
    description: The receiving team
";

    const ANN: &str = "Ann Lee <ann@x.test>";
    const BO: &str = "Bo Chen <bo@x.test>";
    const OMAR: &str = "Omar Haddad <omar@x.test>";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, 1).expect("a date")
    }

    /// A repository with one ready packet of the `duo` kind (`trigger` answered or not), its
    /// roles bound as `people` says.
    fn repo(people: &str, trigger: &str) -> (tempfile::TempDir, Workspace) {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
            std::fs::write(path, text).expect("a file");
        };
        write(
            "handoff.toml",
            &format!("packets = \"handoffs\"\n\n[people]\n{people}"),
        );
        write(".handoff/kinds/duo/kind.yaml", KIND);
        write(
            "handoffs/one/handoff.md",
            &format!(
                "---\nid: one\ntitle: One\nkind: duo\nfrom: a\nto: b\nday0: 2027-03-10\nstatus: ready\ntrigger: {trigger}\n---\n# One\n"
            ),
        );
        let ws = Workspace::open(root).expect("the workspace opens");
        (tmp, ws)
    }

    fn packet(ws: &Workspace) -> Packet {
        let dir = ws.config.root.join("handoffs/one");
        Packet::load(&dir, &dir)
    }

    fn ask(role: &str, signer: &str) -> SignRequest {
        SignRequest {
            role: role.into(),
            signer: signer.into(),
            note: None,
            replace: false,
            force: false,
            via: None,
            at: "2027-03-01T10:00:00Z".into(),
            today: today(),
        }
    }

    fn plan(ws: &Workspace, req: &SignRequest) -> Result<SignPlan, Refusal> {
        plan_signoff(ws, &packet(ws), "handoffs/one/handoff.md", req)
    }

    /// Sign as asked and write the packet.
    fn sign(ws: &Workspace, req: &SignRequest) -> SignPlan {
        let made = plan(ws, req).expect("the sign-off is planned");
        let path = ws.config.root.join("handoffs/one/handoff.md");
        std::fs::write(path, &made.text).expect("the packet is written");
        made
    }

    #[test]
    fn who_may_not_sign_is_refused_with_what_the_message_names() {
        let (_tmp, ws) = repo(&format!("receiver = \"{OMAR}\"\n"), "A contract");
        match plan(&ws, &ask("receiver", BO)) {
            Err(r @ Refusal::NotHolder { .. }) => {
                let Refusal::NotHolder {
                    signer,
                    role,
                    holders,
                    ..
                } = &r
                else {
                    unreachable!()
                };
                assert_eq!((signer.as_str(), role.as_str()), (BO, "receiver"));
                assert!(holders.allows(OMAR) && !holders.allows(BO));
                assert!(
                    r.to_string().contains("may not sign one as receiver"),
                    "{r}"
                );
                assert!(r.help().contains("[people] receiver"), "{}", r.help());
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        match plan(&ws, &ask("reciever", OMAR)) {
            Err(r @ Refusal::UnknownRole { .. }) => {
                assert!(
                    r.help().starts_with("did you mean `receiver`?"),
                    "{}",
                    r.help()
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // The holder may; an unbound role is said to be one.
        let made = plan(&ws, &ask("receiver", OMAR)).expect("the holder signs");
        assert!(!made.unbound && made.replaced.is_none());
        assert!(
            plan(&ws, &ask("sender", ANN))
                .expect("anyone signs")
                .unbound
        );
    }

    #[test]
    fn one_person_signs_one_role_and_another_holders_sign_off_is_replaced_only_when_asked() {
        let (_tmp, ws) = repo("", "A contract");
        sign(&ws, &ask("sender", ANN));
        assert!(matches!(
            plan(&ws, &ask("receiver", ANN)),
            Err(Refusal::SameSigner { ref signed, .. }) if signed == "sender"
        ));
        // Ann signing again renews her own sign-off: nothing is replaced.
        assert!(
            plan(&ws, &ask("sender", ANN))
                .expect("renewed")
                .replaced
                .is_none()
        );
        let theirs = plan(&ws, &ask("sender", BO));
        let counts = matches!(theirs, Err(Refusal::SignedByAnother { ref by, .. }) if by == ANN);
        let mut again = ask("sender", BO);
        again.replace = true;
        let replaced = plan(&ws, &again)
            .expect("replaced")
            .replaced
            .expect("Ann's");
        assert_eq!(
            (replaced.by.as_str(), replaced.day.as_str()),
            (ANN, "2027-03-01")
        );
        // Without --replace, a sign-off that counts is refused; one that does not is replaced.
        let stood = if counts {
            Stood::Counting
        } else {
            Stood::NotCounting
        };
        assert_eq!(replaced.stood, stood);
        if !counts {
            assert!(theirs.expect("replaced").replaced.is_some());
        }
    }

    #[test]
    fn errors_at_the_gate_block_a_sign_off_unless_forced() {
        let (_tmp, ws) = repo("", "\"\"");
        let r = plan(&ws, &ask("sender", ANN)).expect_err("refused");
        let Refusal::NotReady { gate, errors, .. } = &r else {
            panic!("expected the packet not to be ready: {r}")
        };
        assert_eq!(*gate, Gate::Ready);
        assert!(!errors.is_empty() && errors.iter().all(|d| !d.rule.is_signoff()));
        assert!(
            r.to_string().starts_with("one is not ready to sign: "),
            "{r}"
        );
        let mut forced = ask("sender", ANN);
        forced.force = true;
        assert!(plan(&ws, &forced).is_ok());
    }

    #[test]
    fn after_signing_says_who_is_left_and_then_what_to_do() {
        let (_tmp, ws) = repo("", "A contract");
        let unsigned = packet(&ws);
        let kind = ws.kind_of(&unsigned).expect("the kind");
        let first = sign(&ws, &ask("sender", ANN));
        let after = after_signing(
            &ws,
            &ws.config.settings,
            kind,
            &packet(&ws),
            &first.signoff,
            today(),
        );
        assert!(
            matches!(&after.next, Next::Sign(left) if left == &["receiver".to_string()]),
            "{after:?}"
        );
        let second = sign(&ws, &ask("receiver", BO));
        let after = after_signing(
            &ws,
            &ws.config.settings,
            kind,
            &packet(&ws),
            &second.signoff,
            today(),
        );
        assert!(
            matches!(after.next, Next::SetSignedOff | Next::Settle(_)),
            "{after:?}"
        );
    }
}
