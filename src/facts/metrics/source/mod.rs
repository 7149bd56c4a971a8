//! Where `metrics pull` reads a KPI series from: `[sources.NAME]` in `handoff.toml`, one driver
//! per kind of source. Each returns the days of a range with their values; none is ever run by
//! `check`, which judges only the committed file.

mod csv_file;
mod postgres;
mod sqlite;

use super::series::Series;
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// At most this many rows are read from a source for one packet (about 270 years of days): a
/// query that returns more is stopped, not held in memory.
pub const MAX_ROWS: usize = 100_000;

/// A CSV source file is read up to this size.
pub const MAX_CSV_BYTES: u64 = 64 * 1024 * 1024;

/// What kind of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A SQLite database file in the repository (compiled in; no server).
    Sqlite,
    /// A PostgreSQL server (a warehouse, Supabase), its connection string from the environment.
    Postgres,
    /// A CSV export in the repository: a `day` column and one column per KPI.
    Csv,
}

/// `[sources.NAME]` in `handoff.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// `sqlite`, `postgres` or `csv`.
    pub kind: SourceKind,
    /// For sqlite and csv: the file, relative to the repository.
    pub path: Option<String>,
    /// For postgres: the environment variable holding the connection string (never the repo).
    pub url_env: Option<String>,
    /// Seconds a connection or a query may take (default 30, at most 3600).
    #[serde(default = "thirty")]
    pub timeout: u64,
}

fn thirty() -> u64 {
    30
}

/// One request for a packet's series.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The SQL (sqlite, postgres): one row a day, a date and a number; `?1`/`$1` and `?2`/`$2`
    /// are the first and last day of the range.
    pub query: Option<&'a str>,
    /// The column (csv).
    pub column: Option<&'a str>,
    /// The first day wanted.
    pub first: NaiveDate,
    /// The last day wanted.
    pub last: NaiveDate,
}

/// Why a source could not be read; the message never holds a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// What went wrong, in the source's words where it has them.
    pub message: String,
    /// What to do.
    pub help: String,
}

impl SourceError {
    fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        SourceError {
            message: message.into(),
            help: help.into(),
        }
    }
}

