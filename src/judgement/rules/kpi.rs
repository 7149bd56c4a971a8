//! The KPI as evidence: a packet whose metric answer has a `series:` is judged on the committed
//! numbers (stability before day 0, breaches after it), not on a ticked box.

use super::{Ctx, Rule};
use crate::facts::gate::{Gate, Status};
use crate::facts::kind::spec::{KindSpec, KpiSpec};
use crate::facts::metrics::health::days_text;
use crate::facts::metrics::{self, Health, Series, Target, target};
use crate::facts::packet::source::SourceFile;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::{Diagnostic, Severity};
use std::sync::Arc;

/// `kpi-target-invalid`.
pub static KPI_TARGET_INVALID: Rule = Rule {
    id: RuleId::KpiTargetInvalid,
    summary: "A KPI with a series has a target the machine cannot read",
    explanation: "Once the metric answer has a `series:`, its `target` is what every day is judged against, so it must start with a comparison and a number: `>= 4%`, `< 300 ms`, `between 2 and 5 d`. Text after the number describes the target and is kept as written.\n\nExample: `target: \">= 4% of lapsed users reactivated\"`.",
};

/// `kpi-series-invalid`.
pub static KPI_SERIES_INVALID: Rule = Rule {
    id: RuleId::KpiSeriesInvalid,
    summary: "The KPI series file is missing or has a row that cannot be read",
    explanation: "A series file (`metrics/kpi.csv` unless `series.file` says otherwise) starts with the header `day,value` and holds one row a day: a `YYYY-MM-DD` date and a number, bare or with the target's unit. A bad date, a day written twice, a value that is not a number or a unit that contradicts the target is reported at its line; the readable rows are still judged, and rows after the day of the check are left out (`--today` sees the series as it stood then).\n\n`handoff metrics pull` writes the file from the source the series names.",
};

/// `kpi-gap`.
pub static KPI_GAP: Rule = Rule {
    id: RuleId::KpiGap,
    summary: "Days of the stability window have no value",
    explanation: "The kind asks for the KPI to hold its target every day of the window before day 0 (14 days for a gtm-play). A day without a value cannot show that; from the kind's gate on (day 0 for a gtm-play) a gap fails the packet, before it a warning names the days.\n\nFix: `handoff metrics pull <packet>` and commit the file, or find why the source has no row for the day.",
};

/// `kpi-unstable`.
pub static KPI_UNSTABLE: Rule = Rule {
    id: RuleId::KpiUnstable,
    summary: "The KPI missed its target on days of the stability window",
    explanation: "If the KPI is unstable, the work stays with the team that built it. From the kind's gate on (day 0 for a gtm-play) a window with more missed days than the kind allows (none for a gtm-play), or a wider spread than it allows, fails the packet, naming the days and by how much each missed. Before the gate, a note shows the progress: `9 of the 14 days before day 0 meet >= 4%`.\n\nWhile a packet has a series, ticking the stability criterion by hand does not decide it: the numbers do.",
};

/// `kpi-stale`.
pub static KPI_STALE: Rule = Rule {
    id: RuleId::KpiStale,
    summary: "The KPI series has not been pulled for longer than the data contract allows",
    explanation: "The last day of the series is older than the data contract's `freshness` allows (at least one day, the default two). Either the data stopped flowing or nobody ran `handoff metrics pull`; either way the gate is judging old numbers.",
};

/// `kpi-breach`.
pub static KPI_BREACH: Rule = Rule {
    id: RuleId::KpiBreach,
    summary: "After day 0 the KPI stayed under its target longer than the paging policy allows",
    explanation: "After the handoff the series keeps being pulled; when it ends with as many consecutive missed days as the kind's `breach_days` (the paging policy in days; 2 for a gtm-play), or more, the receiving team owns a breach. A warning after day 0, an error at the signed-off gate; `handoff remind` lists it with the owner to ping.",
};

/// `kpi-unverified`.
pub static KPI_UNVERIFIED: Rule = Rule {
    id: RuleId::KpiUnverified,
    summary: "The KPI's stability is claimed, not measured",
    explanation: "The kind watches the KPI, but the metric answer has no `series:`, so the stability criterion is whatever someone ticked. A note: add a series (`series: {source: warehouse, query: ...}`), run `handoff metrics pull`, and the gate checks the numbers.",
};

