//! `--format json`: one stable JSON document per run.

use super::Summary;
use crate::verdict::Verdict;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    today: NaiveDate,
    summary: Summary,
    packets: &'a [Verdict],
}

/// The JSON document for a check run.
pub fn render(verdicts: &[Verdict], today: NaiveDate) -> String {
    let mut out = Vec::new();
    match write(&mut out, verdicts, today) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// [`render`] straight into `out`, so a report of any size is never held in memory whole.
pub fn write(
    out: &mut impl std::io::Write,
    verdicts: &[Verdict],
    today: NaiveDate,
) -> std::io::Result<()> {
    let doc = Document {
        version: 1,
        today,
        summary: Summary::of(verdicts),
        packets: verdicts,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
