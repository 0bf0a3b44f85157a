//! The scenario file format, version 1 (`schema_version = 1`).
//!
//! Every table refuses unknown keys; every quantity carries its unit in its key; every
//! optional key has a documented default. `assets/scenarios/README.md` is the user's guide.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use synaptogen_engine::ValueDistribution;
use synaptogen_engine::connectivity::ConnectionRule;
use synaptogen_models::neuron::Integrator;
use synaptogen_models::plasticity::{CalciumParams, ScalingParams, StdpPairParams, TripletParams};
use synaptogen_models::spines::{Compartment, SpineParams};
use synaptogen_models::{Environment, Transmitter};

pub use crate::pharmacology::{Intervention, PharmacologySpec, WindowSpec};

/// The scenario schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A scenario: what to simulate, for how long, and what to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Version of this format (must be [`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Short name (used for the default output folder).
    #[serde(default)]
    pub name: String,
    /// What the scenario is for.
    #[serde(default)]
    pub description: String,
    /// Clock, duration, seed, integrator.
    pub simulation: SimulationSettings,
    /// Conditions shared by all cells (extracellular Mg²⁺, subunit-selective antagonists).
    #[serde(default)]
    pub environment: Environment,
    /// Spine sizes, turnover and consolidation (for cell types with `[dendrites]`).
    #[serde(default)]
    pub spines: SpineParams,
    /// Cell types defined or adapted here (`extends = "<library type>"` plus changed keys).
    /// Resolved into full definitions when the scenario is loaded.
    #[serde(default)]
    pub cell_types: BTreeMap<String, toml::Table>,
    /// Neuron populations by name.
    pub populations: BTreeMap<String, PopulationSpec>,
    /// Synaptic projections by name.
    #[serde(default)]
    pub projections: BTreeMap<String, ProjectionSpec>,
    /// External inputs by name.
    #[serde(default)]
    pub inputs: BTreeMap<String, InputSpec>,
    /// What to record.
    #[serde(default)]
    pub recording: RecordingSpec,
    /// Drugs, glutamate, signalling and stress settings (present, or implied by
    /// `[[interventions]]`, to model them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pharmacology: Option<PharmacologySpec>,
    /// Doses and stress protocols, in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<Intervention>,
    /// Published results the scenario is checked against, tabled in its runs' reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<crate::targets::Target>,
}

/// `[simulation]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSettings {
    /// Model time to simulate, ms.
    pub duration_ms: f64,
    /// Step, ms (default 0.1 ms, the field's standard for LIF networks: Brette et al. 2007).
    #[serde(default = "defaults::dt_ms")]
    pub dt_ms: f64,
    /// Master seed of every random stream (default 1). `--seed` overrides it.
    #[serde(default = "defaults::seed")]
    pub seed: u64,
    /// Membrane integration scheme (default `exponential_euler`).
    #[serde(default)]
    pub integrator: Integrator,
    /// Period of the slow (signalling) schedule, ms (default 1000 ms, DESIGN.md).
    #[serde(default = "defaults::slow_dt_ms")]
    pub slow_dt_ms: f64,
    /// Period of the structural schedule, ms (default 60 000 ms, DESIGN.md).
    #[serde(default = "defaults::structural_dt_ms")]
    pub structural_dt_ms: f64,
    /// Model time after the spiking part in which only slow and structural processes run
    /// (no spikes), ms (default 0). For days of spine turnover at baseline.
    #[serde(default)]
    pub quiet_after_ms: f64,
    /// `full` (spiking throughout: the ground truth) or `bridged` (spiking windows, see
    /// `windows`). Default: `bridged` when `windows` is given, else `full`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<TimeMode>,
    /// Spiking windows of the bridged mode (default with `mode = "bridged"`:
    /// [`WindowSpec::default_bridged`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<WindowSpec>,
}

/// How a run covers model time (DESIGN.md, "Time scales").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeMode {
    /// Every step spikes.
    Full,
    /// Spiking windows bridged by the slow systems.
    Bridged,
}

