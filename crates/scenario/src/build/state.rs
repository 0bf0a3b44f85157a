//! The whole changing state of a built simulation, as bytes: what a checkpoint holds.
//!
//! A state is taken over by a simulation built from a scenario — the same one to resume a
//! run, or another one with the same network to fork an arm, which then goes on exactly as
//! the run it was saved from would have for as long as their scenarios agree (its summary
//! covers the whole protocol, the shared past included). Everything the build makes
//! from the scenario alone (schedules, drug actions, stress protocol, table declarations,
//! Poisson inputs keyed by seed and step, forced spikes looked up by step) comes from that
//! build; everything that changes as
//! the run goes comes from the state: the clock, neurons, synaptic input in flight, the
//! connectivity (spines rewire it), plasticity, spines and their entities, pharmacology and
//! signalling, the spike statistics (the slow systems read rates from their running counts),
//! the partly filled rate bin, the record of windows and the position in the window plan.
//!
//! Random numbers need no saving: every stream is keyed by (seed, stream, id, step)
//! (DESIGN.md, "Determinism"), so the clock is the position of all of them.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use synaptogen_engine::monitors::{PopulationRateMonitor, SpikeStatistics, TableMonitor};
use synaptogen_engine::{DeliveredEvents, SimClock, SpikeEvents, SynapseGroups, SynapticInputRing};
use synaptogen_models::inputs::CurrentSchedule;
use synaptogen_models::neuron::NeuronGroups;
use synaptogen_models::pharmacology::{Pharmacology, PharmacologyState};
use synaptogen_models::plasticity::PlasticProjections;
use synaptogen_models::spines::{Spine, SpineSlot, Spines};

use super::{Built, SpikingRecord, WindowCursor};

/// Why a saved state could not be taken over.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The bytes are not a state this version writes.
    #[error(
        "the saved state cannot be read ({0}); was it written by another version of synaptogen?"
    )]
    Corrupt(String),
    /// The state belongs to another network.
    #[error("the saved state does not fit this scenario: {0}")]
    Mismatch(String),
}

/// The state, borrowed for writing (same field order as [`Saved`]).
#[derive(Serialize)]
struct SavedRef<'a> {
    clock: &'a SimClock,
    delivered: u64,
    ring: &'a SynapticInputRing,
    spikes: &'a SpikeEvents,
    neurons: &'a NeuronGroups,
    synapses: &'a SynapseGroups,
    plastic: Option<&'a PlasticProjections>,
    spines: Option<&'a Spines>,
    spine_entities: Vec<Spine>,
    pharmacology: Option<PharmacologyState>,
    statistics: &'a SpikeStatistics,
    rates: Option<&'a PopulationRateMonitor>,
    spiking: SpikingRecord,
    cursor: &'a WindowCursor,
}

/// The state, read back.
#[derive(Deserialize)]
struct Saved {
    clock: SimClock,
    delivered: u64,
    ring: SynapticInputRing,
    spikes: SpikeEvents,
    neurons: NeuronGroups,
    synapses: SynapseGroups,
    plastic: Option<PlasticProjections>,
    spines: Option<Spines>,
    spine_entities: Vec<Spine>,
    pharmacology: Option<PharmacologyState>,
    statistics: SpikeStatistics,
    rates: Option<PopulationRateMonitor>,
    spiking: SpikingRecord,
    cursor: WindowCursor,
}

/// The spine entities in column order: projection by projection, slot by slot.
fn spine_entities(world: &World) -> Vec<Spine> {
    let Some(plastic) = world.get_resource::<PlasticProjections>() else {
        return Vec::new();
    };
    plastic
        .list
        .iter()
        .filter_map(|p| p.spines.as_ref())
        .flat_map(|cols| cols.entity.iter())
        .filter_map(|&e| world.get::<Spine>(e).copied())
        .collect()
}

impl Built {
    /// The whole changing state, as bytes (bincode). The monitors must have been drained
    /// into the sink first ([`synaptogen_engine::Simulation::drain`]): buffered rows are
    /// not part of the state.
    pub fn save_state(&self) -> Vec<u8> {
        let world = &self.simulation.world;
        let saved = SavedRef {
            clock: world.resource::<SimClock>(),
            delivered: world.resource::<DeliveredEvents>().0,
            ring: world.resource::<SynapticInputRing>(),
            spikes: world.resource::<SpikeEvents>(),
            neurons: world.resource::<NeuronGroups>(),
            synapses: world.resource::<SynapseGroups>(),
            plastic: world.get_resource::<PlasticProjections>(),
            spines: world.get_resource::<Spines>(),
            spine_entities: spine_entities(world),
            pharmacology: world
                .get_resource::<Pharmacology>()
                .map(Pharmacology::save_state),
            statistics: world.resource::<SpikeStatistics>(),
            rates: world.get_resource::<PopulationRateMonitor>(),
            spiking: self.spiking,
            cursor: &self.cursor,
        };
        bincode::serialize(&saved).expect("every state type serializes")
    }

