//! Cell types: a membrane model, receptors and the transmitter the cell releases.

use serde::{Deserialize, Serialize};

use crate::neuron::Membrane;
use crate::ports::Transmitter;
use crate::receptors::Receptors;
use crate::spines::Dendrites;
use crate::validate::{Checker, Violation};

/// A named kind of neuron (PFC L5 pyramidal cell, PV basket cell, ...). The library of
/// shipped types, each with its sources, is in `assets/cell_types/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellType {
    /// What the type models, in a sentence.
    #[serde(default)]
    pub description: String,
    /// Where the parameters come from (paper, year, table).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Transmitter released by this cell (Dale's principle).
    pub transmitter: Transmitter,
    /// Membrane equation and its parameters.
    pub membrane: Membrane,
    /// Receptor kinetics and composition (defaults: TARGETS.md ).
    #[serde(default)]
    pub receptors: Receptors,
    /// Dendritic geometry of a spiny cell: its glutamatergic synapses are spines. Absent:
    /// an aspiny cell (interneurons), whose synapses stay plain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dendrites: Option<Dendrites>,
}

impl CellType {
    /// Every parameter outside its allowed range, keys relative to the cell type's table.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        self.membrane.check(&mut c.nested("membrane"));
        self.receptors.check(&mut c.nested("receptors"));
        if let Some(d) = &self.dendrites {
            d.check(&mut c.nested("dendrites"));
        }
        out
    }

    /// GluN2A share of the cell's GluN2A + GluN2B receptors (0.5 if it has neither).
    pub fn glun2a_share(&self) -> f64 {
        let n = &self.receptors.nmda;
        let sum = n.glun2a.fraction + n.glun2b.fraction;
        if sum > 0.0 {
            n.glun2a.fraction / sum
        } else {
            0.5
        }
    }
}

/// Conditions shared by all cells of a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Extracellular Mg²⁺, mM (1 mM: TARGETS.md R-01 default).
    #[serde(default = "Environment::default_mg_mm")]
    pub mg_mm: f64,
    /// Fraction of GluN2A-containing NMDA receptors blocked by a subunit-selective
    /// antagonist (e.g. NVP-AAM077; 0 = none). Scales GluN2A current and calcium.
    #[serde(default)]
    pub glun2a_block: f64,
    /// Fraction of GluN2B-containing receptors blocked (e.g. Ro 25-6981, ifenprodil).
    #[serde(default)]
    pub glun2b_block: f64,
}

impl Default for Environment {
    fn default() -> Self {
        Self {
            mg_mm: Self::default_mg_mm(),
            glun2a_block: 0.0,
            glun2b_block: 0.0,
        }
    }
}

impl Environment {
    fn default_mg_mm() -> f64 {
        1.0
    }

    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        c.non_negative("mg_mm", self.mg_mm);
        c.within("glun2a_block", self.glun2a_block, 0.0, 1.0);
        c.within("glun2b_block", self.glun2b_block, 0.0, 1.0);
        out
    }
}
