//! Voltage-dependent Mg²⁺ block of the NMDA receptor.

use serde::{Deserialize, Serialize};

use crate::validate::Checker;

/// Jahr & Stevens (1990) J Neurosci 10:3178: the fraction of NMDA conductance *not* blocked,
/// B(V) = 1 / (1 + [Mg²⁺]/K · exp(−s·V)), K = 3.57 mM, s = 0.062 mV⁻¹ (TARGETS.md R-01;
/// the form used by Brunel & Wang 2001).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MgBlock {
    /// Dissociation constant at 0 mV, mM.
    #[serde(default = "MgBlock::default_k_mm")]
    pub k_mm: f64,
    /// Voltage dependence, 1/mV.
    #[serde(default = "MgBlock::default_slope_per_mv")]
    pub slope_per_mv: f64,
}

impl Default for MgBlock {
    fn default() -> Self {
        Self {
            k_mm: Self::default_k_mm(),
            slope_per_mv: Self::default_slope_per_mv(),
        }
    }
}

impl MgBlock {
    fn default_k_mm() -> f64 {
        3.57 // Jahr & Stevens 1990
    }

    fn default_slope_per_mv() -> f64 {
        0.062 // Jahr & Stevens 1990
    }

    /// Unblocked fraction at membrane potential `v_mv` and extracellular `mg_mm`. The
    /// neuron kernel calls this in its loop (with the vectorisable [`crate::math::exp`]).
    #[inline(always)]
    pub fn unblocked(&self, v_mv: f64, mg_mm: f64) -> f64 {
        1.0 / (1.0 + mg_mm / self.k_mm * crate::math::exp(-self.slope_per_mv * v_mv))
    }

    pub(crate) fn check(&self, c: &mut Checker<'_>) {
        c.positive("k_mm", self.k_mm);
        c.non_negative("slope_per_mv", self.slope_per_mv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // checks R-01
    #[test]
    fn block_follows_jahr_stevens() {
        let b = MgBlock::default();
        // Closed form at chosen points, 1 mM Mg²⁺.
        for v in [-100.0f64, -70.0, -40.0, -20.0, 0.0, 20.0, 40.0] {
            let expected = 1.0 / (1.0 + (1.0 / 3.57) * (-0.062 * v).exp());
            assert!((b.unblocked(v, 1.0) - expected).abs() < 1e-14, "V = {v}");
        }
        // At 0 mV the block is set by K alone: 1 / (1 + 1/3.57) = 0.78118...
        assert!((b.unblocked(0.0, 1.0) - 0.781_181).abs() < 1e-6);
        // Without Mg²⁺ there is no block; at rest most current is blocked.
        assert_eq!(b.unblocked(-70.0, 0.0), 1.0);
        assert!(b.unblocked(-70.0, 1.0) < 0.05);
        // Monotone relief with depolarisation.
        let mut last = 0.0;
        for v in -100..=40 {
            let x = b.unblocked(f64::from(v), 1.0);
            assert!(x > last);
            last = x;
        }
    }
}
