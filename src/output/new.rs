//! What `handoff new` says about the packet it created: where its files are, and what to do next.

use crate::facts::kind::scaffold::NewPacket;
use chrono::NaiveDate;
use std::fmt::Write as _;

/// `Created handoffs/x/ (kind, day 0 is …)`, the files written, and the next three steps: answer
/// the TODO placeholders, run `handoff check`, set `status: ready` by the ready gate (`ready`,
/// `ready_day` days from day 0).
pub fn created(
    shown: &str,
    new: &NewPacket,
    files: &[(String, String)],
    ready: NaiveDate,
    ready_day: i64,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Created {shown}/ ({}, day 0 is {})",
        new.kind,
        new.day0.format("%a %Y-%m-%d")
    );
    for (name, _) in files {
        let _ = writeln!(out, "  {shown}/{name}");
    }
    let todos = files
        .iter()
        .map(|(_, t)| t.matches("TODO").count())
        .sum::<usize>();
    out.push_str("\nNext:\n");
    let _ = writeln!(
        out,
        "  1. Answer the {todos} TODO placeholders in {shown}/."
    );
    let _ = writeln!(
        out,
        "  2. Run `handoff check {}` to see what is still missing.",
        new.id
    );
    let _ = writeln!(
        out,
        "  3. The ready gate applies from {} (day {ready_day}); set `status: ready` once every answer is in.",
        ready.format("%a %Y-%m-%d"),
    );
    out
}
