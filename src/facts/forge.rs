//! The forge's side of an approval, as GitHub documents it: the webhook event an Actions runner
//! writes to `$GITHUB_EVENT_PATH` (`pull_request_review`, `issue_comment`), the REST lists of a
//! pull request's reviews and comments as `gh api --paginate` writes them (the evidence `check
//! --evidence` reads), and the `/handoff …` commands a review or comment carries.
//!
//! Webhooks spell a review's state in lower case (`approved`), REST in upper case (`APPROVED`);
//! both are read. Every input here comes from a pull request or a stranger's comment: sizes are
//! capped, and nothing read is ever run.

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The largest event payload or evidence file read (a pull request with thousands of comments
/// stays far below it).
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;
/// The most reviews and comments read from the evidence.
pub const MAX_ITEMS: usize = 100_000;
/// The most `/handoff` commands one comment may carry.
pub const MAX_COMMANDS: usize = 50;

/// A review's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    /// Approved.
    Approved,
    /// Changes requested.
    ChangesRequested,
    /// Anything else (commented, dismissed, pending).
    Other,
}

impl ReviewState {
    fn parse(s: &str) -> ReviewState {
        match s.to_ascii_lowercase().as_str() {
            "approved" => ReviewState::Approved,
            "changes_requested" => ReviewState::ChangesRequested,
            _ => ReviewState::Other,
        }
    }
}

/// What a forge event asks for.
#[derive(Debug, Clone)]
pub enum Event {
    /// A pull request review was submitted.
    Review {
        /// `approved`, `changes_requested`, …, as written.
        state_text: String,
        /// The state.
        state: ReviewState,
        /// The review's author.
        login: String,
        /// Its text (empty when none).
        body: String,
        /// Its page.
        url: String,
        /// When it was submitted, RFC 3339.
        at: String,
        /// The commit it reviewed.
        commit_id: String,
        /// The pull request's base commit.
        base_sha: Option<String>,
        /// The pull request's number.
        number: u64,
    },
    /// A comment was made on an issue or a pull request.
    Comment {
        /// The comment's author.
        login: String,
        /// Its text.
        body: String,
        /// Its page.
        url: String,
        /// When it was made, RFC 3339.
        at: String,
        /// Whether the issue is a pull request.
        on_pull_request: bool,
        /// The issue's or pull request's number.
        number: u64,
    },
}

