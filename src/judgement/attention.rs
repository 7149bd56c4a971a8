//! What needs attention across a portfolio: the order packets are shown in (failing or overdue
//! first), a send-back still waiting for its fix, and the waivers that end soon. `status` reads
//! them.

use crate::facts::gate::Status;
use crate::facts::packet::Packet;
use crate::facts::sendback::SentBack;
use crate::facts::waiver::Waiver;
use chrono::NaiveDate;

/// How urgent a packet is, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// A milestone is overdue and the packet fails its gate.
    OverdueAndFailing,
    /// A milestone is overdue, or the packet fails its gate.
    OverdueOrFailing,
    /// On track, with a milestone still ahead.
    OnTrack,
    /// Every milestone done.
    Done,
}

/// The order of a portfolio view: by [`Rank`], then by the next milestone's date, then by id.
pub type Urgency = (Rank, Option<NaiveDate>, String);

/// How urgent a packet is: `overdue` when a milestone is past its date without its evidence,
/// `pass` its verdict at its gate, `next` the date of its first milestone not done (none when
/// every one is).
pub fn urgency(overdue: bool, pass: bool, next: Option<NaiveDate>, id: &str) -> Urgency {
    let rank = match (next.is_some(), overdue, pass) {
        (false, ..) => Rank::Done,
        (true, true, false) => Rank::OverdueAndFailing,
        (true, true, true) | (true, false, false) => Rank::OverdueOrFailing,
        (true, false, true) => Rank::OnTrack,
    };
    (rank, next, id.to_string())
}

/// The latest send-back, while the packet has not regained the status it was sent back from.
pub fn awaiting_fix<'s>(packet: &Packet, sent_back: &'s [SentBack]) -> Option<&'s SentBack> {
    let last = sent_back.last()?;
    let from = Status::parse(&last.from)?;
    (packet.status()? < from).then_some(last)
}

/// How far ahead a portfolio looks for waivers that end.
pub const WAIVER_HORIZON_DAYS: i64 = 14;

/// The waivers that hold today and end within [`WAIVER_HORIZON_DAYS`]: to renew or resolve soon.
pub fn waivers_ending(packet: &Packet, today: NaiveDate) -> Vec<Waiver> {
    crate::facts::waiver::expiring(packet, today, WAIVER_HORIZON_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 12, d)
    }

    #[test]
    fn failing_and_overdue_come_first_and_done_last() {
        let mut keys = [
            urgency(false, true, None, "done"),
            urgency(false, true, day(3), "on-track"),
            urgency(false, false, day(9), "failing"),
            urgency(true, true, day(9), "overdue"),
            urgency(true, false, day(20), "both"),
            urgency(true, false, None, "both-but-done"),
        ];
        keys.sort();
        let order: Vec<&str> = keys.iter().map(|k| k.2.as_str()).collect();
        assert_eq!(
            order,
            [
                "both",
                "failing",
                "overdue",
                "on-track",
                "both-but-done",
                "done"
            ]
        );
    }

    #[test]
    fn a_send_back_waits_until_the_status_it_left_is_regained() {
        let packet = |status: &str| {
            let text = format!(
                "---\nid: a\nstatus: {status}\nsent_back:\n  - at: 2026-11-20\n    by: A <a@x.test>\n    from: ready\n    reason: No runbook\n---\n# A\n"
            );
            Packet::from_text(std::path::Path::new("a"), std::path::Path::new("a"), text)
        };
        let draft = packet("draft");
        let sent = crate::facts::sendback::read(&draft);
        assert_eq!(
            awaiting_fix(&draft, &sent).map(|s| s.reason.as_str()),
            Some("No runbook")
        );
        let ready = packet("ready");
        assert!(awaiting_fix(&ready, &crate::facts::sendback::read(&ready)).is_none());
        assert!(awaiting_fix(&draft, &[]).is_none());
    }

    #[test]
    fn the_next_date_orders_packets_of_one_rank() {
        assert!(urgency(false, true, day(2), "b") < urgency(false, true, day(3), "a"));
        assert!(urgency(false, true, day(3), "a") < urgency(false, true, day(3), "b"));
    }
}
