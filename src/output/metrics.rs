//! What `handoff metrics pull` says: a line for each series pulled (its days, its standing and
//! what became of its file), why a series was not run or not replaced, and what to commit.
//! Everything read from the repository or a source is shown inline (no control characters).

use crate::facts::metrics::Series;
use crate::facts::metrics::source::SourceError;
use crate::judgement::pull::{Changed, Shrink, Standing};
use crate::judgement::rules::kpi;
use crate::support::words::{inline, plural};

/// What to do about a series that was not run before its change landed.
pub const SKIPPED_HELP: &str =
    "review the query with the change; the job on the base branch pulls it once it has landed";

/// A named packet whose series has no source: its file is kept by hand.
pub fn hand_kept(id: &str, file: &str) -> String {
    format!(
        "{}: the series names no `source:`; its file {} is kept by hand",
        inline(id),
        inline(file)
    )
}

/// Why a series changed since the base `base` is not run against `source`, and that its file
/// `file` is left as it is.
pub fn changed_since_base(
    id: &str,
    changed: &Changed,
    source: &str,
    file: &str,
    base: &str,
) -> String {
    let id = inline(id);
    let why = match changed {
        Changed::NoSeries => format!("{id}: the packet has no `series:` at {base}"),
        Changed::Differs(what) => {
            format!(
                "{id}: the series' {} differs from {base}",
                what.join(" and ")
            )
        }
    };
    format!(
        "{why}: it is not run against [sources.{}] before the change has landed; {} is left as it is",
        inline(source),
        inline(file)
    )
}

/// A series whose source the base `base` does not define is not pulled.
pub fn source_not_at_base(id: &str, source: &str, base: &str) -> String {
    format!(
        "{}: [sources.{}] is not defined at {base}: the series is not pulled before the change has landed",
        inline(id),
        inline(source)
    )
}

/// The note that the source `name` is read as the base `base` defines it.
pub fn source_differs(name: &str, base: &str) -> String {
    format!(
        "note: [sources.{}] differs from {base}: it is read as {base} defines it",
        inline(name)
    )
}

/// The warning for a series not run: `warning[rule]: file: message`.
pub fn skipped(rule: &str, file: &str, message: &str) -> String {
    format!("warning[{rule}]: {}: {message}", inline(file))
}

/// One series pulled: `id: 30 days (first to last) from source; standing; what became of it`.
pub fn pulled(id: &str, pulled: &Series, source: &str, standing: &Standing, what: &str) -> String {
    let span = match (pulled.points.first(), pulled.points.last()) {
        (Some(a), Some(b)) => format!("{} to {}", a.day, b.day),
        _ => "no rows".into(),
    };
    format!(
        "{}: {} ({span}) from {}; {}; {what}",
        inline(id),
        plural(pulled.points.len(), "day", "days"),
        inline(source),
        self::standing(standing)
    )
}

/// What became of the file `shown`: `unchanged`, `would change` (with --check) or `wrote`.
pub fn outcome(changed: bool, check: bool, shown: &str) -> String {
    match (changed, check) {
        (false, _) => "unchanged".to_string(),
        (true, true) => format!("{shown} would change"),
        (true, false) => format!("wrote {shown}"),
    }
}

/// `stable: 14 of the 14 days before day 0 meet >= 4%`, or what else the series says now.
pub fn standing(standing: &Standing) -> String {
    match standing {
        Standing::NotJudged => "not judged (no readable target or day 0)".into(),
        Standing::Breach {
            target,
            first,
            days,
        } => format!("breach: under {target} for {days} days since {first}"),
        Standing::Window { standing, progress } => match standing {
            kpi::Standing::Stable => format!("stable: {progress}"),
            kpi::Standing::Unstable { .. } => format!("unstable: {progress}"),
            kpi::Standing::Incomplete { gaps } => format!(
                "incomplete: {progress}, {} without a value",
                plural(*gaps, "day", "days")
            ),
            kpi::Standing::Building { .. } => progress.clone(),
        },
    }
}

/// A source that could not be read for packet `id`, and the file `shown` left as it was.
pub fn source_failed(id: &str, source: &str, e: &SourceError, shown: &str) -> String {
    format!(
        "error: {}: source {}: {}\n  help: {}\n{}",
        inline(id),
        inline(source),
        inline(&e.message),
        inline(&e.help),
        left_as_it_was(shown)
    )
}

/// A pull refused for packet `id` because it would lose what the file `shown` has.
pub fn shrink_refused(id: &str, shrink: &Shrink, shown: &str) -> String {
    let (message, help) = self::shrink(shrink);
    format!(
        "error: {}: {message}\n  help: {help}\n{}",
        inline(id),
        left_as_it_was(shown)
    )
}

fn left_as_it_was(shown: &str) -> String {
    format!("  {shown} was left as it was")
}

/// Why a pull may not replace the committed series, and what to do: the message and the help.
fn shrink(shrink: &Shrink) -> (String, &'static str) {
    match shrink {
        Shrink::Unreadable { message } => (
            format!(
                "the committed series cannot be read ({}); the pull would replace it",
                inline(message)
            ),
            "look at the file (git log -p on it); pass --allow-shrink to replace it with what the source returns",
        ),
        Shrink::Lost { returned, lost } => {
            let returned = match returned {
                0 => "the query returned no rows".to_string(),
                n => format!("the query returned {}", plural(*n, "day", "days")),
            };
            (
                format!(
                    "{returned}; replacing the committed series would lose {}: {}",
                    plural(lost.len(), "day", "days"),
                    crate::facts::metrics::series::day_runs(lost, 8)
                ),
                "check the query (a typo in a filter returns no rows) and the source; pass --allow-shrink to replace the series all the same",
            )
        }
        Shrink::BadRow { line, message } => (
            format!(
                "the committed series has rows the pull would drop (line {line}: {})",
                inline(message)
            ),
            "fix or remove the row (`handoff check` lists each); pass --allow-shrink to replace the series all the same",
        ),
    }
}

/// With --check, how many series files a pull would change, and what to do.
pub fn would_change(files: usize) -> String {
    format!(
        "{} would change: run `handoff metrics pull` and commit",
        plural(files, "series file", "series files")
    )
}

/// After a pull that wrote files: commit them.
pub fn commit(files: &[String]) -> String {
    format!(
        "commit {}: git is the record of what the gate saw, and CI then needs no database credentials",
        files.join(" ")
    )
}
