//! A KPI series from PostgreSQL (a warehouse, Supabase). The connection string comes from the
//! environment and is never printed: every message from the driver is redacted first. The query
//! runs in a read-only transaction with a statement timeout.

use super::{Request, Rows, SourceError};
use crate::facts::metrics::series::Series;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use postgres::Config;
use postgres::fallible_iterator::FallibleIterator as _;
use postgres::types::{FromSql, ToSql, Type};
use std::time::Duration;

/// Run `query` on the server at `url`.
pub fn fetch(
    url: &str,
    query: &str,
    req: &Request,
    timeout: Duration,
) -> Result<Series, SourceError> {
    let config: Config = url.parse().map_err(|e: postgres::Error| {
        SourceError::new(
            format!(
                "the connection string cannot be read: {}",
                redact(&e.to_string(), url, None)
            ),
            "write it as postgres://user:password@host:5432/database",
        )
    })?;
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let clean = |e: postgres::Error| redact(&full(&e), url, password.as_deref());
    let mut config = config;
    config.connect_timeout(timeout);
    // TLS when the server offers it (`sslmode=prefer`, the default) or the URL requires it,
    // verified against Mozilla's roots; `sslmode=disable` for a server on this machine.
    let mut client = config.connect(tls()).map_err(|e| {
        SourceError::new(
            format!("cannot connect: {}", clean(e)),
            "check the server is reachable and the credentials in the environment variable",
        )
    })?;
    let ms = timeout.as_millis().min(i32::MAX as u128);
    client
        .batch_execute(&format!(
            "SET statement_timeout = {ms}; SET lock_timeout = {ms}"
        ))
        .map_err(|e| {
            SourceError::new(
                format!("the server refused the session settings: {}", clean(e)),
                "check the role's rights",
            )
        })?;
    let query_error = |e: postgres::Error| {
        let text = clean(e);
        let message = if text.contains("statement timeout") {
            format!(
                "the query ran past its timeout of {} s and was stopped",
                timeout.as_secs()
            )
        } else {
            format!("PostgreSQL says: {text}")
        };
        // A query written for SQLite (`?1`, `?2`) meets Postgres' own parameters ($1, $2).
        let help = if ["?1", "?2"].iter().any(|p| query.contains(p)) {
            "PostgreSQL numbers the parameters $1 and $2: write `day between $1 and $2` where the query has `?1` and `?2`"
        } else {
            "fix the query under `series:` (it must return one row a day: a date, then a number)"
        };
        SourceError::new(message, help)
    };
    // A packet's query is written by whoever opens a pull request: it may only read.
    let mut txn = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(query_error)?;
    let stmt = txn
        .prepare(query.trim().trim_end_matches(';'))
        .map_err(query_error)?;
    let columns = stmt.columns();
    if columns.len() != 2 {
        let names: Vec<&str> = columns.iter().map(|c| c.name()).collect();
        return Err(SourceError::new(
            format!(
                "the query returns {} columns ({}); it must return two: the day, then the value",
                columns.len(),
                names.join(", ")
            ),
            "select exactly `day, value`, e.g. `select day, rate from kpi where day between $1 and $2`",
        ));
    }
    let day_col = columns[0].name().to_string();
    let value_col = columns[1].name().to_string();
    let day_type = columns[0].type_().clone();
    let value_type = columns[1].type_().clone();
    if ![
        Type::DATE,
        Type::TIMESTAMP,
        Type::TIMESTAMPTZ,
        Type::TEXT,
        Type::VARCHAR,
    ]
    .contains(&day_type)
    {
        return Err(SourceError::new(
            format!("column `{day_col}` is of type {day_type}; the first column must be the day"),
            "return a date, e.g. `created_at::date as day`",
        ));
    }
    if ![
        Type::INT2,
        Type::INT4,
        Type::INT8,
        Type::FLOAT4,
        Type::FLOAT8,
        Type::NUMERIC,
    ]
    .contains(&value_type)
    {
        return Err(SourceError::new(
            format!(
                "column `{value_col}` is of type {value_type}; the second column must be a number"
            ),
            "return the value as a number, e.g. `avg(rate)::float8 as value`",
        ));
    }
    let first = req.first;
    let last = req.last;
    let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    if stmt.params().len() > 2 {
        return Err(SourceError::new(
            format!(
                "the query has {} parameters; it may use two: $1 (the first day) and $2 (the last)",
                stmt.params().len()
            ),
            "write the range as `where day between $1 and $2`",
        ));
    }
    for (i, ty) in stmt.params().iter().enumerate() {
        let day = if i == 0 { first } else { last };
        let p: Box<dyn ToSql + Sync> = match *ty {
            Type::DATE => Box::new(day),
            Type::TIMESTAMP => Box::new(day.and_hms_opt(0, 0, 0).unwrap_or_default()),
            Type::TIMESTAMPTZ => Box::new(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
            _ => Box::new(day.format("%Y-%m-%d").to_string()),
        };
        params.push(p);
    }
    let mut rows = txn
        .query_raw(
            &stmt,
            params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)),
        )
        .map_err(query_error)?;
    let mut out = Rows::new(req);
    let mut n = 0;
    let bad_day = |n: usize| {
        SourceError::new(
            format!("row {n}: column `{day_col}` is not a day"),
            "return a date (NULL days are not allowed)",
        )
    };
    while let Some(row) = rows.next().map_err(query_error)? {
        n += 1;
        let day: NaiveDate = match day_type {
            Type::DATE => row.try_get::<_, Option<NaiveDate>>(0).ok().flatten(),
            Type::TIMESTAMP => row
                .try_get::<_, Option<NaiveDateTime>>(0)
                .ok()
                .flatten()
                .map(|t| t.date()),
            Type::TIMESTAMPTZ => row
                .try_get::<_, Option<DateTime<Utc>>>(0)
                .ok()
                .flatten()
                .map(|t| t.date_naive()),
            _ => row
                .try_get::<_, Option<String>>(0)
                .ok()
                .flatten()
                .and_then(|s| crate::facts::metrics::parse_day(&s)),
        }
        .ok_or_else(|| bad_day(n))?;
        let value = match value_type {
            Type::INT2 => row.try_get::<_, Option<i16>>(1).map(|v| v.map(f64::from)),
            Type::INT4 => row.try_get::<_, Option<i32>>(1).map(|v| v.map(f64::from)),
            Type::INT8 => row
                .try_get::<_, Option<i64>>(1)
                .map(|v| v.map(|v| v as f64)),
            Type::FLOAT4 => row.try_get::<_, Option<f32>>(1).map(|v| v.map(f64::from)),
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(1),
            _ => row.try_get::<_, Option<Numeric>>(1).map(|v| v.map(|n| n.0)),
        }
        .map_err(|e| {
            SourceError::new(
                format!(
                    "row {n}: column `{value_col}` cannot be read as a number: {}",
                    clean(e)
                ),
                "return the value as float8",
            )
        })?;
        out.push(n, day, value)?;
    }
    drop(rows);
    // Nothing was written; ending the read-only transaction is all that is left.
    let _ = txn.rollback();
    out.finish()
}

