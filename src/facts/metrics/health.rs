//! What a KPI series did around day 0: the stability window before it (which days met the
//! target, missed it, or are missing), and after it the latest run of misses (a breach).

use super::series::Series;
use super::target::Target;
use crate::facts::kind::spec::KpiSpec;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// A day that missed the target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Miss {
    /// The day.
    pub day: NaiveDate,
    /// Its value.
    pub value: f64,
    /// How far from the target.
    pub by: f64,
}

/// The series judged against its target around day 0.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// The stability window's first day (day 0 minus the window).
    pub window_start: NaiveDate,
    /// Its last day (the day before day 0).
    pub window_end: NaiveDate,
    /// Days of the window that have passed (up to yesterday, or the whole window after day 0).
    pub window_days_due: i64,
    /// Days of the window with a value meeting the target.
    pub met: i64,
    /// Days of the window whose value missed the target.
    pub misses: Vec<Miss>,
    /// Days of the window that have passed without a value.
    pub gaps: Vec<NaiveDate>,
    /// Relative spread over the window: (max − min) / |mean|, when there are values.
    pub spread: Option<f64>,
    /// Lowest and highest value in the window.
    pub min_max: Option<(f64, f64)>,
    /// Whether the window, complete, meets the kind's rule.
    pub stable: bool,
    /// The latest value.
    pub last: Option<(NaiveDate, f64)>,
    /// Whether the latest value meets the target.
    pub last_met: Option<bool>,
    /// After day 0: the run of consecutive misses the series ends with, when it is at least the
    /// kind's `breach_days` long (first day, length).
    pub breach: Option<(NaiveDate, i64)>,
    /// Days since the last value, when more than the freshness allows (the allowed lag, the lag).
    pub stale: Option<(i64, i64)>,
}

impl Health {
    /// Judge `series` against `target` for a packet whose day 0 is `day0`, on `today`;
    /// `lag` is how many days old the last value may be.
    pub fn assess(
        series: &Series,
        target: &Target,
        spec: &KpiSpec,
        day0: NaiveDate,
        today: NaiveDate,
        lag: i64,
    ) -> Health {
        let window = i64::from(spec.window).min(crate::facts::kind::MAX_DAYS);
        let window_start = day0 - Duration::days(window);
        let window_end = day0 - Duration::days(1);
        let due_end = window_end.min(today - Duration::days(1));
        let mut misses = Vec::new();
        let mut gaps = Vec::new();
        let mut met = 0;
        let mut values = Vec::new();
        let mut day = window_start;
        while day <= due_end {
            match series.on(day) {
                Some(v) if target.met(v) => {
                    met += 1;
                    values.push(v);
                }
                Some(v) => {
                    misses.push(Miss {
                        day,
                        value: v,
                        by: target.shortfall(v),
                    });
                    values.push(v);
                }
                None => gaps.push(day),
            }
            day += Duration::days(1);
        }
        let window_days_due = (due_end - window_start).num_days().max(-1) + 1;
        let min_max = values.iter().fold(None, |acc: Option<(f64, f64)>, v| {
            Some(acc.map_or((*v, *v), |(lo, hi)| (lo.min(*v), hi.max(*v))))
        });
        let spread = min_max.and_then(|(lo, hi)| {
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            (mean.abs() > f64::EPSILON).then(|| (hi - lo) / mean.abs())
        });
        let complete = window_days_due >= window && gaps.is_empty();
        let stable = complete
            && misses.len() as i64 <= i64::from(spec.misses)
            && spec
                .max_spread
                .is_none_or(|max| spread.is_none_or(|s| s <= max));
        let last = series.last().map(|p| (p.day, p.value));
        let last_met = last.map(|(_, v)| target.met(v));
        // The run of misses the series ends with, counting only days from day 0 on.
        let mut breach = None;
        if today >= day0 {
            let mut run = 0i64;
            let mut first = None;
            for p in series.points.iter().rev() {
                if p.day < day0 || target.met(p.value) {
                    break;
                }
                run += 1;
                first = Some(p.day);
            }
            if let Some(first) = first
                && run >= i64::from(spec.breach_days.max(1))
            {
                breach = Some((first, run));
            }
        }
        let stale = last.and_then(|(d, _)| {
            let age = (today - d).num_days();
            (age > lag).then_some((lag, age))
        });
        Health {
            window_start,
            window_end,
            window_days_due: window_days_due.clamp(0, window),
            met,
            misses,
            gaps,
            spread,
            min_max,
            stable,
            last,
            last_met,
            breach,
            stale,
        }
    }

    /// `9 of the 14 days meet >= 4%`.
    pub fn progress(&self, window: u32, target: &Target) -> String {
        format!(
            "{} of the {} days before day 0 meet {}",
            self.met, window, target
        )
    }

