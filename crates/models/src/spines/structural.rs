//! The structural step: volume fluctuations, maturation, elimination and formation.

use bevy_ecs::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use synaptogen_engine::connectivity::{AddedSynapse, Origin, delay_steps};
use synaptogen_engine::distribution::Sampler;
use synaptogen_engine::monitors::{Cell, TableId, TableMonitor};
use synaptogen_engine::rng::{StreamId, StreamRng};
use synaptogen_engine::{NeuronIndex, StableId, SynapseGroups};

use super::census::{CensusInput, CensusState, CensusTables};
use super::columns::NewSpine;
use super::consolidation::ProteinState;
use super::{Compartment, Spine, SpineParams, SpineSlot};
use crate::plasticity::PlasticProjection;

/// A spiny projection as the structural step sees it: how to make new spines for it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SpinyProjection {
    /// Index among the plastic projections.
    pub plastic: usize,
    /// Name (a label that lives for the whole run).
    #[serde(deserialize_with = "synaptogen_engine::labels::deserialize")]
    pub name: synaptogen_engine::labels::Label,
    /// High bits of its spines' ids; the low 40 bits count births.
    pub id_prefix: u64,
    /// Serial of the next spine.
    pub next_serial: u64,
    /// Delay of new synapses, ms.
    pub delay_ms: Sampler,
    /// May a neuron grow a spine contacting itself.
    pub autapses: bool,
    /// Source and target are one population.
    pub same_population: bool,
    /// Neurons in the source population.
    pub n_sources: u32,
    /// First global index of the source population.
    pub source_start: u32,
    /// Efficacy (and consolidated efficacy) of a newborn spine.
    pub rho0: f32,
    /// Index of its target among the spiny targets.
    pub target: usize,
    /// Random stream of its spines' fates.
    pub stream: StreamId,
}

/// A population of spiny neurons and the projections that make spines on it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SpinyTarget {
    /// Population index.
    pub population: usize,
    /// Name (a label that lives for the whole run).
    #[serde(deserialize_with = "synaptogen_engine::labels::deserialize")]
    pub name: synaptogen_engine::labels::Label,
    /// First global neuron index.
    pub first: u32,
    /// Hash of the population name (stable ids of its neurons).
    pub hash: u32,
    /// Modelled dendrite of each neuron per compartment, µm.
    pub lengths_um: Vec<[f32; 3]>,
    /// Indices (among the spiny projections) of the projections onto it.
    pub projections: Vec<usize>,
    /// For each of them, its share of the initial spines in each compartment.
    pub shares: Vec<[f64; 3]>,
    /// GluN2A share of the NMDA receptors of new spines (the cell type's composition).
    pub glun2a_fraction: f32,
    /// Protein-synthesis triggers.
    pub protein: ProteinState,
    /// Census counters.
    pub census: CensusState,
    /// Random stream of spine formation.
    pub stream: StreamId,
    /// What each neuron's signalling asks of its spines (all 1 without pharmacology).
    pub drive: Vec<SpineDrive>,
    /// AMPA driving force at the resting potential, mV (E_AMPA − E_L): turns a spine's
    /// conductance into a miniature EPSC amplitude.
    pub ampa_driving_force_mv: f32,
}

/// Multipliers that intracellular signalling applies to a neuron's structural rules
/// (`crate::signalling`): BDNF and synaptic proteins raise formation and enlarge heads,
/// stress raises elimination and shrinks the apical dendrite (BIOLOGY.md §5–6).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SpineDrive {
    /// Multiplies the formation rate per µm.
    pub formation: f32,
    /// Multiplies every spine's elimination rate.
    pub elimination: f32,
    /// Multiplies the median head volume the volumes relax to.
    pub enlargement: f32,
    /// Multiplies the dendrite length on which spines form.
    pub dendrite_length: f32,
    /// Multiplies the AMPA conductance of every spine of the neuron (synaptic AMPA
    /// receptor content).
    pub ampa_content: f32,
}

impl Default for SpineDrive {
    fn default() -> Self {
        Self {
            formation: 1.0,
            elimination: 1.0,
            enlargement: 1.0,
            dendrite_length: 1.0,
            ampa_content: 1.0,
        }
    }
}

impl SpinyTarget {
    /// Summed modelled dendrite per compartment, µm.
    pub fn total_length_um(&self) -> [f64; 3] {
        let mut total = [0.0; 3];
        for l in &self.lengths_um {
            for c in 0..3 {
                total[c] += f64::from(l[c]);
            }
        }
        total
    }
}

