//! What falls due in a window, across packets, and whom to ping about it: milestones overdue or
//! due, dated items (backlog, enablement, open questions), KPI breaches and waivers ending. What
//! `remind` reports, in every format.

use crate::facts::config::Settings;
use crate::facts::gate::Status;
use crate::facts::kind::Kind;
use crate::facts::packet::Packet;
use crate::facts::timeline::{Placed, State};
use crate::judgement::open::Open;
use crate::judgement::rules::kpi::Reading;
use chrono::NaiveDate;
use serde::Serialize;

/// What a reminder is about, in the order reminders are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum About {
    /// A milestone whose day passed without its evidence.
    Overdue,
    /// After day 0, the KPI under its target longer than the paging policy allows.
    KpiBreach,
    /// A milestone that falls due in the window.
    Due,
    /// A waiver that ends in the window.
    WaiverExpiring,
}

/// One reminder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    /// Overdue milestone, milestone due, or waiver expiring.
    pub about: About,
    /// Packet id.
    pub packet: String,
    /// Packet title.
    pub title: String,
    /// The milestone.
    pub milestone: String,
    /// Its day offset.
    pub day: String,
    /// When it is due.
    pub date: NaiveDate,
    /// Whether it is due today.
    pub today: bool,
    /// Whom to ping.
    pub people: Vec<String>,
    /// The dated item it is about (`backlog.items[2]`), when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Which of the packets given to [`due`] it is about (its index).
    #[serde(skip)]
    pub of: usize,
}

impl Reminder {
    /// A reminder about the packet at index `of`, due on `date`; nobody to ping yet.
    fn new(about: About, of: usize, packet: &Packet, what: String, date: NaiveDate) -> Reminder {
        Reminder {
            about,
            packet: packet.id.clone(),
            title: packet.title().to_string(),
            milestone: what,
            day: String::new(),
            date,
            today: false,
            people: Vec::new(),
            item: None,
            of,
        }
    }

    /// The order reminders are listed in: overdue first, then KPI breaches, what falls due and
    /// waivers ending; each by date, then packet.
    pub fn urgency(&self) -> (About, NaiveDate, &str) {
        (self.about, self.date, &self.packet)
    }
}

/// A packet as the reminders read it: its kind and what it stands at today.
#[derive(Clone, Copy)]
pub struct Tracked<'a> {
    /// The packet.
    pub packet: &'a Packet,
    /// Its kind, when it is known (a packet of an unknown kind is reminded of nothing).
    pub kind: Option<&'a Kind>,
    /// Its milestones today.
    pub placed: &'a [Placed],
    /// Its KPI series judged today, when it has one.
    pub kpi: Option<&'a Reading>,
    /// What is still open at its gate today (its dated items).
    pub open: Option<&'a Open>,
}

impl Tracked<'_> {
    fn retired(&self) -> bool {
        matches!(self.packet.status(), Some(Status::Retired))
    }

    /// The day `date` falls on relative to day 0 (`+3`, `-2`), when day 0 is known.
    fn day_of(&self, date: NaiveDate) -> String {
        self.packet
            .day0()
            .map(|d0| crate::support::words::offset((date - d0).num_days()))
            .unwrap_or_default()
    }
}

/// Everything that falls due from `today` to `until` (or fell due before it without being done)
/// among `packets`, each with the people to ping: milestones, then dated items, KPI breaches and
/// waivers ending, in the packets' order. [`Reminder::urgency`] gives the order to list them in.
pub fn due(
    settings: &Settings,
    packets: &[Tracked],
    today: NaiveDate,
    until: NaiveDate,
) -> Vec<Reminder> {
    let mut out = Vec::new();
    milestones(settings, packets, today, until, &mut out);
    items(settings, packets, today, until, &mut out);
    breaches(settings, packets, today, &mut out);
    waivers_ending(settings, packets, today, until, &mut out);
    out
}

/// Milestones overdue, or due in the window; a signed milestone also pings the roles yet to sign.
fn milestones(
    settings: &Settings,
    packets: &[Tracked],
    today: NaiveDate,
    until: NaiveDate,
    out: &mut Vec<Reminder>,
) {
    for (i, t) in packets.iter().enumerate() {
        let Some(kind) = t.kind else { continue };
        if t.retired() {
            continue;
        }
        for (m, spec) in t.placed.iter().zip(&kind.spec.timeline) {
            let about = if m.state == State::Overdue {
                About::Overdue
            } else if m.state.is_done() || m.date < today || m.date > until {
                continue;
            } else {
                About::Due
            };
            let mut people = owners(settings, t.packet, kind);
            if spec.evidence.as_ref().is_some_and(|ev| ev.signed) {
                people.extend(unsigned_holders(settings, t.packet, kind));
            }
            let mut r = Reminder::new(about, i, t.packet, m.title.clone(), m.date);
            r.day = m.offset.clone();
            r.today = m.date == today;
            r.people = distinct(people);
            out.push(r);
        }
    }
}

