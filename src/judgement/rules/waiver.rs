//! Waiver rules: each waiver is complete, granted by someone who may, for no longer than the kind
//! allows, and not expired; while one holds, the findings about its target become notes. The
//! facts come from [`crate::facts::waiver`].

use super::{Ctx, Rule};
use crate::facts::config::Holders;
use crate::facts::config::Settings;
use crate::facts::kind::KindSpec;
use crate::facts::packet::Packet;
use crate::facts::signoff::holders;
use crate::facts::waiver::{self, Waiver};
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::{Diagnostic, Severity, Waived};
use chrono::NaiveDate;

/// A waiver that cannot be honoured as written.
pub static WAIVER_INVALID: Rule = Rule {
    id: RuleId::WaiverInvalid,
    summary: "each waiver has a target, a reason, an expiry within the kind's limit, and an allowed approver",
    explanation: "A waiver says an answer or an acceptance criterion does not apply, why, and until \
when. It is written by `handoff waive`, which records who granted it and when. It must expire no \
later than the kind allows after it was granted (90 days unless the kind's `waivers.max_days` says \
otherwise), and, when the kind names `waivers.approvers`, be granted by a holder of one of those \
roles. A waiver that breaks these rules waives nothing.\n\nFix: `handoff waive <id> <target> --reason \
\"…\" --until YYYY-MM-DD`, as an allowed approver.",
};

/// A waiver past its expiry.
pub static WAIVER_EXPIRED: Rule = Rule {
    id: RuleId::WaiverExpired,
    summary: "no waiver is past its `until` date",
    explanation: "A waiver holds through its `until` day. After that the requirement it covered \
applies again, and the expired waiver is an error until someone decides: meet the requirement and \
remove the waiver, or grant a new one with a new reason and date.",
};

/// A waiver nothing proves its approver gave.
pub static WAIVER_UNPROVEN: Rule = Rule {
    id: RuleId::WaiverUnproven,
    summary: "a waiver counts only when what `[trust] proof` accepts proves its approver gave it",
    explanation: "`[trust] proof` in handoff.toml (read from the base with `--base`) says what proves \
that a record comes from the person it names: `identity` (git's author identity, which anyone can \
type), `signature` (the commit that added it is signed with a key bound to the person in \
`[people]`), `forge` (it was given in a pull request comment by the account bound to the person, \
and the forge's record, `check --evidence`, bears that out). A waiver none of the accepted proofs \
backs waives nothing: the requirement it names applies. A waiver the base already holds counts as \
landed.\n\nFix: the approver grants it in a commit signed with their bound key, or with \
`/handoff waive PACKET TARGET --until DATE --reason …` in a comment on the pull request.",
};

/// Rules of this area.
pub static RULES: [&Rule; 3] = [&WAIVER_INVALID, &WAIVER_EXPIRED, &WAIVER_UNPROVEN];

/// Why a waiver waives nothing.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The rule it breaks.
    pub rule: &'static Rule,
    /// What is wrong.
    pub message: String,
}

/// Why a waiver waives nothing, if it does not: it cannot be honoured as written
/// (`waiver-invalid`), or nothing the policy accepts proves its approver gave it
/// (`waiver-unproven`).
pub fn problem(
    w: &Waiver,
    packet: &Packet,
    spec: &KindSpec,
    settings: &Settings,
    today: NaiveDate,
) -> Option<Problem> {
    if let Some(message) = invalid(w, packet, spec, settings, today) {
        return Some(Problem {
            rule: &WAIVER_INVALID,
            message,
        });
    }
    let proven = settings
        .prove(packet, std::slice::from_ref(&w.record()))
        .pop()
        .unwrap_or_else(crate::facts::proof::Proven::identity);
    (!proven.counts).then(|| Problem {
        rule: &WAIVER_UNPROVEN,
        message: format!(
            "the waiver of `{}` by {} waives nothing: {}",
            w.target,
            if w.by.is_empty() { "nobody" } else { &w.by },
            proven.why_not.unwrap_or_default()
        ),
    })
}

