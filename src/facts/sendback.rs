//! Send-backs, as facts: the receiving team turned a handoff down as incomplete, and said why.
//! `handoff send-back` records each one in the packet's `sent_back` list (so git keeps it) and
//! moves the status back; `log`, `status`, `render` and `stats` show them.

use crate::facts::packet::Packet;

/// One send-back as written.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SentBack {
    /// The day, `YYYY-MM-DD`.
    pub at: String,
    /// Who sent it back, `Name <email>`.
    pub by: String,
    /// The status the packet had.
    pub from: String,
    /// What was missing.
    pub reason: String,
    /// The pull request review or comment it was given in (`handoff apply`), as the forge's
    /// page.
    pub via: Option<String>,
}

impl SentBack {
    /// The entry as a record to prove.
    pub fn record(&self) -> crate::facts::proof::Record {
        use crate::facts::proof::{Record, RecordKind};
        let via = self.via.clone().unwrap_or_default();
        Record {
            kind: RecordKind::SendBack,
            key: Record::key_of(
                RecordKind::SendBack,
                [
                    ("at", self.at.as_str()),
                    ("by", &self.by),
                    ("from", &self.from),
                    ("reason", &self.reason),
                    ("via", &via),
                ],
            ),
            by: self.by.clone(),
            via: self.via.clone(),
            role: None,
            digest: None,
            target: None,
            until: None,
        }
    }
}

/// The packet's send-backs, oldest first; entries that are not mappings are skipped.
pub fn read(packet: &Packet) -> Vec<SentBack> {
    let Some(items) = packet
        .front
        .as_ref()
        .and_then(|f| f.get("sent_back"))
        .and_then(|n| n.items())
    else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|i| i.entries().is_some())
        .map(|i| {
            let text = |k: &str| i.get(k).and_then(|n| n.as_str()).unwrap_or("").to_string();
            SentBack {
                at: text("at"),
                by: text("by"),
                from: text("from"),
                reason: text("reason"),
                via: i.get("via").and_then(|n| n.as_str()).map(str::to_string),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_and_skips_what_is_not_one() {
        let text = "---\nid: a\nsent_back:\n  - at: 2026-11-20\n    by: A <a@x.test>\n    from: ready\n    reason: No runbook\n  - just text\n---\n# A\n";
        let p = Packet::from_text(
            std::path::Path::new("a"),
            std::path::Path::new("a"),
            text.into(),
        );
        let got = read(&p);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].reason, "No runbook");
        assert_eq!(got[0].from, "ready");
    }
}