impl SimulationSettings {
    /// The windows the run uses: none in full mode, the scenario's or the default ones in
    /// bridged mode.
    pub fn bridging(&self) -> Option<WindowSpec> {
        match self.mode {
            Some(TimeMode::Full) => None,
            Some(TimeMode::Bridged) => {
                Some(self.windows.unwrap_or_else(WindowSpec::default_bridged))
            }
            None => self.windows,
        }
    }
}

/// `[populations.NAME]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// Cell type: a built-in type (`synaptogen list`) or one in `[cell_types]`.
    pub cell_type: String,
    /// Number of neurons.
    pub size: u32,
    /// Brain region, for grouping outputs (default "default").
    #[serde(default = "defaults::region")]
    pub region: String,
    /// Initial state variables (`v_mv`, `g_ampa_ns`, `g_gaba_a_ns`, `w_adapt_pa`), each a
    /// number or a distribution drawn per neuron. Unset: V at rest, no conductance.
    #[serde(default)]
    pub initial: BTreeMap<String, ValueDistribution>,
}

/// `[projections.NAME]`: synapses from one population onto another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectionSpec {
    /// Presynaptic population (its cell type's transmitter decides the receptors).
    pub source: String,
    /// Postsynaptic population.
    pub target: String,
    /// Connection rule: `{ kind = "pairwise_bernoulli", p = ... }` or
    /// `{ kind = "fixed_in_degree", k = ... }`.
    pub connectivity: ConnectionRule,
    /// Peak conductance per synapse, nS (AMPA for glutamate, GABA-A for GABA).
    pub weight_ns: ValueDistribution,
    /// Axonal delay, ms; rounded to whole steps, at least one (default 1 ms, NEST's default).
    #[serde(default = "defaults::delay_ms")]
    pub delay_ms: ValueDistribution,
    /// Allow self-connections when source = target (default false).
    #[serde(default)]
    pub autapses: bool,
    /// Allow several synapses per pair under `fixed_in_degree` (default false).
    #[serde(default)]
    pub multapses: bool,
    /// Plasticity rule of the projection (default: static synapses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plasticity: Option<PlasticitySpec>,
    /// Homeostatic scaling of the targets' weights in this projection (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homeostasis: Option<ScalingParams>,
    /// Dendritic compartment of the synapses onto spiny cells (default: `any`, by the cell
    /// type's dendrite proportions).
    #[serde(default)]
    pub compartment: CompartmentSpec,
}

/// Where on a spiny target a projection's spines sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompartmentSpec {
    /// Any compartment, in proportion to its dendrite length.
    #[default]
    Any,
    /// Apical trunk and obliques.
    Proximal,
    /// Basal dendrites.
    Basal,
    /// Apical tuft.
    ApicalTuft,
}

impl CompartmentSpec {
    /// The one compartment, if one is named.
    pub fn only(self) -> Option<Compartment> {
        match self {
            Self::Any => None,
            Self::Proximal => Some(Compartment::Proximal),
            Self::Basal => Some(Compartment::Basal),
            Self::ApicalTuft => Some(Compartment::ApicalTuft),
        }
    }
}

/// `plasticity = { rule = "...", ... }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PlasticitySpec {
    /// Additive pair STDP with hard bounds in nS (plain synapses).
    StdpPair(StdpPairParams),
    /// Triplet STDP (Pfister & Gerstner 2006); defaults: visual cortex, all-to-all.
    StdpTriplet(TripletSpec),
    /// The calcium-based rule (Graupner & Brunel 2012); defaults: the "DP" set.
    Calcium(CalciumParams),
}

