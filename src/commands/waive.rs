//! `handoff waive`: record that an answer or a criterion does not apply, why, and until when.

use super::Env;
use crate::facts::error::Error;
use crate::facts::kind::spec::same_criterion;
use crate::facts::workspace::Workspace;
use chrono::NaiveDate;

/// Flags of `handoff waive`.
#[derive(Debug, clap::Args)]
pub struct WaiveArgs {
    /// The packet id (or path).
    #[arg(add = crate::commands::complete::packets())]
    pub packet: String,
    /// What does not apply: an answer path (`metric.source`, `risks[1].monitor`) or an acceptance
    /// criterion's text.
    pub target: String,
    /// Why it does not apply (required; shown wherever the waiver is).
    #[arg(long)]
    pub reason: String,
    /// The last day the waiver holds, YYYY-MM-DD (required; at most the kind's limit ahead).
    #[arg(long, value_parser = crate::commands::args::parse_date, value_name = "DATE")]
    pub until: NaiveDate,
    /// Who grants it: `Name <email>` or a [people] name; must be you (default: git's identity).
    #[arg(long)]
    pub by: Option<String>,
    /// Grant it as of this day instead of today, YYYY-MM-DD.
    #[arg(long, value_parser = crate::commands::args::parse_date, value_name = "DATE", env = "HANDOFF_TODAY", hide_env_values = true)]
    pub today: Option<NaiveDate>,
}

/// Waive; returns the exit status.
pub fn run(env: &Env, args: &WaiveArgs) -> Result<u8, Error> {
    let ws = Workspace::open(&env.cwd)?;
    let dir = ws.packet(&args.packet)?;
    let reason = args.reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(
            "a waiver needs a reason",
            "say why it does not apply: --reason \"…\"",
        ));
    }
    let today = super::today(args.today);
    let by = super::acting_person(&env.cwd, args.by.as_deref(), &ws.config.settings)?;
    let super::Editing {
        lock,
        packet,
        path,
        shown,
    } = super::edit_packet(&dir, "waived")?;
    let kind_name = ws.kind_name_of(&packet).to_string();
    let spec = &ws.require_kind(&kind_name)?.spec;

    let target = args.target.trim();
    let criterion = spec
        .criteria_for(packet.front.as_ref())
        .iter()
        .map(|c| c.text().to_string())
        .chain(packet.body.tasks.iter().map(|t| t.text.clone()))
        .find(|c| same_criterion(c, target));
    let target = match (spec.field_at(target), criterion) {
        (Some(_), _) => target.to_string(),
        (None, Some(c)) => c,
        (None, None) => {
            let paths = spec.paths();
            let hint =
                crate::support::suggest::did_you_mean(target, paths.iter().map(String::as_str))
                    .map(|p| format!("did you mean `{p}`? "))
                    .unwrap_or_default();
            return Err(Error::usage(
                format!(
                    "`{target}` is neither a question nor an acceptance criterion of {}",
                    packet.id
                ),
                format!(
                    "{hint}name an answer path (e.g. `metric.source`, `risks[1].monitor`; `handoff kinds {kind_name}` lists them) or a criterion's text"
                ),
            ));
        }
    };
    if args.until < today {
        return Err(Error::usage(
            format!("--until {} is in the past", args.until),
            "a waiver holds until a day to come",
        ));
    }
    let days = (args.until - today).num_days();
    if days > spec.waivers.max_days {
        return Err(Error::usage(
            format!(
                "--until {} is {days} days away; the {kind_name} kind allows waivers of at most {} days",
                args.until, spec.waivers.max_days
            ),
            format!(
                "choose a date by {}",
                today + chrono::Duration::days(spec.waivers.max_days)
            ),
        ));
    }
    if !crate::judgement::rules::waiver::may_approve(&by, &packet, spec, &ws.config.settings) {
        return Err(Error::usage(
            format!(
                "{by} may not grant waivers on {kind_name} packets: only holders of {} may",
                spec.waivers.approvers.join(", ")
            ),
            "ask one of them to run `handoff waive`",
        ));
    }
    let (existing, _) = crate::facts::waiver::read(&packet);
    let replace = existing.iter().rposition(|w| w.covers(&target));
    let fields: Vec<(&str, String)> = vec![
        ("target", target.clone()),
        ("reason", reason.to_string()),
        ("until", args.until.to_string()),
        ("by", by.clone()),
        ("at", today.to_string()),
    ];
    let text = crate::facts::packet::edit::list_entry(&packet, "waivers", &fields, replace).map_err(
        |why| {
            Error::usage(
                format!("{shown}: cannot record the waiver without rewriting the file: {why}"),
                "write the front matter in block style, with `waivers:` as a `- target: …` list; the file was not changed",
            )
        },
    )?;
    crate::facts::atomic::write_atomic(&path, &text)?;
    drop(lock);
    if !env.quiet {
        let verb = if replace.is_some() {
            "Renewed"
        } else {
            "Waived"
        };
        println!(
            "{verb} `{target}` on {} until {} ({by}): {reason}",
            packet.id, args.until
        );
        println!(
            "Record it in git:\n  git add {shown} && git commit -m \"Waive {target} on {} until {}\"",
            packet.id, args.until
        );
    }
    Ok(0)
}
