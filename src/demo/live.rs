//! Live mode: contacts getting new messages, and so moving to page 1, while clients page.
//!
//! The live API sorts by `lastMessage.at`, so a contact that gets a message jumps to the top and
//! everyone above its old place slides down one, which is what makes a real export see duplicates
//! and miss contacts. The sorted base records stay immutable (moving one in a million-entry `Vec`
//! per message would cost a memmove each); this overlay records which contacts moved and their new
//! `lastMessage.at`, and page serving reads moved contacts newest first, then the base order
//! skipping them.
//!
//! Moves are applied lazily: whenever a contact page is served (or the move count is read), every
//! move due since the last catch-up at `rate` a second is applied first. A client cannot tell the
//! difference from a background ticker (it only sees the data set between its requests), and
//! nothing has to be stopped when the server shuts down.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Which contacts to move comes from this stream, seeded from the data set's seed, so the same
/// seed moves the same contacts in the same order.
const MOVE_SALT: u64 = 0x11fe_5eed_0000_0001;

/// The moved contacts and the clock that stamps their new messages.
pub(crate) struct Moves {
    /// Moved contacts by their new `lastMessage.at`; timestamps are unique (the clock is strictly
    /// increasing), so iterating backwards is the served order.
    by_time: BTreeMap<i64, u32>,
    /// The new `lastMessage.at` of each moved contact, by base index.
    moved_at: HashMap<u32, i64>,
    /// One bit per base record, set once it moved: a scan of a million records tests a bit
    /// rather than hashing. Empty until the first move.
    moved_bits: Vec<u64>,
    contacts: u32,
    rng: ChaCha8Rng,
    count: u64,
    clock: Clock,
    /// Moves a second; `0` pauses.
    rate: f64,
    /// When the current rate took effect, and how many moves it has made since.
    epoch: Instant,
    applied_in_epoch: u64,
}

/// The server's message clock: wall time, but never at or before the newest message of the data
/// set and strictly increasing by at least 1 ms per message.
struct Clock {
    origin: Instant,
    origin_ms: i64,
    last_ms: i64,
}

impl Clock {
    fn new(newest_existing: Option<i64>) -> Clock {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let floor = newest_existing.map_or(i64::MIN, |newest| newest.saturating_add(1));
        let origin_ms = now_ms.max(floor);
        Clock {
            origin: Instant::now(),
            origin_ms,
            last_ms: origin_ms - 1,
        }
    }

    /// The timestamp of a message sent at `when`: its wall time, or 1 ms after the previous
    /// message if that is later.
    fn stamp(&mut self, when: Instant) -> i64 {
        let since_origin = when.saturating_duration_since(self.origin).as_millis();
        let wall = self
            .origin_ms
            .saturating_add(i64::try_from(since_origin).unwrap_or(i64::MAX));
        self.last_ms = wall.max(self.last_ms + 1);
        self.last_ms
    }
}

impl Moves {
    /// No moves yet; `rate` contacts a second (finite, `>= 0`) will move from now on.
    pub(crate) fn new(contacts: usize, newest_existing: Option<i64>, seed: u64, rate: f64) -> Self {
        Moves {
            by_time: BTreeMap::new(),
            moved_at: HashMap::new(),
            moved_bits: Vec::new(),
            contacts: u32::try_from(contacts).unwrap_or(u32::MAX),
            rng: ChaCha8Rng::seed_from_u64(seed ^ MOVE_SALT),
            count: 0,
            clock: Clock::new(newest_existing),
            rate,
            epoch: Instant::now(),
            applied_in_epoch: 0,
        }
    }

    /// Applies every move due at the current rate since the last catch-up, each stamped with
    /// the time it was due, so a late catch-up still spaces messages as the rate says.
    pub(crate) fn catch_up(&mut self) {
        if self.rate <= 0.0 || self.contacts == 0 {
            return;
        }
        let due = (self.epoch.elapsed().as_secs_f64() * self.rate) as u64;
        while self.applied_in_epoch < due {
            self.applied_in_epoch += 1;
            let offset = Duration::try_from_secs_f64(self.applied_in_epoch as f64 / self.rate)
                .unwrap_or(Duration::ZERO);
            let index = self.rng.random_range(0..self.contacts);
            self.move_to_top(index, self.epoch + offset);
        }
    }

