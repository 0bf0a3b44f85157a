//! The plastic state of one projection: efficacies, rule state and (for spines) spine
//! columns, all aligned with the projection's CSR layout.

use std::collections::VecDeque;

use synaptogen_engine::SynapseGroup;
use synaptogen_engine::connectivity::Origin;

use super::calcium::{CalciumParts, CalciumRule};
use super::reverse_index::ReverseIndex;
use super::stdp::Stdp;
use super::weight_map::WeightMap;
use crate::math::exp;
use crate::receptors::MgBlock;
use crate::spines::{NewSpine, SpineColumns, SpineParams};

/// The learning rule of a plastic projection.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Rule {
    /// Pair or triplet STDP.
    Stdp(Stdp),
    /// The calcium-based rule with its per-synapse calcium (boxed: much larger than STDP).
    Calcium(Box<CalciumState>),
}

/// Mg²⁺ unblock of the target at rest, for the voltage dependence of NMDA calcium.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Unblock {
    /// The target cell's block.
    pub block: MgBlock,
    /// Extracellular Mg²⁺, mM.
    pub mg_mm: f64,
    /// B(E_L) of the target cell.
    pub at_rest: f64,
}

/// Per-synapse and per-target calcium of the calcium rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CalciumState {
    rule: CalciumRule,
    delay_steps: u64,
    dt_ms: f64,
    ca_a: Vec<f32>,
    ca_b: Vec<f32>,
    last: Vec<u64>,
    post_ca: Vec<f32>,
    post_last: Vec<u64>,
    queue: VecDeque<(u64, u32)>,
    unblock: Option<Unblock>,
    /// Calcium delivered since the last readout, `[compartment][NMDA, bAP]`, in the rule's
    /// units (plain synapses count under compartment 0).
    delivered: [[f64; 2]; 3],
    /// Steps stepped since the last readout.
    steps: u64,
}

/// Mean calcium of the synapses of one projection over the steps since the previous
/// readout, per compartment — the spine Ca²⁺ that two-photon imaging reports (Ali et al.
/// 2020 Nat Commun 11:72), in the calcium rule's units (an NMDA event at rest brings
/// `c_pre`). Each jump J decays with τ_Ca, so it adds J·τ_Ca to the time integral: the mean
/// is Σ J · τ_Ca / (synapses × time), split into the presynaptic (NMDA) and postsynaptic
/// (back-propagating action potential) parts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CalciumReadout {
    /// Synapses per compartment (plain synapses: all in compartment 0).
    pub synapses: [u64; 3],
    /// Mean NMDA calcium per synapse, per compartment.
    pub nmda: [f64; 3],
    /// Mean back-propagation calcium per synapse, per compartment.
    pub bap: [f64; 3],
    /// Spiking time the means cover, ms.
    pub span_ms: f64,
}

impl CalciumState {
    /// Calcium state for `n_synapses` synapses onto `n_targets` neurons; `unblock` is given
    /// when the presynaptic calcium depends on the postsynaptic voltage.
    pub fn new(
        rule: CalciumRule,
        dt_ms: f64,
        n_synapses: usize,
        n_targets: usize,
        n_sources: usize,
        unblock: Option<Unblock>,
    ) -> Self {
        let delay_steps = (rule.params().delay_ms / dt_ms).round() as u64;
        let voltage_dependent = rule.params().voltage_dependence;
        // Room for every source firing every step for the length of the delay at 5 %
        // occupancy; the queue only grows past it under extreme activity.
        let capacity = ((n_sources as u64 * (delay_steps + 1)) / 20).max(1024) as usize;
        Self {
            rule,
            delay_steps,
            dt_ms,
            ca_a: vec![0.0; n_synapses],
            ca_b: vec![0.0; n_synapses],
            last: vec![0; n_synapses],
            post_ca: vec![0.0; n_targets],
            post_last: vec![0; n_targets],
            queue: VecDeque::with_capacity(capacity),
            unblock: if voltage_dependent { unblock } else { None },
            delivered: [[0.0; 2]; 3],
            steps: 0,
        }
    }

    /// The rule.
    pub fn rule(&self) -> &CalciumRule {
        &self.rule
    }

