//! When and how long to wait before trying a failed request again.

use std::time::{Duration, SystemTime};

use rand::Rng;

use super::ApiError;

/// Bounded exponential back-off with jitter. Jitter keeps several clients (or the export's
/// concurrent page fetches) from retrying in lock-step.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// The wait before the second attempt; it doubles on each later one.
    pub base_delay: Duration,
    /// The longest back-off between attempts.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a server asking for more gets this.
    pub max_retry_after: Duration,
    /// How long, in all, a request may wait on 429s that say when to retry before those start
    /// to use up attempts. A 429 is a request to wait, not a failure: a storm of them must not
    /// end a request that the server keeps promising to serve.
    pub rate_limit_patience: Duration,
    /// The shortest wait after a 429, even when `Retry-After` says 0: retrying at once only
    /// feeds the storm.
    pub min_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
            rate_limit_patience: Duration::from_secs(300),
            min_retry_after: Duration::from_millis(100),
        }
    }
}

impl RetryPolicy {
    /// Whether `error` asks to wait a given time and `waited` (the time already spent waiting on
    /// such 429s) leaves room in the patience budget: then the retry uses up no attempt.
    /// A `Retry-After` of 0 or a date already past names no usable wait: it backs off and
    /// uses up attempts like a 429 without one.
    pub fn is_patient_wait(&self, error: &ApiError, waited: Duration) -> bool {
        self.retry_after(error).is_some() && waited < self.rate_limit_patience
    }

    /// The wait before attempt `failed_attempt + 1`, or `None` when `error` is final or the
    /// attempts are used up.
    pub fn delay_after(&self, failed_attempt: u32, error: &ApiError) -> Option<Duration> {
        if !error.is_retryable() || failed_attempt >= self.max_attempts {
            return None;
        }
        if let Some(wait) = self.retry_after(error) {
            return Some(wait);
        }
        // `Retry-After: 0` means now; the account's pace backs off the next one in a row.
        if let ApiError::RateLimited {
            retry_after: Some(wait),
        } = error
            && wait.is_zero()
        {
            return Some(Duration::ZERO);
        }
        Some(self.backoff(failed_attempt))
    }

    /// The wait a 429's `Retry-After` asks for, kept within `min_retry_after..=max_retry_after`;
    /// none for a wait of 0 (or a date in the past), which names no usable wait.
    pub fn retry_after(&self, error: &ApiError) -> Option<Duration> {
        match error {
            ApiError::RateLimited {
                retry_after: Some(wait),
            } if !wait.is_zero() => Some((*wait).clamp(self.min_retry_after, self.max_retry_after)),
            _ => None,
        }
    }

    /// The back-off before retry number `retry` (1-based) of a failure that named no wait.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(16);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let jittered = rand::rng().random_range(0.5..=1.0) * ceiling.as_secs_f64();
        Duration::from_secs_f64(jittered)
    }
}

/// Reads `Retry-After` as either delay-seconds or an HTTP date, as RFC 9110 allows.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_767);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy::default();
        let error = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(policy.delay_after(1, &error), Some(policy.max_retry_after));
    }

    #[test]
    fn backoff_grows_with_jitter_and_stops() {
        let policy = RetryPolicy::default();
        let error = ApiError::Server {
            status: 503,
            message: String::new(),
        };
        let first = policy.delay_after(1, &error).expect("retries");
        assert!(first >= policy.base_delay / 2 && first <= policy.base_delay);
        let third = policy.delay_after(3, &error).expect("retries");
        assert!(third >= policy.base_delay * 2 && third <= policy.base_delay * 4);
        assert_eq!(policy.delay_after(4, &error), None);
    }

    #[test]
    fn retry_after_zero_is_retried_at_once_and_uses_up_attempts() {
        let policy = RetryPolicy::default();
        let error = ApiError::RateLimited {
            retry_after: Some(Duration::ZERO),
        };
        assert!(!policy.is_patient_wait(&error, Duration::ZERO));
        // The account's pace backs off from the second in a row (see `Pacer::on_refused`).
        assert_eq!(policy.delay_after(3, &error), Some(Duration::ZERO));
        assert_eq!(policy.delay_after(policy.max_attempts, &error), None);
        let unnamed = ApiError::RateLimited { retry_after: None };
        let third = policy.delay_after(3, &unnamed).expect("retries");
        assert!(third >= policy.base_delay * 2 && third <= policy.base_delay * 4);
    }

    #[test]
    fn waits_that_were_asked_for_are_patient_until_the_budget_is_spent() {
        let policy = RetryPolicy::default();
        let asked = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(1)),
        };
        let unasked = ApiError::RateLimited { retry_after: None };
        assert!(policy.is_patient_wait(&asked, Duration::ZERO));
        assert!(!policy.is_patient_wait(&asked, policy.rate_limit_patience));
        assert!(!policy.is_patient_wait(&unasked, Duration::ZERO));
    }

    #[test]
    fn client_errors_are_never_retried() {
        let error = ApiError::Api {
            status: 400,
            message: String::new(),
            details: vec![],
        };
        assert_eq!(RetryPolicy::default().delay_after(1, &error), None);
    }
}
