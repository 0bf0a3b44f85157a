//! Per-neuron activity over slow intervals, and its pre-intervention baseline.
//!
//! Signalling inputs are folds over each neuron's own baseline — what an experimenter reports
//! as "% of baseline". The baseline is the mean over the stretch before the first
//! intervention, after the network has settled from its initial conditions; during it every
//! fold is exactly 1, so the cascade rests at its steady state.
//!
//! Rates are estimated, not just counted. Each neuron carries its rate *relative to its
//! population*, ρ. Over an interval of `T` seconds with `n` spikes and population rate `P`,
//! its rate is the posterior mean of a Poisson rate under a gamma prior of mean `ρ·P` worth
//! `w` seconds of spiking, `(n + w·ρ·P) / (T + w)`, and ρ becomes that estimate over `P`
//! (a gamma–Poisson filter; ρ starts at 1 when the baseline starts). The baseline rate is
//! ρ at the baseline's end times the population's mean rate over it, so a neuron's fold
//! compares like with like.
//!
//! The weight `w` is estimated from the data, per population (parametric empirical Bayes by
//! moments; Efron & Morris 1975; Casella 1985). The prior of an interval is the posterior of
//! the intervals before it, worth the spiking time it has pooled, `W`. The counts' scatter
//! about the prior, Σ(n − T·ρP)², exceeds Poisson noise, T·ΣρP, by T²·ΣρP / w for a prior of
//! weight `w`. Where the scatter is no larger than `W` predicts, the network has kept its
//! structure and `w = W`: each neuron's place in its population is pooled over every window
//! seen. Where it is larger, the structure has changed (after a dose, cells silent at
//! baseline fire and busy ones fall quiet), `w` falls to the estimate and the rates follow
//! the counts. Then `W = w + T`; before the baseline starts `W` is unbounded, so the first
//! interval is shrunk towards the population by its own scatter. A fixed `w` can be set
//! instead (`pharmacology.rate_prior`; `0` gives raw counts).
//!
//! Why: a spiking window of a second holds a few spikes per neuron, and quiet stretches hold
//! a window's statistics for hours. Raw counts would give each neuron a random fold for that
//! long, and the cascade's convex responses (mTORC1-dependent translation, spinogenesis)
//! would turn that noise into a bias of the population mean. A fixed shrinkage towards the
//! population removes the noise but also the real changes in each neuron's place — the ones
//! a dose makes, which dominate the signalling — so short windows would then disagree with a
//! full run, whose long intervals resolve them.

use std::ops::Range;

use super::PopulationPharmacology;

/// Firing rate added to both sides of a rate fold, Hz: keeps the fold of a nearly silent cell
/// finite (assumption: about the lowest rate at which PFC cells are counted as active).
pub const RATE_FOLD_OFFSET_HZ: f64 = 0.5;

/// Posterior mean rate of `spikes` in `seconds` under a gamma prior of mean `prior_hz`
/// worth `prior_s` of observation, Hz.
fn shrunk(spikes: f64, seconds: f64, prior_hz: f64, prior_s: f64) -> f64 {
    (spikes + prior_s * prior_hz) / (seconds + prior_s)
}

/// How much the prior counts for in each neuron's rate estimate (module docs).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PriorWeight {
    /// Estimated from the counts' scatter each interval, per population (the default).
    Estimated,
    /// Worth this many seconds of spiking (0: raw counts).
    Fixed {
        /// Seconds of spiking.
        seconds: f64,
    },
}

/// The pre-intervention baseline being measured or measured.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ActivityBaseline {
    /// Slow intervals starting before this are left out (the network settling), s.
    pub from_s: f64,
    /// End of the baseline stretch, s.
    pub end_s: f64,
    spiking_s: f64,
    rate_sum: Vec<f64>,
    nmda_sum: Vec<f64>,
}

impl ActivityBaseline {
    /// A baseline over [`from_s`, `end_s`).
    pub fn new(from_s: f64, end_s: f64) -> Self {
        Self {
            from_s,
            end_s,
            spiking_s: 0.0,
            rate_sum: Vec::new(),
            nmda_sum: Vec::new(),
        }
    }
}