/// Why an event or evidence file cannot be read: what is wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file read whole, within [`MAX_BYTES`].
fn read_capped(path: &Path) -> Result<String, ReadError> {
    let shown = crate::support::paths::shown(path);
    let meta =
        std::fs::metadata(path).map_err(|e| ReadError(format!("{shown}: cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(ReadError(format!("{shown}: not a regular file")));
    }
    if meta.len() > MAX_BYTES {
        return Err(ReadError(format!(
            "{shown}: {} bytes, over the {MAX_BYTES} this reads",
            meta.len()
        )));
    }
    std::fs::read_to_string(path).map_err(|e| ReadError(format!("{shown}: cannot read it: {e}")))
}

/// The JSON parser's complaint, located: `FILE:LINE:COLUMN: …`.
fn located(shown: &str, e: &serde_json::Error) -> ReadError {
    ReadError(format!(
        "{shown}:{}:{}: not valid JSON: {e}",
        e.line(),
        e.column()
    ))
}

fn text<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    path.split('.').try_fold(v, |v, k| v.get(k))?.as_str()
}

/// Read a webhook event payload. `name` is the event's name when known (`$GITHUB_EVENT_NAME`);
/// otherwise the payload's shape tells.
pub fn read_event(path: &Path, name: Option<&str>) -> Result<Event, ReadError> {
    let shown = crate::support::paths::shown(path);
    let raw = read_capped(path)?;
    let v: Value = serde_json::from_str(&raw).map_err(|e| located(&shown, &e))?;
    let missing = |what: &str| {
        ReadError(format!(
            "{shown}: the payload has no `{what}`; apply reads the pull_request_review and issue_comment events as GitHub writes them"
        ))
    };
    let name = match name.filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None if v.get("review").is_some() => "pull_request_review".into(),
        None if v.get("comment").is_some() && v.get("issue").is_some() => "issue_comment".into(),
        None => {
            return Err(ReadError(format!(
                "{shown}: a payload of neither a pull request review nor a comment (it has no `review`, and no `comment` on an `issue`)"
            )));
        }
    };
    let action = text(&v, "action").unwrap_or_default();
    match name.as_str() {
        "pull_request_review" => {
            if action != "submitted" {
                return Err(ReadError(format!(
                    "{shown}: a review that was `{}`, not submitted, records nothing",
                    crate::support::words::neutral(action)
                )));
            }
            let state_text = text(&v, "review.state").ok_or_else(|| missing("review.state"))?;
            Ok(Event::Review {
                state: ReviewState::parse(state_text),
                state_text: state_text.to_string(),
                login: text(&v, "review.user.login")
                    .ok_or_else(|| missing("review.user.login"))?
                    .to_string(),
                body: text(&v, "review.body").unwrap_or_default().to_string(),
                url: text(&v, "review.html_url")
                    .ok_or_else(|| missing("review.html_url"))?
                    .to_string(),
                at: text(&v, "review.submitted_at")
                    .ok_or_else(|| missing("review.submitted_at"))?
                    .to_string(),
                commit_id: text(&v, "review.commit_id")
                    .ok_or_else(|| missing("review.commit_id"))?
                    .to_string(),
                base_sha: text(&v, "pull_request.base.sha").map(str::to_string),
                number: v
                    .pointer("/pull_request/number")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| missing("pull_request.number"))?,
            })
        }
        "issue_comment" => {
            if action != "created" {
                return Err(ReadError(format!(
                    "{shown}: a comment that was `{}`, not created, records nothing; write a new comment",
                    crate::support::words::neutral(action)
                )));
            }
            Ok(Event::Comment {
                login: text(&v, "comment.user.login")
                    .ok_or_else(|| missing("comment.user.login"))?
                    .to_string(),
                body: text(&v, "comment.body").unwrap_or_default().to_string(),
                url: text(&v, "comment.html_url")
                    .ok_or_else(|| missing("comment.html_url"))?
                    .to_string(),
                at: text(&v, "comment.created_at")
                    .ok_or_else(|| missing("comment.created_at"))?
                    .to_string(),
                on_pull_request: v
                    .pointer("/issue/pull_request")
                    .is_some_and(Value::is_object),
                number: v
                    .pointer("/issue/number")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| missing("issue.number"))?,
            })
        }
        other => Err(ReadError(format!(
            "{shown}: a `{}` event records nothing; apply reads pull_request_review and issue_comment events",
            crate::support::words::neutral(other)
        ))),
    }
}

/// A `/handoff …` command of a review or comment body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/handoff sign ROLE [PACKET…]`.
    Sign {
        /// The role.
        role: String,
        /// The packets named (none: every packet the pull request changes).
        packets: Vec<String>,
    },
    /// `/handoff send-back PACKET REASON…`.
    SendBack {
        /// The packet.
        packet: String,
        /// Why.
        reason: String,
    },
    /// `/handoff waive PACKET TARGET --until DATE --reason REASON…`.
    Waive {
        /// The packet.
        packet: String,
        /// The answer path or criterion waived.
        target: String,
        /// The last day it holds.
        until: String,
        /// Why.
        reason: String,
    },
}

/// The commands `/handoff` knows.
pub const COMMANDS: [&str; 3] = ["sign", "send-back", "waive"];

/// What each command looks like, for messages.
pub const USAGE: &str = "/handoff sign ROLE [PACKET…], /handoff send-back PACKET REASON…, /handoff waive PACKET TARGET --until YYYY-MM-DD --reason REASON…";

/// The `/handoff` commands of a body, one a line, with their line numbers (1-based). Lines in
/// fenced code blocks and quoted lines (`> …`) are not commands.
pub fn commands(body: &str) -> Result<Vec<(usize, Command)>, String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for (i, line) in body.lines().enumerate() {
        let line = line.trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        let Some(rest) = line.strip_prefix("/handoff") else {
            continue;
        };
        if fenced || !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            continue;
        }
        if out.len() >= MAX_COMMANDS {
            return Err(format!(
                "more than {MAX_COMMANDS} /handoff commands in one text"
            ));
        }
        let words = split_words(rest).map_err(|e| format!("line {}: {e}", i + 1))?;
        let command = parse_command(&words).map_err(|e| format!("line {}: {e}", i + 1))?;
        out.push((i + 1, command));
    }
    Ok(out)
}

