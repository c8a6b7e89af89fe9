//! The pace itself, as pure arithmetic on a clock it is given: a model of the server's token
//! bucket, learned from refusals, probed slowly upward, or set from what the server or the user
//! says. No I/O and no clock of its own, so a simulated bucket and clock can test it over hours.
//!
//! The model: a bucket refilled at `rate` a second holding at most `burst` tokens; a request
//! goes when the model holds a token. A refusal means the server's bucket is empty, so the
//! model empties too. Between two refusals (two empty buckets) the server let through exactly
//! its refill, so the requests accepted in between, over the time between, measure its rate.
//! The first refusal has no predecessor: the bucket then held its burst plus the refill, and
//! the burst is taken to be a second's worth, as most limits are set.

use std::time::{Duration, Instant};

use super::RateHints;

/// Where the pace came from, as the status bar and the summary say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaceOrigin {
    /// Measured from this run's refusals.
    Learned,
    /// Learned by an earlier run against the same host, and still being probed.
    Remembered,
    /// Announced by the server's `RateLimit-Policy` header.
    Announced,
    /// Given by the user (`--rate`, `rate_limit` in a profile): never probed, never lowered.
    Set,
}

impl PaceOrigin {
    /// The word the status bar and the summary line use.
    pub fn label(self) -> &'static str {
        match self {
            PaceOrigin::Learned => "learned",
            PaceOrigin::Remembered => "remembered",
            PaceOrigin::Announced => "announced",
            PaceOrigin::Set => "set",
        }
    }
}

/// How a pace starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PaceStart {
    /// No limit known: requests go as fast as concurrency lets them until one is refused.
    Unknown,
    /// A rate an earlier run learned against this host.
    Remembered(f64),
    /// A limit the user knows.
    Set(f64),
}

/// The slowest pace: below it the server is not limiting a rate but failing.
pub const MIN_RATE: f64 = 0.2;
/// Replies accepted since the pace was last lowered below which a refusal lowers nothing: the
/// requests in flight when the bucket ran dry are refused after the pause too, and a server
/// refusing one request in a few dozen at random is not a limit.
const GRACE_REPLIES: u64 = 10;
/// A rate measured between two refusals at least this share of the pace says the pace is
/// not above the limit: the refusal was one at random, or the pace only just reached the
/// limit, and the probe then goes on until the measure says more.
const TOLERANCE: f64 = 0.95;
/// Growth of the pace per accepted request that waited for it, as a share of one request a
/// second: 0.5 % of the rate a second at full use, whatever the rate. A bucket held just below
/// its rate refills slowly, so a probe this slow drains it about twice a minute.
const PROBE_PER_REPLY: f64 = 0.005;
/// Seconds since the pace was last lowered after which the probe doubles its speed, then again
/// each time as long: a pace learned in an hour of lower limits must not take an hour to climb
/// back, nor one lowered by a refusal at random.
const PROBE_DOUBLING: f64 = 20.0;
/// The fastest the probe gets, as a share of the rate a second.
const PROBE_MAX: f64 = 0.05;
/// How far above the first refusal's estimate the fast probe may go before a later refusal
/// measures the limit: the estimate errs low by up to about a fifth (refills lost while the
/// bucket was still full).
const UNCALIBRATED_RANGE: f64 = 1.15;
/// The most one refusal lowers the pace: a walk that had little to ask for (a catch-up reading
/// one page at a time) accepted less than the limit allows, and says little about it.
const MAX_DROP: f64 = 0.7;
/// The pace after a refusal, as a share of the rate measured: pacing exactly at a bucket's
/// rate is refused whenever a request comes a little early.
const MARGIN: f64 = 0.98;
/// The back-off after a refusal that gave no usable wait (none, or a second `0` or date in
/// the past in a row): half a second, doubling with each such refusal in a row.
const FIRST_UNEXPLAINED_WAIT: Duration = Duration::from_millis(500);

/// The learned pace of one account, and the pause every request to it waits out.
#[derive(Debug, Clone)]
pub struct Pacer {
    /// Requests a second the limit allows, as far as is known; `None` before any sign of one.
    rate: Option<f64>,
    origin: Option<PaceOrigin>,
    /// How many requests the model lets go at once after a quiet spell.
    burst: f64,
    /// The model bucket's tokens, as of `updated`.
    tokens: f64,
    updated: Instant,
    paused_until: Instant,
    /// When a pause last ended, to tell a burst refused right after it.
    pause_began: Instant,
    started: Instant,
    /// About when the first accepted request reached the server: halfway through its trip.
    first_arrival: Option<Instant>,
    accepted: u64,
    accepted_since_lowered: u64,
    /// The last refusal that began an episode, and `accepted` then.
    last_refusal: Option<(Instant, u64)>,
    /// When the pace was last lowered (or began).
    last_lowered: Instant,
    /// Time since `last_refusal` spent in back-offs of this client's own choosing (refusals
    /// that named no usable wait): the server's bucket says nothing about them, so they are
    /// left out of the rate measured.
    uncounted: Duration,
    /// Refusals in a row that began a back-off of this client's own choosing.
    unexplained: u32,
    /// A refusal with `Retry-After: 0` (or a date past) was retried at once, and no reply has
    /// been accepted since: the next such refusal backs off.
    retried_at_once: bool,
    /// Whether the last request admitted had to wait for the pace: only then does an accepted
    /// reply say the pace could be higher.
    pace_bound: bool,
    max_wait: Duration,
    /// The first refusal's measure, while replies to requests sent before the refused one may
    /// still come back accepted: the server let those through before its bucket ran dry.
    first_wall: Option<FirstWall>,
    /// The first refusal's estimate while no later refusal has measured the limit: the pace
    /// probes up from it at the fastest speed, up to `UNCALIBRATED_RANGE` times it.
    uncalibrated: Option<f64>,
}

