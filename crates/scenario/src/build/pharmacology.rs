//! Builds the pharmacology of a scenario: drug levels, block state per population, glutamate
//! pools, signalling, stress, and their tables.

use std::collections::BTreeMap;

use synaptogen_engine::monitors::TableMonitor;
use synaptogen_engine::{Populations, SynapseGroups};
use synaptogen_models::Transmitter;
use synaptogen_models::pharmacology::{
    ActivityBaseline, BLOCK_COLUMNS, DRUG_COLUMNS, DrugAction, DrugLevels, GLUTAMATE_COLUMNS,
    NeuronActivity, Pharmacology, PharmacologyTables, PopulationPharmacology, RegionGlutamate,
    StressLevel, signalling_columns,
};
use synaptogen_models::ports::GLUTAMATE_PORT;
use synaptogen_pharma::bath::BathApplication;
use synaptogen_pharma::drug::Drug;
use synaptogen_pharma::pk::{Amount, Dose, Pharmacokinetics, PkState};
use synaptogen_pharma::stress::{ChronicUnpredictable, CorticosteroneExposure, StressProtocol};

use crate::load::Resolved;
use crate::pharmacology::Intervention;
use crate::schema::{InputSpec, Scenario};

/// `pharma::pk`, plus any bath applications, as the models' [`DrugLevels`]. Drugs only
/// ever bathed come after the PK's drugs in index order.
struct PkLevels {
    pk: Pharmacokinetics,
    names: Vec<String>,
    /// (drug index, application).
    baths: Vec<(usize, BathApplication)>,
}

impl PkLevels {
    fn bath_um(&self, d: usize) -> f64 {
        self.baths
            .iter()
            .filter(|(drug, _)| *drug == d)
            .map(|(_, b)| b.concentration_at_um(self.pk.time_s()))
            .sum()
    }
}

impl DrugLevels for PkLevels {
    fn advance_to(&mut self, t_s: f64) {
        // Model time only moves forward, the one error `advance_to` reports.
        let advanced = self.pk.advance_to(t_s);
        debug_assert!(advanced.is_ok(), "{advanced:?}");
    }
    fn brain_free_um(&self, d: usize) -> f64 {
        self.pk.brain_free_um(d) + self.bath_um(d)
    }
    fn plasma_ng_per_ml(&self, d: usize) -> f64 {
        self.pk.plasma_ng_per_ml(d)
    }
    fn names(&self) -> &[String] {
        &self.names
    }
    fn state(&self) -> PkState {
        self.pk.state()
    }
    fn restore(&mut self, state: &PkState) -> Result<(), String> {
        self.pk.restore(state).map_err(|e| e.to_string())
    }
}

/// Stress protocols, superposed (the highest corticosterone wins).
struct Stress(Vec<StressProtocol>);

impl StressLevel for Stress {
    fn corticosterone_fold(&self, t_s: f64) -> f64 {
        self.0
            .iter()
            .map(|p| p.corticosterone_fold(t_s))
            .fold(1.0, f64::max)
    }
}

/// The drug library of a scenario: the shipped drugs, then the scenario's own.
pub fn drug_library(s: &Scenario) -> BTreeMap<String, Drug> {
    let mut drugs: BTreeMap<String, Drug> = crate::library::DRUGS
        .iter()
        .map(|(name, text)| {
            let drug: Drug = toml::from_str(text).expect("shipped drugs parse (tested)");
            ((*name).to_owned(), drug)
        })
        .collect();
    if let Some(p) = &s.pharmacology {
        drugs.extend(p.drugs.clone());
    }
    drugs
}

/// The drug `name` of the scenario's library.
pub fn drug_named(s: &Scenario, name: &str) -> Option<Drug> {
    if let Some(d) = s.pharmacology.as_ref().and_then(|p| p.drugs.get(name)) {
        return Some(d.clone());
    }
    crate::library::DRUGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| toml::from_str(text).expect("shipped drugs parse (tested)"))
}

/// Names in the scenario's drug library.
pub fn drug_names(s: &Scenario) -> Vec<String> {
    drug_library(s).into_keys().collect()
}

