//! `handoff remind`: what falls due in a window, across all packets, with whom to ping.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::workspace::Workspace;
use crate::output::portfolio::{self, people_at};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::fmt::Write as _;

/// Formats of `remind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RemindFormat {
    /// Plain text.
    Text,
    /// JSON.
    Json,
    /// A Slack Block Kit payload, ready for `curl -d @- $SLACK_WEBHOOK_URL`.
    Slack,
}

/// Flags of `handoff remind`.
#[derive(Debug, clap::Args)]
pub struct RemindArgs {
    /// As of DATE (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::args::parse_date, env = "HANDOFF_TODAY", value_name = "DATE")]
    pub today: Option<NaiveDate>,
    /// The window from today: `2d` (days) or `1w` (weeks); `0d` means today only.
    #[arg(long, default_value = "2d", value_parser = parse_window)]
    pub within: i64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RemindFormat::Text)]
    pub format: RemindFormat,
    /// Print nothing (and exit 0) when nothing is due, overdue or ending: for scheduled jobs.
    #[arg(long)]
    pub skip_empty: bool,
    /// Remind across these repositories (repeatable), each read with its own configuration;
    /// packets show as `repo/id`. A repository that cannot be read is named on stderr (exit 2).
    #[arg(long = "repo", value_name = "DIR")]
    pub repos: Vec<std::path::PathBuf>,
    /// Post the Slack message(s) to the incoming webhook whose URL is in the environment
    /// variable named by --webhook-env, instead of printing them (retried on 429 and 5xx).
    #[arg(long)]
    pub post: bool,
    /// The environment variable holding the webhook URL for --post (kept out of the repository
    /// and of every message).
    #[arg(
        long,
        default_value = "SLACK_WEBHOOK_URL",
        value_name = "VAR",
        requires = "post"
    )]
    pub webhook_env: String,
}

/// `2d` → 2, `1w` → 7.
pub fn parse_window(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a window; write a number of days or weeks, e.g. 2d or 1w");
    let (n, unit) = s.trim().split_at(s.trim().len().saturating_sub(1));
    let n: i64 = n.parse().map_err(|_| bad())?;
    match unit {
        "d" if (0..=366).contains(&n) => Ok(n),
        "w" if (0..=52).contains(&n) => Ok(n * 7),
        _ => Err(bad()),
    }
}

/// What a reminder is about.
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
#[derive(Debug, Serialize)]
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
    /// A link to the packet, when `[links]` in handoff.toml says how to build one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// Print what is due in the window.
pub fn run(env: &Env, args: &RemindArgs) -> Result<u8, Error> {
    let today = today(args.today);
    let until = today
        .checked_add_signed(Duration::days(args.within.clamp(0, 3660)))
        .unwrap_or(today);
    let (repos, notes, failed) = if args.repos.is_empty() {
        let ws = Workspace::open(&env.cwd)?;
        super::require_packets_folder(&ws)?;
        let (entries, note) = portfolio::load(&ws, &ws.all_packets()?, today);
        let repo = portfolio::Repo {
            name: String::new(),
            ws,
            entries,
        };
        (vec![repo], note.into_iter().collect::<Vec<_>>(), Vec::new())
    } else {
        let paths: Vec<std::path::PathBuf> = args.repos.iter().map(|r| env.cwd.join(r)).collect();
        portfolio::load_repos(&paths, today)
    };
    for note in notes.iter().filter(|_| !env.quiet) {
        eprintln!("note: {}", crate::support::words::inline(note));
    }
    for (repo, why) in &failed {
        eprintln!(
            "error: {}: {}",
            crate::support::words::inline(&repo.to_string()),
            crate::support::words::inline(why)
        );
    }
    let mut reminders = Vec::new();
    for repo in &repos {
        collect(&repo.ws, &repo.entries, today, until, &mut reminders);
    }
    // Slack mentions from every repository's `[slack]` table.
    let mut slack_ids = std::collections::BTreeMap::new();
    for repo in &repos {
        slack_ids.extend(repo.ws.config.settings.slack.clone());
    }
    // Posting needs its webhook before anything else is worked out.
    let webhook = if args.post {
        let var = &args.webhook_env;
        match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => Some(url),
            _ => {
                return Err(Error::usage(
                    format!("--post: the environment variable {var} is not set"),
                    format!(
                        "export {var}=https://hooks.slack.com/services/… (in CI, from a secret)"
                    ),
                ));
            }
        }
    } else {
        None
    };
    let status = if failed.is_empty() { 0 } else { 2 };
    // Overdue first, then what falls due, then waivers ending; each by date.
    reminders.sort_by(|a, b| (a.about, a.date, &a.packet).cmp(&(b.about, b.date, &b.packet)));
    if reminders.is_empty() && args.skip_empty {
        return Ok(status);
    }
    if let Some(url) = webhook {
        let what = format!("${}", args.webhook_env);
        let messages = slack(&reminders, today, until, &slack_ids);
        for (i, message) in messages.iter().enumerate() {
            let body = serde_json::to_string(message).unwrap_or_default();
            if let Err(e) =
                crate::output::webhook::post(&url, &what, &body, std::time::Duration::from_secs(30))
            {
                eprintln!(
                    "error: posting message {} of {}: {}",
                    i + 1,
                    messages.len(),
                    e.message
                );
                eprintln!("  help: {}", e.help);
                return Ok(2);
            }
        }
        if !env.quiet {
            eprintln!(
                "posted {} to {what}",
                crate::support::words::plural(messages.len(), "message", "messages")
            );
        }
        return Ok(status);
    }
    print_reminders(args, &reminders, today, until, &slack_ids)?;
    Ok(status)
}

