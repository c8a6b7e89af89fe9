//! One pace per account, shared by every request the process sends to it: the page the user
//! waits for, the count, "select all" and exports. It lives in the [`Client`](super::Client),
//! whose clones share it, so two walks cannot each find the limit on their own, and a refusal
//! pauses them all together.

mod hints;
mod pacer;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

pub use hints::RateHints;
pub use pacer::{MIN_RATE, PaceOrigin, PaceStart, Pacer};

/// The shared pace of one account.
#[derive(Debug)]
pub struct SharedPace {
    pacer: Mutex<Pacer>,
    /// Requests the user waits for that are waiting for their slot: the others hold back.
    foreground: AtomicUsize,
    /// Woken when a foreground request got its slot.
    foreground_done: Notify,
    /// A wait the server gave no usable length for, as `(until, seconds)`, for the status bar
    /// and the progress line to say why nothing moves.
    waiting: Mutex<Option<(Instant, f64)>>,
}

impl SharedPace {
    pub fn new(start: PaceStart, max_wait: Duration) -> SharedPace {
        SharedPace {
            pacer: Mutex::new(Pacer::new(start, Instant::now(), max_wait)),
            foreground: AtomicUsize::new(0),
            foreground_done: Notify::new(),
            waiting: Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pacer> {
        // The pacer is plain numbers, consistent after every call: a poisoned lock is usable.
        self.pacer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for this request's slot: the shared pause, then the pace. A `foreground` request
    /// (a page the user waits for) goes ahead of every other one waiting.
    pub async fn admit(&self, foreground: bool) {
        let _waiting = foreground.then(|| ForegroundSlot::new(self));
        loop {
            let notified = self.foreground_done.notified();
            if !foreground && self.foreground.load(Ordering::SeqCst) > 0 {
                notified.await;
                continue;
            }
            let taken = self.lock().try_take(Instant::now());
            match taken {
                Ok(()) => return,
                Err(at) => tokio::time::sleep_until(at.into()).await,
            }
        }
    }

    /// A reply that was not a refusal, to a request sent at `sent`.
    pub fn on_accepted(&self, sent: Instant, hints: &RateHints) {
        self.lock().on_accepted(Instant::now(), sent, hints);
    }

    /// A 429. `Retry-After: 0` (or a date past) is asked again at once, the next in a row
    /// backed off; a wait the server did not name, or named as none again, is backed off
    /// exponentially and said in the log, so such a server is not hammered.
    pub fn on_refused(&self, sent: Instant, retry_after: Option<Duration>, hints: &RateHints) {
        let now = Instant::now();
        let began = self.lock().on_refused(now, sent, retry_after, hints);
        let Some(wait) = began.filter(|wait| !wait.is_zero()) else {
            return;
        };
        let usable = retry_after.is_some_and(|wait| !wait.is_zero());
        if usable {
            tracing::info!(
                seconds = wait.as_secs_f64(),
                "rate limited: waiting as asked"
            );
        } else {
            tracing::warn!(
                "rate limited with no usable Retry-After: waiting {:.1} s before the next request",
                wait.as_secs_f64()
            );
            *self
                .waiting
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some((now + wait, wait.as_secs_f64()));
        }
    }

    /// The back-off under way after a refusal that named no usable wait, while it lasts: when
    /// it ends (which tells one from the next) and its length in seconds.
    pub fn unexplained_wait(&self) -> Option<(Instant, f64)> {
        let waiting = *self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        waiting.filter(|(until, _)| *until > Instant::now())
    }

    /// The pace and where it came from, once there is one.
    pub fn pace(&self) -> Option<(f64, PaceOrigin)> {
        self.lock().pace()
    }

    /// The pace worth remembering for this host (see [`Pacer::learned`]).
    pub fn learned(&self) -> Option<f64> {
        self.lock().learned()
    }

    /// How long the shared pause still lasts.
    pub fn paused_for(&self) -> Duration {
        self.lock()
            .paused_until()
            .saturating_duration_since(Instant::now())
    }
}

/// A foreground request waiting for its slot; the others hold back until it is dropped.
struct ForegroundSlot<'a>(&'a SharedPace);

impl<'a> ForegroundSlot<'a> {
    fn new(pace: &'a SharedPace) -> ForegroundSlot<'a> {
        pace.foreground.fetch_add(1, Ordering::SeqCst);
        ForegroundSlot(pace)
    }
}

impl Drop for ForegroundSlot<'_> {
    fn drop(&mut self) {
        self.0.foreground.fetch_sub(1, Ordering::SeqCst);
        self.0.foreground_done.notify_waiters();
    }
}

/// Formats a pace for people: `9.7/s`, `0.50/s`.
pub fn describe_rate(rate: f64) -> String {
    if rate >= 10.0 {
        format!("{rate:.0}/s")
    } else if rate >= 1.0 {
        format!("{rate:.1}/s")
    } else {
        format!("{rate:.2}/s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_foreground_request_goes_at_once_and_background_ones_wait_while_one_waits() {
        let pace = SharedPace::new(PaceStart::Unknown, Duration::from_secs(30));
        tokio::time::timeout(Duration::from_secs(10), pace.admit(true))
            .await
            .expect("a foreground request with nothing ahead of it waits for nothing");
        tokio::time::timeout(Duration::from_secs(10), pace.admit(false))
            .await
            .expect("a background request with no foreground one waiting goes at once");
        let waiting = ForegroundSlot::new(&pace);
        let background = pace.admit(false);
        tokio::pin!(background);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut background)
                .await
                .is_err(),
            "a background request went ahead of a foreground one waiting"
        );
        drop(waiting);
        tokio::time::timeout(Duration::from_secs(10), background)
            .await
            .expect("the background request went once the foreground one had its slot");
    }

    #[test]
    fn a_pace_is_written_with_fewer_decimals_the_larger_it_is() {
        let written = [12.3, 10.0, 9.74, 1.0, 0.5].map(describe_rate);
        assert_eq!(written, ["12/s", "10/s", "9.7/s", "1.0/s", "0.50/s"]);
    }

    /// What the status bar and the summary read: the pace and its origin, and the pace kept
    /// for the host's next run (a remembered one, not one the user set).
    #[test]
    fn the_shared_pace_reports_its_pace_and_what_to_remember() {
        let set = SharedPace::new(PaceStart::Set(4.0), Duration::from_secs(30));
        assert_eq!(set.pace(), Some((4.0, PaceOrigin::Set)));
        assert_eq!(set.learned(), None);
        let remembered = SharedPace::new(PaceStart::Remembered(3.0), Duration::from_secs(30));
        assert_eq!(remembered.pace(), Some((3.0, PaceOrigin::Remembered)));
        assert_eq!(remembered.learned(), Some(3.0));
        let policy = RateHints {
            policy: Some((120.0, 60.0)),
            ..RateHints::default()
        };
        remembered.on_accepted(Instant::now(), &policy);
        assert_eq!(remembered.pace(), Some((2.0, PaceOrigin::Announced)));
    }

    /// A wait the server named pauses every request for that long, and is not one the status
    /// bar explains; a refusal that named none begins a half-second back-off it does explain.
    #[test]
    fn a_refusal_pauses_the_account_and_an_unexplained_one_says_for_how_long() {
        let named = SharedPace::new(PaceStart::Unknown, Duration::from_secs(60));
        named.on_refused(
            Instant::now(),
            Some(Duration::from_secs(30)),
            &RateHints::default(),
        );
        let paused = named.paused_for();
        assert!(
            (Duration::from_secs(29)..=Duration::from_secs(30)).contains(&paused),
            "paused for {paused:?}"
        );
        assert_eq!(named.unexplained_wait(), None);

        let unexplained = SharedPace::new(PaceStart::Unknown, Duration::from_secs(60));
        let before = Instant::now();
        unexplained.on_refused(before, None, &RateHints::default());
        let after = Instant::now();
        let (until, seconds) = unexplained
            .unexplained_wait()
            .expect("a back-off under way");
        assert_eq!(seconds, 0.5);
        let half = Duration::from_millis(500);
        assert!(
            before + half <= until && until <= after + half,
            "ends {:?} after the refusal",
            until - before
        );
    }
}
