//! Spike-timing-dependent plasticity: the triplet rule of Pfister & Gerstner (2006), of
//! which pair STDP is the special case without triplet terms.

use serde::{Deserialize, Serialize};

use crate::receptors::{decay, decay_factor};
use crate::validate::{Checker, Violation};

/// Parameters of all-to-all triplet STDP (Pfister & Gerstner 2006 J Neurosci 26:9673;
/// NEST `stdp_triplet_synapse`), acting on efficacy ρ ∈ [0, 1].
///
/// Presynaptic traces r₁ (τ₊) and r₂ (τₓ), postsynaptic traces o₁ (τ₋) and o₂ (τ_y), each
/// +1 per spike and decaying exponentially. At a presynaptic spike
/// ρ ← ρ − o₁ (A₂₋ + A₃₋ r₂), at a postsynaptic spike ρ ← ρ + r₁ (A₂₊ + A₃₊ o₂), with the
/// triplet traces taken just before the spike's own increment; ρ is clipped to [0, 1].
/// With A₃₊ = A₃₋ = 0 this is additive pair STDP (Song, Miller & Abbott 2000).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TripletParams {
    /// r₁ time constant, ms (16.8: Pfister & Gerstner 2006, visual cortex).
    pub tau_plus_ms: f64,
    /// o₁ time constant, ms (33.7).
    pub tau_minus_ms: f64,
    /// r₂ time constant, ms (101, visual cortex all-to-all full model).
    pub tau_x_ms: f64,
    /// o₂ time constant, ms (125).
    pub tau_y_ms: f64,
    /// Pair potentiation per pairing, efficacy units (5e-10).
    pub a2_plus: f64,
    /// Triplet potentiation (6.2e-3).
    pub a3_plus: f64,
    /// Pair depression (7e-3).
    pub a2_minus: f64,
    /// Triplet depression (2.3e-4).
    pub a3_minus: f64,
}

impl Default for TripletParams {
    fn default() -> Self {
        Self::visual_cortex()
    }
}

impl TripletParams {
    /// The visual-cortex, all-to-all, full-model set of Pfister & Gerstner (2006, Table 3),
    /// as NEST's `stdp_triplet_synapse` defaults (τ₋, τ_y set as in the paper).
    pub fn visual_cortex() -> Self {
        Self {
            tau_plus_ms: 16.8,
            tau_minus_ms: 33.7,
            tau_x_ms: 101.0,
            tau_y_ms: 125.0,
            a2_plus: 5e-10,
            a3_plus: 6.2e-3,
            a2_minus: 7e-3,
            a3_minus: 2.3e-4,
        }
    }

    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        for (key, v) in [
            ("tau_plus_ms", self.tau_plus_ms),
            ("tau_minus_ms", self.tau_minus_ms),
            ("tau_x_ms", self.tau_x_ms),
            ("tau_y_ms", self.tau_y_ms),
        ] {
            c.positive(key, v);
        }
        for (key, v) in [
            ("a2_plus", self.a2_plus),
            ("a3_plus", self.a3_plus),
            ("a2_minus", self.a2_minus),
            ("a3_minus", self.a3_minus),
        ] {
            c.within(key, v, 0.0, 1.0);
        }
        out
    }
}

/// Additive pair STDP in weight units with hard bounds, the rule of the COBA+STDP benchmark
/// (../shared/anchors/model_spec.py; NEST `stdp_synapse` with μ₊ = μ₋ = 0; Song, Miller &
/// Abbott 2000). Equivalent to [`TripletParams`] without triplet terms, with efficacy
/// ρ = (w − w_min)/(w_max − w_min).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StdpPairParams {
    /// Presynaptic trace time constant, ms (20 ms in model_spec.py).
    pub tau_plus_ms: f64,
    /// Postsynaptic trace time constant, ms.
    pub tau_minus_ms: f64,
    /// Potentiation per pairing, nS.
    pub a_plus_ns: f64,
    /// Depression per pairing, nS.
    pub a_minus_ns: f64,
    /// Lower weight bound, nS.
    #[serde(default)]
    pub w_min_ns: f64,
    /// Upper weight bound, nS.
    pub w_max_ns: f64,
}

impl StdpPairParams {
    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        c.positive("tau_plus_ms", self.tau_plus_ms);
        c.positive("tau_minus_ms", self.tau_minus_ms);
        c.non_negative("a_plus_ns", self.a_plus_ns);
        c.non_negative("a_minus_ns", self.a_minus_ns);
        c.non_negative("w_min_ns", self.w_min_ns);
        c.finite("w_max_ns", self.w_max_ns);
        if self.w_max_ns.is_nan() || self.w_max_ns <= self.w_min_ns {
            c.fail(
                "w_max_ns",
                self.w_max_ns,
                format!("a bound above w_min_ns ({})", self.w_min_ns),
            );
        }
        out
    }

    /// The same rule in efficacy units.
    pub fn as_triplet(&self) -> TripletParams {
        let range = self.w_max_ns - self.w_min_ns;
        TripletParams {
            tau_plus_ms: self.tau_plus_ms,
            tau_minus_ms: self.tau_minus_ms,
            tau_x_ms: self.tau_plus_ms,
            tau_y_ms: self.tau_minus_ms,
            a2_plus: self.a_plus_ns / range,
            a3_plus: 0.0,
            a2_minus: self.a_minus_ns / range,
            a3_minus: 0.0,
        }
    }
}

/// Triplet STDP state of one projection: the four traces.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Stdp {
    a2_plus: f32,
    a3_plus: f32,
    a2_minus: f32,
    a3_minus: f32,
    decay_r1: f32,
    decay_r2: f32,
    decay_o1: f32,
    decay_o2: f32,
    r1: Vec<f32>,
    r2: Vec<f32>,
    o1: Vec<f32>,
    o2: Vec<f32>,
}

