//! NMDA receptor conductance with subunit-specific kinetics.

use serde::{Deserialize, Serialize};

use super::MgBlock;
use crate::validate::Checker;

/// Kinetics and share of one GluN2 subunit class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NmdaSubunit {
    /// Share of the cell's NMDA conductance carried by receptors of this class, in [0, 1].
    pub fraction: f64,
    /// Rise time constant, ms.
    pub tau_rise_ms: f64,
    /// Decay time constant, ms.
    pub tau_decay_ms: f64,
    /// Multiplier of the Mg²⁺ dissociation constant for this class (1 = the receptor's
    /// Jahr–Stevens block). GluN2C/D receptors are blocked ≈ 5–10× less by Mg²⁺ than
    /// GluN2A/2B (Kuner & Schoepfer 1996 J Neurosci 16:3549; Qian et al. 2005 J Physiol
    /// 562:319), which is what makes pore blockers relatively more potent on them in Mg²⁺
    /// (Kotermanski & Johnson 2009; TARGETS.md P-08).
    #[serde(default = "NmdaSubunit::default_mg_k_scale")]
    pub mg_k_scale: f64,
}

impl NmdaSubunit {
    fn default_mg_k_scale() -> f64 {
        1.0
    }

    /// Value at its peak of exp(−t/τd) − exp(−t/τr), which peaks at
    /// t* = τr·τd/(τd−τr)·ln(τd/τr): the normalisation that gives the class its peak.
    pub fn unit_peak(&self) -> f64 {
        let (tr, td) = (self.tau_rise_ms, self.tau_decay_ms);
        let t_peak = tr * td / (td - tr) * (td / tr).ln();
        (-t_peak / td).exp() - (-t_peak / tr).exp()
    }

    /// Charge-carrying time of one event per unit of peak conductance, ms: the integral
    /// (τd − τr) of the dual exponential over its peak. Slow classes pass far more charge
    /// (and Ca²⁺) per event than their peak share suggests.
    pub fn charge_per_peak_ms(&self) -> f64 {
        (self.tau_decay_ms - self.tau_rise_ms) / self.unit_peak()
    }

    fn check(&self, c: &mut Checker<'_>) {
        c.within("fraction", self.fraction, 0.0, 1.0);
        c.positive("mg_k_scale", self.mg_k_scale);
        c.positive("tau_rise_ms", self.tau_rise_ms);
        c.positive("tau_decay_ms", self.tau_decay_ms);
        if self.tau_decay_ms.is_finite() && self.tau_rise_ms >= self.tau_decay_ms {
            c.fail(
                "tau_rise_ms",
                self.tau_rise_ms,
                format!(
                    "a rise time shorter than tau_decay_ms ({})",
                    self.tau_decay_ms
                ),
            );
        }
    }
}

/// NMDA receptors of a cell type: GluN2A, GluN2B and GluN2C/D components, each a
/// dual-exponential conductance, all under one Mg²⁺ block.
///
/// Simplification: the conductance is linear in presynaptic events (no saturation, unlike
/// the gating variable of Brunel & Wang 2001), which keeps it exactly integrable. Each class
/// scales the Mg²⁺ dissociation constant by its own `mg_k_scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NmdaReceptor {
    /// Peak NMDA conductance per unit of peak AMPA conductance for one glutamatergic event.
    /// 0 switches NMDA off (the COBA benchmark has none).
    #[serde(default = "NmdaReceptor::default_ratio")]
    pub nmda_ampa_ratio: f64,
    /// Reversal potential, mV (0 mV, Brunel & Wang 2001).
    #[serde(default)]
    pub e_rev_mv: f64,
    /// Voltage-dependent Mg²⁺ block (Jahr & Stevens 1990, R-01).
    #[serde(default)]
    pub mg_block: MgBlock,
    /// GluN2A-containing receptors: decay ≈ 42 ms (R-02; Dainauskas et al. 2023).
    #[serde(default = "NmdaReceptor::default_glun2a")]
    pub glun2a: NmdaSubunit,
    /// GluN2B-containing receptors: decay ≈ 133 ms (R-02; Dainauskas et al. 2023).
    #[serde(default = "NmdaReceptor::default_glun2b")]
    pub glun2b: NmdaSubunit,
    /// GluN2C/D-containing receptors: decay ≈ 500 ms.
    #[serde(default = "NmdaReceptor::default_glun2cd")]
    pub glun2cd: NmdaSubunit,
}

impl Default for NmdaReceptor {
    fn default() -> Self {
        Self {
            nmda_ampa_ratio: Self::default_ratio(),
            e_rev_mv: 0.0,
            mg_block: MgBlock::default(),
            glun2a: Self::default_glun2a(),
            glun2b: Self::default_glun2b(),
            glun2cd: Self::default_glun2cd(),
        }
    }
}

impl NmdaReceptor {
    fn default_ratio() -> f64 {
        // Assumption: 0.5. Measured NMDA/AMPA ratios at PFC layer 2/3 pyramidal synapses
        // are of this order (Myme et al. 2003 J Neurophysiol 90:771). Cell types in
        // assets/cell_types/ set their own.
        0.5
    }

    fn default_glun2a() -> NmdaSubunit {
        // Assumption: equal GluN2A:GluN2B. A 2021 Mol Psychiatry review (PMC8695640, Fig. 3)
        // has PFC L2/3 pyramidal cells about equal and L5 leaning GluN2B.
        NmdaSubunit {
            fraction: 0.5,
            tau_rise_ms: 2.0,   // NMDA rise 2 ms (Brunel & Wang 2001)
            tau_decay_ms: 42.0, // GluN2A
            mg_k_scale: 1.0,
        }
    }

