//! Dendritic geometry of a spiny cell type.

use serde::{Deserialize, Serialize};

use super::Compartment;
use crate::validate::{Checker, Violation};

/// Total dendritic length per compartment of a spiny cell, µm. Only the proportions are
/// used: they split the spines of projections with `compartment = "any"` between
/// compartments. The modelled dendrite in each compartment is then as long as its initial
/// spines need at the initial density.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dendrites {
    /// Apical trunk and obliques, µm.
    pub proximal_um: f64,
    /// Basal dendrites, µm.
    pub basal_um: f64,
    /// Apical tuft, µm.
    pub apical_tuft_um: f64,
}

impl Dendrites {
    /// Length of `compartment`, µm.
    pub fn length_um(&self, compartment: Compartment) -> f64 {
        match compartment {
            Compartment::Proximal => self.proximal_um,
            Compartment::Basal => self.basal_um,
            Compartment::ApicalTuft => self.apical_tuft_um,
        }
    }

    /// Share of the total length in each compartment, in [`Compartment::ALL`] order.
    pub fn fractions(&self) -> [f64; 3] {
        let total = self.proximal_um + self.basal_um + self.apical_tuft_um;
        Compartment::ALL.map(|c| self.length_um(c) / total)
    }

    pub(crate) fn check(&self, c: &mut Checker<'_>) {
        c.non_negative("proximal_um", self.proximal_um);
        c.non_negative("basal_um", self.basal_um);
        c.non_negative("apical_tuft_um", self.apical_tuft_um);
        let total = self.proximal_um + self.basal_um + self.apical_tuft_um;
        if total.is_nan() || total <= 0.0 {
            c.fail(
                "proximal_um",
                self.proximal_um,
                "some dendrite: lengths summing to more than 0",
            );
        }
    }

    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(&mut Checker::new("", &mut out));
        out
    }
}