/// Rates and NMDA Ca²⁺ entry per neuron (global index), held across quiet stretches.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NeuronActivity {
    dt_ms: f64,
    ranges: Vec<Range<usize>>,
    previous_counts: Vec<u32>,
    spiking_steps: u64,
    prior: PriorWeight,
    /// Mean rate of the last interval with spiking (spikes / time), Hz.
    pub rate_hz: Vec<f32>,
    /// That rate as estimated (module docs), Hz.
    pub estimated_hz: Vec<f32>,
    /// Each neuron's estimated rate over its population's, ρ, carried across intervals
    /// (1 until the baseline starts; held through intervals where its population is silent).
    relative_rate: Vec<f64>,
    /// Spiking time each population's relative rates have pooled, `W`, s.
    pooled_s: Vec<f64>,
    /// Baseline rate, shrunk alike, Hz.
    pub baseline_rate_hz: Vec<f32>,
    /// Baseline NMDA Ca²⁺ entry (conductance through unblocked channels), nS.
    pub baseline_nmda_ns: Vec<f32>,
    baseline: ActivityBaseline,
    in_baseline: bool,
    /// End of the previous slow interval, s.
    last_t_s: f64,
}

impl NeuronActivity {
    /// Activity of neurons in `ranges` (global indices, one range per population in order)
    /// measured against `baseline`, with rates estimated with `prior` (module docs).
    pub fn new(
        ranges: Vec<Range<usize>>,
        dt_ms: f64,
        baseline: ActivityBaseline,
        prior: PriorWeight,
    ) -> Self {
        let n = ranges.last().map_or(0, |r| r.end);
        let pooled_s = vec![f64::INFINITY; ranges.len()];
        Self {
            dt_ms,
            ranges,
            previous_counts: vec![0; n],
            spiking_steps: 0,
            prior,
            rate_hz: vec![0.0; n],
            estimated_hz: vec![0.0; n],
            relative_rate: vec![1.0; n],
            pooled_s,
            baseline_rate_hz: vec![0.0; n],
            baseline_nmda_ns: vec![0.0; n],
            baseline: ActivityBaseline {
                rate_sum: vec![0.0; n],
                nmda_sum: vec![0.0; n],
                ..baseline
            },
            in_baseline: true,
            last_t_s: 0.0,
        }
    }

    /// Neurons.
    pub fn len(&self) -> usize {
        self.previous_counts.len()
    }

    /// True without neurons.
    pub fn is_empty(&self) -> bool {
        self.previous_counts.is_empty()
    }

    /// Global index range of population entry `p`.
    pub fn range_of(&self, p: usize) -> Range<usize> {
        self.ranges[p].clone()
    }

    /// True while the baseline is being measured.
    pub fn in_baseline(&self) -> bool {
        self.in_baseline
    }

    /// One spiking step happened.
    pub fn count_step(&mut self) {
        self.spiking_steps += 1;
    }

    /// Takes the spike counts at the end of a slow interval ending at `t_s`.
    pub fn update(&mut self, counts: &[u32], populations: &[PopulationPharmacology], t_s: f64) {
        let start_s = std::mem::replace(&mut self.last_t_s, t_s);
        if self.spiking_steps == 0 {
            return self.close_baseline_if_due(t_s);
        }
        let seconds = self.spiking_steps as f64 * self.dt_ms / 1000.0;
        for (i, (&now, before)) in counts.iter().zip(&mut self.previous_counts).enumerate() {
            self.rate_hz[i] = (f64::from(now - *before) / seconds) as f32;
            *before = now;
        }
        self.spiking_steps = 0;
        let filtering = start_s >= self.baseline.from_s - 1e-9;
        for p in 0..self.ranges.len() {
            self.estimate(p, seconds, filtering);
        }
        if self.in_baseline && start_s >= self.baseline.from_s - 1e-9 {
            self.baseline.spiking_s += seconds;
            for (p, pop) in populations.iter().enumerate() {
                for (local, i) in self.ranges[p].clone().enumerate() {
                    self.baseline.rate_sum[i] += f64::from(self.rate_hz[i]) * seconds;
                    self.baseline.nmda_sum[i] += f64::from(pop.nmda_ca_ns[local]) * seconds;
                }
            }
        }
        self.close_baseline_if_due(t_s);
    }

