//! The audit trail as `handoff log` tells it: what is wrong with the sign-offs each commit of a
//! packet's history adds (committed by someone other than the signer, or, when signatures are
//! required, without a good git signature), the sign-offs the work tree adds and no commit
//! records yet, and whether the sign-offs the packet carries now fail the audit.

use crate::facts::history::changes::Change;
use crate::facts::history::{self, Commit};
use crate::facts::packet::Packet;
use crate::facts::signoff::Key;
use std::collections::HashMap;

/// Something wrong with a sign-off in the packet's history.
#[derive(Debug, Clone)]
pub enum Flag<'a> {
    /// The commit that adds the sign-off is not the signer's.
    CommittedByOther {
        /// The role signed for.
        role: &'a str,
        /// The signer, as the entry names them.
        by: &'a str,
        /// The commit that added it.
        commit: &'a Commit,
    },
    /// The commit that adds the sign-off has no good git signature.
    NoGoodSignature {
        /// The role signed for.
        role: &'a str,
        /// What git reports (`%G?`: G good, B bad, U untrusted, N none), if anything.
        signature: Option<char>,
    },
    /// The work tree carries a sign-off no commit records yet.
    Unrecorded {
        /// The role signed for.
        role: &'a str,
        /// The signer.
        by: &'a str,
    },
}

/// What is wrong with the sign-offs `commit` adds (its `changes`): committed by someone other
/// than the signer, or (when `verify`) without a good git signature.
pub fn commit_flags<'a>(changes: &'a [Change], commit: &'a Commit, verify: bool) -> Vec<Flag<'a>> {
    let mut flags = Vec::new();
    for c in changes {
        if let Change::SignedOff { role, by, .. } = c {
            if crate::facts::person::email_of(by).is_some_and(|e| e != commit.email.to_lowercase())
            {
                flags.push(Flag::CommittedByOther { role, by, commit });
            }
            if verify && commit.signature != Some('G') {
                flags.push(Flag::NoGoodSignature {
                    role,
                    signature: commit.signature,
                });
            }
        }
    }
    flags
}

/// The sign-offs the work tree's `changes` add, none of them committed yet.
pub fn uncommitted_flags(changes: &[Change]) -> Vec<Flag<'_>> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::SignedOff { role, by, .. } => Some(Flag::Unrecorded { role, by }),
            _ => None,
        })
        .collect()
}

/// Whether the sign-offs in the packet as it is now fail the audit: uncommitted, committed by
/// someone else, or (when `verify`) recorded in a commit without a good signature. `recorded`
/// holds the commit that first recorded each sign-off entry. A sign-off that was mis-committed
/// once and signed again properly since is history, not a finding.
pub fn current_fails(recorded: &HashMap<Key, &Commit>, packet: &Packet, verify: bool) -> bool {
    if !history::audit::findings(recorded, packet).is_empty() {
        return true;
    }
    verify && recorded.values().any(|c| c.signature != Some('G'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(email: &str, signature: Option<char>) -> Commit {
        Commit {
            id: "0".repeat(40),
            short: "0000000".into(),
            date: "2026-12-01T10:00:00+00:00".into(),
            author: "Sam Lee".into(),
            email: email.into(),
            subject: "Sign off".into(),
            signature,
        }
    }

    fn signed(by: &str) -> Change {
        Change::SignedOff {
            role: "pm".into(),
            by: by.into(),
            at: "2026-12-01T09:00:00Z".into(),
        }
    }

    #[test]
    fn a_sign_off_committed_by_someone_else_is_flagged() {
        let c = commit("sam@x.test", Some('G'));
        let changes = [signed("Pat Morgan <pat@x.test>")];
        assert!(matches!(
            commit_flags(&changes, &c, false).as_slice(),
            [Flag::CommittedByOther { role: "pm", .. }]
        ));
        let own = [signed("Sam Lee <SAM@x.test>")];
        assert!(commit_flags(&own, &c, false).is_empty());
    }

    #[test]
    fn signatures_are_required_only_when_asked() {
        let c = commit("sam@x.test", Some('N'));
        let own = [signed("Sam Lee <sam@x.test>")];
        assert!(commit_flags(&own, &c, false).is_empty());
        assert!(matches!(
            commit_flags(&own, &c, true).as_slice(),
            [Flag::NoGoodSignature {
                role: "pm",
                signature: Some('N')
            }]
        ));
        let good = commit("sam@x.test", Some('G'));
        assert!(commit_flags(&own, &good, true).is_empty());
    }

    #[test]
    fn only_sign_offs_are_flagged_as_uncommitted() {
        let changes = [Change::Body, signed("Pat Morgan <pat@x.test>")];
        assert!(matches!(
            uncommitted_flags(&changes).as_slice(),
            [Flag::Unrecorded {
                role: "pm",
                by: "Pat Morgan <pat@x.test>"
            }]
        ));
    }
}
