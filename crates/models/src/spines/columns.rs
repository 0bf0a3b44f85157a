//! Per-spine state, structure of arrays aligned with the projection's CSR positions.

use bevy_ecs::entity::Entity;
use serde::{Deserialize, Serialize};

use synaptogen_engine::connectivity::Origin;

/// Dendritic compartment of a spine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Compartment {
    /// Apical trunk and oblique dendrites near the soma.
    Proximal = 0,
    /// Basal dendrites.
    Basal = 1,
    /// The distal apical tuft (layer 1 in neocortex; stratum lacunosum-moleculare in CA1).
    ApicalTuft = 2,
}

impl Compartment {
    /// All compartments, in index order.
    pub const ALL: [Compartment; 3] = [
        Compartment::Proximal,
        Compartment::Basal,
        Compartment::ApicalTuft,
    ];

    /// Index 0..3.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Compartment::Proximal => "proximal",
            Compartment::Basal => "basal",
            Compartment::ApicalTuft => "apical_tuft",
        }
    }
}

/// A spine to be added by structural plasticity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewSpine {
    /// Stable id.
    pub id: u64,
    /// The entity spawned for it.
    pub entity: Entity,
    /// Compartment.
    pub compartment: Compartment,
    /// Head volume, µm³.
    pub volume_um3: f32,
    /// GluN2A share of its NMDA receptors.
    pub glun2a_fraction: f32,
    /// Step at whose end the spine appeared (0 only for the initial spines).
    pub born_step: u64,
}

/// Tag of a spine: none, or the sign of an early change waiting to be captured.
pub const NO_TAG: u64 = u64::MAX;

/// Per-spine columns of one projection, in CSR order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SpineColumns {
    /// Stable id.
    pub id: Vec<u64>,
    /// Entity (not in checkpoints: a restore spawns the spines anew and fills it).
    #[serde(skip)]
    pub entity: Vec<Entity>,
    /// Compartment.
    pub compartment: Vec<Compartment>,
    /// Head volume, µm³.
    pub volume_um3: Vec<f32>,
    /// GluN2A share of the NMDA receptors (GluN2A : GluN2B composition).
    pub glun2a_fraction: Vec<f32>,
    /// Stable (true) or nascent (false).
    pub mature: Vec<bool>,
    /// Step of birth.
    pub born_step: Vec<u64>,
    /// Step at which the current tag was set, or [`NO_TAG`].
    pub tag_step: Vec<u64>,
}

impl SpineColumns {
    /// Number of spines.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Appends one spine.
    pub fn push(&mut self, s: &NewSpine, mature: bool) {
        self.id.push(s.id);
        self.entity.push(s.entity);
        self.compartment.push(s.compartment);
        self.volume_um3.push(s.volume_um3);
        self.glun2a_fraction.push(s.glun2a_fraction);
        self.mature.push(mature);
        self.born_step.push(s.born_step);
        self.tag_step.push(NO_TAG);
    }

    /// The columns in the new layout `origins`, added spines taken from `added` (nascent,
    /// untagged).
    pub fn rearranged(&self, origins: &[Origin], added: &[NewSpine]) -> Self {
        let mut out = Self::default();
        for o in origins {
            match *o {
                Origin::Kept(k) => {
                    let k = k as usize;
                    out.id.push(self.id[k]);
                    out.entity.push(self.entity[k]);
                    out.compartment.push(self.compartment[k]);
                    out.volume_um3.push(self.volume_um3[k]);
                    out.glun2a_fraction.push(self.glun2a_fraction[k]);
                    out.mature.push(self.mature[k]);
                    out.born_step.push(self.born_step[k]);
                    out.tag_step.push(self.tag_step[k]);
                }
                Origin::Added(a) => out.push(&added[a as usize], false),
            }
        }
        out
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.id.capacity() * 8
            + self.entity.capacity() * std::mem::size_of::<Entity>()
            + self.compartment.capacity()
            + self.volume_um3.capacity() * 4
            + self.glun2a_fraction.capacity() * 4
            + self.mature.capacity()
            + self.born_step.capacity() * 8
            + self.tag_step.capacity() * 8
    }
}

/// Any CSR-aligned column in a new layout: kept values move, added ones take `fill(a)`.
pub fn rearrange_column<T: Copy>(
    column: &[T],
    origins: &[Origin],
    fill: impl Fn(usize) -> T,
) -> Vec<T> {
    origins
        .iter()
        .map(|o| match *o {
            Origin::Kept(k) => column[k as usize],
            Origin::Added(a) => fill(a as usize),
        })
        .collect()
}