/// The rules of this file.
pub static RULES: [&Rule; 7] = [
    &KPI_TARGET_INVALID,
    &KPI_SERIES_INVALID,
    &KPI_GAP,
    &KPI_UNSTABLE,
    &KPI_STALE,
    &KPI_BREACH,
    &KPI_UNVERIFIED,
];

/// The metric answer's path in a kind.
pub fn metric_path(spec: &KindSpec) -> &str {
    spec.questions
        .as_ref()
        .map_or("metric", |q| q.metric.as_str())
}

/// How many days old the last value may be: the data contract's tightest `freshness`.
pub fn allowed_lag(packet: &crate::facts::packet::Packet) -> i64 {
    freshness(packet).map_or(2, |(_, days)| days)
}

/// The data contract's tightest `freshness`, as written (`6h`, kept in its own unit), and the
/// days a daily series may lag under it (a day's value is known the day after, so at least one).
pub fn freshness(packet: &crate::facts::packet::Packet) -> Option<(String, i64)> {
    packet
        .front
        .as_ref()
        .and_then(|f| f.get("data_contract"))
        .and_then(|n| n.items())
        .into_iter()
        .flatten()
        .filter_map(|item| item.get("freshness")?.as_str())
        .filter_map(|s| Some((s.trim().to_string(), metrics::freshness_days(s)?)))
        .min_by_key(|(s, days)| (*days, metrics::freshness_hours(s).map(|h| h as i64)))
}

/// A packet's KPI, read and judged: what `check`, `status`, `render` and `remind` all show.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The target.
    pub target: Target,
    /// The series as committed.
    pub series: Series,
    /// What it did.
    pub health: Health,
    /// The kind's rule.
    pub spec: KpiSpec,
}

/// How the KPI stands at a gate: the one judgement of the series that `check`'s kpi rules,
/// `status`' KPI column and `render`'s KPI summary all show.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Standing {
    /// Before the kind's gate (or with window days still to come): `met` of the `due` days
    /// passed meet the target, of a window of `window`.
    Building {
        /// Days meeting the target so far.
        met: i64,
        /// Days of the window passed so far.
        due: i64,
        /// The window.
        window: u32,
        /// Days missed so far.
        misses: usize,
    },
    /// From the kind's gate on: the window meets the kind's rule.
    Stable,
    /// From the kind's gate on: more missed days than the kind allows, or a wider spread
    /// (`kpi-unstable`, an error).
    Unstable {
        /// Days missed.
        misses: usize,
    },
    /// From the kind's gate on: days of the window without a value (`kpi-gap`, an error).
    Incomplete {
        /// Days without a value.
        gaps: usize,
    },
}

impl Standing {
    /// The series' standing at `gate` under the kind's rule.
    pub fn of(health: &Health, spec: &KpiSpec, gate: Gate) -> Standing {
        let unstable = health.misses.len() as i64 > i64::from(spec.misses)
            || spec
                .max_spread
                .is_some_and(|max| health.spread.is_some_and(|s| s > max));
        let window = spec.window;
        if window == 0 {
            return Standing::Stable;
        }
        if gate < spec.gate {
            return Standing::Building {
                met: health.met,
                due: health.window_days_due,
                window,
                misses: health.misses.len(),
            };
        }
        if unstable {
            Standing::Unstable {
                misses: health.misses.len(),
            }
        } else if !health.gaps.is_empty() {
            Standing::Incomplete {
                gaps: health.gaps.len(),
            }
        } else if health.window_days_due < i64::from(window) {
            Standing::Building {
                met: health.met,
                due: health.window_days_due,
                window,
                misses: health.misses.len(),
            }
        } else {
            Standing::Stable
        }
    }

    /// Whether the gate fails on it (`kpi-unstable` or `kpi-gap` as errors).
    pub fn fails(&self) -> bool {
        matches!(
            self,
            Standing::Unstable { .. } | Standing::Incomplete { .. }
        )
    }

