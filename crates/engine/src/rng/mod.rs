//! Deterministic random streams keyed by (seed, stream, entity, step).
//!
//! Every random number in a simulation comes from a [`StreamRng`] whose identity is spelled
//! out: the run's master seed, a named stream ("connect/vhpc_to_pfc", "poisson/bg_pyr"),
//! the stable id of the entity that draws, and the time step. No generator is shared between
//! entities, so how rayon splits the work cannot change a single bit of the result.
//! Never `rand::rng()` or `thread_rng()` here; `clippy.toml` forbids them.

mod philox;

pub use philox::philox4x32;

use rand::TryRng;
use std::convert::Infallible;

use crate::ids::StableId;

/// A named family of random streams, e.g. `StreamId::named("connect/pyr_to_pv")`.
/// Named by a 64-bit FNV-1a hash, so adding a stream elsewhere never shifts this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct StreamId(pub u64);

impl StreamId {
    /// The stream for a label (stable across versions: FNV-1a 64 of the UTF-8 bytes).
    pub fn named(label: &str) -> Self {
        Self(fnv1a64(label.as_bytes()))
    }
}

/// FNV-1a, 64 bit: a stable string hash (std's `DefaultHasher` may change between releases).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The Philox key of one (seed, stream, epoch) triple. The epoch holds the high 32 bits of
/// the step so the counter's step word never wraps (2³² steps = 5 days at 0.1 ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamKey([u32; 2]);

impl StreamKey {
    /// The key for `stream` under the run's `seed`, for steps `[epoch·2³², (epoch+1)·2³²)`.
    pub fn new(seed: u64, stream: StreamId, epoch: u32) -> Self {
        let k = mix64(mix64(seed ^ mix64(stream.0)) ^ u64::from(epoch));
        Self([k as u32, (k >> 32) as u32])
    }

    /// Four random words for a counter under this key.
    #[inline]
    pub fn block(&self, counter: [u32; 4]) -> [u32; 4] {
        philox4x32(counter, self.0)
    }

    /// The blocks of 8 counters at once, word-major (`counters[w][l]`, and the result
    /// likewise): the same words as 8 calls of [`StreamKey::block`], computed in vector
    /// lanes.
    #[inline]
    pub fn blocks8(&self, counters: [[u32; 8]; 4]) -> [[u32; 8]; 4] {
        philox::philox4x32_x8(counters, self.0)
    }
}

/// Maps a random word to a uniform `f64` in the open interval (0, 1): never 0, so `ln(u)`
/// is finite; never 1, so `ln(1 - u)` is finite.
#[inline]
pub fn open01(word: u32) -> f64 {
    (f64::from(word) + 0.5) * (1.0 / 4_294_967_296.0)
}

/// A random stream for one entity at one step, usable with every `rand`/`rand_distr`
/// distribution. Creating one is two hash rounds; it holds no heap memory.
///
/// Counter layout: `[block, step (low 32 bits), entity (low), entity (high)]`; the
/// step's high bits go into the key. One stream yields 2³² blocks of 128 bits.
#[derive(Debug, Clone)]
pub struct StreamRng {
    key: StreamKey,
    counter: [u32; 4],
    buffer: [u32; 4],
    used: usize,
}

impl StreamRng {
    /// The stream of `entity` at `step` in the stream family `stream` of run `seed`.
    pub fn new(seed: u64, stream: StreamId, entity: StableId, step: u64) -> Self {
        let key = StreamKey::new(seed, stream, (step >> 32) as u32);
        let counter = [0, step as u32, entity.0 as u32, (entity.0 >> 32) as u32];
        Self {
            key,
            counter,
            buffer: [0; 4],
            used: 4,
        }
    }

    #[inline]
    fn next_word(&mut self) -> u32 {
        if self.used == 4 {
            self.buffer = self.key.block(self.counter);
            self.counter[0] = self.counter[0].wrapping_add(1);
            self.used = 0;
        }
        let word = self.buffer[self.used];
        self.used += 1;
        word
    }

    /// A uniform `f64` in (0, 1) from one 32-bit word.
    #[inline]
    pub fn open01(&mut self) -> f64 {
        open01(self.next_word())
    }
}

impl TryRng for StreamRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next_word())
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let lo = u64::from(self.next_word());
        let hi = u64::from(self.next_word());
        Ok((hi << 32) | lo)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let word = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn same_identity_gives_same_numbers() {
        let id = StableId(42);
        let mut a = StreamRng::new(7, StreamId::named("x"), id, 1000);
        let mut b = StreamRng::new(7, StreamId::named("x"), id, 1000);
        for _ in 0..20 {
            assert_eq!(a.random::<u64>(), b.random::<u64>());
        }
    }

    #[test]
    fn any_identity_change_gives_other_numbers() {
        let base = StreamRng::new(7, StreamId::named("x"), StableId(42), 1000).random::<u64>();
        let others = [
            StreamRng::new(8, StreamId::named("x"), StableId(42), 1000),
            StreamRng::new(7, StreamId::named("y"), StableId(42), 1000),
            StreamRng::new(7, StreamId::named("x"), StableId(43), 1000),
            StreamRng::new(7, StreamId::named("x"), StableId(42), 1001),
            StreamRng::new(7, StreamId::named("x"), StableId(42), 1000 + (1 << 32)),
        ];
        for mut rng in others {
            assert_ne!(rng.random::<u64>(), base);
        }
    }

    #[test]
    fn uniform_mean_and_variance_are_those_of_u01() {
        // Mean 1/2 and variance 1/12 of U(0,1); 4·10⁵ draws give a standard error of
        // 4.6·10⁻⁴ on the mean, so 5 standard errors is a fair bound.
        let mut rng = StreamRng::new(1, StreamId::named("moments"), StableId(0), 0);
        let n = 400_000;
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for _ in 0..n {
            let u = rng.open01();
            assert!(u > 0.0 && u < 1.0);
            sum += u;
            sum_sq += u * u;
        }
        let mean = sum / f64::from(n);
        let var = sum_sq / f64::from(n) - mean * mean;
        assert!((mean - 0.5).abs() < 5.0 * (1.0 / 12.0f64 / f64::from(n)).sqrt());
        assert!((var - 1.0 / 12.0).abs() < 1e-3);
    }

    #[test]
    fn fnv1a64_matches_reference_values() {
        // Reference values of FNV-1a 64 (Fowler/Noll/Vo test suite).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
