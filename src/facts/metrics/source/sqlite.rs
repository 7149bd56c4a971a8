//! A KPI series from a SQLite file in the repository, opened read-only: the query may only read
//! (no writes, no attached databases), and is interrupted when it runs past the timeout.

use super::{Request, Rows, SourceError};
use crate::facts::metrics::series::Series;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::{Duration, Instant};

/// Run `query` over the database at `path`.
pub(super) fn fetch(
    path: &Path,
    query: &str,
    req: &Request,
    timeout: Duration,
) -> Result<Series, SourceError> {
    let db_error = |e: rusqlite::Error| {
        let message = match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                format!(
                    "the query ran past its timeout of {} s and was stopped",
                    timeout.as_secs()
                )
            }
            _ => format!("SQLite says: {e}"),
        };
        SourceError::new(
            message,
            "fix the query under `series:` (it must return one row a day: a date, then a number)",
        )
    };
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db_error)?;
    // A packet's query is written by whoever opens a pull request: it reads this file and
    // nothing else.
    conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_ATTACHED, 0)
        .map_err(db_error)?;
    conn.pragma_update(None, "query_only", true)
        .map_err(db_error)?;
    conn.busy_timeout(timeout).map_err(db_error)?;
    let deadline = Instant::now() + timeout;
    conn.progress_handler(10_000, Some(move || Instant::now() > deadline))
        .map_err(db_error)?;
    let mut stmt = conn
        .prepare(query.trim().trim_end_matches(';'))
        .map_err(db_error)?;
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    if stmt.column_count() != 2 {
        return Err(SourceError::new(
            format!(
                "the query returns {} columns ({}); it must return two: the day, then the value",
                stmt.column_count(),
                names.join(", ")
            ),
            "select exactly `day, value`, e.g. `select day, rate from kpi where day between ?1 and ?2`",
        ));
    }
    let first = req.first.format("%Y-%m-%d").to_string();
    let last = req.last.format("%Y-%m-%d").to_string();
    let params: Vec<&dyn rusqlite::ToSql> = match stmt.parameter_count() {
        0 => vec![],
        1 => vec![&first],
        2 => vec![&first, &last],
        n => {
            return Err(SourceError::new(
                format!(
                    "the query has {n} parameters; it may use two: ?1 (the first day) and ?2 (the last)"
                ),
                "write the range as `where day between ?1 and ?2`",
            ));
        }
    };
    let mut rows = stmt.query(params.as_slice()).map_err(db_error)?;
    let mut out = Rows::new(req);
    let mut n = 0;
    while let Some(row) = rows.next().map_err(db_error)? {
        n += 1;
        let day = match row.get_ref(0).map_err(db_error)? {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .ok()
                .and_then(crate::facts::metrics::parse_day),
            _ => None,
        }
        .ok_or_else(|| {
            SourceError::new(
                format!(
                    "row {n}: column `{}` is not a day written YYYY-MM-DD",
                    names[0]
                ),
                "return the day as text, e.g. `date(created_at)`",
            )
        })?;
        let value = match row.get_ref(1).map_err(db_error)? {
            ValueRef::Integer(i) => Some(i as f64),
            ValueRef::Real(r) => Some(r),
            ValueRef::Null => None,
            ValueRef::Text(t) => Some(
                std::str::from_utf8(t)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .ok_or_else(|| {
                        SourceError::new(
                            format!(
                                "row {n}: column `{}` is text that is not a number",
                                names[1]
                            ),
                            "return the value as a number, e.g. `cast(rate as real)`",
                        )
                    })?,
            ),
            ValueRef::Blob(_) => {
                return Err(SourceError::new(
                    format!("row {n}: column `{}` is a blob, not a number", names[1]),
                    "return the value as a number",
                ));
            }
        };
        out.push(n, day, value)?;
    }
    out.finish()
}