    fn rearrange(&mut self, origins: &[Origin], now: u64) {
        self.ca_a = crate::spines::rearrange_column(&self.ca_a, origins, |_| 0.0);
        self.ca_b = crate::spines::rearrange_column(&self.ca_b, origins, |_| 0.0);
        self.last = crate::spines::rearrange_column(&self.last, origins, |_| now);
    }

    fn memory_bytes(&self) -> usize {
        4 * (self.ca_a.capacity() + self.ca_b.capacity() + self.post_ca.capacity())
            + 8 * (self.last.capacity() + self.post_last.capacity())
    }
}

/// What the learning rules read of the target population at a step.
#[derive(Debug, Clone, Copy)]
pub struct TargetView<'a> {
    /// Membrane potentials, mV.
    pub v_mv: &'a [f64],
    /// Share of the GluN2A and of the GluN2B receptors of each neuron not held by drugs
    /// (an empty slice: all free).
    pub nmda_free: [&'a [f32]; 2],
}

/// Constant inputs of the calcium rule for one projection.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CalciumContext {
    /// GluN2A share of plain (non-spine) synapses: the target cell type's composition.
    pub glun2a_fraction: f32,
    /// Fraction of GluN2A-containing receptors blocked by an antagonist.
    pub glun2a_block: f32,
    /// Fraction of GluN2B-containing receptors blocked.
    pub glun2b_block: f32,
}

/// Everything plastic about one projection.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PlasticProjection {
    /// Projection name.
    pub name: String,
    /// Index of the synapse group.
    pub group: usize,
    /// Index of the target population.
    pub target_population: usize,
    /// First global index of the source population.
    pub source_start: u32,
    /// First global index of the target population.
    pub target_start: u32,
    /// Efficacy → weight.
    pub map: WeightMap,
    /// The learning rule (`None`: static spines).
    pub rule: Option<Rule>,
    /// Efficacy ρ of each synapse.
    pub efficacy: Vec<f32>,
    /// Consolidated efficacy of each synapse (spines; plain two-state synapses: the
    /// initial state).
    pub home: Vec<f32>,
    /// Base weight of each synapse, nS (`UpDown`: the DOWN weight; `Linear`: ∝ spine volume).
    pub base: Vec<f32>,
    /// Spine columns, if the synapses are spines.
    pub spines: Option<SpineColumns>,
    /// nS per µm³ of spine head volume.
    pub ns_per_um3: f32,
    /// Homeostatic scaling factor of each target neuron.
    pub scale: Vec<f32>,
    /// AMPA receptor content of each target neuron's synapses, fold over baseline (set from
    /// signalling, `crate::signalling::Species::AmpaContent`).
    pub ampa_content: Vec<f32>,
    /// Calcium-rule context.
    pub calcium: CalciumContext,
    /// bAP calcium factor per compartment.
    pub bap: [f32; 3],
    incoming: ReverseIndex,
}