fn parse_command(words: &[String]) -> Result<Command, String> {
    let Some((verb, args)) = words.split_first() else {
        return Err(format!(
            "`/handoff` alone says nothing; write one of {USAGE}"
        ));
    };
    match verb.as_str() {
        "sign" => {
            let Some((role, packets)) = args.split_first() else {
                return Err(
                    "`/handoff sign` needs the role you sign for: /handoff sign ROLE [PACKET…]"
                        .into(),
                );
            };
            Ok(Command::Sign {
                role: role.clone(),
                packets: packets.to_vec(),
            })
        }
        "send-back" => {
            let Some((packet, reason)) = args.split_first().filter(|(_, r)| !r.is_empty()) else {
                return Err("`/handoff send-back` needs the packet and what is missing: /handoff send-back PACKET REASON…".into());
            };
            Ok(Command::SendBack {
                packet: packet.clone(),
                reason: reason.join(" "),
            })
        }
        "waive" => {
            let usage = "/handoff waive PACKET TARGET --until YYYY-MM-DD --reason REASON…";
            let (Some(packet), rest) = (args.first(), args.get(1..).unwrap_or_default()) else {
                return Err(format!("`/handoff waive` needs a packet: {usage}"));
            };
            let until_at = rest.iter().position(|w| w == "--until");
            let reason_at = rest.iter().position(|w| w == "--reason");
            let (Some(u), Some(r)) = (until_at, reason_at) else {
                return Err(format!(
                    "`/handoff waive` needs --until and --reason: {usage}"
                ));
            };
            let target_end = u.min(r);
            let target = rest[..target_end].join(" ");
            let until = rest.get(u + 1).filter(|w| !w.starts_with("--"));
            let reason_end = if u > r { u } else { rest.len() };
            let reason = rest.get(r + 1..reason_end).unwrap_or_default().join(" ");
            match (target.trim().is_empty(), until, reason.trim().is_empty()) {
                (false, Some(until), false) if u + 2 == r || u > r => Ok(Command::Waive {
                    packet: packet.clone(),
                    target,
                    until: until.clone(),
                    reason,
                }),
                _ => Err(format!(
                    "`/handoff waive` needs a target, a date after --until and a reason after --reason: {usage}"
                )),
            }
        }
        other => {
            let hint = crate::support::suggest::did_you_mean(other, COMMANDS)
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            Err(format!(
                "`/handoff {}` is not a command; {hint}the commands are: {USAGE}",
                crate::support::words::neutral(other)
            ))
        }
    }
}

/// Words as a shell splits them: on spaces, with `"…"` and `'…'` keeping spaces inside.
fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed".into());
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// One review or comment of the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its author.
    pub login: String,
    /// Its text.
    pub body: String,
    /// What it is.
    pub what: ItemKind,
}

/// A review or a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// A review: its state and the commit it reviewed.
    Review {
        /// The state.
        state: ReviewState,
        /// The commit reviewed.
        commit_id: String,
    },
    /// A comment.
    Comment,
}

/// The forge's record of a pull request: its reviews and comments by page address.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    items: HashMap<String, Item>,
}

impl Evidence {
    /// Read the files, each a REST list of reviews or of issue comments as `gh api --paginate`
    /// writes it (one JSON array a page, one after another).
    pub fn read(paths: &[std::path::PathBuf]) -> Result<Evidence, ReadError> {
        let mut evidence = Evidence::default();
        for path in paths {
            let shown = crate::support::paths::shown(path);
            let raw = read_capped(path)?;
            for (page, value) in serde_json::Deserializer::from_str(&raw)
                .into_iter::<Value>()
                .enumerate()
            {
                let value = value.map_err(|e| located(&shown, &e))?;
                let list = match value {
                    Value::Array(list) => list,
                    _ => {
                        return Err(ReadError(format!(
                            "{shown}: page {} is not a list; pass what `gh api --paginate repos/OWNER/REPO/pulls/N/reviews` (or `…/issues/N/comments`) writes",
                            page + 1
                        )));
                    }
                };
                for (i, v) in list.into_iter().enumerate() {
                    if evidence.items.len() >= MAX_ITEMS {
                        return Err(ReadError(format!(
                            "{shown}: more than {MAX_ITEMS} reviews and comments"
                        )));
                    }
                    let (url, item) = item_of(&v).ok_or_else(|| {
                        ReadError(format!(
                            "{shown}: item {} of page {} is neither a review (html_url, user.login, state, commit_id) nor a comment (html_url, user.login, body, issue_url)",
                            i + 1,
                            page + 1
                        ))
                    })?;
                    evidence.items.insert(url, item);
                }
            }
        }
        Ok(evidence)
    }

