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
    let doc = Document {
        version: 1,
        today,
        summary: Summary::of(verdicts),
        packets: verdicts,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}
