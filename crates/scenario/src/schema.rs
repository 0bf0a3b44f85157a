//! The scenario file format, version 1 (`schema_version = 1`).
//!
//! Every table refuses unknown keys; every quantity carries its unit in its key; every
//! optional key has a documented default. `assets/scenarios/README.md` is the user's guide.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use synaptogen_engine::ValueDistribution;
use synaptogen_engine::connectivity::ConnectionRule;
use synaptogen_models::neuron::Integrator;
use synaptogen_models::plasticity::StdpPairParams;
use synaptogen_models::{Environment, Transmitter};

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
    /// Conditions shared by all cells (extracellular Mg²⁺).
    #[serde(default)]
    pub environment: Environment,
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
}

/// `plasticity = { rule = "stdp_pair", ... }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PlasticitySpec {
    /// Additive pair STDP with hard bounds.
    StdpPair(StdpPairParams),
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
}

impl Default for RecordingSpec {
    fn default() -> Self {
        Self {
            spikes: None,
            rate_bin_ms: defaults::rate_bin_ms(),
            state_every_ms: defaults::state_every_ms(),
            state: Vec::new(),
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
}