    /// The misses as `2026-11-28 (3.1%, 0.9 short)`, the first few.
    pub fn misses_text(&self, target: &Target, most: usize) -> String {
        let mut parts: Vec<String> = self
            .misses
            .iter()
            .take(most)
            .map(|m| {
                format!(
                    "{} ({}, {} off)",
                    m.day,
                    target.show(m.value),
                    target.show(m.by)
                )
            })
            .collect();
        if self.misses.len() > most {
            parts.push(format!("and {} more", self.misses.len() - most));
        }
        parts.join(", ")
    }
}

/// Days as `2026-12-01, 2026-12-02` (runs of three or more as `2026-12-01 to 2026-12-05`).
pub fn days_text(days: &[NaiveDate]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] - days[j] == Duration::days(1) {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{} to {}", days[i], days[j]));
        } else {
            for d in &days[i..=j] {
                parts.push(d.to_string());
            }
        }
        i = j + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::metrics::series::Point;

    fn d(m: u32, n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, n).unwrap()
    }

    fn series(from: NaiveDate, values: &[f64]) -> Series {
        Series {
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| Point {
                    day: from + Duration::days(i as i64),
                    value: *v,
                    offset: 0,
                })
                .collect(),
        }
    }

    fn spec() -> KpiSpec {
        KpiSpec::default()
    }

    #[test]
    fn fourteen_good_days_are_stable_and_one_miss_is_named() {
        let t = Target::parse(">= 4%").unwrap();
        let day0 = d(12, 15);
        let mut values = vec![4.5; 14];
        let s = series(d(12, 1), &values);
        let h = Health::assess(&s, &t, &spec(), day0, day0, 1);
        assert!(
            h.stable && h.misses.is_empty() && h.gaps.is_empty(),
            "{h:?}"
        );
        values[3] = 3.2;
        let h = Health::assess(&series(d(12, 1), &values), &t, &spec(), day0, day0, 1);
        assert!(!h.stable);
        assert_eq!(h.misses.len(), 1);
        assert_eq!(h.misses[0].day, d(12, 4));
        assert!(h.misses_text(&t, 3).contains("2026-12-04 (3.2%, 0.8% off)"));
        let lenient = KpiSpec {
            misses: 1,
            ..spec()
        };
        assert!(Health::assess(&series(d(12, 1), &values), &t, &lenient, day0, day0, 1).stable);
    }

    #[test]
    fn before_day_0_only_the_days_passed_count_and_gaps_are_listed() {
        let t = Target::parse(">= 4").unwrap();
        let day0 = d(12, 15);
        let s = series(d(12, 1), &[5.0, 5.0, 5.0]);
        let h = Health::assess(&s, &t, &spec(), day0, d(12, 6), 1);
        assert_eq!(h.window_days_due, 5);
        assert_eq!(h.met, 3);
        assert_eq!(h.gaps, vec![d(12, 4), d(12, 5)]);
        assert!(!h.stable);
        assert_eq!(days_text(&h.gaps), "2026-12-04, 2026-12-05");
        assert_eq!(h.stale, Some((1, 3)));
    }

    #[test]
    fn a_run_of_misses_after_day_0_is_a_breach() {
        let t = Target::parse("< 300 ms").unwrap();
        let day0 = d(12, 1);
        let s = series(d(11, 17), &[250.0; 14]);
        let mut after = s.clone();
        for (i, v) in [250.0, 320.0, 330.0, 340.0].iter().enumerate() {
            after.points.push(Point {
                day: day0 + Duration::days(i as i64),
                value: *v,
                offset: 0,
            });
        }
        let h = Health::assess(&after, &t, &spec(), day0, d(12, 5), 1);
        assert_eq!(h.breach, Some((d(12, 2), 3)));
        let patient = KpiSpec {
            breach_days: 4,
            ..spec()
        };
        assert_eq!(
            Health::assess(&after, &t, &patient, day0, d(12, 5), 1).breach,
            None
        );
    }

    #[test]
    fn a_window_of_any_size_is_bounded() {
        let t = Target::parse(">= 1").unwrap();
        let huge = KpiSpec {
            window: u32::MAX,
            ..spec()
        };
        let h = Health::assess(
            &series(d(12, 1), &[5.0]),
            &t,
            &huge,
            d(12, 15),
            d(12, 16),
            1,
        );
        assert!(!h.stable);
    }

    #[test]
    fn a_spread_rule_judges_the_window() {
        let t = Target::parse(">= 1").unwrap();
        let day0 = d(12, 15);
        let mut values = vec![10.0; 14];
        values[0] = 13.0;
        let tight = KpiSpec {
            max_spread: Some(0.2),
            ..spec()
        };
        assert!(!Health::assess(&series(d(12, 1), &values), &t, &tight, day0, day0, 1).stable);
        values[0] = 11.0;
        assert!(Health::assess(&series(d(12, 1), &values), &t, &tight, day0, day0, 1).stable);
    }
}