/// Dated items (backlog tasks, enablement assets, open questions) overdue, or due in the window,
/// each with its owner (else the packet's owners): the same items `check` reports.
fn items(
    settings: &Settings,
    packets: &[Tracked],
    today: NaiveDate,
    until: NaiveDate,
    out: &mut Vec<Reminder>,
) {
    for (i, t) in packets.iter().enumerate() {
        let (Some(kind), Some(open)) = (t.kind, t.open) else {
            continue;
        };
        for item in &open.items {
            let about = if item.overdue(today) {
                About::Overdue
            } else if item.due_within(today, until) {
                About::Due
            } else {
                continue;
            };
            let mut people = crate::judgement::rules::items::owners(item, settings);
            if people.is_empty() {
                people = owners(settings, t.packet, kind);
            }
            let what = format!("{} `{}`", item.noun, item.what);
            let mut r = Reminder::new(about, i, t.packet, what, item.due);
            r.day = t.day_of(item.due);
            r.today = item.due == today;
            r.people = people;
            r.item = Some(item.path.clone());
            out.push(r);
        }
    }
}

/// KPIs under their target longer than the kind's paging policy allows, since the breach began.
fn breaches(settings: &Settings, packets: &[Tracked], today: NaiveDate, out: &mut Vec<Reminder>) {
    for (i, t) in packets.iter().enumerate() {
        let (Some(kind), Some(k)) = (t.kind, t.kpi) else {
            continue;
        };
        let Some((first, days)) = k.health.breach else {
            continue;
        };
        if t.retired() {
            continue;
        }
        let (last_day, last) = k.health.last.unwrap_or((first, 0.0));
        let what = format!(
            "KPI under {} for {days} days since {first} (last: {} on {last_day})",
            k.target,
            k.target.show(last)
        );
        let mut r = Reminder::new(About::KpiBreach, i, t.packet, what, first);
        r.day = t.day_of(today);
        r.people = owners(settings, t.packet, kind);
        out.push(r);
    }
}

/// Waivers that end in the window, pinging who granted each first.
fn waivers_ending(
    settings: &Settings,
    packets: &[Tracked],
    today: NaiveDate,
    until: NaiveDate,
    out: &mut Vec<Reminder>,
) {
    for (i, t) in packets.iter().enumerate() {
        let Some(kind) = t.kind else { continue };
        for w in crate::facts::waiver::expiring(t.packet, today, (until - today).num_days()) {
            let mut people = owners(settings, t.packet, kind);
            if !w.by.is_empty() {
                people.insert(0, w.by.clone());
            }
            let ends = w.until_date();
            let what = format!("waiver of `{}` ends ({})", w.target, w.reason);
            let mut r = Reminder::new(
                About::WaiverExpiring,
                i,
                t.packet,
                what,
                ends.unwrap_or(today),
            );
            r.day = ends.map(|u| t.day_of(u)).unwrap_or_default();
            r.today = ends == Some(today);
            r.people = distinct(people);
            out.push(r);
        }
    }
}

/// The people a packet's kind names as its owners (`owners:` paths), roles resolved.
fn owners(settings: &Settings, packet: &Packet, kind: &Kind) -> Vec<String> {
    kind.spec
        .owners
        .iter()
        .flat_map(|path| settings.people_at(packet, path))
        .collect()
}

/// The holders of the packet's roles that have not signed yet.
fn unsigned_holders(settings: &Settings, packet: &Packet, kind: &Kind) -> Vec<String> {
    let (signed, _) = crate::facts::signoff::read(packet);
    kind.spec
        .roles_for(packet.front.as_ref())
        .filter(|role| !signed.iter().any(|s| s.role == role.name))
        .flat_map(|role| settings.resolve(&role.name).into_iter().map(str::to_string))
        .collect()
}

