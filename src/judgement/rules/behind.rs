//! A packet behind its kind: one finding that says how far, and what `handoff upgrade` adds,
//! instead of a warning for every question or criterion the kind gained since.

use super::{Ctx, Rule};
use crate::facts::gate::{Gate, Status};
use crate::facts::kind::spec::KindSpec;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::{Applicability, Fix, FixAction, Severity};

/// `kind-behind`.
pub static KIND_BEHIND: Rule = Rule {
    id: RuleId::KindBehind,
    summary: "The packet was made under an older version of its kind",
    explanation: "Kinds gain questions and criteria after retros, and raise their version when they do. A packet made under an older version (`kind_version:`) is asked for what was added, never required to have it: one finding per packet says how many versions behind it is, how many questions and criteria were added, and that `handoff upgrade <id>` writes them in (with `TODO` placeholders) and raises `kind_version`. The items are listed in the JSON (`items`), in SARIF's properties and in the help.\n\nA note while the packet is a draft, a warning from the ready gate on. A packet that is signed off (by status, or with every role's sign-off fresh) or retired gets none; with `--verbose`, a note that says so.\n\nExample: `gtm-play is at version 3, this packet at 1: 9 questions and 4 criteria were added`.",
};

/// `kind-changed-unversioned`.
pub static KIND_CHANGED_UNVERSIONED: Rule = Rule {
    id: RuleId::KindChangedUnversioned,
    summary: "The kind's requirements changed since a packet was signed, without a version raise",
    explanation: "A sign-off records the kind it was made under (`kind: play 3 sha256:…`, a digest of what the kind requires, wording aside), and `handoff sign` keeps a copy of those requirements in `.handoff/signed-kinds/`. While every sign-off is fresh the packet is judged by that copy, so a kind edit never turns signed-off packets red. When the kind now asks something else under the same version, this warning is on the kind file, naming the packet: raise the kind's `version` and mark what changed with `since:`, so that packets in flight are asked for it as well (`kind-behind`).",
};

/// The kind a packet's fresh sign-offs were made under, when it differs from `current` (and its
/// copy is intact); and, when the kind changed without raising its version, the warning.
pub fn signed_under(
    packet: &crate::facts::packet::Packet,
    current: &crate::facts::kind::Kind,
    config: &crate::facts::config::Config,
) -> (
    Option<crate::facts::kind::Kind>,
    Option<crate::judgement::diagnostic::Diagnostic>,
) {
    let (signoffs, _) = crate::facts::signoff::read(packet);
    let Some(stamp) = signoffs.iter().rev().find_map(|s| s.kind.clone()) else {
        return (None, None);
    };
    let root = crate::support::paths::absolute(&config.root);
    let base = config.settings.base.clone();
    let trusted = |path: &std::path::Path| base.as_ref().is_none_or(|b| b.landed(path));
    let Some(old) = crate::facts::kind::signed::load(&root, current, &stamp, trusted) else {
        return (None, None);
    };
    let review = crate::facts::signoff::Review::of(packet, &old.spec, &config.settings);
    if !review.complete(&old.spec, packet) {
        return (None, None);
    }
    let warning = (old.spec.version == current.spec.version).then(|| {
        let file = match &current.origin {
            crate::facts::kind::Origin::Repo(dir) => crate::support::paths::shown(&dir.join("kind.yaml")),
            crate::facts::kind::Origin::BuiltIn => format!("the built-in kind {}", current.spec.name),
        };
        crate::judgement::diagnostic::Diagnostic::file_level(
            KIND_CHANGED_UNVERSIONED.id,
            Severity::Warning,
            file,
            format!(
                "{} changed what it asks since {} was signed, but is still at version {}; the packet is judged by the kind as signed",
                current.spec.name, packet.id, current.spec.version
            ),
            format!(
                "raise `version:` to {} and mark what changed with `since: {}`, so packets not yet signed are asked for it",
                current.spec.version + 1,
                current.spec.version + 1
            ),
        )
    });
    (Some(old), warning)
}

/// What a packet behind its kind is missing of what the kind added.
#[derive(Debug, Default)]
pub struct Added {
    /// Answer paths the kind gained since the packet's version.
    pub questions: Vec<String>,
    /// Criteria the kind gained since.
    pub criteria: Vec<String>,
}

impl Added {
    fn items(&self) -> Vec<String> {
        self.questions
            .iter()
            .map(|q| format!("question `{q}`"))
            .chain(self.criteria.iter().map(|c| format!("criterion \"{c}\"")))
            .collect()
    }
}

/// Report the packet's distance to its kind, once.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let have = ctx.kind_version();
    if have >= spec.version {
        return;
    }
    let Some(front) = ctx.packet.front.as_ref() else {
        return;
    };
    // A packet signed off (by status, or with every sign-off fresh: it is judged by the kind it
    // was signed under) or retired is asked nothing: a note with --verbose, else no finding.
    let settled = match ctx.packet.status() {
        Some(Status::Retired) => Some("it is retired"),
        Some(s) if s >= Status::SignedOff => Some("it is signed off"),
        _ if spec.roles_for(Some(front)).next().is_some()
            && crate::facts::signoff::Review::of(ctx.packet, spec, &ctx.config.settings)
                .complete(spec, ctx.packet) =>
        {
            Some("its sign-offs are fresh, so it is judged by the kind it was signed under")
        }
        _ => None,
    };
    if settled.is_some() && !ctx.config.settings.verbose {
        return;
    }
    let (pos, len) = match front.entry("kind_version").or_else(|| front.entry("kind")) {
        Some(e) => (e.key_pos, e.key.len()),
        None => (front.pos, 1),
    };
    let added = std::mem::take(&mut ctx.added);
    let items = added.items();
    let counts = [
        (added.questions.len(), "question", "questions"),
        (added.criteria.len(), "criterion", "criteria"),
    ];
    let what: Vec<String> = counts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| crate::support::words::plural(*n, one, many))
        .collect();
    let added_text = if what.is_empty() {
        "nothing it added is missing here".to_string()
    } else {
        format!(
            "{} {} added",
            what.join(" and "),
            if items.len() == 1 { "was" } else { "were" }
        )
    };
    let mut message = format!(
        "{} is at version {}, this packet at {have}: {added_text}",
        spec.name, spec.version
    );
    if let Some(why) = settled {
        message.push_str(&format!("; nothing is asked, since {why}"));
    }
    let mut help = format!(
        "`handoff upgrade {}` adds them with TODO placeholders and sets `kind_version: {}`",
        ctx.packet.id, spec.version
    );
    if what.is_empty() {
        help = format!(
            "`handoff upgrade {}` sets `kind_version: {}`",
            ctx.packet.id, spec.version
        );
    } else {
        let shown: Vec<&str> = items.iter().take(8).map(String::as_str).collect();
        help.push_str(&format!(": {}", shown.join(", ")));
        if items.len() > shown.len() {
            help.push_str(&format!(" and {} more", items.len() - shown.len()));
        }
    }
    let severity = if settled.is_none() && ctx.gate >= Gate::Ready {
        Severity::Warning
    } else {
        Severity::Note
    };
    let before = ctx.out.len();
    ctx.report(&KIND_BEHIND, severity, pos, len, message, help);
    if let Some(d) = ctx.out.get_mut(before) {
        d.items = items;
        d.fix = Some(Fix {
            title: format!("Upgrade to version {} of the kind", spec.version),
            applicability: Applicability::OnItsOwn,
            action: FixAction::Upgrade { to: spec.version },
        });
    }
}