/// `rule = "stdp_triplet"`: the rule's parameters, and weight bounds for plain synapses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TripletSpec {
    /// r₁ time constant, ms.
    #[serde(default = "triplet::tau_plus_ms")]
    pub tau_plus_ms: f64,
    /// o₁ time constant, ms.
    #[serde(default = "triplet::tau_minus_ms")]
    pub tau_minus_ms: f64,
    /// r₂ time constant, ms.
    #[serde(default = "triplet::tau_x_ms")]
    pub tau_x_ms: f64,
    /// o₂ time constant, ms.
    #[serde(default = "triplet::tau_y_ms")]
    pub tau_y_ms: f64,
    /// Pair potentiation, efficacy units.
    #[serde(default = "triplet::a2_plus")]
    pub a2_plus: f64,
    /// Triplet potentiation.
    #[serde(default = "triplet::a3_plus")]
    pub a3_plus: f64,
    /// Pair depression.
    #[serde(default = "triplet::a2_minus")]
    pub a2_minus: f64,
    /// Triplet depression.
    #[serde(default = "triplet::a3_minus")]
    pub a3_minus: f64,
    /// Weight at efficacy 0, nS (plain synapses; spines scale with volume instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w_min_ns: Option<f64>,
    /// Weight at efficacy 1, nS (plain synapses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w_max_ns: Option<f64>,
}

impl TripletSpec {
    /// The rule's parameters.
    pub fn params(&self) -> TripletParams {
        TripletParams {
            tau_plus_ms: self.tau_plus_ms,
            tau_minus_ms: self.tau_minus_ms,
            tau_x_ms: self.tau_x_ms,
            tau_y_ms: self.tau_y_ms,
            a2_plus: self.a2_plus,
            a3_plus: self.a3_plus,
            a2_minus: self.a2_minus,
            a3_minus: self.a3_minus,
        }
    }
}

/// Defaults of `stdp_triplet`: Pfister & Gerstner (2006) visual cortex, all-to-all, full.
mod triplet {
    use super::TripletParams;

    pub fn tau_plus_ms() -> f64 {
        TripletParams::visual_cortex().tau_plus_ms
    }
    pub fn tau_minus_ms() -> f64 {
        TripletParams::visual_cortex().tau_minus_ms
    }
    pub fn tau_x_ms() -> f64 {
        TripletParams::visual_cortex().tau_x_ms
    }
    pub fn tau_y_ms() -> f64 {
        TripletParams::visual_cortex().tau_y_ms
    }
    pub fn a2_plus() -> f64 {
        TripletParams::visual_cortex().a2_plus
    }
    pub fn a3_plus() -> f64 {
        TripletParams::visual_cortex().a3_plus
    }
    pub fn a2_minus() -> f64 {
        TripletParams::visual_cortex().a2_minus
    }
    pub fn a3_minus() -> f64 {
        TripletParams::visual_cortex().a3_minus
    }
}

/// `[inputs.NAME]`: external drive, by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputSpec {
    /// Independent Poisson trains onto every neuron of `target`.
    Poisson(PoissonSpec),
    /// Constant current from `start_ms` to `stop_ms`.
    Dc(DcSpec),
    /// Piecewise-constant current: `amplitudes_pa[i]` from `times_ms[i]` on.
    Step(StepSpec),
    /// Neurons made to fire at given times.
    Spikes(SpikesSpec),
    /// High-frequency tetanus (default 100 Hz for 1 s).
    Tetanus(TetanusSpec),
    /// Theta-burst stimulation (default 10 bursts of 4 at 100 Hz, 5 Hz).
    ThetaBurst(ThetaBurstSpec),
    /// Low-frequency stimulation (default 900 pulses at 1 Hz).
    Lfs(LfsSpec),
    /// Pre/post spike pairs at fixed intervals.
    Pairing(PairingSpec),
}

/// `kind = "spikes"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpikesSpec {
    /// Stimulated population.
    pub target: String,
    /// Local neuron indices (default: all, unless `fraction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurons: Option<Vec<u32>>,
    /// The first ⌈fraction · size⌉ neurons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Spike times, ms.
    pub times_ms: Vec<f64>,
}

/// `kind = "tetanus"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TetanusSpec {
    /// Stimulated population.
    pub target: String,
    /// Local neuron indices (default: all, unless `fraction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurons: Option<Vec<u32>>,
    /// The first ⌈fraction · size⌉ neurons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Onset, ms.
    #[serde(default)]
    pub start_ms: f64,
    /// Pulse rate, Hz (default 100).
    #[serde(default = "defaults::tetanus_hz")]
    pub rate_hz: f64,
    /// Train length, ms (default 1000).
    #[serde(default = "defaults::tetanus_ms")]
    pub duration_ms: f64,
    /// Trains (default 1; three 10 min apart give late LTP: Frey & Morris 1997).
    #[serde(default = "defaults::one")]
    pub trains: u32,
    /// Onset-to-onset interval of trains, ms (default 600 000).
    #[serde(default = "defaults::train_interval_ms")]
    pub train_interval_ms: f64,
}

