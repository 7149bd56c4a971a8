//! The human report or the JSON document written a chunk of packets at a time as they are
//! checked (memory holds one chunk, whatever the number of packets), the summary last. A closed
//! pipe (`| head`) stops the writing, not the counting: the summary still covers every packet.

use super::human::{self, Style};
use super::repeated::Repeated;
use super::{Summary, json};
use crate::judgement::verdict::Verdict;
use chrono::NaiveDate;
use std::io::Write;

/// A packet's part of the report, laid out on the core that checked it: its JSON text (the
/// human report is laid out a chunk at a time, by [`Stream::packets`]).
pub fn laid_out(json: bool, v: &Verdict) -> std::io::Result<Vec<u8>> {
    match json {
        true => json::packet_text(v),
        false => Ok(Vec::new()),
    }
}

/// A report being written, packet by packet.
pub struct Stream<W: Write> {
    out: W,
    json: bool,
    style: Style,
    summary: Summary,
    repeated: Repeated,
    /// Whether `out` still takes text (a closed pipe does not).
    open: bool,
}

impl<W: Write> Stream<W> {
    /// Start a report on `out`: the JSON document (its head written now), or the human one.
    pub fn start(mut out: W, json: bool, style: Style, today: NaiveDate) -> Self {
        let open = !json || json::write_head(&mut out, today).is_ok();
        Stream {
            out,
            json,
            style,
            summary: Summary::default(),
            repeated: Repeated::default(),
            open,
        }
    }

    /// Count and write a chunk of packets, in order, each with what [`laid_out`] made.
    pub fn packets(&mut self, chunk: Vec<(Verdict, std::io::Result<Vec<u8>>)>) {
        if !self.json {
            self.summary.add_each(chunk.iter().map(|(v, _)| v));
            self.open = self.open
                && human::write_packets(
                    &mut self.out,
                    &mut self.repeated,
                    chunk.iter().map(|(v, _)| v),
                    self.style,
                )
                .is_ok();
            return;
        }
        for (v, text) in &chunk {
            let first = self.summary.packets == 0;
            self.summary.add(std::slice::from_ref(v));
            self.open = self.open
                && (first || self.out.write_all(b",").is_ok())
                && text.as_ref().is_ok_and(|t| self.out.write_all(t).is_ok());
        }
    }

    /// End the report (the JSON document's tail, or the findings repeated across packets and
    /// the summary) and return the totals.
    pub fn finish(mut self) -> Summary {
        let summary = self.summary;
        if self.open {
            let out = &mut self.out;
            let _ = match self.json {
                true => json::write_tail(out, &summary, summary.packets > 0),
                false => out
                    .write_all(self.repeated.text(self.style.color).as_bytes())
                    .and_then(|()| human::write_summary(out, &summary, self.style)),
            }
            .and_then(|()| out.flush());
        }
        summary
    }
}