/// The reminders of one repository's packets.
fn collect(
    ws: &Workspace,
    entries: &[portfolio::Entry],
    today: NaiveDate,
    until: NaiveDate,
    reminders: &mut Vec<Reminder>,
) {
    for e in entries {
        let Some(kind) = e.kind(ws) else { continue };
        if matches!(e.packet.status(), Some(crate::facts::gate::Status::Retired)) {
            continue;
        }
        for (m, spec) in e.placed.iter().zip(&kind.spec.timeline) {
            let about = if m.state == crate::facts::timeline::State::Overdue {
                About::Overdue
            } else if m.state.is_done() || m.date < today || m.date > until {
                continue;
            } else {
                About::Due
            };
            let mut people = owners(e, kind, ws);
            if spec.evidence.as_ref().is_some_and(|ev| ev.signed) {
                let (signed, _) = crate::facts::signoff::read(&e.packet);
                for role in kind.spec.roles_for(e.packet.front.as_ref()) {
                    if !signed.iter().any(|s| s.role == role.name) {
                        people.extend(
                            ws.config
                                .settings
                                .resolve(&role.name)
                                .into_iter()
                                .map(str::to_string),
                        );
                    }
                }
            }
            let mut seen = std::collections::HashSet::new();
            people.retain(|p| seen.insert(p.clone()));
            reminders.push(Reminder {
                about,
                packet: e.packet.id.clone(),
                title: e.packet.title().to_string(),
                milestone: m.title.clone(),
                day: m.offset.clone(),
                date: m.date,
                today: m.date == today,
                people,
                item: None,
                link: link(ws, e),
            });
        }
    }
    // Dated items (backlog tasks, enablement assets, open questions): overdue ones, and those
    // that fall due in the window, each with its owner; the same items `check` reports.
    for e in entries {
        let Some(kind) = e.kind(ws) else { continue };
        let Some(open) = &e.open else { continue };
        for item in &open.items {
            let about = if item.overdue(today) {
                About::Overdue
            } else if item.due_within(today, until) {
                About::Due
            } else {
                continue;
            };
            let mut people = crate::judgement::rules::items::owners(item, &ws.config.settings);
            if people.is_empty() {
                people = owners(e, kind, ws);
            }
            reminders.push(Reminder {
                about,
                packet: e.packet.id.clone(),
                title: e.packet.title().to_string(),
                milestone: format!("{} `{}`", item.noun, item.what),
                day: e
                    .packet
                    .day0()
                    .map(|d0| crate::support::words::offset((item.due - d0).num_days()))
                    .unwrap_or_default(),
                date: item.due,
                today: item.due == today,
                people,
                item: Some(item.path.clone()),
                link: link(ws, e),
            });
        }
    }
    for e in entries {
        let Some(kind) = e.kind(ws) else { continue };
        let Some(k) = &e.kpi else { continue };
        let Some((first, days)) = k.health.breach else {
            continue;
        };
        if matches!(e.packet.status(), Some(crate::facts::gate::Status::Retired)) {
            continue;
        }
        let (last_day, last) = k.health.last.unwrap_or((first, 0.0));
        reminders.push(Reminder {
            about: About::KpiBreach,
            packet: e.packet.id.clone(),
            title: e.packet.title().to_string(),
            milestone: format!(
                "KPI under {} for {days} days since {first} (last: {} on {last_day})",
                k.target,
                k.target.show(last)
            ),
            day: e
                .packet
                .day0()
                .map(|d0| crate::support::words::offset((today - d0).num_days()))
                .unwrap_or_default(),
            date: first,
            today: false,
            people: owners(e, kind, ws),
            item: None,
            link: link(ws, e),
        });
    }
    for e in entries {
        let Some(kind) = e.kind(ws) else { continue };
        for w in crate::facts::waiver::expiring(&e.packet, today, (until - today).num_days()) {
            let mut people = owners(e, kind, ws);
            if !w.by.is_empty() {
                people.insert(0, w.by.clone());
            }
            let mut seen = std::collections::HashSet::new();
            people.retain(|p| seen.insert(p.clone()));
            reminders.push(Reminder {
                about: About::WaiverExpiring,
                packet: e.packet.id.clone(),
                title: e.packet.title().to_string(),
                milestone: format!("waiver of `{}` ends ({})", w.target, w.reason),
                day: e
                    .packet
                    .day0()
                    .zip(w.until_date())
                    .map(|(d0, u)| crate::support::words::offset((u - d0).num_days()))
                    .unwrap_or_default(),
                date: w.until_date().unwrap_or(today),
                today: w.until_date() == Some(today),
                people,
                item: None,
                link: link(ws, e),
            });
        }
    }
}

