//! A KPI series from a CSV export kept in the repository: a `day` (or `date`) column and one
//! column per KPI; the packet's series names its column.

use super::{MAX_CSV_BYTES, Request, Rows, SourceError};
use crate::facts::metrics::series::Series;
use std::path::Path;

/// Read `column` of the export at `path`.
pub fn fetch(path: &Path, root: &Path, column: &str, req: &Request) -> Result<Series, SourceError> {
    let shown = crate::support::paths::shown(path);
    let text = crate::support::inside::read_text(path, root, MAX_CSV_BYTES).map_err(|e| {
        SourceError::new(
            format!("{shown}: {e}"),
            "fix `path` of the csv source in handoff.toml",
        )
    })?;
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| SourceError::new(format!("{shown}: {e}"), "start the file with a header row"))?
        .clone();
    let find = |want: &[&str]| {
        headers
            .iter()
            .position(|h| want.iter().any(|w| h.trim().eq_ignore_ascii_case(w)))
    };
    let day_at = find(&["day", "date"]).ok_or_else(|| {
        SourceError::new(
            format!("{shown} has no `day` column"),
            "name the column of dates `day`",
        )
    })?;
    let value_at = find(&[column]).ok_or_else(|| {
        let names: Vec<&str> = headers.iter().collect();
        SourceError::new(
            format!(
                "{shown} has no column `{column}`{}",
                crate::support::suggest::did_you_mean(column, names.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            ),
            format!("its columns are: {}", names.join(", ")),
        )
    })?;
    let mut out = Rows::new(req);
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record =
            record.map_err(|e| SourceError::new(format!("{shown}:{line}: {e}"), "fix the row"))?;
        let day_text = record.get(day_at).unwrap_or_default();
        let day = crate::facts::metrics::parse_day(day_text).ok_or_else(|| {
            SourceError::new(
                format!(
                    "{shown}:{line}: `{}` is not a day written YYYY-MM-DD",
                    crate::support::words::neutral(day_text)
                ),
                "fix the row",
            )
        })?;
        let value_text = record.get(value_at).unwrap_or_default().trim();
        let value = if value_text.is_empty() {
            None
        } else {
            Some(value_text.parse::<f64>().map_err(|_| {
                SourceError::new(
                    format!(
                        "{shown}:{line}: `{}` in column `{column}` is not a number",
                        crate::support::words::neutral(value_text)
                    ),
                    "fix the row, or leave the cell empty for a day without data",
                )
            })?)
        };
        out.push(line, day, value)?;
    }
    out.finish()
}