    fn close_baseline_if_due(&mut self, t_s: f64) {
        // Without spiking since `from_s` the baseline waits for the first interval with
        // some, so that folds always refer to measured activity.
        if !self.in_baseline || t_s < self.baseline.end_s - 1e-9 || self.baseline.spiking_s <= 0.0 {
            return;
        }
        self.in_baseline = false;
        let b = &self.baseline;
        let span = b.spiking_s;
        for range in &self.ranges {
            let n = range.len().max(1) as f64;
            let population_hz = b.rate_sum[range.clone()].iter().sum::<f64>() / (n * span);
            for i in range.clone() {
                self.baseline_rate_hz[i] = (self.relative_rate[i] * population_hz) as f32;
                self.baseline_nmda_ns[i] = (b.nmda_sum[i] / span) as f32;
            }
        }
    }

    /// Estimates the rates of population entry `p` over an interval of `seconds` from
    /// `rate_hz`, and refines their relative rates if `filtering` (module docs).
    fn estimate(&mut self, p: usize, seconds: f64, filtering: bool) {
        let range = self.ranges[p].clone();
        let counts = |i: usize| f64::from(self.rate_hz[i]) * seconds;
        let population_hz =
            range.clone().map(counts).sum::<f64>() / (seconds * range.len().max(1) as f64);
        if population_hz <= 0.0 {
            self.estimated_hz[range].fill(0.0);
            return;
        }
        let prior_hz = |i: usize| self.relative_rate[i] * population_hz;
        let weight_s = match self.prior {
            PriorWeight::Fixed { seconds } => seconds,
            PriorWeight::Estimated => {
                let (mut scatter, mut poisson) = (0.0, 0.0);
                for i in range.clone() {
                    let expected = seconds * prior_hz(i);
                    scatter += (counts(i) - expected).powi(2);
                    poisson += expected;
                }
                let excess = scatter - poisson;
                let supported_s = if excess > 0.0 {
                    seconds * poisson / excess
                } else {
                    f64::INFINITY
                };
                self.pooled_s[p].min(supported_s)
            }
        };
        for i in range {
            let prior_hz = self.relative_rate[i] * population_hz;
            let estimate_hz = if weight_s.is_finite() {
                shrunk(counts(i), seconds, prior_hz, weight_s)
            } else {
                prior_hz
            };
            self.estimated_hz[i] = estimate_hz as f32;
            if filtering {
                self.relative_rate[i] = estimate_hz / population_hz;
            }
        }
        if filtering {
            self.pooled_s[p] = weight_s + seconds;
        }
    }

    /// Activity and NMDA Ca²⁺ folds over baseline per neuron (exactly 1 during baseline).
    pub fn folds(
        &self,
        populations: &[PopulationPharmacology],
        activity: &mut [f32],
        nmda: &mut [f32],
    ) {
        if self.in_baseline {
            activity.fill(1.0);
            nmda.fill(1.0);
            return;
        }
        for (p, pop) in populations.iter().enumerate() {
            for (local, i) in self.ranges[p].clone().enumerate() {
                activity[i] = ((f64::from(self.estimated_hz[i]) + RATE_FOLD_OFFSET_HZ)
                    / (f64::from(self.baseline_rate_hz[i]) + RATE_FOLD_OFFSET_HZ))
                    as f32;
                let base = f64::from(self.baseline_nmda_ns[i]);
                nmda[i] = if base > 0.0 {
                    (f64::from(pop.nmda_ca_ns[local]) / base) as f32
                } else {
                    1.0
                };
            }
        }
    }

