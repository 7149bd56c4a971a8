//! `--format json`: one stable JSON document per run.

use super::Summary;
use crate::verdict::Verdict;
use chrono::NaiveDate;
use serde::Serialize;

/// The JSON document for a check run.
pub fn render(verdicts: &[Verdict], today: NaiveDate) -> String {
    let mut out = Vec::new();
    match write(&mut out, verdicts, today) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// [`render`] straight into `out`, so a report of any size is never held in memory whole. Packets
/// are serialized a batch at a time, each on its own core, into exactly the text one
/// pretty-printed document would hold.
pub fn write(
    out: &mut impl std::io::Write,
    verdicts: &[Verdict],
    today: NaiveDate,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Head {
        version: u32,
        today: NaiveDate,
        summary: Summary,
    }
    let head = serde_json::to_vec_pretty(&Head {
        version: 1,
        today,
        summary: Summary::of(verdicts),
    })?;
    // `{ ... }` without its closing line, then the packets under their key.
    out.write_all(head.strip_suffix(b"\n}").unwrap_or(&head))?;
    if verdicts.is_empty() {
        return out.write_all(b",\n  \"packets\": []\n}\n");
    }
    out.write_all(b",\n  \"packets\": [")?;
    for (i, batch) in verdicts.chunks(256).enumerate() {
        let parts = crate::verdict::parallel_map(batch, |v| -> std::io::Result<Vec<u8>> {
            // A packet on its own, then indented to sit two levels deep: raw line breaks only
            // ever separate JSON tokens (inside strings they are escaped), so this is exact.
            let alone = serde_json::to_vec_pretty(v)?;
            let mut text = Vec::with_capacity(alone.len() + alone.len() / 8 + 8);
            text.extend_from_slice(b"\n    ");
            let mut from = 0;
            for at in memchr::memchr_iter(b'\n', &alone) {
                text.extend_from_slice(&alone[from..=at]);
                text.extend_from_slice(b"    ");
                from = at + 1;
            }
            text.extend_from_slice(&alone[from..]);
            Ok(text)
        });
        for (j, part) in parts.into_iter().enumerate() {
            if i > 0 || j > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&part?)?;
        }
    }
    out.write_all(b"\n  ]\n}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Document<'a> {
        version: u32,
        today: NaiveDate,
        summary: Summary,
        packets: &'a [Verdict],
    }

    /// Batches written on many cores read exactly as one pretty-printed document.
    #[test]
    fn batches_read_as_one_document() {
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let (ws, _) = crate::workspace::Workspace::for_args(&examples, &[]).expect("examples");
        let dirs = ws.select(&[]).expect("packets");
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        let (verdicts, _) = crate::verdict::check_many(&dirs, &ws, today, None);
        assert!(verdicts.iter().any(|v| !v.diagnostics.is_empty()));
        // Enough packets for several batches.
        let again: Vec<_> = dirs.iter().cycle().take(600).cloned().collect();
        let (many, _) = crate::verdict::check_many(&again, &ws, today, None);
        for set in [&verdicts[..], &many[..], &[]] {
            let whole = serde_json::to_string_pretty(&Document {
                version: 1,
                today,
                summary: Summary::of(set),
                packets: set,
            })
            .expect("json")
                + "\n";
            assert_eq!(render(set, today), whole);
        }
    }
}
