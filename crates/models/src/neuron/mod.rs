//! Point neurons: membrane models, their integrator, and populations of them.
//!
//! Units throughout: mV, ms, nS, pA, pF (so pA/pF = mV/ms).

mod group;
mod kernel;
mod membrane;

pub use group::{
    InitialVariable, NeuronGroup, NeuronGroups, PARALLEL_MIN_NEURONS, STATE_VARIABLES,
    for_each_chunk, integrate_neurons,
};
pub use kernel::{CHUNK, ChunkState, Kernel};
pub use membrane::{AdexParams, Integrator, LifParams, Membrane};

#[cfg(test)]
mod tests;
