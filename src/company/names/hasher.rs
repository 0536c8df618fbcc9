//! [`Keys`]: the name index's hasher, a seeded folded multiply over eight
//! bytes at a time (the construction of foldhash and of hashbrown's
//! default), several times cheaper than SipHash for short names.
//!
//! Each index draws its own random seeds (from [`RandomState`]), so the
//! slots a name lands in differ from one process, and one index, to the
//! next. It is not a cryptographic hash: like foldhash, it resists names
//! chosen in advance, not an attacker who watches timings and adapts.
//! Names come from a company's administrators, and a bad run only makes
//! probes longer, never wrong (a lookup compares names).

use std::hash::{BuildHasher, Hasher, RandomState};

/// Odd constants with well mixed bits (the fractional digits of pi).
const PI: [u64; 2] = [0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344];

/// The high and low halves of `x * y` (128 bits), combined: every bit of
/// the result depends on every bit of both factors.
#[inline(always)]
fn folded_multiply(x: u64, y: u64) -> u64 {
    let full = u128::from(x) * u128::from(y);
    // The halves of the product: truncation intended.
    #[allow(clippy::cast_possible_truncation)]
    let (low, high) = (full as u64, (full >> 64) as u64);
    low ^ high
}

/// Builds the name index's hashers from two random seeds.
#[derive(Clone, Copy)]
pub(crate) struct Keys {
    seeds: [u64; 2],
}

impl Default for Keys {
    /// Seeds from the standard library's random keys: different for each
    /// index.
    fn default() -> Self {
        let random = RandomState::new();
        Self {
            seeds: [random.hash_one(PI[0]), random.hash_one(PI[1]) | 1],
        }
    }
}

impl BuildHasher for Keys {
    type Hasher = KeyHasher;

    #[inline]
    fn build_hasher(&self) -> KeyHasher {
        KeyHasher {
            state: self.seeds[0],
            seed: self.seeds[1],
        }
    }
}

/// Hashes one key: folds each word of it into `state`.
pub(crate) struct KeyHasher {
    state: u64,
    seed: u64,
}

impl KeyHasher {
    #[inline(always)]
    fn mix(&mut self, word: u64) {
        self.state = folded_multiply(self.state ^ word, self.seed ^ PI[0]);
    }
}

impl Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            if let Ok(word) = <[u8; 8]>::try_from(word) {
                self.mix(u64::from_le_bytes(word));
            }
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            // The last 1 to 7 bytes, and how many they are in the top
            // byte: "a" and "a\0" differ.
            let mut word = [0; 8];
            for (to, &from) in word.iter_mut().zip(rest) {
                *to = from;
            }
            if let Some(last) = word.last_mut() {
                *last = u8::try_from(rest.len()).unwrap_or(u8::MAX);
            }
            self.mix(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte) | 1 << 63);
    }

    #[inline]
    fn write_u32(&mut self, value: u32) {
        self.mix(u64::from(value) | 1 << 62);
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.mix(value);
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.mix(u64::try_from(value).unwrap_or(u64::MAX));
    }

    #[inline]
    fn finish(&self) -> u64 {
        folded_multiply(self.state, self.seed ^ PI[1])
    }
}
