//! iCalendar export: one all-day event per milestone, with UIDs that stay the same across exports
//! so that a re-import updates events instead of duplicating them. A UID is made from the
//! packet's identity (its repository's first commit and its folder there: the same from any
//! clone, however the path to it was typed), the milestone's day and its place among that day's
//! milestones, so two milestones on one day are two events. Every text passes the neutraliser:
//! no control or bidi character reaches a calendar.

use crate::facts::packet::Packet;
use crate::facts::timeline::Placed;
use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike};
use sha2::{Digest, Sha256};

/// The PRODID: this tool and its version.
pub fn product_id() -> String {
    format!("-//handoff-dev//handoff {}//EN", env!("CARGO_PKG_VERSION"))
}

/// A calendar with every milestone of the given packets.
pub fn calendar(name: &str, packets: &[(&Packet, &[Placed])]) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", product_id().as_str()))
        .append_property(("CALSCALE", "GREGORIAN"));
    cal.name(&text(name));
    for (packet, placed) in packets {
        let identity = crate::facts::identity::of_folder(&packet.dir);
        for (i, m) in placed.iter().enumerate() {
            let nth = placed[..i].iter().filter(|o| o.day == m.day).count();
            let mut event = Event::new();
            event
                .uid(&uid(&identity, m.day, nth))
                .summary(&text(&format!(
                    "{}: {} ({})",
                    packet.title(),
                    m.title,
                    label(m)
                )))
                .description(&text(&format!(
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
                )))
                .starts(m.date)
                .ends(m.date + Duration::days(1))
                .add_property("TRANSP", "TRANSPARENT")
                .add_property("CATEGORIES", "handoff");
            cal.push(event.done());
        }
    }
    cal.done().to_string()
}

/// The UID of the `nth` milestone (from 0) on `day` of the packet known as `identity`.
fn uid(identity: &str, day: i64, nth: usize) -> String {
    let digest = Sha256::digest(format!("{identity}\0{day}\0{nth}").as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}@handoff")
}

/// A text for the calendar: control and bidi characters written out, lines ending in LF alone
/// (the calendar escapes those).
fn text(s: &str) -> String {
    crate::support::words::neutral(s).replace("\r\n", "\n")
}

fn label(m: &Placed) -> String {
    crate::support::words::day(m.day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_differ_by_day_and_place_and_repeat_for_the_same_milestone() {
        let a = uid("c0ffee:handoffs/p", 7, 0);
        assert_eq!(a, uid("c0ffee:handoffs/p", 7, 0));
        assert_ne!(a, uid("c0ffee:handoffs/p", 7, 1));
        assert_ne!(a, uid("c0ffee:handoffs/p", 6, 0));
        assert_ne!(a, uid("c0ffee:handoffs/q", 7, 0));
        assert!(a.ends_with("@handoff") && a.len() == 32 + "@handoff".len());
    }

    #[test]
    fn no_control_or_bidi_character_reaches_the_calendar() {
        let t = text("Launch\u{202e}gnp.exe\u{1b}[2J\r\nnext\u{7}");
        assert!(!t.chars().any(|c| c.is_control() && c != '\n'), "{t:?}");
        assert!(!t.contains('\u{202e}'), "{t:?}");
    }
}
