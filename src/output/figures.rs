//! What `handoff stats` shows: the figures as a table, as JSON, or as a page of charts.

use crate::output::render::{RenderError, Templates};
use crate::output::stats::{Overall, PacketStats};
use crate::support::words::plural;
use chrono::NaiveDate;
use std::fmt::Write as _;

/// The figures as JSON: `today`, `since`, `overall` and `packets`, pretty, with a final newline.
pub fn json(
    today: NaiveDate,
    since: Option<NaiveDate>,
    overall: &Overall,
    packets: &[PacketStats],
) -> String {
    let doc = serde_json::json!({ "today": today, "since": since, "overall": overall, "packets": packets });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

/// The self-contained HTML page (`stats.html.j2`): the quarterly and per-kind charts, then the
/// table.
pub fn page(
    templates: &Templates,
    today: NaiveDate,
    since: Option<NaiveDate>,
    overall: &Overall,
    packets: &[PacketStats],
) -> Result<String, RenderError> {
    templates.render(
        "stats.html.j2",
        minijinja::context! {
            today => today.to_string(),
            since => since.map(|s| s.to_string()),
            charts => crate::output::render::stats_charts::build(overall),
            overall => overall,
            packets => packets,
        },
    )
}

/// The figures as a table: a title, the overall figures one a line, the quarters when there is
/// more than one, then a row a packet.
pub fn text(
    today: NaiveDate,
    since: Option<NaiveDate>,
    overall: &Overall,
    packets: &[PacketStats],
) -> String {
    let mut out = String::new();
    let since = since.map(|s| format!(" since {s}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "Handoff figures{since}, as of {today}: {}, {} signed off\n",
        plural(overall.packets, "packet", "packets"),
        overall.signed_off
    );
    out.push_str(&summary(overall));
    out.push('\n');
    if overall.quarters.len() > 1 {
        out.push_str(&quarters(overall));
        out.push('\n');
    }
    out.push_str(&packet_rows(packets));
    out
}

/// A share as a whole percentage, `—` when unknown.
fn pct(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{:.0}%", v * 100.0))
}

/// A number to one decimal, `—` when unknown.
fn num(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{v:.1}"))
}

/// `yes`, `no`, or `—` when unknown.
fn yes(v: Option<bool>) -> &'static str {
    v.map_or("—", |b| if b { "yes" } else { "no" })
}

/// The overall figures, a label and its value a line, the values lined up.
fn summary(overall: &Overall) -> String {
    let [kpi30, kpi60, kpi90] = overall.kpi_on_target_share.map(pct);
    let figures = [
        (
            "median transition (first commit → signed off)",
            match overall.median_transition_days {
                Some(d) => format!("{d:.1} days"),
                None => "—".into(),
            },
        ),
        ("signed off by day +14", pct(overall.signed_by_day14_share)),
        (
            "still running 90 days after sign-off",
            pct(overall.alive_at_90_days_share),
        ),
        (
            "KPI on target 30 / 60 / 90 days after sign-off",
            format!("{kpi30} / {kpi60} / {kpi90}"),
        ),
        (
            "rework (answer changes after ready)",
            format!(
                "{}, median {} per packet",
                plural(overall.rework, "commit", "commits"),
                num(overall.median_rework)
            ),
        ),
        (
            "sent back (`handoff send-back`, or by hand)",
            overall.sent_back.to_string(),
        ),
        ("sign-offs gone stale", overall.stale_signoffs.to_string()),
    ];
    let width = figures
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, value) in &figures {
        let pad = " ".repeat(width - label.chars().count());
        let _ = writeln!(out, "  {label}{pad}  {value}");
    }
    out
}

/// The figures per quarter of creation.
fn quarters(overall: &Overall) -> String {
    let rows: Vec<[String; 5]> = overall
        .quarters
        .iter()
        .map(|q| {
            [
                q.quarter.clone(),
                q.packets.to_string(),
                q.median_transition_days
                    .map_or("—".into(), |d| format!("{d:.1} days")),
                pct(q.signed_by_day14_share),
                q.rework.to_string(),
            ]
        })
        .collect();
    columns(
        &[
            "quarter",
            "packets",
            "median transition",
            "signed by +14",
            "rework",
        ],
        &rows,
    )
}

/// A row a packet.
fn packet_rows(packets: &[PacketStats]) -> String {
    let rows: Vec<[String; 8]> = packets
        .iter()
        .map(|p| {
            [
                p.id.clone(),
                p.created.format("%Y-%m-%d").to_string(),
                p.transition_days.map_or("—".into(), |d| format!("{d} d")),
                yes(p.signed_by_day14).to_string(),
                p.rework.to_string(),
                p.sent_back.to_string(),
                p.stale_signoffs.to_string(),
                yes(p.alive_at_90_days).to_string(),
            ]
        })
        .collect();
    columns(
        &[
            "packet",
            "created",
            "transition",
            "by +14",
            "rework",
            "sent back",
            "stale",
            "90 days",
        ],
        &rows,
    )
}

/// A table laid out in columns as wide as their widest cell (counted in characters, so `—` is
/// one): the first column left-aligned, the others right-aligned, two spaces between, indented
/// by two.
fn columns<const N: usize>(headings: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = headings.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from(" ");
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(cell.chars().count()));
            s.push(' ');
            if i == 0 {
                s.push_str(cell);
                s.push_str(&pad);
            } else {
                s.push(' ');
                s.push_str(&pad);
                s.push_str(cell);
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(headings.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_whatever_the_widths() {
        let out = super::columns(
            &["packet", "created", "by +14"],
            &[
                [
                    "a-very-long-packet-id-indeed".to_string(),
                    "2026-12-07".to_string(),
                    "—".to_string(),
                ],
                ["b".to_string(), "2026-01-01".to_string(), "yes".to_string()],
            ],
        );
        let lines: Vec<&str> = out.lines().collect();
        let ends: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(ends.iter().all(|e| *e == ends[0]), "{out}");
        let col = |l: &str| l.chars().position(|c| c == '2').unwrap_or(0);
        assert_eq!(col(lines[1]), col(lines[2]), "{out}");
    }
}
