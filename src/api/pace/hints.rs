//! What a server's rate-limit headers say, in the forms seen in the wild: the IETF drafts'
//! `RateLimit-Policy: 10;w=1` and `RateLimit-Limit` / `-Remaining` / `-Reset`, the later
//! draft's `RateLimit: "default";r=5;t=2` and `RateLimit-Policy: "default";q=100;w=60`, and the
//! older `X-RateLimit-*` names. Anything unreadable is ignored: the headers only help.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// A reset above this many seconds is a Unix time, not a delay (GitHub's form).
const EPOCH_THRESHOLD: u64 = 1_000_000_000;

/// The rate-limit figures one reply carried.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateHints {
    /// Requests allowed per window, and the window in seconds.
    pub policy: Option<(f64, f64)>,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// Until the window resets (or the bucket refills).
    pub reset: Option<Duration>,
}

impl RateHints {
    /// The rate an announced policy allows, in requests a second.
    pub fn policy_rate(&self) -> Option<f64> {
        let (quota, window) = self.policy?;
        (quota > 0.0 && window > 0.0).then(|| quota / window)
    }

    /// Reads the headers of one reply; `now` turns a reset given as a Unix time into a delay.
    pub fn from_headers(headers: &HeaderMap, now: SystemTime) -> RateHints {
        let text = |names: &[&str]| {
            names.iter().find_map(|name| {
                headers
                    .get(*name)
                    .and_then(|value| value.to_str().ok())
                    .map(str::trim)
            })
        };
        let mut hints = RateHints {
            policy: text(&["ratelimit-policy", "x-ratelimit-policy"]).and_then(parse_policy),
            remaining: text(&["ratelimit-remaining", "x-ratelimit-remaining"])
                .and_then(|value| first_number(value)?.parse().ok()),
            reset: text(&["ratelimit-reset", "x-ratelimit-reset"])
                .and_then(|value| parse_reset(value, now)),
        };
        // The third draft put the policy after the limit: `RateLimit-Limit: 10, 10;w=1`.
        if hints.policy.is_none() {
            hints.policy = text(&["ratelimit-limit", "x-ratelimit-limit"])
                .and_then(|value| value.split(',').find_map(parse_policy));
        }
        // The later draft's one header: `RateLimit: "default";r=5;t=2`.
        if let Some(combined) = text(&["ratelimit"]) {
            for (key, value) in parameters(combined) {
                match key {
                    "r" if hints.remaining.is_none() => hints.remaining = value.parse().ok(),
                    "t" if hints.reset.is_none() => hints.reset = parse_reset(value, now),
                    _ => {}
                }
            }
        }
        hints
    }
}

/// `10;w=1` or `"default";q=100;w=60`: the first policy that names both a quota and a window.
fn parse_policy(value: &str) -> Option<(f64, f64)> {
    value.split(',').find_map(|item| {
        let mut quota = item
            .split(';')
            .next()
            .and_then(|head| head.trim().parse::<f64>().ok());
        let mut window = None;
        for (key, value) in parameters(item) {
            match key {
                "q" => quota = value.parse().ok(),
                "w" => window = value.parse().ok(),
                _ => {}
            }
        }
        let (quota, window): (f64, f64) = (quota?, window?);
        (quota.is_finite() && window.is_finite() && quota > 0.0 && window > 0.0)
            .then_some((quota, window))
    })
}

/// The `key=value` parameters after the first `;` of one list item.
fn parameters(item: &str) -> impl Iterator<Item = (&str, &str)> {
    item.split(';').skip(1).filter_map(|parameter| {
        let (key, value) = parameter.split_once('=')?;
        Some((key.trim(), value.trim().trim_matches('"')))
    })
}

fn first_number(value: &str) -> Option<&str> {
    value.split([',', ';']).next().map(str::trim)
}

