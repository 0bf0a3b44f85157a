//! Drugs, glutamate, signalling and stress acting on the spiking network — the causal chain of
//! ketamine's antidepressant action (BIOLOGY.md) on the slow schedule.
//!
//! Every slow step, [`update_pharmacology`]:
//! 1. advances the drug levels (pharmacokinetics, `pharma::pk`) and the stress protocol;
//! 2. updates, per neuron and GluN2 class, the fraction of NMDA receptors held by each pore
//!    blocker from what the receptors did since the last step (`pharma::block`: use-dependent
//!    binding, trapping, Mg²⁺ competition), combines it with allosteric inhibitors and hands
//!    the unblocked share to the neuron kernel, which scales every NMDA conductance by it;
//! 3. measures each neuron's firing and NMDA Ca²⁺ entry relative to its own pre-intervention
//!    baseline, its miniature NMDA Ca²⁺ entry at rest relative to drug-free (the eEF2 kinase
//!    input), and each region's extracellular glutamate;
//! 4. advances the per-neuron signalling cascade ([`crate::signalling`]) with those inputs;
//! 5. passes the cascade's spine drive (formation, elimination, enlargement, dendrite length)
//!    to the structural rules of spiny populations;
//! 6. records drug levels, block, rates, glutamate and signalling to tables.
//!
//! Interneuron preference is not a parameter: it emerges from the cells' receptors and
//! activity. Three mechanisms contribute, and [`BlockMechanisms`] can switch each off:
//! use-dependence (block builds up only in channels that open, so the tonic NMDA activation
//! of the cell sets how fast and — with partial trapping — how far block goes); subunit
//! make-up (GluN2C/D, blocked less by Mg²⁺, let the drug in at rest: PV cells carry them,
//! Kotermanski & Johnson 2009); and the share of excitation carried by NMDA receptors (the
//! cell type's NMDA/AMPA ratio), which decides how much a given block costs the cell's drive.
//!
//! Simplifications: the glutamate pool is a readout and a signalling input, not an extra
//! receptor drive (ambient-glutamate activation of extrasynaptic receptors is not modelled);
//! quiet stretches hold the last spiking interval's activity statistics. The calcium
//! plasticity rule reads the same drug-free shares as the kernel, per class.

mod glutamate;
mod stats;

pub use glutamate::{GlutamateParams, RegionGlutamate};
pub use stats::{ActivityBaseline, NeuronActivity, PriorWeight};

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use synaptogen_engine::SimClock;
use synaptogen_engine::monitors::{Cell, SpikeStatistics, TableId, TableMonitor};
use synaptogen_pharma::block::{
    AllostericBlock, ChannelBlock, OpenStatistics, advance_block, unblocked_fraction,
};
use synaptogen_pharma::pk::PkState;

use crate::neuron::NeuronGroups;
use crate::signalling::{Signalling, SignallingInputs, SignallingParams, Species};
use crate::spines::Spines;
use crate::validate::Checker;

/// Largest values seen at the recording times: what a sweep compares between runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Peaks {
    /// Per drug: (peak plasma ng/mL, peak free brain µM, time of the brain peak in ms).
    pub drugs: Vec<(f64, f64, f64)>,
    /// Per population entry: peak mean NMDA block (fraction).
    pub block: Vec<f64>,
    /// Per region: peak glutamate, % of baseline.
    pub glutamate_pct: Vec<f64>,
}

/// Concentrations of the scenario's drugs over time (pharmacokinetics); the scenario crate
/// wraps `pharma::pk` in it.
pub trait DrugLevels: Send + Sync + 'static {
    /// Advances to model time `t_s`.
    fn advance_to(&mut self, t_s: f64);
    /// Free brain (effect-site) concentration of drug `d`, µM.
    fn brain_free_um(&self, d: usize) -> f64;
    /// Plasma concentration of drug `d`, ng/mL.
    fn plasma_ng_per_ml(&self, d: usize) -> f64;
    /// Drug names, in index order.
    fn names(&self) -> &[String];
    /// What changes as time advances, for checkpoints.
    fn state(&self) -> PkState;
    /// Takes over a saved state (same drugs; see [`synaptogen_pharma::pk::Pharmacokinetics::restore`]).
    fn restore(&mut self, state: &PkState) -> Result<(), String>;
}