    /// Mean rate over the neurons of population entries `populations`, Hz.
    pub fn mean_rate_hz(&self, populations: &[usize]) -> f64 {
        let (mut sum, mut n) = (0.0, 0usize);
        for &p in populations {
            for i in self.ranges[p].clone() {
                sum += f64::from(self.rate_hz[i]);
                n += 1;
            }
        }
        if n == 0 { 0.0 } else { sum / n as f64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population(n: usize) -> PopulationPharmacology {
        PopulationPharmacology {
            population: 0,
            name: "pyr",
            region: 0,
            glutamatergic: true,
            peak_per_weight: [0.0; 3],
            class_fraction: [0.0; 3],
            mg_free_at_rest: [0.0; 3],
            mini_nmda_share: [0.0; 3],
            weight_in_ns: vec![0.0; n],
            bound: Vec::new(),
            seen_open: Default::default(),
            seen_open_mg_free: Default::default(),
            nmda_ca_ns: vec![0.0; n],
        }
    }

    /// Steps of 1 ms (dt 0.1 ms) for `seconds` of spiking, then an update at `t_s`.
    fn interval(a: &mut NeuronActivity, counts: &[u32], seconds: f64, t_s: f64) {
        for _ in 0..(seconds * 10_000.0).round() as u64 {
            a.count_step();
        }
        a.update(counts, &[population(counts.len())], t_s);
    }

    #[test]
    fn the_settling_interval_is_left_out_and_baselines_shrink_to_the_population() {
        // Two neurons; baseline from 1 s to 3 s, prior worth 2 s of spiking.
        let mut a = NeuronActivity::new(
            std::iter::once(0..2).collect(),
            0.1,
            ActivityBaseline::new(1.0, 3.0),
            PriorWeight::Fixed { seconds: 2.0 },
        );
        // Settling burst: 50 and 50 spikes in the first second, left out.
        interval(&mut a, &[50, 50], 1.0, 1.0);
        // Baseline: 4 and 0 spikes in 2 s (2 Hz and 0 Hz; population 1 Hz).
        interval(&mut a, &[54, 50], 2.0, 3.0);
        assert!(!a.in_baseline());
        // (4 + 2·1)/(2 + 2) = 1.5 Hz and (0 + 2·1)/4 = 0.5 Hz.
        assert!(
            (a.baseline_rate_hz[0] - 1.5).abs() < 1e-6,
            "{:?}",
            a.baseline_rate_hz
        );
        assert!(
            (a.baseline_rate_hz[1] - 0.5).abs() < 1e-6,
            "{:?}",
            a.baseline_rate_hz
        );
        // The next interval's prior is each neuron's relative rate so far (1.5 and 0.5 of the
        // population's) times the population's rate now: 1 and 0 spikes in 0.5 s (population
        // 1 Hz) → (1 + 2·1.5)/2.5 = 1.6 Hz and (0 + 2·0.5)/2.5 = 0.4 Hz; raw rates stay for
        // readouts.
        interval(&mut a, &[55, 50], 0.5, 3.5);
        assert!(
            (a.estimated_hz[0] - 1.6).abs() < 1e-6,
            "{:?}",
            a.estimated_hz
        );
        assert!(
            (a.estimated_hz[1] - 0.4).abs() < 1e-6,
            "{:?}",
            a.estimated_hz
        );
        assert_eq!(a.rate_hz, vec![2.0, 0.0]);
    }

    #[test]
    fn without_spiking_in_it_the_baseline_waits_for_measured_activity() {
        let mut a = NeuronActivity::new(
            std::iter::once(0..1).collect(),
            0.1,
            ActivityBaseline::new(0.0, 1.0),
            PriorWeight::Fixed { seconds: 0.0 },
        );
        a.update(&[0], &[population(1)], 2.0);
        assert!(a.in_baseline(), "no spiking yet");
        interval(&mut a, &[3], 1.0, 3.0);
        assert!(!a.in_baseline());
        assert!((a.baseline_rate_hz[0] - 3.0).abs() < 1e-6);
    }

    #[test]
    fn short_windows_pool_into_each_neurons_place_in_its_population() {
        // Two neurons firing at 3× and 1× a population rate that falls from 8 to 2 Hz; each
        // 1-s window is shrunk with a prior worth 5 s. The prior carries each neuron's
        // relative rate, so the estimates approach the true 3:1 split, and their mean stays
        // the population's raw rate in every window.
        let mut a = NeuronActivity::new(
            std::iter::once(0..2).collect(),
            0.1,
            ActivityBaseline::new(0.0, 0.0),
            PriorWeight::Fixed { seconds: 5.0 },
        );
        let mut counts = [0u32; 2];
        for window in 0..40u32 {
            let population_hz = if window < 20 { 8 } else { 2 };
            // Rates 1.5 and 0.5 times the population's mean.
            counts[0] += 3 * population_hz / 2;
            counts[1] += population_hz / 2;
            interval(&mut a, &counts, 1.0, f64::from(window + 1));
            let mean = (a.estimated_hz[0] + a.estimated_hz[1]) / 2.0;
            assert!(
                (mean - population_hz as f32).abs() < 1e-4,
                "{window}: {mean}"
            );
        }
        let ratio = a.estimated_hz[0] / a.estimated_hz[1];
        assert!((ratio - 3.0).abs() < 0.01, "{ratio}");
        // Shrinking each window to the population alone would leave (3 + 5·2)/6 over
        // (1 + 5·2)/6, a ratio of 13/11: the split would be lost.
    }

    #[test]
    fn the_estimated_weight_pools_a_kept_structure_and_follows_a_changed_one() {
        // Four neurons in 1-s windows firing 1, 9, 1, 9 spikes: far more scatter than
        // Poisson noise, so the first window is hardly shrunk, and as the windows repeat the
        // pooled estimates settle on the 1:9 split.
        let mut a = NeuronActivity::new(
            std::iter::once(0..4).collect(),
            0.1,
            ActivityBaseline::new(0.0, 0.0),
            PriorWeight::Estimated,
        );
        let mut counts = [0u32; 4];
        let mut window = |a: &mut NeuronActivity, spikes: [u32; 4]| {
            for (c, s) in counts.iter_mut().zip(spikes) {
                *c += s;
            }
            interval(a, &counts, 1.0, 0.0);
            a.estimated_hz.clone()
        };
        let mut estimates = Vec::new();
        for _ in 0..20 {
            estimates = window(&mut a, [1, 9, 1, 9]);
        }
        assert!(estimates[0] < 1.2 && estimates[1] > 8.8, "{estimates:?}");
        // The population doubles and keeps its structure: the estimates follow at once.
        let estimates = window(&mut a, [2, 18, 2, 18]);
        assert!(
            (estimates[0] - 2.0).abs() < 0.25 && (estimates[1] - 18.0).abs() < 0.25,
            "{estimates:?}"
        );
        // The structure flips: the scatter about the pooled prior is far beyond Poisson
        // noise, the prior loses its weight and one window moves each neuron most of the way
        // (a prior fixed at 5 s would give (9 + 5·1.1)/6 ≈ 2.4 Hz for the first neuron).
        let estimates = window(&mut a, [9, 1, 9, 1]);
        assert!(estimates[0] > 8.0 && estimates[1] < 2.0, "{estimates:?}");
        let mean = estimates.iter().sum::<f32>() / 4.0;
        assert!((mean - 5.0).abs() < 1e-4, "{mean}");
    }

    #[test]
    fn counts_within_poisson_noise_leave_every_neuron_at_its_population_rate() {
        // 4, 6, 5, 5 spikes in a second scatter less than Poisson noise would: no evidence
        // that the neurons differ, so each is estimated at the population's 5 Hz.
        let mut a = NeuronActivity::new(
            std::iter::once(0..4).collect(),
            0.1,
            ActivityBaseline::new(0.0, 0.0),
            PriorWeight::Estimated,
        );
        interval(&mut a, &[4, 6, 5, 5], 1.0, 1.0);
        assert_eq!(a.estimated_hz, vec![5.0; 4]);
    }
}
