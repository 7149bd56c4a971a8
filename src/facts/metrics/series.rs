//! A KPI series as committed in a packet: `metrics/kpi.csv`, a `day,value` header and one row a
//! day. Reading it keeps every row's place, so a bad date or number is shown at its line.

use super::target::{Unit, number};
use chrono::NaiveDate;

/// One day's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The day.
    pub day: NaiveDate,
    /// The KPI's value that day.
    pub value: f64,
    /// Byte offset of the row in the file (0 for a series read from a database).
    pub offset: usize,
}

/// A series, sorted by day, one value a day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// The points, oldest first.
    pub points: Vec<Point>,
}

/// What is wrong with one place of a series file.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// Byte offset of the bad field or row.
    pub offset: usize,
    /// Bytes to underline.
    pub len: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Invalid {
    /// Whether this is about the header line (which a rewrite puts right), not about a row.
    pub fn is_header(&self) -> bool {
        self.message.starts_with(HEADER_MISSING)
    }
}

const HEADER_MISSING: &str = "the first line must be the header";

/// The header every series file starts with.
pub const HEADER: &str = "day,value";

impl Series {
    /// Read a series file's text; `unit` is the target's, which values may repeat (`4.2%`) but
    /// not contradict. Every invalid row is reported; the valid ones are kept.
    pub fn parse(text: &str, unit: Option<Unit>, today: NaiveDate) -> (Series, Vec<Invalid>) {
        let mut bad = Vec::new();
        let mut points: Vec<Point> = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut first = true;
        loop {
            let row_start = reader.position().byte() as usize;
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let offset = e.position().map_or(row_start, |p| p.byte() as usize);
                    bad.push(Invalid {
                        offset,
                        len: 1,
                        message: format!("this row cannot be read as CSV: {}", short(&e)),
                        help: "write one `YYYY-MM-DD,number` row a line".into(),
                    });
                    break;
                }
            }
            let field_at = |i: usize| record.range(i).map_or(row_start, |r| row_start + r.start);
            if first {
                first = false;
                let header: Vec<String> = record
                    .iter()
                    .map(|f| f.trim().to_ascii_lowercase())
                    .collect();
                if header != ["day", "value"] {
                    bad.push(Invalid {
                        offset: row_start,
                        len: record.as_slice().len().max(1),
                        message: format!("{HEADER_MISSING} `{HEADER}`"),
                        help: format!(
                            "start the file with `{HEADER}`; `handoff metrics pull` writes it so"
                        ),
                    });
                    // A file without a header may still hold rows: read this line as one.
                    if record.get(0).is_some_and(|f| super::parse_day(f).is_some()) {
                        read_row(
                            &record,
                            row_start,
                            &field_at,
                            unit,
                            today,
                            &mut points,
                            &mut bad,
                        );
                    }
                }
                continue;
            }
            if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
                continue;
            }
            read_row(
                &record,
                row_start,
                &field_at,
                unit,
                today,
                &mut points,
                &mut bad,
            );
        }
        points.sort_by_key(|p| (p.day, p.offset));
        let mut dedup: Vec<Point> = Vec::with_capacity(points.len());
        for p in points {
            if let Some(prev) = dedup.last()
                && prev.day == p.day
            {
                bad.push(Invalid {
                    offset: p.offset,
                    len: 10,
                    message: format!(
                        "{} appears twice (again at byte {}); a series holds one value a day",
                        p.day, prev.offset
                    ),
                    help: "keep one row for the day".into(),
                });
                continue;
            }
            dedup.push(p);
        }
        bad.sort_by_key(|b| b.offset);
        (Series { points: dedup }, bad)
    }

    /// The series as the file `metrics pull` writes: the header, then `day,value` by day.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(16 + self.points.len() * 20);
        out.push_str(HEADER);
        out.push('\n');
        for p in &self.points {
            out.push_str(&p.day.format("%Y-%m-%d").to_string());
            out.push(',');
            // Round-trips exactly: the shortest text that reads back as the same number.
            out.push_str(&format!("{}", p.value));
            out.push('\n');
        }
        out
    }

    /// The value on `day`, when there is one.
    pub fn on(&self, day: NaiveDate) -> Option<f64> {
        self.points
            .binary_search_by_key(&day, |p| p.day)
            .ok()
            .map(|i| self.points[i].value)
    }

    /// The last point.
    pub fn last(&self) -> Option<&Point> {
        self.points.last()
    }

    /// The days of this series in `first..=last` that `newer` has no value for: what replacing
    /// this series' range with `newer` would lose.
    pub fn dropped_by(&self, newer: &Series, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        self.points
            .iter()
            .filter(|p| p.day >= first && p.day <= last && newer.on(p.day).is_none())
            .map(|p| p.day)
            .collect()
    }

    /// This series with `newer`'s points in its range `first..=last` replacing its own there,
    /// and its points outside that range kept.
    pub fn merged(&self, newer: &Series, first: NaiveDate, last: NaiveDate) -> Series {
        let mut points: Vec<Point> = self
            .points
            .iter()
            .filter(|p| p.day < first || p.day > last)
            .copied()
            .chain(newer.points.iter().copied())
            .map(|mut p| {
                p.offset = 0;
                p
            })
            .collect();
        points.sort_by_key(|p| p.day);
        points.dedup_by_key(|p| p.day);
        Series { points }
    }
}

