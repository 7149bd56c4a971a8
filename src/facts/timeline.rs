//! The timeline: a kind's milestones placed on the calendar from day 0, with their state today.

use crate::facts::config::Weekends;
use crate::facts::gate::Status;
use crate::facts::kind::KindSpec;
use crate::facts::packet::Packet;
use crate::facts::packet::yaml::Node;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// Where a milestone stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Its evidence is in the packet, on time (or with no date to tell).
    Done,
    /// Its evidence is in the packet, dated after the milestone's day.
    Late,
    /// Due today.
    DueToday,
    /// In the future.
    Upcoming,
    /// Its day passed without its evidence.
    Overdue,
}

impl State {
    /// Whether the milestone happened (on time or late).
    pub fn is_done(self) -> bool {
        matches!(self, State::Done | State::Late)
    }

    /// The word shown in tables.
    pub fn name(self) -> &'static str {
        match self {
            State::Done => "done",
            State::Late => "late",
            State::DueToday => "due today",
            State::Upcoming => "upcoming",
            State::Overdue => "overdue",
        }
    }
}

/// A milestone on the calendar.
#[derive(Debug, Clone, Serialize)]
pub struct Placed {
    /// Days relative to day 0.
    pub day: i64,
    /// The day as shown: `-7`, `0`, `+14`.
    pub offset: String,
    /// What happens.
    pub title: String,
    /// The date it is due.
    pub date: NaiveDate,
    /// Weekday name, e.g. `Mon`.
    pub weekday: String,
    /// The date before a weekend shift, when it was moved.
    pub moved_from: Option<NaiveDate>,
    /// Whether `date` is a Saturday or Sunday.
    pub weekend: bool,
    /// Where it stands.
    pub state: State,
    /// The day it was done, when its evidence is dated.
    pub done_on: Option<NaiveDate>,
    /// How many days after its date it was done, when late.
    pub late_by: Option<i64>,
}

/// Whether `text` contains `needle`, case aside (without lowercasing copies for ASCII text).
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    if text.is_ascii() && needle.is_ascii() {
        let n = needle.len();
        return n == 0
            || text
                .as_bytes()
                .windows(n)
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
    }
    text.to_lowercase().contains(&needle.to_lowercase())
}