/// `people` with each named once, first mention kept.
fn distinct(mut people: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    people.retain(|p| seen.insert(p.clone()));
    people
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::workspace::Workspace;

    const KIND: &str = "name: duo
summary: Two teams, two sign-offs
version: 1
owners: [owner]
fields:
  - key: owner
    type: person
    prompt: Who owns it?
roles:
  - name: sender
    description: The sending team
  - name: receiver
    description: The receiving team
timeline:
  - day: 0
    title: Handed over
    evidence:
      status: handed-off
  - day: 2
    title: Both sides sign off
    evidence:
      signed: true
waivers:
  max_days: 30
";

    const ANN: &str = "Ann Lee <ann@x.test>";
    const BO: &str = "Bo Chen <bo@x.test>";
    const OMAR: &str = "Omar Haddad <omar@x.test>";

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    /// A repository holding one packet of the `duo` kind with `status` and a waiver of its owner
    /// question granted by Bo until 2027-03-12; the receiver role is bound to Omar.
    fn repo(status: &str) -> (tempfile::TempDir, Workspace, Packet) {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
            std::fs::write(path, text).expect("a file");
        };
        write(
            "handoff.toml",
            &format!("packets = \"handoffs\"\n\n[people]\nreceiver = \"{OMAR}\"\n"),
        );
        write(".handoff/kinds/duo/kind.yaml", KIND);
        write(
            "handoffs/one/handoff.md",
            &format!(
                "---\nid: one\ntitle: One\nkind: duo\nfrom: a\nto: b\nday0: 2027-03-10\nstatus: {status}\nowner: {ANN}\nwaivers:\n  - target: owner\n    reason: Not yet hired\n    until: 2027-03-12\n    by: {BO}\n    at: 2027-03-01\n---\n# One\n"
            ),
        );
        let ws = Workspace::open(root).expect("the workspace opens");
        let dir = root.join("handoffs/one");
        let packet = Packet::load(&dir, &dir);
        (tmp, ws, packet)
    }

    fn remind(
        ws: &Workspace,
        packet: &Packet,
        today: NaiveDate,
        until: NaiveDate,
    ) -> Vec<Reminder> {
        let kind = ws.kind_of(packet);
        let placed = kind.map_or_else(Vec::new, |k| {
            crate::facts::timeline::place(packet, &k.spec, &ws.config.settings, today)
        });
        let tracked = Tracked {
            packet,
            kind,
            placed: &placed,
            kpi: None,
            open: None,
        };
        due(&ws.config.settings, &[tracked], today, until)
    }

    #[test]
    fn what_falls_due_names_whom_to_ping() {
        let (_tmp, ws, packet) = repo("ready");
        let got = remind(&ws, &packet, day("2027-03-11"), day("2027-03-13"));
        let seen: Vec<(About, &str, &[String])> = got
            .iter()
            .map(|r| (r.about, r.milestone.as_str(), r.people.as_slice()))
            .collect();
        assert_eq!(
            seen,
            vec![
                // Day 0 passed without the handoff: the owner is pinged.
                (About::Overdue, "Handed over", &[ANN.to_string()][..]),
                // The sign-off milestone pings the owner and the holders of the unsigned roles
                // (a role bound to nobody is named as it is).
                (
                    About::Due,
                    "Both sides sign off",
                    &[ANN.to_string(), "sender".to_string(), OMAR.to_string()][..]
                ),
                // A waiver ending pings who granted it first.
                (
                    About::WaiverExpiring,
                    "waiver of `owner` ends (Not yet hired)",
                    &[BO.to_string(), ANN.to_string()][..]
                ),
            ]
        );
        assert!(got.iter().all(|r| r.packet == "one" && r.of == 0));
        assert_eq!(
            (got[1].date, got[1].day.as_str()),
            (day("2027-03-12"), "+2")
        );
        assert!(!got[1].today);
        let mut order = got.clone();
        order.sort_by(|a, b| a.urgency().cmp(&b.urgency()));
        assert_eq!(order, got);
    }

    #[test]
    fn nothing_outside_the_window_and_nothing_of_a_retired_packet_falls_due() {
        let (_tmp, ws, packet) = repo("handed-off");
        // Before the window reaches any date: nothing.
        assert!(remind(&ws, &packet, day("2027-03-01"), day("2027-03-02")).is_empty());
        // On the day itself, `today` says so.
        let got = remind(&ws, &packet, day("2027-03-12"), day("2027-03-12"));
        assert!(got.iter().all(|r| r.today), "{got:?}");
        assert!(got.iter().any(|r| r.about == About::Due));
        let (_tmp, ws, packet) = repo("retired");
        let got = remind(&ws, &packet, day("2027-03-11"), day("2027-03-13"));
        assert!(
            got.iter().all(|r| r.about == About::WaiverExpiring),
            "{got:?}"
        );
    }
}