/// Seconds to wait, a Unix time, or an HTTP date.
fn parse_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let value = first_number(value)?;
    if let Ok(seconds) = value.parse::<u64>() {
        if seconds < EPOCH_THRESHOLD {
            return Some(Duration::from_secs(seconds));
        }
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        return Some(when.duration_since(now).unwrap_or(Duration::ZERO));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0 && seconds < EPOCH_THRESHOLD as f64)
            .then(|| Duration::from_secs_f64(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn hints(pairs: &[(&'static str, &'static str)]) -> RateHints {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        RateHints::from_headers(
            &headers,
            SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000),
        )
    }

    #[test]
    fn reads_the_drafts_policy_forms() {
        assert_eq!(
            hints(&[("RateLimit-Policy", "10;w=1")]).policy_rate(),
            Some(10.0)
        );
        assert_eq!(
            hints(&[("RateLimit-Policy", "\"default\";q=100;w=60")]).policy_rate(),
            Some(100.0 / 60.0)
        );
        assert_eq!(
            hints(&[("X-RateLimit-Limit", "10, 10;w=1, 1000;w=3600")]).policy_rate(),
            Some(10.0)
        );
        assert_eq!(hints(&[("X-RateLimit-Limit", "10")]).policy_rate(), None);
        assert_eq!(hints(&[("RateLimit-Policy", "0;w=1")]).policy_rate(), None);
    }

    #[test]
    fn reads_remaining_and_reset_as_delay_unix_time_or_combined() {
        let separate = hints(&[("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "3")]);
        assert_eq!(separate.remaining, Some(0));
        assert_eq!(separate.reset, Some(Duration::from_secs(3)));
        let epoch = hints(&[("X-RateLimit-Reset", "2000000007")]);
        assert_eq!(epoch.reset, Some(Duration::from_secs(7)));
        let combined = hints(&[("RateLimit", "\"default\";r=5;t=2")]);
        assert_eq!(combined.remaining, Some(5));
        assert_eq!(combined.reset, Some(Duration::from_secs(2)));
        assert_eq!(hints(&[("RateLimit-Reset", "soon")]).reset, None);
    }

    #[test]
    fn a_policy_without_a_quota_or_a_window_sets_no_pace_and_separate_headers_win() {
        let policy = |quota: f64, window: f64| RateHints {
            policy: Some((quota, window)),
            ..RateHints::default()
        };
        assert_eq!(policy(0.0, 60.0).policy_rate(), None);
        assert_eq!(policy(100.0, 0.0).policy_rate(), None);
        assert_eq!(policy(100.0, 50.0).policy_rate(), Some(2.0));
        let both = hints(&[
            ("RateLimit-Remaining", "3"),
            ("RateLimit-Reset", "7"),
            ("RateLimit", "\"default\";r=5;t=2"),
        ]);
        assert_eq!(both.remaining, Some(3), "the separate header is kept");
        assert_eq!(both.reset, Some(Duration::from_secs(7)));
    }

    /// A policy allowing no requests, or in no time, or an endless number, is no policy: it
    /// must not stop `Remaining: 0` from pausing, as a real policy does.
    #[test]
    fn a_policy_of_nothing_or_of_no_time_is_no_policy() {
        for policy in ["0;w=1", "-5;w=1", "10;w=0", "inf;w=1", "10;w=inf"] {
            let read = hints(&[("RateLimit-Policy", policy), ("RateLimit-Remaining", "0")]);
            assert_eq!(read.policy, None, "{policy}");
            assert_eq!(read.remaining, Some(0), "{policy}");
        }
        assert_eq!(
            hints(&[("RateLimit-Policy", "10;w=2")]).policy,
            Some((10.0, 2.0))
        );
    }

    /// A reset below a billion seconds is a delay, from a billion on a Unix time (here one
    /// long past: no wait); a negative delay is unreadable, a fractional one kept.
    #[test]
    fn a_reset_is_a_delay_up_to_a_billion_seconds_and_never_negative() {
        let reset = |value: &'static str| hints(&[("RateLimit-Reset", value)]).reset;
        assert_eq!(reset("999999999"), Some(Duration::from_secs(999_999_999)));
        assert_eq!(reset("1000000000"), Some(Duration::ZERO));
        assert_eq!(reset("2.5"), Some(Duration::from_millis(2500)));
        assert_eq!(reset("1000000000.0"), None);
        assert_eq!(reset("-1.5"), None);
    }
}
