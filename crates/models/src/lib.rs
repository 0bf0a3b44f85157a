//! # synaptogen-models
//!
//! The biology of Synaptogen, as data and systems over the engine's dense columns:
//!
//! * [`neuron`]: conductance-based LIF and AdEx point neurons, advanced by exponential or
//!   forward Euler;
//! * [`receptors`]: AMPA, NMDA (GluN2A / GluN2B / GluN2C-D components, Jahr–Stevens Mg²⁺
//!   block) and GABA-A conductances with exact exponential decay;
//! * [`inputs`]: Poisson background and injected currents;
//! * [`plasticity`]: pair STDP;
//! * [`cell_type`]: cell types tying a membrane, receptors and a transmitter together.
//!
//! Models know no file formats: parameters are plain serde structs, read by the scenario
//! crate. Units are in every name (`tau_decay_ms`, `g_l_ns`, `b_pa`).

pub mod cell_type;
pub mod inputs;
pub mod math;
pub mod neuron;
pub mod pharmacology;
pub mod plasticity;
pub mod ports;
pub mod receptors;
pub mod signalling;
pub mod spines;
pub mod validate;

pub use cell_type::{CellType, Environment};
pub use ports::Transmitter;

use bevy_ecs::prelude::*;
use synaptogen_engine::SimulationBuilder;
use synaptogen_engine::monitors::sample_state;
use synaptogen_engine::schedule::Stage;

/// Adds the models' systems to their stages. The world must hold [`neuron::NeuronGroups`],
/// [`inputs::PoissonInputs`], [`inputs::CurrentSchedule`], [`inputs::ForcedSpikes`],
/// [`plasticity::PlasticProjections`], — when `with_spines` — [`spines::Spines`] and — when
/// `with_pharmacology` — [`pharmacology::Pharmacology`]. The pharmacology runs first in the
/// slow schedule, so the spine rules of the same step see its drive.
pub fn register(builder: &mut SimulationBuilder, with_spines: bool, with_pharmacology: bool) {
    builder.fast.add_systems((
        (inputs::apply_current_changes, inputs::drive_poisson_inputs).in_set(Stage::Inputs),
        neuron::integrate_neurons.in_set(Stage::Integrate),
        plasticity::apply_plasticity.in_set(Stage::Plasticity),
        sample_state::<neuron::NeuronGroups>.in_set(Stage::Record),
    ));
    if with_pharmacology {
        builder
            .fast
            .add_systems(pharmacology::count_spiking_steps.in_set(Stage::Record));
        builder
            .slow
            .add_systems(pharmacology::update_pharmacology.before(plasticity::catch_up_efficacies));
    }
    if with_spines {
        builder.slow.add_systems(
            (
                plasticity::catch_up_efficacies,
                plasticity::scale_synapses,
                spines::consolidate_spines,
                plasticity::record_weights,
            )
                .chain(),
        );
        builder.structural.add_systems(spines::remodel_spines);
    } else {
        builder.slow.add_systems(
            (
                plasticity::catch_up_efficacies,
                plasticity::scale_synapses,
                plasticity::record_weights,
            )
                .chain(),
        );
    }
}
