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
use std::time::{Instant, SystemTime, UNIX_EPOCH};

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

    fn tick(&mut self) -> i64 {
        let elapsed = i64::try_from(self.origin.elapsed().as_millis()).unwrap_or(i64::MAX);
        let now = self.origin_ms.saturating_add(elapsed);
        self.last_ms = now.max(self.last_ms + 1);
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

    /// Applies every move due at the current rate since the last catch-up.
    pub(crate) fn catch_up(&mut self) {
        if self.rate <= 0.0 || self.contacts == 0 {
            return;
        }
        let due = (self.epoch.elapsed().as_secs_f64() * self.rate) as u64;
        while self.applied_in_epoch < due {
            let index = self.rng.random_range(0..self.contacts);
            self.move_to_top(index);
            self.applied_in_epoch += 1;
        }
    }

    /// Catches up at the old rate, then moves at `rate` (finite, `>= 0`) from now on.
    pub(crate) fn set_rate(&mut self, rate: f64) {
        self.catch_up();
        self.rate = rate;
        self.epoch = Instant::now();
        self.applied_in_epoch = 0;
    }

    /// How many moves were applied so far (a contact moved twice counts twice).
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    fn move_to_top(&mut self, index: u32) {
        let at = self.clock.tick();
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
        moves.move_to_top(3);
        moves.move_to_top(7);
        moves.move_to_top(3);
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
        let first = clock.tick();
        let second = clock.tick();
        assert!(first > future);
        assert!(second > first);
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
