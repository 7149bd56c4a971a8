//! The reminders for people: plain text, a JSON document, and Slack Block Kit messages.

use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use crate::judgement::reminders::{About, Reminder};
use crate::support::words;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A reminder with the link to its packet, as every format shows it.
#[derive(Debug, Serialize)]
pub struct Linked {
    /// The reminder.
    #[serde(flatten)]
    pub reminder: Reminder,
    /// A link to the packet, when `[links]` in handoff.toml says how to build one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// The link to a packet `[links]` in handoff.toml builds, when it builds one.
pub fn link(ws: &Workspace, packet: &Packet) -> Option<String> {
    let links = &ws.config.settings.links;
    if links.packet.is_none() && links.site.is_none() {
        return None;
    }
    let dir = crate::support::paths::absolute(&packet.dir);
    let top = crate::facts::packet::tree::work_tree_of(&dir)
        .unwrap_or_else(|| crate::support::paths::absolute(&ws.config.root));
    let rel = dir
        .strip_prefix(&top)
        .map(|r| r.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let path = if rel.is_empty() {
        "handoff.md".to_string()
    } else {
        format!("{rel}/handoff.md")
    };
    // The id as this repository knows it (`repo/id` across repositories is for display).
    let id = packet
        .dir
        .file_name()
        .map_or_else(|| packet.id.clone(), |n| n.to_string_lossy().into_owned());
    links.to_packet(&id, &path, &crate::output::render::model::page_name(&id))
}

/// The JSON document: the window and the reminders.
pub fn json(reminders: &[Linked], today: NaiveDate, until: NaiveDate) -> String {
    let doc = serde_json::json!({ "today": today, "until": until, "reminders": reminders });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The reminders as plain text, under a heading for each kind of reminder.
pub fn text(reminders: &[Linked], today: NaiveDate, until: NaiveDate) -> String {
    let mut out = String::new();
    if reminders.is_empty() {
        let _ = writeln!(out, "Nothing falls due from {today} to {until}.");
        return out;
    }
    let mut heading = None;
    for Linked { reminder: r, link } in reminders {
        if heading != Some(r.about) {
            if heading.is_some() {
                out.push('\n');
            }
            let _ = match r.about {
                About::Overdue => writeln!(out, "Overdue:\n"),
                About::KpiBreach => writeln!(out, "KPI breaches:\n"),
                About::Due => writeln!(out, "Due from {today} to {until}:\n"),
                About::WaiverExpiring => writeln!(out, "Waivers ending by {until}:\n"),
            };
            heading = Some(r.about);
        }
        let when = if r.today {
            "today".to_string()
        } else {
            r.date.format("%a %Y-%m-%d").to_string()
        };
        let _ = writeln!(
            out,
            "{when:<15} {} (day {}): {}",
            r.packet, r.day, r.milestone
        );
        if !r.people.is_empty() {
            let _ = writeln!(out, "{:<15} ping: {}", "", r.people.join(", "));
        }
        if let Some(link) = link {
            let _ = writeln!(out, "{:<15} open: {link}", "");
        }
    }
    out
}

/// Slack's limits: blocks in one message, characters in one section's text.
pub const SLACK_MAX_BLOCKS: usize = 50;
/// See [`SLACK_MAX_BLOCKS`].
pub const SLACK_MAX_SECTION: usize = 3000;

/// Block Kit messages for the reminders: as many as Slack's limits need (at most 50 blocks each,
/// no section text over 3,000 characters), one JSON payload each. People with a Slack id in
/// `handoff.toml` (`ids`, by email) are mentioned, so Slack notifies them.
pub fn slack(
    reminders: &[Linked],
    today: NaiveDate,
    until: NaiveDate,
    ids: &BTreeMap<String, String>,
) -> Vec<serde_json::Value> {
    let sections: Vec<String> = reminders.iter().map(|r| section(r, ids)).collect();
    let header = format!("Handoff milestones due {today} to {until}");
    if sections.is_empty() {
        return vec![serde_json::json!({
            "text": "Nothing falls due.",
            "blocks": [
                { "type": "header", "text": { "type": "plain_text", "text": header } },
                { "type": "section", "text": { "type": "mrkdwn", "text": "Nothing falls due." } },
            ],
        })];
    }
    let per_message = SLACK_MAX_BLOCKS - 1;
    let parts = sections.len().div_ceil(per_message);
    let text = format!(
        "{} from {today} to {until}",
        words::plural(reminders.len(), "handoff reminder", "handoff reminders")
    );
    sections
        .chunks(per_message)
        .enumerate()
        .map(|(n, chunk)| {
            let title = if parts > 1 {
                format!("{header} ({} of {parts})", n + 1)
            } else {
                header.clone()
            };
            let mut blocks = vec![serde_json::json!({
                "type": "header",
                "text": { "type": "plain_text", "text": title },
            })];
            blocks.extend(chunk.iter().map(|text| {
                serde_json::json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })
            }));
            serde_json::json!({ "text": text, "blocks": blocks })
        })
        .collect()
}

/// Text as a Slack section holds it: Slack's own escapes, and every control character written
/// out.
fn escape(s: &str) -> String {
    words::neutral(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One reminder as a Slack section's text, at most [`SLACK_MAX_SECTION`] characters.
fn section(linked: &Linked, ids: &BTreeMap<String, String>) -> String {
    let r = &linked.reminder;
    let who = |person: &str| {
        crate::facts::person::email_of(person)
            .and_then(|e| ids.iter().find(|(k, _)| k.to_lowercase() == e))
            .map_or_else(|| escape(person), |(_, id)| format!("<@{id}>"))
    };
    let when = match (r.about, r.today) {
        (About::Overdue, _) => format!("*overdue* since {}", r.date.format("%a %b %-d")),
        (About::KpiBreach, _) => format!("*KPI breach* since {}", r.date.format("%a %b %-d")),
        (_, true) => "*today*".to_string(),
        _ => r.date.format("%a %b %-d").to_string(),
    };
    let ping = if r.people.is_empty() {
        String::new()
    } else {
        let people: Vec<String> = r.people.iter().map(|p| who(p)).collect();
        format!("\nPing: {}", people.join(", "))
    };
    let head = format!("{when} (day {}): {}", r.day, escape(&r.milestone));
    // The packet's title links to it when `[links]` says how; a link holds no `|` or `>` (its
    // path is percent-encoded), which would end it early.
    let link = linked
        .link
        .as_deref()
        .filter(|l| !l.contains(['|', '>', '<', ' ']))
        .unwrap_or("");
    // The title gives way first when a section would be too long for Slack.
    let room = SLACK_MAX_SECTION
        .saturating_sub(head.chars().count() + ping.chars().count() + link.chars().count() + 12);
    let title: String = escape(&r.title).chars().take(room).collect();
    let text = if link.is_empty() {
        format!("*{title}* — {head}{ping}")
    } else {
        format!("*<{link}|{title}>* — {head}{ping}")
    };
    text.chars().take(SLACK_MAX_SECTION).collect()
}
