//! The spikes of the current step.

use bevy_ecs::prelude::Resource;

/// Global indices of the neurons that fired in the current step, ascending.
///
/// Written by the neuron models in the integrate stage, read by delivery, plasticity and
/// the recorders. Its capacity is reserved for every neuron firing at once, so pushing
/// never allocates.
#[derive(Resource, Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct SpikeEvents {
    neurons: Vec<u32>,
}

impl SpikeEvents {
    /// Room for `n_neurons` spikes per step.
    pub fn with_capacity(n_neurons: usize) -> Self {
        Self {
            neurons: Vec::with_capacity(n_neurons),
        }
    }

    /// Gives the buffer the room of `fresh`'s (after a checkpoint restore; the step loop
    /// must not allocate).
    pub fn reserve_like(&mut self, fresh: &Self) {
        crate::monitors::reserve_to(&mut self.neurons, fresh.neurons.capacity());
    }

    /// Forgets last step's spikes.
    #[inline]
    pub fn clear(&mut self) {
        self.neurons.clear();
    }

    /// Appends spikes, which must be ascending and above those already held.
    #[inline]
    pub fn extend_sorted(&mut self, spikes: &[u32]) {
        debug_assert!(spikes.windows(2).all(|w| w[0] < w[1]));
        debug_assert!(match (self.neurons.last(), spikes.first()) {
            (Some(a), Some(b)) => a < b,
            _ => true,
        });
        self.neurons.extend_from_slice(spikes);
    }

    /// This step's spikes.
    #[inline]
    pub fn neurons(&self) -> &[u32] {
        &self.neurons
    }

    /// The spikes of global indices in `range`.
    pub fn in_range(&self, range: std::ops::Range<u32>) -> &[u32] {
        let lo = self.neurons.partition_point(|&n| n < range.start);
        let hi = self.neurons.partition_point(|&n| n < range.end);
        &self.neurons[lo..hi]
    }
}
