//! `handoff apply`: carry out what an authenticated account asked for on a pull request. A review
//! that approves signs off the roles its author holds (at the base) in the packets the pull
//! request changes; one that requests changes sends them back; `/handoff sign|send-back|waive`
//! lines in a comment do what they say. Each record names the review or comment it came from
//! (`via`), the person bound to the account (never the login), and the forge's time.
//!
//! Everything is planned before anything is written: a request that cannot be carried out in
//! full is refused (exit 2) and every file is left as it was.

use super::Env;
use crate::facts::error::Error;
use crate::facts::forge::{self, Command, Event, ReviewState};
use crate::facts::gate::Status;
use crate::facts::packet::Packet;
use crate::facts::workspace::Workspace;
use crate::judgement::acts;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Flags of `handoff apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The event payload, as the Actions runner writes it to $GITHUB_EVENT_PATH (a
    /// `pull_request_review` or an `issue_comment` event).
    #[arg(value_name = "EVENT.json")]
    pub event: PathBuf,
    /// Decide who holds which role, and which packets the pull request changes, as at this git
    /// ref: the pull request's base. Default: the base commit a review's payload names.
    #[arg(long, value_name = "REF", env = "HANDOFF_BASE")]
    pub base: Option<String>,
    /// The event's name (default: $GITHUB_EVENT_NAME; else told from the payload's shape).
    #[arg(
        long,
        value_name = "NAME",
        env = "GITHUB_EVENT_NAME",
        hide_env_values = true
    )]
    pub event_name: Option<String>,
    /// Judge as of this day, YYYY-MM-DD (default: today).
    #[arg(long, value_parser = crate::commands::args::parse_date, value_name = "DATE", env = "HANDOFF_TODAY", hide_env_values = true)]
    pub today: Option<NaiveDate>,
    /// Say what would be recorded, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// A packet being changed: its `handoff.md`, locked, and its text so far.
struct Open {
    editing: super::Editing,
    packet: Packet,
    changed: bool,
}

/// What one account asked for, being planned: who acts, on what, and the records so far.
struct Act<'w> {
    ws: &'w Workspace,
    /// The base the roles are read at.
    rev: String,
    /// The person bound to the account.
    person: String,
    /// `@login (person)`, as refusals name them.
    who: String,
    /// The review or comment it came from.
    url: String,
    /// The forge's time of it.
    at: String,
    today: NaiveDate,
    /// The packets the pull request changes.
    changed: Vec<PathBuf>,
    /// The packets opened for an edit.
    open: BTreeMap<PathBuf, Open>,
    /// What will be recorded, in words.
    planned: Vec<String>,
    /// Kinds whose signed copies are kept with the sign-offs.
    kinds_to_keep: Vec<String>,
}

/// Apply; returns the exit status.
pub fn run(env: &Env, args: &ApplyArgs) -> Result<u8, Error> {
    let event = forge::read_event(&args.event, args.event_name.as_deref()).map_err(|e| {
        Error::usage(
            e.to_string(),
            "pass the file GitHub Actions names in $GITHUB_EVENT_PATH for a pull_request_review or issue_comment event",
        )
    })?;
    let mut ws = Workspace::open(&env.cwd)?;
    let (rev, person) = base_and_person(&mut ws, args, &event)?;
    let (login, url, at) = match &event {
        Event::Review { login, url, at, .. } | Event::Comment { login, url, at, .. } => {
            (login.clone(), url.clone(), stamp(at)?)
        }
    };
    let changed = changed_packets(&ws, &rev)?;
    let mut act = Act {
        ws: &ws,
        who: format!("@{login} ({person})"),
        rev,
        person,
        url,
        at,
        today: super::today(args.today),
        changed,
        open: BTreeMap::new(),
        planned: Vec::new(),
        kinds_to_keep: Vec::new(),
    };
    match &event {
        Event::Review {
            state,
            state_text,
            body,
            commit_id,
            ..
        } => act.review(*state, state_text, body, commit_id)?,
        Event::Comment {
            on_pull_request,
            body,
            ..
        } => act.comment(*on_pull_request, body)?,
    }
    act.write(env, args.dry_run)
}

/// The base the roles are read at (installed in `ws`), and the person the event's account is
/// bound to there.
fn base_and_person(
    ws: &mut Workspace,
    args: &ApplyArgs,
    event: &Event,
) -> Result<(String, String), Error> {
    let base_sha = match event {
        Event::Review { base_sha, .. } => base_sha.clone(),
        Event::Comment { .. } => None,
    };
    let Some(rev) = args
        .base
        .clone()
        .filter(|b| !b.trim().is_empty())
        .or(base_sha)
    else {
        return Err(Error::usage(
            "who holds which role is read from the pull request's base, and none was named",
            "pass --base <the pull request's base commit> (the workflow passes it)",
        ));
    };
    let base = crate::facts::trust::open(ws, rev.trim())?;
    crate::facts::prover::install(&mut ws.config.settings, None, false);
    let login = match event {
        Event::Review { login, .. } | Event::Comment { login, .. } => login,
    };
    let Some(person) = base.settings.person_of_login(login).cloned() else {
        let login = crate::support::words::neutral(login);
        return Err(Error::usage(
            format!(
                "the account @{login} is bound to nobody in handoff.toml [people] at {}, so it holds no role",
                base.rev
            ),
            format!(
                "to let it act for a person, write that person as a table with `github = \"{login}\"` in [people] (e.g. ops-lead = {{ name = \"Jordan Blake\", email = \"jordan@example.com\", github = \"{login}\" }}) and land it first"
            ),
        ));
    };
    Ok((base.rev.clone(), person.text))
}