    /// `stable`, `unstable: 2 of 14 days missed`, `9 of 14 days so far`: in a sentence.
    pub fn words(&self) -> String {
        match self {
            Standing::Stable => "stable".into(),
            Standing::Unstable { misses } => format!(
                "not stable: {} missed",
                crate::support::words::plural(*misses, "day", "days")
            ),
            Standing::Incomplete { gaps } => format!(
                "not shown stable: {} without a value",
                crate::support::words::plural(*gaps, "day", "days")
            ),
            Standing::Building {
                met, due, window, ..
            } => format!("{met} of the {due} days so far meet it (the window is {window})"),
        }
    }
}

/// A packet's KPI in one line of a table or a message: the last value against the target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    /// The target, as the machine reads it (`>= 4%`).
    pub target: String,
    /// The last day with a value.
    pub last_day: Option<chrono::NaiveDate>,
    /// Its value.
    pub last: Option<f64>,
    /// Whether it meets the target.
    pub met: Option<bool>,
    /// Whether the stability window, complete, met the kind's rule.
    pub stable: bool,
    /// How the series stands at the packet's gate: what `check` judges.
    pub standing: Standing,
    /// After day 0: the days under target in a row the series ends with, when a breach.
    pub breach_days: Option<i64>,
}

impl Reading {
    /// How the series stands at `gate` (what `check` reports at that gate).
    pub fn standing(&self, gate: Gate) -> Standing {
        Standing::of(&self.health, &self.spec, gate)
    }

    /// The summary `status` and `remind` show, at the packet's gate.
    pub fn summary(&self, gate: Gate) -> Summary {
        let standing = self.standing(gate);
        Summary {
            target: self.target.to_string(),
            last_day: self.health.last.map(|(d, _)| d),
            last: self.health.last.map(|(_, v)| v),
            met: self.health.last_met,
            stable: standing == Standing::Stable,
            standing,
            breach_days: self.health.breach.map(|(_, n)| n),
        }
    }

    /// `5.3% stable`, `1.05 unstable`, `9/14 days`, `2% breach 3d`, `3.1% miss`: the last value
    /// and how the series stands at `gate`, as `check` judges it.
    pub fn cell(&self, gate: Gate) -> String {
        let last = self.health.last.map(|(_, v)| self.target.show(v));
        let standing = self.standing(gate);
        match (last, self.health.breach, standing) {
            (None, _, Standing::Building { met, window, .. }) => format!("{met}/{window} days"),
            (None, _, _) => "no data".into(),
            (Some(v), Some((_, n)), _) => format!("{v} breach {n}d"),
            (Some(v), None, Standing::Unstable { .. }) => format!("{v} unstable"),
            (Some(v), None, Standing::Incomplete { gaps }) => format!("{v} gaps {gaps}d"),
            (Some(_), None, Standing::Building { met, window, .. }) => {
                format!("{met}/{window} days")
            }
            (Some(v), None, Standing::Stable) if self.health.last_met == Some(false) => {
                format!("{v} miss")
            }
            (Some(v), None, Standing::Stable) => format!("{v} stable"),
        }
    }

    /// Whether the cell reads as a problem: a breach, a window the gate fails, a miss.
    pub fn alarming(&self, gate: Gate) -> bool {
        self.health.breach.is_some()
            || self.standing(gate).fails()
            || (self.standing(gate) == Standing::Stable && self.health.last_met == Some(false))
    }
}

/// Read and judge the KPI of `packet`, when it has a series, a readable target and day 0;
/// problems are left to `check`.
pub fn reading(
    packet: &crate::facts::packet::Packet,
    spec: &KindSpec,
    today: chrono::NaiveDate,
) -> Option<Reading> {
    let kpi = metrics::kpi_of(packet, metric_path(spec))?;
    let series_spec = kpi.series.as_ref()?;
    let target = Target::parse(kpi.target?.as_str()?).ok()?;
    let day0 = packet.day0()?;
    metrics::file_problem(&series_spec.file)
        .is_none()
        .then_some(())?;
    let text = match crate::facts::packet::read_text(&packet.dir.join(&series_spec.file)) {
        crate::facts::packet::ReadOutcome::Text(t) => t,
        crate::facts::packet::ReadOutcome::Bad { .. } => return None,
    };
    let (series, _) = Series::parse(&text, target.unit, today);
    let kspec = spec.kpi.clone().unwrap_or_default();
    let health = Health::assess(&series, &target, &kspec, day0, today, allowed_lag(packet));
    Some(Reading {
        target,
        series,
        health,
        spec: kspec,
    })
}

