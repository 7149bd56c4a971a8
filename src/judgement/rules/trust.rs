//! Trust rules: what a packet is told about the kind that judges it (a repo kind that shadows a
//! built-in one and asks less; with `check --base`, a kind new or weakened in the change).

use super::{Ctx, Rule};
use crate::facts::kind::CaveatKind;
use crate::judgement::diagnostic::Severity;

/// A repo kind replaces the built-in kind of its name and asks less than it.
pub static KIND_SHADOWS_BUILTIN: Rule = Rule {
    id: "kind-shadows-builtin",
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
    id: "kind-new-in-change",
    summary: "with --base, a kind added by the change under review is flagged for review",
    explanation: "`check --base REF` reads kinds as they are at REF. A kind that is not there yet is \
used as the change writes it, since there is nothing else to judge by, and every packet of it gets \
this warning: whoever wrote the packet may also have written what it is judged by. Review the kind \
file with the change; CODEOWNERS on `.handoff/` makes that review required.",
};

/// With `--base`: the change under review weakened the packet's kind.
pub static KIND_WEAKENED_IN_CHANGE: Rule = Rule {
    id: "kind-weakened-in-change",
    summary: "with --base, a kind the change under review weakens is judged as at the base",
    explanation: "When the change under review makes a kind ask less (a question, criterion or role \
dropped, a question made optional, a role bound to another field), `check --base REF` judges its \
packets by the kind as it is at REF and says what the change drops. Once the change has landed, \
the weaker kind applies.",
};

/// With `--base`: a `[people]` entry the change under review binds, unbinds or rebinds.
pub static TRUST_REBINDING: Rule = Rule {
    id: crate::facts::trust::REBINDING,
    summary: "with --base, each [people] entry the change under review binds, unbinds or rebinds is listed",
    explanation: "`check --base REF` lists every `[people]` entry of handoff.toml that differs from REF, naming who is added and who removed, as a warning on stderr (and an annotation on handoff.toml with `--format github`). A rebinding is often right; it is listed so that the review of the change sees it. Sign-offs by the people it adds count once it has landed (`signoff-unlanded`).",
};

/// With `--base`: a kind the change under review adds or weakens.
pub static TRUST_KIND_CHANGED: Rule = Rule {
    id: crate::facts::trust::KIND_CHANGED,
    summary: "with --base, each kind the change under review adds or weakens is listed",
    explanation: "`check --base REF` lists every kind that is new since REF, or asks less than at REF, naming what it drops, as a warning on stderr (and an annotation on its kind.yaml with `--format github`). Its packets carry `kind-new-in-change` or `kind-weakened-in-change`.",
};

/// Rules of this area.
pub static RULES: [&Rule; 5] = [
    &KIND_SHADOWS_BUILTIN,
    &KIND_NEW_IN_CHANGE,
    &KIND_WEAKENED_IN_CHANGE,
    &TRUST_REBINDING,
    &TRUST_KIND_CHANGED,
];

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
