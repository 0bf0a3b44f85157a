//! Per-neuron activity over slow intervals, and its pre-intervention baseline.
//!
//! Signalling inputs are folds over each neuron's own baseline — what an experimenter reports
//! as "% of baseline". The baseline is the mean over the stretch before the first
//! intervention; during it every fold is exactly 1, so the cascade rests at its steady state.

use std::ops::Range;

use super::PopulationPharmacology;

/// Firing rate added to both sides of a rate fold, Hz: keeps the fold of a nearly silent cell
/// finite (assumption: about the lowest rate at which PFC cells are counted as active).
pub const RATE_FOLD_OFFSET_HZ: f64 = 0.5;

/// The pre-intervention baseline being measured or measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityBaseline {
    /// End of the baseline stretch, s.
    pub end_s: f64,
    spiking_s: f64,
    rate_sum: Vec<f64>,
    nmda_sum: Vec<f64>,
}

/// Rates and NMDA Ca²⁺ entry per neuron (global index), held across quiet stretches.
#[derive(Debug, Clone)]
pub struct NeuronActivity {
    dt_ms: f64,
    ranges: Vec<Range<usize>>,
    previous_counts: Vec<u32>,
    spiking_steps: u64,
    /// Mean rate of the last interval with spiking, Hz.
    pub rate_hz: Vec<f32>,
    /// Baseline rate, Hz.
    pub baseline_rate_hz: Vec<f32>,
    /// Baseline NMDA Ca²⁺ entry (conductance through unblocked channels), nS.
    pub baseline_nmda_ns: Vec<f32>,
    baseline: ActivityBaseline,
    in_baseline: bool,
}

impl NeuronActivity {
    /// Activity of neurons in `ranges` (global indices, one range per population in order)
    /// whose baseline lasts until `baseline_end_s`.
    pub fn new(ranges: Vec<Range<usize>>, dt_ms: f64, baseline_end_s: f64) -> Self {
        let n = ranges.last().map_or(0, |r| r.end);
        Self {
            dt_ms,
            ranges,
            previous_counts: vec![0; n],
            spiking_steps: 0,
            rate_hz: vec![0.0; n],
            baseline_rate_hz: vec![0.0; n],
            baseline_nmda_ns: vec![0.0; n],
            baseline: ActivityBaseline {
                end_s: baseline_end_s,
                spiking_s: 0.0,
                rate_sum: vec![0.0; n],
                nmda_sum: vec![0.0; n],
            },
            in_baseline: true,
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
        if self.spiking_steps == 0 {
            return self.close_baseline_if_due(t_s);
        }
        let seconds = self.spiking_steps as f64 * self.dt_ms / 1000.0;
        for (i, (&now, before)) in counts.iter().zip(&mut self.previous_counts).enumerate() {
            self.rate_hz[i] = (f64::from(now - *before) / seconds) as f32;
            *before = now;
        }
        self.spiking_steps = 0;
        if self.in_baseline {
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
        if !self.in_baseline || t_s < self.baseline.end_s - 1e-9 {
            return;
        }
        self.in_baseline = false;
        let span = self.baseline.spiking_s;
        if span > 0.0 {
            for i in 0..self.len() {
                self.baseline_rate_hz[i] = (self.baseline.rate_sum[i] / span) as f32;
                self.baseline_nmda_ns[i] = (self.baseline.nmda_sum[i] / span) as f32;
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
                activity[i] = ((f64::from(self.rate_hz[i]) + RATE_FOLD_OFFSET_HZ)
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