/// `kind = "theta_burst"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThetaBurstSpec {
    /// Stimulated population.
    pub target: String,
    /// Local neuron indices (default: all, unless `fraction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurons: Option<Vec<u32>>,
    /// The first ⌈fraction · size⌉ neurons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Onset, ms.
    #[serde(default)]
    pub start_ms: f64,
    /// Bursts per train (default 10; Larson & Lynch 1986).
    #[serde(default = "defaults::bursts")]
    pub bursts: u32,
    /// Burst rate, Hz (default 5: theta).
    #[serde(default = "defaults::theta_hz")]
    pub burst_rate_hz: f64,
    /// Pulses per burst (default 4).
    #[serde(default = "defaults::burst_spikes")]
    pub spikes_per_burst: u32,
    /// Rate within a burst, Hz (default 100).
    #[serde(default = "defaults::tetanus_hz")]
    pub intra_burst_hz: f64,
    /// Trains (default 1).
    #[serde(default = "defaults::one")]
    pub trains: u32,
    /// Onset-to-onset interval of trains, ms (default 600 000).
    #[serde(default = "defaults::train_interval_ms")]
    pub train_interval_ms: f64,
}

/// `kind = "lfs"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfsSpec {
    /// Stimulated population.
    pub target: String,
    /// Local neuron indices (default: all, unless `fraction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurons: Option<Vec<u32>>,
    /// The first ⌈fraction · size⌉ neurons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Onset, ms.
    #[serde(default)]
    pub start_ms: f64,
    /// Pulse rate, Hz (default 1: Dudek & Bear 1992).
    #[serde(default = "defaults::lfs_hz")]
    pub rate_hz: f64,
    /// Pulses (default 900).
    #[serde(default = "defaults::lfs_pulses")]
    pub pulses: u32,
}

/// `kind = "pairing"`: pre neurons fire at t, post neurons at t + Δt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairingSpec {
    /// Presynaptic population.
    pub target: String,
    /// Its stimulated neurons (default: all, unless `fraction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurons: Option<Vec<u32>>,
    /// The first ⌈fraction · size⌉ neurons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Postsynaptic population.
    pub post_target: String,
    /// Its stimulated neurons (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_neurons: Option<Vec<u32>>,
    /// Δt = t_post − t_pre, ms: one value, or a list that splits the pre and post neurons
    /// into as many equal consecutive blocks (block *i* paired at Δtᵢ).
    pub dt_ms: DtSpec,
    /// Pairs (default 60: Graupner & Brunel 2012).
    #[serde(default = "defaults::pairs")]
    pub pairs: u32,
    /// Pair rate, Hz (default 1).
    #[serde(default = "defaults::lfs_hz")]
    pub rate_hz: f64,
    /// Time of the first pair's earlier spike, ms.
    #[serde(default)]
    pub start_ms: f64,
}

/// One Δt or one per block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DtSpec {
    /// The same Δt for every neuron.
    One(f64),
    /// One Δt per block of neurons.
    Blocks(Vec<f64>),
}

impl DtSpec {
    /// The values.
    pub fn values(&self) -> Vec<f64> {
        match self {
            Self::One(v) => vec![*v],
            Self::Blocks(v) => v.clone(),
        }
    }
}

/// `kind = "poisson"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoissonSpec {
    /// Target population.
    pub target: String,
    /// Trains per target neuron (default 1).
    #[serde(default = "defaults::n_sources")]
    pub n_sources: f64,
    /// Rate of each train, Hz.
    pub rate_hz: f64,
    /// Peak conductance per event, nS.
    pub weight_ns: f64,
    /// Transmitter of the input (default glutamate).
    #[serde(default = "defaults::transmitter")]
    pub transmitter: Transmitter,
}