/// The first estimate of an unknown limit, which replies that come back late may still raise.
#[derive(Debug, Clone, Copy)]
struct FirstWall {
    /// When the refused request was sent: one sent before it reached the server before it.
    refused_sent: Instant,
    /// Requests the server accepted before its bucket ran dry, as far as is known.
    accepted: u64,
    /// The seconds they took, plus the bucket's one second's worth.
    seconds: f64,
}

impl Pacer {
    /// A pace starting at `start`; no server wait longer than `max_wait` is honoured.
    pub fn new(start: PaceStart, now: Instant, max_wait: Duration) -> Pacer {
        let (rate, origin) = match start {
            PaceStart::Unknown => (None, None),
            PaceStart::Remembered(rate) => (Some(rate), Some(PaceOrigin::Remembered)),
            PaceStart::Set(rate) => (Some(rate), Some(PaceOrigin::Set)),
        };
        let rate = rate.filter(|rate| rate.is_finite() && *rate > 0.0);
        Pacer {
            rate: rate.map(|rate| rate.max(MIN_RATE)),
            origin: rate.and(origin),
            burst: 1.0,
            // A bucket another run just drained may be empty: start with one request's worth.
            tokens: 1.0,
            updated: now,
            paused_until: now,
            pause_began: now,
            started: now,
            first_arrival: None,
            accepted: 0,
            accepted_since_lowered: 0,
            last_refusal: None,
            last_lowered: now,
            uncounted: Duration::ZERO,
            unexplained: 0,
            retried_at_once: false,
            pace_bound: false,
            max_wait,
            first_wall: None,
            uncalibrated: None,
        }
    }

    /// The pace and where it came from, once there is one.
    pub fn pace(&self) -> Option<(f64, PaceOrigin)> {
        Some((self.rate?, self.origin?))
    }

    /// The pace worth remembering for the next run against this host: one learned or probed
    /// from refusals (a set or announced one is given again next time anyway).
    pub fn learned(&self) -> Option<f64> {
        match self.origin? {
            // Probed up fast from a first estimate no refusal has measured yet, the pace may be
            // above the limit: the estimate is what is known.
            PaceOrigin::Learned | PaceOrigin::Remembered => match self.uncalibrated {
                Some(first) => self.rate.map(|rate| rate.min(first)),
                None => self.rate,
            },
            PaceOrigin::Announced | PaceOrigin::Set => None,
        }
    }

    /// When the shared pause ends.
    pub fn paused_until(&self) -> Instant {
        self.paused_until
    }

