//! Receptor conductances: AMPA, NMDA (GluN2A / GluN2B / GluN2C-D parts, Mg²⁺ block), GABA-A.
//!
//! Every conductance is a sum of exponentials driven by synaptic events, so it is advanced
//! exactly: g(t + dt) = g(t)·exp(−dt/τ). A glutamatergic event of weight w (nS) raises the
//! AMPA conductance by w and each NMDA component by w · ratio · fraction, scaled so that the
//! component's dual-exponential peak equals that amount. Units: nS, mV, ms.

mod mg_block;
mod nmda;

pub use mg_block::MgBlock;
pub use nmda::{NmdaComponent, NmdaReceptor, NmdaSubunit};

use serde::{Deserialize, Serialize};

use crate::validate::Checker;

/// A receptor with a single-exponential conductance (AMPA, GABA-A).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExponentialReceptor {
    /// Decay time constant, ms.
    pub tau_decay_ms: f64,
    /// Reversal potential, mV.
    pub e_rev_mv: f64,
}

impl ExponentialReceptor {
    pub(crate) fn check(&self, c: &mut Checker<'_>) {
        c.positive("tau_decay_ms", self.tau_decay_ms);
        c.finite("e_rev_mv", self.e_rev_mv);
    }
}

/// The receptors of a cell type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receptors {
    /// AMPA: τ 2 ms (TARGETS.md R-02; Brunel & Wang 2001), E_rev 0 mV.
    #[serde(default = "Receptors::default_ampa")]
    pub ampa: ExponentialReceptor,
    /// NMDA, with its subunit components and Mg²⁺ block.
    #[serde(default)]
    pub nmda: NmdaReceptor,
    /// GABA-A: τ 10 ms, E_rev −70 mV (Brunel & Wang 2001).
    #[serde(default = "Receptors::default_gaba_a")]
    pub gaba_a: ExponentialReceptor,
}

impl Default for Receptors {
    fn default() -> Self {
        Self {
            ampa: Self::default_ampa(),
            nmda: NmdaReceptor::default(),
            gaba_a: Self::default_gaba_a(),
        }
    }
}

impl Receptors {
    fn default_ampa() -> ExponentialReceptor {
        ExponentialReceptor {
            tau_decay_ms: 2.0, // R-02, Brunel & Wang 2001
            e_rev_mv: 0.0,     // Brunel & Wang 2001
        }
    }

    fn default_gaba_a() -> ExponentialReceptor {
        ExponentialReceptor {
            tau_decay_ms: 10.0,
            e_rev_mv: -70.0,    // Brunel & Wang 2001; Wang 2002
        }
    }

    pub(crate) fn check(&self, c: &mut Checker<'_>) {
        self.ampa.check(&mut c.nested("ampa"));
        self.nmda.check(&mut c.nested("nmda"));
        self.gaba_a.check(&mut c.nested("gaba_a"));
    }
}

/// Decay factor of an exponential with time constant `tau_ms` over one step of `dt_ms`.
#[inline]
pub fn decay_factor(dt_ms: f64, tau_ms: f64) -> f32 {
    (-dt_ms / tau_ms).exp() as f32
}

/// Conductances below this (nS) are set to zero. Left alone they decay into subnormal
/// floats in silent stretches, and subnormal arithmetic is ~10–100× slower (a silent Brian2
/// network ran 6.5× slower without flush-to-zero, ../shared/anchors/RESULTS.md obs. 6).
/// 10⁻⁹ nS carries 10⁻⁷ pA at 100 mV driving force: far below any physiological effect.
pub const FLUSH_BELOW_NS: f32 = 1e-9;

/// Exact exponential decay of a conductance, flushed to zero below [`FLUSH_BELOW_NS`].
#[inline(always)]
pub fn decay(g_ns: f32, factor: f32) -> f32 {
    let g = g_ns * factor;
    if g < FLUSH_BELOW_NS { 0.0 } else { g }
}