/// A corticosterone time course (chronic stress protocols, `pharma::stress`).
pub trait StressLevel: Send + Sync + 'static {
    /// Corticosterone at model time `t_s`, fold over baseline.
    fn corticosterone_fold(&self, t_s: f64) -> f64;
}

/// Which mechanisms of preferential interneuron block are on (all by default). Turning one
/// off removes its contribution, so a scenario can ask what each one does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockMechanisms {
    /// Block builds only in open channels (Orser 1997). Off: every receptor binds the drug
    /// as if always open, so block follows concentration alone.
    #[serde(default = "yes")]
    pub use_dependence: bool,
    /// Subunit-specific affinities and Mg²⁺ sensitivity (Kotermanski & Johnson 2009). Off:
    /// every class takes the pore blockers' GluN2A values (the scenario builder also sets every class's
    /// Mg²⁺ scale to 1).
    #[serde(default = "yes")]
    pub subunit_selectivity: bool,
    /// NMDA/AMPA ratio of every cell type, replacing each type's own: removes differences in
    /// the share of drive carried by NMDA receptors. Absent: each type keeps its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniform_nmda_ampa_ratio: Option<f64>,
}

fn yes() -> bool {
    true
}

impl Default for BlockMechanisms {
    fn default() -> Self {
        Self {
            use_dependence: true,
            subunit_selectivity: true,
            uniform_nmda_ampa_ratio: None,
        }
    }
}

/// Open probability of a receptor whose glutamate sites are all bound, per GluN2 class:
/// GluN2A ≈ 0.5, GluN2B ≈ 0.1 (Erreger et al. 2005 J Physiol 563:345; Chen et al. 1999),
/// GluN2C/D ≈ 0.01–0.02 (Dravid et al. 2008 J Physiol 586:4425; 0.02 used). It converts
/// a neuron's NMDA conductance into the fraction of time its channels are open, which is what
/// use-dependent block sees.
pub const PEAK_OPEN_PROBABILITY: [f64; 3] = [0.5, 0.1, 0.02];

/// A drug with an effect, by its index in [`DrugLevels`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum DrugAction {
    /// Open-channel NMDA block.
    Pore(ChannelBlock),
    /// Use-independent, subunit-selective NMDA inhibition.
    Allosteric(AllostericBlock),
    /// mTORC1 inhibition, IC50 in µM (rapamycin).
    Mtorc1 {
        /// Free concentration for half inhibition, µM.
        ic50_um: f64,
    },
}

/// What the pharmacology of one population needs and keeps.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PopulationPharmacology {
    /// Population index.
    pub population: usize,
    /// Name (a label that lives for the whole run).
    #[serde(deserialize_with = "synaptogen_engine::labels::deserialize")]
    pub name: synaptogen_engine::labels::Label,
    /// Region (glutamate pool) index.
    pub region: usize,
    /// Releases glutamate (counts towards its region's pool).
    pub glutamatergic: bool,
    /// Peak NMDA conductance per unit of summed glutamatergic weight, per class (the cell
    /// type's NMDA/AMPA ratio × class fraction; 0 for an absent class), nS/nS.
    pub peak_per_weight: [f64; 3],
    /// Share of the cell's NMDA conductance per class.
    pub class_fraction: [f64; 3],
    /// Mg²⁺-free fraction at the resting potential, per class (used when the cell's
    /// receptors did not open in an interval).
    pub mg_free_at_rest: [f64; 3],
    /// Share of each class in the Ca²⁺ that miniature (spontaneous, single-vesicle) NMDA
    /// events let in at rest, drug-free: peak share × Mg²⁺-free fraction at rest × charge
    /// per event ([`crate::receptors::NmdaSubunit::charge_per_peak_ms`]). Sums to 1 (all 0
    /// without NMDA receptors).
    pub mini_nmda_share: [f64; 3],
    /// Summed glutamatergic weight onto each neuron (synapses and background), nS.
    pub weight_in_ns: Vec<f32>,
    /// Fraction of receptors held, `[pore drug][class][neuron]`.
    pub bound: Vec<[Vec<f32>; 3]>,
    /// Open statistics of the last interval with spiking, `[class][neuron]`.
    pub seen_open: [Vec<f32>; 3],
    /// Mg²⁺-free open statistics of that interval, `[class][neuron]`.
    pub seen_open_mg_free: [Vec<f32>; 3],
    /// NMDA conductance through unblocked channels, mean of that interval, nS.
    pub nmda_ca_ns: Vec<f32>,
}

