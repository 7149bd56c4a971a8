//! `stats` as pictures: transition time per quarter (median and spread), the share signed off by
//! day +14 per quarter, and rework and send-backs per kind, laid out for inline SVGs. Every bar
//! carries its number as text, so the charts read without colour.

use crate::output::stats::{Overall, Quarter};
use serde::Serialize;

/// The three charts.
#[derive(Debug, Serialize)]
pub struct Charts {
    /// Days from first commit to complete sign-off, per quarter.
    pub transition: Chart,
    /// Share signed off by day +14, per quarter.
    pub on_time: Chart,
    /// Rework commits and send-backs, per kind.
    pub by_kind: Chart,
}

/// One chart.
#[derive(Debug, Serialize)]
pub struct Chart {
    /// Its title.
    pub title: String,
    /// Width in px.
    pub width: u32,
    /// Height in px.
    pub height: u32,
    /// The baseline's y.
    pub base_y: f64,
    /// Bars (and whiskers).
    pub marks: Vec<Mark>,
    /// Labels under the bars.
    pub labels: Vec<Label>,
    /// What the chart shows when there is nothing to show.
    pub empty: Option<String>,
    /// A word under the chart when it cannot show a trend yet (one quarter of history).
    pub note: Option<String>,
    /// The value axis' left edge (x) and top (y).
    pub x0: f64,
    /// See `x0`.
    pub top: f64,
    /// Marks of the value axis: y and label (`0 d`, `7 d`, `14 d`; `0%`, `50%`, `100%`).
    pub ticks: Vec<(f64, String)>,
    /// What the value axis counts.
    pub unit: String,
}

/// A bar, with an optional whisker (the spread) and its number.
#[derive(Debug, Serialize)]
pub struct Mark {
    /// Left x.
    pub x: f64,
    /// Top y.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// CSS class (and pattern) of the bar.
    pub class: &'static str,
    /// The number written above the bar.
    pub value: String,
    /// A whisker from `whisker.0` to `whisker.1` (y), when the bar has a spread.
    pub whisker: Option<(f64, f64)>,
}

/// A label under a group of bars.
#[derive(Debug, Serialize)]
pub struct Label {
    /// Centre x.
    pub x: f64,
    /// Text.
    pub text: String,
    /// How far below the first line of labels it sits: every other label drops a line when
    /// the groups are too narrow for their names side by side.
    pub dy: f64,
}

/// Labels too wide for their groups alternate between two lines.
fn stagger(labels: &mut [Label], slot: f64) {
    // About 7 px a character at 12 px.
    let widest = labels
        .iter()
        .map(|l| l.text.chars().count() as f64 * 7.0)
        .fold(0.0, f64::max);
    if widest > slot {
        for (i, l) in labels.iter_mut().enumerate() {
            l.dy = if i % 2 == 1 { 15.0 } else { 0.0 };
        }
    }
}

const W: u32 = 640;
const H: u32 = 220;
const TOP: f64 = 34.0;
const BASE: f64 = 180.0;
/// Room on the left for the value axis and its labels.
const LEFT: f64 = 64.0;

/// Lay out the charts for these figures.
pub fn build(overall: &Overall) -> Charts {
    let q = &overall.quarters;
    let max_days = q
        .iter()
        .filter_map(|q| q.max_transition_days)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = |v: f64, max: f64| (BASE - TOP) * (v / max).clamp(0.0, 1.0);
    let transition = per_quarter(
        "Days to complete sign-off, per quarter (median; the line spans quickest to slowest)",
        Axis::days(max_days),
        q,
        |quarter| {
            let m = quarter.median_transition_days?;
            let whisker = quarter
                .min_transition_days
                .zip(quarter.max_transition_days)
                .map(|(lo, hi)| {
                    (
                        round(BASE - scale(lo as f64, max_days)),
                        round(BASE - scale(hi as f64, max_days)),
                    )
                });
            Some((scale(m, max_days), "median", format!("{m:.0} d"), whisker))
        },
    );
    let on_time = per_quarter(
        "Signed off by day +14, per quarter",
        Axis::share(),
        q,
        |quarter| {
            let share = quarter.signed_by_day14_share?;
            Some((
                scale(share, 1.0),
                "share",
                format!("{:.0}%", share * 100.0),
                None,
            ))
        },
    );
    let by_kind = {
        let k = &overall.kinds;
        let max = k
            .iter()
            .map(|k| k.rework.max(k.sent_back))
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let s = slot(k.len());
        let mut marks = Vec::new();
        let mut labels = Vec::new();
        for (i, kind) in k.iter().enumerate() {
            let x = LEFT + s * i as f64;
            labels.push(Label {
                x: round(x + s * 0.5),
                text: kind.kind.clone(),
                dy: 0.0,
            });
            for (j, (class, v)) in [("rework", kind.rework), ("sent-back", kind.sent_back)]
                .into_iter()
                .enumerate()
            {
                let h = scale(v as f64, max);
                marks.push(Mark {
                    x: round(x + s * (0.15 + 0.35 * j as f64)),
                    y: round(BASE - h),
                    w: round(s * 0.3),
                    h: round(h),
                    class,
                    value: v.to_string(),
                    whisker: None,
                });
            }
        }
        stagger(&mut labels, s);
        chart(
            "Rework commits (solid) and send-backs (striped), per kind",
            Axis::count(max),
            marks,
            labels,
            k.is_empty(),
        )
    };
    Charts {
        transition,
        on_time,
        by_kind,
    }
}

