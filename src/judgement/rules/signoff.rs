//! Sign-off rules: each entry well formed, by someone who may sign the role, one role per person,
//! fresh; and from the signed-off gate on, every role signed. The facts come from
//! [`crate::facts::signoff::Review`].

use super::{Ctx, Rule};
use crate::facts::config::Holders;
use crate::facts::gate::Gate;
use crate::facts::kind::KindSpec;
use crate::facts::signoff::{Freshness, Review, day_of};
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::Severity;
use crate::support::suggest::did_you_mean;

/// A sign-off entry is malformed or names a role the kind does not have.
pub static SIGNOFF_INVALID: Rule = Rule {
    id: RuleId::SignoffInvalid,
    summary: "each sign-off has a known role, a signer, a time and a digest",
    explanation: "Sign-offs are written by `handoff sign`, never by hand. An entry without its \
digest cannot be checked against the packet, and a role the kind does not list signs nothing.\n\n\
Fix: remove the entry and run `handoff sign <id> --role <role>`.",
};

/// A required role has not signed.
pub static SIGNOFF_MISSING: Rule = Rule {
    id: RuleId::SignoffMissing,
    summary: "from the signed-off gate on, every role the kind lists has signed",
    explanation: "A handoff is done when both sides say so. At the signed-off gate (status \
signed-off, or day +14) each role of the kind (for `gtm-play`: pm, ops-lead, revops-director) must \
have a sign-off that matches the packet as it is now.\n\nFix: `handoff sign <id> --role <role>` as \
that person, and commit it.",
};

/// A sign-off no longer matches the packet.
pub static SIGNOFF_STALE: Rule = Rule {
    id: RuleId::SignoffStale,
    summary: "a sign-off's digest matches the packet as it is now",
    explanation: "Each sign-off records a digest of every file of the packet (except the sign-offs \
themselves and the status line) and the status it was signed at. If anyone edits an answer, a \
criterion, the body or an attachment afterwards, or moves the status back below the one signed at \
(the packet was sent back), the sign-off no longer covers what the packet says: it is stale. Moving \
the status forward (to `signed-off`, `retired`) keeps it fresh. A warning before the signed-off \
gate, an error at it.\n\nFix: review what changed (`handoff log <id>`), then re-sign with \
`handoff sign <id> --role <role>`.",
};

/// A sign-off by someone who does not hold the role.
pub static SIGNOFF_UNAUTHORIZED: Rule = Rule {
    id: RuleId::SignoffUnauthorized,
    summary: "a bound role is signed by one of the people who hold it",
    explanation: "A role is bound when `handoff.toml` has a `[people]` entry named like it (one \
person, or a list of delegates), or when the kind binds it to a packet field (`held_by: \
owner.primary`). Only those people may sign it; a sign-off by anyone else does not count, and is an \
error from the signed-off gate on.\n\nExample: with `ops-lead = \"Jordan Blake <jordan@x.test>\"`, \
a sign-off `role: ops-lead, by: Pat Morgan <pat@x.test>` is refused.\n\nFix: the holder signs \
(`handoff sign <id> --role <role>`), or the people directory names the right person.",
};

/// One person holds two sign-offs.
pub static SIGNOFF_SAME_SIGNER: Rule = Rule {
    id: RuleId::SignoffSameSigner,
    summary: "one person holds at most one sign-off on a packet",
    explanation: "Sign-off means several people agree; one person signing as PM and as ops lead is \
one opinion counted twice. The second sign-off of the same person (by email) does not count, and is \
an error from the signed-off gate on. A kind may allow it with `allow_same_signer: true`.\n\nFix: \
the other role's holder signs it.",
};

/// A role anyone may sign.
pub static SIGNOFF_UNBOUND: Rule = Rule {
    id: RuleId::SignoffUnbound,
    summary: "a note when a signed role is bound to nobody, so anyone may sign it",
    explanation: "A role with no `[people]` entry in `handoff.toml` and no `held_by` in its kind can \
be signed by anyone. This is a note, never a failure: bind the role to say who holds it.\n\n\
Example: `[people]` `revops-director = \"Ines Moreau <ines@x.test>\"`.",
};

