//! Synaptic plasticity: rules that change a synapse's efficacy ρ ∈ [0, 1], and the map from
//! efficacy to weight.
//!
//! * [`stdp`]: pair and triplet STDP (Pfister & Gerstner 2006);
//! * [`calcium`]: the calcium-based rule of Graupner & Brunel (2012) with GluN2A/GluN2B
//!   calcium and a switchable subunit hypothesis (PL-01, PL-02);
//! * [`homeostasis`]: synaptic scaling toward a target rate;
//! * early → late phase for spines: [`crate::spines`] (tags, protein, capture).
//!
//! Rules run per projection in the plasticity stage, after delivery, so a spike is
//! transmitted with the weight it met.

pub mod calcium;
pub mod homeostasis;
mod monitor;
mod projection;
mod reverse_index;
pub mod stdp;
mod weight_map;

pub use calcium::{CalciumParams, CalciumRule, SubunitHypothesis};
pub use homeostasis::{Scaling, ScalingParams};
pub use monitor::{CALCIUM_COLUMNS, SAMPLE_COLUMNS, WEIGHT_COLUMNS, WeightMonitor, record_weights};
pub use projection::{
    CalciumContext, CalciumReadout, CalciumState, PlasticProjection, Rule, TargetView, Unblock,
};
pub use reverse_index::ReverseIndex;
pub use stdp::{Stdp, StdpPairParams, TripletParams};
pub use weight_map::WeightMap;

use bevy_ecs::prelude::*;

use synaptogen_engine::{
    Populations, ScheduleRates, SimClock, SpikeEvents, SpikeStatistics, SynapseGroups,
};

use crate::neuron::NeuronGroups;

/// Every plastic projection (a rule, spines, or scaling), with its scaling state.
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PlasticProjections {
    /// The projections, in a fixed order.
    pub list: Vec<PlasticProjection>,
    /// Homeostatic scaling of each projection, if any (same order).
    pub scaling: Vec<Option<Scaling>>,
}

impl PlasticProjections {
    /// Adds a projection; returns its index.
    pub fn push(&mut self, projection: PlasticProjection, scaling: Option<Scaling>) -> usize {
        self.list.push(projection);
        self.scaling.push(scaling);
        self.list.len() - 1
    }

    /// Brings every efficacy up to `step` (the calcium rule updates lazily) and rewrites the
    /// weights: on every slow step ([`catch_up_efficacies`]) and at the end of a run.
    pub fn catch_up_all(&mut self, step: u64, groups: &mut SynapseGroups) {
        for p in &mut self.list {
            p.catch_up(step, groups.group_mut(p.group));
        }
    }

    /// Bytes of plastic state.
    pub fn memory_bytes(&self) -> usize {
        self.list.iter().map(PlasticProjection::memory_bytes).sum()
    }
}

/// Plasticity stage: every rule sees this step's pre- and postsynaptic spikes.
pub fn apply_plasticity(
    clock: Res<SimClock>,
    spikes: Res<SpikeEvents>,
    populations: Res<Populations>,
    neurons: Res<NeuronGroups>,
    mut plastic: ResMut<PlasticProjections>,
    mut groups: ResMut<SynapseGroups>,
) {
    let step = clock.step();
    for p in &mut plastic.list {
        if p.rule.is_none() {
            continue;
        }
        let group = groups.group_mut(p.group);
        let pre = spikes.in_range(populations.get(group.source).range.clone());
        let post = spikes.in_range(populations.get(group.target).range.clone());
        let target = &neurons.groups()[p.target_population];
        let view = TargetView {
            v_mv: target.v_mv(),
            nmda_free: [target.nmda_free(0), target.nmda_free(1)],
        };
        p.step(step, pre, post, group, view);
    }
}

/// Slow schedule, first: brings every lazily updated efficacy (the calcium rule's) up to
/// this step, so that ρ is integrated over the same stretches — and draws the same noise —
/// whatever is recorded, and no transmitted weight lags its efficacy by more than a slow
/// period. Later slow and structural systems read up-to-date efficacies.
pub fn catch_up_efficacies(
    clock: Res<SimClock>,
    mut plastic: ResMut<PlasticProjections>,
    mut groups: ResMut<SynapseGroups>,
) {
    plastic.catch_up_all(clock.step(), &mut groups);
}

/// Slow schedule: homeostatic scaling of the projections that have it.
pub fn scale_synapses(
    rates: Res<ScheduleRates>,
    clock: Res<SimClock>,
    stats: Res<SpikeStatistics>,
    populations: Res<Populations>,
    mut plastic: ResMut<PlasticProjections>,
    mut groups: ResMut<SynapseGroups>,
) {
    let dt_s = rates.slow_every_steps as f64 * clock.dt_ms() * 1e-3;
    let plastic = &mut *plastic;
    for (p, scaling) in plastic.list.iter_mut().zip(&mut plastic.scaling) {
        let Some(scaling) = scaling else { continue };
        let range = populations.get(p.target_population).range.clone();
        let counts = &stats.counts()[range.start as usize..range.end as usize];
        scaling.update(counts, dt_s, &mut p.scale);
        p.write_all_weights(groups.group_mut(p.group));
    }
}
