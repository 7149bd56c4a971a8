//! iCalendar export: one all-day event per milestone, with UIDs that stay the same across exports
//! so that a re-import updates events instead of duplicating them.

use crate::facts::packet::Packet;
use crate::facts::timeline::Placed;
use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike};

/// A calendar with every milestone of the given packets.
pub fn calendar(name: &str, packets: &[(&Packet, &[Placed])]) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    for (packet, placed) in packets {
        for m in placed.iter() {
            let mut event = Event::new();
            event
                .uid(&format!("{}.day{}@handoff", packet.id, m.offset))
                .summary(&format!("{}: {} ({})", packet.title(), m.title, label(m)))
                .description(&format!(
                    "Handoff {} ({} -> {}), {} of the timeline. State: {}.\nhandoff timeline {}",
                    packet.id,
                    packet.text("from").unwrap_or("?"),
                    packet.text("to").unwrap_or("?"),
                    crate::support::words::day(m.day),
                    match (m.done_on, m.late_by) {
                        (Some(on), Some(days)) =>
                            format!("{} (done {on}, {days} days after)", m.state.name()),
                        (Some(on), None) => format!("{} (done {on})", m.state.name()),
                        _ => m.state.name().to_string(),
                    },
                    packet.id
                ))
                .starts(m.date)
                .ends(m.date + Duration::days(1))
                .add_property("TRANSP", "TRANSPARENT")
                .add_property("CATEGORIES", "handoff");
            cal.push(event.done());
        }
    }
    cal.done().to_string()
}

/// The lines before and after the events of the calendar [`calendar`] writes, for writing a
/// long one a few packets at a time (see [`events`]).
pub fn frame(name: &str) -> (String, &'static str) {
    let empty = calendar(name, &[]);
    let head = empty.strip_suffix(TAIL).unwrap_or(&empty).to_string();
    (head, TAIL)
}

/// The events of these packets, as [`calendar`] writes them between its [`frame`].
pub fn events(name: &str, packets: &[(&Packet, &[Placed])]) -> String {
    let (head, tail) = frame(name);
    let whole = calendar(name, packets);
    whole
        .strip_prefix(head.as_str())
        .and_then(|w| w.strip_suffix(tail))
        .unwrap_or_default()
        .to_string()
}

/// How a calendar ends.
const TAIL: &str = "END:VCALENDAR\r\n";

fn label(m: &Placed) -> String {
    crate::support::words::day(m.day)
}