/// Place the kind's milestones for this packet (none without a valid day 0).
pub fn place(
    packet: &Packet,
    spec: &KindSpec,
    settings: &crate::facts::config::Settings,
    today: NaiveDate,
) -> Vec<Placed> {
    let weekends = settings.weekends;
    let Some(day0) = packet.day0() else {
        return Vec::new();
    };
    let mut signed: Option<bool> = None;
    spec.timeline
        .iter()
        .map(|m| {
            // Dates are four-digit years and kinds stay within ten years of day 0, so this holds;
            // a date beyond the calendar stays on day 0 rather than panicking.
            let original = day0
                .checked_add_signed(Duration::days(m.day))
                .unwrap_or(day0);
            let is_weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
            let date = match weekends {
                Weekends::ShiftEarlier if is_weekend(original) => {
                    original
                        - Duration::days(i64::from(original.weekday().num_days_from_monday()) - 4)
                }
                _ => original,
            };
            // A dated field (`live_meeting.date`) says when the milestone was done.
            let done_on = m
                .evidence
                .as_ref()
                .and_then(|e| e.field.as_deref())
                .and_then(|path| answer(packet, path))
                .and_then(|v| crate::facts::packet::parse_date(&v));
            let evidence = m.evidence.as_ref().map(|e| {
                let field = e.field.as_deref().is_none_or(|path| answered(packet, path));
                let task = e.task.as_deref().is_none_or(|needle| {
                    packet
                        .body
                        .tasks
                        .iter()
                        .any(|t| t.checked && contains_ignoring_case(&t.text, needle))
                });
                let status = e
                    .status
                    .is_none_or(|want| packet.status().is_some_and(|s| reached(s, want)));
                // The formal sign-off is done once every role has signed and nothing is left to
                // tick (or the status says signed-off): three signatures on day 0 with the
                // shadow-period criteria still open are not the formal sign-off.
                let sign = !e.signed
                    || *signed.get_or_insert_with(|| {
                        crate::facts::signoff::all_signed(packet, spec, settings)
                            && (packet.status().is_some_and(|s| s >= Status::SignedOff)
                                || packet.body.tasks.iter().all(|t| t.checked))
                    });
                let section = e.section.as_deref().is_none_or(|title| {
                    packet
                        .body
                        .section(title)
                        .is_some_and(|s| !s.text.is_empty() && s.todo.is_none())
                });
                field && task && status && sign && section
            });
            // A milestone is done only when its evidence shows it: one whose day passed with
            // nothing to show (or that asks for nothing at all) is overdue, never done by default.
            let late_by = done_on
                .map(|d| (d - date).num_days())
                .filter(|days| *days > 0);
            let state = match (evidence == Some(true), date.cmp(&today)) {
                (true, _) if late_by.is_some() => State::Late,
                (true, _) => State::Done,
                (false, std::cmp::Ordering::Less) => State::Overdue,
                (false, std::cmp::Ordering::Equal) => State::DueToday,
                (false, std::cmp::Ordering::Greater) => State::Upcoming,
            };
            let (done_on, late_by) = if state.is_done() {
                (done_on, late_by)
            } else {
                (None, None)
            };
            Placed {
                day: m.day,
                offset: crate::support::words::offset(m.day),
                title: m.title.clone(),
                date,
                weekday: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                    [date.weekday().num_days_from_monday() as usize]
                    .to_string(),
                moved_from: (date != original).then_some(original),
                weekend: is_weekend(date),
                state,
                done_on,
                late_by,
            }
        })
        .collect()
}

/// Whether a status is at or past another in the lifecycle.
pub fn reached(status: Status, want: Status) -> bool {
    status >= want
}

/// Whether the answer at a dotted path is present: text that is not a placeholder, or a list or
/// mapping whose every text is answered.
pub fn answered(packet: &Packet, path: &str) -> bool {
    use crate::facts::packet::yaml::Value;
    fn filled(node: &Node) -> bool {
        match &node.value {
            Value::Str(s) => !crate::facts::packet::is_placeholder(s),
            Value::Seq(items) => !items.is_empty() && items.iter().all(filled),
            Value::Map(entries) => !entries.is_empty() && entries.iter().all(|e| filled(&e.value)),
            Value::Null => false,
        }
    }
    let mut node: Option<&Node> = packet.front.as_ref();
    for key in path.split('.') {
        node = node.and_then(|n| n.get(key));
    }
    node.is_some_and(filled)
}

/// The text answer at a dotted path, when present and not a placeholder.
pub fn answer(packet: &Packet, path: &str) -> Option<String> {
    let mut node: Option<&Node> = packet.front.as_ref();
    for key in path.split('.') {
        node = node.and_then(|n| n.get(key));
    }
    node.and_then(Node::as_str)
        .filter(|s| !crate::facts::packet::is_placeholder(s))
        .map(str::to_string)
}

/// Where `today` stands relative to day 0: `day -3`, `day 0`, `day +5`.
pub fn day_label(day0: NaiveDate, today: NaiveDate) -> String {
    crate::support::words::day((today - day0).num_days())
}

#[cfg(test)]
mod tests {
    use super::contains_ignoring_case;

    #[test]
    fn finds_words_case_aside() {
        assert!(contains_ignoring_case(
            "Shadow period RUN with ops",
            "shadow period run"
        ));
        assert!(contains_ignoring_case("anything", ""));
        assert!(!contains_ignoring_case("Shadow", "shadow period"));
        assert!(contains_ignoring_case("Übergabe GEPRÜFT", "geprüft"));
        assert!(!contains_ignoring_case("Übergabe", "geprüft"));
    }
}
