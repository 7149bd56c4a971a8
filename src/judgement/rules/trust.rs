//! Trust rules: what a packet is told about the kind that judges it (a repo kind that shadows a
//! built-in one and asks less; with `check --base`, a kind new or weakened in the change).

use super::{Ctx, Rule};
use crate::facts::kind::CaveatKind;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::Severity;

/// A repo kind replaces the built-in kind of its name and asks less than it.
pub static KIND_SHADOWS_BUILTIN: Rule = Rule {
    id: RuleId::KindShadowsBuiltin,
    summary: "a repo kind named like a built-in kind asks at least what the built-in asks",
    explanation: "A folder `.handoff/kinds/<name>/` replaces the built-in kind of that name for every \
packet of the repo. That is how a team adapts a kind, and every run says so in a note. When the \
replacement asks less than the built-in (fewer of the five questions, questions made optional, \
criteria or sign-off roles dropped, roles bound elsewhere), each packet of the kind gets this \
warning, naming what is missing, so that an empty packet cannot pass a gate unnoticed.\n\nFix: give \
the repo kind a name of its own (and `kind: <name>` in its packets), or put back what it drops.",
};

/// With `--base`: the packet's kind is new in the change under review.
pub static KIND_NEW_IN_CHANGE: Rule = Rule {
    id: RuleId::KindNewInChange,
    summary: "with --base, a kind added by the change under review is flagged for review",
    explanation: "`check --base REF` reads kinds as they are at REF. A kind that is not there yet is \
used as the change writes it, since there is nothing else to judge by, and every packet of it gets \
this warning: whoever wrote the packet may also have written what it is judged by. Review the kind \
file with the change; CODEOWNERS on `.handoff/` makes that review required.",
};

/// With `--base`: the change under review weakened the packet's kind.
pub static KIND_WEAKENED_IN_CHANGE: Rule = Rule {
    id: RuleId::KindWeakenedInChange,
    summary: "with --base, a kind the change under review weakens is judged as at the base",
    explanation: "When the change under review makes a kind ask less (a question, criterion or role \
dropped, a question made optional, a role bound to another field), `check --base REF` judges its \
packets by the kind as it is at REF and says what the change drops. Once the change has landed, \
the weaker kind applies.",
};

/// With `--base`: a `[people]` entry the change under review binds, unbinds or rebinds.
pub static TRUST_REBINDING: Rule = Rule {
    id: RuleId::TrustRebinding,
    summary: "with --base, each [people] entry the change under review binds, unbinds or rebinds is listed",
    explanation: "`check --base REF` lists every `[people]` entry of handoff.toml that differs from REF, naming who is added and who removed, as a warning on stderr (and an annotation on handoff.toml with `--format github`). A rebinding is often right; it is listed so that the review of the change sees it. Sign-offs by the people it adds count once it has landed (`signoff-unlanded`).",
};

/// With `--base`: a kind the change under review adds or weakens.
pub static TRUST_KIND_CHANGED: Rule = Rule {
    id: RuleId::TrustKindChanged,
    summary: "with --base, each kind the change under review adds or weakens is listed",
    explanation: "`check --base REF` lists every kind that is new since REF, or asks less than at REF, naming what it drops, as a warning on stderr (and an annotation on its kind.yaml with `--format github`). Its packets carry `kind-new-in-change` or `kind-weakened-in-change`.",
};

/// With `--base`: the change moves a packet to a kind new in it, or weaker.
pub static KIND_SWITCHED_IN_CHANGE: Rule = Rule {
    id: RuleId::KindSwitchedInChange,
    summary: "with --base, a packet moved to a kind new in the change, or one that asks less, is judged by its kind at the base",
    explanation: "A pull request could take a packet out of its kind's requirements by naming another kind: one it adds itself (`.handoff/kinds/lax/` with no questions and no roles), or one that asks less. `check --base REF` judges such a packet by the kind it had at REF, and this error says what the change did. A packet may move to a kind that was at REF and asks at least as much.\n\nFix: land the new kind on its own first, reviewed, or keep the packet's kind.",
};

/// With `--base`: a send-back recorded at the base is gone from the packet.
pub static SENDBACK_REMOVED: Rule = Rule {
    id: RuleId::SendbackRemoved,
    summary: "with --base, a send-back recorded at the base stays in the packet",
    explanation: "A send-back is the receiving team's no, and the packet's history. Removing it (restoring `handoff.md` as it was before it, say) would make the sign-offs it staled fresh again and hide that the handoff was turned down. `check --base REF` compares the packet's `sent_back` list with REF's: an entry there and not here is an error naming it, at every gate.\n\nFix: put the entry back; a packet moves on from a send-back by fixing what it names and moving its status forward again.",
};

