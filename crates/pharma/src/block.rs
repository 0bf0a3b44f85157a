//! Use-dependent open-channel block of NMDA receptors, with trapping and Mg²⁺ competition.
//!
//! Ketamine, MK-801 and memantine enter the NMDA channel only while it is open and leave it
//! only while it is open again (Orser, Pennefather & MacDonald 1997; TARGETS.md P-09, P-10);
//! a blocked channel can close around the drug, which then stays *trapped* until the channel
//! reopens. Mg²⁺ occupies the same site, so a channel holding Mg²⁺ cannot take up the drug:
//! where Mg²⁺ blocks strongly (GluN2A/2B at rest) the drug's apparent potency falls
//! (Kotermanski & Johnson 2009 J Neurosci 29:2774; P-08).
//!
//! For one neuron and one GluN2 subunit class, with `B` the fraction of receptors holding the
//! drug, `P` the fraction of the time a receptor is open, `u` the fraction of open time the
//! channel is free of Mg²⁺ and `D` the free drug concentration:
//!
//! ```text
//! dB/dt = k_on·D·⟨P·u⟩·(1 − B) − k_off·⟨P⟩·B − k_untrap·(1 − ⟨P⟩)·B
//! ```
//!
//! `⟨·⟩` are averages over the interval since the last update (the neuron kernel accumulates
//! them every step); the equation is linear in `B` for frozen averages and is solved exactly,
//! so any update interval is stable. `k_untrap` is the slow escape of drug from closed
//! channels: 0 for a full trapping blocker (MK-801), small for ketamine's partial trapping
//! (Mealing et al. 1999 J Pharmacol Exp Ther 288:204: ≈ 86 % of ketamine block is trapped).
//!
//! Simplifications, each stated where it matters: one binding site and no drug voltage
//! dependence beyond the Mg²⁺ competition (ketamine's own δ ≈ 0.8 is not modelled, so the
//! dissociation constants are those measured near −65 mV); gating is not resolved into
//! single-channel states, so the open-time and opening-frequency parts of P-09 are not
//! reproduced — only the open probability, which is the fraction of receptors not blocked.

use serde::{Deserialize, Serialize};

/// A value per GluN2 subunit class: GluN2A, GluN2B, and GluN2C/D lumped (the neuron model's
/// three NMDA components).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerSubunit {
    /// GluN2A-containing receptors.
    pub glun2a: f64,
    /// GluN2B-containing receptors.
    pub glun2b: f64,
    /// GluN2C- and GluN2D-containing receptors.
    pub glun2cd: f64,
}

impl PerSubunit {
    /// The three values in the neuron model's component order (2A, 2B, 2C/D).
    pub fn as_array(&self) -> [f64; 3] {
        [self.glun2a, self.glun2b, self.glun2cd]
    }

    /// The same value for every class.
    pub fn uniform(value: f64) -> Self {
        Self {
            glun2a: value,
            glun2b: value,
            glun2cd: value,
        }
    }
}

/// Parameters of an open-channel (pore) blocker.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelBlock {
    /// Dissociation constant in 0 Mg²⁺ near −65 mV, per subunit class, µM. For a blocker
    /// at steady agonist this is the IC50 of the current in Mg²⁺-free solution (P-06).
    pub kd_um: PerSubunit,
    /// Association rate to an open, Mg²⁺-free channel, 1/(µM·s).
    pub k_on_per_um_per_s: f64,
    /// Escape rate of drug trapped in closed channels, 1/s (0 = full trapping).
    #[serde(default)]
    pub k_untrap_per_s: f64,
}

impl ChannelBlock {
    /// Dissociation rate from an open channel of class `c` (0 = 2A, 1 = 2B, 2 = 2C/D), 1/s.
    pub fn k_off_per_s(&self, c: usize) -> f64 {
        self.k_on_per_um_per_s * self.kd_um.as_array()[c]
    }

    /// Every parameter outside its allowed range, as (key, value, allowed).
    pub fn violations(&self) -> Vec<(String, f64, &'static str)> {
        let mut out = Vec::new();
        for (key, v) in [
            ("kd_um.glun2a", self.kd_um.glun2a),
            ("kd_um.glun2b", self.kd_um.glun2b),
            ("kd_um.glun2cd", self.kd_um.glun2cd),
            ("k_on_per_um_per_s", self.k_on_per_um_per_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                out.push((key.to_owned(), v, "a finite number > 0"));
            }
        }
        if !(self.k_untrap_per_s.is_finite() && self.k_untrap_per_s >= 0.0) {
            out.push((
                "k_untrap_per_s".to_owned(),
                self.k_untrap_per_s,
                "a finite number ≥ 0",
            ));
        }
        out
    }
}

