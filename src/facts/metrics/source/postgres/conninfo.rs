//! The TLS settings of a connection string, read as libpq reads them: `sslmode` (`disable`,
//! `prefer`, `require`, `verify-ca`, `verify-full`) and `sslrootcert` (a PEM file, or `system`),
//! in a URL's query (`postgres://…?sslmode=verify-full&sslrootcert=ca.pem`) or as `key=value`
//! words (`host=db sslmode=verify-full sslrootcert='/etc/ssl/ca.pem'`). They are taken out of the
//! string; the rest goes to the driver, which knows neither.

use std::path::PathBuf;

/// How much of the server's identity is checked, with libpq's meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    /// Plain text.
    Disable,
    /// TLS when the server offers it, else plain text; the certificate is checked only against
    /// an `sslrootcert` file, when one is named.
    Prefer,
    /// TLS or no connection; the certificate is checked only against an `sslrootcert` file, when
    /// one is named (then as `verify-ca`).
    Require,
    /// TLS, the certificate signed by a trusted CA; any host name.
    VerifyCa,
    /// TLS, the certificate signed by a trusted CA and made out to the host connected to.
    VerifyFull,
}

impl SslMode {
    pub(super) fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// The CAs a certificate is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Roots {
    /// None named: for `verify-ca` and `verify-full`, the platform's trusted roots and
    /// Mozilla's; `prefer` and `require` then check nothing.
    Default,
    /// `sslrootcert=system`: the platform's trusted roots and Mozilla's (and `verify-full`).
    System,
    /// `sslrootcert=FILE`: the CA certificates in that PEM file, and no others.
    File(PathBuf),
}

/// A connection string with its TLS settings taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ConnInfo {
    /// The rest, for the driver.
    pub rest: String,
    pub mode: SslMode,
    pub roots: Roots,
}

/// Why a connection string's TLS settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Invalid {
    pub message: String,
    pub help: String,
}

fn invalid(message: impl Into<String>, help: impl Into<String>) -> Invalid {
    Invalid {
        message: message.into(),
        help: help.into(),
    }
}

/// Split `conn` into the driver's part and the TLS settings.
pub(super) fn parse(conn: &str) -> Result<ConnInfo, Invalid> {
    let (rest, pairs) = if conn.starts_with("postgres://") || conn.starts_with("postgresql://") {
        take_from_url(conn)
    } else {
        take_from_words(conn)?
    };
    let mut mode = None;
    let mut roots = Roots::Default;
    for (key, value) in pairs {
        match key.as_str() {
            "sslmode" => {
                mode = Some(match value.as_str() {
                    "disable" => SslMode::Disable,
                    "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    "allow" => {
                        return Err(invalid(
                            "sslmode=allow is not supported",
                            "use sslmode=prefer (TLS when the server offers it) or sslmode=disable",
                        ));
                    }
                    other => {
                        return Err(invalid(
                            format!("sslmode={} is not a mode", shown(other)),
                            "use disable, prefer, require, verify-ca or verify-full",
                        ));
                    }
                })
            }
            "sslrootcert" if value == "system" => roots = Roots::System,
            "sslrootcert" if value.is_empty() => roots = Roots::Default,
            "sslrootcert" => roots = Roots::File(PathBuf::from(value)),
            _ => {
                return Err(invalid(
                    format!(
                        "{key} is not supported: the server is never sent a client certificate"
                    ),
                    "remove it; sign in with the role's password",
                ));
            }
        }
    }
    // As in libpq: the system's roots mean a check of the host name too, and nothing weaker.
    let mode = match (mode, &roots) {
        (None, Roots::System) => SslMode::VerifyFull,
        (Some(m), Roots::System) if m != SslMode::VerifyFull => {
            return Err(invalid(
                format!(
                    "sslmode={} may not be used with sslrootcert=system",
                    m.name()
                ),
                "use sslmode=verify-full (or leave sslmode out) with sslrootcert=system",
            ));
        }
        (m, _) => m.unwrap_or(SslMode::Prefer),
    };
    Ok(ConnInfo { rest, mode, roots })
}

/// The keys taken out: the TLS settings, and the client certificate's, which are refused.
fn ours(key: &str) -> bool {
    matches!(
        key,
        "sslmode" | "sslrootcert" | "sslcert" | "sslkey" | "sslpassword"
    )
}

/// A value quoted for a message: control characters and overlong text never reach the terminal.
fn shown(value: &str) -> String {
    let cut: String = value.chars().take(40).collect();
    format!("`{}`", crate::support::words::neutral(&cut))
}

