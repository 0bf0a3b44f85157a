//! Connection rules: which presynaptic neurons each target receives synapses from.

use rand::RngExt;
use rand::seq::index;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::synapse_group::NewSynapse;
use crate::distribution::Sampler;
use crate::ids::StableId;
use crate::rng::{StreamId, StreamRng};

/// How sources are chosen for each target neuron.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConnectionRule {
    /// Every (source, target) pair is connected independently with probability `p`
    /// (NEST `pairwise_bernoulli`, Brian2 `connect(p=...)`).
    PairwiseBernoulli {
        /// Connection probability, in [0, 1].
        p: f64,
    },
    /// Every target receives exactly `k` synapses from sources drawn uniformly
    /// (NEST `fixed_indegree`).
    FixedInDegree {
        /// In-degree per target.
        k: u32,
    },
    /// Source *i* onto target *i* (equal sizes; NEST `one_to_one`).
    OneToOne,
}

/// Everything needed to draw one projection's synapses.
#[derive(Debug, Clone)]
pub struct ConnectionPlan<'a> {
    /// Projection name: names the random stream, so each projection draws independently.
    pub name: &'a str,
    /// The rule.
    pub rule: ConnectionRule,
    /// Allow a neuron to connect to itself (only when source and target are one population).
    pub autapses: bool,
    /// Allow several synapses between one pair (fixed in-degree only).
    pub multapses: bool,
    /// Weight of each synapse.
    pub weight: &'a Sampler,
    /// Delay of each synapse in ms; rounded to whole steps, at least one.
    pub delay_ms: &'a Sampler,
}

/// Source and target sizes plus what makes the draw reproducible.
#[derive(Debug, Clone, Copy)]
pub struct DrawContext {
    /// Master seed of the run.
    pub seed: u64,
    /// Step length, ms.
    pub dt_ms: f64,
    /// Neurons in the source population.
    pub n_sources: u32,
    /// Neurons in the target population.
    pub n_targets: u32,
    /// Hash of the target population's name (the high half of its neurons' stable ids).
    pub target_hash: u32,
    /// Source and target are the same population (so autapses are possible).
    pub same_population: bool,
}

/// Draws the incoming synapses of every target neuron, in parallel over targets.
///
/// Each target draws from its own stream keyed by (seed, "connect/<projection>", target's
/// stable id), so the network is the same for any thread count and any number of other
/// projections. Sources come out ascending; weights and delays are drawn in that order.
pub fn draw_incoming(plan: &ConnectionPlan<'_>, ctx: &DrawContext) -> Vec<Vec<NewSynapse>> {
    let stream = StreamId::named(&format!("connect/{}", plan.name));
    (0..ctx.n_targets)
        .into_par_iter()
        .map(|t| {
            let id = StableId::neuron(ctx.target_hash, t);
            let mut rng = StreamRng::new(ctx.seed, stream, id, 0);
            let exclude = (ctx.same_population && !plan.autapses).then_some(t);
            let sources = choose_sources(plan, ctx.n_sources, t, exclude, &mut rng);
            sources
                .into_iter()
                .map(|source_local| NewSynapse {
                    source_local,
                    weight: plan.weight.sample(&mut rng) as f32,
                    delay_steps: delay_steps(plan.delay_ms.sample(&mut rng), ctx.dt_ms),
                })
                .collect()
        })
        .collect()
}

/// A delay in ms as whole steps: rounded to the nearest step, at least 1 (a spike cannot
/// arrive in the step it was emitted), at most `u16::MAX`.
pub fn delay_steps(delay_ms: f64, dt_ms: f64) -> u16 {
    (delay_ms / dt_ms).round().clamp(1.0, f64::from(u16::MAX)) as u16
}

fn choose_sources(
    plan: &ConnectionPlan<'_>,
    n_sources: u32,
    target: u32,
    exclude: Option<u32>,
    rng: &mut StreamRng,
) -> Vec<u32> {
    match plan.rule {
        ConnectionRule::PairwiseBernoulli { p } => bernoulli_sources(p, n_sources, exclude, rng),
        // Within one population without autapses the only candidate is excluded.
        ConnectionRule::OneToOne if exclude.is_some() || target >= n_sources => Vec::new(),
        ConnectionRule::OneToOne => vec![target],
        ConnectionRule::FixedInDegree { k } => {
            // Drawing from the pool without the excluded neuron, then shifting indices
            // past it, keeps the draw uniform over the allowed sources.
            let pool = n_sources - u32::from(exclude.is_some());
            let shift = |s: u32| match exclude {
                Some(x) if s >= x => s + 1,
                _ => s,
            };
            let mut sources: Vec<u32> = if plan.multapses {
                (0..k).map(|_| shift(rng.random_range(0..pool))).collect()
            } else {
                index::sample(rng, pool as usize, k as usize)
                    .into_iter()
                    .map(|s| shift(s as u32))
                    .collect()
            };
            sources.sort_unstable();
            sources
        }
    }
}

