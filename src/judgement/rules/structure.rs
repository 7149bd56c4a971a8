//! The header every packet has whatever its kind: id, title, kind, teams, day 0, status.

use super::{Ctx, Rule};
use crate::facts::gate::Status;
use crate::facts::kind::Kinds;
use crate::facts::packet::{parse_date, valid_id};
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::Severity;
use crate::support::suggest::did_you_mean;

/// A header key is missing.
pub static HEADER_MISSING: Rule = Rule {
    id: RuleId::HeaderMissing,
    summary: "every packet names its id, title, kind, from and to teams, day 0 and status",
    explanation: "The header ties the packet to its kind (what it must contain), its timeline (day 0) \
and its stage (status). Without it no gate can be computed, so it is required from the draft gate on.\n\n\
Example:\n\n    id: winback-email\n    title: Lifecycle win-back email play\n    kind: gtm-play\n    \
from: growth\n    to: lifecycle-ops\n    day0: 2026-12-07\n    status: draft",
};

/// The id is malformed or does not match the folder.
pub static ID_INVALID: Rule = Rule {
    id: RuleId::IdInvalid,
    summary: "the id is lowercase letters, digits and dashes, and equals the packet's folder name",
    explanation: "Ids name folders, links and sign-offs. They must match `[a-z0-9][a-z0-9-]{0,63}` \
and be the name of the packet's folder, so that `handoff sign winback-email` finds the right packet.",
};

/// The kind is not known.
pub static KIND_UNKNOWN: Rule = Rule {
    id: RuleId::KindUnknown,
    summary: "the kind must be a built-in kind or one defined in .handoff/kinds/",
    explanation: "The kind says which answers, sections and sign-offs the packet needs. `handoff kinds` \
lists the kinds available in this repo; add your own in `.handoff/kinds/<name>/kind.yaml`.",
};

/// The status is not one of the lifecycle states.
pub static STATUS_INVALID: Rule = Rule {
    id: RuleId::StatusInvalid,
    summary: "status is one of draft, ready, handed-off, shadowing, signed-off, retired",
    explanation: "The status is half of what sets the gate (the calendar is the other half). A status \
the tool does not know would silently lower the gate, so it is an error.",
};

const REQUIRED: [(&str, &str); 7] = [
    ("id", "the packet id, equal to its folder name"),
    ("title", "a one-line title"),
    ("kind", "the kind of handoff (see `handoff kinds`)"),
    ("from", "the team handing over"),
    ("to", "the team taking over"),
    ("day0", "the live handoff day, YYYY-MM-DD"),
    (
        "status",
        "draft, ready, handed-off, shadowing, signed-off or retired",
    ),
];

/// Check the header keys.
pub fn check(ctx: &mut Ctx, kinds: &Kinds) {
    let Some(front) = &ctx.packet.front else {
        return;
    };
    let top = front.pos;
    for (key, what) in REQUIRED {
        let Some(node) = front.get(key) else {
            ctx.report(
                &HEADER_MISSING,
                Severity::Error,
                top,
                1,
                format!("the front matter has no `{key}`"),
                format!("add `{key}:` with {what}"),
            );
            continue;
        };
        let Some(value) = node.as_str().filter(|v| !v.trim().is_empty()) else {
            ctx.report(
                &HEADER_MISSING,
                Severity::Error,
                node.pos,
                node.span_len(),
                format!("`{key}` must be text, but it is {}", node.shape()),
                format!("write {what}"),
            );
            continue;
        };
        match key {
            "id" if !valid_id(value) => ctx.report(
                &ID_INVALID,
                Severity::Error,
                node.pos,
                node.span_len(),
                format!("`{value}` is not a valid packet id"),
                "use lowercase letters, digits and dashes, starting with a letter or digit (at most 64)".into(),
            ),
            "id" if value != ctx.packet.id => ctx.report(
                &ID_INVALID,
                Severity::Error,
                node.pos,
                node.span_len(),
                format!("the id `{value}` differs from the folder name `{}`", ctx.packet.id),
                format!("write `id: {}` or rename the folder", ctx.packet.id),
            ),
            "kind" if kinds.get(value).is_none() => {
                ctx.report(
                    &KIND_UNKNOWN,
                    Severity::Error,
                    node.pos,
                    node.span_len(),
                    format!("there is no kind `{value}`"),
                    kinds.hint(value),
                );
            }
            "day0" if parse_date(value).is_none() => ctx.report(
                &super::answers::DATE_INVALID,
                Severity::Error,
                node.pos,
                node.span_len(),
                crate::facts::packet::date_or_problem(value)
                    .err()
                    .map(|p| p.describe(value))
                    .unwrap_or_default(),
                "write day 0 as YYYY-MM-DD, e.g. `day0: 2026-12-07`".into(),
            ),
            "status" if Status::parse(value).is_none() => {
                let names: Vec<&str> = Status::ALL.iter().map(|s| s.name()).collect();
                let hint = did_you_mean(value, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                ctx.report(
                    &STATUS_INVALID,
                    Severity::Error,
                    node.pos,
                    node.span_len(),
                    format!("`{value}` is not a status"),
                    format!("{hint}use one of {}", names.join(", ")),
                );
            }
            _ => {}
        }
    }
}