/// Tables the pharmacology writes.
#[derive(Debug, Clone, Copy)]
pub struct PharmacologyTables {
    /// `drugs.csv`: time_ms, drug, plasma_ng_per_ml, brain_free_um.
    pub drugs: TableId,
    /// `block.csv`: time_ms, population, per-class and mean block, rate.
    pub block: TableId,
    /// `glutamate.csv`: time_ms, region, glutamate_um, percent of baseline.
    pub glutamate: TableId,
    /// `signalling.csv`: time_ms, population, one column per species (fold over baseline).
    pub signalling: TableId,
}

/// Column names of `signalling.csv`.
pub fn signalling_columns() -> &'static [&'static str] {
    static COLUMNS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        let mut c = vec!["time_ms", "population", "corticosterone_fold"];
        c.extend(Species::ALL.iter().map(|s| s.name()));
        c.extend([
            "formation_fold",
            "elimination_fold",
            "enlargement_fold",
            "dendrite_length_fold",
        ]);
        c
    })
}

/// Column names of `block.csv`.
pub const BLOCK_COLUMNS: &[&str] = &[
    "time_ms",
    "population",
    "nmda_block",
    "glun2a_block",
    "glun2b_block",
    "glun2cd_block",
    "rate_hz",
    "activity_fold",
    "nmda_ca_fold",
    "resting_nmda_ca_fold",
];

/// Column names of `drugs.csv`.
pub const DRUG_COLUMNS: &[&str] = &["time_ms", "drug", "plasma_ng_per_ml", "brain_free_um"];

/// Column names of `glutamate.csv`.
pub const GLUTAMATE_COLUMNS: &[&str] = &["time_ms", "region", "glutamate_um", "glutamate_pct"];

/// The pharmacology of a simulation.
#[derive(Resource)]
pub struct Pharmacology {
    /// Drug levels.
    pub levels: Box<dyn DrugLevels>,
    /// Effects, each with its drug index.
    pub actions: Vec<(usize, DrugAction)>,
    /// Chronic stress, if any.
    pub stress: Option<Box<dyn StressLevel>>,
    /// Mechanism switches.
    pub mechanisms: BlockMechanisms,
    /// Populations with NMDA receptors or signalling, in population order.
    pub populations: Vec<PopulationPharmacology>,
    /// Glutamate pools, one per region.
    pub regions: Vec<RegionGlutamate>,
    /// Per-neuron activity measurement and baseline.
    pub activity: NeuronActivity,
    /// Signalling of every neuron.
    pub signalling: Signalling,
    /// Signalling parameters.
    pub signalling_params: SignallingParams,
    /// Tables.
    pub tables: PharmacologyTables,
    /// Recording period, slow steps.
    pub record_every_slow_steps: u64,
    /// Slow steps done.
    pub slow_steps: u64,
    /// Step, ms.
    pub dt_ms: f64,
    /// Model time of the last update, s.
    pub last_update_s: f64,
    /// Peaks so far, for `summary.json`.
    pub peaks: Peaks,
    // Scratch for signalling inputs (no allocation per step).
    activity_fold: Vec<f32>,
    nmda_fold: Vec<f32>,
    resting_nmda_fold: Vec<f32>,
}

/// What of a [`Pharmacology`] a checkpoint keeps: everything that changes during a run.
/// Parameters, drug actions, the stress protocol and the tables come from the scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PharmacologyState {
    /// Drug levels.
    pub levels: PkState,
    /// Block state per population.
    pub populations: Vec<PopulationPharmacology>,
    /// Glutamate pools.
    pub regions: Vec<RegionGlutamate>,
    /// Activity measurement and baseline.
    pub activity: NeuronActivity,
    /// Signalling of every neuron.
    pub signalling: Signalling,
    /// Slow steps done.
    pub slow_steps: u64,
    /// Model time of the last update, s.
    pub last_update_s: f64,
    /// Peaks so far.
    pub peaks: Peaks,
}

