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

/// Philox4x32-10 on 8 counters at once, in structure-of-arrays form: `counters[w][l]` is
/// word `w` of lane `l`'s counter, and the result is laid out the same way. Each lane gives
/// exactly the words [`philox4x32`] gives for its counter.
///
/// With AVX2 (the project's `x86-64-v3` build) the eight lanes of each word sit in one
/// vector register and each round is a handful of vector instructions: `vpmuludq` forms
/// the 32×32→64-bit products of the even lanes and, after a shift, of the odd ones, and
/// blends put the high and low halves back in lane order. Other targets run the lanes in
/// a plain loop.
#[inline]
pub fn philox4x32_x8(counters: [[u32; 8]; 4], key: [u32; 2]) -> [[u32; 8]; 4] {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
    #[allow(unsafe_code)]
    // SAFETY: `avx2::philox4x32_x8` only needs AVX2, and this branch is compiled only when
    // the whole build targets CPUs that have it (`target_feature = "avx2"`).
    unsafe {
        avx2::philox4x32_x8(counters, key)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
    {
        let mut out = [[0u32; 8]; 4];
        for l in 0..8 {
            let words = philox4x32(counters.map(|w| w[l]), key);
            for (w, word) in words.into_iter().enumerate() {
                out[w][l] = word;
            }
        }
        out
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
mod avx2 {
    use super::{M0, M1, ROUNDS, W0, W1};
    use std::arch::x86_64::{
        __m256i, _mm256_blend_epi32, _mm256_extract_epi32, _mm256_mul_epu32, _mm256_set1_epi32,
        _mm256_setr_epi32, _mm256_slli_epi64, _mm256_srli_epi64, _mm256_xor_si256,
    };

    #[inline]
    #[target_feature(enable = "avx2")]
    fn load(w: [u32; 8]) -> __m256i {
        let w = w.map(|x| x as i32);
        _mm256_setr_epi32(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn store(v: __m256i) -> [u32; 8] {
        [
            _mm256_extract_epi32::<0>(v),
            _mm256_extract_epi32::<1>(v),
            _mm256_extract_epi32::<2>(v),
            _mm256_extract_epi32::<3>(v),
            _mm256_extract_epi32::<4>(v),
            _mm256_extract_epi32::<5>(v),
            _mm256_extract_epi32::<6>(v),
            _mm256_extract_epi32::<7>(v),
        ]
        .map(|x| x as u32)
    }

    /// (high, low) 32-bit halves of `m × x` in each lane.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn mulhilo(m: __m256i, x: __m256i) -> (__m256i, __m256i) {
        let even = _mm256_mul_epu32(m, x);
        let odd = _mm256_mul_epu32(m, _mm256_srli_epi64::<32>(x));
        let hi = _mm256_blend_epi32::<0b1010_1010>(_mm256_srli_epi64::<32>(even), odd);
        let lo = _mm256_blend_epi32::<0b1010_1010>(even, _mm256_slli_epi64::<32>(odd));
        (hi, lo)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn philox4x32_x8(counters: [[u32; 8]; 4], key: [u32; 2]) -> [[u32; 8]; 4] {
        let (m0, m1) = (_mm256_set1_epi32(M0 as i32), _mm256_set1_epi32(M1 as i32));
        let [w0, w1, w2, w3] = counters;
        let (mut c0, mut c1, mut c2, mut c3) = (load(w0), load(w1), load(w2), load(w3));
        let mut key = key;
        for r in 0..ROUNDS {
            if r > 0 {
                key = [key[0].wrapping_add(W0), key[1].wrapping_add(W1)];
            }
            let (hi0, lo0) = mulhilo(m0, c0);
            let (hi1, lo1) = mulhilo(m1, c2);
            let k0 = _mm256_set1_epi32(key[0] as i32);
            let k1 = _mm256_set1_epi32(key[1] as i32);
            (c0, c1, c2, c3) = (
                _mm256_xor_si256(_mm256_xor_si256(hi1, c1), k0),
                lo1,
                _mm256_xor_si256(_mm256_xor_si256(hi0, c3), k1),
                lo0,
            );
        }
        [store(c0), store(c1), store(c2), store(c3)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_give_the_scalar_words() {
        let key = [0xa409_3822, 0x299f_31d0];
        let counter = |l: u32| {
            [
                l.wrapping_mul(0x9E37_79B9),
                7 + l,
                l ^ 0xFFFF_0000,
                u32::MAX - l,
            ]
        };
        let soa: [[u32; 8]; 4] =
            std::array::from_fn(|w| std::array::from_fn(|l| counter(l as u32)[w]));
        let out = philox4x32_x8(soa, key);
        for l in 0..8u32 {
            let lane = out.map(|words| words[l as usize]);
            assert_eq!(lane, philox4x32(counter(l), key), "lane {l}");
        }
    }

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