/// Judge the packet's KPI.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let packet = ctx.packet;
    let Some(kpi) = metrics::kpi_of(packet, metric_path(spec)) else {
        return;
    };
    let Some(series_spec) = kpi.series.clone() else {
        if let Some(k) = &spec.kpi
            && ctx.gate >= Gate::Ready
            && let Some(node) = packet.front.as_ref().and_then(|f| f.at(&kpi.path))
        {
            let criterion = k.criterion.as_deref().unwrap_or("the stability criterion");
            ctx.report(
                &KPI_UNVERIFIED,
                Severity::Note,
                node.pos,
                1,
                format!("\"{criterion}\" is a ticked box: no series backs it"),
                format!(
                    "add `series:` under `{}` (a `source:` and `query:`, or a committed `file:`) and run `handoff metrics pull {}`",
                    kpi.path, packet.id
                ),
            );
        }
        return;
    };
    let kspec = spec.kpi.clone().unwrap_or_default();
    let Some(target_node) = kpi.target else {
        // The answer itself is missing: `answer-missing` says so.
        return;
    };
    let target = match Target::parse(target_node.as_str().unwrap_or_default()) {
        Ok(t) => t,
        Err(why) => {
            ctx.report(
                &KPI_TARGET_INVALID,
                ctx.severity(Gate::Ready),
                target_node.pos,
                target_node.span_len(),
                format!("the target cannot be read: {why}"),
                format!("write it as one of {}", target::ACCEPTED),
            );
            return;
        }
    };
    if let Some(why) = metrics::file_problem(&series_spec.file) {
        ctx.report(
            &KPI_SERIES_INVALID,
            Severity::Error,
            series_spec.file_pos,
            series_spec.file.len().max(1),
            format!(
                "`{}`: {why}",
                crate::support::words::neutral(&series_spec.file)
            ),
            format!(
                "write a path inside the packet, e.g. `{}`",
                metrics::DEFAULT_FILE
            ),
        );
        return;
    }
    let path = packet.dir.join(&series_spec.file);
    let text = match crate::facts::packet::read_text(&path) {
        crate::facts::packet::ReadOutcome::Text(t) => t,
        crate::facts::packet::ReadOutcome::Bad { message, .. } => {
            let pull = if series_spec.source.is_some() {
                format!(
                    "run `handoff metrics pull {}` and commit the file",
                    packet.id
                )
            } else {
                format!(
                    "commit the series as `{}` (`day,value`, one row a day), or name a `source:` and `query:` and run `handoff metrics pull {}`",
                    series_spec.file, packet.id
                )
            };
            ctx.report(
                &KPI_SERIES_INVALID,
                ctx.severity(Gate::Ready),
                series_spec.file_pos,
                1,
                format!("the series file {}: {message}", series_spec.file),
                pull,
            );
            return;
        }
    };
    let (series, bad) = Series::parse(&text, target.unit, ctx.today);
    if !bad.is_empty() {
        let shown = crate::support::paths::shown_path(&path);
        let file = Arc::new(SourceFile::new(shown, text));
        let severity = ctx.severity(Gate::Ready);
        for b in bad.iter().take(20) {
            ctx.push(Diagnostic::at(
                KPI_SERIES_INVALID.id,
                severity,
                &file,
                file.pos(b.offset),
                b.len,
                b.message.clone(),
                b.help.clone(),
            ));
        }
    }
    let Some(day0) = packet.day0() else { return };
    let health = Health::assess(
        &series,
        &target,
        &kspec,
        day0,
        ctx.today,
        allowed_lag(packet),
    );
    let retired = packet.status() == Some(Status::Retired);
    let at_gate = ctx.gate >= kspec.gate;
    let pos = series_spec.file_pos;
    let window = kspec.window;
    if window > 0 {
        if !health.gaps.is_empty() {
            ctx.report_on(
                &KPI_GAP,
                if at_gate { Severity::Error } else { Severity::Warning },
                pos,
                1,
                format!(
                    "{} of the {window} days before day 0 have no value: {}",
                    health.gaps.len(),
                    days_text(&health.gaps)
                ),
                format!("run `handoff metrics pull {}` and commit {}; a day the source has no row for stays a gap", packet.id, series_spec.file),
                &format!("{}.series", kpi.path),
            );
        }
        let standing = Standing::of(&health, &kspec, ctx.gate);
        let unstable = matches!(standing, Standing::Unstable { .. });
        if at_gate && unstable {
            let mut message = format!(
                "the KPI missed {target} on {} of the {window} days before day 0",
                health.misses.len()
            );
            if !health.misses.is_empty() {
                message.push_str(&format!(": {}", health.misses_text(&target, 5)));
            }
            if let (Some(max), Some(s)) = (kspec.max_spread, health.spread)
                && s > max
            {
                message.push_str(&format!(
                    "; it spread {:.0}% where the kind allows {:.0}%",
                    s * 100.0,
                    max * 100.0
                ));
            }
            ctx.report_on(
                &KPI_UNSTABLE,
                Severity::Error,
                target_node.pos,
                target_node.span_len(),
                message,
                format!(
                    "an unstable KPI stays with the team that built it: move day 0 (`day0:`) until {window} days in a row meet the target, or waive it with a reason (`handoff waive {} {}.series`)",
                    packet.id, kpi.path
                ),
                &format!("{}.series", kpi.path),
            );
        } else if !at_gate && !retired {
            let mut message = health.progress(window, &target);
            if !health.misses.is_empty() {
                message.push_str(&format!("; missed: {}", health.misses_text(&target, 3)));
            }
            ctx.report(
                &KPI_UNSTABLE,
                Severity::Note,
                target_node.pos,
                target_node.span_len(),
                message,
                format!(
                    "from the {} gate every one of the {window} days must meet the target{}",
                    kspec.gate,
                    if kspec.misses > 0 {
                        format!(" but {}", kspec.misses)
                    } else {
                        String::new()
                    }
                ),
            );
        }
    }
    if let Some((first, days)) = health.breach
        && !retired
    {
        let (last_day, last) = health.last.unwrap_or((first, 0.0));
        ctx.report_on(
            &KPI_BREACH,
            if ctx.gate >= Gate::SignedOff { Severity::Error } else { Severity::Warning },
            target_node.pos,
            target_node.span_len(),
            format!(
                "the KPI has missed {target} for {days} days in a row since {first} (last: {} on {last_day}); the paging policy allows {}",
                target.show(last),
                kspec.breach_days
            ),
            "page the owner (`handoff remind` names them) and log it in the shadow-period issue log; the breach ends on the first day back on target".to_string(),
            &format!("{}.series", kpi.path),
        );
    }
    if let Some((lag, age)) = health.stale
        && !retired
        && ctx.today >= health.window_start
    {
        ctx.report(
            &KPI_STALE,
            Severity::Warning,
            pos,
            1,
            format!(
                "the series ends {age} days ago ({}); {}",
                health.last.map(|(d, _)| d.to_string()).unwrap_or_default(),
                match freshness(packet) {
                    Some((written, _)) => format!(
                        "the data contract's freshness is {written}, which a daily series meets while its last day is at most {} behind",
                        crate::support::words::plural(lag as usize, "day", "days")
                    ),
                    None => format!(
                        "without a data contract's freshness, a daily series may be {} behind",
                        crate::support::words::plural(lag as usize, "day", "days")
                    ),
                }
            ),
            format!("run `handoff metrics pull {}` and commit the file; if the source has no newer rows, the data stopped flowing", packet.id),
        );
    }
}

/// The key of the criterion a packet's series decides, when it has one (the box no longer does).
pub fn decided_criterion(packet: &crate::facts::packet::Packet, spec: &KindSpec) -> Option<String> {
    let criterion = spec.kpi.as_ref()?.criterion.as_deref()?;
    metrics::kpi_of(packet, metric_path(spec))?.series?;
    Some(crate::facts::kind::spec::criterion_key(criterion))
}
