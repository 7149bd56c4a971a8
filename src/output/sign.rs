//! What `handoff sign` tells the signer: the criteria still open, the sign-off recorded, where
//! the packet stands now, and how to record it in git.

use crate::facts::git::Committed;
use crate::judgement::acts::{AfterSigning, Next, Replaced, SignPlan, Stood, Unsettled};
use crate::support::words::neutral;
use crate::support::words::plural;
use std::fmt::Write as _;

/// The acceptance criteria still open at the gate, and those falling due later (for stderr).
pub fn open_warning(plan: &SignPlan) -> String {
    let mut out = String::new();
    let gate = plan.gate;
    if !plan.open.is_empty() {
        let _ = writeln!(
            out,
            "warning: {} still open at the {gate} gate:",
            plural(
                plan.open.len(),
                "acceptance criterion is",
                "acceptance criteria are"
            )
        );
        for t in &plan.open {
            let _ = writeln!(out, "  - [ ] {}", neutral(t));
        }
    }
    let later = plan.reading.later_criteria();
    if let Some((_, Some(last))) = later.last() {
        let _ = writeln!(
            out,
            "note: {} later, the last by {}; ticking {} then edits the packet, so this sign-off will need renewing",
            plural(later.len(), "criterion falls due", "criteria fall due"),
            plan.reading.when(*last),
            if later.len() == 1 { "it" } else { "them" }
        );
    }
    out
}

/// The sign-off made: whose it replaced, what was signed by whom, and whether the role is bound.
pub fn signed(packet: &str, plan: &SignPlan) -> String {
    let mut out = String::new();
    if let Some(r) = &plan.replaced {
        let _ = writeln!(out, "{}", replaced(r));
    }
    let s = &plan.signoff;
    let digest = s.digest.get(..19).unwrap_or(&s.digest);
    let _ = writeln!(out, "Signed {packet} as {} ({}), {digest}.", s.role, s.by);
    if plan.unbound {
        let _ = writeln!(
            out,
            "Note: the {} role is bound to nobody, so anyone may sign it; name its holder under [people] in handoff.toml.",
            s.role
        );
    }
    out
}

/// The line saying whose sign-off a new one replaced.
fn replaced(r: &Replaced) -> String {
    let why = match r.stood {
        Stood::Counting => "",
        Stood::NotCounting => " (it did not count)",
        Stood::Stale => " (stale)",
    };
    format!(
        "Replaced the {} sign-off by {} of {}{why}.",
        r.role, r.by, r.day
    )
}

/// Where the packet stands now: whether the sign-off counts yet, and what is left to sign or
/// do (`shown` is its `handoff.md`).
pub fn where_it_stands(after: &AfterSigning, shown: &str) -> String {
    let mut out = String::new();
    if let Some(why) = &after.not_counting {
        let _ = writeln!(out, "It does not count yet: {}.", neutral(why));
    }
    let lines = match &after.next {
        Next::Sign(missing) => vec![format!("Still to sign: {}.", missing.join(", "))],
        Next::Commit(status) => vec![format!(
            "Every role has signed, and the status says {}: commit it.",
            status.name()
        )],
        Next::SetSignedOff => vec![format!(
            "Every role has signed. Next: set `status: signed-off` in {shown} (moving the status forward keeps the sign-offs fresh) and commit it."
        )],
        Next::Settle(unsettled) => to_settle(unsettled, shown),
    };
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// What is still open once every role has signed, each with the day it falls due, and how to
/// get past the signed-off gate.
fn to_settle(u: &Unsettled, shown: &str) -> Vec<String> {
    let open = &u.open;
    let mut lines = vec![
        "Every role has signed, but the packet does not pass the signed-off gate yet. Still open:"
            .to_string(),
    ];
    for c in open.open_criteria() {
        lines.push(format!("  - [ ] {}: due now", neutral(&c.text)));
    }
    for (c, date) in open.later_criteria() {
        let due = date.map_or_else(
            || "due later".to_string(),
            |d| format!("due {}", open.when(d)),
        );
        lines.push(format!("  - [ ] {}: {due}", neutral(&c.text)));
    }
    for d in &u.findings {
        lines.push(format!(
            "  - {} ({}:{})",
            neutral(&d.message),
            d.file,
            d.pos.line
        ));
    }
    let when = match u.gate_from {
        Some(d) if d > u.today => format!("by {}, when the signed-off gate applies", open.when(d)),
        Some(d) => format!("now: the signed-off gate applies since {}", open.when(d)),
        None => "before the signed-off gate".to_string(),
    };
    let tick = match u.lists_criteria() {
        true => "Tick each criterion in",
        false => "Settle each in",
    };
    lines.push(format!(
        "{tick} {shown} once it holds (or waive it with a reason: `handoff waive`). That edits the packet, so the sign-offs go stale: once nothing is open, each role signs again, {when}; then set `status: signed-off` and commit it."
    ));
    lines
}

/// How the sign-off went into git: the commit made (`message`), or the command that records
/// it, with the signed kind's copy written now (`kept`).
pub fn recorded(
    committed: Option<&Committed>,
    kept: Option<&std::path::Path>,
    shown: &str,
    message: &str,
) -> String {
    match committed {
        Some(c) => format!(
            "Committed {} \"{message}\", {}.\n",
            c.id.get(..8).unwrap_or(&c.id),
            if c.signed {
                "signed"
            } else {
                "not signed (set `git config commit.gpgsign true` with a signing key, or pass -S, so that the commit proves who signed)"
            }
        ),
        None => {
            let also = kept
                .map(|k| format!(" {}", crate::support::paths::shown(k)))
                .unwrap_or_default();
            format!(
                "Record it in git as the signer (or sign with --commit next time):\n  git add {shown}{also} && git commit -m \"{message}\"\n"
            )
        }
    }
}