/// The tables structural plasticity writes.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct SpineTables {
    /// `spines.csv`.
    pub events: TableId,
    /// Census tables.
    pub census: CensusTables,
}

/// Spines of the whole simulation: parameters, targets, projections, tables.
#[derive(Resource, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Spines {
    /// Parameters.
    pub params: SpineParams,
    /// Master seed.
    pub seed: u64,
    /// Step, ms.
    pub dt_ms: f64,
    /// Spiny target populations.
    pub targets: Vec<SpinyTarget>,
    /// Spiny projections.
    pub projections: Vec<SpinyProjection>,
    /// Output tables.
    pub tables: SpineTables,
    /// Census period, steps.
    pub census_every_steps: u64,
}

/// One spine event for `spines.csv`, from a slow or structural system running at the end of
/// `step`: stamped with the time the step ends, as the census and newborn spines are.
pub fn log_event(
    tables: &mut TableMonitor,
    id: TableId,
    step: u64,
    event: &'static str,
    spine: (u64, &'static str, u32, u32, Compartment, f32),
) {
    let (spine_id, projection, neuron, presynaptic, compartment, volume) = spine;
    tables.push(
        id,
        &[
            Cell::Step(step + 1),
            Cell::Text(event),
            Cell::U64(spine_id),
            Cell::Text(projection),
            Cell::U64(u64::from(neuron)),
            Cell::U64(u64::from(presynaptic)),
            Cell::Text(compartment.name()),
            Cell::F64(f64::from(volume)),
        ],
    );
}

impl Spines {
    /// Writes a census of every spiny population at `step`.
    pub fn census(
        &mut self,
        step: u64,
        plastic: &[PlasticProjection],
        groups: &SynapseGroups,
        tables: &mut TableMonitor,
    ) {
        for t in &mut self.targets {
            let length_um = t.total_length_um();
            let members: Vec<&PlasticProjection> = t
                .projections
                .iter()
                .map(|&sp| &plastic[self.projections[sp].plastic])
                .collect();
            let spines = members
                .iter()
                .filter_map(|p| p.spines.as_ref())
                .flat_map(|s| {
                    (0..s.len()).map(move |k| {
                        (
                            s.compartment[k],
                            s.volume_um3[k],
                            s.mature[k],
                            s.born_step[k],
                        )
                    })
                });
            let (mut count, mut conductance_ns) = (0usize, 0.0f64);
            // A miniature EPSC is one spine's transmitted AMPA conductance: head volume,
            // efficacy, scaling and AMPA content together.
            for p in &members {
                if let Some(s) = &p.spines {
                    count += s.len();
                    conductance_ns += groups.groups()[p.group]
                        .weights()
                        .iter()
                        .map(|&w| f64::from(w))
                        .sum::<f64>();
                }
            }
            let per_neuron = count as f64 / t.lengths_um.len().max(1) as f64;
            let mean_ns = if count > 0 {
                conductance_ns / count as f64
            } else {
                0.0
            };
            tables.push(
                self.tables.census.mepsc,
                &[
                    Cell::Step(step),
                    Cell::Text(t.name),
                    Cell::F64(per_neuron),
                    Cell::F64(mean_ns * f64::from(t.ampa_driving_force_mv)),
                    Cell::F64(per_neuron * self.params.mini_rate_per_synapse_hz),
                ],
            );
            let input = CensusInput {
                step,
                population: t.name,
                length_um,
                dt_ms: self.dt_ms,
            };
            t.census.record(&input, spines, tables, self.tables.census);
        }
    }
}

/// Draws a lognormal volume with median `median` and log-sd `sd`.
fn lognormal_volume(rng: &mut StreamRng, median: f64, sd: f64) -> f32 {
    let z: f64 = StandardNormal.sample(rng);
    (median.ln() + sd * z).exp() as f32
}

/// Poisson count by inversion. λ is a few births per neuron and step at most; a larger λ
/// (long structural steps, long dendrites) is drawn as a sum of counts of mean ≤ 30 each —
/// a sum of Poisson counts is Poisson — so e^{−λ} never underflows.
fn poisson(rng: &mut StreamRng, lambda: f64) -> u32 {
    const CHUNK: f64 = 30.0;
    let mut left = lambda;
    let mut total = 0u32;
    while left > 0.0 {
        let mean = left.min(CHUNK);
        left -= mean;
        let u = rng.open01();
        let (mut k, mut p) = (0u32, (-mean).exp());
        let mut cdf = p;
        while u > cdf && p > 0.0 {
            k += 1;
            p *= mean / f64::from(k);
            cdf += p;
        }
        total += k;
    }
    total
}

/// Everything one structural step changes in one projection.
#[derive(Debug, Default)]
pub struct StructuralPlan {
    /// Survival flag per current spine.
    pub keep: Vec<bool>,
    /// New synapses (for the CSR) …
    pub added: Vec<AddedSynapse>,
    /// … and their spines, same order.
    pub born: Vec<NewSpine>,
}

/// One structural step of `dt_days` at `step`: fluctuations, maturation and elimination of
/// every spine, formation on every neuron, then rewiring. Every draw comes from a stream
/// keyed by the spine's (or neuron's) stable id and the step.
#[allow(clippy::too_many_arguments)]
pub fn draw_structural_changes(
    spines: &mut Spines,
    plastic: &mut [PlasticProjection],
    groups: &mut SynapseGroups,
    commands: &mut Commands,
    slots: &mut Query<&mut SpineSlot>,
    tables: &mut TableMonitor,
    step: u64,
    dt_days: f64,
) {
    let params = spines.params;
    // Spines formed now are born at the end of this step.
    let born_step = step + 1;
    let day = super::census::cohort_day(born_step, spines.dt_ms);
    let events = spines.tables.events;
    let mut plans: Vec<StructuralPlan> = Vec::with_capacity(spines.projections.len());

    // 1. Every existing spine: size, maturation, elimination.
    let relax = (-dt_days / params.fluctuation_days).exp();
    let log_median = params.median_volume_um3.ln();
    let spread = params.log_volume_sd * (1.0 - relax * relax).sqrt();
    for sp in &spines.projections {
        let p = &mut plastic[sp.plastic];
        let group = groups.group_mut(p.group);
        p.catch_up(step, group);
        let mut plan = StructuralPlan::default();
        let Some(cols) = p.spines.as_mut() else {
            plans.push(plan);
            continue;
        };
        plan.keep = vec![true; cols.len()];
        for k in 0..cols.len() {
            let mut rng = StreamRng::new(spines.seed, sp.stream, StableId(cols.id[k]), step);
            let z: f64 = StandardNormal.sample(&mut rng);
            let target_global = group.targets()[k];
            let target = &spines.targets[sp.target];
            let drive = target.drive[(target_global - target.first) as usize];
            let median = log_median + f64::from(drive.enlargement).ln();
            let log_v = f64::from(cols.volume_um3[k]).ln();
            cols.volume_um3[k] = (median + (log_v - median) * relax + spread * z).exp() as f32;
            let elimination = params
                .elimination_per_day(f64::from(cols.volume_um3[k]), cols.mature[k])
                * f64::from(drive.elimination);
            if rng.open01() < 1.0 - (-elimination * dt_days).exp() {
                plan.keep[k] = false;
                let c = cols.compartment[k];
                spines.targets[sp.target].census.eliminated(c);
                log_event(
                    tables,
                    events,
                    step,
                    "eliminated",
                    (
                        cols.id[k],
                        sp.name,
                        target_global,
                        sp.source_start + group.source_of(k),
                        c,
                        cols.volume_um3[k],
                    ),
                );
                commands.entity(cols.entity[k]).despawn();
                continue;
            }
            if !cols.mature[k] && rng.open01() < 1.0 - (-params.maturation_per_day * dt_days).exp()
            {
                cols.mature[k] = true;
                log_event(
                    tables,
                    events,
                    step,
                    "matured",
                    (
                        cols.id[k],
                        sp.name,
                        target_global,
                        sp.source_start + group.source_of(k),
                        cols.compartment[k],
                        cols.volume_um3[k],
                    ),
                );
            }
        }
        if !p.base.is_empty() {
            for k in 0..cols.len() {
                p.base[k] = p.ns_per_um3 * cols.volume_um3[k];
            }
        }
        plans.push(plan);
    }

    // 2. Formation on every neuron of every spiny population.
    for t in &mut spines.targets {
        for (i, lengths) in t.lengths_um.iter().enumerate() {
            let neuron = t.first + i as u32;
            let mut rng = StreamRng::new(
                spines.seed,
                t.stream,
                StableId::neuron(t.hash, i as u32),
                step,
            );
            let drive = t.drive[i];
            let per_um = params.formation_per_um_per_day
                * f64::from(drive.formation)
                * f64::from(drive.dendrite_length);
            for c in Compartment::ALL {
                let lambda = per_um * f64::from(lengths[c.index()]) * dt_days;
                for _ in 0..poisson(&mut rng, lambda) {
                    // Partner: a projection by its share of this compartment, then a source.
                    let u = rng.open01();
                    let total: f64 = t.shares.iter().map(|s| s[c.index()]).sum();
                    if total <= 0.0 {
                        break;
                    }
                    let mut acc = 0.0;
                    let mut chosen = *t
                        .projections
                        .last()
                        .expect("a spiny target has projections");
                    for (&sp, share) in t.projections.iter().zip(&t.shares) {
                        acc += share[c.index()] / total;
                        if u <= acc {
                            chosen = sp;
                            break;
                        }
                    }
                    let sp = &mut spines.projections[chosen];
                    let exclude_self = sp.same_population && !sp.autapses;
                    let pool = sp.n_sources - u32::from(exclude_self);
                    if pool == 0 {
                        continue;
                    }
                    let mut source = rng.random_range(0..pool);
                    if exclude_self && source >= i as u32 {
                        source += 1;
                    }
                    let volume = lognormal_volume(
                        &mut rng,
                        params.nascent_median_volume_um3,
                        params.log_volume_sd,
                    );
                    let delay = delay_steps(sp.delay_ms.sample(&mut rng), spines.dt_ms);
                    let id = sp.id_prefix | sp.next_serial;
                    sp.next_serial += 1;
                    let entity = commands.spawn_empty().id();
                    let ns = plastic[sp.plastic].ns_per_um3;
                    let plan = &mut plans[chosen];
                    plan.added.push(AddedSynapse {
                        source_local: source,
                        target: neuron,
                        weight: ns * volume,
                        delay_steps: delay,
                        key: id,
                    });
                    plan.born.push(NewSpine {
                        id,
                        entity,
                        compartment: c,
                        volume_um3: volume,
                        glun2a_fraction: t.glun2a_fraction,
                        // The spine exists from the end of this step; 0 marks initial spines.
                        born_step,
                    });
                    t.census.born(c, day);
                    log_event(
                        tables,
                        events,
                        step,
                        "born",
                        (id, sp.name, neuron, sp.source_start + source, c, volume),
                    );
                }
            }
        }
    }

    // 3. Rewire each projection and let the entities follow.
    for (sp, plan) in spines.projections.iter().zip(plans) {
        let p = &mut plastic[sp.plastic];
        let group = groups.group_mut(p.group);
        if plan.keep.iter().all(|&k| k) && plan.added.is_empty() {
            p.write_all_weights(group);
            continue;
        }
        let Some(old) = p.spines.as_ref() else {
            continue;
        };
        let old_ids = old.id.clone();
        let old_entities = old.entity.clone();
        let origins = group
            .rewire(&plan.keep, &plan.added, |k| old_ids[k])
            .expect("structural growth stays within the validated synapse budget");
        p.rewired(group, &origins, &plan.born, sp.rho0, step);
        for (k, origin) in origins.iter().enumerate() {
            match *origin {
                Origin::Kept(old_k) if old_k as usize != k => {
                    if let Ok(mut slot) = slots.get_mut(old_entities[old_k as usize]) {
                        slot.0 = k as u32;
                    }
                }
                Origin::Kept(_) => {}
                Origin::Added(a) => {
                    let born = &plan.born[a as usize];
                    let added = &plan.added[a as usize];
                    commands.entity(born.entity).insert((
                        Spine {
                            id: StableId(born.id),
                            projection: sp.plastic as u16,
                            parent: NeuronIndex(added.target),
                            presynaptic: NeuronIndex(sp.source_start + added.source_local),
                            compartment: born.compartment,
                            born_step: born.born_step,
                        },
                        SpineSlot(k as u32),
                    ));
                }
            }
        }
        p.write_all_weights(group);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use synaptogen_engine::{StableId, StreamId};

    #[test]
    fn poisson_counts_have_the_mean_and_variance_of_lambda() {
        for lambda in [0.2, 4.0, 1000.0] {
            let n = 20_000u64;
            let draws: Vec<f64> = (0..n)
                .map(|step| {
                    let mut rng = StreamRng::new(1, StreamId::named("t"), StableId(3), step);
                    f64::from(poisson(&mut rng, lambda))
                })
                .collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let se = (lambda / n as f64).sqrt();
            assert!((mean - lambda).abs() < 5.0 * se, "λ {lambda}: mean {mean}");
            assert!(
                (var / lambda - 1.0).abs() < 0.1,
                "λ {lambda}: variance {var}"
            );
        }
    }
}