/// Rules of this area.
pub static RULES: [&Rule; 7] = [
    &KIND_SHADOWS_BUILTIN,
    &KIND_NEW_IN_CHANGE,
    &KIND_WEAKENED_IN_CHANGE,
    &TRUST_REBINDING,
    &TRUST_KIND_CHANGED,
    &KIND_SWITCHED_IN_CHANGE,
    &SENDBACK_REMOVED,
];

/// A packet the change moved to another kind, judged by the kind it had at the base.
#[derive(Debug, Clone)]
pub struct Switch {
    /// Its kind at the base.
    pub from: String,
    /// Its kind now.
    pub to: String,
    /// Why the move does not count yet.
    pub why: String,
}

/// Whether the packet, which had `then`'s kind at the base, moved to a kind it may not move to
/// yet: one new in the change (or unknown), or one that asks less than the kind it left.
pub fn switched(
    then: &crate::facts::packet::Packet,
    now: &str,
    kinds: &crate::facts::kind::Kinds,
    config: &crate::facts::config::Config,
) -> Option<Switch> {
    let from = then.kind_name().unwrap_or(&config.settings.default_kind);
    if from == now {
        return None;
    }
    let old = kinds.get(from)?;
    let why = match kinds.get(now) {
        None => format!("`{now}` is not a kind here"),
        Some(k) if k.caveats.iter().any(|c| c.what == CaveatKind::NewInChange) => {
            format!("`{now}` is new in this change")
        }
        Some(k) => {
            let less = crate::facts::kind::compare::asks_less(&old.spec, &k.spec);
            if less.is_empty() {
                return None;
            }
            format!("`{now}` asks less than `{from}`: it {}", less.join("; "))
        }
    };
    Some(Switch {
        from: from.to_string(),
        to: now.to_string(),
        why,
    })
}

/// Report a packet moved to a kind it may not move to yet.
pub fn report_switch(ctx: &mut Ctx, s: &Switch) {
    let pos = ctx
        .packet
        .front
        .as_ref()
        .and_then(|f| f.get("kind"))
        .map(|n| n.pos)
        .unwrap_or_default();
    let base = ctx
        .config
        .settings
        .base
        .as_ref()
        .map_or("the base", |b| b.rev())
        .to_string();
    ctx.report(
        &KIND_SWITCHED_IN_CHANGE,
        Severity::Error,
        pos,
        1,
        format!(
            "this change moves the packet from the kind `{}` to `{}`, and {}; it is judged as a `{}` packet, as at {base}",
            s.from, s.to, s.why, s.from
        ),
        "land the kind on its own first, reviewed (CODEOWNERS on .handoff/ makes that review required), or keep the packet's kind".into(),
    );
}

/// Report each send-back the base recorded that the packet no longer has.
pub fn removed_sendbacks(ctx: &mut Ctx) {
    let Some(then) = ctx.at_base else { return };
    let now: Vec<String> = crate::facts::sendback::read(ctx.packet)
        .iter()
        .map(|s| s.record().key)
        .collect();
    let pos = ctx
        .packet
        .front
        .as_ref()
        .and_then(|f| f.entry("sent_back").map(|e| e.key_pos).or(Some(f.pos)))
        .unwrap_or_default();
    let base = ctx
        .config
        .settings
        .base
        .as_ref()
        .map_or("the base", |b| b.rev())
        .to_string();
    for gone in crate::facts::sendback::read(then)
        .into_iter()
        .filter(|s| !now.contains(&s.record().key))
    {
        ctx.report(
            &SENDBACK_REMOVED,
            Severity::Error,
            pos,
            1,
            format!(
                "this change removes the send-back of {} by {} (from `{}`: {}), recorded at {base}",
                gone.at, gone.by, gone.from, gone.reason
            ),
            "put the entry back; a packet moves on from a send-back by fixing what it names and moving its status forward".into(),
        );
    }
}

/// Report the caveats of the packet's kind, at its `kind:` line.
pub fn check(ctx: &mut Ctx) {
    let Some(kind) = ctx.kind else { return };
    if kind.caveats.is_empty() {
        return;
    }
    let pos = ctx
        .packet
        .front
        .as_ref()
        .and_then(|f| f.get("kind"))
        .map(|n| n.pos)
        .unwrap_or_default();
    for c in &kind.caveats {
        let (rule, help) = match c.what {
            CaveatKind::ShadowsWeaker => (
                &KIND_SHADOWS_BUILTIN,
                "rename the repo kind (and `kind:` in its packets), or put back what it drops",
            ),
            CaveatKind::NewInChange => (
                &KIND_NEW_IN_CHANGE,
                "review the kind file with the change; CODEOWNERS on .handoff/ makes that review required",
            ),
            CaveatKind::WeakenedInChange => (
                &KIND_WEAKENED_IN_CHANGE,
                "land the kind change on its own, reviewed, before packets rely on it",
            ),
        };
        ctx.report(
            rule,
            Severity::Warning,
            pos,
            1,
            c.message.clone(),
            help.into(),
        );
    }
}
