//! Point neurons: membrane models, their integrator, and populations of them.
//!
//! Units throughout: mV, ms, nS, pA, pF (so pA/pF = mV/ms).

mod group;

use bevy_ecs::prelude::Component;

/// Marks a neuron entity (which also carries its `StableId`, `PopulationId` and
/// `NeuronIndex`); its hot state lives in [`NeuronGroups`] at the `NeuronIndex`.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct Neuron;
mod kernel;
mod membrane;

pub use group::{
    InitialVariable, NeuronGroup, NeuronGroups, NmdaExposure, PARALLEL_MIN_NEURONS,
    STATE_VARIABLES, for_each_chunk, integrate_neurons,
};
pub use kernel::{CHUNK, ChunkState, Kernel};
pub use membrane::{AdexParams, Integrator, LifParams, Membrane};

#[cfg(test)]
mod tests;