    /// Catches up at the old rate, then moves at `rate` (finite, `>= 0`) from now on.
    pub(crate) fn set_rate(&mut self, rate: f64) {
        self.catch_up();
        self.rate = rate;
        self.epoch = Instant::now();
        self.applied_in_epoch = 0;
    }

    /// Gives the base record at `index` a new message now, after the moves due so far: a live
    /// move of a contact the caller chose rather than one the seed drew.
    pub(crate) fn move_now(&mut self, index: u32) {
        self.catch_up();
        self.move_to_top(index, Instant::now());
    }

    /// How many moves were applied so far (a contact moved twice counts twice).
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    fn move_to_top(&mut self, index: u32, when: Instant) {
        let at = self.clock.stamp(when);
        if let Some(previous) = self.moved_at.insert(index, at) {
            self.by_time.remove(&previous);
        }
        self.by_time.insert(at, index);
        if self.moved_bits.is_empty() {
            self.moved_bits = vec![0; (self.contacts as usize).div_ceil(64)];
        }
        let slot = index as usize;
        self.moved_bits[slot / 64] |= 1 << (slot % 64);
        self.count += 1;
    }

    /// Moved contacts, newest message first: `(base index, new lastMessage.at)`.
    pub(crate) fn newest_first(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.by_time
            .iter()
            .rev()
            .map(|(&at, &index)| (index as usize, at))
    }

    /// Whether the base record at `index` moved (and so is served from the overlay instead).
    pub(crate) fn is_moved(&self, index: usize) -> bool {
        self.moved_bits
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_moved_twice_is_listed_once_at_its_newest_time() {
        let mut moves = Moves::new(10, Some(5_000), 1, 0.0);
        let now = Instant::now();
        moves.move_to_top(3, now);
        moves.move_to_top(7, now);
        moves.move_to_top(3, now);
        let order: Vec<(usize, i64)> = moves.newest_first().collect();
        assert_eq!(order.len(), 2);
        assert_eq!(order[0].0, 3);
        assert_eq!(order[1].0, 7);
        assert!(order[0].1 > order[1].1 && order[1].1 > 5_000);
        assert_eq!(moves.count(), 3);
        assert!(moves.is_moved(3) && moves.is_moved(7) && !moves.is_moved(4));
        assert!(!moves.is_moved(1_000), "out of range is simply not moved");
    }

    #[test]
    fn the_clock_starts_after_the_newest_message_even_if_it_is_in_the_future() {
        let future = i64::MAX / 2;
        let mut clock = Clock::new(Some(future));
        let first = clock.stamp(Instant::now());
        let second = clock.stamp(Instant::now());
        assert!(first > future);
        assert!(second > first);
        let earlier = clock.origin.checked_sub(Duration::from_secs(5));
        let third = clock.stamp(earlier.unwrap_or(clock.origin));
        assert!(
            third > second,
            "never goes back, even for an earlier instant"
        );
    }

    #[test]
    fn a_late_catch_up_spaces_messages_as_the_rate_says() {
        let mut moves = Moves::new(1000, Some(5_000), 1, 100.0);
        let second_ago = Instant::now().checked_sub(Duration::from_secs(1));
        let Some(second_ago) = second_ago else {
            return; // A monotonic clock this young cannot go back a second; nothing to test.
        };
        moves.epoch = second_ago;
        moves.clock.origin = second_ago;
        moves.catch_up();
        assert!(moves.count() >= 100, "{} moves", moves.count());
        let stamps: Vec<i64> = moves.moved_at.values().copied().collect();
        let (first, last) = (stamps.iter().min(), stamps.iter().max());
        let span = last.zip(first).map(|(last, first)| last - first);
        assert!(
            span.is_some_and(|span| span >= 900),
            "spread over a second: {span:?}"
        );
    }

    #[test]
    fn no_moves_at_rate_zero_or_on_an_empty_data_set() {
        let mut paused = Moves::new(10, None, 1, 0.0);
        paused.catch_up();
        assert_eq!(paused.count(), 0);
        let mut empty = Moves::new(0, None, 1, 1e9);
        empty.catch_up();
        assert_eq!(empty.count(), 0);
    }
}
