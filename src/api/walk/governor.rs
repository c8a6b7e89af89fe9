//! How fast a walk may ask: adaptive concurrency, pacing under a rate limit, and one shared pause.
//!
//! The platform publishes no rate limit, and latency varies by account and hour, so no fixed
//! number of requests in flight is right. The governor starts at a few, grows while replies come
//! back quickly and unrefused, and halves on a 429. A 429's `Retry-After` pauses every worker
//! together (one shared pause, not N workers hammering), and from the first 429 on, request
//! starts are also paced at the rate the server was seen to accept, probed slowly upward.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::api::RetryPolicy;

/// How much the pacing rate grows per accepted request. Under a token bucket, pacing just above
/// the refill rate drains the burst over several seconds, so refusals stay a few in a hundred;
/// after a refusal that was not a limit, the pace is back within a few dozen requests.
const RATE_GROWTH: f64 = 1.02;
/// A refusal within this many seconds' worth of requests after the pace was lowered is not the
/// limit talking: a token bucket refilled during the pause cannot refuse a pace below its rate.
const GRACE_SECONDS: f64 = 2.0;
/// The grace period is at least this many accepted replies: at a slow pace, two seconds' worth
/// is too few to tell a limit from a server refusing one request in ten at random.
const GRACE_REPLIES: f64 = 20.0;
/// Accepted replies in the rate window needed before a pace is set from them.
const RATE_EVIDENCE: usize = 5;
/// The slowest pace; below it the server is not limiting rate but failing.
const MIN_RATE: f64 = 0.2;
/// More requests in flight only hide latency. Replies quicker than this leave none to hide,
/// and more in flight would only mean more of them refused at once when a limit is reached.
const LATENCY_WORTH_HIDING: Duration = Duration::from_millis(10);
/// How far back accepted replies count towards the rate a limit allows.
const RATE_WINDOW: Duration = Duration::from_secs(5);
/// Replies slower than this multiple of the fastest seen mean the server is queueing.
const SLOW_FACTOR: f64 = 3.0;

/// Shared by every request of one walk, or, through `Background`, of all the background work of
/// a browser session: they then pause together, are paced at one rate, and hold one limit of
/// requests in flight between them.
pub(crate) struct Governor {
    state: Mutex<State>,
    ceiling: usize,
    retry: RetryPolicy,
    /// Woken when a request in flight ends, for the ones waiting on the limit.
    released: Notify,
}

struct State {
    limit: usize,
    /// Requests admitted and not yet answered.
    in_flight: usize,
    /// Accepted replies since the limit last changed.
    accepted_at_limit: usize,
    /// The fastest reply seen: what this server and network can do unloaded.
    fastest: Option<Duration>,
    /// Requests per second once the server has refused one; `None` before.
    rate: Option<f64>,
    /// Accepted replies since the pace was last lowered.
    accepted_since_lowered: u64,
    next_start: Instant,
    paused_until: Instant,
    /// 429s without `Retry-After` in a row, for their back-off.
    unexplained_refusals: u32,
    /// Accepted replies of the last `RATE_WINDOW`, to estimate the rate a limit allows.
    recent: VecDeque<Instant>,
    /// The highest accepted rate seen over `RATE_WINDOW`.
    peak_rate: f64,
    started: Instant,
    last_good: Instant,
    requests: u64,
    refused: u64,
    peak: usize,
}

impl State {
    /// The span `recent` covers: the walk so far, at least a quarter second, at most the window.
    fn rate_window(&self, now: Instant) -> Duration {
        now.duration_since(self.started)
            .clamp(Duration::from_millis(250), RATE_WINDOW)
    }
}

/// What the governor saw, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    pub requests: u64,
    pub refused: u64,
    pub peak_concurrency: usize,
}

impl Governor {
    pub(crate) fn new(initial: usize, ceiling: usize, retry: RetryPolicy) -> Governor {
        let ceiling = ceiling.max(1);
        let now = Instant::now();
        Governor {
            state: Mutex::new(State {
                limit: initial.clamp(1, ceiling),
                in_flight: 0,
                accepted_at_limit: 0,
                fastest: None,
                rate: None,
                accepted_since_lowered: 0,
                next_start: now,
                paused_until: now,
                unexplained_refusals: 0,
                recent: VecDeque::new(),
                peak_rate: 0.0,
                started: now,
                last_good: now,
                requests: 0,
                refused: 0,
                peak: initial.clamp(1, ceiling),
            }),
            ceiling,
            retry,
            released: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain counters behind; they are still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many pages may be in flight now.
    pub(crate) fn limit(&self) -> usize {
        self.lock().limit
    }

    /// Waits out a shared pause and the pacing slot, then counts the request as sent; the
    /// request is in flight until the returned guard is dropped. `bounded` also waits for a
    /// place under the limit: a governor shared by several walks must, as each walk keeps only
    /// its own requests under the limit. A walk of its own keeps its probes and repairs beyond
    /// it, as they were designed to be.
    pub(crate) async fn admit(&self, bounded: bool) -> InFlight<'_> {
        loop {
            let released = self.released.notified();
            let wait = {
                let mut state = self.lock();
                let now = Instant::now();
                let ready_at = state.paused_until.max(state.next_start);
                if bounded && state.in_flight >= state.limit {
                    None
                } else if ready_at <= now {
                    if let Some(rate) = state.rate {
                        let gap = Duration::from_secs_f64(1.0 / rate);
                        state.next_start = state.next_start.max(now - gap) + gap;
                    }
                    state.requests += 1;
                    state.in_flight += 1;
                    return InFlight { governor: self };
                } else {
                    Some(ready_at - now)
                }
            };
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => released.await,
            }
        }
    }

