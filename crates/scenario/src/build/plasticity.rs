//! Plastic projections, spines and weight recording, from a resolved scenario.

use bevy_ecs::prelude::*;
use rand_distr::{Distribution, StandardNormal};

use synaptogen_engine::monitors::TableMonitor;
use synaptogen_engine::rng::{StreamId, StreamRng, fnv1a64};
use synaptogen_engine::{NeuronIndex, Populations, StableId, SynapseGroups, ValueDistribution};
use synaptogen_models::plasticity::{
    CALCIUM_COLUMNS, CalciumContext, CalciumRule, CalciumState, PlasticProjection,
    PlasticProjections, Rule, SAMPLE_COLUMNS, Scaling, Stdp, Unblock, WEIGHT_COLUMNS, WeightMap,
    WeightMonitor,
};
use synaptogen_models::spines::{
    CensusState, CensusTables, Compartment, NO_TAG, ProteinState, SPINE_EVENT_COLUMNS, Spine,
    SpineColumns, SpineDrive, SpineSlot, SpineTables, Spines, SpinyProjection, SpinyTarget,
};
use synaptogen_models::{CellType, Transmitter};

use crate::load::Resolved;
use crate::schema::PlasticitySpec;

pub(crate) use synaptogen_engine::labels::label;

/// True when `projection`'s synapses are spines: glutamatergic onto a cell with dendrites.
pub(crate) fn is_spiny(r: &Resolved, source: &str, target: &str) -> bool {
    r.cell_type_of(source).transmitter == Transmitter::Glutamate
        && r.cell_type_of(target).dendrites.is_some()
}

/// What the plasticity build leaves in the world.
pub(crate) struct PlasticBuild {
    /// True when any projection makes spines.
    pub with_spines: bool,
    /// Bytes of plastic state.
    pub bytes: usize,
}

