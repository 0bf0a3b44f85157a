//! Per-neuron activity over slow intervals, and its pre-intervention baseline.
//!
//! Signalling inputs are folds over each neuron's own baseline — what an experimenter reports
//! as "% of baseline". The baseline is the mean over the stretch before the first
//! intervention, after the network has settled from its initial conditions; during it every
//! fold is exactly 1, so the cascade rests at its steady state.
//!
//! Rates are estimated, not just counted: a neuron's rate over an interval (and over the
//! baseline) is shrunk towards its population's, `(spikes + prior · population rate) /
//! (time + prior)` — the posterior mean of a Poisson rate under a gamma prior centred on the
//! population (empirical Bayes), with the prior worth `rate_prior_s` of spiking. A window of
//! half a second holds a spike or two per neuron, and quiet stretches hold a window's
//! statistics for hours: raw counts would give each neuron a random fold for that long, and
//! the cascade's convex responses (mTORC1-dependent translation, spinogenesis) would turn
//! that noise into a bias of the population mean. Long spiking intervals are hardly shrunk.

use std::ops::Range;

use super::PopulationPharmacology;

/// Firing rate added to both sides of a rate fold, Hz: keeps the fold of a nearly silent cell
/// finite (assumption: about the lowest rate at which PFC cells are counted as active).
pub const RATE_FOLD_OFFSET_HZ: f64 = 0.5;

/// Posterior mean rate of `spikes` in `seconds` under a gamma prior of mean `population_hz`
/// worth `prior_s` of observation, Hz.
fn shrunk(spikes: f64, seconds: f64, population_hz: f64, prior_s: f64) -> f32 {
    ((spikes + prior_s * population_hz) / (seconds + prior_s)) as f32
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
    rate_prior_s: f64,
    /// Mean rate of the last interval with spiking (spikes / time), Hz.
    pub rate_hz: Vec<f32>,
    /// That rate shrunk towards the population's (module docs), Hz.
    pub estimated_hz: Vec<f32>,
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
    /// measured against `baseline`, with a population prior worth `rate_prior_s` of spiking.
    pub fn new(
        ranges: Vec<Range<usize>>,
        dt_ms: f64,
        baseline: ActivityBaseline,
        rate_prior_s: f64,
    ) -> Self {
        let n = ranges.last().map_or(0, |r| r.end);
        Self {
            dt_ms,
            ranges,
            previous_counts: vec![0; n],
            spiking_steps: 0,
            rate_prior_s: rate_prior_s.max(0.0),
            rate_hz: vec![0.0; n],
            estimated_hz: vec![0.0; n],
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
        for range in &self.ranges {
            let sums = self.rate_hz[range.clone()]
                .iter()
                .map(|&r| f64::from(r))
                .sum::<f64>();
            let population_hz = sums / range.len().max(1) as f64;
            for i in range.clone() {
                self.estimated_hz[i] = shrunk(
                    f64::from(self.rate_hz[i]) * seconds,
                    seconds,
                    population_hz,
                    self.rate_prior_s,
                );
            }
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
                self.baseline_rate_hz[i] =
                    shrunk(b.rate_sum[i], span, population_hz, self.rate_prior_s);
                self.baseline_nmda_ns[i] = (b.nmda_sum[i] / span) as f32;
            }
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
            2.0,
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
        // An interval's rates shrink alike: 1 and 0 spikes in 0.5 s (population 1 Hz) →
        // (1 + 2)/2.5 = 1.2 Hz and 2/2.5 = 0.8 Hz; the raw rates stay for readouts.
        interval(&mut a, &[55, 50], 0.5, 3.5);
        assert!(
            (a.estimated_hz[0] - 1.2).abs() < 1e-6,
            "{:?}",
            a.estimated_hz
        );
        assert!(
            (a.estimated_hz[1] - 0.8).abs() < 1e-6,
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
            0.0,
        );
        a.update(&[0], &[population(1)], 2.0);
        assert!(a.in_baseline(), "no spiking yet");
        interval(&mut a, &[3], 1.0, 3.0);
        assert!(!a.in_baseline());
        assert!((a.baseline_rate_hz[0] - 3.0).abs() < 1e-6);
    }
}
