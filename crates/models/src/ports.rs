//! Transmitters and the input ports they arrive on.

use serde::{Deserialize, Serialize};

/// The transmitter a neuron releases (Dale's principle: one per cell type), which decides
/// the receptors its synapses open on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transmitter {
    /// Opens AMPA and NMDA receptors, in the proportions of the target's cell type.
    Glutamate,
    /// Opens GABA-A receptors.
    Gaba,
}

impl Transmitter {
    /// The engine input port this transmitter arrives on.
    pub fn port(self) -> u8 {
        match self {
            Self::Glutamate => GLUTAMATE_PORT,
            Self::Gaba => GABA_PORT,
        }
    }
}

/// Port of glutamatergic input: the summed synaptic weight (nS of peak AMPA conductance).
pub const GLUTAMATE_PORT: u8 = 0;
/// Port of GABAergic input: the summed peak GABA-A conductance (nS).
pub const GABA_PORT: u8 = 1;
/// Number of input ports every neuron has.
pub const N_PORTS: usize = 2;