    /// A good reply that took `latency`.
    pub(crate) fn on_success(&self, latency: Duration) {
        let mut state = self.lock();
        let now = Instant::now();
        state.last_good = now;
        state.unexplained_refusals = 0;
        state.recent.push_back(now);
        while state
            .recent
            .front()
            .is_some_and(|at| now.duration_since(*at) > RATE_WINDOW)
        {
            state.recent.pop_front();
        }
        let seen_rate = state.recent.len() as f64 / state.rate_window(now).as_secs_f64();
        state.peak_rate = state.peak_rate.max(seen_rate);
        state.accepted_since_lowered += 1;
        if let Some(rate) = state.rate.as_mut() {
            *rate *= RATE_GROWTH;
        }
        let fastest = state
            .fastest
            .map_or(latency, |fastest| fastest.min(latency));
        state.fastest = Some(fastest);
        let slow = latency.as_secs_f64() > fastest.as_secs_f64() * SLOW_FACTOR + 0.02;
        state.accepted_at_limit += 1;
        // One step per round of `limit` replies: additive increase, as TCP grows its window.
        if state.accepted_at_limit >= state.limit {
            state.accepted_at_limit = 0;
            if slow {
                state.limit = state.limit.saturating_sub(1).max(1);
            } else if state.limit < self.ceiling && latency >= LATENCY_WORTH_HIDING {
                state.limit += 1;
                state.peak = state.peak.max(state.limit);
            }
        }
    }

    /// A 429. Replies to requests sent before the pause began belong to the same episode and
    /// change nothing more.
    pub(crate) fn on_refused(&self, retry_after: Option<Duration>) {
        let mut state = self.lock();
        state.refused += 1;
        let now = Instant::now();
        if state.paused_until > now {
            return;
        }
        let wait = match retry_after {
            Some(wait) => wait.clamp(self.retry.min_retry_after, self.retry.max_retry_after),
            None => {
                state.unexplained_refusals += 1;
                self.retry
                    .backoff(state.unexplained_refusals)
                    .max(Duration::from_secs(1))
            }
        };
        state.paused_until = now + wait;
        // Over a few seconds, a token bucket's accepted rate is its refill rate (plus one burst).
        // Once paced, though, the accepted rate is only the pace: refusals that are not a limit
        // (a flaky gateway) would lower pace and concurrency round after round. Such refusals
        // come within the grace period and lower nothing; half the best rate seen is the floor.
        if let Some(rate) = state.rate
            && (state.accepted_since_lowered as f64) < (rate * GRACE_SECONDS).max(GRACE_REPLIES)
        {
            return;
        }
        state.limit = (state.limit / 2).max(1);
        state.accepted_at_limit = 0;
        // Too few accepted replies to measure a rate (a refusal of the very first requests):
        // pausing is all there is to do; a pace guessed from nothing would crawl.
        if state.recent.len() < RATE_EVIDENCE {
            return;
        }
        let seen_rate = state.recent.len() as f64 / state.rate_window(now).as_secs_f64();
        let rate = (seen_rate * 0.9).max(state.peak_rate * 0.5);
        state.rate = Some(rate.max(MIN_RATE));
        state.accepted_since_lowered = 0;
    }

    /// How long since the last good reply (or since the walk began).
    pub(crate) fn since_last_good(&self) -> Duration {
        self.lock().last_good.elapsed()
    }

    pub(crate) fn traffic(&self) -> Traffic {
        let state = self.lock();
        Traffic {
            requests: state.requests,
            refused: state.refused,
            peak_concurrency: state.peak,
        }
    }
}

/// A request admitted by the governor, in flight until dropped.
pub(crate) struct InFlight<'a> {
    governor: &'a Governor,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.governor.lock().in_flight -= 1;
        self.governor.released.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_shared_limit_holds_requests_until_one_in_flight_ends() {
        let governor = Governor::new(2, 16, RetryPolicy::default());
        let first = governor.admit(true).await;
        let _second = governor.admit(true).await;
        let third = governor.admit(true);
        tokio::pin!(third);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut third)
                .await
                .is_err(),
            "a third request went beyond the limit of 2"
        );
        drop(first);
        tokio::time::timeout(Duration::from_secs(10), third)
            .await
            .expect("the third request went once the first ended");
        let _unbounded = governor.admit(false).await;
        assert_eq!(
            governor.traffic().requests,
            4,
            "a walk's own probe is not held"
        );
    }

    #[test]
    fn grows_while_fast_and_halves_on_a_refusal() {
        let governor = Governor::new(4, 16, RetryPolicy::default());
        for _ in 0..200 {
            governor.on_success(Duration::from_millis(2));
        }
        assert_eq!(
            governor.limit(),
            4,
            "instant replies leave no latency to hide"
        );
        for _ in 0..200 {
            governor.on_success(Duration::from_millis(20));
        }
        assert_eq!(governor.limit(), 16);
        governor.on_refused(Some(Duration::from_secs(1)));
        assert_eq!(governor.limit(), 8);
        // More 429s from requests already in flight are the same episode.
        governor.on_refused(Some(Duration::from_secs(1)));
        assert_eq!(governor.limit(), 8);
        assert_eq!(governor.traffic().refused, 2);
    }

    #[test]
    fn shrinks_when_latency_climbs() {
        let governor = Governor::new(8, 16, RetryPolicy::default());
        governor.on_success(Duration::from_millis(10));
        for _ in 0..40 {
            governor.on_success(Duration::from_millis(500));
        }
        assert!(governor.limit() < 8, "limit {}", governor.limit());
    }
}