    /// The review or comment at a page address.
    pub fn get(&self, url: &str) -> Option<&Item> {
        self.items.get(url)
    }

    /// How many reviews and comments it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn item_of(v: &Value) -> Option<(String, Item)> {
    let url = text(v, "html_url")?.to_string();
    let login = text(v, "user.login")?.to_string();
    let body = text(v, "body").unwrap_or_default().to_string();
    let what = if v.get("issue_url").is_some() {
        ItemKind::Comment
    } else {
        ItemKind::Review {
            state: ReviewState::parse(text(v, "state")?),
            commit_id: text(v, "commit_id")?.to_string(),
        }
    };
    Some((url, Item { login, body, what }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_one_a_line_outside_code_and_quotes() {
        let body = "Looks good.\n/handoff sign ops-lead winback-email\n> /handoff sign pm\n```\n/handoff waive x y --until 2027-01-01 --reason z\n```\n  /handoff send-back winback-email The runbook has no stop checklist\n";
        let got = commands(body).unwrap();
        assert_eq!(
            got,
            vec![
                (
                    2,
                    Command::Sign {
                        role: "ops-lead".into(),
                        packets: vec!["winback-email".into()]
                    }
                ),
                (
                    7,
                    Command::SendBack {
                        packet: "winback-email".into(),
                        reason: "The runbook has no stop checklist".into()
                    }
                )
            ]
        );
        assert!(commands("/handoffsign pm").unwrap().is_empty());
    }

    #[test]
    fn waive_takes_a_quoted_target_a_date_and_a_reason() {
        let got = commands("/handoff waive p \"Alerts fire in both channels\" --until 2027-01-15 --reason The channel moves").unwrap();
        assert_eq!(
            got[0].1,
            Command::Waive {
                packet: "p".into(),
                target: "Alerts fire in both channels".into(),
                until: "2027-01-15".into(),
                reason: "The channel moves".into()
            }
        );
        let swapped =
            commands("/handoff waive p metric.source --reason Not yet --until 2027-01-15").unwrap();
        assert!(
            matches!(&swapped[0].1, Command::Waive { reason, until, .. } if reason == "Not yet" && until == "2027-01-15")
        );
        assert!(commands("/handoff waive p x --until --reason r").is_err());
        assert!(commands("/handoff waive p --until 2027-01-01 --reason r").is_err());
    }

    #[test]
    fn an_unknown_command_suggests_the_closest() {
        let err = commands("/handoff sing pm").unwrap_err();
        assert!(err.contains("did you mean `sign`"), "{err}");
        assert!(err.starts_with("line 1"), "{err}");
        assert!(commands("/handoff send-back p").is_err());
        assert!(commands("/handoff sign").is_err());
        assert!(commands("/handoff sign \"pm").is_err());
    }

    #[test]
    fn evidence_reads_paginated_rest_lists_of_reviews_and_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.json");
        std::fs::write(
            &path,
            r#"[{"id":1,"user":{"login":"jblake"},"body":"","state":"APPROVED","html_url":"https://github.com/o/r/pull/3#pullrequestreview-1","pull_request_url":"https://api.github.com/repos/o/r/pulls/3","commit_id":"abc"}]
[{"id":2,"user":{"login":"imoreau"},"body":"/handoff sign revops-director","html_url":"https://github.com/o/r/pull/3#issuecomment-2","issue_url":"https://api.github.com/repos/o/r/issues/3","created_at":"2026-12-07T10:00:00Z"}]"#,
        )
        .unwrap();
        let e = Evidence::read(std::slice::from_ref(&path)).unwrap();
        assert_eq!(e.len(), 2);
        let review = e
            .get("https://github.com/o/r/pull/3#pullrequestreview-1")
            .unwrap();
        assert_eq!(
            review.what,
            ItemKind::Review {
                state: ReviewState::Approved,
                commit_id: "abc".into()
            }
        );
        assert_eq!(
            e.get("https://github.com/o/r/pull/3#issuecomment-2")
                .unwrap()
                .what,
            ItemKind::Comment
        );
        std::fs::write(&path, "[{\"id\": 1,}]").unwrap();
        let err = Evidence::read(std::slice::from_ref(&path)).unwrap_err();
        assert!(err.0.contains("e.json:1:"), "{err}");
        std::fs::write(&path, "{\"message\": \"Not Found\"}").unwrap();
        assert!(
            Evidence::read(&[path])
                .unwrap_err()
                .0
                .contains("not a list")
        );
    }
}
