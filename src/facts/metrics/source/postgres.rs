//! A KPI series from PostgreSQL (a warehouse, Supabase). The connection string comes from the
//! environment and is never printed: every message from the driver is redacted first. TLS as
//! libpq does it (`sslmode`, `sslrootcert`: `conninfo`, `tls`). The query runs in a read-only
//! transaction with a statement timeout, and everything it costs is bounded: one deadline for
//! connecting, running and reading the result, the bytes read from the server, each field, and
//! the rows.

mod conninfo;
mod tls;

use super::{Request, Rows, SourceError};
use crate::facts::metrics::series::Series;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use futures_util::TryStreamExt as _;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;
use tokio_postgres::Config;
use tokio_postgres::config::Host;
use tokio_postgres::types::{FromSql, ToSql, Type};

/// At most this many bytes are read from the server in one pull, the handshake included: a day
/// and a number take about 30 bytes a row, so the row cap is reached long before.
pub(super) const MAX_RESULT_BYTES: u64 = 32 * 1024 * 1024;

/// A field of a row (a day, a number) is at most this long.
pub(super) const MAX_FIELD_BYTES: usize = 1024;

/// Run `query` on the server at `url`.
pub(super) fn fetch(
    url: &str,
    query: &str,
    req: &Request,
    timeout: Duration,
) -> Result<Series, SourceError> {
    let info = conninfo::parse(url).map_err(|e| {
        SourceError::new(
            format!(
                "the connection string cannot be used: {}",
                redact(&e.message, url, None)
            ),
            e.help,
        )
    })?;
    let config: Config = info.rest.parse().map_err(|e: tokio_postgres::Error| {
        SourceError::new(
            format!(
                "the connection string cannot be read: {}",
                redact(&e.to_string(), url, None)
            ),
            "write it as postgres://user:password@host:5432/database?sslmode=verify-full",
        )
    })?;
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let clean = |e: &tokio_postgres::Error| redact(&full(e), url, password.as_deref());
    let (tls_config, failure) = tls::config(info.mode, &info.roots).map_err(|e| {
        SourceError::new(
            format!(
                "TLS cannot be set up: {}",
                redact(&e, url, password.as_deref())
            ),
            "set sslrootcert to a readable PEM file of CA certificates",
        )
    })?;
    let mut config = config;
    config.ssl_mode(match info.mode {
        conninfo::SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        conninfo::SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        _ => tokio_postgres::config::SslMode::Require,
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| SourceError::new(format!("cannot start the client: {e}"), "try again"))?;
    let meter = Arc::new(Meter::default());
    let deadline = Instant::now() + timeout;
    let session = Session {
        config: &config,
        tls: tokio_postgres_rustls::MakeRustlsConnect::new(tls_config),
        meter: meter.clone(),
        deadline,
        timeout,
        mode: info.mode,
        failure,
        clean: &clean,
    };
    let result = runtime.block_on(async {
        match tokio::time::timeout_at(deadline, session.run(query, req)).await {
            Ok(result) => result,
            Err(_) => Err(SourceError::new(
                format!(
                    "the pull ran past its timeout of {} s and was stopped",
                    timeout.as_secs()
                ),
                "make the query faster, or raise `timeout` in [sources.NAME] of handoff.toml",
            )),
        }
    });
    // Whatever is still in flight is dropped with the runtime: the socket closes.
    drop(runtime);
    if meter.exceeded.load(Ordering::Relaxed) {
        return Err(SourceError::new(
            format!(
                "the server sent more than {} MiB; the pull was stopped",
                MAX_RESULT_BYTES >> 20
            ),
            "return one row a day (a date, then a number) within the range $1..$2",
        ));
    }
    result
}

/// One pull: the connection and the query, within one deadline.
struct Session<'a, F: Fn(&tokio_postgres::Error) -> String> {
    config: &'a Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    meter: Arc<Meter>,
    deadline: Instant,
    timeout: Duration,
    mode: conninfo::SslMode,
    failure: tls::Failure,
    clean: &'a F,
}

