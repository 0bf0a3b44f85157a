//! Synaptic plasticity rules.

mod stdp_pair;

pub use stdp_pair::{StdpPair, StdpPairParams, StdpRules, apply_stdp};