/// `kind = "dc"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcSpec {
    /// Target population.
    pub target: String,
    /// Local neuron indices (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurons: Option<Vec<u32>>,
    /// Current, pA (positive depolarises).
    pub amplitude_pa: f64,
    /// Onset, ms (default 0).
    #[serde(default)]
    pub start_ms: f64,
    /// Offset, ms (default: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_ms: Option<f64>,
}

/// `kind = "step"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Target population.
    pub target: String,
    /// Local neuron indices (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurons: Option<Vec<u32>>,
    /// Times of the changes, ms, increasing.
    pub times_ms: Vec<f64>,
    /// Current from each time on, pA.
    pub amplitudes_pa: Vec<f64>,
}

/// `[recording]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingSpec {
    /// Populations whose spikes go to `spikes.csv` (default: all; `[]` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spikes: Option<Vec<String>>,
    /// Bin of `rates.csv`, ms (default 10 ms).
    #[serde(default = "defaults::rate_bin_ms")]
    pub rate_bin_ms: f64,
    /// Sampling period of `state.csv`, ms (default 1 ms).
    #[serde(default = "defaults::state_every_ms")]
    pub state_every_ms: f64,
    /// State variables to sample (`[[recording.state]]` tables).
    #[serde(default)]
    pub state: Vec<StateSpec>,
    /// Period of `weights.csv` (per plastic projection: mean, sd, range of weights) and
    /// `weight_samples.csv`, ms (default: not recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights_every_ms: Option<f64>,
    /// Synapses per plastic projection followed in `weight_samples.csv` (default 5).
    #[serde(default = "defaults::weight_samples")]
    pub weight_samples: u32,
    /// Projections whose every synapse is written to `synapses.csv` at the end.
    #[serde(default)]
    pub synapses_at_end: Vec<String>,
}

impl Default for RecordingSpec {
    fn default() -> Self {
        Self {
            spikes: None,
            rate_bin_ms: defaults::rate_bin_ms(),
            state_every_ms: defaults::state_every_ms(),
            state: Vec::new(),
            weights_every_ms: None,
            weight_samples: defaults::weight_samples(),
            synapses_at_end: Vec::new(),
        }
    }
}

/// `[[recording.state]]`: variables of chosen neurons of one population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateSpec {
    /// Population.
    pub population: String,
    /// Local neuron indices.
    pub neurons: Vec<u32>,
    /// Variables: `v_mv`, `g_ampa_ns`, `g_nmda_ns`, `nmda_unblocked`, `g_gaba_a_ns`,
    /// `w_adapt_pa`, `i_ext_pa`.
    pub variables: Vec<String>,
}

/// Defaults, each with its reason.
mod defaults {
    use super::*;

    pub fn dt_ms() -> f64 {
        0.1
    }
    pub fn seed() -> u64 {
        1
    }
    pub fn slow_dt_ms() -> f64 {
        1000.0
    }
    pub fn structural_dt_ms() -> f64 {
        60_000.0
    }
    pub fn region() -> String {
        "default".to_owned()
    }
    pub fn delay_ms() -> ValueDistribution {
        ValueDistribution::Constant(1.0)
    }
    pub fn n_sources() -> f64 {
        1.0
    }
    pub fn transmitter() -> Transmitter {
        Transmitter::Glutamate
    }
    pub fn rate_bin_ms() -> f64 {
        10.0
    }
    pub fn state_every_ms() -> f64 {
        1.0
    }
    pub fn weight_samples() -> u32 {
        5
    }
    pub fn tetanus_hz() -> f64 {
        100.0
    }
    pub fn tetanus_ms() -> f64 {
        1000.0
    }
    pub fn one() -> u32 {
        1
    }
    pub fn train_interval_ms() -> f64 {
        600_000.0
    }
    pub fn bursts() -> u32 {
        10
    }
    pub fn theta_hz() -> f64 {
        5.0
    }
    pub fn burst_spikes() -> u32 {
        4
    }
    pub fn lfs_hz() -> f64 {
        1.0
    }
    pub fn lfs_pulses() -> u32 {
        900
    }
    pub fn pairs() -> u32 {
        60
    }
}