impl Act<'_> {
    /// A review: approving signs off, requesting changes sends back; of the checked-out commit.
    fn review(
        &mut self,
        state: ReviewState,
        state_text: &str,
        body: &str,
        commit_id: &str,
    ) -> Result<(), Error> {
        if state == ReviewState::Other {
            return Err(Error::usage(
                format!(
                    "a review that is `{}` records nothing",
                    crate::support::words::neutral(state_text)
                ),
                "approve the pull request to sign off, or request changes to send it back",
            ));
        }
        let root = crate::support::paths::absolute(&self.ws.config.root);
        let head = crate::facts::git::commit_id(&root, "HEAD").unwrap_or_default();
        if !head.eq_ignore_ascii_case(commit_id) {
            return Err(Error::usage(
                format!(
                    "the review is of commit {}, and the checked-out commit is {}: the pull request changed since it was reviewed",
                    short(commit_id),
                    short(&head)
                ),
                "review the pull request again (its latest commit), then the approval is recorded",
            ));
        }
        if state == ReviewState::ChangesRequested {
            return self.review_sends_back(body.trim());
        }
        let mut asked: Vec<(String, Vec<String>)> = commands_of(body)?
            .into_iter()
            .filter_map(|c| match c {
                Command::Sign { role, packets } => Some((role, packets)),
                _ => None,
            })
            .collect();
        if asked.is_empty() {
            asked = self.roles_held()?;
        }
        for (role, packets) in asked {
            self.sign_all(&role, &packets)?;
        }
        Ok(())
    }

    /// A review requesting changes: every changed packet the reviewer receives goes back.
    fn review_sends_back(&mut self, reason: &str) -> Result<(), Error> {
        if reason.is_empty() {
            return Err(Error::usage(
                "a review requesting changes sends the packet back, and says why: this one says nothing",
                "request changes again, writing what is missing in the review",
            ));
        }
        let targets: Vec<PathBuf> = self
            .changed
            .iter()
            .filter(|d| receives(self.ws, d, &self.person))
            .cloned()
            .collect();
        if targets.is_empty() {
            return Err(Error::usage(
                format!(
                    "{} holds no role of the receiving team in the packets this pull request changes ({})",
                    self.who,
                    names(&self.changed)
                ),
                "a holder of the receiving role sends a packet back",
            ));
        }
        let (person, url, today) = (self.person.clone(), self.url.clone(), self.today);
        for dir in targets {
            let o = open_packet(&mut self.open, &dir)?;
            if o.packet.status().is_none_or(|s| s <= Status::Draft) {
                continue;
            }
            send_back(o, &person, reason, &url, today, &mut self.planned)?;
        }
        if self.planned.is_empty() {
            return Err(Error::usage(
                "every packet this review would send back is a draft already",
                "a draft has not been handed over yet; say what is missing in the review",
            ));
        }
        Ok(())
    }

    /// Every role the reviewer holds in each packet the pull request changes (one a packet).
    fn roles_held(&self) -> Result<Vec<(String, Vec<String>)>, Error> {
        let mut asked = Vec::new();
        for dir in &self.changed {
            let packet = Packet::load(dir, &crate::support::paths::shown_path(dir));
            let held = held_roles(self.ws, &packet, &self.person);
            let same_signer = self
                .ws
                .kind_of(&packet)
                .is_some_and(|k| k.spec.allow_same_signer);
            if held.len() > 1 && !same_signer {
                return Err(Error::usage(
                    format!(
                        "{} holds {} on {}, and one person signs one role of a packet",
                        self.who,
                        held.join(" and "),
                        packet.id
                    ),
                    format!(
                        "say which in the review: `/handoff sign ROLE {}`",
                        packet.id
                    ),
                ));
            }
            asked.extend(held.into_iter().map(|role| (role, vec![packet.id.clone()])));
        }
        if asked.is_empty() {
            return Err(Error::usage(
                format!(
                    "{} holds no sign-off role at {} in the packets this pull request changes ({})",
                    self.who,
                    self.rev,
                    names(&self.changed)
                ),
                "a holder of a role approves; to name roles and packets, write `/handoff sign ROLE [PACKET…]` in the review",
            ));
        }
        Ok(asked)
    }

    /// Sign `role` in the packets named (or every changed packet that asks for it).
    fn sign_all(&mut self, role: &str, packets: &[String]) -> Result<(), Error> {
        for dir in targets(self.ws, &self.changed, role, packets)? {
            let o = open_packet(&mut self.open, &dir)?;
            sign(
                self.ws,
                o,
                role,
                &self.person,
                &self.who,
                &self.url,
                &self.at,
                self.today,
                &mut self.planned,
            )?;
            self.kinds_to_keep
                .push(self.ws.kind_name_of(&o.packet).to_string());
        }
        Ok(())
    }

    /// A comment on the pull request: its `/handoff` lines, one a record.
    fn comment(&mut self, on_pull_request: bool, body: &str) -> Result<(), Error> {
        if !on_pull_request {
            return Err(Error::usage(
                "the comment is on an issue, not a pull request: it records nothing",
                "ask on the pull request that changes the packet",
            ));
        }
        let commands = commands_of(body)?;
        if commands.is_empty() {
            return Err(Error::usage(
                "the comment holds no /handoff command",
                format!("write one a line: {}", forge::USAGE),
            ));
        }
        let day = NaiveDate::parse_from_str(self.at.get(..10).unwrap_or_default(), "%Y-%m-%d")
            .unwrap_or(self.today);
        for command in commands {
            match command {
                Command::Sign { role, packets } => self.sign_all(&role, &packets)?,
                Command::SendBack { packet, reason } => self.send_back(&packet, &reason, day)?,
                Command::Waive {
                    packet,
                    target,
                    until,
                    reason,
                } => self.waive(&packet, target, &until, reason, day)?,
            }
        }
        Ok(())
    }

    fn send_back(&mut self, packet: &str, reason: &str, day: NaiveDate) -> Result<(), Error> {
        let dir = self.ws.packet(packet)?;
        if !receives(self.ws, &dir, &self.person) {
            return Err(Error::usage(
                format!(
                    "{} holds no role of the receiving team on {packet} at {}",
                    self.who, self.rev
                ),
                "a holder of the receiving role sends a packet back",
            ));
        }
        let o = open_packet(&mut self.open, &dir)?;
        send_back(o, &self.person, reason, &self.url, day, &mut self.planned)
    }

    fn waive(
        &mut self,
        packet: &str,
        target: String,
        until: &str,
        reason: String,
        day: NaiveDate,
    ) -> Result<(), Error> {
        let until = crate::facts::packet::parse_date(until).ok_or_else(|| {
            Error::usage(
                format!(
                    "`{}` after --until is not a date",
                    crate::support::words::neutral(until)
                ),
                "write it YYYY-MM-DD",
            )
        })?;
        let dir = self.ws.packet(packet)?;
        let o = open_packet(&mut self.open, &dir)?;
        let request = acts::WaiveRequest {
            target,
            reason,
            until,
            by: self.person.clone(),
            today: day,
            via: Some(self.url.clone()),
        };
        let plan = acts::plan_waiver(self.ws, &o.packet, &o.editing.shown, &request)?;
        self.planned.push(format!(
            "waiver of `{}` on {} until {until} by {}",
            plan.target, o.packet.id, self.person
        ));
        update(o, plan.text);
        Ok(())
    }

    /// Write what was planned (or say it, with `--dry-run`): the signed kinds' copies first, as
    /// a sign-off is judged by them once it lands.
    fn write(mut self, env: &Env, dry_run: bool) -> Result<u8, Error> {
        if dry_run {
            for p in &self.planned {
                println!("would record: {}", crate::support::words::neutral(p));
            }
            return Ok(0);
        }
        let root = crate::support::paths::absolute(&self.ws.config.root);
        self.kinds_to_keep.sort();
        self.kinds_to_keep.dedup();
        for name in &self.kinds_to_keep {
            if let Some(kind) = self.ws.kinds.get(name) {
                super::sign::keep_signed_kind(&root, &kind.spec)?;
            }
        }
        for o in std::mem::take(&mut self.open)
            .into_values()
            .filter(|o| o.changed)
        {
            let text = o
                .packet
                .file
                .as_ref()
                .map(|f| f.text.clone())
                .unwrap_or_default();
            crate::facts::atomic::write_atomic(&o.editing.path, &text)?;
        }
        if !env.quiet {
            for p in &self.planned {
                println!(
                    "Recorded the {} (via {}).",
                    crate::support::words::neutral(p),
                    self.url
                );
            }
        }
        Ok(0)
    }
}