impl Stdp {
    /// The rule for `n_sources` presynaptic and `n_targets` postsynaptic neurons.
    pub fn new(p: &TripletParams, dt_ms: f64, n_sources: usize, n_targets: usize) -> Self {
        Self {
            a2_plus: p.a2_plus as f32,
            a3_plus: p.a3_plus as f32,
            a2_minus: p.a2_minus as f32,
            a3_minus: p.a3_minus as f32,
            decay_r1: decay_factor(dt_ms, p.tau_plus_ms),
            decay_r2: decay_factor(dt_ms, p.tau_x_ms),
            decay_o1: decay_factor(dt_ms, p.tau_minus_ms),
            decay_o2: decay_factor(dt_ms, p.tau_y_ms),
            r1: vec![0.0; n_sources],
            r2: vec![0.0; n_sources],
            o1: vec![0.0; n_targets],
            o2: vec![0.0; n_targets],
        }
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        4 * (self.r1.capacity() + self.r2.capacity() + self.o1.capacity() + self.o2.capacity())
    }

    /// Decays every trace by one step.
    pub fn decay_traces(&mut self) {
        let uses_r2 = self.a3_minus > 0.0;
        let uses_o2 = self.a3_plus > 0.0;
        for (x, f) in [(&mut self.r1, self.decay_r1), (&mut self.o1, self.decay_o1)] {
            x.iter_mut().for_each(|v| *v = decay(*v, f));
        }
        if uses_r2 {
            self.r2
                .iter_mut()
                .for_each(|v| *v = decay(*v, self.decay_r2));
        }
        if uses_o2 {
            self.o2
                .iter_mut()
                .for_each(|v| *v = decay(*v, self.decay_o2));
        }
    }

    /// Depression of a synapse from presynaptic `j` onto postsynaptic `i` at a spike of `j`
    /// (before [`pre_spiked`](Self::pre_spiked) steps j's traces up).
    #[inline(always)]
    pub fn depression(&self, j: usize, i: usize) -> f32 {
        self.o1[i] * (self.a2_minus + self.a3_minus * self.r2[j])
    }

    /// Potentiation of a synapse from `j` onto `i` at a spike of `i` (before
    /// [`post_spiked`](Self::post_spiked)).
    #[inline(always)]
    pub fn potentiation(&self, i: usize, j: usize) -> f32 {
        self.r1[j] * (self.a2_plus + self.a3_plus * self.o2[i])
    }

    /// Steps presynaptic `j`'s traces up after its spike.
    #[inline]
    pub fn pre_spiked(&mut self, j: usize) {
        self.r1[j] += 1.0;
        self.r2[j] += 1.0;
    }

    /// Steps postsynaptic `i`'s traces up after its spike.
    #[inline]
    pub fn post_spiked(&mut self, i: usize) {
        self.o1[i] += 1.0;
        self.o2[i] += 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Δρ of one synapse for one pre/post pair at Δt = t_post − t_pre (ms), pair rule.
    fn pair_change(dt_post_minus_pre: i64) -> f32 {
        let p = TripletParams {
            a3_plus: 0.0,
            a3_minus: 0.0,
            a2_plus: 0.01,
            a2_minus: 0.0105,
            ..TripletParams::visual_cortex()
        };
        let mut stdp = Stdp::new(&p, 0.1, 1, 1);
        let mut rho = 0.5f32;
        let (t_pre, t_post) = if dt_post_minus_pre >= 0 {
            (0, dt_post_minus_pre * 10)
        } else {
            (-dt_post_minus_pre * 10, 0)
        };
        for step in 0..=t_pre.max(t_post) {
            stdp.decay_traces();
            if step == t_pre {
                rho -= stdp.depression(0, 0);
                stdp.pre_spiked(0);
            }
            if step == t_post {
                rho += stdp.potentiation(0, 0);
                stdp.post_spiked(0);
            }
        }
        rho - 0.5
    }

    #[test]
    fn pair_window_is_the_double_exponential() {
        // Δρ(Δt) = A₊ e^{−Δt/τ₊} for Δt > 0, −A₋ e^{Δt/τ₋} for Δt < 0.
        for dt in [2i64, 10, 30] {
            let expected = 0.01 * (-(dt as f64) / 16.8).exp();
            assert!(
                (f64::from(pair_change(dt)) - expected).abs() < 1e-5,
                "+{dt} ms"
            );
            let expected = -0.0105 * (-(dt as f64) / 33.7).exp();
            assert!(
                (f64::from(pair_change(-dt)) - expected).abs() < 1e-5,
                "-{dt} ms"
            );
        }
    }

    #[test]
    fn triplets_add_potentiation_at_high_post_rates() {
        // A post-pre-post triplet potentiates more than the pair alone (the o₂ term).
        let p = TripletParams::visual_cortex();
        let mut with = Stdp::new(&p, 0.1, 1, 1);
        let mut without = Stdp::new(&TripletParams { a3_plus: 0.0, ..p }, 0.1, 1, 1);
        let (mut a, mut b) = (0.0f32, 0.0f32);
        for step in 0..200 {
            with.decay_traces();
            without.decay_traces();
            if step == 0 || step == 100 {
                a += with.potentiation(0, 0);
                b += without.potentiation(0, 0);
                with.post_spiked(0);
                without.post_spiked(0);
            }
            if step == 50 {
                a -= with.depression(0, 0);
                b -= without.depression(0, 0);
                with.pre_spiked(0);
                without.pre_spiked(0);
            }
        }
        assert!(a > b);
    }
}