    /// Takes the slot for one request at `now`, or says when to ask again.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Instant> {
        if now < self.paused_until {
            return Err(self.paused_until);
        }
        let Some(rate) = self.rate else {
            return Ok(());
        };
        self.refill(now, rate);
        if self.tokens >= 1.0 {
            self.pace_bound = self.tokens < 2.0;
            self.tokens -= 1.0;
            Ok(())
        } else {
            self.pace_bound = true;
            Err(now + Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }

    fn refill(&mut self, now: Instant, rate: f64) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + rate * elapsed).min(self.burst.max(1.0));
        self.updated = self.updated.max(now);
    }

    /// An accepted reply at `now` to a request sent at `sent`, with what its headers said.
    pub fn on_accepted(&mut self, now: Instant, sent: Instant, hints: &RateHints) {
        let arrival = halfway(sent, now);
        self.first_arrival = Some(
            self.first_arrival
                .map_or(arrival, |first| first.min(arrival)),
        );
        self.accepted += 1;
        self.accepted_since_lowered += 1;
        self.unexplained = 0;
        self.retried_at_once = false;
        if let Some(wall) = &mut self.first_wall
            && sent <= wall.refused_sent
        {
            wall.accepted += 1;
            let rate = wall.accepted as f64 / wall.seconds * MARGIN;
            if self.origin == Some(PaceOrigin::Learned)
                && self.rate.is_some_and(|known| known < rate)
            {
                self.rate = Some(rate);
                self.burst = rate.max(1.0);
                if self.uncalibrated.is_some() {
                    self.uncalibrated = Some(rate);
                }
            }
        }
        if let Some(rate) = self.rate
            && self.pace_bound
            && matches!(
                self.origin,
                Some(PaceOrigin::Learned | PaceOrigin::Remembered)
            )
        {
            let quiet = now
                .saturating_duration_since(self.last_lowered)
                .as_secs_f64();
            // The first estimate takes the bucket to hold a second's worth, and is low when it
            // held more or refills were lost while it was full: climb fast until measured.
            let speed = match self.uncalibrated {
                Some(first) if rate < first * UNCALIBRATED_RANGE => PROBE_MAX,
                _ => (PROBE_PER_REPLY * 2f64.powf(quiet / PROBE_DOUBLING)).min(PROBE_MAX),
            };
            self.rate = Some(rate + speed);
        }
        self.apply_hints(now, hints);
    }

    /// A refusal at `now` of a request sent at `sent`; `retry_after` is the server's wait, if
    /// it gave one. Returns the wait this refusal began, or `None` when it belongs to a pause
    /// already under way.
    pub fn on_refused(
        &mut self,
        now: Instant,
        sent: Instant,
        retry_after: Option<Duration>,
        hints: &RateHints,
    ) -> Option<Duration> {
        if now < self.paused_until {
            return None;
        }
        // The server says to ask again now, as a gateway refusing one request at random does,
        // not a bucket that needs time to refill: it is asked again at once, and the pace is
        // left as it is. A second one in a row backs off, so a server answering nothing else
        // is not hammered.
        if retry_after.is_some_and(|wait| wait.is_zero()) && !self.retried_at_once {
            self.retried_at_once = true;
            return Some(Duration::ZERO);
        }
        let (wait, own) = match retry_after.filter(|wait| !wait.is_zero()) {
            Some(wait) => {
                self.unexplained = 0;
                (wait.min(self.max_wait), false)
            }
            None => {
                self.unexplained += 1;
                let wait = FIRST_UNEXPLAINED_WAIT
                    .saturating_mul(1 << (self.unexplained - 1).min(16))
                    .min(self.max_wait);
                (wait, true)
            }
        };
        let burst_refused = now.saturating_duration_since(self.paused_until)
            < Duration::from_secs(1)
            && self.paused_until > self.pause_began;
        self.pause_began = now;
        self.paused_until = now + wait;
        self.tokens = 0.0;
        self.updated = now;
        let uncounted = std::mem::take(&mut self.uncounted);
        self.learn(now, sent, burst_refused, uncounted);
        if own {
            self.uncounted += wait;
        }
        self.apply_hints(now, hints);
        Some(wait)
    }

    /// Lowers the pace to what the server was seen to let through.
    fn learn(&mut self, now: Instant, sent: Instant, burst_refused: bool, uncounted: Duration) {
        let emptied = halfway(sent, now);
        let previous = self.last_refusal.replace((now, self.accepted));
        if previous.is_some() {
            self.first_wall = None;
        }
        if self.origin == Some(PaceOrigin::Set) {
            return;
        }
        if burst_refused {
            self.burst = (self.burst / 2.0).max(1.0);
        }
        if self.origin.is_some() && self.accepted_since_lowered < GRACE_REPLIES {
            return;
        }
        let measured = match (self.rate, previous) {
            (Some(rate), Some((at, accepted))) => {
                let span = now.saturating_duration_since(at).saturating_sub(uncounted);
                let accepted = self.accepted - accepted;
                // One request more is within the count's own uncertainty: the refusal is
                // taken for the limit only if even that is clearly below the pace.
                if span.as_secs_f64() < 0.5 {
                    return;
                }
                self.uncalibrated = None;
                if (accepted + 1) as f64 / span.as_secs_f64() >= rate * TOLERANCE {
                    return;
                }
                accepted as f64 / span.as_secs_f64()
            }
            (Some(rate), None) => {
                self.uncalibrated = None;
                rate
            }
            (None, _) => {
                // Refused at the very start, the measure is poor (another client may have
                // emptied the bucket), but resuming unpaced would be refused as many times
                // again: start low, and the probe climbs from there.
                let since = self.first_arrival.unwrap_or(self.started);
                let seconds = emptied.saturating_duration_since(since).as_secs_f64() + 1.0;
                let rate = self.accepted.max(1) as f64 / seconds * MARGIN;
                self.burst = rate.max(1.0);
                self.uncalibrated = Some(rate);
                self.first_wall = Some(FirstWall {
                    refused_sent: sent,
                    accepted: self.accepted.max(1),
                    seconds,
                });
                rate
            }
        };
        let lowered = match self.rate {
            Some(rate) => measured.max(rate * MAX_DROP) * MARGIN,
            None => measured,
        };
        self.rate = Some(lowered.max(MIN_RATE));
        if self.origin.is_none() || self.origin == Some(PaceOrigin::Remembered) {
            self.origin = Some(PaceOrigin::Learned);
        }
        self.accepted_since_lowered = 0;
        self.last_lowered = now;
    }

    /// What the server's headers said: an announced policy sets the pace, and nothing left in
    /// the window pauses until it resets.
    fn apply_hints(&mut self, now: Instant, hints: &RateHints) {
        if let Some(rate) = hints.policy_rate()
            && self.origin != Some(PaceOrigin::Set)
        {
            let changed = self.rate != Some(rate);
            self.rate = Some(rate.max(MIN_RATE));
            self.origin = Some(PaceOrigin::Announced);
            if changed {
                self.burst = 1.0;
                self.tokens = self.tokens.min(1.0);
            }
        }
        // A policy already paces; nothing left under an unannounced one waits for the reset.
        if hints.remaining == Some(0)
            && hints.policy.is_none()
            && let Some(reset) = hints.reset
        {
            let until = now + reset.min(self.max_wait);
            if until > self.paused_until {
                self.pause_began = now;
                self.paused_until = until;
            }
        }
    }
}

