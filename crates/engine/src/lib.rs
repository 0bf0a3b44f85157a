//! # synaptogen-engine
//!
//! The simulation engine of Synaptogen: a bevy_ecs [`World`](bevy_ecs::world::World) with a
//! multi-rate clock, deterministic random streams, push-based spike delivery through CSR
//! connectivity with per-synapse delays, and recorders.
//!
//! It knows no biology (neurons, receptors and drugs live in `synaptogen-models`) and no
//! files (the scenario crate and the command line read and write them).
//!
//! Determinism: every random number comes from a [`StreamRng`] keyed by (seed, stream,
//! stable id, step); every sum is taken in a fixed order; the thread count changes speed only.

mod cache;
pub mod clock;
pub mod connectivity;
pub mod distribution;
pub mod ids;
pub mod labels;
pub mod monitors;
pub mod populations;
pub mod propagate;
pub mod ring_buffer;
pub mod rng;
pub mod schedule;
pub mod simulation;
pub mod spikes;

pub use clock::{ScheduleRates, SimClock};
pub use connectivity::{SynapseGroup, SynapseGroups};
pub use distribution::ValueDistribution;
pub use ids::{NeuronIndex, PopulationId, StableId};
pub use monitors::{RecordSink, SpikeStatistics};
pub use populations::Populations;
pub use propagate::DeliveredEvents;
pub use ring_buffer::{RingBand, SlotRow, SynapticInputRing};
pub use rng::{StreamId, StreamRng};
pub use simulation::{EngineError, Progress, Simulation, SimulationBuilder, WorkerPool};
pub use spikes::SpikeEvents;

/// The names most users of the engine need.
pub mod prelude {
    pub use crate::clock::{ScheduleRates, SimClock};
    pub use crate::ids::{NeuronIndex, PopulationId, StableId};
    pub use crate::populations::Populations;
    pub use crate::ring_buffer::SynapticInputRing;
    pub use crate::rng::{StreamId, StreamRng};
    pub use crate::schedule::Stage;
    pub use crate::simulation::{Simulation, SimulationBuilder};
    pub use crate::spikes::SpikeEvents;
}
