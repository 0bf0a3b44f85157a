//! Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror & Shaw (2011),
//! "Parallel random numbers: as easy as 1, 2, 3", SC'11 (the Random123 library).
//!
//! A counter-based generator is a keyed bijection: output = f(counter, key). Nothing is
//! carried from one draw to the next, so any neuron on any thread can compute "its" numbers
//! for step *n* without touching shared state — the property determinism across thread
//! counts needs. Arbor, JAX and cuRAND use the same family for the same reason.

/// Multipliers of the two S-boxes (Random123 `PHILOX_M4x32_0/1`).
const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
/// Weyl sequence added to the key between rounds (golden ratio, sqrt(3) - 1).
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;
/// Rounds: 10 is Random123's default and passes TestU01's BigCrush with margin.
const ROUNDS: usize = 10;

#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let product = u64::from(a) * u64::from(b);
    ((product >> 32) as u32, product as u32)
}

#[inline(always)]
fn round(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let (hi0, lo0) = mulhilo(M0, ctr[0]);
    let (hi1, lo1) = mulhilo(M1, ctr[2]);
    [hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0]
}

/// Philox4x32 with 10 rounds: four 32-bit random words for one (counter, key) pair.
#[inline]
pub fn philox4x32(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut ctr = round(counter, key);
    let mut key = key;
    for _ in 1..ROUNDS {
        key = [key[0].wrapping_add(W0), key[1].wrapping_add(W1)];
        ctr = round(ctr, key);
    }
    ctr
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors from Random123's `kat_vectors` file (lines `philox4x32 10 ...`),
    /// as quoted in DEShawResearch/fs123 `core123/ut/ut_philox.cpp`.
    #[test]
    fn matches_random123_known_answers() {
        let cases: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
            (
                [0; 4],
                [0; 2],
                [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8],
            ),
            (
                [u32::MAX; 4],
                [u32::MAX; 2],
                [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd],
            ),
            (
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0],
                [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1],
            ),
        ];
        for (counter, key, expected) in cases {
            assert_eq!(philox4x32(counter, key), expected, "counter {counter:08x?}");
        }
    }
}