impl Pharmacology {
    /// The state to save in a checkpoint.
    pub fn save_state(&self) -> PharmacologyState {
        PharmacologyState {
            levels: self.levels.state(),
            populations: self.populations.clone(),
            regions: self.regions.clone(),
            activity: self.activity.clone(),
            signalling: self.signalling.clone(),
            slow_steps: self.slow_steps,
            last_update_s: self.last_update_s,
            peaks: self.peaks.clone(),
        }
    }

    /// Takes over a saved state. Fails, changing nothing, when the state belongs to another
    /// network or drug list.
    pub fn restore_state(&mut self, state: PharmacologyState) -> Result<(), String> {
        let names = |p: &[PopulationPharmacology]| p.iter().map(|p| p.name).collect::<Vec<_>>();
        if names(&state.populations) != names(&self.populations)
            || state.activity.len() != self.activity.len()
            || state.regions.len() != self.regions.len()
        {
            return Err(format!(
                "its pharmacology covers populations [{}], this scenario's [{}]",
                names(&state.populations).join(", "),
                names(&self.populations).join(", ")
            ));
        }
        self.levels.restore(&state.levels)?;
        self.populations = state.populations;
        self.regions = state.regions;
        self.activity = state.activity;
        self.signalling = state.signalling;
        self.slow_steps = state.slow_steps;
        self.last_update_s = state.last_update_s;
        self.peaks = state.peaks;
        Ok(())
    }

    /// A pharmacology at baseline: nothing bound, signalling at its steady state.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        levels: Box<dyn DrugLevels>,
        actions: Vec<(usize, DrugAction)>,
        stress: Option<Box<dyn StressLevel>>,
        mechanisms: BlockMechanisms,
        populations: Vec<PopulationPharmacology>,
        regions: Vec<RegionGlutamate>,
        activity: NeuronActivity,
        signalling_params: SignallingParams,
        tables: PharmacologyTables,
        record_every_slow_steps: u64,
        dt_ms: f64,
    ) -> Self {
        let n = activity.len();
        Self {
            levels,
            actions,
            stress,
            mechanisms,
            populations,
            regions,
            activity,
            signalling: Signalling::at_baseline(n),
            signalling_params,
            tables,
            record_every_slow_steps: record_every_slow_steps.max(1),
            slow_steps: 0,
            dt_ms,
            last_update_s: 0.0,
            peaks: Peaks::default(),
            activity_fold: vec![1.0; n],
            nmda_fold: vec![1.0; n],
            resting_nmda_fold: vec![1.0; n],
        }
    }

    /// Number of pore blockers.
    pub fn n_pore_drugs(&self) -> usize {
        self.actions
            .iter()
            .filter(|(_, a)| matches!(a, DrugAction::Pore(_)))
            .count()
    }

    fn mtorc1_inhibition(&self) -> f64 {
        let free = self.actions.iter().fold(1.0, |free, (d, a)| match a {
            DrugAction::Mtorc1 { ic50_um } => {
                let c = self.levels.brain_free_um(*d).max(0.0);
                free * (1.0 - c / (c + ic50_um))
            }
            _ => free,
        });
        1.0 - free
    }

    /// What the slow systems hand the spiking network, per population entry: the mean NMDA
    /// block (the drug's direct, fast effect) and the mean synaptic AMPA content (the
    /// slower one through synthesis). Both are smooth functions of model time — no spike
    /// noise — so their change between two spiking windows says how stale the held
    /// activity has become (the adaptive window placement of `[simulation.windows]`).
    pub fn network_drive(&self) -> Vec<f64> {
        let mut drive = Vec::with_capacity(2 * self.populations.len());
        for (p, pop) in self.populations.iter().enumerate() {
            let block = self.class_block(p);
            drive.push((0..3).map(|c| block[c] * pop.class_fraction[c]).sum());
            drive.push(
                self.signalling
                    .mean(Species::AmpaContent, self.activity.range_of(p)),
            );
        }
        drive
    }

    /// Mean blocked fraction of each class in population entry `p` (weighted over neurons).
    pub fn class_block(&self, p: usize) -> [f64; 3] {
        let pop = &self.populations[p];
        let n = pop.weight_in_ns.len().max(1) as f64;
        let mut out = [0.0; 3];
        for (c, o) in out.iter_mut().enumerate() {
            if pop.class_fraction[c] <= 0.0 {
                continue;
            }
            let allosteric = self.allosteric_inhibitions(c);
            let mut sum = 0.0;
            for i in 0..pop.weight_in_ns.len() {
                let bound: f64 = pop.bound.iter().map(|b| f64::from(b[c][i])).sum();
                sum += 1.0 - unblocked_fraction(bound, &allosteric);
            }
            *o = sum / n;
        }
        out
    }

    fn allosteric_inhibitions(&self, class: usize) -> Vec<f64> {
        self.actions
            .iter()
            .filter_map(|(d, a)| match a {
                DrugAction::Allosteric(x) => {
                    Some(x.inhibition(class, self.levels.brain_free_um(*d)))
                }
                _ => None,
            })
            .collect()
    }
}