/// With `--base`: a sign-off only a binding made in the change under review allows.
pub static SIGNOFF_UNLANDED: Rule = Rule {
    id: RuleId::SignoffUnlanded,
    summary: "with --base, a sign-off counts only when the base already lets its signer sign",
    explanation: "`check --base REF` reads who may sign from REF (the pull request's target): `[people]` in handoff.toml, and a role's `held_by` field as the packet had it there. A pull request that binds a role to its author and signs it in the same change proves nothing: such a sign-off does not count until the binding has landed, and is an error from the signed-off gate on. A binding removed by the change takes effect at once.\n\nFix: land the `[people]` change first (reviewed; CODEOWNERS on handoff.toml makes that review required), or have a holder at the base sign.",
};

/// A sign-off nothing the proof policy accepts ties to its signer.
pub static SIGNOFF_UNPROVEN: Rule = Rule {
    id: RuleId::SignoffUnproven,
    summary: "a sign-off counts only when what `[trust] proof` accepts proves its signer gave it",
    explanation: "A sign-off is a few lines anyone who edits the packet can type, under any git identity. `[trust] proof` in handoff.toml (read from the base with `--base`) says what must tie it to the person it names: `identity` (git's author identity, the default, which proves nothing against someone who types another name), `signature` (the commit that added it carries a good SSH or OpenPGP signature by a key bound to that very person in `[people]` as `signing_keys`), `forge` (it was given in a pull request review or comment by the GitHub account bound to the person as `github`, and the forge's own record, `check --evidence`, bears it out: an approving review of a commit at which the packet is what the sign-off covers, or a `/handoff sign ROLE` comment). A sign-off the base already holds counts as landed. A sign-off that names a review or comment (`via`) the forge's record does not bear out never counts. An error from the signed-off gate on, a warning before.\n\nFix: the signer signs in a commit signed with their bound key (`handoff sign <id> --role <role> --commit` with `commit.gpgsign`), or approves the pull request (or comments `/handoff sign <role>`), which `handoff apply` records.",
};

/// Rules of this area.
pub static RULES: [&Rule; 8] = [
    &SIGNOFF_INVALID,
    &SIGNOFF_MISSING,
    &SIGNOFF_STALE,
    &SIGNOFF_UNAUTHORIZED,
    &SIGNOFF_SAME_SIGNER,
    &SIGNOFF_UNBOUND,
    &SIGNOFF_UNLANDED,
    &SIGNOFF_UNPROVEN,
];

