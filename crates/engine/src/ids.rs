//! Identities that do not depend on spawn order, thread count or file order.

use bevy_ecs::prelude::Component;

/// The stable identity of a neuron (or, later, a spine): what random streams are keyed by.
///
/// Never bevy's `Entity`, whose index depends on spawn order. For a neuron it packs a 32-bit
/// hash of the population's name (high half) and the neuron's index within the population
/// (low half), so renaming or reordering *other* populations leaves its streams untouched.
#[derive(
    Component,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct StableId(pub u64);

impl StableId {
    /// The id of neuron `local` of the population whose name hashes to `population_hash`.
    pub fn neuron(population_hash: u32, local: u32) -> Self {
        Self((u64::from(population_hash) << 32) | u64::from(local))
    }
}

/// Index of a population in the [`Populations`](crate::Populations) table.
#[derive(
    Component,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct PopulationId(pub u32);

/// A neuron's position in the dense per-neuron columns (the global neuron index): how systems
/// that hold an entity find its hot state without an ECS look-up in the step loop.
#[derive(
    Component,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct NeuronIndex(pub u32);