/// Days (sorted) written as runs: `2026-12-01 to 2026-12-14, 2026-12-20`; past `max` runs the
/// rest is counted, not listed.
pub fn day_runs(days: &[NaiveDate], max: usize) -> String {
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &d in days {
        match runs.last_mut() {
            Some((_, end)) if end.succ_opt() == Some(d) => *end = d,
            _ => runs.push((d, d)),
        }
    }
    let mut parts: Vec<String> = runs
        .iter()
        .take(max)
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a} to {b}")
            }
        })
        .collect();
    if runs.len() > max {
        let rest: i64 = runs[max..]
            .iter()
            .map(|(a, b)| (*b - *a).num_days() + 1)
            .sum();
        parts.push(format!(
            "and {rest} more {}",
            if rest == 1 { "day" } else { "days" }
        ));
    }
    parts.join(", ")
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    record: &csv::StringRecord,
    row_start: usize,
    field_at: &dyn Fn(usize) -> usize,
    unit: Option<Unit>,
    today: NaiveDate,
    points: &mut Vec<Point>,
    bad: &mut Vec<Invalid>,
) {
    if record.len() != 2 {
        bad.push(Invalid {
            offset: row_start,
            len: record.as_slice().len().max(1),
            message: format!("this row has {} fields; a row is `day,value`", record.len()),
            help: "write `YYYY-MM-DD,number`, e.g. `2026-12-01,4.2`".into(),
        });
        return;
    }
    let day_text = record.get(0).unwrap_or_default();
    let value_text = record.get(1).unwrap_or_default();
    let day = match crate::facts::packet::date_or_problem(day_text.trim()) {
        // A check as of an earlier day sees the series as it stood then.
        Ok(d) if d > today => return,
        Ok(d) => d,
        Err(problem) => {
            bad.push(Invalid {
                offset: field_at(0),
                len: day_text.len().max(1),
                message: problem.describe(day_text.trim()),
                help: "write the day as YYYY-MM-DD".into(),
            });
            return;
        }
    };
    match value(value_text, unit) {
        Ok(v) => points.push(Point {
            day,
            value: v,
            offset: row_start,
        }),
        Err(message) => bad.push(Invalid {
            offset: field_at(1),
            len: value_text.len().max(1),
            message,
            help: match unit {
                Some(u) => format!(
                    "write a number, bare or with the target's unit `{}`",
                    u.as_str()
                ),
                None => "write a number, e.g. 4.2".into(),
            },
        }),
    }
}

