//! Pair-based spike-timing-dependent plasticity with all-to-all trace interactions.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use synaptogen_engine::{Populations, SpikeEvents, SynapseGroup, SynapseGroups};

use crate::receptors::decay_factor;
use crate::validate::{Checker, Violation};

/// Parameters of additive pair STDP with hard bounds (Song, Miller & Abbott 2000; the rule
/// of NEST's `stdp_synapse` with μ₊ = μ₋ = 0 and of the Brian2 STDP benchmark,
/// ../shared/anchors/model_spec.py).
///
/// Each presynaptic spike raises trace x by 1 and each postsynaptic spike raises y by 1;
/// both decay exponentially. At a presynaptic spike w ← w − A₋·y (depression); at a
/// postsynaptic spike w ← w + A₊·x (potentiation); w stays in [w_min, w_max].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StdpPairParams {
    /// Presynaptic trace time constant, ms (20 ms: Bi & Poo 1998 window; model_spec.py).
    pub tau_plus_ms: f64,
    /// Postsynaptic trace time constant, ms.
    pub tau_minus_ms: f64,
    /// Potentiation per pairing, nS.
    pub a_plus_ns: f64,
    /// Depression per pairing, nS.
    pub a_minus_ns: f64,
    /// Lower weight bound, nS.
    #[serde(default)]
    pub w_min_ns: f64,
    /// Upper weight bound, nS.
    pub w_max_ns: f64,
}

impl StdpPairParams {
    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        c.positive("tau_plus_ms", self.tau_plus_ms);
        c.positive("tau_minus_ms", self.tau_minus_ms);
        c.non_negative("a_plus_ns", self.a_plus_ns);
        c.non_negative("a_minus_ns", self.a_minus_ns);
        c.non_negative("w_min_ns", self.w_min_ns);
        c.finite("w_max_ns", self.w_max_ns);
        if self.w_max_ns < self.w_min_ns {
            c.fail(
                "w_max_ns",
                self.w_max_ns,
                format!("a bound ≥ w_min_ns ({})", self.w_min_ns),
            );
        }
        out
    }
}

/// STDP on one synapse group: its traces and the incoming-synapse index that a
/// postsynaptic spike walks.
///
/// Timing: a presynaptic spike counts when it is emitted (the transmission delay is not
/// added), exact for |Δt| ≫ delay; the COBA benchmark's delay is one step (0.1 ms). Within
/// a step, presynaptic spikes are handled first, so a pre and a post spike in the same step
/// count as pre-before-post.
#[derive(Debug, Clone)]
pub struct StdpPair {
    /// Index of the plastic group in [`SynapseGroups`].
    pub group: usize,
    params: StdpPairParams,
    pre_decay: f32,
    post_decay: f32,
    pre_trace: Vec<f32>,
    post_trace: Vec<f32>,
    target_start: u32,
    /// Incoming synapses of each target neuron: `incoming[offsets[i]..offsets[i+1]]`.
    offsets: Vec<u32>,
    incoming: Vec<u32>,
    incoming_source: Vec<u32>,
}

impl StdpPair {
    /// STDP on `group` (index `index`), whose target population starts at `target_start`
    /// and holds `n_targets` neurons.
    pub fn new(
        index: usize,
        group: &SynapseGroup,
        target_start: u32,
        n_targets: usize,
        params: StdpPairParams,
        dt_ms: f64,
    ) -> Self {
        let mut offsets = vec![0u32; n_targets + 1];
        for &t in group.targets() {
            offsets[(t - target_start) as usize + 1] += 1;
        }
        for i in 0..n_targets {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets[..n_targets].to_vec();
        let mut incoming = vec![0u32; group.len()];
        let mut incoming_source = vec![0u32; group.len()];
        for j in 0..group.n_sources() as u32 {
            for k in group.row(j) {
                let i = (group.targets()[k] - target_start) as usize;
                let slot = fill[i] as usize;
                fill[i] += 1;
                incoming[slot] = k as u32;
                incoming_source[slot] = j;
            }
        }
        Self {
            group: index,
            params,
            pre_decay: decay_factor(dt_ms, params.tau_plus_ms),
            post_decay: decay_factor(dt_ms, params.tau_minus_ms),
            pre_trace: vec![0.0; group.n_sources()],
            post_trace: vec![0.0; n_targets],
            target_start,
            offsets,
            incoming,
            incoming_source,
        }
    }

    /// Bytes held by the traces and the incoming index.
    pub fn memory_bytes(&self) -> usize {
        4 * (self.pre_trace.capacity()
            + self.post_trace.capacity()
            + self.offsets.capacity()
            + self.incoming.capacity()
            + self.incoming_source.capacity())
    }

    /// One step: traces decay, then presynaptic spikes depress, postsynaptic spikes potentiate.
    pub fn step(&mut self, group: &mut SynapseGroup, pre_spikes: &[u32], post_spikes: &[u32]) {
        decay_trace(&mut self.pre_trace, self.pre_decay);
        decay_trace(&mut self.post_trace, self.post_decay);
        let (a_plus, a_minus) = (self.params.a_plus_ns as f32, self.params.a_minus_ns as f32);
        let (w_min, w_max) = (self.params.w_min_ns as f32, self.params.w_max_ns as f32);
        let source_start = group.source_start();
        for &neuron in pre_spikes {
            let j = neuron - source_start;
            self.pre_trace[j as usize] += 1.0;
            let (targets, weights) = group.row_mut(j);
            for (w, &t) in weights.iter_mut().zip(targets) {
                let y = self.post_trace[(t - self.target_start) as usize];
                *w = (*w - a_minus * y).clamp(w_min, w_max);
            }
        }
        let weights = group.weights_mut();
        for &neuron in post_spikes {
            let i = (neuron - self.target_start) as usize;
            self.post_trace[i] += 1.0;
            let span = self.offsets[i] as usize..self.offsets[i + 1] as usize;
            for (&k, &j) in self.incoming[span.clone()]
                .iter()
                .zip(&self.incoming_source[span])
            {
                let w = &mut weights[k as usize];
                *w = (*w + a_plus * self.pre_trace[j as usize]).clamp(w_min, w_max);
            }
        }
    }
}

fn decay_trace(trace: &mut [f32], factor: f32) {
    for x in trace {
        *x = crate::receptors::decay(*x, factor);
    }
}

/// Every STDP rule of the run.
#[derive(Resource, Debug, Clone, Default)]
pub struct StdpRules {
    /// The rules, applied in this order.
    pub rules: Vec<StdpPair>,
}

/// Plasticity stage: applies every STDP rule to this step's spikes.
pub fn apply_stdp(
    spikes: Res<SpikeEvents>,
    populations: Res<Populations>,
    mut rules: ResMut<StdpRules>,
    mut groups: ResMut<SynapseGroups>,
) {
    for rule in &mut rules.rules {
        let group = groups.group_mut(rule.group);
        let pre = spikes.in_range(populations.get(group.source).range.clone());
        let post = spikes.in_range(populations.get(group.target).range.clone());
        rule.step(group, pre, post);
    }
}
