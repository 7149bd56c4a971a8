//! `handoff remind`: what falls due in a window, across all packets, with whom to ping.

use super::{Env, today};
use crate::facts::error::Error;
use crate::facts::workspace::Workspace;
use crate::judgement::reminders::{self, Tracked};
use crate::output::portfolio;
use crate::output::remind::{self, Linked};
use crate::support::words;
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

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

/// Print what is due in the window, or post it to Slack.
pub fn run(env: &Env, args: &RemindArgs) -> Result<u8, Error> {
    let today = today(args.today);
    let until = today
        .checked_add_signed(Duration::days(args.within.clamp(0, 3660)))
        .unwrap_or(today);
    let (repos, failed) = load(env, args, today)?;
    let mut reminders: Vec<Linked> = repos
        .iter()
        .flat_map(|repo| due(repo, today, until))
        .collect();
    // Slack mentions from every repository's `[slack]` table.
    let mut slack_ids = BTreeMap::new();
    for repo in &repos {
        slack_ids.extend(repo.ws.config.settings.slack.clone());
    }
    // Posting needs its webhook before anything else is worked out.
    let webhook = match args.post {
        true => Some(webhook_url(&args.webhook_env)?),
        false => None,
    };
    let status = if failed { 2 } else { 0 };
    reminders.sort_by(|a, b| a.reminder.urgency().cmp(&b.reminder.urgency()));
    if reminders.is_empty() && args.skip_empty {
        return Ok(status);
    }
    let messages = || remind::slack(&reminders, today, until, &slack_ids);
    match (webhook, args.format) {
        (Some(url), _) => {
            return Ok(post(env, &url, &args.webhook_env, &messages()).unwrap_or(status));
        }
        (None, RemindFormat::Json) => println!("{}", remind::json(&reminders, today, until)),
        (None, RemindFormat::Slack) => {
            for message in messages() {
                println!("{}", serde_json::to_string(&message).unwrap_or_default());
            }
        }
        (None, RemindFormat::Text) => print!(
            "{}",
            words::neutral(&remind::text(&reminders, today, until))
        ),
    }
    Ok(status)
}

/// The repositories to remind across (this one, or those of `--repo`), each with its packets
/// judged today; their notes and the repositories that could not be read on stderr. Whether one
/// could not be read.
fn load(
    env: &Env,
    args: &RemindArgs,
    today: NaiveDate,
) -> Result<(Vec<portfolio::Repo>, bool), Error> {
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
        eprintln!("note: {}", words::inline(note));
    }
    for (repo, why) in &failed {
        eprintln!("error: {}: {}", words::inline(repo), words::inline(why));
    }
    Ok((repos, !failed.is_empty()))
}

/// What falls due in one repository, each with the link to its packet.
fn due(repo: &portfolio::Repo, today: NaiveDate, until: NaiveDate) -> Vec<Linked> {
    let tracked: Vec<Tracked> = repo
        .entries
        .iter()
        .map(|e| Tracked {
            packet: &e.packet,
            kind: e.kind(&repo.ws),
            placed: &e.placed,
            kpi: e.kpi.as_ref(),
            open: e.open.as_ref(),
        })
        .collect();
    reminders::due(&repo.ws.config.settings, &tracked, today, until)
        .into_iter()
        .map(|reminder| Linked {
            link: remind::link(&repo.ws, &repo.entries[reminder.of].packet),
            reminder,
        })
        .collect()
}

/// The webhook's URL, from the environment variable `var`.
fn webhook_url(var: &str) -> Result<String, Error> {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Ok(url),
        _ => Err(Error::usage(
            format!("--post: the environment variable {var} is not set"),
            format!("export {var}=https://hooks.slack.com/services/… (in CI, from a secret)"),
        )),
    }
}

/// Post the messages in order; on the first that fails, say which and why, and return 2.
fn post(env: &Env, url: &str, var: &str, messages: &[serde_json::Value]) -> Option<u8> {
    let what = format!("${var}");
    for (i, message) in messages.iter().enumerate() {
        let body = serde_json::to_string(message).unwrap_or_default();
        if let Err(e) =
            crate::output::webhook::post(url, &what, &body, std::time::Duration::from_secs(30))
        {
            eprintln!(
                "error: posting message {} of {}: {}",
                i + 1,
                messages.len(),
                e.message
            );
            eprintln!("  help: {}", e.help);
            return Some(2);
        }
    }
    if !env.quiet {
        eprintln!(
            "posted {} to {what}",
            words::plural(messages.len(), "message", "messages")
        );
    }
    None
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