impl PopulationPharmacology {
    /// Updates the bound fractions over `dt_s` and writes the unblocked shares to the
    /// neuron kernel's columns. `pore` lists (concentration, parameters) of the pore
    /// blockers in a fixed order; `allosteric[class]` the fraction each allosteric drug
    /// inhibits.
    ///
    /// `resting_nmda_fold` receives each neuron's miniature NMDA Ca²⁺ entry at rest
    /// relative to drug-free: Σ_c share_c · unblocked_c. Spontaneous release goes on
    /// whatever the network does, so this — not the evoked NMDA entry — is what an NMDA
    /// antagonist takes from eEF2 kinase at rest (Sutton et al. 2007 Neuron 55:648; Autry
    /// et al. 2011 Nature 475:91; Nosyreva et al. 2013 J Neurosci 33:6990). Simplification:
    /// the mini rate per neuron is held at baseline (spine gain or loss does not change it).
    fn update_block(
        &mut self,
        groups: &mut NeuronGroups,
        pore: &[(f64, ChannelBlock)],
        allosteric: &[Vec<f64>; 3],
        mechanisms: &BlockMechanisms,
        dt_s: f64,
        resting_nmda_fold: &mut [f32],
    ) {
        let group = groups.group_mut(self.population);
        let mut exposure = group.nmda_exposure();
        let n = self.weight_in_ns.len();
        if exposure.steps > 0 {
            let steps = f64::from(exposure.steps);
            for (c, peak_open) in PEAK_OPEN_PROBABILITY.iter().enumerate() {
                if self.peak_per_weight[c] <= 0.0 || exposure.open[c].is_empty() {
                    continue;
                }
                for i in 0..n {
                    let capacity = self.peak_per_weight[c] * f64::from(self.weight_in_ns[i]);
                    let scale = if capacity > 0.0 {
                        peak_open / (capacity * steps)
                    } else {
                        0.0
                    };
                    self.seen_open[c][i] =
                        (f64::from(exposure.open[c][i]) * scale).clamp(0.0, 1.0) as f32;
                    self.seen_open_mg_free[c][i] = (f64::from(exposure.open_mg_free[c][i]) * scale)
                        .clamp(0.0, f64::from(self.seen_open[c][i]))
                        as f32;
                }
            }
            for i in 0..n {
                let mut ca = 0.0;
                for c in 0..3 {
                    if let (Some(m), Some(f)) =
                        (exposure.open_mg_free[c].get(i), exposure.free[c].get(i))
                    {
                        ca += f64::from(*m) * f64::from(*f);
                    }
                }
                self.nmda_ca_ns[i] = (ca / steps) as f32;
            }
            exposure.reset();
        }
        for c in 0..3 {
            // A class absent from the cell (its kernel slot may exist as a zero-gain
            // placeholder) holds no receptors to block.
            if exposure.free[c].is_empty() || self.class_fraction[c] <= 0.0 {
                continue;
            }
            let class = if mechanisms.subunit_selectivity { c } else { 0 };
            for i in 0..n {
                let (open, open_mg_free) = (
                    f64::from(self.seen_open[c][i]),
                    f64::from(self.seen_open_mg_free[c][i]),
                );
                let seen = if mechanisms.use_dependence {
                    OpenStatistics { open, open_mg_free }
                } else {
                    // Always "open": only the Mg²⁺ competition at the cell's voltage remains.
                    let mg_free = if open > 0.0 {
                        open_mg_free / open
                    } else {
                        self.mg_free_at_rest[c]
                    };
                    OpenStatistics {
                        open: 1.0,
                        open_mg_free: mg_free,
                    }
                };
                let mut total: f64 = self.bound.iter().map(|b| f64::from(b[c][i])).sum();
                for (d, (conc_um, block)) in pore.iter().enumerate() {
                    let b = f64::from(self.bound[d][c][i]);
                    let capacity = 1.0 - (total - b);
                    let next = advance_block(block, class, b, capacity, *conc_um, seen, dt_s);
                    total += next - b;
                    self.bound[d][c][i] = next as f32;
                }
                exposure.free[c][i] = unblocked_fraction(total, &allosteric[c]) as f32;
            }
        }
        if self.mini_nmda_share.iter().sum::<f64>() > 0.0 {
            for (i, fold) in resting_nmda_fold.iter_mut().enumerate() {
                let mut sum = 0.0;
                for (c, share) in self.mini_nmda_share.iter().enumerate() {
                    if *share > 0.0 {
                        sum += share * f64::from(exposure.free[c][i]);
                    }
                }
                *fold = sum as f32;
            }
        }
    }
}