// ring is the provider already in the build (through ureq); its lack of post-quantum key
// exchange, the reason it is marked deprecated, does not matter for a KPI query.
#[allow(deprecated)]
fn tls() -> tokio_postgres_rustls::MakeRustlsConnect {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|b| b.with_root_certificates(roots).with_no_client_auth())
    .unwrap_or_else(|_| {
        rustls::ClientConfig::builder()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()
    });
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

/// The driver's message with its cause (the server's own words are in the source).
fn full(e: &postgres::Error) -> String {
    let mut s = e.to_string();
    if let Some(db) = e.as_db_error() {
        s = db.message().to_string();
        if let Some(detail) = db.detail() {
            s.push_str(&format!(" ({detail})"));
        }
    } else if let Some(src) = std::error::Error::source(e) {
        let cause = src.to_string();
        if !s.contains(&cause) {
            s.push_str(&format!(": {cause}"));
        }
    }
    s
}

/// `text` with the connection string and its password blanked out, wherever they appear.
pub fn redact(text: &str, url: &str, password: Option<&str>) -> String {
    let mut out = text.to_string();
    if !url.is_empty() {
        out = out.replace(url, "<connection string>");
    }
    if let Some(p) = password.filter(|p| p.len() >= 2) {
        out = out.replace(p, "***");
    }
    out
}

/// A NUMERIC read as the nearest f64 (its binary form: base-10000 digits with a weight).
struct Numeric(f64);

impl<'a> FromSql<'a> for Numeric {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        let word = |i: usize| -> Result<i16, Box<dyn std::error::Error + Sync + Send>> {
            raw.get(i..i + 2)
                .map(|b| i16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "a NUMERIC value cut short".into())
        };
        let ndigits = word(0)?.max(0) as usize;
        let weight = i32::from(word(2)?);
        let sign = word(4)? as u16;
        if sign == 0xC000 {
            return Err("NaN is not a number a KPI can hold".into());
        }
        let mut v = 0f64;
        for i in 0..ndigits {
            let d = f64::from(word(8 + 2 * i)?);
            v += d * 10000f64.powi(weight - i as i32);
        }
        Ok(Numeric(if sign == 0x4000 { -v } else { v }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_and_the_url_never_survive_a_message() {
        let url = "postgres://kpi:s3cret-pw@db.internal/warehouse";
        let msg = format!("error connecting to {url}: password s3cret-pw rejected");
        let out = redact(&msg, url, Some("s3cret-pw"));
        assert!(
            !out.contains("s3cret-pw") && !out.contains("db.internal"),
            "{out}"
        );
    }

    #[test]
    fn numeric_reads_its_binary_form() {
        // 12.5 = digits [12, 5000], weight 0, positive, scale 1.
        let raw = [0, 2, 0, 0, 0, 0, 0, 1, 0, 12, 0x13, 0x88];
        let n = Numeric::from_sql(&Type::NUMERIC, &raw).unwrap();
        assert!((n.0 - 12.5).abs() < 1e-9);
        let neg = [0, 1, 0xff, 0xff, 0x40, 0, 0, 2, 0x09, 0xc4];
        assert!((Numeric::from_sql(&Type::NUMERIC, &neg).unwrap().0 + 0.25).abs() < 1e-9);
    }
}
