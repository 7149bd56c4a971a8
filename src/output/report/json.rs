//! `--format json`: one stable JSON document per run.

use super::Summary;
use crate::judgement::verdict::Verdict;
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
    write_head(out, today)?;
    write_packets(out, verdicts, true)?;
    write_tail(out, &Summary::of(verdicts), !verdicts.is_empty())
}

/// The document's opening: `version`, `today`, and the opening of `packets`. The summary comes
/// last, so that packets are written as they are checked.
pub fn write_head(out: &mut impl std::io::Write, today: NaiveDate) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Head {
        version: u32,
        today: NaiveDate,
    }
    let head = serde_json::to_vec_pretty(&Head { version: 1, today })?;
    // `{ ... }` without its closing line, then the packets' key.
    out.write_all(head.strip_suffix(b"\n}").unwrap_or(&head))?;
    out.write_all(b",\n  \"packets\": [")
}

/// Packets of the `packets` array (`first`: none written before them).
pub fn write_packets(
    out: &mut impl std::io::Write,
    verdicts: &[Verdict],
    first: bool,
) -> std::io::Result<()> {
    for (i, batch) in verdicts.chunks(256).enumerate() {
        let parts = crate::judgement::verdict::parallel_map(batch, packet_text);
        for (j, part) in parts.into_iter().enumerate() {
            if !(first && i == 0 && j == 0) {
                out.write_all(b",")?;
            }
            out.write_all(&part?)?;
        }
    }
    Ok(())
}

/// One packet as it sits in the `packets` array (a comma goes between two).
pub fn packet_text(v: &Verdict) -> std::io::Result<Vec<u8>> {
    let alone = serde_json::to_vec_pretty(v)?;
    Ok(indented(&alone, b"\n    "))
}

/// The document's close: the end of `packets` (`any`: packets were written) and the summary.
pub fn write_tail(
    out: &mut impl std::io::Write,
    summary: &Summary,
    any: bool,
) -> std::io::Result<()> {
    out.write_all(if any { b"\n  ]" } else { b"]" })?;
    out.write_all(b",\n  \"summary\": ")?;
    let alone = serde_json::to_vec_pretty(summary)?;
    out.write_all(&indented(&alone, b""))?;
    out.write_all(b"\n}\n")
}

/// A value pretty-printed on its own, after `lead`, indented to sit one level deeper for every
/// two spaces of `lead`'s indent: raw line breaks only ever separate JSON tokens (inside strings
/// they are escaped), so this is exact.
fn indented(alone: &[u8], lead: &[u8]) -> Vec<u8> {
    let pad: &[u8] = if lead.is_empty() { b"  " } else { &lead[1..] };
    let mut text = Vec::with_capacity(alone.len() + alone.len() / 8 + 8);
    text.extend_from_slice(lead);
    let mut from = 0;
    for at in memchr::memchr_iter(b'\n', alone) {
        text.extend_from_slice(&alone[from..=at]);
        text.extend_from_slice(pad);
        from = at + 1;
    }
    text.extend_from_slice(&alone[from..]);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Document<'a> {
        version: u32,
        today: NaiveDate,
        packets: &'a [Verdict],
        summary: Summary,
    }

    /// Batches written on many cores read exactly as one pretty-printed document.
    #[test]
    fn batches_read_as_one_document() {
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let (ws, _) =
            crate::facts::workspace::Workspace::for_args(&examples, &[]).expect("examples");
        let dirs = ws.select(&[]).expect("packets");
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        let (verdicts, _) = crate::judgement::verdict::check_many(&dirs, &ws, today, None);
        assert!(verdicts.iter().any(|v| !v.diagnostics.is_empty()));
        // Enough packets for several batches.
        let again: Vec<_> = dirs.iter().cycle().take(600).cloned().collect();
        let (many, _) = crate::judgement::verdict::check_many(&again, &ws, today, None);
        for set in [&verdicts[..], &many[..], &[]] {
            let whole = serde_json::to_string_pretty(&Document {
                version: 1,
                today,
                packets: set,
                summary: Summary::of(set),
            })
            .expect("json")
                + "\n";
            assert_eq!(render(set, today), whole);
            // Written in pieces, as a streamed check writes it.
            let mut pieces = Vec::new();
            write_head(&mut pieces, today).expect("head");
            for (i, part) in set.chunks(7).enumerate() {
                write_packets(&mut pieces, part, i == 0).expect("packets");
            }
            write_tail(&mut pieces, &Summary::of(set), !set.is_empty()).expect("tail");
            assert_eq!(String::from_utf8(pieces).expect("utf-8"), whole);
        }
    }
}
