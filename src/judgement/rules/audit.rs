//! The sign-off audit: git is the audit trail, so each sign-off should be committed by its signer.
//! The facts come from [`crate::facts::history::audit::findings_fetching`].

use super::Rule;
use crate::facts::history::audit::{AuditFinding, Recorded};
use crate::facts::packet::Packet;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::{Diagnostic, Severity};

/// A sign-off not committed by its signer, or not committed at all.
pub static SIGNOFF_AUDIT: Rule = Rule {
    id: RuleId::SignoffAudit,
    summary: "each sign-off is committed, by the person who signed",
    explanation: "Git is the audit trail: the commit that adds a sign-off should be authored by the \
signer, so that the history proves who agreed to what and when. A sign-off committed by someone else, \
or not committed yet, is flagged (a warning). With `--verify-signatures`, `handoff log` also requires \
a good git signature on those commits. In a shallow clone the history is incomplete, so the audit is \
skipped with a note on stderr rather than guessed.\n\nFix: the signer runs `handoff sign` and commits \
it themselves.",
};

/// The audit's findings for one packet, as diagnostics on the sign-off entries. A sign-off a
/// signature or the forge proves is not held to who committed it: a signed commit says more
/// than its author line, and a sign-off given on the pull request is committed by the bot that
/// recorded it.
pub fn diagnostics(
    packet: &Packet,
    findings: Vec<AuditFinding>,
    settings: &crate::facts::config::Settings,
) -> Vec<Diagnostic> {
    let Some(file) = packet.file.as_ref() else {
        return Vec::new();
    };
    let records: Vec<_> = findings.iter().map(|f| f.signoff.record()).collect();
    let proofs = settings.prove(packet, &records);
    findings
        .into_iter()
        .zip(proofs)
        .filter(|(_, p)| {
            !matches!(
                p.proof,
                crate::facts::proof::Proof::Signature { .. }
                    | crate::facts::proof::Proof::Forge { .. }
            )
        })
        .map(|(f, _)| f)
        .map(|f| {
            let s = &f.signoff;
            let (message, help) = match &f.recorded {
                Recorded::Unrecorded => (
                    format!(
                        "the {} sign-off by {} is not committed yet (unrecorded)",
                        s.role, s.by
                    ),
                    format!(
                        "the signer commits it: git commit -m \"Sign off {} as {}\"",
                        packet.id, s.role
                    ),
                ),
                Recorded::AfterCommit(c) => {
                    return Diagnostic::at(
                        super::signoff::SIGNOFF_INVALID.id,
                        Severity::Error,
                        file,
                        s.pos,
                        1,
                        format!(
                            "the {} sign-off by {} says it was made at {}, after the commit that added it ({}, {})",
                            s.role, s.by, s.at, c.short, c.date
                        ),
                        format!(
                            "remove the entry; the signer signs again with `handoff sign {} --role {}`",
                            packet.id, s.role
                        ),
                    );
                }
                Recorded::ByOther(c) => (
                    format!(
                        "the {} sign-off by {} was committed by {} <{}> in {}",
                        s.role, s.by, c.author, c.email, c.short
                    ),
                    "the signer should commit their own sign-off; re-sign and commit as the signer"
                        .into(),
                ),
            };
            Diagnostic::at(
                SIGNOFF_AUDIT.id,
                Severity::Warning,
                file,
                s.pos,
                1,
                message,
                help,
            )
        })
        .collect()
}
