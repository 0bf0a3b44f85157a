//! From synaptic efficacy to synaptic weight.

use serde::{Deserialize, Serialize};

/// How a plastic synapse's efficacy ρ ∈ [0, 1] (the state plasticity rules change) sets its
/// weight (nS, peak conductance).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum WeightMap {
    /// w = w_min + ρ (w_max − w_min): additive rules with hard weight bounds (NEST
    /// `stdp_synapse`, Brian2's STDP benchmark).
    Range {
        /// Weight at ρ = 0, nS.
        w_min_ns: f32,
        /// Weight at ρ = 1, nS.
        w_max_ns: f32,
    },
    /// w = base · (1 + (b − 1) ρ): a two-state synapse whose UP state (ρ = 1) is `b` times
    /// its DOWN state (Graupner & Brunel 2012, b = w₁/w₀); `base` is the DOWN weight.
    UpDown {
        /// Ratio of the UP and DOWN weights.
        b: f32,
    },
    /// w = base · (1 + gain (ρ − ρ_home)): a spine's early change on top of its consolidated
    /// state ρ_home, whose weight `base` is proportional to its head volume.
    Linear {
        /// Relative weight change per unit of efficacy change.
        gain: f32,
    },
}

impl WeightMap {
    /// The weight of a synapse of efficacy `rho`, consolidated state `home` and base weight
    /// `base`, scaled by the homeostatic factor `scale` of its target.
    #[inline(always)]
    pub fn weight(&self, rho: f32, home: f32, base: f32, scale: f32) -> f32 {
        // Rules keep ρ in [0, 1] up to noise excursions; weights never go negative.
        let rho = rho.clamp(0.0, 1.0);
        scale
            * match *self {
                WeightMap::Range { w_min_ns, w_max_ns } => w_min_ns + rho * (w_max_ns - w_min_ns),
                WeightMap::UpDown { b } => base * (1.0 + (b - 1.0) * rho),
                WeightMap::Linear { .. } => base * self.early_factor(rho, home),
            }
    }

    /// The factor by which an early change from `home` to `rho` multiplies the weight of a
    /// spine (`Linear` maps; 1 for the others, which have no consolidated state).
    #[inline]
    pub fn early_factor(&self, rho: f32, home: f32) -> f32 {
        match *self {
            WeightMap::Linear { gain } => (1.0 + gain * (rho.clamp(0.0, 1.0) - home)).max(0.0),
            WeightMap::Range { .. } | WeightMap::UpDown { .. } => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_hit_their_ends() {
        let range = WeightMap::Range {
            w_min_ns: 0.0,
            w_max_ns: 12.0,
        };
        assert_eq!(range.weight(0.5, 0.0, 0.0, 1.0), 6.0);
        assert_eq!(range.weight(1.0, 0.0, 0.0, 2.0), 24.0);
        let gb = WeightMap::UpDown { b: 5.0 };
        assert_eq!(gb.weight(0.0, 0.0, 2.0, 1.0), 2.0);
        assert_eq!(gb.weight(1.0, 0.0, 2.0, 1.0), 10.0);
        let spine = WeightMap::Linear { gain: 0.5 };
        assert_eq!(spine.weight(1.0, 0.0, 2.0, 1.0), 3.0);
        assert_eq!(spine.weight(0.0, 1.0, 2.0, 1.0), 1.0);
        assert_eq!(
            spine.weight(0.3, 0.3, 2.0, 1.0),
            2.0,
            "at home the weight is the base"
        );
        assert_eq!(spine.early_factor(1.0, 0.0), 1.5);
    }
}