impl SourceConfig {
    /// What is wrong with the entry before anything is connected to, when anything is: a
    /// missing `path` or `url_env`, or an environment variable that is not set.
    pub fn problem(&self, name: &str) -> Option<SourceError> {
        let fix = |what: &str| format!("set {what} in [sources.{name}] of handoff.toml");
        if !(1..=3600).contains(&self.timeout) {
            return Some(SourceError::new(
                format!(
                    "[sources.{name}] timeout = {} is out of range",
                    self.timeout
                ),
                "write a number of seconds from 1 to 3600",
            ));
        }
        match self.kind {
            SourceKind::Sqlite | SourceKind::Csv if self.path.is_none() => Some(SourceError::new(
                format!("[sources.{name}] names no `path`"),
                fix("path = \"data/kpis.db\""),
            )),
            SourceKind::Postgres => match self.url_env.as_deref() {
                None => Some(SourceError::new(
                    format!("[sources.{name}] names no `url_env`"),
                    fix(
                        "url_env = \"KPI_DATABASE_URL\" (the connection string never goes in the repository)",
                    ),
                )),
                Some(var) if std::env::var_os(var).is_none_or(|v| v.is_empty()) => {
                    Some(SourceError::new(
                        format!(
                            "the environment variable {var} that [sources.{name}] names is not set"
                        ),
                        format!(
                            "export {var}=postgres://user:password@host/db (in CI, from a secret)"
                        ),
                    ))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Read the series of `req` from this source; `root` is the repository.
    pub fn fetch(&self, name: &str, root: &Path, req: &Request) -> Result<Series, SourceError> {
        if let Some(e) = self.problem(name) {
            return Err(e);
        }
        let timeout = Duration::from_secs(self.timeout);
        match self.kind {
            SourceKind::Sqlite => {
                let path = self.file_in(root)?;
                sqlite::fetch(&path, query(req, name)?, req, timeout)
            }
            SourceKind::Postgres => {
                let var = self.url_env.as_deref().unwrap_or_default();
                let url = std::env::var(var).map_err(|_| {
                    SourceError::new(
                        format!("the environment variable {var} is not valid UTF-8"),
                        "set it to a postgres:// connection string",
                    )
                })?;
                postgres::fetch(&url, query(req, name)?, req, timeout)
            }
            SourceKind::Csv => {
                let path = self.file_in(root)?;
                let column = req.column.ok_or_else(|| {
                    SourceError::new(
                        format!("the series names no `column` of the csv source {name}"),
                        "add `column: <the KPI's column>` under `series:`",
                    )
                })?;
                csv_file::fetch(&path, root, column, req)
            }
        }
    }

    fn file_in(&self, root: &Path) -> Result<std::path::PathBuf, SourceError> {
        let rel = self.path.as_deref().unwrap_or_default();
        let path = root.join(rel);
        if Path::new(rel).is_absolute() || rel.split(['/', '\\']).any(|c| c == "..") {
            return Err(SourceError::new(
                format!("`{rel}` is not a path inside the repository"),
                "name the file relative to the repository, without `..`",
            ));
        }
        crate::support::inside::resolve_inside(&path, root).map_err(|e| {
            SourceError::new(
                format!("{}: {e}", crate::support::paths::shown(&path)),
                "create the file, or fix `path` in handoff.toml",
            )
        })
    }
}

fn query<'a>(req: &Request<'a>, name: &str) -> Result<&'a str, SourceError> {
    req.query.filter(|q| !q.trim().is_empty()).ok_or_else(|| {
        SourceError::new(
            format!("the series names no `query` for the source {name}"),
            "add `query: select day, value from ... where day between ?1 and ?2` under `series:`",
        )
    })
}

/// Collects a source's rows: bounded in count (every row returned counts, also one outside the
/// range or without a value), days within the range, one value a day.
struct Rows {
    series: Series,
    seen: usize,
    req_first: NaiveDate,
    req_last: NaiveDate,
}

impl Rows {
    fn new(req: &Request) -> Self {
        Rows {
            series: Series::default(),
            seen: 0,
            req_first: req.first,
            req_last: req.last,
        }
    }

    /// Add a row; `None` values (SQL NULL) leave the day out.
    fn push(&mut self, row: usize, day: NaiveDate, value: Option<f64>) -> Result<(), SourceError> {
        self.seen += 1;
        if self.seen > MAX_ROWS {
            return Err(SourceError::new(
                format!("the query returned more than {MAX_ROWS} rows"),
                "return one row a day, limited to the range ?1..?2 ($1..$2 in Postgres)",
            ));
        }
        let Some(value) = value else { return Ok(()) };
        if !value.is_finite() {
            return Err(SourceError::new(
                format!("row {row}: the value is not a finite number"),
                "return a number for every day (NULL leaves the day out)",
            ));
        }
        if day < self.req_first || day > self.req_last {
            return Ok(());
        }
        self.series.points.push(super::Point {
            day,
            value,
            offset: 0,
        });
        Ok(())
    }

    fn finish(mut self) -> Result<Series, SourceError> {
        self.series.points.sort_by_key(|p| p.day);
        if let Some(w) = self.series.points.windows(2).find(|w| w[0].day == w[1].day) {
            return Err(SourceError::new(
                format!("the query returned {} more than once", w[0].day),
                "group by day so that each day has one row",
            ));
        }
        Ok(self.series)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_missing_what_it_needs_is_named_before_any_connection() {
        let cfg: SourceConfig =
            toml::from_str("kind = \"postgres\"\nurl_env = \"HANDOFF_TEST_UNSET_URL\"").unwrap();
        let e = cfg.problem("warehouse").unwrap();
        assert!(e.message.contains("HANDOFF_TEST_UNSET_URL"), "{e:?}");
        let cfg: SourceConfig = toml::from_str("kind = \"sqlite\"").unwrap();
        assert!(cfg.problem("local").unwrap().message.contains("path"));
        assert!(toml::from_str::<SourceConfig>("kind = \"mysql\"").is_err());
    }

    #[test]
    fn every_row_returned_counts_toward_the_cap_also_outside_the_range() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let req = Request {
            query: None,
            column: None,
            first: day(10),
            last: day(11),
        };
        let mut rows = Rows::new(&req);
        for n in 1..=MAX_ROWS {
            rows.push(n, day(1), Some(1.0)).unwrap();
        }
        let e = rows.push(MAX_ROWS + 1, day(1), None).unwrap_err();
        assert!(e.message.contains("more than 100000 rows"), "{e:?}");
    }
}
