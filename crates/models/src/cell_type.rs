//! Cell types: a membrane model, receptors and the transmitter the cell releases.

use serde::{Deserialize, Serialize};

use crate::neuron::Membrane;
use crate::ports::Transmitter;
use crate::receptors::Receptors;
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
}

impl CellType {
    /// Every parameter outside its allowed range, keys relative to the cell type's table.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        self.membrane.check(&mut c.nested("membrane"));
        self.receptors.check(&mut c.nested("receptors"));
        out
    }
}

/// Conditions shared by all cells of a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Extracellular Mg²⁺, mM (1 mM: TARGETS.md R-01 default).
    #[serde(default = "Environment::default_mg_mm")]
    pub mg_mm: f64,
}

impl Default for Environment {
    fn default() -> Self {
        Self {
            mg_mm: Self::default_mg_mm(),
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
        Checker::new("", &mut out).non_negative("mg_mm", self.mg_mm);
        out
    }
}