/// Why a waiver cannot be honoured as written, if it cannot.
fn invalid(
    w: &Waiver,
    packet: &Packet,
    spec: &KindSpec,
    settings: &Settings,
    today: NaiveDate,
) -> Option<String> {
    let Some(until) = w.until_date() else {
        return Some(format!(
            "the waiver of `{}` has no valid `until` date (`{}`); write YYYY-MM-DD",
            w.target, w.until
        ));
    };
    // A waiver written by hand must say why, and when it was granted: without the day, nothing
    // bounds how long it runs.
    if crate::facts::packet::is_placeholder(&w.reason) {
        return Some(format!(
            "the waiver of `{}` gives no reason; a waiver says why the requirement does not apply",
            w.target
        ));
    }
    let Some(at) = crate::facts::packet::parse_date(&w.at) else {
        return Some(format!(
            "the waiver of `{}` has no valid `at` date (`{}`): the day it was granted bounds how long it may run",
            w.target, w.at
        ));
    };
    if at > today {
        return Some(format!(
            "the waiver of `{}` says it was granted on {at}, a day still to come",
            w.target
        ));
    }
    let days = (until - at).num_days();
    if days > spec.waivers.max_days {
        return Some(format!(
            "the waiver of `{}` runs {days} days from {at} to {until}; the {} kind allows at most {}",
            w.target, spec.name, spec.waivers.max_days
        ));
    }
    if !spec.waivers.approvers.is_empty() && !may_approve(&w.by, packet, spec, settings) {
        return Some(format!(
            "the waiver of `{}` was granted by {}, who holds none of the roles that may grant waivers ({})",
            w.target,
            if w.by.is_empty() { "nobody" } else { &w.by },
            spec.waivers.approvers.join(", ")
        ));
    }
    None
}

/// Whether `by` holds one of the kind's waiver-approving roles: as the base has them when the run
/// has one (`--base`), so that a change cannot make its own author an approver.
pub fn may_approve(by: &str, packet: &Packet, spec: &KindSpec, settings: &Settings) -> bool {
    let people = settings
        .base
        .as_ref()
        .map_or(&settings.people, |b| &b.settings().people);
    spec.waivers.approvers.is_empty()
        || spec.waivers.approvers.iter().any(|name| {
            let h = match spec.roles.iter().find(|r| &r.name == name) {
                Some(role) => match &settings.base {
                    Some(base) => base.holders(packet, role),
                    None => holders(packet, role, settings),
                },
                None => match people.get(name) {
                    Some(entry) => Holders::Bound {
                        people: entry.all().to_vec(),
                        source: format!("handoff.toml [people] {name}"),
                    },
                    None => Holders::Unbound,
                },
            };
            !by.is_empty() && h.allows(by)
        })
}

/// Check the packet's waivers.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let (waivers, bad) = waiver::read(ctx.packet);
    for b in bad {
        ctx.report(
            &WAIVER_INVALID,
            Severity::Error,
            b.pos,
            1,
            b.message,
            "remove the entry and grant it again with `handoff waive`".into(),
        );
    }
    for w in &waivers {
        if let Some(p) = problem(w, ctx.packet, spec, &ctx.config.settings, ctx.today) {
            ctx.report(
                p.rule,
                Severity::Error,
                w.pos,
                1,
                p.message,
                if std::ptr::eq(p.rule, &WAIVER_UNPROVEN) {
                    format!(
                        "the approver grants it so that it is proven: in a commit signed with their bound key (`handoff waive` then `git commit -S`), or in a comment on the pull request: `/handoff waive {} \"{}\" --until {} --reason …`",
                        ctx.packet.id, w.target, w.until
                    )
                } else {
                    format!(
                        "grant it again within the kind's limits: `handoff waive {} \"{}\" --reason \"…\" --until YYYY-MM-DD`",
                        ctx.packet.id, w.target
                    )
                },
            );
        } else if !w.holds(ctx.today) {
            ctx.report(
                &WAIVER_EXPIRED,
                Severity::Error,
                w.pos,
                1,
                format!(
                    "the waiver of `{}` expired on {} ({})",
                    w.target, w.until, w.reason
                ),
                "meet the requirement and remove the waiver, or grant a new one with `handoff waive`"
                    .into(),
            );
        }
    }
}

/// Turn the findings a holding, valid waiver covers into notes that say so.
pub fn apply(
    out: &mut [Diagnostic],
    packet: &Packet,
    spec: &KindSpec,
    settings: &Settings,
    today: NaiveDate,
) {
    let (waivers, _) = waiver::read(packet);
    let holding: Vec<&Waiver> = waivers
        .iter()
        .filter(|w| w.holds(today) && problem(w, packet, spec, settings, today).is_none())
        .collect();
    if holding.is_empty() {
        return;
    }
    for d in out.iter_mut().filter(|d| d.severity > Severity::Note) {
        let Some(target) = &d.target else { continue };
        if let Some(w) = holding.iter().find(|w| w.covers(target)) {
            d.severity = Severity::Note;
            d.message = format!("waived until {}: {} — {}", w.until, w.reason, d.message);
            d.waived = Some(Box::new(Waived {
                until: w.until.clone(),
                by: w.by.clone(),
                reason: w.reason.clone(),
            }));
        }
    }
}