/// Builds the pharmacology resource when the scenario has `[pharmacology]` or interventions.
pub fn build_pharmacology(
    r: &Resolved,
    populations: &Populations,
    synapses: &SynapseGroups,
    tables: &mut TableMonitor,
) -> Option<Pharmacology> {
    let s = &r.scenario;
    if s.pharmacology.is_none() && s.interventions.is_empty() {
        return None;
    }
    let spec = s.pharmacology.clone().unwrap_or_default();
    let dt = s.simulation.dt_ms;
    let library = drug_library(s);
    let mass_kg = spec
        .body_mass_kg
        .unwrap_or_else(|| spec.species.default_body_mass_kg());

    let mut doses = Vec::new();
    let mut baths = Vec::new();
    let mut stress = Vec::new();
    for (k, intervention) in s.interventions.iter().enumerate() {
        match intervention {
            Intervention::Dose(d) => {
                let amount = match (d.amount_mg_per_kg, d.amount_mg, d.amount_nmol) {
                    (Some(x), _, _) => Amount::MgPerKg(x),
                    (_, Some(x), _) => Amount::Mg(x),
                    (_, _, Some(x)) => Amount::Nmol(x),
                    _ => unreachable!("validated: one amount"),
                };
                doses.push(Dose {
                    drug: d.drug.clone(),
                    amount,
                    route: d.route,
                    start_s: d.at.s(),
                    duration_s: d.duration.map_or(0.0, |t| t.s()),
                });
            }
            Intervention::Bath(b) => baths.push(BathApplication {
                drug: b.drug.clone(),
                concentration_um: b.concentration_um,
                start_s: b.at.s(),
                end_s: b.duration.map(|t| b.at.s() + t.s()),
            }),
            Intervention::ChronicStress(c) => {
                stress.push(StressProtocol::ChronicUnpredictable(ChronicUnpredictable {
                    start_s: c.start.s(),
                    days: c.days,
                    stressors_per_day: c.stressors_per_day,
                    stressor_s: c.stressor.s(),
                    peak_fold: c.peak_corticosterone_fold,
                    seed: s.simulation.seed ^ (k as u64).wrapping_mul(0x9E37_79B9),
                }));
            }
            Intervention::Corticosterone(c) => {
                stress.push(StressProtocol::Corticosterone(CorticosteroneExposure {
                    start_s: c.start.s(),
                    end_s: c.end.s(),
                    fold: c.fold,
                }));
            }
        }
    }
    let pk = Pharmacokinetics::new(&library, spec.species, mass_kg, &doses)
        .expect("validated: drugs, species and routes");
    let mut names: Vec<String> = pk.drug_names().to_vec();
    let mut drugs: Vec<Drug> = (0..names.len())
        .map(|d| pk.drug(d).expect("an index below len").clone())
        .collect();
    let baths: Vec<(usize, BathApplication)> = baths
        .into_iter()
        .map(|b| {
            let d = match names.iter().position(|n| *n == b.drug) {
                Some(d) => d,
                None => {
                    names.push(b.drug.clone());
                    drugs.push(library[&b.drug].clone());
                    names.len() - 1
                }
            };
            (d, b)
        })
        .collect();
    let mut actions = Vec::new();
    for (d, drug) in drugs.iter().enumerate() {
        if let Some(b) = drug.channel_block {
            actions.push((d, DrugAction::Pore(b)));
        }
        if let Some(a) = drug.allosteric_block {
            actions.push((d, DrugAction::Allosteric(a)));
        }
        if let Some(m) = drug.mtorc1_inhibition {
            actions.push((
                d,
                DrugAction::Mtorc1 {
                    ic50_um: m.ic50_nm / 1000.0,
                },
            ));
        }
    }
    let n_pore = actions
        .iter()
        .filter(|(_, a)| matches!(a, DrugAction::Pore(_)))
        .count();

    // Summed glutamatergic weight onto each neuron: synapses and background trains.
    let n_neurons = populations.n_neurons() as usize;
    let mut weight_in = vec![0.0f32; n_neurons];
    for g in synapses.groups() {
        if g.port != GLUTAMATE_PORT {
            continue;
        }
        for (&t, &w) in g.targets().iter().zip(g.weights()) {
            weight_in[t as usize] += w;
        }
    }
    for input in s.inputs.values() {
        if let InputSpec::Poisson(p) = input
            && p.transmitter == Transmitter::Glutamate
        {
            let info = populations.get(populations.index_of(&p.target).expect("validated"));
            for w in &mut weight_in[info.range.start as usize..info.range.end as usize] {
                *w += (p.n_sources * p.weight_ns) as f32;
            }
        }
    }

    // One entry per population, in population order.
    let mut entries = Vec::new();
    let mut ranges = Vec::new();
    let mut region_names: Vec<String> = Vec::new();
    let mut region_of = Vec::new();
    for (index, info) in populations.iter().enumerate() {
        let name = info.name.clone();
        let cell = r.cell_type_of(&name);
        let spec_p = &s.populations[&name];
        let region = match region_names.iter().position(|n| *n == spec_p.region) {
            Some(i) => i,
            None => {
                region_names.push(spec_p.region.clone());
                region_names.len() - 1
            }
        };
        region_of.push(region);
        let nmda = &cell.receptors.nmda;
        let env = &s.environment;
        let antagonist = [1.0 - env.glun2a_block, 1.0 - env.glun2b_block, 1.0];
        let subunits = nmda.subunits();
        let ratio = if nmda.is_active() {
            nmda.nmda_ampa_ratio
        } else {
            0.0
        };
        let n = info.len() as usize;
        let range = info.range.start as usize..info.range.end as usize;
        let column = |active: bool, v: f32| if active { vec![v; n] } else { Vec::new() };
        let active = |c: usize| ratio > 0.0 && subunits[c].fraction > 0.0;
        let v_rest = cell.membrane.e_l_mv();
        // Scaling the class's K by mg_k_scale is scaling [Mg²⁺] by its inverse.
        let mg_free_at_rest = [0, 1, 2].map(|c| {
            nmda.mg_block
                .unblocked(v_rest, env.mg_mm / subunits[c].mg_k_scale)
        });
        entries.push(PopulationPharmacology {
            population: index,
            name: super::plasticity::label(&name),
            region,
            glutamatergic: cell.transmitter == Transmitter::Glutamate,
            peak_per_weight: [0, 1, 2].map(|c| ratio * subunits[c].fraction * antagonist[c]),
            class_fraction: [0, 1, 2].map(|c| subunits[c].fraction),
            mg_free_at_rest,
            mini_nmda_share: {
                let charge = [0, 1, 2].map(|c| {
                    if active(c) {
                        subunits[c].fraction
                            * antagonist[c]
                            * mg_free_at_rest[c]
                            * subunits[c].charge_per_peak_ms()
                    } else {
                        0.0
                    }
                });
                let total: f64 = charge.iter().sum();
                charge.map(|q| if total > 0.0 { q / total } else { 0.0 })
            },
            weight_in_ns: weight_in[range.clone()].to_vec(),
            bound: (0..n_pore)
                .map(|_| [0, 1, 2].map(|c| column(active(c), 0.0)))
                .collect(),
            seen_open: [0, 1, 2].map(|c| column(active(c), 0.0)),
            seen_open_mg_free: [0, 1, 2].map(|c| column(active(c), 0.0)),
            nmda_ca_ns: vec![0.0; n],
        });
        ranges.push(range);
    }
    let regions = region_names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let members = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.region == k && e.glutamatergic)
                .map(|(p, _)| p)
                .collect();
            RegionGlutamate::new(super::plasticity::label(name), members, spec.glutamate)
        })
        .collect();

    let first_intervention_s = s
        .interventions
        .iter()
        .map(|i| i.start().s())
        .fold(f64::INFINITY, f64::min);
    let end_s = (s.simulation.duration_ms + s.simulation.quiet_after_ms) / 1000.0;
    let baseline_end_s = spec
        .baseline_until
        .map(|t| t.s())
        .unwrap_or(first_intervention_s.min(end_s));
    let activity = NeuronActivity::new(
        ranges,
        dt,
        ActivityBaseline::new(spec.baseline_from.s(), baseline_end_s),
        spec.rate_prior.weight(),
    );

    let pharma_tables = PharmacologyTables {
        drugs: tables.declare("drugs", DRUG_COLUMNS),
        block: tables.declare("block", BLOCK_COLUMNS),
        glutamate: tables.declare("glutamate", GLUTAMATE_COLUMNS),
        signalling: tables.declare("signalling", signalling_columns()),
    };
    let record_every = (spec.record_every.ms / s.simulation.slow_dt_ms)
        .round()
        .max(1.0) as u64;
    Some(Pharmacology::new(
        Box::new(PkLevels { pk, names, baths }),
        actions,
        (!stress.is_empty()).then(|| Box::new(Stress(stress)) as Box<dyn StressLevel>),
        spec.mechanisms,
        entries,
        regions,
        activity,
        spec.signalling,
        pharma_tables,
        record_every,
        dt,
    ))
}