    /// Takes over a state saved by [`Built::save_state`] from a simulation of the same
    /// network; on an error nothing has changed.
    pub fn restore_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let saved: Saved =
            bincode::deserialize(bytes).map_err(|e| StateError::Corrupt(e.to_string()))?;
        self.check_fits(&saved)?;
        let step = saved.clock.step();
        let world = &mut self.simulation.world;
        if let (Some(mut p), Some(state)) =
            (world.get_resource_mut::<Pharmacology>(), saved.pharmacology)
        {
            p.restore_state(state).map_err(StateError::Mismatch)?;
        }
        world.resource_mut::<TableMonitor>().discard_pending();
        world.insert_resource(saved.clock);
        world.insert_resource(DeliveredEvents(saved.delivered));
        world.insert_resource(saved.ring);
        let mut spikes = saved.spikes;
        spikes.reserve_like(world.resource::<SpikeEvents>());
        world.insert_resource(spikes);
        let mut neurons = saved.neurons;
        neurons.reserve_like(world.resource::<NeuronGroups>());
        world.insert_resource(neurons);
        world.insert_resource(saved.synapses);
        if let Some(mut rates) = saved.rates {
            rates.reserve_like(world.resource::<PopulationRateMonitor>());
            world.insert_resource(rates);
        }
        world.resource_mut::<CurrentSchedule>().seek(step);
        if let Some(spines) = saved.spines {
            world.insert_resource(spines);
        }
        if let Some(mut plastic) = saved.plastic {
            respawn_spines(world, &mut plastic, &saved.spine_entities);
            world.insert_resource(plastic);
        }
        world.insert_resource(saved.statistics);
        self.spiking = saved.spiking;
        self.cursor = saved.cursor;
        // A forked arm may add an intervention before the saved next window: a window
        // always starts at an intervention.
        if let Some(plan) = &self.windows {
            let next = plan.next_intervention(step);
            if next < self.cursor.next_window {
                self.cursor.next_window = next;
                self.cursor.window_end = self.cursor.window_end.min(next);
            }
        }
        Ok(())
    }

    /// Refuses a state of another network: other population sizes, projections, plastic
    /// or spiny projections, or pharmacology present on one side only.
    fn check_fits(&self, saved: &Saved) -> Result<(), StateError> {
        let world = &self.simulation.world;
        let mismatch = |what: String| Err(StateError::Mismatch(what));
        let sizes: Vec<u32> = self.populations.iter().map(|p| p.size).collect();
        let saved_sizes: Vec<u32> = saved
            .neurons
            .groups()
            .iter()
            .map(|g| g.range.end - g.range.start)
            .collect();
        if sizes != saved_sizes {
            return mismatch(format!(
                "population sizes {saved_sizes:?} in the checkpoint, {sizes:?} in the scenario"
            ));
        }
        let groups = world.resource::<SynapseGroups>().groups().len();
        if saved.synapses.groups().len() != groups {
            return mismatch(format!(
                "{} projections in the checkpoint, {groups} in the scenario",
                saved.synapses.groups().len()
            ));
        }
        let names = |p: Option<&PlasticProjections>| -> Vec<String> {
            p.map(|p| p.list.iter().map(|x| x.name.clone()).collect())
                .unwrap_or_default()
        };
        let (ours, theirs) = (
            names(world.get_resource::<PlasticProjections>()),
            names(saved.plastic.as_ref()),
        );
        if ours != theirs {
            return mismatch(format!(
                "plastic projections [{}] in the checkpoint, [{}] in the scenario",
                theirs.join(", "),
                ours.join(", ")
            ));
        }
        let slots: usize = saved
            .plastic
            .iter()
            .flat_map(|p| &p.list)
            .filter_map(|p| p.spines.as_ref())
            .map(|cols| cols.id.len())
            .sum();
        if slots != saved.spine_entities.len() {
            return mismatch(format!(
                "it holds {} spine entities for {slots} spine slots: the file is damaged",
                saved.spine_entities.len()
            ));
        }
        if saved.spines.is_some() != world.contains_resource::<Spines>() {
            return mismatch("spines in only one of the checkpoint and the scenario".into());
        }
        if saved.pharmacology.is_some() != world.contains_resource::<Pharmacology>() {
            return mismatch(
                "pharmacology (drugs or stress) in only one of the checkpoint and the scenario; \
                 give both the same interventions' drugs (a 0 mg/kg dose for a vehicle arm)"
                    .into(),
            );
        }
        if saved.clock.dt_ms() != world.resource::<SimClock>().dt_ms() {
            return mismatch(format!(
                "step {} ms in the checkpoint, {} ms in the scenario",
                saved.clock.dt_ms(),
                world.resource::<SimClock>().dt_ms()
            ));
        }
        Ok(())
    }
}

/// Replaces the spine entities with the saved ones, in column order, and points the
/// columns at them.
fn respawn_spines(world: &mut World, plastic: &mut PlasticProjections, saved: &[Spine]) {
    let old: Vec<Entity> = world
        .query_filtered::<Entity, With<Spine>>()
        .iter(world)
        .collect();
    for e in old {
        world.despawn(e);
    }
    let mut next = saved.iter();
    for cols in plastic.list.iter_mut().filter_map(|p| p.spines.as_mut()) {
        cols.entity.clear();
        for slot in 0..cols.id.len() {
            let spine = *next.next().expect("check_fits counted one entity per slot");
            let e = world.spawn((spine, SpineSlot(slot as u32))).id();
            cols.entity.push(e);
        }
    }
}