/// Fast schedule, record stage: counts spiking steps, so the slow update knows whether an
/// interval had spiking (quiet stretches hold the last statistics).
pub fn count_spiking_steps(mut pharmacology: ResMut<Pharmacology>) {
    pharmacology.activity.count_step();
}

/// Slow schedule: drugs → block → activity and glutamate → signalling → spine drive →
/// tables (module docs).
pub fn update_pharmacology(
    clock: Res<SimClock>,
    mut pharmacology: ResMut<Pharmacology>,
    mut groups: ResMut<NeuronGroups>,
    statistics: Res<SpikeStatistics>,
    spines: Option<ResMut<Spines>>,
    mut tables: ResMut<TableMonitor>,
) {
    let ph = &mut *pharmacology;
    // The slow schedule runs at the end of a step: the state is that of the step's end.
    let step_end = clock.step() + 1;
    let t_s = step_end as f64 * ph.dt_ms / 1000.0;
    let dt_s = (t_s - ph.last_update_s).max(0.0);
    ph.last_update_s = t_s;
    ph.levels.advance_to(t_s);

    // 1–2. Block.
    let pore: Vec<(f64, ChannelBlock)> = ph
        .actions
        .iter()
        .filter_map(|(d, a)| match a {
            DrugAction::Pore(b) => Some((ph.levels.brain_free_um(*d), *b)),
            _ => None,
        })
        .collect();
    let allosteric: [Vec<f64>; 3] = [0, 1, 2].map(|class| ph.allosteric_inhibitions(class));
    for (p, pop) in ph.populations.iter_mut().enumerate() {
        let resting = &mut ph.resting_nmda_fold[ph.activity.range_of(p)];
        pop.update_block(
            &mut groups,
            &pore,
            &allosteric,
            &ph.mechanisms,
            dt_s,
            resting,
        );
    }

    // 3. Activity relative to baseline, and glutamate.
    ph.activity
        .update(statistics.counts(), &ph.populations, t_s);
    for region in &mut ph.regions {
        let rate = ph.activity.mean_rate_hz(&region.glutamatergic);
        region.advance(rate, ph.activity.in_baseline(), dt_s);
    }
    ph.activity
        .folds(&ph.populations, &mut ph.activity_fold, &mut ph.nmda_fold);

    // 4. Signalling.
    let corticosterone = ph
        .stress
        .as_ref()
        .map_or(1.0, |s| s.corticosterone_fold(t_s));
    let mtorc1_inhibition = ph.mtorc1_inhibition();
    if dt_s > 0.0 {
        ph.signalling.step(
            &ph.signalling_params,
            &SignallingInputs {
                activity_fold: &ph.activity_fold,
                resting_nmda_fold: &ph.resting_nmda_fold,
                mtorc1_inhibition,
                corticosterone_fold: corticosterone,
                ampk_fold: 1.0,
            },
            dt_s,
        );
    }

    // 5. Spine drive.
    if let Some(mut spines) = spines {
        for target in &mut spines.targets {
            let first = target.first as usize;
            for (i, drive) in target.drive.iter_mut().enumerate() {
                *drive = ph
                    .signalling
                    .spine_drive(&ph.signalling_params, first + i)
                    .into();
            }
        }
    }

    // 6. Tables.
    ph.slow_steps += 1;
    if ph.slow_steps.is_multiple_of(ph.record_every_slow_steps) {
        record(&mut *ph, step_end, corticosterone, &mut tables);
    }
}

