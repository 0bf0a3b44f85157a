//! Current injection: DC and piecewise-constant (step) currents.

use bevy_ecs::prelude::*;

use synaptogen_engine::SimClock;

use crate::neuron::NeuronGroups;

/// A change of injected current at one step.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentChange {
    /// Step at which the change takes effect.
    pub step: u64,
    /// Population index.
    pub population: usize,
    /// Local neuron indices (`None`: all neurons of the population).
    pub neurons: Option<Vec<u32>>,
    /// Added to the injected current, pA.
    pub delta_pa: f64,
}

/// Every change of injected current in the run, in step order.
///
/// A DC source of amplitude A from t₀ to t₁ is two changes (+A at t₀, −A at t₁); NEST's
/// `step_current_generator` amplitudes become the differences of successive amplitudes.
/// Sources add up.
#[derive(Resource, Debug, Clone, Default)]
pub struct CurrentSchedule {
    changes: Vec<CurrentChange>,
    next: usize,
}

impl CurrentSchedule {
    /// A schedule of `changes` (any order; sorted here, stably, by step).
    pub fn new(mut changes: Vec<CurrentChange>) -> Self {
        changes.sort_by_key(|c| c.step);
        Self { changes, next: 0 }
    }

    /// Positions the schedule at `step` (a restored checkpoint): the changes before it
    /// count as applied — their currents are in the restored neuron state.
    pub fn seek(&mut self, step: u64) {
        self.next = self.changes.partition_point(|c| c.step < step);
    }
}

/// Inputs stage: applies the changes due at this step. O(1) when none is due.
pub fn apply_current_changes(
    clock: Res<SimClock>,
    mut schedule: ResMut<CurrentSchedule>,
    mut groups: ResMut<NeuronGroups>,
) {
    let step = clock.step();
    let schedule = &mut *schedule;
    while let Some(change) = schedule.changes.get(schedule.next) {
        if change.step > step {
            break;
        }
        groups
            .group_mut(change.population)
            .add_current(change.neurons.as_deref(), change.delta_pa);
        schedule.next += 1;
    }
}
