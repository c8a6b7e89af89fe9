//! A compact, exact set of contact ids.
//!
//! Exports de-duplicate over every contact they write, and a selection of "everything matching"
//! remembers the rows a user unmarked, so the set must stay small at a million ids. Contact ids
//! are Mongo ObjectIds, 24 hex digits, which fit in 12 bytes; anything else (another platform's
//! ids, a bug) is kept as text, so the set stays exact whatever the server sends.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// An exact set of ids; 24-hex ids cost about 14 bytes each at a million.
#[derive(Debug, Clone, Default)]
pub struct IdSet {
    object_ids: HashSet<[u8; 12], BuildHasherDefault<ObjectIdHasher>>,
    others: HashSet<Box<str>>,
}

impl IdSet {
    pub fn new() -> IdSet {
        IdSet::default()
    }

    /// Adds `id`; false when it was already in.
    pub fn insert(&mut self, id: &str) -> bool {
        match pack(id) {
            Some(packed) => self.object_ids.insert(packed),
            None => self.others.insert(id.into()),
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        match pack(id) {
            Some(packed) => self.object_ids.contains(&packed),
            None => self.others.contains(id),
        }
    }

    /// Removes `id`; false when it was not in.
    pub fn remove(&mut self, id: &str) -> bool {
        match pack(id) {
            Some(packed) => self.object_ids.remove(&packed),
            None => self.others.remove(id),
        }
    }

    pub fn len(&self) -> usize {
        self.object_ids.len() + self.others.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        self.object_ids = HashSet::default();
        self.others = HashSet::default();
    }

    /// Every id, 24-hex ones in lower case, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = String> + '_ {
        let hex = |packed: &[u8; 12]| packed.iter().map(|byte| format!("{byte:02x}")).collect();
        self.object_ids
            .iter()
            .map(hex)
            .chain(self.others.iter().map(|id| id.to_string()))
    }

    /// How many ids of this set are in none of `others`. Counts a union of sets (or a set less
    /// its exclusions) without building it, which at a million ids would double the memory.
    pub fn count_outside(&self, others: &[&IdSet]) -> usize {
        let others: Vec<&IdSet> = others
            .iter()
            .copied()
            .filter(|set| !set.is_empty())
            .collect();
        if others.is_empty() {
            return self.len();
        }
        let packed = self
            .object_ids
            .iter()
            .filter(|id| others.iter().all(|set| !set.object_ids.contains(*id)))
            .count();
        let texts = self
            .others
            .iter()
            .filter(|id| others.iter().all(|set| !set.others.contains(*id)))
            .count();
        packed + texts
    }
}

/// The 12 bytes of a 24-digit hex id, either case; `None` for any other text. Upper- and
/// lower-case spellings of one ObjectId are the same id to the platform.
fn pack(id: &str) -> Option<[u8; 12]> {
    let bytes = id.as_bytes();
    if bytes.len() != 24 {
        return None;
    }
    let mut packed = [0u8; 12];
    for (slot, pair) in packed.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(packed)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Ids are not attacker-chosen keys of a long-lived table, so a fold of the 12 bytes with a
/// final avalanche (SplitMix64's) is enough, and much cheaper than SipHash. The avalanche
/// matters: an ObjectId's changing bytes (its counter) sit at the end.
#[derive(Default)]
struct ObjectIdHasher(u64);

impl Hasher for ObjectIdHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(29) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_of_either_case_are_one_id_and_others_are_kept_as_text() {
        let mut set = IdSet::new();
        assert!(set.insert("65a000000000000000000001"));
        assert!(!set.insert("65A000000000000000000001"));
        assert!(set.insert("65a000000000000000000002"));
        assert!(set.insert("not-an-object-id"));
        assert!(!set.insert("not-an-object-id"));
        assert!(set.insert("65a00000000000000000000g"));
        assert_eq!(set.len(), 4);
        assert!(set.contains("65a000000000000000000002"));
        assert!(!set.contains("65a000000000000000000003"));
        assert!(set.remove("65a000000000000000000001"));
        assert!(!set.contains("65a000000000000000000001"));
        assert!(set.remove("not-an-object-id"));
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn ids_outside_other_sets_are_counted_whatever_their_spelling() {
        let mut first = IdSet::new();
        let mut second = IdSet::new();
        for id in [
            "65a000000000000000000001",
            "65a000000000000000000002",
            "text-id",
        ] {
            first.insert(id);
        }
        second.insert("65A000000000000000000002");
        second.insert("text-id");
        second.insert("65a000000000000000000009");
        assert_eq!(first.count_outside(&[]), 3);
        assert_eq!(first.count_outside(&[&IdSet::new()]), 3);
        assert_eq!(first.count_outside(&[&second]), 1);
        assert_eq!(second.count_outside(&[&first]), 1);
        let mut third = IdSet::new();
        third.insert("65a000000000000000000001");
        assert_eq!(first.count_outside(&[&second, &third]), 0);
    }

    #[test]
    fn a_million_ids_stay_exact() {
        let mut set = IdSet::new();
        for serial in 0..1_000_000u64 {
            assert!(set.insert(&format!("65a00000{serial:016x}")));
        }
        for serial in (0..1_000_000u64).step_by(997) {
            assert!(!set.insert(&format!("65a00000{serial:016x}")));
        }
        assert_eq!(set.len(), 1_000_000);
    }
}
