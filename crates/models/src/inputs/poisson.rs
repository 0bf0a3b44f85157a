//! Poisson background input: independent Poisson spike trains onto every target neuron.

use bevy_ecs::prelude::*;
use rand_distr::{Distribution, Poisson};
use std::ops::Range;

use synaptogen_engine::rng::{StreamId, StreamKey, StreamRng, open01};
use synaptogen_engine::{SimClock, StableId, SynapticInputRing};

use crate::neuron::for_each_chunk;

/// Above this many expected events per step the count is drawn with `rand_distr`'s
/// Poisson sampler instead of inversion (whose loop length grows with λ).
const INVERSION_MAX_LAMBDA: f64 = 30.0;

/// Length of the tabulated Poisson CDF that replaces the inversion loop for small λ (it
/// covers λ up to ≈ 1.8, where the CDF passes [`MAX_U`] within 16 terms).
const CDF_TABLE_LEN: usize = 16;

/// The largest uniform `open01` returns: (2³² − ½) / 2³².
const MAX_U: f64 = (4_294_967_295.0 + 0.5) / 4_294_967_296.0;

/// Philox blocks per batch of the small-λ path: 8 blocks = 32 neurons, computed in vector
/// lanes by [`StreamKey::blocks8`].
const BATCH_BLOCKS: usize = 8;
const BATCH_NEURONS: usize = 4 * BATCH_BLOCKS;

/// `n_sources` independent Poisson trains of `rate_hz` onto each neuron of a population
/// (NEST's `poisson_generator` with one realisation per target, Brian2's `PoissonInput`).
///
/// Each step, every target receives k ~ Poisson(λ), λ = n_sources · rate · dt, events of
/// weight `weight` on `port`. The count for 4 neurons comes from one Philox block keyed by
/// (seed, "poisson/<name>", step), so it is the same for any thread count.
#[derive(Debug, Clone)]
pub struct PoissonInput {
    /// Input name (names the random stream).
    pub name: String,
    /// Global indices of the target neurons.
    pub targets: Range<u32>,
    /// Hash of the target population's name (stable ids for the large-λ sampler).
    pub target_hash: u32,
    /// Input port.
    pub port: u8,
    /// Weight of each event (nS).
    pub weight: f32,
    lambda: f64,
    exp_neg_lambda: f64,
    /// The Poisson CDF at 0, 1, …, as the inversion loop accumulates it, and the number of
    /// terms up to the first that reaches [`MAX_U`]; `None` when 16 terms do not reach it
    /// (then the loop runs).
    cdf_table: Option<([f64; CDF_TABLE_LEN], usize)>,
    stream: StreamId,
}

impl PoissonInput {
    /// The trains `trains` onto `targets`, for steps of `dt_ms`.
    pub fn new(
        name: &str,
        targets: Range<u32>,
        target_hash: u32,
        port: u8,
        trains: PoissonTrains,
        dt_ms: f64,
    ) -> Self {
        let lambda = trains.n_sources * trains.rate_hz * dt_ms * 1e-3;
        let exp_neg_lambda = (-lambda).exp();
        Self {
            name: name.to_owned(),
            targets,
            target_hash,
            port,
            weight: trains.weight as f32,
            lambda,
            exp_neg_lambda,
            cdf_table: cdf_table(lambda, exp_neg_lambda),
            stream: StreamId::named(&format!("poisson/{name}")),
        }
    }

