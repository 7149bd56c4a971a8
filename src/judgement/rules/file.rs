//! Problems met while reading `handoff.md`: the file itself, its front matter fences, its YAML.

use super::{Ctx, Rule};
use crate::facts::packet::ProblemKind;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::{Diagnostic, Severity};

/// The packet file is missing, unreadable, too large, binary or not UTF-8.
pub static FILE_INVALID: Rule = Rule {
    id: RuleId::FileInvalid,
    summary: "a packet file is missing, unreadable, too large, binary or not UTF-8",
    explanation: "Every packet folder needs a readable `handoff.md`, and every file a packet links to \
must be UTF-8 text under 2 MiB. A file the tool cannot read cannot be checked, so this is an error at \
every gate.\n\nFix: restore the file, save it as UTF-8, or move bulk data out of the packet.",
};

/// The front matter is missing or never closed.
pub static FRONT_MATTER: Rule = Rule {
    id: RuleId::FrontMatter,
    summary: "handoff.md must start with YAML front matter between two `---` lines",
    explanation: "The front matter is the contract: owners, metric, runbook, risks, backlog. Without \
it there is nothing to check.\n\nExample:\n\n    ---\n    id: winback-email\n    kind: gtm-play\n    \
day0: 2026-12-07\n    ...\n    ---\n\n    # Win-back email play",
};

/// The front matter is not acceptable YAML.
pub static YAML_INVALID: Rule = Rule {
    id: RuleId::YamlInvalid,
    summary: "the front matter must be valid YAML: a mapping, no tabs, no duplicate keys, no anchors",
    explanation: "A YAML mistake can silently drop or change an answer, so the packet fails at every \
gate until it parses. Packets may not use anchors, aliases or tags, and may not nest deeper than 32 \
levels; a key may appear once per mapping.\n\nCommon fixes: indent with spaces, quote values that \
contain `: `, close every quote.",
};

/// Turn load problems into diagnostics.
pub fn check(ctx: &mut Ctx) {
    for p in &ctx.packet.problems {
        let rule = match p.kind {
            ProblemKind::File => &FILE_INVALID,
            ProblemKind::FrontMatter => &FRONT_MATTER,
            ProblemKind::Yaml => &YAML_INVALID,
        };
        match &ctx.packet.file {
            Some(file) => {
                let len = file.text[p.pos.offset..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                ctx.out.push(
                    Diagnostic::at(
                        rule.id,
                        Severity::Error,
                        file,
                        p.pos,
                        len,
                        p.message.clone(),
                        p.help.clone(),
                    )
                    .label("here"),
                );
            }
            None => {
                let file = ctx.packet.dir.join(crate::facts::packet::PACKET_FILE);
                let shown = crate::support::paths::shown(&file);
                ctx.out.push(Diagnostic::file_level(
                    rule.id,
                    Severity::Error,
                    shown,
                    p.message.clone(),
                    p.help.clone(),
                ));
            }
        }
    }
}
