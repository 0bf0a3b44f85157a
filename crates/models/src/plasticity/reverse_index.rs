//! Incoming synapses of each target neuron, for rules that act at postsynaptic spikes.

use synaptogen_engine::SynapseGroup;

/// For target neuron *i* (local to the target population) the CSR positions of its
/// incoming synapses and their presynaptic neurons: `synapse[offsets[i]..offsets[i+1]]`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReverseIndex {
    offsets: Vec<u32>,
    synapse: Vec<u32>,
    source: Vec<u32>,
}

impl ReverseIndex {
    /// The index of `group`, whose targets start at global index `target_start`.
    pub fn new(group: &SynapseGroup, target_start: u32, n_targets: usize) -> Self {
        let mut offsets = vec![0u32; n_targets + 1];
        for &t in group.targets() {
            offsets[(t - target_start) as usize + 1] += 1;
        }
        for i in 0..n_targets {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets[..n_targets].to_vec();
        let mut synapse = vec![0u32; group.len()];
        let mut source = vec![0u32; group.len()];
        for j in 0..group.n_sources() as u32 {
            for k in group.row(j) {
                let i = (group.targets()[k] - target_start) as usize;
                let slot = fill[i] as usize;
                fill[i] += 1;
                synapse[slot] = k as u32;
                source[slot] = j;
            }
        }
        Self {
            offsets,
            synapse,
            source,
        }
    }

    /// (CSR position, presynaptic local index) of the synapses onto local target `i`.
    #[inline]
    pub fn incoming(&self, i: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
        let span = self.offsets[i] as usize..self.offsets[i + 1] as usize;
        self.synapse[span.clone()]
            .iter()
            .zip(&self.source[span])
            .map(|(&k, &j)| (k as usize, j))
    }

    /// Number of incoming synapses of local target `i`.
    pub fn in_degree(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        4 * (self.offsets.capacity() + self.synapse.capacity() + self.source.capacity())
    }
}