    /// Expected events per neuron and step.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// Adds step `step`'s input to `input` (the target population's slice of the port),
    /// splitting the population over rayon's threads when `parallel`.
    pub fn drive(&self, seed: u64, step: u64, input: &mut [f32], parallel: bool) {
        if self.lambda <= 0.0 {
            return;
        }
        if self.lambda > INVERSION_MAX_LAMBDA {
            let poisson = Poisson::new(self.lambda).expect("λ > 0 and finite");
            for_each_chunk(input, parallel, |first, chunk| {
                for (j, x) in chunk.iter_mut().enumerate() {
                    let id = StableId::neuron(self.target_hash, (first + j) as u32);
                    let k: f64 = poisson.sample(&mut StreamRng::new(seed, self.stream, id, step));
                    *x += k as f32 * self.weight;
                }
            });
            return;
        }
        let key = StreamKey::new(seed, self.stream, (step >> 32) as u32);
        let weight = self.weight;
        for_each_chunk(input, parallel, |first, chunk| {
            // Neuron i of the population takes word i % 4 of block i / 4 (for step `step`),
            // whichever batch or chunk computes it.
            for (b, batch) in chunk.chunks_mut(BATCH_NEURONS).enumerate() {
                let block0 = (first / 4 + b * BATCH_BLOCKS) as u32;
                let words = key.blocks8([
                    [step as u32; BATCH_BLOCKS],
                    std::array::from_fn(|l| block0 + l as u32),
                    [0; BATCH_BLOCKS],
                    [0; BATCH_BLOCKS],
                ]);
                for (l, quad) in batch.chunks_mut(4).enumerate() {
                    let u = [0, 1, 2, 3].map(|w| open01(words[w][l]));
                    let counts = match &self.cdf_table {
                        Some((cdf, n_terms)) => tabulated_counts(&cdf[..*n_terms], u),
                        None => u.map(|u| f64::from(self.count_by_loop(u))),
                    };
                    let counts = counts.map(|k| k as f32);
                    if let Ok(quad) = <&mut [f32; 4]>::try_from(&mut *quad) {
                        // Selects rather than branches (4 in 5 counts are 0 at λ = 0.2),
                        // on a fixed-size quad, so they become one vector blend.
                        let added: [f32; 4] = std::array::from_fn(|j| quad[j] + counts[j] * weight);
                        *quad =
                            std::array::from_fn(
                                |j| if counts[j] > 0.0 { added[j] } else { quad[j] },
                            );
                    } else {
                        for (x, &k) in quad.iter_mut().zip(&counts) {
                            *x = if k > 0.0 { *x + k * weight } else { *x };
                        }
                    }
                }
            }
        });
    }

    /// Inversion of the Poisson CDF at `u` (Devroye 1986, §X.3.3): the smallest k whose
    /// CDF reaches `u`.
    #[inline]
    fn count_by_loop(&self, u: f64) -> u32 {
        let mut k = 0;
        let mut p = self.exp_neg_lambda;
        let mut cdf = p;
        while u > cdf && p > 0.0 {
            k += 1;
            p *= self.lambda / f64::from(k);
            cdf += p;
        }
        k
    }
}

/// The Poisson counts of four uniforms from the CDF terms `cdf`: the number of terms below
/// each `u`, accumulated as floats (a vector compare, mask and add per term, and a vector
/// conversion for the weights after).
#[inline]
fn tabulated_counts(cdf: &[f64], u: [f64; 4]) -> [f64; 4] {
    let mut counts = [0.0; 4];
    for &c in cdf {
        for (k, &u) in counts.iter_mut().zip(&u) {
            *k += if u > c { 1.0 } else { 0.0 };
        }
    }
    counts
}

/// The inversion loop's CDF terms for `lambda` and their number, if they reach [`MAX_U`] (so
/// the loop stops within the table for every `u`, and the count of terms below `u` is the
/// loop's k) while every term is positive (so its `p > 0` guard never stops it first).
fn cdf_table(lambda: f64, exp_neg_lambda: f64) -> Option<([f64; CDF_TABLE_LEN], usize)> {
    let mut table = [f64::INFINITY; CDF_TABLE_LEN];
    let mut p = exp_neg_lambda;
    let mut cdf = p;
    for (k, entry) in table.iter_mut().enumerate() {
        if p <= 0.0 {
            return None;
        }
        *entry = cdf;
        if cdf >= MAX_U {
            return Some((table, k + 1));
        }
        p *= lambda / (k + 1) as f64;
        cdf += p;
    }
    None
}

/// Independent Poisson trains converging on each target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoissonTrains {
    /// Number of trains per target.
    pub n_sources: f64,
    /// Rate of each train, Hz.
    pub rate_hz: f64,
    /// Weight of each event (nS).
    pub weight: f64,
}

/// All Poisson inputs, with the seed that keys their streams.
#[derive(Resource, Debug, Clone, Default)]
pub struct PoissonInputs {
    /// Master seed of the run.
    pub seed: u64,
    /// The inputs, applied in this order.
    pub inputs: Vec<PoissonInput>,
}

