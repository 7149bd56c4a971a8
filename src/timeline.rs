//! The timeline: a kind's milestones placed on the calendar from day 0, with their state today.

use crate::config::Weekends;
use crate::gate::Status;
use crate::kind::KindSpec;
use crate::packet::Packet;
use crate::packet::yaml::Node;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// Where a milestone stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Its evidence is in the packet, or its day passed and it asks for none.
    Done,
    /// Due today.
    DueToday,
    /// In the future.
    Upcoming,
    /// Its day passed without its evidence.
    Overdue,
}

impl State {
    /// The word shown in tables.
    pub fn name(self) -> &'static str {
        match self {
            State::Done => "done",
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
}

/// Place the kind's milestones for this packet (none without a valid day 0).
pub fn place(
    packet: &Packet,
    spec: &KindSpec,
    settings: &crate::config::Settings,
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
            let evidence = m.evidence.as_ref().map(|e| {
                let field = e.field.as_deref().is_none_or(|path| answered(packet, path));
                let task = e.task.as_deref().is_none_or(|needle| {
                    let needle = needle.to_lowercase();
                    packet
                        .body
                        .tasks
                        .iter()
                        .any(|t| t.checked && t.text.to_lowercase().contains(&needle))
                });
                let status = e
                    .status
                    .is_none_or(|want| packet.status().is_some_and(|s| reached(s, want)));
                let sign = !e.signed
                    || *signed
                        .get_or_insert_with(|| crate::signoff::all_signed(packet, spec, settings));
                field && task && status && sign
            });
            let state = match (evidence, date.cmp(&today)) {
                (Some(true), _) => State::Done,
                (None, std::cmp::Ordering::Less) => State::Done,
                (_, std::cmp::Ordering::Equal) => State::DueToday,
                (_, std::cmp::Ordering::Greater) => State::Upcoming,
                (Some(false), std::cmp::Ordering::Less) => State::Overdue,
            };
            Placed {
                day: m.day,
                offset: if m.day == 0 {
                    "0".into()
                } else {
                    format!("{:+}", m.day)
                },
                title: m.title.clone(),
                date,
                weekday: date.format("%a").to_string(),
                moved_from: (date != original).then_some(original),
                weekend: is_weekend(date),
                state,
            }
        })
        .collect()
}

/// Whether a status is at or past another in the lifecycle.
pub fn reached(status: Status, want: Status) -> bool {
    status >= want
}

/// Whether the answer at a dotted path is present and not a placeholder.
pub fn answered(packet: &Packet, path: &str) -> bool {
    answer(packet, path).is_some()
}

/// The text answer at a dotted path, when present and not a placeholder.
pub fn answer(packet: &Packet, path: &str) -> Option<String> {
    let mut node: Option<&Node> = packet.front.as_ref();
    for key in path.split('.') {
        node = node.and_then(|n| n.get(key));
    }
    node.and_then(Node::as_str)
        .filter(|s| !crate::packet::is_placeholder(s))
        .map(str::to_string)
}

/// `D-3`, `D0`, `D+5`.
pub fn day_label(day0: NaiveDate, today: NaiveDate) -> String {
    let d = (today - day0).num_days();
    if d == 0 {
        "D0".into()
    } else {
        format!("D{d:+}")
    }
}