/// Builds every plastic projection (a rule, spines or scaling), spawns the spine entities
/// and inserts [`PlasticProjections`], [`Spines`] and the [`WeightMonitor`] into `world`.
pub(crate) fn build_plasticity(
    r: &Resolved,
    populations: &Populations,
    groups: &mut SynapseGroups,
    group_of: &[(String, usize)],
    world: &mut World,
    tables: &mut TableMonitor,
) -> PlasticBuild {
    let s = &r.scenario;
    let seed = s.simulation.seed;
    let dt = s.simulation.dt_ms;
    let sp = &s.spines;
    let mut plastic = PlasticProjections::default();
    let mut spiny_projections: Vec<SpinyProjection> = Vec::new();
    let mut spiny_targets: Vec<SpinyTarget> = Vec::new();
    let mut followed: Vec<Vec<u64>> = Vec::new();
    let mut names: Vec<&'static str> = Vec::new();

    for (name, group_index) in group_of {
        let spec = &s.projections[name];
        let spiny = is_spiny(r, &spec.source, &spec.target);
        if !spiny && spec.plasticity.is_none() && spec.homeostasis.is_none() {
            continue;
        }
        let plastic_index = plastic.list.len();
        let source_pop = populations.index_of(&spec.source).expect("validated");
        let target_pop = populations.index_of(&spec.target).expect("validated");
        let (src, tgt) = (
            populations.get(source_pop).clone(),
            populations.get(target_pop).clone(),
        );
        let target_cell: &CellType = r.cell_type_of(&spec.target);
        let group = groups.group_mut(*group_index);
        let n = group.len();
        let drawn: Vec<f32> = group.weights().to_vec();

        // Spines: identity, compartment, size; the weight follows the size.
        let id_prefix = (fnv1a64(name.as_bytes()) & 0xFF_FFFF) << 40;
        let ns_per_um3 = match (&spec.weight_ns, spiny) {
            (ValueDistribution::Constant(w), true) => (*w / sp.median_volume_um3) as f32,
            _ => 0.0,
        };
        let spines = spiny.then(|| {
            let fractions = target_cell.dendrites.expect("spiny").fractions();
            let stream = StreamId::named(&format!("spines_init/{name}"));
            let mut cols = SpineColumns::default();
            for k in 0..n {
                let id = id_prefix | k as u64;
                let mut rng = StreamRng::new(seed, stream, StableId(id), 0);
                let compartment = spec.compartment.only().unwrap_or_else(|| {
                    let u = rng.open01();
                    let mut acc = 0.0;
                    Compartment::ALL
                        .into_iter()
                        .find(|c| {
                            acc += fractions[c.index()];
                            u <= acc
                        })
                        .unwrap_or(Compartment::ApicalTuft)
                });
                let z: f64 = StandardNormal.sample(&mut rng);
                let volume = (sp.median_volume_um3.ln() + sp.log_volume_sd * z).exp() as f32;
                let target = group.targets()[k];
                let source = src.range.start + group.source_of(k);
                let entity = world
                    .spawn((
                        Spine {
                            id: StableId(id),
                            projection: plastic_index as u16,
                            parent: NeuronIndex(target),
                            presynaptic: NeuronIndex(source),
                            compartment,
                            born_step: 0,
                        },
                        SpineSlot(k as u32),
                    ))
                    .id();
                cols.id.push(id);
                cols.entity.push(entity);
                cols.compartment.push(compartment);
                cols.volume_um3.push(volume);
                cols.glun2a_fraction.push(target_cell.glun2a_share() as f32);
                cols.mature.push(true);
                cols.born_step.push(0);
                cols.tag_step.push(NO_TAG);
            }
            for (w, &v) in group.weights_mut().iter_mut().zip(&cols.volume_um3) {
                *w = ns_per_um3 * v;
            }
            cols
        });
        let base: Vec<f32> = match &spines {
            Some(cols) => cols.volume_um3.iter().map(|&v| ns_per_um3 * v).collect(),
            None => drawn.clone(),
        };

        // Rule, weight map and initial efficacy.
        let init_stream = StreamId::named(&format!("init_efficacy/{name}"));
        let key = |k: usize| spines.as_ref().map_or(k as u64, |c| c.id[k]);
        let (map, rule, efficacy, rho0) = match &spec.plasticity {
            None => (
                WeightMap::Linear {
                    gain: sp.early_gain as f32,
                },
                None,
                vec![0.0; n],
                0.0,
            ),
            Some(PlasticitySpec::StdpPair(pp)) => {
                let map = WeightMap::Range {
                    w_min_ns: pp.w_min_ns as f32,
                    w_max_ns: pp.w_max_ns as f32,
                };
                let rule = Rule::Stdp(Stdp::new(
                    &pp.as_triplet(),
                    dt,
                    src.len() as usize,
                    tgt.len() as usize,
                ));
                (
                    map,
                    Some(rule),
                    range_efficacy(&drawn, pp.w_min_ns, pp.w_max_ns),
                    0.5,
                )
            }
            Some(PlasticitySpec::StdpTriplet(ts)) => {
                let rule = Rule::Stdp(Stdp::new(
                    &ts.params(),
                    dt,
                    src.len() as usize,
                    tgt.len() as usize,
                ));
                match (ts.w_min_ns, ts.w_max_ns) {
                    (Some(lo), Some(hi)) if !spiny => (
                        WeightMap::Range {
                            w_min_ns: lo as f32,
                            w_max_ns: hi as f32,
                        },
                        Some(rule),
                        range_efficacy(&drawn, lo, hi),
                        0.5,
                    ),
                    _ => (
                        WeightMap::Linear {
                            gain: sp.early_gain as f32,
                        },
                        Some(rule),
                        vec![0.5; n],
                        0.5,
                    ),
                }
            }
            Some(PlasticitySpec::Calcium(cp)) => {
                let block = target_cell.receptors.nmda.mg_block;
                let unblock = Unblock {
                    block,
                    mg_mm: s.environment.mg_mm,
                    at_rest: block.unblocked(target_cell.membrane.e_l_mv(), s.environment.mg_mm),
                };
                let state = CalciumState::new(
                    CalciumRule::new(*cp, name, seed),
                    dt,
                    n,
                    tgt.len() as usize,
                    src.len() as usize,
                    Some(unblock),
                );
                let efficacy = (0..n)
                    .map(|k| {
                        let mut rng = StreamRng::new(seed, init_stream, StableId(key(k)), 0);
                        if rng.open01() < cp.initial_up_fraction {
                            1.0
                        } else {
                            0.0
                        }
                    })
                    .collect();
                // Plain synapses are Graupner & Brunel's two-state synapses (weight_ns is the
                // DOWN weight); on spines the early change rides on the spine's size.
                let map = if spiny {
                    WeightMap::Linear {
                        gain: sp.early_gain as f32,
                    }
                } else {
                    WeightMap::UpDown { b: cp.b as f32 }
                };
                (map, Some(Rule::Calcium(Box::new(state))), efficacy, 0.0)
            }
        };
        let calcium = CalciumContext {
            glun2a_fraction: target_cell.glun2a_share() as f32,
            glun2a_block: s.environment.glun2a_block as f32,
            glun2b_block: s.environment.glun2b_block as f32,
        };
        followed.push(
            (0..n.min(s.recording.weight_samples as usize))
                .map(key)
                .collect(),
        );
        let projection = PlasticProjection::new(
            name,
            *group_index,
            group,
            target_pop,
            tgt.range.start,
            tgt.len() as usize,
            map,
            rule,
            efficacy,
            base,
            spines,
            ns_per_um3,
            calcium,
            sp,
        );
        projection.write_all_weights(group);
        let scaling = spec
            .homeostasis
            .map(|h| Scaling::new(h, tgt.len() as usize));
        plastic.push(projection, scaling);
        names.push(label(name));

        if spiny {
            let target = match spiny_targets
                .iter()
                .position(|t| t.population == target_pop)
            {
                Some(t) => t,
                None => {
                    spiny_targets.push(SpinyTarget {
                        population: target_pop,
                        name: label(&spec.target),
                        first: tgt.range.start,
                        hash: tgt.name_hash,
                        lengths_um: vec![[0.0; 3]; tgt.len() as usize],
                        projections: Vec::new(),
                        shares: Vec::new(),
                        glun2a_fraction: target_cell.glun2a_share() as f32,
                        protein: ProteinState::new(tgt.len() as usize),
                        census: CensusState::default(),
                        stream: StreamId::named(&format!("formation/{}", spec.target)),
                        drive: vec![SpineDrive::default(); tgt.len() as usize],
                        ampa_driving_force_mv: (target_cell.receptors.ampa.e_rev_mv
                            - target_cell.membrane.e_l_mv())
                            as f32,
                    });
                    spiny_targets.len() - 1
                }
            };
            spiny_targets[target]
                .projections
                .push(spiny_projections.len());
            spiny_projections.push(SpinyProjection {
                plastic: plastic_index,
                name: label(name),
                id_prefix,
                next_serial: n as u64,
                delay_ms: spec.delay_ms.sampler(),
                autapses: spec.autapses,
                same_population: source_pop == target_pop,
                n_sources: src.len(),
                source_start: src.range.start,
                rho0,
                target,
                stream: StreamId::named(&format!("spines/{name}")),
            });
        }
    }

    // Modelled dendrite of each spiny neuron: as long, in each compartment, as its initial
    // spines there need at the initial density. Compartments no projection reaches carry no
    // spines and are not modelled, so formation (per µm) balances elimination (per spine)
    // wherever spines are (PL-03: stationary density). Projection shares per compartment.
    for t in &mut spiny_targets {
        let mut initial = vec![[0u64; 3]; t.lengths_um.len()];
        t.shares = vec![[0.0; 3]; t.projections.len()];
        for (slot, &sp_index) in t.projections.iter().enumerate() {
            let p = &plastic.list[spiny_projections[sp_index].plastic];
            let group = &groups.groups()[p.group];
            let cols = p.spines.as_ref().expect("spiny");
            for k in 0..cols.len() {
                let c = cols.compartment[k].index();
                initial[(group.targets()[k] - t.first) as usize][c] += 1;
                t.shares[slot][c] += 1.0;
            }
        }
        for (lengths, counts) in t.lengths_um.iter_mut().zip(&initial) {
            *lengths = counts.map(|n| (n as f64 / sp.density_per_um) as f32);
        }
        t.census.initial = initial.iter().flatten().sum();
    }

    let bytes = plastic.memory_bytes();
    let with_spines = !spiny_projections.is_empty();
    if with_spines {
        let mut spines = Spines {
            params: *sp,
            seed,
            dt_ms: dt,
            targets: spiny_targets,
            projections: spiny_projections,
            tables: SpineTables {
                events: tables.declare("spines", SPINE_EVENT_COLUMNS),
                census: CensusTables::declare(tables),
            },
            census_every_steps: (sp.census_every_ms / dt).round().max(1.0) as u64,
        };
        spines.census(0, &plastic.list, groups, tables);
        world.insert_resource(spines);
    }
    if let Some(every_ms) = s.recording.weights_every_ms {
        world.insert_resource(WeightMonitor {
            every_steps: (every_ms / dt).round().max(1.0) as u64,
            summary: tables.declare("weights", WEIGHT_COLUMNS),
            samples: tables.declare("weight_samples", SAMPLE_COLUMNS),
            calcium: plastic
                .list
                .iter()
                .any(|p| matches!(p.rule, Some(Rule::Calcium(_))))
                .then(|| tables.declare("synapse_calcium", CALCIUM_COLUMNS)),
            names,
            followed,
        });
    }
    world.insert_resource(plastic);
    PlasticBuild { with_spines, bytes }
}

/// Efficacy (w − w_min)/(w_max − w_min) of drawn weights, within [0, 1].
fn range_efficacy(weights: &[f32], w_min: f64, w_max: f64) -> Vec<f32> {
    weights
        .iter()
        .map(|&w| ((f64::from(w) - w_min) / (w_max - w_min)).clamp(0.0, 1.0) as f32)
        .collect()
}
