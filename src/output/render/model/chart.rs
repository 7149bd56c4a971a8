//! The timeline chart: milestones placed on a day axis, today marked.

use super::*;

/// Milestones on a day axis, for an inline SVG.
#[derive(Debug, Serialize)]
pub struct Chart {
    /// Width in px.
    pub width: u32,
    /// The axis' y.
    pub axis_y: u32,
    /// First and last x of the axis.
    pub x0: f64,
    /// Last x of the axis.
    pub x1: f64,
    /// One point per milestone.
    pub points: Vec<ChartPoint>,
    /// Where today is, when on the axis.
    pub today_x: Option<f64>,
}

/// A milestone on the chart.
#[derive(Debug, Serialize)]
pub struct ChartPoint {
    /// x in px.
    pub x: f64,
    /// Day label, e.g. `+7`.
    pub day: String,
    /// `MM-DD`.
    pub date: String,
    /// State class.
    pub state: State,
    /// Whether the label goes above the axis (alternating, so labels do not collide).
    pub above: bool,
    /// How the label sits on its point (`start`, `middle`, `end`): the first and last labels
    /// lean inwards, so that none is cut at the chart's edge.
    pub anchor: &'static str,
}

pub(super) fn chart(placed: &[Placed], day0: Option<NaiveDate>, today: NaiveDate) -> Option<Chart> {
    let day0 = day0?;
    let (first, last) = (placed.first()?.day, placed.last()?.day);
    let today_day = (today - day0).num_days();
    let lo = first.min(today_day.max(first - 2));
    let hi = last.max(today_day.min(last + 2));
    let (width, x0, x1) = (760u32, 40.0, 720.0);
    let span = (hi - lo).max(1) as f64;
    let x = |day: i64| x0 + (day - lo) as f64 / span * (x1 - x0);
    let points = placed
        .iter()
        .enumerate()
        .map(|(n, m)| ChartPoint {
            x: (x(m.day) * 10.0).round() / 10.0,
            day: crate::support::words::day(m.day),
            date: m.date.format("%m-%d").to_string(),
            state: m.state,
            above: n % 2 == 0,
            anchor: anchor(x(m.day), x0, x1),
        })
        .collect();
    let today_x = (lo..=hi)
        .contains(&today_day)
        .then(|| (x(today_day) * 10.0).round() / 10.0);
    Some(Chart {
        width,
        axis_y: 70,
        x0,
        x1,
        points,
        today_x,
    })
}

/// Labels near an edge of the axis lean inwards: half a label (about 50 px) would not fit.
fn anchor(x: f64, x0: f64, x1: f64) -> &'static str {
    if x < x0 + 50.0 {
        "start"
    } else if x > x1 - 50.0 {
        "end"
    } else {
        "middle"
    }
}
