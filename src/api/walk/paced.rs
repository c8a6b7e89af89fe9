//! Single requests under a walk's governor: the writes. They go one at a time, through the
//! client's account-wide pace (which waits out the pause a 429 starts), and tell the governor
//! how each went, so writes and reads of one session share one limit of requests in flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::governor::Governor;
use super::{Background, WalkOptions, governor_for};
use crate::api::{ApiError, RetryPolicy};

/// One pace for a sequence of single requests; cheap to clone.
#[derive(Clone)]
pub struct Paced {
    governor: Arc<Governor>,
    background: Option<Background>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Paced {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Paced").finish_non_exhaustive()
    }
}

impl Paced {
    /// The background work's governor when `options` has one (the browser), else one of its own
    /// for the whole sequence (a command), so what one request learns paces the next.
    pub fn new(options: &WalkOptions) -> Paced {
        Paced {
            governor: governor_for(options),
            background: options.background.clone(),
            retry: options.retry.clone(),
        }
    }

    /// Runs `attempt` until it succeeds or fails for good: a 429 pauses (its `Retry-After`,
    /// within the patience for rate limits) without using up an attempt; other transient
    /// failures back off, up to the retry policy's attempts. Pages the user waits for go first.
    pub async fn send<T, Fut>(&self, attempt: impl Fn() -> Fut) -> Result<T, ApiError>
    where
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let mut failures = 0u32;
        let mut waited_on_limits = Duration::ZERO;
        loop {
            if let Some(background) = &self.background {
                background.yield_to_foreground().await;
            }
            let admitted = self.governor.admit(true).await;
            let started = Instant::now();
            let result = attempt().await;
            drop(admitted);
            let error = match result {
                Ok(value) => {
                    self.governor.on_success(started.elapsed(), None);
                    return Ok(value);
                }
                Err(error) => error,
            };
            if let ApiError::RateLimited { .. } = &error {
                self.governor.on_refused();
                let wait = self.retry.retry_after(&error).unwrap_or(Duration::ZERO);
                if self.retry.is_patient_wait(&error, waited_on_limits) {
                    // The refusal already paused the account's pace, which the next attempt
                    // waits out; only the budget is kept here.
                    waited_on_limits += wait;
                    continue;
                }
            }
            failures += 1;
            let Some(wait) = self.retry.delay_after(failures, &error) else {
                return Err(error);
            };
            tracing::warn!(attempt = failures, ?wait, %error, "write retrying");
            tokio::time::sleep(wait).await;
        }
    }
}
