//! How many requests a walk keeps in flight. The pace itself (how often a request may start,
//! the shared pause after a 429) belongs to the account, in the client's
//! [`SharedPace`](crate::api::pace::SharedPace); the governor only decides how many may be
//! under way at once.
//!
//! The platform publishes no rate limit, and latency varies by account and hour, so no fixed
//! number is right. Without a pace, the number doubles each round of replies that come back
//! quickly (slow start, as TCP opens its window) up to the ceiling, and shrinks when latency
//! climbs. Once the account is paced, it follows the pace times the latency: just enough to
//! keep the pace, and one at a time when one is enough, so pages are served in order and no
//! boundary between them is left in doubt.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// More requests in flight only hide latency. Replies quicker than this leave none to hide,
/// and more in flight would only mean more of them refused at once when a limit is reached.
const LATENCY_WORTH_HIDING: Duration = Duration::from_millis(10);
/// Replies slower than this multiple of the fastest seen mean the server is queueing.
const SLOW_FACTOR: f64 = 3.0;
/// Below this many requests a latency's worth of pace, one in flight keeps the pace.
const ONE_AT_A_TIME: f64 = 0.8;
/// Requests in flight beyond pace times latency, as a share of it: latency varies.
const HEADROOM: f64 = 1.3;
/// Weight of the newest reply in the running latency.
const LATENCY_WEIGHT: f64 = 0.2;

/// Shared by every request of one walk, or, through `Background`, of all the background work of
/// a browser session: they then hold one limit of requests in flight between them.
pub(crate) struct Governor {
    state: Mutex<State>,
    ceiling: usize,
    /// The largest round slow start doubles to; past it, rounds grow by one. The round that
    /// meets an unknown limit is refused in part, up to all of it when the bucket was just
    /// emptied by the round before.
    doubling_cap: usize,
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
    /// A running mean of the latency, in seconds.
    latency: Option<f64>,
    /// Doubling each round until the first refusal or the first slow reply.
    slow_start: bool,
    /// Rounds are sent whole until a limit is met or the ceiling reached (see
    /// `sends_whole_rounds`); a slow reply does not end this, as it ends the doubling.
    whole_rounds: bool,
    last_good: Instant,
    requests: u64,
    refused: u64,
    peak: usize,
}

/// What the governor saw, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    pub requests: u64,
    pub refused: u64,
    pub peak_concurrency: usize,
}

impl Governor {
    pub(crate) fn new(initial: usize, ceiling: usize) -> Governor {
        let ceiling = ceiling.max(1);
        Governor {
            state: Mutex::new(State {
                limit: initial.clamp(1, ceiling),
                in_flight: 0,
                accepted_at_limit: 0,
                fastest: None,
                latency: None,
                slow_start: true,
                whole_rounds: true,
                last_good: Instant::now(),
                requests: 0,
                refused: 0,
                peak: initial.clamp(1, ceiling),
            }),
            ceiling,
            doubling_cap: ceiling,
            released: Notify::new(),
        }
    }

    /// A governor whose slow start doubles its rounds only up to `cap`, then grows them by one
    /// a round: for work nobody waits on, where meeting an unknown limit with a round of 16 or
    /// 32 would be refused a large share of a short walk.
    pub(crate) fn doubling_up_to(mut self, cap: usize) -> Governor {
        self.doubling_cap = cap.max(1);
        self
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

    /// Whether no limit has been met yet, below the ceiling. A walk then sends each round only
    /// once the last one is answered: a refusal in it is seen before more requests go out, so
    /// meeting an unknown limit costs the requests of the round that met it, not those sent
    /// while its replies came back too.
    pub(crate) fn sends_whole_rounds(&self) -> bool {
        self.lock().whole_rounds
    }

    /// Counts the request as sent; it is in flight until the returned guard is dropped.
    /// `bounded` first waits for a place under the limit: a governor shared by several walks
    /// must, as each walk keeps only its own requests under the limit. A walk of its own keeps
    /// its probes and repairs beyond it, as they were designed to be.
    pub(crate) async fn admit(&self, bounded: bool) -> InFlight<'_> {
        loop {
            let released = self.released.notified();
            {
                let mut state = self.lock();
                if !bounded || state.in_flight < state.limit {
                    state.requests += 1;
                    state.in_flight += 1;
                    return InFlight { governor: self };
                }
            }
            released.await;
        }
    }

    /// A good reply that took `latency`, while the account is paced at `pace` a second.
    pub(crate) fn on_success(&self, latency: Duration, pace: Option<f64>) {
        let mut state = self.lock();
        state.last_good = Instant::now();
        let fastest = state
            .fastest
            .map_or(latency, |fastest| fastest.min(latency));
        state.fastest = Some(fastest);
        let seconds = latency.as_secs_f64();
        let mean = state
            .latency
            .map_or(seconds, |mean| mean + LATENCY_WEIGHT * (seconds - mean));
        state.latency = Some(mean);
        if let Some(rate) = pace {
            state.slow_start = false;
            state.whole_rounds = false;
            let needed = rate * mean;
            let limit = if needed <= ONE_AT_A_TIME {
                1
            } else {
                (needed * HEADROOM).ceil() as usize
            };
            state.limit = limit.clamp(1, self.ceiling);
            state.peak = state.peak.max(state.limit);
            return;
        }
        let slow = seconds > fastest.as_secs_f64() * SLOW_FACTOR + 0.02;
        state.accepted_at_limit += 1;
        // One step per round of `limit` replies.
        if state.accepted_at_limit >= state.limit {
            state.accepted_at_limit = 0;
            if slow {
                state.slow_start = false;
                state.limit = state.limit.saturating_sub(1).max(1);
            } else if state.limit < self.ceiling && latency >= LATENCY_WORTH_HIDING {
                state.limit = if state.slow_start && state.limit < self.doubling_cap {
                    (state.limit * 2).min(self.doubling_cap)
                } else {
                    state.limit + 1
                }
                .min(self.ceiling);
                state.peak = state.peak.max(state.limit);
            }
            // At the ceiling there is nothing left to grow into.
            if state.limit >= self.ceiling {
                state.slow_start = false;
                state.whole_rounds = false;
            }
        }
    }