fn record(ph: &mut Pharmacology, step_end: u64, corticosterone: f64, tables: &mut TableMonitor) {
    let t = Cell::Step(step_end);
    let time_ms = step_end as f64 * ph.dt_ms;
    let n_drugs = ph.levels.names().len();
    ph.peaks.drugs.resize(n_drugs, (0.0, 0.0, 0.0));
    for d in 0..n_drugs {
        let (plasma, brain) = (ph.levels.plasma_ng_per_ml(d), ph.levels.brain_free_um(d));
        let peak = &mut ph.peaks.drugs[d];
        peak.0 = peak.0.max(plasma);
        if brain > peak.1 {
            (peak.1, peak.2) = (brain, time_ms);
        }
    }
    ph.peaks.block.resize(ph.populations.len(), 0.0);
    for p in 0..ph.populations.len() {
        let block = ph.class_block(p);
        let mean: f64 = (0..3)
            .map(|c| block[c] * ph.populations[p].class_fraction[c])
            .sum();
        ph.peaks.block[p] = ph.peaks.block[p].max(mean);
    }
    ph.peaks.glutamate_pct.resize(ph.regions.len(), 0.0);
    for (peak, region) in ph.peaks.glutamate_pct.iter_mut().zip(&ph.regions) {
        *peak = peak.max(region.percent_of_baseline());
    }
    let ph = &*ph;
    for (d, name) in ph.levels.names().iter().enumerate() {
        tables.push(
            ph.tables.drugs,
            &[
                t,
                Cell::Text(synaptogen_engine::labels::label(name)),
                Cell::F64(ph.levels.plasma_ng_per_ml(d)),
                Cell::F64(ph.levels.brain_free_um(d)),
            ],
        );
    }
    for (p, pop) in ph.populations.iter().enumerate() {
        let block = ph.class_block(p);
        let mean: f64 = (0..3).map(|c| block[c] * pop.class_fraction[c]).sum();
        let range = ph.activity.range_of(p);
        tables.push(
            ph.tables.block,
            &[
                t,
                Cell::Text(pop.name),
                Cell::F64(mean),
                Cell::F64(block[0]),
                Cell::F64(block[1]),
                Cell::F64(block[2]),
                Cell::F64(ph.activity.mean_rate_hz(std::slice::from_ref(&p))),
                Cell::F64(mean_of(&ph.activity_fold[range.clone()])),
                Cell::F64(mean_of(&ph.nmda_fold[range.clone()])),
                Cell::F64(mean_of(&ph.resting_nmda_fold[range.clone()])),
            ],
        );
        let mut row = vec![t, Cell::Text(pop.name), Cell::F64(corticosterone)];
        for s in Species::ALL {
            row.push(Cell::F64(ph.signalling.mean(s, range.clone())));
        }
        let mut drive = [0.0; 4];
        for i in range.clone() {
            let d = ph.signalling.spine_drive(&ph.signalling_params, i);
            drive[0] += d.formation_fold;
            drive[1] += d.elimination_fold;
            drive[2] += d.enlargement_fold;
            drive[3] += d.dendrite_length_fold;
        }
        let n = range.len().max(1) as f64;
        row.extend(drive.map(|x| Cell::F64(x / n)));
        tables.push(ph.tables.signalling, &row);
    }
    for region in &ph.regions {
        tables.push(
            ph.tables.glutamate,
            &[
                t,
                Cell::Text(region.name),
                Cell::F64(region.glutamate_um),
                Cell::F64(region.percent_of_baseline()),
            ],
        );
    }
}

fn mean_of(x: &[f32]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    x.iter().map(|&v| f64::from(v)).sum::<f64>() / x.len() as f64
}

impl BlockMechanisms {
    /// Every parameter outside its allowed range.
    pub fn check(&self, c: &mut Checker<'_>) {
        if let Some(r) = self.uniform_nmda_ampa_ratio {
            c.non_negative("uniform_nmda_ampa_ratio", r);
        }
    }
}