/// Parameters of a use-independent, subunit-selective negative allosteric modulator (e.g.
/// Ro 25-6981 or ifenprodil at GluN2B: Fischer et al. 1997 J Pharmacol Exp Ther 283:1285).
/// The inhibited fraction is `C/(C + IC50)` at the free brain concentration, with no
/// dependence on channel opening.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllostericBlock {
    /// Concentration for half inhibition per subunit class, µM (a very large value for a
    /// class the drug does not touch).
    pub ic50_um: PerSubunit,
    /// Largest fraction the modulator can inhibit (ifenprodil-like modulators leave a
    /// residual current; 1 = complete).
    #[serde(default = "AllostericBlock::default_max_inhibition")]
    pub max_inhibition: f64,
}

impl AllostericBlock {
    fn default_max_inhibition() -> f64 {
        1.0
    }

    /// Inhibited fraction of class `c` at free concentration `conc_um`.
    pub fn inhibition(&self, c: usize, conc_um: f64) -> f64 {
        let ic50 = self.ic50_um.as_array()[c];
        if conc_um <= 0.0 {
            0.0
        } else {
            self.max_inhibition * conc_um / (conc_um + ic50)
        }
    }

    /// Every parameter outside its allowed range, as (key, value, allowed).
    pub fn violations(&self) -> Vec<(String, f64, &'static str)> {
        let mut out = Vec::new();
        for (key, v) in [
            ("ic50_um.glun2a", self.ic50_um.glun2a),
            ("ic50_um.glun2b", self.ic50_um.glun2b),
            ("ic50_um.glun2cd", self.ic50_um.glun2cd),
        ] {
            if !(v.is_finite() && v > 0.0) {
                out.push((key.to_owned(), v, "a finite number > 0"));
            }
        }
        if !(self.max_inhibition.is_finite() && (0.0..=1.0).contains(&self.max_inhibition)) {
            out.push((
                "max_inhibition".to_owned(),
                self.max_inhibition,
                "a number in [0, 1]",
            ));
        }
        out
    }
}

/// What a neuron's receptors of one class saw over an update interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpenStatistics {
    /// Mean fraction of receptors open, `⟨P⟩`, in [0, 1].
    pub open: f64,
    /// Mean fraction of receptors open *and* free of Mg²⁺, `⟨P·u⟩`, in [0, open].
    pub open_mg_free: f64,
}

/// Advances the blocked fraction `b` of one receptor class over `dt_s` seconds at free
/// concentration `conc_um`, solving the linear equation of the module exactly.
///
/// `capacity` is the fraction of receptors not held by *other* pore blockers (1 with one
/// drug): they compete for one site, so the drug binds to `capacity − b`. With several
/// blockers the caller updates them in a fixed order, each with the others frozen over the
/// interval; the fixed point is the joint steady state.
pub fn advance_block(
    block: &ChannelBlock,
    class: usize,
    b: f64,
    capacity: f64,
    conc_um: f64,
    seen: OpenStatistics,
    dt_s: f64,
) -> f64 {
    let binding = block.k_on_per_um_per_s * conc_um.max(0.0) * seen.open_mg_free;
    let unbinding = block.k_off_per_s(class) * seen.open + block.k_untrap_per_s * (1.0 - seen.open);
    let rate = binding + unbinding;
    if rate <= 0.0 {
        return b;
    }
    let steady = binding * capacity.clamp(0.0, 1.0) / rate;
    steady + (b - steady) * (-rate * dt_s).exp()
}

/// The blocked fraction that a constant concentration and constant opening reach (one
/// blocker).
pub fn steady_block(block: &ChannelBlock, class: usize, conc_um: f64, seen: OpenStatistics) -> f64 {
    advance_block(block, class, 0.0, 1.0, conc_um, seen, f64::INFINITY)
}

/// Fraction of a receptor population *not* inhibited when several drugs act on it:
/// independent sites multiply (a pore blocker and an allosteric modulator), and pore
/// blockers compete for one site, so their bound fractions add (capped at 1).
pub fn unblocked_fraction(pore_bound: f64, allosteric_inhibited: &[f64]) -> f64 {
    let pore = (1.0 - pore_bound.clamp(0.0, 1.0)).max(0.0);
    allosteric_inhibited
        .iter()
        .fold(pore, |free, &x| free * (1.0 - x.clamp(0.0, 1.0)))
}
