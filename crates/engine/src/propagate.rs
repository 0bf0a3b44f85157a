//! Push delivery of this step's spikes into the delay ring buffer.

use bevy_ecs::prelude::*;

use crate::connectivity::{SynapseGroup, SynapseGroups};
use crate::populations::Populations;
use crate::ring_buffer::SynapticInputRing;
use crate::spikes::SpikeEvents;

/// Synaptic events delivered so far (one per synapse reached by a spike).
#[derive(
    Resource, Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize,
)]
pub struct DeliveredEvents(pub u64);

/// Below this many synaptic events in a step, delivery stays on one thread: a parallel pass
/// costs a few microseconds of scheduling, about what a few thousand scattered adds take.
const MIN_EVENTS_FOR_PARALLEL_DELIVERY: usize = 4096;

/// How many spikes ahead a row is prefetched (its bounds twice as far): delivering one row
/// takes about as long as a miss to memory, so two rows in flight hide it.
const PREFETCH_AHEAD: usize = 2;

/// Pushes each spike through the CSR rows of every projection leaving its population.
///
/// Goes through the spikes in a fixed order (population, projection, spike), so each
/// target's input is summed in the same order on every run. Spikes are ascending, so a
/// population's spikes are one contiguous run found by binary search — no per-spike
/// look-up. On more than one thread, a step with many events is delivered by bands of
/// targets in parallel ([`SynapticInputRing::deliver_in_bands`]): each band walks the same
/// spikes in the same order and adds only to its own targets, so every sum is the same as
/// on one thread.
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
    let threads = rayon::current_num_threads();
    let (spikes, populations, groups) = (&*spikes, &*populations, &*groups);
    let parallel = threads > 1
        && expected_events(spikes, populations, groups) >= MIN_EVENTS_FOR_PARALLEL_DELIVERY;
    let reached = if parallel {
        ring.deliver_in_bands(threads, |band| {
            let mut reached = 0;
            let from_end =
                band.targets().start != 0 && band.targets().end as usize == band.n_neurons();
            for_each_spike(spikes, populations, groups, from_end, |group, source| {
                reached += group.deliver_band(source, band)
            });
            reached
        })
    } else {
        let mut reached = 0;
        for_each_spike(spikes, populations, groups, false, |group, source| {
            reached += group.deliver(source, &mut ring)
        });
        reached
    };
    delivered.0 += reached as u64;
}

/// The synaptic events this step's spikes will cause if each reaches its projections' mean
/// number of synapses per source (reading every row's length would cost a cache miss each).
fn expected_events(
    spikes: &SpikeEvents,
    populations: &Populations,
    groups: &SynapseGroups,
) -> usize {
    let mut events = 0;
    for (p, population) in populations.iter().enumerate() {
        let fired = spikes.in_range(population.range.clone()).len();
        for &g in groups.outgoing(p) {
            let group = &groups.groups()[g];
            events += fired * group.len() / group.n_sources().max(1);
        }
    }
    events
}

/// Calls `visit(group, source)` for every spike of this step and every projection leaving
/// its population, in the fixed order (population, projection, spike). Rows a few spikes
/// ahead are prefetched: at their end if the visitor reads them from there.
#[inline(always)]
fn for_each_spike(
    spikes: &SpikeEvents,
    populations: &Populations,
    groups: &SynapseGroups,
    read_from_end: bool,
    mut visit: impl FnMut(&SynapseGroup, u32),
) {
    for (p, population) in populations.iter().enumerate() {
        let fired = spikes.in_range(population.range.clone());
        for &g in groups.outgoing(p) {
            let group = &groups.groups()[g];
            for (i, &neuron) in fired.iter().enumerate() {
                if let Some(&ahead) = fired.get(i + 2 * PREFETCH_AHEAD) {
                    group.prefetch_row_bounds(ahead - population.range.start);
                }
                if let Some(&ahead) = fired.get(i + PREFETCH_AHEAD) {
                    group.prefetch_row(ahead - population.range.start, read_from_end);
                }
                visit(group, neuron - population.range.start);
            }
        }
    }
}