/// Bernoulli trials over all sources by geometric skipping: the gap to the next success is
/// Geometric(p), so the cost is O(successes) rather than O(sources) — the difference between
/// seconds and hours for a million-neuron network (NEST's O(N²) `pairwise_bernoulli`).
fn bernoulli_sources(p: f64, n: u32, exclude: Option<u32>, rng: &mut StreamRng) -> Vec<u32> {
    if p <= 0.0 || n == 0 {
        return Vec::new();
    }
    if p >= 1.0 {
        return (0..n).filter(|&s| Some(s) != exclude).collect();
    }
    let log_q = (-p).ln_1p();
    let mut sources = Vec::with_capacity((p * f64::from(n) * 1.2) as usize + 4);
    let mut next = 0u64;
    loop {
        let gap = (rng.open01().ln() / log_q).floor();
        next += gap as u64;
        if next >= u64::from(n) {
            return sources;
        }
        let s = next as u32;
        if Some(s) != exclude {
            sources.push(s);
        }
        next += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::ValueDistribution;

    fn ctx(n: u32, same: bool) -> DrawContext {
        DrawContext {
            seed: 11,
            dt_ms: 0.1,
            n_sources: n,
            n_targets: n,
            target_hash: 99,
            same_population: same,
        }
    }

    fn plan<'a>(rule: ConnectionRule, w: &'a Sampler, d: &'a Sampler) -> ConnectionPlan<'a> {
        ConnectionPlan {
            name: "test",
            rule,
            autapses: false,
            multapses: false,
            weight: w,
            delay_ms: d,
        }
    }

    #[test]
    fn bernoulli_count_matches_binomial_expectation() {
        // N² p = 4·10⁶ · 0.02 = 80 000 expected, binomial sd ≈ 280: allow 5 sd.
        let w = ValueDistribution::Constant(1.0).sampler();
        let d = ValueDistribution::Constant(0.1).sampler();
        let incoming = draw_incoming(
            &plan(ConnectionRule::PairwiseBernoulli { p: 0.02 }, &w, &d),
            &ctx(2000, true),
        );
        let total: usize = incoming.iter().map(Vec::len).sum();
        assert!((total as f64 - 80_000.0).abs() < 5.0 * 280.0, "{total}");
        for (t, syns) in incoming.iter().enumerate() {
            assert!(
                syns.windows(2)
                    .all(|w| w[0].source_local < w[1].source_local)
            );
            assert!(syns.iter().all(|s| s.source_local != t as u32), "autapse");
        }
    }

    #[test]
    fn fixed_indegree_gives_k_distinct_sources_without_self() {
        let w = ValueDistribution::Constant(1.0).sampler();
        let d = ValueDistribution::Uniform {
            low: 0.1,
            high: 2.0,
        }
        .sampler();
        let incoming = draw_incoming(
            &plan(ConnectionRule::FixedInDegree { k: 30 }, &w, &d),
            &ctx(31, true),
        );
        for (t, syns) in incoming.iter().enumerate() {
            assert_eq!(syns.len(), 30);
            assert!(
                syns.windows(2)
                    .all(|w| w[0].source_local < w[1].source_local)
            );
            assert!(syns.iter().all(|s| s.source_local != t as u32));
            assert!(syns.iter().all(|s| (1..=20).contains(&s.delay_steps)));
        }
    }

    #[test]
    fn the_draw_does_not_depend_on_the_thread_count() {
        let w = ValueDistribution::Normal {
            mean: 1.0,
            sd: 0.3,
            min: Some(0.0),
            max: None,
        }
        .sampler();
        let d = ValueDistribution::Constant(1.0).sampler();
        let p = plan(ConnectionRule::PairwiseBernoulli { p: 0.1 }, &w, &d);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| draw_incoming(&p, &ctx(500, false)))
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn delays_round_to_steps_and_never_reach_zero() {
        assert_eq!(delay_steps(1.5, 0.1), 15);
        assert_eq!(delay_steps(0.01, 0.1), 1);
        assert_eq!(delay_steps(0.149, 0.1), 1);
        assert_eq!(delay_steps(0.151, 0.1), 2);
    }
}
