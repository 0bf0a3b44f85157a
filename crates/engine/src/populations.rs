//! The population table: names and index ranges of neuron groups, nothing biological.

use bevy_ecs::prelude::Resource;
use std::ops::Range;

use crate::ids::StableId;
use crate::rng::fnv1a64;

/// One population: a contiguous range of global neuron indices.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationInfo {
    /// Unique name, as in the scenario.
    pub name: String,
    /// Region label (e.g. "pfc", "vhpc"), for grouping outputs.
    pub region: String,
    /// Global neuron indices `[start, end)`.
    pub range: Range<u32>,
    /// 32-bit hash of the name: the high half of its neurons' [`StableId`]s.
    pub name_hash: u32,
}

impl PopulationInfo {
    /// Number of neurons.
    pub fn len(&self) -> u32 {
        self.range.end - self.range.start
    }

    /// True when the population holds no neuron.
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// The stable id of the neuron at global index `global` (which must lie in this population).
    pub fn stable_id(&self, global: u32) -> StableId {
        StableId::neuron(self.name_hash, global - self.range.start)
    }
}

/// All populations, laid out back to back in one global index space.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct Populations {
    list: Vec<PopulationInfo>,
}

/// Two population names hash to the same 32-bit value (their random streams would coincide).
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("populations `{0}` and `{1}` have colliding stable-id hashes; rename one of them")]
pub struct HashCollision(pub String, pub String);

impl Populations {
    /// Appends a population of `size` neurons after the existing ones.
    pub fn push(&mut self, name: &str, region: &str, size: u32) -> Result<u32, HashCollision> {
        let start = self.n_neurons();
        let name_hash = population_hash(name);
        if let Some(other) = self.list.iter().find(|p| p.name_hash == name_hash) {
            return Err(HashCollision(other.name.clone(), name.to_owned()));
        }
        self.list.push(PopulationInfo {
            name: name.to_owned(),
            region: region.to_owned(),
            range: start..start + size,
            name_hash,
        });
        Ok(self.list.len() as u32 - 1)
    }

    /// Total neurons.
    pub fn n_neurons(&self) -> u32 {
        self.list.last().map_or(0, |p| p.range.end)
    }

    /// The populations in index order.
    pub fn iter(&self) -> std::slice::Iter<'_, PopulationInfo> {
        self.list.iter()
    }

    /// Number of populations.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there is no population.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Population by index.
    pub fn get(&self, index: usize) -> &PopulationInfo {
        &self.list[index]
    }

    /// Index of the population called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.list.iter().position(|p| p.name == name)
    }

    /// Index of the population holding global neuron `global` (binary search).
    pub fn population_of(&self, global: u32) -> usize {
        self.list.partition_point(|p| p.range.end <= global)
    }

    /// Stable id of global neuron `global`.
    pub fn stable_id(&self, global: u32) -> StableId {
        self.list[self.population_of(global)].stable_id(global)
    }
}

/// The 32-bit population hash used in stable ids: the high half of FNV-1a 64 folded in.
pub fn population_hash(name: &str) -> u32 {
    let h = fnv1a64(name.as_bytes());
    (h ^ (h >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn populations_tile_the_index_space() {
        let mut pops = Populations::default();
        pops.push("e", "r", 3200).unwrap();
        pops.push("i", "r", 800).unwrap();
        assert_eq!(pops.n_neurons(), 4000);
        assert_eq!(pops.population_of(0), 0);
        assert_eq!(pops.population_of(3199), 0);
        assert_eq!(pops.population_of(3200), 1);
        assert_eq!(pops.population_of(3999), 1);
        assert_eq!(
            pops.stable_id(3201),
            StableId::neuron(population_hash("i"), 1)
        );
        assert_eq!(pops.index_of("i"), Some(1));
    }

    #[test]
    fn a_duplicate_name_is_refused() {
        let mut pops = Populations::default();
        pops.push("e", "r", 1).unwrap();
        assert!(pops.push("e", "r", 1).is_err());
    }
}