fn take_from_url(conn: &str) -> (String, Vec<(String, String)>) {
    let Some((base, query)) = conn.split_once('?') else {
        return (conn.to_string(), Vec::new());
    };
    let mut kept = Vec::new();
    let mut taken = Vec::new();
    for part in query.split('&') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        if ours(key) {
            taken.push((key.to_string(), percent_decode(value)));
        } else if !part.is_empty() {
            kept.push(part);
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, taken)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `key = value` words, a value either bare (backslash escapes the next character) or in single
/// quotes (with `\'` and `\\`), as libpq reads them.
fn take_from_words(conn: &str) -> Result<(String, Vec<(String, String)>), Invalid> {
    let chars: Vec<char> = conn.chars().collect();
    let mut i = 0;
    let mut rest = String::new();
    let mut taken = Vec::new();
    let skip_space = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_space(&mut i);
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        skip_space(&mut i);
        if i >= chars.len() || chars[i] != '=' {
            // Not key=value: the driver says what is wrong with it.
            return Ok((conn.to_string(), Vec::new()));
        }
        i += 1;
        skip_space(&mut i);
        let mut value = String::new();
        if i < chars.len() && chars[i] == '\'' {
            i += 1;
            let mut closed = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' if i + 1 < chars.len() => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    '\'' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    c => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
            if !closed {
                return Err(invalid(
                    format!("the value of {} has no closing quote", shown(&key)),
                    "close the quoted value with '",
                ));
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                value.push(chars[i]);
                i += 1;
            }
        }
        let word: String = chars[start..i].iter().collect();
        if ours(&key) {
            taken.push((key, value));
        } else {
            if !rest.is_empty() {
                rest.push(' ');
            }
            rest.push_str(&word);
        }
    }
    Ok((rest, taken))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_gives_up_its_tls_settings_and_keeps_the_rest() {
        let c = parse("postgres://u:p@db:5432/kpi?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x").unwrap();
        assert_eq!(c.rest, "postgres://u:p@db:5432/kpi?application_name=x");
        assert_eq!(c.mode, SslMode::VerifyFull);
        assert_eq!(c.roots, Roots::File("/etc/ca.pem".into()));
        let c = parse("postgresql://u@db/kpi?sslmode=verify-ca").unwrap();
        assert_eq!(c.rest, "postgresql://u@db/kpi");
        assert_eq!(c.mode, SslMode::VerifyCa);
        assert_eq!(c.roots, Roots::Default);
        let c = parse("postgres://u@db/kpi").unwrap();
        assert_eq!((c.mode, c.roots), (SslMode::Prefer, Roots::Default));
    }

    #[test]
    fn words_give_up_their_tls_settings_quoted_or_not() {
        let c =
            parse("host=db  user=kpi sslmode = require sslrootcert='/etc/my ca\\'s.pem' dbname=w")
                .unwrap();
        assert_eq!(c.rest, "host=db user=kpi dbname=w");
        assert_eq!(c.mode, SslMode::Require);
        assert_eq!(c.roots, Roots::File("/etc/my ca's.pem".into()));
        assert!(parse("host=db sslrootcert='/etc/ca.pem").is_err());
    }

    #[test]
    fn the_system_roots_mean_verify_full_as_in_libpq() {
        let c = parse("postgres://db/kpi?sslrootcert=system").unwrap();
        assert_eq!((c.mode, c.roots), (SslMode::VerifyFull, Roots::System));
        let e = parse("postgres://db/kpi?sslrootcert=system&sslmode=require").unwrap_err();
        assert!(
            e.message.contains("sslmode=require may not be used"),
            "{e:?}"
        );
    }

    #[test]
    fn unknown_modes_and_client_certificates_are_named() {
        let e = parse("postgres://db/kpi?sslmode=verify_full").unwrap_err();
        assert!(e.message.contains("`verify_full` is not a mode"), "{e:?}");
        assert!(e.help.contains("verify-full"));
        assert!(
            parse("postgres://db/kpi?sslmode=allow")
                .unwrap_err()
                .help
                .contains("prefer")
        );
        let e = parse("host=db sslcert=client.pem").unwrap_err();
        assert!(e.message.starts_with("sslcert is not supported"), "{e:?}");
        // A value with a control character is shown neutralised.
        let e = parse("postgres://db/kpi?sslmode=%1B%5B31mred").unwrap_err();
        assert!(!e.message.contains('\u{1b}'), "{e:?}");
    }
}
