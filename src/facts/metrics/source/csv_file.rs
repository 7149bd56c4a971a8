//! A KPI series from a CSV export kept in the repository: a `day` (or `date`) column and one
//! column per KPI; the packet's series names its column. The separator is found from the header:
//! a comma, or the semicolon, tab or bar that spreadsheet exports in many locales write (with a
//! decimal comma then read as a decimal point).

use super::{MAX_CSV_BYTES, Request, Rows, SourceError};
use crate::facts::metrics::series::Series;
use crate::support::words::neutral;
use std::path::Path;

/// A header is read up to this many columns: an export with a KPI a column has tens.
pub(super) const MAX_COLUMNS: usize = 4096;

/// The column names an error message lists at most.
const LISTED_COLUMNS: usize = 20;

/// A cell is quoted in a message up to this many characters.
const SHOWN_CELL: usize = 80;

/// The separators tried, in order: the first whose header has a day column is the file's.
const SEPARATORS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Read `column` of the export at `path`.
pub(super) fn fetch(
    path: &Path,
    root: &Path,
    column: &str,
    req: &Request,
) -> Result<Series, SourceError> {
    let shown = crate::support::paths::shown(path);
    let text = crate::support::inside::read_text(path, root, MAX_CSV_BYTES).map_err(|e| {
        SourceError::new(
            format!("{shown}: {e}"),
            "fix `path` of the csv source in handoff.toml",
        )
    })?;
    // The separator is sniffed from the start of the first line.
    let mut first_line = text.lines().next().unwrap_or_default();
    if first_line.len() > 64 * 1024 {
        let mut end = 64 * 1024;
        while !first_line.is_char_boundary(end) {
            end -= 1;
        }
        first_line = &first_line[..end];
    }
    let separator = separator(first_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            SourceError::new(
                format!("{shown}:1: {}", cell(&e.to_string())),
                "start the file with a header row",
            )
        })?
        .clone();
    if headers.len() > MAX_COLUMNS {
        return Err(SourceError::new(
            format!(
                "{shown}:1: the header has {} columns; at most {MAX_COLUMNS} are read",
                headers.len()
            ),
            "export the day and the KPI columns only",
        ));
    }
    let find = |want: &[&str]| {
        headers
            .iter()
            .position(|h| want.iter().any(|w| h.trim().eq_ignore_ascii_case(w)))
    };
    let listed = || {
        let names: Vec<String> = headers
            .iter()
            .take(LISTED_COLUMNS)
            .map(|h| format!("`{}`", cell(h)))
            .collect();
        let more = headers.len().saturating_sub(LISTED_COLUMNS);
        if more > 0 {
            format!("{} and {more} more", names.join(", "))
        } else {
            names.join(", ")
        }
    };
    let day_at = find(&["day", "date"]).ok_or_else(|| {
        SourceError::new(
            format!("{shown}:1 has no `day` column (its columns: {})", listed()),
            "name the column of dates `day`; the columns may be separated by `,`, `;`, a tab or `|`",
        )
    })?;
    let value_at = find(&[column]).ok_or_else(|| {
        SourceError::new(
            format!(
                "{shown}:1 has no column `{}`{}",
                cell(column),
                crate::support::suggest::did_you_mean(column, headers.iter())
                    .map(|s| format!("; did you mean `{}`?", cell(s)))
                    .unwrap_or_default()
            ),
            format!("its columns are: {}", listed()),
        )
    })?;
    let mut out = Rows::new(req);
    let mut record = csv::StringRecord::new();
    loop {
        // The line the next record starts on, as the reader counts the file's lines.
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                return Err(SourceError::new(
                    format!("{shown}:{line}: {}", cell(&e.to_string())),
                    "fix the row",
                ));
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        let day_text = record.get(day_at).unwrap_or_default();
        let day = crate::facts::metrics::parse_day(day_text).ok_or_else(|| {
            SourceError::new(
                format!(
                    "{shown}:{line}: `{}` is not a day written YYYY-MM-DD",
                    cell(day_text)
                ),
                "fix the row",
            )
        })?;
        let value_text = record.get(value_at).unwrap_or_default().trim();
        let value = if value_text.is_empty() {
            None
        } else {
            Some(number(value_text, separator).ok_or_else(|| {
                SourceError::new(
                    format!(
                        "{shown}:{line}: `{}` in column `{}` is not a number",
                        cell(value_text),
                        cell(column)
                    ),
                    "fix the row, or leave the cell empty for a day without data",
                )
            })?)
        };
        out.push(line as usize, day, value)?;
    }
    out.finish()
}

/// The separator of a file whose first line is `header`: the first of [`SEPARATORS`] that splits
/// off a `day` or `date` column, else the one that splits it into the most columns.
fn separator(header: &str) -> u8 {
    let columns = |sep: u8| -> Vec<String> {
        csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(false)
            .from_reader(header.as_bytes())
            .records()
            .next()
            .and_then(Result::ok)
            .map(|r| r.iter().map(|c| c.trim().to_ascii_lowercase()).collect())
            .unwrap_or_default()
    };
    SEPARATORS
        .into_iter()
        .find(|&sep| columns(sep).iter().any(|c| c == "day" || c == "date"))
        .unwrap_or_else(|| {
            SEPARATORS
                .into_iter()
                .max_by_key(|&sep| (columns(sep).len(), sep == b','))
                .unwrap_or(b',')
        })
}

/// A cell's number; with another separator than the comma, a decimal comma reads as a point.
fn number(text: &str, separator: u8) -> Option<f64> {
    text.parse::<f64>().ok().or_else(|| {
        (separator != b',' && text.matches(',').count() == 1 && !text.contains('.'))
            .then(|| text.replace(',', ".").parse::<f64>().ok())
            .flatten()
    })
}

/// A cell for a message: control and bidi characters written out, at most [`SHOWN_CELL`]
/// characters.
fn cell(text: &str) -> String {
    let mut cut: String = text.chars().take(SHOWN_CELL).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    neutral(&cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_the_one_that_finds_the_day() {
        assert_eq!(separator("day,signups"), b',');
        assert_eq!(separator("Day;Signups;Rate"), b';');
        assert_eq!(separator("date\trate"), b'\t');
        assert_eq!(separator("\"day\"|\"rate\""), b'|');
        // A header with a comma inside a `;`-separated name is still `;`.
        assert_eq!(separator("day;\"rate, %\""), b';');
        assert_eq!(separator("when;rate;x"), b';');
    }

    #[test]
    fn a_decimal_comma_reads_only_where_the_comma_is_not_the_separator() {
        assert_eq!(number("4,25", b';'), Some(4.25));
        assert_eq!(number("4.25", b';'), Some(4.25));
        assert_eq!(number("1,234.5", b';'), None);
        assert_eq!(number("4,25", b','), None);
    }

    #[test]
    fn a_cell_in_a_message_is_short_and_neutral() {
        let long = "x".repeat(10_000);
        assert!(cell(&long).chars().count() <= SHOWN_CELL + 1);
        assert_eq!(cell("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
    }
}
