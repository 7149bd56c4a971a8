//! The KPI in the review document: a compact summary (window, misses, min/max, last value) for
//! the markdown page, and an inline SVG chart for the HTML one (the target line, the stability
//! window shaded, day 0 and today marked, every value also as text).

use crate::facts::gate::Gate;
use crate::facts::metrics::target::{Comparison, show_number};
use crate::judgement::rules::kpi::{Reading, Standing};
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// At most this many days are drawn (the latest ones).
const MAX_DAYS: i64 = 120;
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// The KPI section of a review.
#[derive(Debug, Serialize)]
pub struct KpiView {
    /// The target as read (`>= 4%`).
    pub target: String,
    /// The stability window, `2026-11-23 to 2026-12-06`.
    pub window: String,
    /// Its length in days.
    pub window_days: u32,
    /// Days of the window meeting the target.
    pub met: i64,
    /// The misses, `2026-11-28 (3.1%, 0.9% off)`.
    pub misses: Vec<String>,
    /// Days of the window without a value.
    pub gaps: usize,
    /// Lowest and highest value of the window, with the unit.
    pub min: Option<String>,
    /// See `min`.
    pub max: Option<String>,
    /// The last value with its day.
    pub last: Option<String>,
    /// Whether the last value meets the target.
    pub last_met: Option<bool>,
    /// Whether the window, complete, is stable by the kind's rule.
    pub stable: bool,
    /// How the series stands at the packet's gate, as `check` judges it: `stable`, `unstable`,
    /// `incomplete` or `building`.
    pub state: &'static str,
    /// The same in words: `stable`, `not stable: 2 days missed`, `9 of the 11 days so far…`.
    pub verdict: String,
    /// The answer the KPI belongs to (`metric`): the decision block shows the chart after it.
    pub question: String,
    /// After day 0, the breach, in words.
    pub breach: Option<String>,
    /// The chart.
    pub chart: Option<KpiChart>,
}