fn stamp(at: &str) -> Result<String, Error> {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .map_err(|_| {
            Error::usage(
                format!(
                    "the event's time `{}` is not an RFC 3339 date-time",
                    crate::support::words::neutral(at)
                ),
                "pass the payload as GitHub wrote it",
            )
        })
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// The `/handoff` commands of a text, or a refusal naming the line.
fn commands_of(body: &str) -> Result<Vec<Command>, Error> {
    forge::commands(body)
        .map(|c| c.into_iter().map(|(_, c)| c).collect())
        .map_err(|e| {
            Error::usage(
                format!("the /handoff command cannot be carried out: {e}"),
                format!("write one command a line: {}", forge::USAGE),
            )
        })
}

/// The packets whose files the pull request changes (since the base).
fn changed_packets(ws: &Workspace, base: &str) -> Result<Vec<PathBuf>, Error> {
    let root = std::path::absolute(&ws.config.root).unwrap_or(ws.config.root.clone());
    let changes = crate::facts::history::changed::since(&root, base).map_err(|e| {
        Error::git(
            "cannot tell which packets the pull request changes",
            e,
            "check out the pull request with its history (fetch-depth: 0)",
        )
    })?;
    Ok(ws
        .all_packets()?
        .into_iter()
        .filter(|dir| {
            let abs = dir.canonicalize().unwrap_or(dir.clone());
            changes.files.iter().any(|f| f.starts_with(&abs))
        })
        .collect())
}

fn names(dirs: &[PathBuf]) -> String {
    if dirs.is_empty() {
        return "none".into();
    }
    dirs.iter()
        .filter_map(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The roles of its kind `person` holds on `packet`, as the base has them.
fn held_roles(ws: &Workspace, packet: &Packet, person: &str) -> Vec<String> {
    let Some(kind) = ws.kind_of(packet) else {
        return Vec::new();
    };
    kind.spec
        .roles_for(packet.front.as_ref())
        .filter(|r| matches!(acts::holders(ws, packet, r), crate::facts::config::Holders::Bound { ref people, .. } if people.iter().any(|p| crate::facts::person::same(p, person))))
        .map(|r| r.name.clone())
        .collect()
}

/// Whether `person` holds a role of the receiving team on the packet in `dir` (any role, when
/// its kind marks none as receiving).
fn receives(ws: &Workspace, dir: &Path, person: &str) -> bool {
    let packet = Packet::load(dir, &crate::support::paths::shown_path(dir));
    let Some(kind) = ws.kind_of(&packet) else {
        return false;
    };
    let held = held_roles(ws, &packet, person);
    let receiving: Vec<&str> = kind
        .spec
        .roles
        .iter()
        .filter(|r| r.receives)
        .map(|r| r.name.as_str())
        .collect();
    held.iter()
        .any(|r| receiving.is_empty() || receiving.contains(&r.as_str()))
}

/// The packets a sign command is for: those named, or every packet the pull request changes
/// whose kind has the role.
fn targets(
    ws: &Workspace,
    changed: &[PathBuf],
    role: &str,
    packets: &[String],
) -> Result<Vec<PathBuf>, Error> {
    if !packets.is_empty() {
        return packets.iter().map(|p| ws.packet(p)).collect();
    }
    let with_role: Vec<PathBuf> = changed
        .iter()
        .filter(|d| {
            let packet = Packet::load(d, &crate::support::paths::shown_path(d));
            ws.kind_of(&packet)
                .is_some_and(|k| k.spec.roles.iter().any(|r| r.name == role))
        })
        .cloned()
        .collect();
    if with_role.is_empty() {
        return Err(Error::usage(
            format!(
                "no packet this pull request changes has a `{}` role ({})",
                crate::support::words::neutral(role),
                names(changed)
            ),
            "name the packet: `/handoff sign ROLE PACKET`",
        ));
    }
    Ok(with_role)
}

/// The packet in `dir`, opened for an exact edit once.
fn open_packet<'a>(
    open: &'a mut BTreeMap<PathBuf, Open>,
    dir: &Path,
) -> Result<&'a mut Open, Error> {
    if !open.contains_key(dir) {
        let editing = super::edit_packet(dir, "changed")?;
        let text = editing
            .packet
            .file
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default();
        let packet = Packet::from_text(dir, &crate::support::paths::shown_path(dir), text);
        open.insert(
            dir.to_path_buf(),
            Open {
                editing,
                packet,
                changed: false,
            },
        );
    }
    open.get_mut(dir)
        .ok_or_else(|| Error::usage("the packet could not be opened", ""))
}

/// The packet's text after one more record.
fn update(o: &mut Open, text: String) {
    o.packet = Packet::from_text(
        &o.packet.dir,
        &crate::support::paths::shown_path(&o.packet.dir),
        text,
    );
    o.changed = true;
}

#[allow(clippy::too_many_arguments)] // the packet, the act and its provenance
fn sign(
    ws: &Workspace,
    o: &mut Open,
    role: &str,
    person: &str,
    who: &str,
    url: &str,
    at: &str,
    today: NaiveDate,
    planned: &mut Vec<String>,
) -> Result<(), Error> {
    let request = acts::SignRequest {
        role: role.to_string(),
        signer: person.to_string(),
        note: None,
        replace: false,
        force: false,
        via: Some(url.to_string()),
        at: at.to_string(),
        today,
    };
    let plan = acts::plan_signoff(ws, &o.packet, &o.editing.shown, &request)
        .map_err(|e| Error::usage(format!("{who}: {e}"), e.help()))?;
    planned.push(format!("sign-off of {} as {role} by {person}", o.packet.id));
    update(o, plan.text);
    Ok(())
}

fn send_back(
    o: &mut Open,
    person: &str,
    reason: &str,
    url: &str,
    today: NaiveDate,
    planned: &mut Vec<String>,
) -> Result<(), Error> {
    let request = acts::SendBackRequest {
        reason: reason.to_string(),
        to: Status::Draft,
        by: person.to_string(),
        today,
        via: Some(url.to_string()),
    };
    let plan = acts::plan_send_back(&o.packet, &o.editing.shown, &request)?;
    planned.push(format!(
        "send-back of {} by {person} (it was `{}`): {}",
        o.packet.id,
        plan.from,
        reason.lines().next().unwrap_or_default()
    ));
    update(o, plan.text);
    Ok(())
}
