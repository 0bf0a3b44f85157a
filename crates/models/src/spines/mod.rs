//! Dendritic spines as agents, and their structural plasticity.
//!
//! Every glutamatergic synapse onto a spiny cell (a cell type with `[dendrites]`) is a
//! spine: an entity ([`Spine`], [`SpineSlot`]) whose state lives in dense columns aligned
//! with its projection's CSR layout ([`SpineColumns`]), so the per-spike paths index arrays
//! and never look an entity up. Births and deaths on the structural schedule rewire the
//! CSR rows and permute the columns in the same pass, and the entities' slots follow.
//!
//! Weight follows size: a spine's AMPA content, hence its base weight, is proportional to
//! its head volume (Matsuzaki et al. 2001 Nat Neurosci 4:1086), scaled so a spine of the
//! median volume has the projection's `weight_ns`.

mod census;
mod columns;
mod consolidation;
mod dendrites;
mod params;
mod structural;
mod systems;

pub use census::{
    CENSUS_COLUMNS, COHORT_COLUMNS, CensusState, CensusTables, SIZE_COLUMNS, SPINE_EVENT_COLUMNS,
};
pub use columns::{Compartment, NO_TAG, NewSpine, SpineColumns, rearrange_column};
pub use consolidation::{
    ConsolidationEvent, ProteinState, TagCounts, capture_or_decay, tag_spines,
};
pub use dendrites::Dendrites;
pub use params::SpineParams;
pub use structural::{
    SpineDrive, SpineTables, Spines, SpinyProjection, SpinyTarget, StructuralPlan,
    draw_structural_changes, log_event,
};
pub use systems::{consolidate_spines, remodel_spines};

use bevy_ecs::prelude::Component;
use synaptogen_engine::{NeuronIndex, StableId};

/// A spine entity: its identity and where it sits. Its changing state (volume, efficacy,
/// maturity, tag) lives in [`SpineColumns`] at [`SpineSlot`].
#[derive(Component, Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Spine {
    /// Stable id (never reused; keys the spine's random streams).
    pub id: StableId,
    /// Index of its projection among the plastic projections.
    pub projection: u16,
    /// The neuron the spine sits on.
    pub parent: NeuronIndex,
    /// Its presynaptic partner.
    pub presynaptic: NeuronIndex,
    /// Dendritic compartment.
    pub compartment: Compartment,
    /// Step at whose end it appeared (0 for the initial spines).
    pub born_step: u64,
}

/// Position of a spine's data in its projection's dense columns (rewritten when the
/// projection is rewired).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpineSlot(pub u32);
