//! Push delivery of this step's spikes into the delay ring buffer.

use bevy_ecs::prelude::*;

use crate::connectivity::SynapseGroups;
use crate::populations::Populations;
use crate::ring_buffer::SynapticInputRing;
use crate::spikes::SpikeEvents;

/// Synaptic events delivered so far (one per synapse reached by a spike).
#[derive(
    Resource, Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize,
)]
pub struct DeliveredEvents(pub u64);

/// Pushes each spike through the CSR rows of every projection leaving its population.
///
/// Runs on one thread in a fixed order (population, projection, spike), so each target's
/// input is summed in the same order on every run. Spikes are ascending, so a population's
/// spikes are one contiguous run found by binary search — no per-spike look-up.
pub fn deliver_spikes(
    spikes: Res<SpikeEvents>,
    populations: Res<Populations>,
    groups: Res<SynapseGroups>,
    mut ring: ResMut<SynapticInputRing>,
    mut delivered: ResMut<DeliveredEvents>,
) {
    if spikes.neurons().is_empty() {
        return;
    }
    let mut reached = 0usize;
    for (p, population) in populations.iter().enumerate() {
        let outgoing = groups.outgoing(p);
        if outgoing.is_empty() {
            continue;
        }
        let fired = spikes.in_range(population.range.clone());
        for &g in outgoing {
            let group = &groups.groups()[g];
            for &neuron in fired {
                reached += group.deliver(neuron - population.range.start, &mut ring);
            }
        }
    }
    delivered.0 += reached as u64;
}