/// The moment halfway between `sent` and `received`: about when the server saw the request.
fn halfway(sent: Instant, received: Instant) -> Instant {
    sent.min(received) + received.saturating_duration_since(sent) / 2
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use super::*;

    const MAX_WAIT: Duration = Duration::from_secs(30);

    /// The server: a token bucket as the demo server and the independent one keep it, with a
    /// limit that may change at a given time.
    struct Bucket {
        rate: f64,
        capacity: f64,
        tokens: f64,
        at: f64,
        change: Option<(f64, f64)>,
        /// A share of requests refused at random with `Retry-After: 0`, from a seeded
        /// generator, as a flaky gateway in front of the bucket would.
        flaky: f64,
        seed: u64,
    }

    impl Bucket {
        fn full(rate: f64, capacity: f64) -> Bucket {
            Bucket {
                rate,
                capacity,
                tokens: capacity,
                at: 0.0,
                change: None,
                flaky: 0.0,
                seed: 42,
            }
        }

        /// Takes a token at `t`, or returns the whole seconds until one (at least 1), as the
        /// servers put it in `Retry-After`.
        fn take(&mut self, t: f64) -> Result<(), u64> {
            self.seed = self
                .seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            if ((self.seed >> 11) as f64 / (1u64 << 53) as f64) < self.flaky {
                return Err(0);
            }
            if let Some((when, rate)) = self.change
                && t >= when
            {
                self.refill(when);
                self.rate = rate;
                self.capacity = rate.max(1.0);
                self.change = None;
            }
            self.refill(t);
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                Ok(())
            } else {
                Err(((1.0 - self.tokens) / self.rate).ceil().max(1.0) as u64)
            }
        }

        fn refill(&mut self, t: f64) {
            self.tokens = (self.tokens + (t - self.at).max(0.0) * self.rate).min(self.capacity);
            self.at = self.at.max(t);
        }
    }

    #[derive(Debug, Default)]
    struct Run {
        accepted: u64,
        refused: u64,
        /// Simulated seconds from the first request to the last reply.
        seconds: f64,
        /// Refusals after a given time, and requests then.
        late_refused: u64,
        late_requests: u64,
    }

    impl Run {
        fn refused_share(&self) -> f64 {
            self.refused as f64 / (self.accepted + self.refused) as f64
        }
    }

    enum Event {
        Ready,
        Arrive,
        Reply(Result<(), u64>),
    }

    /// `workers` requests in flight at most, each reaching the server half a `latency` after
    /// it is sent and answered half a `latency` later, until `wanted` have been accepted.
    /// Times are seconds from `base`, starting at `start`.
    #[allow(clippy::too_many_arguments)]
    fn simulate(
        pacer: &mut Pacer,
        bucket: &mut Bucket,
        base: Instant,
        start: f64,
        wanted: u64,
        workers: usize,
        latency: f64,
        late_after: f64,
    ) -> Run {
        let nanos = |t: f64| (t * 1e9) as u64;
        let instant = |t: f64| base + Duration::from_secs_f64(t);
        let mut queue: BinaryHeap<Reverse<(u64, usize, usize)>> = BinaryHeap::new();
        let mut events: Vec<Event> = Vec::new();
        let push = |queue: &mut BinaryHeap<_>, events: &mut Vec<Event>, t: f64, event| {
            events.push(event);
            queue.push(Reverse((nanos(t), events.len() - 1, 0)));
        };
        for _ in 0..workers {
            push(&mut queue, &mut events, start, Event::Ready);
        }
        let mut run = Run::default();
        let mut last = start;
        while let Some(Reverse((at, index, _))) = queue.pop() {
            let t = at as f64 / 1e9;
            match std::mem::replace(&mut events[index], Event::Ready) {
                Event::Ready => {
                    if run.accepted >= wanted {
                        continue;
                    }
                    match pacer.try_take(instant(t)) {
                        Ok(()) => push(&mut queue, &mut events, t + latency / 2.0, Event::Arrive),
                        Err(when) => {
                            let when = when.duration_since(base).as_secs_f64().max(t + 1e-6);
                            push(&mut queue, &mut events, when, Event::Ready);
                        }
                    }
                }
                Event::Arrive => {
                    let outcome = bucket.take(t);
                    push(
                        &mut queue,
                        &mut events,
                        t + latency / 2.0,
                        Event::Reply(outcome),
                    );
                }
                Event::Reply(outcome) => {
                    last = t;
                    if t >= late_after {
                        run.late_requests += 1;
                    }
                    match outcome {
                        Ok(()) => {
                            run.accepted += 1;
                            pacer.on_accepted(
                                instant(t),
                                instant(t - latency),
                                &RateHints::default(),
                            );
                        }
                        Err(seconds) => {
                            run.refused += 1;
                            if t >= late_after {
                                run.late_refused += 1;
                            }
                            pacer.on_refused(
                                instant(t),
                                instant(t - latency),
                                Some(Duration::from_secs(seconds)),
                                &RateHints::default(),
                            );
                        }
                    }
                    push(&mut queue, &mut events, t, Event::Ready);
                }
            }
        }
        run.seconds = last - start;
        run
    }

    /// The limit's own minimum time for `accepted` requests: the full bucket at once, then
    /// the refill.
    fn minimum(accepted: u64, rate: f64, capacity: f64) -> f64 {
        (accepted as f64 - capacity).max(0.0) / rate
    }

    #[test]
    fn a_long_export_under_a_bucket_is_near_the_limit_and_rarely_refused() {
        let base = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Unknown, base, MAX_WAIT);
        let mut bucket = Bucket::full(10.0, 10.0);
        let run = simulate(&mut pacer, &mut bucket, base, 0.0, 510, 4, 0.1, 0.0);
        let ratio = run.seconds / minimum(run.accepted, 10.0, 10.0);
        assert!(run.refused_share() <= 0.03, "{run:?}");
        assert!(ratio <= 1.1, "{ratio:.2}x: {run:?}");
        let (rate, origin) = pacer.pace().expect("a pace was learned");
        assert_eq!(origin, PaceOrigin::Learned);
        assert!((9.0..=10.5).contains(&rate), "learned {rate}");
    }

    #[test]
    fn a_short_export_learns_quickly_and_the_next_run_starts_from_the_remembered_pace() {
        let base = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Unknown, base, MAX_WAIT);
        let mut bucket = Bucket::full(10.0, 10.0);
        let first = simulate(&mut pacer, &mut bucket, base, 0.0, 52, 4, 0.1, 0.0);
        let ratio = first.seconds / minimum(first.accepted, 10.0, 10.0);
        assert!(first.refused_share() <= 0.10, "{first:?}");
        assert!(ratio <= 1.3, "{ratio:.2}x: {first:?}");
        let remembered = pacer.learned().expect("a learned pace to remember");
        let start = first.seconds + 0.05;
        let mut again = Pacer::new(
            PaceStart::Remembered(remembered),
            base + Duration::from_secs_f64(start),
            MAX_WAIT,
        );
        let second = simulate(&mut again, &mut bucket, base, start, 52, 4, 0.1, 0.0);
        assert!(second.refused_share() <= 0.01, "{second:?}");
    }

    #[test]
    fn an_hour_at_the_limit_stays_polite() {
        let base = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Unknown, base, MAX_WAIT);
        let mut bucket = Bucket::full(10.0, 10.0);
        let run = simulate(&mut pacer, &mut bucket, base, 0.0, 36_000, 8, 0.1, 0.0);
        let ratio = run.seconds / minimum(run.accepted, 10.0, 10.0);
        assert!(run.refused_share() <= 0.02, "{run:?}");
        assert!(ratio <= 1.05, "{ratio:.3}x: {run:?}");
    }

    #[test]
    fn different_limits_and_bursts_are_each_found() {
        for (rate, capacity, latency) in [(2.0, 2.0, 0.2), (50.0, 50.0, 0.05), (5.0, 60.0, 0.1)] {
            let base = Instant::now();
            let mut pacer = Pacer::new(PaceStart::Unknown, base, MAX_WAIT);
            let mut bucket = Bucket::full(rate, capacity);
            let wanted = (rate * 120.0) as u64;
            let run = simulate(&mut pacer, &mut bucket, base, 0.0, wanted, 8, latency, 0.0);
            let ratio = run.seconds / minimum(run.accepted, rate, capacity);
            // 5.5%: at 2/s, the fast climb from the first estimate (see
            // `a_first_estimate_climbs_fast_until_a_refusal_measures_it`) costs one refusal
            // more in 253 requests.
            assert!(
                run.refused_share() <= 0.055,
                "{rate}/s burst {capacity}: {run:?}"
            );
            assert!(
                ratio <= 1.15,
                "{rate}/s burst {capacity}: {ratio:.2}x {run:?}"
            );
        }
    }

    /// The first refusal's estimate errs low (refills lost while the bucket was still full), so
    /// the pace climbs from it at the fastest speed, up to 15% above it, until a later refusal
    /// measures the limit; what is remembered meanwhile is the estimate, not the climb.
    #[test]
    fn a_first_estimate_climbs_fast_until_a_refusal_measures_it() {
        let ms = Duration::from_millis;
        let hints = RateHints::default();
        let now = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Unknown, now, MAX_WAIT);
        for sent in 0..5 {
            let at = now + ms(10 * sent);
            pacer.on_accepted(at + ms(100), at, &hints);
        }
        pacer.on_refused(
            now + ms(300),
            now + ms(200),
            Some(Duration::from_secs(1)),
            &hints,
        );
        let (first, origin) = pacer.pace().expect("a first estimate");
        assert_eq!(origin, PaceOrigin::Learned);
        let mut at = now + ms(1300);
        while at < now + ms(6300) {
            match pacer.try_take(at) {
                Ok(()) => pacer.on_accepted(at + ms(100), at, &hints),
                // A token a rounding error short is asked for again a moment later.
                Err(next) => at = next.max(at + Duration::from_micros(1)),
            }
        }
        let (rate, _) = pacer.pace().expect("a pace");
        assert!(
            (first * 1.14..=first * 1.2).contains(&rate),
            "{first} climbed to {rate} in 5 s"
        );
        assert_eq!(pacer.learned(), Some(first), "the climb is not remembered");
    }

    #[test]
    fn a_limit_lowered_mid_run_is_followed_down_and_a_raised_one_up() {
        let base = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Unknown, base, MAX_WAIT);
        let mut bucket = Bucket::full(20.0, 20.0);
        bucket.change = Some((30.0, 5.0));
        let run = simulate(&mut pacer, &mut bucket, base, 0.0, 1200, 8, 0.1, 60.0);
        let (rate, _) = pacer.pace().expect("a pace");
        assert!(
            (4.0..=5.5).contains(&rate),
            "paced at {rate} under a limit of 5"
        );
        assert!(
            run.late_refused as f64 <= 0.03 * run.late_requests as f64,
            "{run:?}"
        );
        bucket.change = Some((run.seconds + 1.0, 10.0));
        let start = run.seconds;
        let raised = simulate(&mut pacer, &mut bucket, base, start, 3000, 8, 0.1, 0.0);
        let (rate, _) = pacer.pace().expect("a pace");
        assert!(
            rate >= 8.0,
            "still at {rate} after the limit doubled: {raised:?}"
        );
    }

    #[test]
    fn refusals_at_random_do_not_drag_the_pace_down() {
        let base = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Unknown, base, MAX_WAIT);
        let mut bucket = Bucket::full(10.0, 10.0);
        bucket.flaky = 0.05;
        let run = simulate(&mut pacer, &mut bucket, base, 0.0, 1000, 4, 0.05, 0.0);
        let (rate, _) = pacer.pace().expect("a pace");
        assert!(rate >= 7.0, "paced at {rate} under a limit of 10: {run:?}");
    }

    #[test]
    fn refusals_at_random_that_say_retry_now_cost_no_time() {
        for flaky in [0.02, 0.05] {
            let base = Instant::now();
            let mut pacer = Pacer::new(PaceStart::Unknown, base, MAX_WAIT);
            let mut bucket = Bucket::full(10.0, 10.0);
            bucket.flaky = flaky;
            let run = simulate(&mut pacer, &mut bucket, base, 0.0, 3000, 4, 0.05, 0.0);
            let ratio = run.seconds / minimum(run.accepted, 10.0, 10.0);
            let (rate, _) = pacer.pace().expect("a pace");
            assert!(
                ratio <= 1.15,
                "{flaky}: {ratio:.2}x at {rate:.2}/s: {run:?}"
            );
            assert!(rate >= 9.0, "{flaky}: paced at {rate:.2}/s: {run:?}");
        }
    }

    #[test]
    fn a_set_pace_is_kept_and_an_announced_policy_sets_the_pace() {
        let now = Instant::now();
        let mut set = Pacer::new(PaceStart::Set(4.0), now, MAX_WAIT);
        for second in 0..100 {
            let at = now + Duration::from_secs(second);
            set.on_accepted(at, at, &RateHints::default());
        }
        set.on_refused(
            now + Duration::from_secs(101),
            now + Duration::from_secs(101),
            Some(Duration::from_secs(1)),
            &RateHints::default(),
        );
        assert_eq!(set.pace(), Some((4.0, PaceOrigin::Set)));
        assert_eq!(
            set.learned(),
            None,
            "a set pace is not remembered as learned"
        );

        let mut announced = Pacer::new(PaceStart::Unknown, now, MAX_WAIT);
        let policy = RateHints {
            policy: Some((100.0, 60.0)),
            ..RateHints::default()
        };
        announced.on_accepted(now, now, &policy);
        let (rate, origin) = announced.pace().expect("the announced pace");
        assert_eq!(origin, PaceOrigin::Announced);
        assert!((rate - 100.0 / 60.0).abs() < 1e-9);
    }

    #[test]
    fn nothing_remaining_pauses_until_the_reset() {
        let now = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Unknown, now, MAX_WAIT);
        let empty = RateHints {
            remaining: Some(0),
            reset: Some(Duration::from_secs(3)),
            ..RateHints::default()
        };
        pacer.on_accepted(now, now, &empty);
        assert_eq!(pacer.try_take(now), Err(now + Duration::from_secs(3)));
        assert_eq!(pacer.try_take(now + Duration::from_secs(3)), Ok(()));
    }

    #[test]
    fn a_wait_of_zero_is_retried_at_once_then_backs_off_exponentially_and_a_named_wait_is_kept() {
        let now = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Unknown, now, MAX_WAIT);
        let mut at = now;
        let mut waits = Vec::new();
        for retry_after in [
            Some(Duration::ZERO),
            Some(Duration::ZERO),
            None,
            Some(Duration::ZERO),
        ] {
            let wait = pacer
                .on_refused(at, at, retry_after, &RateHints::default())
                .expect("a new pause");
            waits.push(wait.as_millis());
            at += wait;
        }
        // `Retry-After: 0` is asked again at once, the second in a row backs off.
        assert_eq!(waits, [0, 500, 1000, 2000]);
        pacer.on_accepted(at, at, &RateHints::default());
        let after_one_accepted =
            pacer.on_refused(at, at, Some(Duration::ZERO), &RateHints::default());
        assert_eq!(
            after_one_accepted,
            Some(Duration::ZERO),
            "a reply accepted starts over"
        );
        let named = pacer.on_refused(at, at, Some(Duration::from_secs(3)), &RateHints::default());
        assert_eq!(named, Some(Duration::from_secs(3)));
        assert_eq!(
            pacer.on_refused(at, at, Some(Duration::from_secs(3)), &RateHints::default()),
            None,
            "a refusal during the pause is the same episode"
        );
        let capped = pacer.on_refused(
            at + Duration::from_secs(3),
            at + Duration::from_secs(3),
            Some(Duration::from_secs(3600)),
            &RateHints::default(),
        );
        assert_eq!(capped, Some(MAX_WAIT));
    }

    #[test]
    fn the_status_bar_names_each_origin() {
        let labels = [
            PaceOrigin::Learned,
            PaceOrigin::Remembered,
            PaceOrigin::Announced,
            PaceOrigin::Set,
        ]
        .map(PaceOrigin::label);
        assert_eq!(labels, ["learned", "remembered", "announced", "set"]);
    }

    /// A request asked for before the model holds a whole token is told to come back when it
    /// does: half a token short at 2/s is a quarter of a second.
    #[test]
    fn a_request_too_early_is_told_when_the_next_token_is_due() {
        let ms = Duration::from_millis;
        let now = Instant::now();
        let mut pacer = Pacer::new(PaceStart::Set(2.0), now, MAX_WAIT);
        assert_eq!(pacer.try_take(now), Ok(()));
        let early = now + ms(250);
        assert_eq!(pacer.try_take(early), Err(early + ms(250)));
        assert_eq!(pacer.try_take(early + ms(250)), Ok(()));
    }

    /// Five replies taking 100 ms each, the first sent at `now`, then the first refusal, of a
    /// request sent at 200 ms and refused at 400 ms: the server saw the first at 50 ms and the
    /// refused one at 300 ms, so the estimate is 5 requests in 1.25 s (those 0.25 s plus the
    /// bucket's second's worth). The pause it asks for ends at 1.4 s.
    fn first_refusal(now: Instant, max_wait: Duration) -> Pacer {
        let ms = Duration::from_millis;
        let hints = RateHints::default();
        let mut pacer = Pacer::new(PaceStart::Unknown, now, max_wait);
        for sent in 0..5 {
            let at = now + ms(10 * sent);
            pacer.on_accepted(at + ms(100), at, &hints);
        }
        pacer.on_refused(now + ms(400), now + ms(200), Some(ms(1000)), &hints);
        pacer
    }

    /// A reply to a request sent before the first refused one reached the server before its
    /// bucket ran dry, so it raises the first estimate; one sent after it does not, nor does
    /// one while the server's announced policy sets the pace.
    #[test]
    fn a_late_reply_sent_before_the_first_refusal_raises_its_estimate() {
        let ms = Duration::from_millis;
        let hints = RateHints::default();
        let now = Instant::now();
        let mut pacer = first_refusal(now, MAX_WAIT);
        let (first, origin) = pacer.pace().expect("a first estimate");
        assert_eq!(origin, PaceOrigin::Learned);
        let estimate = 5.0 / 1.25 * MARGIN;
        assert!((first - estimate).abs() < 1e-9, "estimated {first}");

        pacer.on_accepted(now + ms(450), now + ms(250), &hints);
        assert_eq!(
            pacer.pace(),
            Some((first, PaceOrigin::Learned)),
            "sent after"
        );

        pacer.on_accepted(now + ms(460), now + ms(150), &hints);
        let raised = 6.0 / 1.25 * MARGIN;
        let (rate, origin) = pacer.pace().expect("a pace");
        assert_eq!(origin, PaceOrigin::Learned);
        assert!(
            (rate - raised).abs() < 1e-9,
            "raised to {rate}, not {raised}"
        );
        assert_eq!(
            pacer.learned(),
            Some(rate),
            "the raised estimate is remembered"
        );

        let policy = RateHints {
            policy: Some((60.0, 60.0)),
            ..RateHints::default()
        };
        pacer.on_accepted(now + ms(470), now + ms(300), &policy);
        pacer.on_accepted(now + ms(480), now + ms(160), &hints);
        assert_eq!(pacer.pace(), Some((1.0, PaceOrigin::Announced)));
    }

    /// How many requests the model lets go at once at `at`, after a long quiet spell.
    fn burst_at(pacer: &mut Pacer, at: Instant) -> usize {
        (0..10).take_while(|_| pacer.try_take(at).is_ok()).count()
    }

    /// The first estimate, 3.92/s, lets 3 requests go at once. A refusal less than a second
    /// after a pause ended means that was too many: the burst is halved, to 1. Not so a
    /// refusal a second after, or after a pause of nothing; an announced policy lets one go.
    #[test]
    fn a_refusal_just_after_a_pause_halves_the_burst() {
        let ms = Duration::from_millis;
        let hints = RateHints::default();
        let now = Instant::now();
        let later = now + Duration::from_secs(100);
        for (refused, burst) in [(ms(2399), 1), (ms(2400), 3)] {
            let mut pacer = first_refusal(now, MAX_WAIT);
            pacer.on_refused(now + refused, now + refused, Some(ms(100)), &hints);
            assert_eq!(burst_at(&mut pacer, later), burst, "refused at {refused:?}");
        }

        let mut unpaused = first_refusal(now, Duration::ZERO);
        unpaused.on_refused(now + ms(500), now + ms(500), Some(ms(100)), &hints);
        assert_eq!(
            burst_at(&mut unpaused, later),
            3,
            "after a pause of nothing"
        );

        // Nothing remaining until a reset due now begins no pause: the last one still ended
        // at 1.4 s.
        let mut reset_now = first_refusal(now, MAX_WAIT);
        let nothing_left = RateHints {
            remaining: Some(0),
            reset: Some(Duration::ZERO),
            ..RateHints::default()
        };
        reset_now.on_accepted(now + ms(1400), now + ms(1300), &nothing_left);
        reset_now.on_refused(now + ms(1500), now + ms(1500), Some(ms(100)), &hints);
        assert_eq!(
            burst_at(&mut reset_now, later),
            1,
            "refused after a reset due now"
        );

        let mut announced = first_refusal(now, MAX_WAIT);
        let policy = RateHints {
            policy: Some((60.0, 60.0)),
            ..RateHints::default()
        };
        announced.on_accepted(now + ms(500), now + ms(450), &policy);
        assert_eq!(
            burst_at(&mut announced, later),
            1,
            "under an announced policy"
        );
    }

    /// A pace remembered as 10/s, refused after `accepted` replies. With `second`: `between`
    /// replies more, a refusal 0.4 s after the first (too soon to measure anything), and
    /// another one `gap` after that. Returns the pace then.
    fn pace_after_refusals(accepted: u64, second: Option<(u64, Duration)>) -> (f64, PaceOrigin) {
        let ms = Duration::from_millis;
        let now = Instant::now();
        let hints = RateHints::default();
        let mut pacer = Pacer::new(PaceStart::Remembered(10.0), now, MAX_WAIT);
        let accept = |pacer: &mut Pacer, count: u64, from: Instant| {
            for reply in 1..=count {
                let at = from + ms(10 * reply);
                pacer.on_accepted(at, at, &hints);
            }
        };
        accept(&mut pacer, accepted, now);
        let first = now + Duration::from_secs(1);
        pacer.on_refused(first, first, Some(ms(100)), &hints);
        if let Some((between, gap)) = second {
            accept(&mut pacer, between, first);
            let again = first + ms(400);
            pacer.on_refused(again, again, Some(ms(100)), &hints);
            pacer.on_refused(again + gap, again + gap, Some(ms(100)), &hints);
        }
        pacer.pace().expect("a pace")
    }

    /// The first refusals of a pace are the requests in flight when the bucket ran dry: a
    /// remembered pace is lowered (and becomes a learned one) only after ten replies have
    /// been accepted at it.
    #[test]
    fn a_refusal_lowers_a_pace_only_after_ten_replies_at_it() {
        assert_eq!(pace_after_refusals(9, None), (10.0, PaceOrigin::Remembered));
        let (rate, origin) = pace_after_refusals(10, None);
        assert_eq!(origin, PaceOrigin::Learned);
        assert!((rate - 10.0 * MARGIN).abs() < 1e-9, "lowered to {rate}");
    }

    /// Two refusals with nothing accepted between measure a rate of nothing, but only over
    /// half a second or more: a shorter span is within the count's own uncertainty. The pace
    /// then drops by the most one refusal may lower it.
    #[test]
    fn a_refusal_measures_the_rate_since_the_last_only_over_half_a_second() {
        let lowered = 10.0 * MARGIN;
        let dropped = lowered * MAX_DROP * MARGIN;
        let (soon, _) = pace_after_refusals(10, Some((10, Duration::from_millis(300))));
        assert!((soon - lowered).abs() < 1e-9, "0.3 s: {soon}");
        let (half, _) = pace_after_refusals(10, Some((10, Duration::from_millis(500))));
        assert!((half - dropped).abs() < 1e-9, "0.5 s: {half}");
    }

    /// `accepted` replies, the first reaching the server at `now`, then the first refusal,
    /// seen by the server `spent` later (sent and answered at once, as the demo's loopback
    /// nearly is); its pause is a second.
    fn refused_after(now: Instant, accepted: u64, spent: Duration) -> Pacer {
        let hints = RateHints::default();
        let mut pacer = Pacer::new(PaceStart::Unknown, now, MAX_WAIT);
        for reply in 0..accepted {
            let at = now + spent.mul_f64(reply as f64 / accepted as f64);
            pacer.on_accepted(at, at, &hints);
        }
        let refused = now + spent;
        pacer.on_refused(refused, refused, Some(Duration::from_secs(1)), &hints);
        pacer
    }

    /// 40 requests in 18.6 s plus the bucket's second: an estimate of exactly 2/s, so the
    /// model lets two go at once. The first of the two took a spare token: it says nothing
    /// about the pace being too low. The second emptied the bucket, so its reply probes the
    /// pace up. A late reply that measures no more than that pace leaves the remembered
    /// estimate as it was.
    #[test]
    fn only_a_request_that_emptied_the_model_bucket_probes_the_pace_up() {
        let ms = Duration::from_millis;
        let hints = RateHints::default();
        let now = Instant::now();
        let mut pacer = refused_after(now, 40, ms(18_600));
        assert_eq!(pacer.pace(), Some((2.0, PaceOrigin::Learned)));
        let later = now + Duration::from_secs(100);
        assert_eq!(pacer.try_take(later), Ok(()));
        pacer.on_accepted(later + ms(100), later, &hints);
        assert_eq!(
            pacer.pace(),
            Some((2.0, PaceOrigin::Learned)),
            "a spare token"
        );
        assert_eq!(pacer.try_take(later), Ok(()));
        pacer.on_accepted(later + ms(100), later, &hints);
        let probed = 2.0 + PROBE_MAX;
        assert_eq!(pacer.pace(), Some((probed, PaceOrigin::Learned)));
        // 41 requests in the same 19.6 s measure 2.05/s, no more than the pace.
        pacer.on_accepted(later + ms(200), now + ms(18_000), &hints);
        assert_eq!(pacer.learned(), Some(2.0));
    }

    /// 5 requests in 13.7 s plus a second: an estimate of 1/3 a second, which one fast step
    /// of the probe takes to exactly 15% above it. There the fast climb ends: the next step is
    /// the slow one, a fraction of the first.
    #[test]
    fn the_fast_climb_ends_fifteen_percent_above_the_first_estimate() {
        let ms = Duration::from_millis;
        let hints = RateHints::default();
        let now = Instant::now();
        let mut pacer = refused_after(now, 5, ms(13_700));
        let (first, _) = pacer.pace().expect("a first estimate");
        let mut at = now + ms(13_700);
        let mut steps = Vec::new();
        for _ in 0..2 {
            at += Duration::from_secs(4);
            assert_eq!(pacer.try_take(at), Ok(()));
            let (before, _) = pacer.pace().expect("a pace");
            pacer.on_accepted(at + ms(100), at, &hints);
            let (after, _) = pacer.pace().expect("a pace");
            steps.push(after - before);
        }
        assert_eq!(
            first + PROBE_MAX,
            first * UNCALIBRATED_RANGE,
            "the range reached"
        );
        assert!((steps[0] - PROBE_MAX).abs() < 1e-12, "{steps:?}");
        assert!(steps[1] < PROBE_MAX / 4.0, "{steps:?}");
    }
}
