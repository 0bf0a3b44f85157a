//! SplitMix64 (Steele, Lea & Flood 2014): the small, fast, well-mixed generator behind the
//! study's own randomness (design sampling, seed derivation, bootstrap). A study's plan must
//! be the same on every machine and version, so it does not depend on an external crate's
//! choice of algorithm.

/// The SplitMix64 output function.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The golden-ratio increment of SplitMix64.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A stream from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// A uniform number in (0, 1), never 0 or 1.
    pub fn next_f64(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A uniform integer in 0..n (n ≥ 1).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_f64() * n as f64) as usize).min(n - 1)
    }

    /// A uniformly random permutation of 0..n (Fisher–Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            p.swap(i, self.below(i + 1));
        }
        p
    }
}

/// A seed from a master seed and coordinates (a run's replicate and point, a design's
/// stream): each coordinate is mixed in turn, so nearby coordinates give unrelated seeds.
/// Kept within 0..2^63 − 1, the scenario's seed range.
pub fn derive_seed(master: u64, coordinates: &[u64]) -> u64 {
    let mut state = mix(master ^ 0x5EED_5EED_5EED_5EED);
    for &c in coordinates {
        state = mix(state ^ mix(c.wrapping_add(GAMMA)));
    }
    state >> 1
}
