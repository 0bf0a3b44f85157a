//! Synaptic connectivity: rules that draw synapses, and the CSR groups that deliver spikes.

mod rules;
mod synapse_group;

pub use rules::{ConnectionPlan, ConnectionRule, DrawContext, delay_steps, draw_incoming};
pub use synapse_group::{
    AddedSynapse, Delays, Endpoints, NewSynapse, Origin, SynapseGroup, TooManySynapses,
};

use bevy_ecs::prelude::Resource;

/// All synapse groups, with an index of the groups leaving each population.
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SynapseGroups {
    groups: Vec<SynapseGroup>,
    outgoing: Vec<Vec<usize>>,
}

impl SynapseGroups {
    /// An empty set for `n_populations` populations.
    pub fn new(n_populations: usize) -> Self {
        Self {
            groups: Vec::new(),
            outgoing: vec![Vec::new(); n_populations],
        }
    }

    /// Adds a group; returns its index.
    pub fn push(&mut self, group: SynapseGroup) -> usize {
        let index = self.groups.len();
        self.outgoing[group.source].push(index);
        self.groups.push(group);
        index
    }

    /// All groups, in the order they were added.
    pub fn groups(&self) -> &[SynapseGroup] {
        &self.groups
    }

    /// Group by index, mutable (plasticity).
    pub fn group_mut(&mut self, index: usize) -> &mut SynapseGroup {
        &mut self.groups[index]
    }

    /// Indices of the groups whose source is population `population`.
    pub fn outgoing(&self, population: usize) -> &[usize] {
        &self.outgoing[population]
    }

    /// Total synapses.
    pub fn n_synapses(&self) -> usize {
        self.groups.iter().map(SynapseGroup::len).sum()
    }

    /// Longest delay over all groups, in steps (1 when there is no synapse).
    pub fn max_delay_steps(&self) -> u16 {
        self.groups
            .iter()
            .map(SynapseGroup::max_delay_steps)
            .max()
            .unwrap_or(1)
    }

    /// Bytes held by all groups.
    pub fn memory_bytes(&self) -> usize {
        self.groups.iter().map(SynapseGroup::memory_bytes).sum()
    }
}
