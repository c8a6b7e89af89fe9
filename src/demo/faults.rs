//! The dice behind injected faults, seeded so that a failing test can be replayed.
//!
//! Each request gets dice of its own, seeded from the fault seed, the request (method, path,
//! query and body) and how many times that same request was received before. So the n-th try
//! of a given page meets the same faults under the same seed, whatever order concurrent
//! requests arrive in, and a retry of a page rolls anew.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Hands out [`Dice`] for each request.
pub(crate) struct FaultSeed {
    seed: u64,
    /// Times each request (by its hash) was received.
    seen: Mutex<HashMap<u64, u64>>,
}

impl FaultSeed {
    pub(crate) fn new(seed: u64) -> FaultSeed {
        FaultSeed {
            seed,
            seen: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// The dice of the request made of `parts` (method, path, query, body, in that order):
    /// the same for the n-th receipt of the same request under the same seed.
    pub(crate) fn dice(&self, parts: &[&[u8]]) -> Dice {
        let key = parts.iter().fold(FNV_OFFSET, |hash, part| {
            // A separator, so that ("ab", "c") and ("a", "bc") differ.
            fnv(fnv(hash, part), &[0xff])
        });
        let nth = {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            let count = seen.entry(key).or_insert(0);
            *count += 1;
            *count
        };
        let stream = fnv(fnv(self.seed ^ key, &nth.to_le_bytes()), b"faults");
        Dice(ChaCha8Rng::seed_from_u64(stream))
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The rolls of one request, taken in a fixed order by the fault layers.
#[derive(Clone)]
pub(crate) struct Dice(ChaCha8Rng);

impl Dice {
    /// One die roll: true with `probability` (outside `0..=1` it saturates). A roll is taken
    /// whatever the probability, so one fault's rate does not shift the others' rolls.
    pub(crate) fn roll(&mut self, probability: f64) -> bool {
        let die: f64 = self.0.random();
        probability > 0.0 && die < probability
    }

    /// A number in `0..bound` (`bound > 0`).
    pub(crate) fn pick(&mut self, bound: u32) -> u32 {
        self.0.random_range(0..bound.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rolls(dice: &mut Dice) -> Vec<bool> {
        (0..64).map(|_| dice.roll(0.5)).collect()
    }

    #[test]
    fn the_same_seed_and_request_roll_the_same_and_a_retry_rolls_anew() {
        let first = FaultSeed::new(7);
        let again = FaultSeed::new(7);
        let request: [&[u8]; 2] = [b"POST", b"{\"page\":2}"];
        let (mut a, mut b) = (first.dice(&request), again.dice(&request));
        assert_eq!(rolls(&mut a), rolls(&mut b));
        let (mut retry, mut retry_again) = (first.dice(&request), again.dice(&request));
        let retried = rolls(&mut retry);
        assert_eq!(retried, rolls(&mut retry_again));
        assert_ne!(retried, rolls(&mut FaultSeed::new(7).dice(&request)));
        let other_page: [&[u8]; 2] = [b"POST", b"{\"page\":3}"];
        assert_ne!(
            rolls(&mut FaultSeed::new(7).dice(&other_page)),
            rolls(&mut FaultSeed::new(7).dice(&request))
        );
        assert_ne!(
            rolls(&mut FaultSeed::new(8).dice(&request)),
            rolls(&mut FaultSeed::new(7).dice(&request))
        );
    }

    #[test]
    fn a_roll_is_true_about_as_often_as_its_probability() {
        let mut dice = FaultSeed::new(1).dice(&[b"x"]);
        let hits = (0..10_000).filter(|_| dice.roll(0.2)).count();
        assert!((1_800..2_200).contains(&hits), "{hits}");
        assert!(!(0..1000).any(|_| dice.roll(0.0)));
        assert!((0..1000).all(|_| dice.roll(1.0)));
    }
}
