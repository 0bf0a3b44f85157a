//! Homeostatic synaptic scaling: slow multiplicative scaling of a neuron's excitatory
//! weights toward a target rate.

use serde::{Deserialize, Serialize};

use crate::validate::{Checker, Violation};

/// Synaptic scaling after van Rossum, Bi & Turrigiano (2000) J Neurosci 20:8812:
/// ds/dt = s (r_target − a) / (r_target τ_scaling), with a the neuron's rate low-passed
/// over τ_activity; every weight onto the neuron is multiplied by s. Scaling follows
/// activity changes over a day or two (Turrigiano et al. 1998 Nature 391:892).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingParams {
    /// Rate the neuron is scaled toward, Hz.
    pub target_rate_hz: f64,
    /// Averaging time of the rate estimate, s (default 600).
    #[serde(default = "default_tau_activity_s")]
    pub tau_activity_s: f64,
    /// Time constant of scaling, hours (default 24: Turrigiano et al. 1998, 24–48 h).
    #[serde(default = "default_tau_scaling_h")]
    pub tau_scaling_h: f64,
}

fn default_tau_activity_s() -> f64 {
    600.0
}

fn default_tau_scaling_h() -> f64 {
    24.0
}

impl ScalingParams {
    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        c.positive("target_rate_hz", self.target_rate_hz);
        c.positive("tau_activity_s", self.tau_activity_s);
        c.positive("tau_scaling_h", self.tau_scaling_h);
        out
    }
}

/// Factors are kept within [1/100, 100]: scaling adjusts, it does not silence or explode.
const SCALE_BOUNDS: (f32, f32) = (0.01, 100.0);

/// Scaling state of one projection's targets.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Scaling {
    params: ScalingParams,
    activity_hz: Vec<f32>,
    last_counts: Vec<u32>,
}

impl Scaling {
    /// Scaling of `n_targets` neurons, starting with their activity at target.
    pub fn new(params: ScalingParams, n_targets: usize) -> Self {
        Self {
            params,
            activity_hz: vec![params.target_rate_hz as f32; n_targets],
            last_counts: vec![0; n_targets],
        }
    }

    /// Updates the activity estimates from the targets' cumulative spike `counts` over the
    /// last `dt_s` seconds, and the scale factors.
    pub fn update(&mut self, counts: &[u32], dt_s: f64, scale: &mut [f32]) {
        let p = &self.params;
        let smoothing = (-dt_s / p.tau_activity_s).exp() as f32;
        let gain = (dt_s / (p.tau_scaling_h * 3600.0) / p.target_rate_hz) as f32;
        let target = p.target_rate_hz as f32;
        for ((a, last), (&count, s)) in self
            .activity_hz
            .iter_mut()
            .zip(&mut self.last_counts)
            .zip(counts.iter().zip(scale.iter_mut()))
        {
            let rate = (count - *last) as f32 / dt_s as f32;
            *last = count;
            *a = rate + (*a - rate) * smoothing;
            *s = (*s * (1.0 + gain * (target - *a))).clamp(SCALE_BOUNDS.0, SCALE_BOUNDS.1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_neuron_scales_up_and_an_overactive_one_down() {
        let params = ScalingParams {
            target_rate_hz: 5.0,
            tau_activity_s: 10.0,
            tau_scaling_h: 1.0,
        };
        let mut scaling = Scaling::new(params, 2);
        let mut scale = [1.0f32, 1.0];
        let mut counts = [0u32, 0];
        for _ in 0..3600 {
            counts[1] += 20; // 20 Hz, quadruple the target; neuron 0 silent
            scaling.update(&counts, 1.0, &mut scale);
        }
        assert!(scale[0] > 1.5, "silent neuron scaled up: {}", scale[0]);
        assert!(
            scale[1] < 0.5,
            "overactive neuron scaled down: {}",
            scale[1]
        );
    }
}