impl PlasticProjection {
    /// A plastic projection over `group` whose efficacies start at `efficacy` (home alike)
    /// and base weights at `base`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        group_index: usize,
        group: &SynapseGroup,
        target_population: usize,
        target_start: u32,
        n_targets: usize,
        map: WeightMap,
        rule: Option<Rule>,
        efficacy: Vec<f32>,
        base: Vec<f32>,
        spines: Option<SpineColumns>,
        ns_per_um3: f32,
        calcium: CalciumContext,
        spine_params: &SpineParams,
    ) -> Self {
        let mut p = Self {
            name: name.to_owned(),
            group: group_index,
            target_population,
            source_start: group.source_start(),
            target_start,
            map,
            rule,
            home: efficacy.clone(),
            efficacy,
            base,
            spines,
            ns_per_um3,
            scale: vec![1.0; n_targets],
            ampa_content: vec![1.0; n_targets],
            calcium,
            bap: crate::spines::Compartment::ALL.map(|c| spine_params.bap(c)),
            incoming: ReverseIndex::new(group, target_start, n_targets),
        };
        match p.map {
            WeightMap::Range { .. } => {
                p.home = Vec::new();
                p.base = Vec::new();
            }
            // Plain two-state synapses keep their initial state as `home` (never
            // consolidated; written to synapses.csv for readouts such as PL-02).
            WeightMap::UpDown { .. } | WeightMap::Linear { .. } => {}
        }
        p
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.efficacy.len()
    }

    /// True when the projection has no synapse.
    pub fn is_empty(&self) -> bool {
        self.efficacy.is_empty()
    }

    /// The weight synapse `k` (onto local target `i`) should have now.
    #[inline(always)]
    pub fn weight_of(&self, k: usize, i: usize) -> f32 {
        let scale = self.scale[i] * self.ampa_content[i];
        match self.map {
            WeightMap::Range { .. } => self.map.weight(self.efficacy[k], 0.0, 0.0, scale),
            WeightMap::UpDown { .. } => self.map.weight(self.efficacy[k], 0.0, self.base[k], scale),
            WeightMap::Linear { .. } => {
                self.map
                    .weight(self.efficacy[k], self.home[k], self.base[k], scale)
            }
        }
    }

    /// Writes every synapse's weight into `group` (after scaling or consolidation).
    ///
    /// In CSR order, so the writes (and the reads of the per-synapse columns) are
    /// sequential: the slow schedule calls this whenever the AMPA content moved, over every
    /// spine (≈ 7 % of a weeks-long protocol when it went target by target through the
    /// reverse index; docs/performance.md).
    pub fn write_all_weights(&self, group: &mut SynapseGroup) {
        let (targets, weights) = group.targets_and_weights_mut();
        for (k, (&t, w)) in targets.iter().zip(weights).enumerate() {
            *w = self.weight_of(k, (t - self.target_start) as usize);
        }
    }

    /// Key of synapse `k`'s random streams: the spine id, else the CSR position.
    #[inline]
    fn key(&self, k: usize) -> u64 {
        self.spines.as_ref().map_or(k as u64, |s| s.id[k])
    }

    /// One step of the learning rule: `pre` and `post` are this step's spikes of the source
    /// and target populations (global indices, ascending).
    pub fn step(
        &mut self,
        step: u64,
        pre: &[u32],
        post: &[u32],
        group: &mut SynapseGroup,
        target: TargetView<'_>,
    ) {
        let Some(mut rule) = self.rule.take() else {
            return;
        };
        match &mut rule {
            Rule::Stdp(stdp) => self.step_stdp(stdp, pre, post, group),
            Rule::Calcium(ca) => self.step_calcium(ca, step, pre, post, group, target),
        }
        self.rule = Some(rule);
    }

    /// Presynaptic spikes first (depression by the postsynaptic traces of earlier steps),
    /// then postsynaptic ones: a pre and a post spike in the same step pair as pre before
    /// post, so Δt = 0 potentiates (the spike-emission times; axonal delay is not added).
    fn step_stdp(&mut self, stdp: &mut Stdp, pre: &[u32], post: &[u32], group: &mut SynapseGroup) {
        stdp.decay_traces();
        for &n in pre {
            let j = (n - self.source_start) as usize;
            for k in group.row(j as u32) {
                let i = (group.targets()[k] - self.target_start) as usize;
                self.efficacy[k] = (self.efficacy[k] - stdp.depression(j, i)).clamp(0.0, 1.0);
                group.weights_mut()[k] = self.weight_of(k, i);
            }
            stdp.pre_spiked(j);
        }
        for &n in post {
            let i = (n - self.target_start) as usize;
            for (k, j) in self.incoming.incoming(i) {
                self.efficacy[k] =
                    (self.efficacy[k] + stdp.potentiation(i, j as usize)).clamp(0.0, 1.0);
                group.weights_mut()[k] = self.weight_of(k, i);
            }
            stdp.post_spiked(i);
        }
    }

    fn step_calcium(
        &mut self,
        ca: &mut CalciumState,
        step: u64,
        pre: &[u32],
        post: &[u32],
        group: &mut SynapseGroup,
        target: TargetView<'_>,
    ) {
        ca.steps += 1;
        for &n in pre {
            ca.queue
                .push_back((step + ca.delay_steps, n - self.source_start));
        }
        let c_pre = ca.rule.params().c_pre as f32;
        while let Some(&(arrival, j)) = ca.queue.front() {
            if arrival > step {
                break;
            }
            ca.queue.pop_front();
            for k in group.row(j) {
                let i = (group.targets()[k] - self.target_start) as usize;
                self.update_calcium_synapse(ca, k, i, step);
                let factor = ca.unblock.map_or(1.0, |u| {
                    (u.block.unblocked(target.v_mv[i], u.mg_mm) / u.at_rest) as f32
                });
                let f_a = self.glun2a_of(k);
                let jump = c_pre * factor;
                // Receptors held by a drug let no calcium in (the neuron's drug-free share
                // per class, updated on the slow schedule).
                let free_a = target.nmda_free[0].get(i).copied().unwrap_or(1.0);
                let free_b = target.nmda_free[1].get(i).copied().unwrap_or(1.0);
                let jump_a = jump * f_a * (1.0 - self.calcium.glun2a_block) * free_a;
                let jump_b = jump * (1.0 - f_a) * (1.0 - self.calcium.glun2b_block) * free_b;
                ca.ca_a[k] += jump_a;
                ca.ca_b[k] += jump_b;
                ca.delivered[self.compartment_of(k)][0] += f64::from(jump_a + jump_b);
                group.weights_mut()[k] = self.weight_of(k, i);
            }
        }
        let c_post = ca.rule.params().c_post as f32;
        // Taken out for the loop (a move, no copy) so synapses can be updated through &mut self.
        let incoming = std::mem::take(&mut self.incoming);
        for &n in post {
            let i = (n - self.target_start) as usize;
            for (k, _) in incoming.incoming(i) {
                self.update_calcium_synapse(ca, k, i, step);
                group.weights_mut()[k] = self.weight_of(k, i);
                ca.delivered[self.compartment_of(k)][1] += f64::from(c_post * self.bap_of(k));
            }
            ca.post_ca[i] = post_calcium_at(ca, i, step) + c_post;
            ca.post_last[i] = step;
        }
        self.incoming = incoming;
    }

    /// Compartment index of synapse `k` (0 for plain synapses).
    #[inline]
    fn compartment_of(&self, k: usize) -> usize {
        self.spines.as_ref().map_or(0, |s| s.compartment[k].index())
    }

    /// Back-propagation attenuation at synapse `k` (1 for plain synapses).
    #[inline]
    fn bap_of(&self, k: usize) -> f32 {
        self.spines
            .as_ref()
            .map_or(1.0, |s| self.bap[s.compartment[k].index()])
    }

    /// The mean synaptic calcium since the previous call (`None` without the calcium
    /// rule), and a fresh start for the next.
    pub fn take_calcium_readout(&mut self, dt_ms: f64) -> Option<CalciumReadout> {
        let Some(Rule::Calcium(ca)) = &mut self.rule else {
            return None;
        };
        let mut synapses = [0u64; 3];
        match &self.spines {
            Some(s) => s.compartment.iter().for_each(|c| synapses[c.index()] += 1),
            None => synapses[0] = self.efficacy.len() as u64,
        }
        let span_ms = ca.steps as f64 * dt_ms;
        let tau_ms = ca.rule.params().tau_ca_ms;
        let mean = |c: usize, part: usize| {
            if synapses[c] > 0 && span_ms > 0.0 {
                ca.delivered[c][part] * tau_ms / (synapses[c] as f64 * span_ms)
            } else {
                0.0
            }
        };
        let readout = CalciumReadout {
            synapses,
            nmda: [0, 1, 2].map(|c| mean(c, 0)),
            bap: [0, 1, 2].map(|c| mean(c, 1)),
            span_ms,
        };
        ca.delivered = [[0.0; 2]; 3];
        ca.steps = 0;
        Some(readout)
    }

    #[inline]
    fn glun2a_of(&self, k: usize) -> f32 {
        self.spines
            .as_ref()
            .map_or(self.calcium.glun2a_fraction, |s| s.glun2a_fraction[k])
    }

    /// Advances synapse `k` (onto local target `i`) from its last update to `step`.
    #[inline]
    fn update_calcium_synapse(&mut self, ca: &mut CalciumState, k: usize, i: usize, step: u64) {
        let last = ca.last[k];
        if step <= last {
            return;
        }
        let bap = self.bap_of(k);
        let parts = CalciumParts {
            glun2a: f64::from(ca.ca_a[k]),
            glun2b: f64::from(ca.ca_b[k]),
            post: f64::from(post_calcium_at(ca, i, last) * bap),
        };
        let (c_p, c_d) = ca.rule.readouts(parts, f64::from(self.glun2a_of(k)));
        let duration_ms = (step - last) as f64 * ca.dt_ms;
        let rho = ca.rule.advance(
            f64::from(self.efficacy[k]),
            c_p,
            c_d,
            duration_ms,
            self.key(k),
            step,
        );
        self.efficacy[k] = rho as f32;
        let decay = exp(-duration_ms / ca.rule.params().tau_ca_ms) as f32;
        ca.ca_a[k] *= decay;
        ca.ca_b[k] *= decay;
        ca.last[k] = step;
    }

    /// Brings every synapse's efficacy up to `step` (before reading efficacies for
    /// consolidation, structural change or output) and rewrites the weights.
    pub fn catch_up(&mut self, step: u64, group: &mut SynapseGroup) {
        let Some(mut rule) = self.rule.take() else {
            return;
        };
        if let Rule::Calcium(ca) = &mut rule {
            for k in 0..self.len() {
                let i = (group.targets()[k] - self.target_start) as usize;
                self.update_calcium_synapse(ca, k, i, step);
                group.weights_mut()[k] = self.weight_of(k, i);
            }
        }
        self.rule = Some(rule);
    }

    /// Follows a rewired group: every CSR-aligned column is rearranged by `origins`; added
    /// synapses take their values from `added` (spines: nascent, efficacy and home `rho0`).
    pub fn rewired(
        &mut self,
        group: &SynapseGroup,
        origins: &[Origin],
        added: &[NewSpine],
        rho0: f32,
        now: u64,
    ) {
        use crate::spines::rearrange_column as rearrange;
        self.efficacy = rearrange(&self.efficacy, origins, |_| rho0);
        if !self.home.is_empty() {
            self.home = rearrange(&self.home, origins, |_| rho0);
        }
        if !self.base.is_empty() {
            let ns = self.ns_per_um3;
            self.base = rearrange(&self.base, origins, |a| ns * added[a].volume_um3);
        }
        if let Some(spines) = &self.spines {
            self.spines = Some(spines.rearranged(origins, added));
        }
        if let Some(Rule::Calcium(ca)) = &mut self.rule {
            ca.rearrange(origins, now);
        }
        self.incoming = ReverseIndex::new(group, self.target_start, self.scale.len());
    }

    /// Bytes held by the plastic state (not the CSR arrays).
    pub fn memory_bytes(&self) -> usize {
        let rule = match &self.rule {
            Some(Rule::Stdp(s)) => s.memory_bytes(),
            Some(Rule::Calcium(c)) => c.memory_bytes(),
            None => 0,
        };
        4 * (self.efficacy.capacity()
            + self.home.capacity()
            + self.base.capacity()
            + self.scale.capacity()
            + self.ampa_content.capacity())
            + self.spines.as_ref().map_or(0, SpineColumns::memory_bytes)
            + self.incoming.memory_bytes()
            + rule
    }

    /// Incoming synapses of local target `i`.
    pub fn incoming(&self, i: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.incoming.incoming(i)
    }

    /// Number of target neurons.
    pub fn n_targets(&self) -> usize {
        self.scale.len()
    }

    /// Local target of synapse `k`.
    #[inline]
    pub fn target_of(&self, group: &SynapseGroup, k: usize) -> usize {
        (group.targets()[k] - self.target_start) as usize
    }
}

/// Postsynaptic calcium of local target `i` at `step` (decayed from its last spike).
#[inline]
fn post_calcium_at(ca: &CalciumState, i: usize, step: u64) -> f32 {
    let since = step.saturating_sub(ca.post_last[i]) as f64 * ca.dt_ms;
    ca.post_ca[i] * exp(-since / ca.rule.params().tau_ca_ms) as f32
}
