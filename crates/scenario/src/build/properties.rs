//! Invariants of plasticity and structural change, over random seeds and parameters.

use proptest::prelude::*;

use synaptogen_engine::SynapseGroups;
use synaptogen_engine::monitors::DiscardSink;
use synaptogen_models::plasticity::{PlasticProjections, WeightMap};
use synaptogen_models::spines::{Spine, SpineSlot, Spines};

use super::build;
use crate::load::load_str;
use crate::overrides::Override;

/// A small spiny network: STDP on pyramidal→pyramidal spines, STDP with weight bounds and
/// the calcium rule (with strong noise) on plain synapses onto interneurons, Poisson drive.
const NETWORK: &str = r#"
schema_version = 1
[simulation]
duration_ms = 3000.0
structural_dt_ms = 100.0
slow_dt_ms = 100.0
[spines]
census_every_ms = 1000.0
[populations.pyr]
cell_type = "pfc_l5_pyramidal"
size = 40
[populations.pv]
cell_type = "pfc_pv_basket"
size = 10
[projections.pyr_pyr]
source = "pyr"
target = "pyr"
connectivity = { kind = "fixed_in_degree", k = 20 }
weight_ns = 1.0
plasticity = { rule = "stdp_triplet" }
[projections.pyr_pv]
source = "pyr"
target = "pv"
connectivity = { kind = "pairwise_bernoulli", p = 0.3 }
weight_ns = { dist = "uniform", low = 0.5, high = 2.0 }
plasticity = { rule = "stdp_triplet", a2_plus = 0.05, a2_minus = 0.06, w_min_ns = 0.1, w_max_ns = 3.0 }
[projections.pyr_pv_calcium]
source = "pyr"
target = "pv"
connectivity = { kind = "pairwise_bernoulli", p = 0.3 }
weight_ns = 0.5
plasticity = { rule = "calcium", sigma = 8.0 }
[projections.pv_pyr]
source = "pv"
target = "pyr"
connectivity = { kind = "pairwise_bernoulli", p = 0.5 }
weight_ns = 2.0
[inputs.drive_pyr]
kind = "poisson"
target = "pyr"
n_sources = 500
rate_hz = 5.0
weight_ns = 1.0
[inputs.drive_pv]
kind = "poisson"
target = "pv"
n_sources = 500
rate_hz = 5.0
weight_ns = 1.0
"#;

fn run(seed: u64, formation: f64, elimination: f64, nascent: f64) -> super::Built {
    let overrides: Vec<Override> = [
        format!("simulation.seed={seed}"),
        format!("spines.formation_per_um_per_day={formation}"),
        format!("spines.elimination_stable_per_day={elimination}"),
        format!("spines.elimination_nascent_per_day={nascent}"),
        "spines.maturation_per_day=2000".to_owned(),
    ]
    .iter()
    .map(|o| Override::parse(o).unwrap())
    .collect();
    let resolved = load_str("properties", NETWORK, &overrides).unwrap();
    let mut built = build(&resolved, 1).unwrap();
    built
        .simulation
        .run(built.steps, &mut DiscardSink, &mut |_| {})
        .unwrap();
    built
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Every spine the census counts is in the dense columns and has exactly one entity
    /// pointing at it: initial + born − eliminated = final, per population and in total.
    #[test]
    fn census_bookkeeping_is_exact(seed in 0u64..1_000_000, formation in 0.0f64..2000.0, elimination in 0.0f64..2000.0, nascent in 0.0f64..20000.0) {
        let mut built = run(seed, formation, elimination, nascent);
        let world = &mut built.simulation.world;
        let spines = world.resource::<Spines>().clone();
        let plastic = world.resource::<PlasticProjections>();
        for target in &spines.targets {
            let initial = target.census.initial;
            let born: u64 = target.census.born_total.iter().sum();
            let eliminated: u64 = target.census.eliminated_total.iter().sum();
            let now: usize = target
                .projections
                .iter()
                .map(|&sp| plastic.list[spines.projections[sp].plastic].spines.as_ref().unwrap().len())
                .sum();
            prop_assert_eq!(initial + born - eliminated, now as u64);
        }
        // Every entity points at its spine's slot, whose CSR synapse joins the same two
        // neurons; every per-synapse column has one entry per synapse.
        let groups = world.resource::<SynapseGroups>().clone();
        let plastic = world.resource::<PlasticProjections>().clone();
        let mut entities = 0;
        for (spine, slot) in world.query::<(&Spine, &SpineSlot)>().iter(world) {
            let p = &plastic.list[usize::from(spine.projection)];
            let group = &groups.groups()[p.group];
            let k = slot.0 as usize;
            prop_assert_eq!(p.spines.as_ref().unwrap().id[k], spine.id.0, "entity and column disagree");
            prop_assert_eq!(group.targets()[k], spine.parent.0, "parent");
            prop_assert_eq!(p.source_start + group.source_of(k), spine.presynaptic.0, "partner");
            entities += 1;
        }
        let mut total = 0;
        for p in &plastic.list {
            let n = groups.groups()[p.group].len();
            prop_assert_eq!(p.efficacy.len(), n, "{} efficacy", p.name);
            if let Some(cols) = &p.spines {
                prop_assert_eq!(cols.len(), n, "{} spine columns", p.name);
                prop_assert_eq!(p.home.len(), n, "{} home", p.name);
                prop_assert_eq!(p.base.len(), n, "{} base", p.name);
                total += n;
            }
        }
        prop_assert_eq!(entities, total);
    }

    /// STDP keeps efficacies in [0, 1]; the calcium rule may carry them a little beyond
    /// (noise; Graupner & Brunel 2012 do not clip), but every weight stays within its
    /// map's bounds: [w_min, w_max] under STDP, [w₀, b·w₀] for two-state synapses; no weight
    /// is negative or non-finite.
    #[test]
    fn weights_stay_within_their_bounds(seed in 0u64..1_000_000) {
        let built = run(seed, 100.0, 100.0, 1000.0);
        let world = &built.simulation.world;
        let plastic = world.resource::<PlasticProjections>();
        let groups = world.resource::<SynapseGroups>();
        let mut outside_unit = 0;
        for p in &plastic.list {
            let weights = groups.groups()[p.group].weights();
            prop_assert!(weights.iter().all(|w| w.is_finite() && *w >= 0.0), "{}", p.name);
            match p.map {
                WeightMap::Range { w_min_ns, w_max_ns } => {
                    prop_assert!(p.efficacy.iter().all(|e| (0.0..=1.0).contains(e)), "{}", p.name);
                    prop_assert!(weights.iter().all(|w| (w_min_ns..=w_max_ns).contains(w)), "{}", p.name);
                }
                WeightMap::UpDown { b } => {
                    prop_assert_eq!(p.base.len(), weights.len());
                    outside_unit += p.efficacy.iter().filter(|e| !(0.0..=1.0).contains(*e)).count();
                    for (w, base) in weights.iter().zip(&p.base) {
                        prop_assert!(*w >= *base && *w <= b * *base * (1.0 + 1e-6), "{}: {} of {}", p.name, w, base);
                    }
                }
                WeightMap::Linear { .. } => {}
            }
        }
        // The noisy calcium projection is really exercised at its bounds.
        prop_assert!(outside_unit > 0, "no calcium efficacy left [0, 1]");
    }
}