fn print_reminders(
    args: &RemindArgs,
    reminders: &[Reminder],
    today: NaiveDate,
    until: NaiveDate,
    slack_ids: &std::collections::BTreeMap<String, String>,
) -> Result<(), Error> {
    match args.format {
        RemindFormat::Json => {
            let doc = serde_json::json!({ "today": today, "until": until, "reminders": reminders });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        RemindFormat::Slack => {
            for message in slack(reminders, today, until, slack_ids) {
                println!("{}", serde_json::to_string(&message).unwrap_or_default());
            }
        }
        RemindFormat::Text => print!(
            "{}",
            crate::support::words::neutral(&text(reminders, today, until))
        ),
    }
    Ok(())
}

/// The link to a packet `[links]` in handoff.toml builds, when it builds one.
fn link(ws: &Workspace, e: &portfolio::Entry) -> Option<String> {
    let links = &ws.config.settings.links;
    if links.packet.is_none() && links.site.is_none() {
        return None;
    }
    let dir = crate::support::paths::absolute(&e.packet.dir);
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
    let id = e
        .packet
        .dir
        .file_name()
        .map_or_else(|| e.packet.id.clone(), |n| n.to_string_lossy().into_owned());
    links.to_packet(&id, &path, &crate::output::render::model::page_name(&id))
}

/// The people a packet's kind names as its owners (`owners:` paths), roles resolved.
fn owners(e: &portfolio::Entry, kind: &crate::facts::kind::Kind, ws: &Workspace) -> Vec<String> {
    kind.spec
        .owners
        .iter()
        .flat_map(|path| people_at(&e.packet, path, ws))
        .collect()
}

fn text(reminders: &[Reminder], today: NaiveDate, until: NaiveDate) -> String {
    let mut out = String::new();
    if reminders.is_empty() {
        let _ = writeln!(out, "Nothing falls due from {today} to {until}.");
        return out;
    }
    let mut heading = None;
    for r in reminders {
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
        if let Some(link) = &r.link {
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
/// `handoff.toml` are mentioned, so Slack notifies them.
fn slack(
    reminders: &[Reminder],
    today: NaiveDate,
    until: NaiveDate,
    ids: &std::collections::BTreeMap<String, String>,
) -> Vec<serde_json::Value> {
    // Slack's own escapes, and every control character written out.
    let esc = |s: &str| {
        crate::support::words::neutral(s)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let who = |person: &str| {
        crate::facts::person::email_of(person)
            .and_then(|e| ids.iter().find(|(k, _)| k.to_lowercase() == e))
            .map_or_else(|| esc(person), |(_, id)| format!("<@{id}>"))
    };
    let sections: Vec<String> = reminders
        .iter()
        .map(|r| {
            let when = match (r.about, r.today) {
                (About::Overdue, _) => {
                    format!("*overdue* since {}", r.date.format("%a %b %-d"))
                }
                (About::KpiBreach, _) => {
                    format!("*KPI breach* since {}", r.date.format("%a %b %-d"))
                }
                (_, true) => "*today*".to_string(),
                _ => r.date.format("%a %b %-d").to_string(),
            };
            let ping = if r.people.is_empty() {
                String::new()
            } else {
                let people: Vec<String> = r.people.iter().map(|p| who(p)).collect();
                format!("\nPing: {}", people.join(", "))
            };
            let head = format!("{when} (day {}): {}", r.day, esc(&r.milestone));
            // The packet's title links to it when `[links]` says how; a link holds no `|` or
            // `>` (its path is percent-encoded), which would end it early.
            let link = r
                .link
                .as_deref()
                .filter(|l| !l.contains(['|', '>', '<', ' ']))
                .unwrap_or("");
            // The title gives way first when a section would be too long for Slack.
            let room = SLACK_MAX_SECTION.saturating_sub(
                head.chars().count() + ping.chars().count() + link.chars().count() + 12,
            );
            let title: String = esc(&r.title).chars().take(room).collect();
            let text = if link.is_empty() {
                format!("*{title}* — {head}{ping}")
            } else {
                format!("*<{link}|{title}>* — {head}{ping}")
            };
            text.chars().take(SLACK_MAX_SECTION).collect()
        })
        .collect();
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
            serde_json::json!({
                "text": format!(
                    "{} from {today} to {until}",
                    crate::support::words::plural(reminders.len(), "handoff reminder", "handoff reminders")
                ),
                "blocks": blocks,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows() {
        assert_eq!(super::parse_window("2d"), Ok(2));
        assert_eq!(super::parse_window("1w"), Ok(7));
        assert!(super::parse_window("2").is_err());
        assert!(super::parse_window("-1d").is_err());
        assert!(super::parse_window("").is_err());
    }
}
