//! Identifiers the providers hand out: UUIDs (AlpPay, Cryptomus) and transaction hashes (all).
//!
//! A small SplitMix64 generator seeded from the standard library's per-process random keys is
//! enough: the ids only have to be unique and look like the real ones, not be unpredictable.

use std::hash::{BuildHasher, Hasher};

/// A pseudo-random generator kept inside a simulator's state (so it is advanced under its lock).
#[derive(Debug)]
pub(crate) struct IdGen {
    state: u64,
}

impl Default for IdGen {
    fn default() -> Self {
        Self::new()
    }
}

impl IdGen {
    /// Seeds from the process's random hashing keys and the clock.
    pub(crate) fn new() -> Self {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_i128(crate::clock::now().unix_timestamp_nanos());
        Self { state: h.finish() }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A version-4-shaped UUID, lowercase and hyphenated.
    pub(crate) fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next_u64().to_be_bytes());
        b[8..].copy_from_slice(&self.next_u64().to_be_bytes());
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
    }

    /// 32 random bytes in lowercase hex (a Bitcoin-style transaction hash).
    pub(crate) fn hash64(&mut self) -> String {
        let mut s = String::with_capacity(64);
        for _ in 0..4 {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s
    }

    /// An Ethereum/Tron-style transaction hash: `0x` and 64 hex digits.
    pub(crate) fn hash0x(&mut self) -> String {
        format!("0x{}", self.hash64())
    }
}

/// Whether `s` looks like a hyphenated UUID (Cryptomus's `uuid` rule).
pub(crate) fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_shaped_and_unique() {
        let mut g = IdGen::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let u = g.uuid();
            assert!(looks_like_uuid(&u), "{u}");
            assert_eq!(&u[14..15], "4");
            assert!(seen.insert(u));
        }
        assert_eq!(g.hash64().len(), 64);
        assert!(g.hash0x().starts_with("0x"));
    }
}