/// A value field: a number, optionally followed by the target's unit.
fn value(text: &str, unit: Option<Unit>) -> Result<f64, String> {
    let t = text.trim();
    let Some((v, rest)) = number(t) else {
        return Err(format!(
            "`{}` is not a number",
            crate::support::words::neutral(t)
        ));
    };
    let rest = rest.trim();
    if rest.is_empty() {
        return Ok(v);
    }
    match Unit::read(rest) {
        Some((u, tail)) if tail.trim().is_empty() => match unit {
            Some(want) if want == u => Ok(v),
            Some(want) => Err(format!(
                "`{t}` is in {}, but the target is in {}",
                u.as_str(),
                want.as_str()
            )),
            None => Err(format!(
                "`{t}` has a unit, but the target has none; write the unit in the target too (e.g. `>= 4{}`)",
                u.as_str()
            )),
        },
        _ => Err(format!(
            "`{}` is not a number",
            crate::support::words::neutral(t)
        )),
    }
}

fn short(e: &csv::Error) -> String {
    let s = e.to_string();
    s.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    #[test]
    fn the_days_a_pull_would_drop_are_named_as_runs() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (old, _) = Series::parse(
            "day,value\n2026-11-30,1\n2026-12-01,1\n2026-12-02,1\n2026-12-03,1\n2026-12-05,1\n",
            None,
            today(),
        );
        let (newer, _) = Series::parse("day,value\n2026-12-02,2\n", None, today());
        let lost = old.dropped_by(&newer, d("2026-12-01"), d("2026-12-07"));
        assert_eq!(day_runs(&lost, 5), "2026-12-01, 2026-12-03, 2026-12-05");
        assert!(
            old.dropped_by(&old, d("2026-11-01"), d("2026-12-07"))
                .is_empty()
        );
        let all = old.dropped_by(&Series::default(), d("2026-11-01"), d("2026-12-07"));
        assert_eq!(
            day_runs(&all, 1),
            "2026-11-30 to 2026-12-03, and 1 more day"
        );
    }

    #[test]
    fn a_clean_file_reads_and_writes_back_byte_identical() {
        let text = "day,value\n2026-12-01,4.2\n2026-12-02,4\n2026-12-03,0.125\n";
        let (s, bad) = Series::parse(text, None, today());
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(s.points.len(), 3);
        assert_eq!(s.to_csv(), text);
    }

    #[test]
    fn every_invalid_form_is_located() {
        let text = "day,value\n2026-13-01,4\n2026-12-02,lots\n2026-12-03,4 ms\n2026-12-05,5\n2026-12-04\n2026-12-05,4%\n2027-01-01,1\n";
        let (s, bad) = Series::parse(text, Some(Unit::Percent), today());
        let lines: Vec<usize> = bad
            .iter()
            .map(|b| text[..b.offset].matches('\n').count() + 1)
            .collect();
        assert_eq!(lines, [2, 3, 4, 6, 7], "{bad:#?}");
        assert!(
            bad[2].message.contains("target is in %"),
            "{}",
            bad[2].message
        );
        assert!(bad[4].message.contains("twice"));
        assert_eq!(
            s.points.len(),
            1,
            "the valid row is kept, the day after today left out"
        );
    }

    #[test]
    fn a_missing_header_is_named_and_the_row_kept() {
        let (s, bad) = Series::parse("2026-12-01,4\n", None, today());
        assert_eq!(bad.len(), 1);
        assert!(bad[0].message.contains("header"));
        assert_eq!(s.points.len(), 1);
    }

    #[test]
    fn merging_replaces_only_the_range_pulled() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 12, n).unwrap();
        let p = |n, v| Point {
            day: d(n),
            value: v,
            offset: 0,
        };
        let old = Series {
            points: vec![p(1, 1.0), p(2, 2.0), p(3, 3.0)],
        };
        let new = Series {
            points: vec![p(2, 20.0), p(4, 4.0)],
        };
        let m = old.merged(&new, d(2), d(4));
        assert_eq!(m.points, vec![p(1, 1.0), p(2, 20.0), p(4, 4.0)]);
    }
}