/// A bar's height, class, number and whisker (top and bottom y).
type Bar = (f64, &'static str, String, Option<(f64, f64)>);

/// The value axis of a chart: its largest value and how its marks read.
struct Axis {
    max: f64,
    unit: &'static str,
    label: fn(f64) -> String,
}

impl Axis {
    fn days(max: f64) -> Axis {
        Axis {
            max,
            unit: "days",
            label: |v| format!("{v:.0} d"),
        }
    }

    fn share() -> Axis {
        Axis {
            max: 1.0,
            unit: "share of packets",
            label: |v| format!("{:.0}%", v * 100.0),
        }
    }

    fn count(max: f64) -> Axis {
        Axis {
            max,
            unit: "commits and send-backs",
            label: |v| format!("{v:.0}"),
        }
    }

    /// Marks at 0, half and the top (whole numbers where the axis counts).
    fn ticks(&self) -> Vec<(f64, String)> {
        let mut values = vec![0.0, self.max / 2.0, self.max];
        if self.unit != "share of packets" {
            values = values.into_iter().map(f64::round).collect();
            values.dedup();
        }
        values
            .into_iter()
            .map(|v| {
                let y = BASE - (BASE - TOP) * (v / self.max.max(f64::EPSILON)).clamp(0.0, 1.0);
                (round(y), (self.label)(v))
            })
            .collect()
    }
}

/// One bar per quarter, labelled with the quarter; quarters without a figure get no bar.
fn per_quarter(
    title: &str,
    axis: Axis,
    q: &[Quarter],
    bar: impl Fn(&Quarter) -> Option<Bar>,
) -> Chart {
    let s = slot(q.len());
    let mut marks = Vec::new();
    let mut labels = Vec::new();
    for (i, quarter) in q.iter().enumerate() {
        let cx = LEFT + s * (i as f64 + 0.5);
        labels.push(Label {
            x: round(cx),
            text: quarter.quarter.clone(),
            dy: 0.0,
        });
        if let Some((h, class, value, whisker)) = bar(quarter) {
            marks.push(Mark {
                x: round(cx - s * 0.3),
                y: round(BASE - h),
                w: round(s * 0.6),
                h: round(h),
                class,
                value,
                whisker,
            });
        }
    }
    stagger(&mut labels, s);
    let mut c = chart(
        title,
        axis,
        marks,
        labels,
        q.iter().all(|quarter| bar(quarter).is_none()),
    );
    if q.len() == 1 && c.empty.is_none() {
        c.note = Some(format!(
            "Not enough history yet for a trend: one quarter so far ({}); the next quarter adds the second bar.",
            q[0].quarter
        ));
    }
    c
}

/// The width of one group of bars when `n` share the chart.
fn slot(n: usize) -> f64 {
    ((W as f64 - LEFT * 2.0) / n.max(1) as f64).min(120.0)
}

fn chart(title: &str, axis: Axis, marks: Vec<Mark>, labels: Vec<Label>, empty: bool) -> Chart {
    Chart {
        title: title.to_string(),
        width: W,
        height: H,
        base_y: BASE,
        marks,
        labels,
        empty: empty.then(|| "No signed-off handoffs yet".to_string()),
        note: None,
        x0: LEFT - 8.0,
        top: TOP,
        ticks: axis.ticks(),
        unit: axis.unit.to_string(),
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