/// Inputs stage: adds every Poisson input's events to the arriving synaptic input.
pub fn drive_poisson_inputs(
    clock: Res<SimClock>,
    inputs: Res<PoissonInputs>,
    mut ring: ResMut<SynapticInputRing>,
) {
    let parallel = rayon::current_num_threads() > 1;
    for input in &inputs.inputs {
        let port = ring.current_port_mut(usize::from(input.port));
        let slice = &mut port[input.targets.start as usize..input.targets.end as usize];
        input.drive(inputs.seed, clock.step(), slice, parallel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(lambda_per_step: f64, n: usize, steps: u64) -> Vec<f32> {
        // Weight 1, so the input equals the event count.
        let trains = PoissonTrains {
            n_sources: 1.0,
            rate_hz: lambda_per_step * 1e4,
            weight: 1.0,
        };
        let input = PoissonInput::new("t", 0..n as u32, 7, 0, trains, 0.1);
        assert!((input.lambda() - lambda_per_step).abs() < 1e-12);
        let mut all = Vec::new();
        for step in 0..steps {
            let mut buf = vec![0.0f32; n];
            input.drive(5, step, &mut buf, false);
            all.extend(buf);
        }
        all
    }

    fn mean_var(xs: &[f32]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let var = xs
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean, var)
    }

    #[test]
    fn counts_have_poisson_mean_and_variance() {
        // A Poisson count has variance = mean; 10⁵ draws put the sample mean within
        // 5·sqrt(λ/n) of λ.
        for lambda in [0.2, 3.0, 45.0] {
            let xs = counts(lambda, 1000, 100);
            let (mean, var) = mean_var(&xs);
            let tol = 5.0 * (lambda / xs.len() as f64).sqrt();
            assert!((mean - lambda).abs() < tol, "λ {lambda}: mean {mean}");
            assert!((var / lambda - 1.0).abs() < 0.05, "λ {lambda}: var {var}");
        }
    }

    #[test]
    fn zero_count_probability_is_exp_minus_lambda() {
        let xs = counts(0.2, 1000, 200);
        let zeros = xs.iter().filter(|&&x| x == 0.0).count() as f64 / xs.len() as f64;
        assert!((zeros - (-0.2f64).exp()).abs() < 0.005);
    }

    #[test]
    fn tabulated_counts_equal_the_inversion_loop() {
        for lambda_per_step in [1e-6, 0.02, 0.2, 1.0, 1.9, 2.5] {
            let trains = PoissonTrains {
                n_sources: 1.0,
                rate_hz: lambda_per_step * 1e4,
                weight: 1.0,
            };
            let input = PoissonInput::new("t", 0..1, 7, 0, trains, 0.1);
            if lambda_per_step <= 1.0 {
                assert!(input.cdf_table.is_some(), "λ {lambda_per_step}");
            }
            if lambda_per_step >= 2.5 {
                assert!(input.cdf_table.is_none(), "λ {lambda_per_step}");
            }
            let edges = [0, 1, u32::MAX / 2, u32::MAX - 1, u32::MAX];
            let words = edges
                .into_iter()
                .chain((0..200_000u32).map(|i| i.wrapping_mul(0x9E37_79B9)));
            let u: Vec<f64> = words.map(open01).collect();
            let Some((cdf, n_terms)) = input.cdf_table else {
                continue;
            };
            for batch in u.chunks_exact(4) {
                let counts = tabulated_counts(&cdf[..n_terms], batch.try_into().unwrap());
                for (&k, &u) in counts.iter().zip(batch) {
                    assert_eq!(
                        k,
                        f64::from(input.count_by_loop(u)),
                        "λ {lambda_per_step}, u {u}"
                    );
                }
            }
        }
    }

    #[test]
    fn parallel_and_serial_draws_agree() {
        let trains = PoissonTrains {
            n_sources: 100.0,
            rate_hz: 20.0,
            weight: 0.5,
        };
        let input = PoissonInput::new("t", 0..50_000, 7, 0, trains, 0.1);
        let mut serial = vec![0.0f32; 50_000];
        input.drive(9, 3, &mut serial, false);
        let mut parallel = vec![0.0f32; 50_000];
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| input.drive(9, 3, &mut parallel, true));
        assert_eq!(serial, parallel);
    }
}