    /// A 429: the pace takes over from here; the growth stops doubling.
    pub(crate) fn on_refused(&self) {
        let mut state = self.lock();
        state.refused += 1;
        state.slow_start = false;
        state.whole_rounds = false;
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
        use futures::FutureExt;
        let governor = Governor::new(2, 16);
        let first = governor
            .admit(true)
            .now_or_never()
            .expect("the first request goes at once");
        let _second = governor
            .admit(true)
            .now_or_never()
            .expect("the second request goes at once");
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

    /// A reply is slow when it takes more than three times the fastest reply and 20 ms more:
    /// one taking exactly that long still lets a round double (250 ms fastest, 770 ms).
    #[test]
    fn a_reply_exactly_at_the_slow_mark_is_not_slow() {
        let governor = Governor::new(1, 16);
        governor.on_success(Duration::from_millis(250), None);
        assert_eq!(governor.limit(), 2, "a round of one flat reply doubles it");
        governor.on_success(Duration::from_millis(250), None);
        governor.on_success(Duration::from_millis(770), None);
        assert_eq!(governor.limit(), 4, "770 ms is not yet slow");
        for _ in 0..3 {
            governor.on_success(Duration::from_millis(250), None);
        }
        governor.on_success(Duration::from_millis(771), None);
        assert_eq!(governor.limit(), 3, "771 ms is slow: a step down");
    }

    /// The time since the last good reply grows from the walk's start, and a good reply sets it
    /// back: it is what `--give-up-after` is measured against.
    #[test]
    fn the_time_since_a_good_reply_counts_from_the_start_and_from_each_good_reply() {
        let governor = Governor::new(1, 16);
        std::thread::sleep(Duration::from_millis(20));
        assert!(governor.since_last_good() >= Duration::from_millis(20));
        let before = Instant::now();
        governor.on_success(Duration::from_millis(20), None);
        assert!(governor.since_last_good() <= before.elapsed());
    }

    #[test]
    fn background_rounds_double_up_to_their_cap_then_grow_by_one() {
        let governor = Governor::new(4, 32).doubling_up_to(8);
        let mut limits = Vec::new();
        for _ in 0..4 {
            let limit = governor.limit();
            for _ in 0..limit {
                governor.on_success(Duration::from_millis(20), None);
            }
            limits.push(governor.limit());
        }
        assert_eq!(limits, [8, 9, 10, 11]);
        assert!(governor.sends_whole_rounds(), "no limit met yet");
    }

    #[test]
    fn grows_while_fast_then_follows_the_pace_times_the_latency() {
        let governor = Governor::new(4, 16);
        for _ in 0..200 {
            governor.on_success(Duration::from_millis(2), None);
        }
        assert_eq!(
            governor.limit(),
            4,
            "instant replies leave no latency to hide"
        );
        assert!(governor.sends_whole_rounds(), "no limit met yet");
        for _ in 0..4 {
            governor.on_success(Duration::from_millis(20), None);
        }
        assert_eq!(governor.limit(), 8, "one round of flat replies doubles it");
        for _ in 0..8 {
            governor.on_success(Duration::from_millis(20), None);
        }
        assert_eq!(governor.limit(), 16, "up to the ceiling");
        assert!(
            !governor.sends_whole_rounds(),
            "at the ceiling, rounds need not wait"
        );
        for _ in 0..16 {
            governor.on_success(Duration::from_millis(20), None);
        }
        assert_eq!(governor.limit(), 16, "never beyond the ceiling");
        governor.on_refused();
        for _ in 0..40 {
            governor.on_success(Duration::from_millis(60), Some(10.0));
        }
        assert_eq!(governor.limit(), 1, "10/s at 60 ms needs one at a time");
        for _ in 0..40 {
            governor.on_success(Duration::from_millis(100), Some(20.0));
        }
        assert_eq!(governor.limit(), 3, "20/s at 100 ms: two, and headroom");
        assert_eq!(governor.traffic().refused, 1);
    }

    #[test]
    fn whole_rounds_end_at_a_refusal_or_a_pace_and_outlast_a_slow_reply() {
        let refused = Governor::new(4, 16);
        assert!(refused.sends_whole_rounds());
        refused.on_refused();
        assert!(!refused.sends_whole_rounds());
        let paced = Governor::new(4, 16);
        paced.on_success(Duration::from_millis(100), Some(10.0));
        assert!(!paced.sends_whole_rounds());
        let slowed = Governor::new(2, 16);
        slowed.on_success(Duration::from_millis(20), None);
        slowed.on_success(Duration::from_millis(500), None);
        assert_eq!(slowed.limit(), 1, "a slow round steps down");
        assert!(
            slowed.sends_whole_rounds(),
            "no limit met: a slow server is not a limit"
        );
        slowed.on_success(Duration::from_millis(20), None);
        slowed.on_success(Duration::from_millis(20), None);
        assert_eq!(
            slowed.limit(),
            2,
            "after a slow reply, it grows by one a round"
        );
    }

    #[test]
    fn shrinks_when_latency_climbs() {
        let governor = Governor::new(8, 16);
        governor.on_success(Duration::from_millis(10), None);
        for _ in 0..40 {
            governor.on_success(Duration::from_millis(500), None);
        }
        assert!(governor.limit() < 8, "limit {}", governor.limit());
    }
}