/// The series drawn.
#[derive(Debug, Serialize)]
pub struct KpiChart {
    /// Width and height of the view box.
    pub width: f64,
    /// See `width`.
    pub height: f64,
    /// Plot area.
    pub x0: f64,
    /// See `x0`.
    pub x1: f64,
    /// See `x0`.
    pub y0: f64,
    /// See `x0`.
    pub y1: f64,
    /// `x,y x,y …` of the values, for a polyline.
    pub line: String,
    /// Each value: x, y, day, value text, whether it meets the target.
    pub points: Vec<KpiPoint>,
    /// The target's line(s): one y, or two for a band.
    pub target_y: Vec<f64>,
    /// The stability window, shaded: x and width.
    pub window_x: f64,
    /// See `window_x`.
    pub window_w: f64,
    /// Day 0's x, when drawn.
    pub day0_x: Option<f64>,
    /// Today's x, when drawn.
    pub today_x: Option<f64>,
    /// Labels of the value axis: y and text.
    pub ticks: Vec<(f64, String)>,
    /// Labels of the day axis: x, date (`Nov 23`), a week apart, and how each sits on its
    /// mark (`end` near the right edge, so that none is cut).
    pub day_ticks: Vec<(f64, String, &'static str)>,
    /// The first and last day drawn.
    pub from: String,
    /// See `from`.
    pub to: String,
    /// Everything the chart shows, in words, for screen readers.
    pub description: String,
}

/// One value drawn.
#[derive(Debug, Serialize)]
pub struct KpiPoint {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// The day.
    pub day: String,
    /// The value with its unit.
    pub value: String,
    /// Whether it meets the target.
    pub met: bool,
}

/// The KPI section for a packet whose day 0 is `day0`, as of `today`, judged at `gate` (the one
/// judgement `check` and `status` show too); `question` is the answer it belongs to.
pub fn view(r: &Reading, day0: NaiveDate, today: NaiveDate, gate: Gate, question: &str) -> KpiView {
    let h = &r.health;
    let t = &r.target;
    let standing = r.standing(gate);
    KpiView {
        target: t.to_string(),
        window: format!("{} to {}", h.window_start, h.window_end),
        window_days: r.spec.window,
        met: h.met,
        misses: h
            .misses
            .iter()
            .map(|m| format!("{} ({}, {} off)", m.day, t.show(m.value), t.show(m.by)))
            .collect(),
        gaps: h.gaps.len(),
        min: h.min_max.map(|(lo, _)| t.show(lo)),
        max: h.min_max.map(|(_, hi)| t.show(hi)),
        last: h.last.map(|(d, v)| format!("{} on {d}", t.show(v))),
        last_met: h.last_met,
        stable: standing == Standing::Stable,
        state: match standing {
            Standing::Stable => "stable",
            Standing::Unstable { .. } => "unstable",
            Standing::Incomplete { .. } => "incomplete",
            Standing::Building { .. } => "building",
        },
        verdict: standing.words(),
        question: question.to_string(),
        breach: h
            .breach
            .map(|(first, n)| format!("under {t} for {n} days in a row since {first}")),
        chart: chart(r, day0, today),
    }
}

fn chart(r: &Reading, day0: NaiveDate, today: NaiveDate) -> Option<KpiChart> {
    let points = &r.series.points;
    let last_point = points.last()?.day;
    let to = last_point
        .max(today.min(last_point + Duration::days(7)))
        .max(day0);
    let from = points
        .first()?
        .day
        .min(r.health.window_start)
        .max(to - Duration::days(MAX_DAYS - 1));
    let span = (to - from).num_days().max(1) as f64;
    let drawn: Vec<_> = points
        .iter()
        .filter(|p| p.day >= from && p.day <= to)
        .collect();
    let mut lo = drawn.iter().map(|p| p.value).fold(f64::INFINITY, f64::min);
    let mut hi = drawn
        .iter()
        .map(|p| p.value)
        .fold(f64::NEG_INFINITY, f64::max);
    let targets: Vec<f64> = match r.target.comparison {
        Comparison::AtLeast { n }
        | Comparison::Above { n }
        | Comparison::AtMost { n }
        | Comparison::Below { n } => vec![n],
        Comparison::Between { low, high } => vec![low, high],
    };
    for v in &targets {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return None;
    }
    let pad = ((hi - lo) * 0.1).max(hi.abs().max(1.0) * 0.01);
    let (lo, hi) = (lo - pad, hi + pad);
    let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    let x = |d: NaiveDate| round(x0 + (d - from).num_days() as f64 / span * (x1 - x0));
    let y = |v: f64| round(y1 - (v - lo) / (hi - lo) * (y1 - y0));
    let inside = |d: NaiveDate| (from..=to).contains(&d);
    let kpi_points: Vec<KpiPoint> = drawn
        .iter()
        .map(|p| KpiPoint {
            x: x(p.day),
            y: y(p.value),
            day: p.day.to_string(),
            value: r.target.show(p.value),
            met: r.target.met(p.value),
        })
        .collect();
    let line = kpi_points
        .iter()
        .map(|p| format!("{},{}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    let ws = r.health.window_start.max(from);
    let we = (r.health.window_end + Duration::days(1)).min(to);
    let description = format!(
        "{} daily values from {from} to {to} against the target {}; the stability window runs {} to {}, {} of its {} days meet the target; {}",
        kpi_points.len(),
        r.target,
        r.health.window_start,
        r.health.window_end,
        r.health.met,
        r.spec.window,
        kpi_points
            .iter()
            .map(|p| format!("{}: {}", p.day, p.value))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Some(KpiChart {
        width: WIDTH,
        height: HEIGHT,
        x0,
        x1,
        y0,
        y1,
        line,
        points: kpi_points,
        target_y: targets.iter().map(|v| y(*v)).collect(),
        window_x: x(ws),
        window_w: round((x(we) - x(ws)).max(0.0)),
        day0_x: inside(day0).then(|| x(day0)),
        today_x: inside(today).then(|| x(today)),
        // The lowest and highest values drawn, and the target itself.
        ticks: [lo + pad, hi - pad]
            .iter()
            .chain(&targets)
            .map(|v| (y(*v), unit_text(r, *v)))
            .collect(),
        day_ticks: day_ticks(from, to)
            .into_iter()
            .map(|d| {
                let at = x(d);
                let anchor = if at > x1 - 24.0 { "end" } else { "middle" };
                (at, d.format("%b %-d").to_string(), anchor)
            })
            .collect(),
        from: from.to_string(),
        to: to.to_string(),
        description,
    })
}

/// Dates to label the day axis with: Mondays (every other one, or every fourth, as the span
/// grows), so that at most eight labels share it.
fn day_ticks(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let first = from + Duration::days((7 - i64::from(from.weekday().num_days_from_monday())) % 7);
    let weeks = ((to - first).num_days() / 7 + 1).max(1);
    let step = (weeks as f64 / 8.0).ceil().max(1.0) as i64;
    (0..weeks)
        .step_by(step as usize)
        .map(|w| first + Duration::days(7 * w))
        .filter(|d| *d <= to)
        .collect()
}

fn unit_text(r: &Reading, v: f64) -> String {
    match r.target.unit {
        Some(u) => format!(
            "{}{}",
            show_number((v * 100.0).round() / 100.0),
            if u.as_str() == "%" {
                "%".to_string()
            } else {
                format!(" {}", u.as_str())
            }
        ),
        None => show_number((v * 100.0).round() / 100.0),
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