/// Check the packet's sign-offs.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let packet = ctx.packet;
    let review = Review::of(packet, spec, &ctx.config.settings);
    let at_gate = ctx.severity(Gate::SignedOff);
    let id = &packet.id;
    for b in &review.bad {
        ctx.report(
            &SIGNOFF_INVALID,
            Severity::Error,
            b.pos,
            1,
            b.message.clone(),
            "remove the entry and run `handoff sign`".into(),
        );
    }
    let roles: Vec<&str> = spec.roles.iter().map(|r| r.name.as_str()).collect();
    for st in &review.standings {
        let s = &st.signoff;
        if st.role.is_none() {
            let hint = did_you_mean(&s.role, roles.iter().copied())
                .map(|r| format!("did you mean `{r}`? "))
                .unwrap_or_default();
            ctx.report(
                &SIGNOFF_INVALID,
                Severity::Error,
                s.pos,
                1,
                format!(
                    "`{}` is not a sign-off role of the {} kind",
                    s.role, spec.name
                ),
                format!("{hint}the roles are: {}", roles.join(", ")),
            );
            continue;
        }
        // When it was signed bounds what it can mean: a time that is not one, or one still to
        // come by the clock (whatever day is checked; a day's slack for clocks and zones),
        // cannot be weighed. One later than the commit that added it is the audit's to find.
        let when = chrono::DateTime::parse_from_rfc3339(s.at.trim());
        let ahead = when
            .as_ref()
            .is_ok_and(|t| *t > crate::support::clock::now() + chrono::Duration::days(1));
        if when.is_err() || ahead {
            ctx.report(
                &SIGNOFF_INVALID,
                Severity::Error,
                s.pos,
                1,
                if ahead {
                    format!(
                        "the {} sign-off by {} says it was made at {}, which is still to come",
                        s.role, s.by, s.at
                    )
                } else {
                    format!(
                        "the {} sign-off by {} has `at: {}`, which is not a date and time (RFC 3339, e.g. 2026-12-07T10:15:00Z)",
                        s.role, s.by, s.at
                    )
                },
                format!(
                    "remove the entry; the signer signs again with `handoff sign {id} --role {}`",
                    s.role
                ),
            );
            continue;
        }
        if !st.holders.allows(&s.by) {
            ctx.report(
                &SIGNOFF_UNAUTHORIZED,
                at_gate,
                s.pos,
                1,
                format!(
                    "the {} sign-off is by {}, who does not hold the role; it may be signed by {}",
                    s.role,
                    s.by,
                    st.holders.describe()
                ),
                format!(
                    "remove the entry; the holder signs with `handoff sign {id} --role {}`",
                    s.role
                ),
            );
        } else if let Some(then) = &st.unlanded {
            let base = ctx.config.settings.base.as_ref().map_or("", |b| b.rev());
            ctx.report(
                &SIGNOFF_UNLANDED,
                at_gate,
                s.pos,
                1,
                format!(
                    "the {} sign-off by {} relies on a binding made since {base}: there the role may be signed by {}; it counts once the change has landed",
                    s.role,
                    s.by,
                    then.describe()
                ),
                format!(
                    "land the binding first, reviewed; or a holder at {base} signs with `handoff sign {id} --role {}`",
                    s.role
                ),
            );
        } else if !st.proven.counts {
            ctx.report(
                &SIGNOFF_UNPROVEN,
                at_gate,
                s.pos,
                1,
                format!(
                    "the {} sign-off by {} is not proven to be theirs: {}",
                    s.role,
                    s.by,
                    st.proven.why_not.as_deref().unwrap_or("nothing proves it")
                ),
                format!(
                    "{} signs in a commit signed with their bound key (`handoff sign {id} --role {} --commit`), or approves the pull request",
                    s.by, s.role
                ),
            );
        } else if let Some(other) = &st.also_signed_as {
            ctx.report(
                &SIGNOFF_SAME_SIGNER,
                at_gate,
                s.pos,
                1,
                format!(
                    "{} signed as {} and as {}: one person holds one sign-off per packet",
                    s.by, other, s.role
                ),
                format!(
                    "remove this entry; another holder of {} signs with `handoff sign {id} --role {}`",
                    s.role, s.role
                ),
            );
        } else if st.holders == Holders::Unbound {
            ctx.report(
                &SIGNOFF_UNBOUND,
                Severity::Note,
                s.pos,
                1,
                format!(
                    "the {} role is bound to nobody, so anyone may sign it",
                    s.role
                ),
                format!(
                    "name who holds it in handoff.toml: [people] {} = \"Name <email>\"",
                    s.role
                ),
            );
        }
        let stale = match &st.freshness {
            Freshness::Fresh => None,
            Freshness::Edited => Some("the packet changed after it was signed".to_string()),
            Freshness::SentBack { signed_at, now } => Some(format!(
                "it was signed at status {signed_at} and the status went back to {now}"
            )),
        };
        if let Some(why) = stale {
            ctx.report(
                &SIGNOFF_STALE,
                at_gate,
                s.pos,
                1,
                format!(
                    "the {} sign-off by {} on {} is stale: {why}",
                    s.role,
                    s.by,
                    day_of(&s.at)
                ),
                format!(
                    "review the changes (`handoff log {id}`), then re-sign: `handoff sign {id} --role {}`",
                    s.role
                ),
            );
        }
    }
    if ctx.gate >= Gate::SignedOff {
        let anchor = packet
            .front
            .as_ref()
            .and_then(|f| f.entry("signoffs"))
            .map(|e| e.key_pos);
        let anchor = anchor
            .or(packet.front.as_ref().map(|f| f.pos))
            .unwrap_or_default();
        for role in spec.roles_for(packet.front.as_ref()) {
            if review.of_role(&role.name).is_none() {
                ctx.report(
                    &SIGNOFF_MISSING,
                    Severity::Error,
                    anchor,
                    8,
                    format!("the {} role has not signed off", role.name),
                    format!(
                        "{}: `handoff sign {} --role {}`",
                        role.description, packet.id, role.name
                    ),
                );
            }
        }
    }
}