    fn default_glun2b() -> NmdaSubunit {
        NmdaSubunit {
            fraction: 0.5,
            tau_rise_ms: 2.0,
            tau_decay_ms: 133.0, // GluN2B
            mg_k_scale: 1.0,
        }
    }

    fn default_glun2cd() -> NmdaSubunit {
        NmdaSubunit {
            fraction: 0.0,
            tau_rise_ms: 2.0,
            tau_decay_ms: 500.0, // GluN2C/D
            mg_k_scale: 5.0,     // Kuner & Schoepfer 1996: ≈ 5–10× weaker Mg²⁺ block
        }
    }

    /// The three subunit classes, in the order 2A, 2B, 2C/D.
    pub fn subunits(&self) -> [NmdaSubunit; 3] {
        [self.glun2a, self.glun2b, self.glun2cd]
    }

    /// True when a glutamatergic event opens any NMDA conductance.
    pub fn is_active(&self) -> bool {
        self.nmda_ampa_ratio > 0.0 && self.subunits().iter().any(|s| s.fraction > 0.0)
    }

    pub(crate) fn check(&self, c: &mut Checker<'_>) {
        c.non_negative("nmda_ampa_ratio", self.nmda_ampa_ratio);
        c.finite("e_rev_mv", self.e_rev_mv);
        self.mg_block.check(&mut c.nested("mg_block"));
        self.glun2a.check(&mut c.nested("glun2a"));
        self.glun2b.check(&mut c.nested("glun2b"));
        self.glun2cd.check(&mut c.nested("glun2cd"));
        let sum: f64 = self.subunits().iter().map(|s| s.fraction).sum();
        if self.nmda_ampa_ratio > 0.0 && (sum - 1.0).abs() > 1e-6 {
            c.fail(
                "glun2a.fraction",
                format!("{sum} (sum of glun2a, glun2b, glun2cd fractions)"),
                "fractions that sum to 1",
            );
        }
    }
}

/// One active NMDA component prepared for a step of `dt`: the event gain and decay factors
/// of its rise and decay exponentials. Its conductance is `decay − rise`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NmdaComponent {
    /// Added to both exponentials per unit of glutamatergic weight (nS per nS).
    pub gain: f32,
    /// Per-step factor of the rising exponential.
    pub rise_factor: f32,
    /// Per-step factor of the decaying exponential.
    pub decay_factor: f32,
}

impl NmdaComponent {
    /// A component that never opens.
    pub const NONE: Self = Self {
        gain: 0.0,
        rise_factor: 0.0,
        decay_factor: 0.0,
    };

    /// The component of `subunit` in a receptor of peak ratio `ratio`, for steps of `dt_ms`:
    /// dividing by [`NmdaSubunit::unit_peak`] makes the peak `ratio · fraction` per unit
    /// weight.
    pub fn new(subunit: &NmdaSubunit, ratio: f64, dt_ms: f64) -> Self {
        let (tr, td) = (subunit.tau_rise_ms, subunit.tau_decay_ms);
        Self {
            gain: (ratio * subunit.fraction / subunit.unit_peak()) as f32,
            rise_factor: super::decay_factor(dt_ms, tr),
            decay_factor: super::decay_factor(dt_ms, td),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Response of one component to a unit event, sampled every step.
    fn response(c: &NmdaComponent, steps: usize) -> Vec<f64> {
        let (mut rise, mut decay) = (c.gain, c.gain);
        (0..steps)
            .map(|_| {
                let g = f64::from(decay - rise);
                rise *= c.rise_factor;
                decay *= c.decay_factor;
                g
            })
            .collect()
    }

    // checks R-02
    #[test]
    fn subunit_components_decay_with_their_published_time_constants() {
        let dt = 0.1;
        let receptor = NmdaReceptor::default();
        for (subunit, tau) in [
            (receptor.glun2a, 42.0),
            (receptor.glun2b, 133.0),
            (receptor.glun2cd, 500.0),
        ] {
            let sub = NmdaSubunit {
                fraction: 1.0,
                ..subunit
            };
            let c = NmdaComponent::new(&sub, 1.0, dt);
            let g = response(&c, 30_000);
            // Long after the rise (> 10 τ_rise) the log-slope is −1/τ_decay.
            let (i, j) = (500, 1500);
            let fitted = (j - i) as f64 * dt / (g[i] / g[j]).ln();
            assert!(
                (fitted - tau).abs() / tau < 1e-3,
                "τ fitted {fitted}, expected {tau}"
            );
            // The peak equals ratio · fraction, at the closed-form time.
            let (k, peak) =
                g.iter().enumerate().fold(
                    (0, 0.0),
                    |best, (k, &x)| if x > best.1 { (k, x) } else { best },
                );
            assert!((peak - 1.0).abs() < 1e-3, "peak {peak}");
            let t_peak = 2.0 * tau / (tau - 2.0) * (tau / 2.0f64).ln();
            assert!((k as f64 * dt - t_peak).abs() <= dt, "t_peak");
        }
    }

    #[test]
    fn fractions_must_sum_to_one_when_nmda_is_on() {
        let mut r = NmdaReceptor::default();
        r.glun2b.fraction = 0.7;
        let mut out = Vec::new();
        r.check(&mut Checker::new("nmda", &mut out));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].key, "nmda.glun2a.fraction");
    }
}
