//! Posting a JSON payload to an incoming webhook (Slack's): HTTPS only (plain HTTP only to this
//! machine, for tests), retried on 429 and 5xx within bounds, and the URL, which is a secret,
//! never printed. A redirect is never followed: it could lead a post allowed only to this
//! machine to another host, or a post over HTTPS to plain HTTP.

use std::time::Duration;

/// How many times one payload is sent at the most.
pub const ATTEMPTS: u32 = 4;
/// The longest wait a `Retry-After` may ask for before giving up.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// Why a post failed; never holds the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostError {
    /// What went wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

/// Whether `url` may be posted to: `https://…`, or `http://` to a loopback address.
pub fn check_url(url: &str) -> Result<(), &'static str> {
    let lower = url.trim().to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let name = if host.starts_with('[') {
            host.split(']')
                .next()
                .map(|h| format!("{h}]"))
                .unwrap_or_default()
        } else {
            host.split(':').next().unwrap_or_default().to_string()
        };
        let loopback = name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
        return if name == "localhost" || name == "[::1]" || loopback {
            Ok(())
        } else {
            Err("it is not an https:// URL (plain http is allowed only to this machine)")
        };
    }
    if lower.starts_with("https://") && lower.len() > "https://".len() {
        Ok(())
    } else {
        Err("it is not an https:// URL")
    }
}

/// Post `body` (JSON) to `url`; `what` names the URL's origin in messages (`$SLACK_WEBHOOK_URL`).
pub fn post(url: &str, what: &str, body: &str, timeout: Duration) -> Result<(), PostError> {
    check_url(url).map_err(|why| PostError {
        message: format!("the webhook in {what}: {why}"),
        help: "set it to the incoming webhook's URL, e.g. https://hooks.slack.com/services/…"
            .into(),
    })?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let sent = agent
            .post(url.trim())
            .header("Content-Type", "application/json; charset=utf-8")
            .send(body);
        let wait = match sent {
            Ok(mut response) => {
                let status = response.status().as_u16();
                if (200..300).contains(&status) {
                    return Ok(());
                }
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let text = response
                    .body_mut()
                    .with_config()
                    .limit(4096)
                    .read_to_string()
                    .unwrap_or_default();
                let said: String = crate::support::words::inline(text.trim())
                    .chars()
                    .take(200)
                    .collect();
                if (300..400).contains(&status) {
                    let to = response
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .map(origin)
                        .unwrap_or_default();
                    return Err(PostError {
                        message: format!(
                            "the webhook answered {status}, a redirect{}; redirects are not followed",
                            if to.is_empty() {
                                String::new()
                            } else {
                                format!(" to {}", crate::support::words::inline(&to))
                            }
                        ),
                        help: "set the variable to the webhook's own https:// URL (the one the redirect points to, if you trust it)".into(),
                    });
                }
                last = format!(
                    "the webhook answered {status}{}",
                    if said.is_empty() {
                        String::new()
                    } else {
                        format!(": {said}")
                    }
                );
                match status {
                    429 => retry_after.unwrap_or(Duration::from_secs(1)),
                    500..=599 => retry_after.unwrap_or(backoff(attempt)),
                    _ => {
                        return Err(PostError {
                            message: last,
                            help:
                                "check the webhook still exists and the app may post to the channel"
                                    .into(),
                        });
                    }
                }
            }
            Err(e) => {
                // ureq's messages name the host at most, never the path that holds the secret.
                last = format!(
                    "cannot reach the webhook: {}",
                    crate::support::words::inline(&redact(&e.to_string(), url))
                );
                backoff(attempt)
            }
        };
        if attempt == ATTEMPTS {
            break;
        }
        if wait > MAX_WAIT {
            last.push_str(&format!(" (it asks to wait {} s)", wait.as_secs()));
            break;
        }
        std::thread::sleep(wait);
    }
    Err(PostError {
        message: format!("{last}; gave up after {ATTEMPTS} attempts"),
        help: "try again later; nothing was lost, the reminders are the same on the next run"
            .into(),
    })
}

/// The scheme and host of a URL, without its path (an incoming webhook's path is its secret)
/// or its credentials.
fn origin(url: &str) -> String {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return "a relative address".into();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    format!("{}://{}", scheme, host).chars().take(200).collect()
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500 << attempt.saturating_sub(1).min(4))
}

fn redact(text: &str, url: &str) -> String {
    let url = url.trim();
    let mut out = text.replace(url, "<webhook>");
    // The path of an incoming webhook is its secret.
    if let Some(rest) = url.split_once("://").map(|(_, r)| r)
        && let Some((_, path)) = rest.split_once('/')
        && path.len() >= 4
    {
        out = out.replace(path, "…");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_this_machine_is_a_target() {
        assert!(check_url("https://hooks.slack.com/services/T/B/x").is_ok());
        assert!(check_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        assert!(check_url("http://[::1]:9/hook").is_ok());
        for bad in [
            "http://hooks.slack.com/services/T/B/x",
            "http://127.0.0.1.evil.test/x",
            "http://10.0.0.1/x",
            "ftp://x",
            "https://",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_secret_path_never_survives_a_message() {
        let url = "https://hooks.slack.com/services/T000/B000/XXXXsecret";
        let out = redact(&format!("io error posting to {url}"), url);
        assert!(!out.contains("XXXXsecret"), "{out}");
    }
}
