//! Early → late phase: synaptic tagging and capture (Frey & Morris 1997; the tag–trigger–
//! consolidation model of Clopath et al. 2008 PLoS Comput Biol 4:e1000248, simplified).
//!
//! A spine is *tagged* when its efficacy has moved at least `tag_threshold` from its
//! consolidated value (for the calcium rule: it crossed ρ*). LTP tags on a large enough
//! share of one neuron's spines (over every projection onto it) *trigger* protein
//! synthesis there; protein then lasts `protein_duration_min`, on top of a baseline that
//! signalling will set. A tagged spine whose neuron has protein above
//! `capture_threshold` *captures* it and consolidates: the early change becomes structural —
//! its head volume (hence AMPA content and base weight) scales by the early weight factor,
//! so its weight stays where the early change put it — and a consolidated potentiation
//! makes a nascent spine stable. A tag that finds no protein within `tag_lifetime_min`
//! lapses and the early change decays: efficacy returns to its consolidated value.
//!
//! Simplifications: tags and capture are checked on the slow schedule (every `slow_dt_ms`),
//! protein is all-or-none per neuron, and capture is immediate once protein is there.

use synaptogen_engine::SynapseGroup;

use super::SpineParams;
use super::columns::NO_TAG;
use crate::plasticity::PlasticProjection;

/// Protein-synthesis triggers of the neurons of one spiny population.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ProteinState {
    triggered_step: Vec<u64>,
}

const NEVER: u64 = u64::MAX;

impl ProteinState {
    /// No neuron has triggered synthesis.
    pub fn new(n_neurons: usize) -> Self {
        Self {
            triggered_step: vec![NEVER; n_neurons],
        }
    }

    /// Protein available to neuron `i` at `step`.
    pub fn level(&self, i: usize, step: u64, params: &SpineParams, dt_ms: f64) -> f64 {
        let triggered = match self.triggered_step[i] {
            NEVER => 0.0,
            t => {
                let age_min = (step - t) as f64 * dt_ms / 60_000.0;
                if age_min <= params.protein_duration_min {
                    1.0
                } else {
                    0.0
                }
            }
        };
        params.protein_baseline.max(triggered)
    }

    /// Records a trigger at neuron `i`.
    pub fn trigger(&mut self, i: usize, step: u64) {
        self.triggered_step[i] = step;
    }
}

/// What consolidation did to one spine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsolidationEvent {
    /// An early change was captured and made structural.
    Consolidated,
    /// A nascent spine became stable by a consolidated potentiation.
    Matured,
    /// A tag lapsed without protein; the early change decayed.
    TagExpired,
}

/// Per-neuron counts of one spiny population for the protein trigger: its LTP-tagged spines
/// and all its spines, summed over every projection onto it.
#[derive(Debug, Clone, Default)]
pub struct TagCounts {
    ltp_tags: Vec<u32>,
    spines: Vec<u32>,
}

impl TagCounts {
    /// Zero counts for `n_neurons` neurons.
    pub fn new(n_neurons: usize) -> Self {
        Self {
            ltp_tags: vec![0; n_neurons],
            spines: vec![0; n_neurons],
        }
    }

    /// Triggers synthesis in every neuron whose LTP-tagged share of spines reaches
    /// `protein_trigger_fraction`.
    pub fn trigger(&self, protein: &mut ProteinState, params: &SpineParams, step: u64) {
        for (i, (&tags, &total)) in self.ltp_tags.iter().zip(&self.spines).enumerate() {
            if tags > 0 && f64::from(tags) >= params.protein_trigger_fraction * f64::from(total) {
                protein.trigger(i, step);
            }
        }
    }
}

/// Tags the spines of `p` at `step` and adds them to `counts`. Efficacies must be up to
/// date (see [`PlasticProjection::catch_up`]). Spines without a learning rule are counted
/// but never tagged: their efficacy does not move.
pub fn tag_spines(
    p: &mut PlasticProjection,
    group: &SynapseGroup,
    params: &SpineParams,
    step: u64,
    counts: &mut TagCounts,
) {
    let Some(mut spines) = p.spines.take() else {
        return;
    };
    let threshold = params.tag_threshold as f32;
    for k in 0..spines.len() {
        let i = p.target_of(group, k);
        counts.spines[i] += 1;
        let change = p.efficacy[k] - p.home[k];
        if p.rule.is_some() && change.abs() >= threshold {
            if spines.tag_step[k] == NO_TAG {
                spines.tag_step[k] = step;
            }
            if change > 0.0 {
                counts.ltp_tags[i] += 1;
            }
        } else {
            spines.tag_step[k] = NO_TAG;
        }
    }
    p.spines = Some(spines);
}

/// Capture for the tagged spines of `p` at `step`, after [`tag_spines`] and the trigger;
/// `on_event(k, event)` hears what happened to spine `k`. Weights are rewritten where they
/// change.
pub fn capture_or_decay(
    p: &mut PlasticProjection,
    group: &mut SynapseGroup,
    protein: &ProteinState,
    params: &SpineParams,
    step: u64,
    dt_ms: f64,
    mut on_event: impl FnMut(usize, ConsolidationEvent),
) {
    let Some(mut spines) = p.spines.take() else {
        return;
    };
    let lifetime_steps = (params.tag_lifetime_min * 60_000.0 / dt_ms) as u64;
    for k in 0..spines.len() {
        let tagged_at = spines.tag_step[k];
        if tagged_at == NO_TAG {
            continue;
        }
        let i = p.target_of(group, k);
        let change = p.efficacy[k] - p.home[k];
        if protein.level(i, step, params, dt_ms) >= params.capture_threshold {
            let factor = p.map.early_factor(p.efficacy[k], p.home[k]);
            spines.volume_um3[k] *= factor;
            p.base[k] = p.ns_per_um3 * spines.volume_um3[k];
            p.home[k] = p.efficacy[k];
            spines.tag_step[k] = NO_TAG;
            on_event(k, ConsolidationEvent::Consolidated);
            if change > 0.0 && !spines.mature[k] {
                spines.mature[k] = true;
                on_event(k, ConsolidationEvent::Matured);
            }
        } else if step - tagged_at >= lifetime_steps {
            p.efficacy[k] = p.home[k];
            spines.tag_step[k] = NO_TAG;
            on_event(k, ConsolidationEvent::TagExpired);
        } else {
            continue;
        }
        group.weights_mut()[k] = p.weight_of(k, i);
    }
    p.spines = Some(spines);
}