impl<F: Fn(&tokio_postgres::Error) -> String> Session<'_, F> {
    async fn run(self, query: &str, req: &Request<'_>) -> Result<Series, SourceError> {
        let mut client = self.connect().await?;
        let clean = self.clean;
        let timeout = self.timeout;
        let left = self
            .deadline
            .saturating_duration_since(Instant::now())
            .as_millis()
            .clamp(1, i32::MAX as u128);
        client
            .batch_execute(&format!(
                "SET statement_timeout = {left}; SET lock_timeout = {left}"
            ))
            .await
            .map_err(|e| {
                SourceError::new(
                    format!("the server refused the session settings: {}", clean(&e)),
                    "check the role's rights",
                )
            })?;
        let query_error = |e: tokio_postgres::Error| {
            let text = clean(&e);
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
        let txn = client
            .build_transaction()
            .read_only(true)
            .start()
            .await
            .map_err(query_error)?;
        let stmt = txn
            .prepare(query.trim().trim_end_matches(';'))
            .await
            .map_err(query_error)?;
        let shape = Shape::of(&stmt)?;
        let params = range_params(&stmt, req)?;
        let rows = txn
            .query_raw(
                &stmt,
                params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)),
            )
            .await
            .map_err(query_error)?;
        let mut rows = std::pin::pin!(rows);
        let mut out = Rows::new(req);
        let mut n = 0;
        while let Some(row) = rows.try_next().await.map_err(query_error)? {
            n += 1;
            let (day, value) = shape.read(&row, n, clean)?;
            out.push(n, day, value)?;
        }
        // Nothing was written; ending the read-only transaction is all that is left.
        let _ = txn.rollback().await;
        out.finish()
    }

    /// The first host of the connection string that answers, over a metered socket.
    async fn connect(&self) -> Result<tokio_postgres::Client, SourceError> {
        let hosts = self.config.get_hosts();
        let ports = self.config.get_ports();
        let addrs = self.config.get_hostaddrs();
        let count = hosts.len().max(addrs.len());
        if count == 0 {
            return Err(SourceError::new(
                "the connection string names no host",
                "write it as postgres://user:password@host:5432/database",
            ));
        }
        let mut last = None;
        for i in 0..count {
            let port = ports
                .get(i)
                .or_else(|| ports.first())
                .copied()
                .unwrap_or(5432);
            let host = hosts.get(i);
            let name = match host {
                Some(Host::Tcp(h)) => h.clone(),
                _ => addrs.get(i).map(|a| a.to_string()).unwrap_or_default(),
            };
            let socket = match (host, addrs.get(i)) {
                (_, Some(addr)) => tcp((*addr, port)).await,
                (Some(Host::Tcp(h)), None) => tcp((h.as_str(), port)).await,
                #[cfg(unix)]
                (Some(Host::Unix(dir)), None) => {
                    tokio::net::UnixStream::connect(dir.join(format!(".s.PGSQL.{port}")))
                        .await
                        .map(|s| Box::new(s) as Box<dyn Io>)
                }
                #[cfg(not(unix))]
                (Some(Host::Unix(_)), None) => Err(std::io::Error::other(
                    "a Unix socket is not available on this platform",
                )),
                (None, None) => Err(std::io::Error::other("no host")),
            };
            let socket = match socket {
                Ok(s) => Metered {
                    inner: s,
                    meter: self.meter.clone(),
                },
                Err(e) => {
                    last = Some(format!("{}: {e}", crate::support::words::neutral(&name)));
                    continue;
                }
            };
            let tls = tokio_postgres::tls::MakeTlsConnect::<Metered>::make_tls_connect(
                &mut self.tls.clone(),
                &name,
            )
            .map_err(|e| SourceError::new(e.to_string(), "check the host name"))?;
            // As libpq: a Unix socket is local, and TLS is never asked for over it.
            let mut local;
            let config = if matches!(host, Some(Host::Unix(_))) && addrs.get(i).is_none() {
                local = self.config.clone();
                local.ssl_mode(tokio_postgres::config::SslMode::Disable);
                &local
            } else {
                self.config
            };
            match config.connect_raw(socket, tls).await {
                Ok((client, connection)) => {
                    tokio::spawn(connection);
                    return Ok(client);
                }
                Err(e) => {
                    if let Some((message, help)) =
                        self.failure.lock().ok().and_then(|mut f| f.take())
                    {
                        return Err(SourceError::new(format!("cannot connect: {message}"), help));
                    }
                    last = Some((self.clean)(&e));
                }
            }
        }
        let text = last.unwrap_or_default();
        let help = if text.contains("does not support TLS") {
            format!(
                "the server has no TLS: ask for it to be turned on (sslmode={} requires it)",
                self.mode.name()
            )
        } else {
            "check the server is reachable and the credentials in the environment variable"
                .to_string()
        };
        Err(SourceError::new(format!("cannot connect: {text}"), help))
    }
}

async fn tcp(addr: impl tokio::net::ToSocketAddrs) -> std::io::Result<Box<dyn Io>> {
    let s = tokio::net::TcpStream::connect(addr).await?;
    let _ = s.set_nodelay(true);
    Ok(Box::new(s))
}

/// A socket of any kind.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How many bytes the server has sent, and whether that passed the bound.
#[derive(Default)]
struct Meter {
    read: AtomicU64,
    exceeded: AtomicBool,
}

/// A socket that stops reading once the server has sent [`MAX_RESULT_BYTES`]: the driver
/// buffers a whole message before it hands a row over, so a bound on the rows alone would let
/// one row of 400 MB in.
struct Metered {
    inner: Box<dyn Io>,
    meter: Arc<Meter>,
}

impl AsyncRead for Metered {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.meter.exceeded.load(Ordering::Relaxed) {
            return Poll::Ready(Err(std::io::Error::other("the result is too large")));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let n = (buf.filled().len() - before) as u64;
            let total = self.meter.read.fetch_add(n, Ordering::Relaxed) + n;
            if total > MAX_RESULT_BYTES {
                self.meter.exceeded.store(true, Ordering::Relaxed);
                return Poll::Ready(Err(std::io::Error::other("the result is too large")));
            }
        }
        polled
    }
}

impl AsyncWrite for Metered {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The two columns of the query: their names and types, checked before anything is read.
struct Shape {
    day_col: String,
    value_col: String,
    day_type: Type,
    value_type: Type,
}

impl Shape {
    fn of(stmt: &tokio_postgres::Statement) -> Result<Shape, SourceError> {
        let columns = stmt.columns();
        if columns.len() != 2 {
            let names: Vec<&str> = columns.iter().map(|c| c.name()).collect();
            return Err(SourceError::new(
                format!(
                    "the query returns {} columns ({}); it must return two: the day, then the value",
                    columns.len(),
                    crate::support::words::neutral(&names.join(", "))
                ),
                "select exactly `day, value`, e.g. `select day, rate from kpi where day between $1 and $2`",
            ));
        }
        let shape = Shape {
            day_col: crate::support::words::neutral(columns[0].name()).into_owned(),
            value_col: crate::support::words::neutral(columns[1].name()).into_owned(),
            day_type: columns[0].type_().clone(),
            value_type: columns[1].type_().clone(),
        };
        if ![
            Type::DATE,
            Type::TIMESTAMP,
            Type::TIMESTAMPTZ,
            Type::TEXT,
            Type::VARCHAR,
        ]
        .contains(&shape.day_type)
        {
            return Err(SourceError::new(
                format!(
                    "column `{}` is of type {}; the first column must be the day",
                    shape.day_col, shape.day_type
                ),
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
        .contains(&shape.value_type)
        {
            return Err(SourceError::new(
                format!(
                    "column `{}` is of type {}; the second column must be a number",
                    shape.value_col, shape.value_type
                ),
                "return the value as a number, e.g. `avg(rate)::float8 as value`",
            ));
        }
        Ok(shape)
    }

    /// Row `n`'s day and value.
    fn read(
        &self,
        row: &tokio_postgres::Row,
        n: usize,
        clean: &impl Fn(&tokio_postgres::Error) -> String,
    ) -> Result<(NaiveDate, Option<f64>), SourceError> {
        for (i, col) in [&self.day_col, &self.value_col].into_iter().enumerate() {
            let len = row.try_get::<_, RawLen>(i).map(|l| l.0).unwrap_or(0);
            if len > MAX_FIELD_BYTES {
                return Err(SourceError::new(
                    format!(
                        "row {n}: column `{col}` holds {len} bytes; a day or a number takes at most {MAX_FIELD_BYTES}"
                    ),
                    "return a date, then a number",
                ));
            }
        }
        let day: Option<NaiveDate> = match self.day_type {
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
        };
        let day = day.ok_or_else(|| {
            SourceError::new(
                format!("row {n}: column `{}` is not a day", self.day_col),
                "return a date (NULL days are not allowed)",
            )
        })?;
        let value = match self.value_type {
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
                    "row {n}: column `{}` cannot be read as a number: {}",
                    self.value_col,
                    clean(&e)
                ),
                "return the value as float8",
            )
        })?;
        Ok((day, value))
    }
}

/// `$1` and `$2` of the query: the first and the last day of the range, typed as the server
/// asks for them.
fn range_params(
    stmt: &tokio_postgres::Statement,
    req: &Request,
) -> Result<Vec<Box<dyn ToSql + Sync + Send>>, SourceError> {
    if stmt.params().len() > 2 {
        return Err(SourceError::new(
            format!(
                "the query has {} parameters; it may use two: $1 (the first day) and $2 (the last)",
                stmt.params().len()
            ),
            "write the range as `where day between $1 and $2`",
        ));
    }
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
    for (i, ty) in stmt.params().iter().enumerate() {
        let day = if i == 0 { req.first } else { req.last };
        let p: Box<dyn ToSql + Sync + Send> = match *ty {
            Type::DATE => Box::new(day),
            Type::TIMESTAMP => Box::new(day.and_hms_opt(0, 0, 0).unwrap_or_default()),
            Type::TIMESTAMPTZ => Box::new(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
            _ => Box::new(day.format("%Y-%m-%d").to_string()),
        };
        params.push(p);
    }
    Ok(params)
}

/// The length of a field as sent, whatever its type (NULL: 0).
struct RawLen(usize);

impl<'a> FromSql<'a> for RawLen {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(RawLen(raw.len()))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(RawLen(0))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// The driver's message with its cause (the server's own words are in the source).
fn full(e: &tokio_postgres::Error) -> String {
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
pub(super) fn redact(text: &str, url: &str, password: Option<&str>) -> String {
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
