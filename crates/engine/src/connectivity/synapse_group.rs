//! One projection's synapses in compressed sparse row (CSR) form, rows = presynaptic neurons.

use crate::cache::prefetch;
use crate::ring_buffer::{RingBand, SynapticInputRing};

/// Axonal delays of a synapse group, in steps.
///
/// Most projections use one delay for all synapses; they store none per synapse.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Delays {
    /// Every synapse has this delay.
    Uniform(u16),
    /// One delay per synapse, aligned with the targets.
    PerSynapse(Vec<u16>),
}

impl Delays {
    /// This delay if uniform, else `fallback`, as a uniform delay (for an emptied group).
    fn uniform_or(self, fallback: u16) -> Self {
        match self {
            Delays::Uniform(d) => Delays::Uniform(d),
            Delays::PerSynapse(_) => Delays::Uniform(fallback),
        }
    }
}

/// A synapse to be: presynaptic index within the source population, weight, delay in steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewSynapse {
    /// Presynaptic neuron, index within the source population.
    pub source_local: u32,
    /// Weight (the target model gives it a unit, e.g. peak conductance in nS).
    pub weight: f32,
    /// Delay in steps (≥ 1).
    pub delay_steps: u16,
}

/// The synapses of one projection, stored for push delivery.
///
/// Row *j* lists the synapses of presynaptic neuron *j* ordered by target, so a spike walks
/// one contiguous run of memory and writes the ring buffer in ascending address order.
/// Structure of arrays: targets (global index), weights and (only if they differ) delays.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SynapseGroup {
    /// Projection name.
    pub name: String,
    /// Source population index.
    pub source: usize,
    /// Target population index.
    pub target: usize,
    /// Input port of the target that these synapses feed.
    pub port: u8,
    source_start: u32,
    row_offsets: Vec<u32>,
    targets: Vec<u32>,
    weights: Vec<f32>,
    delays: Delays,
}

/// A synapse added to an existing group by structural plasticity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AddedSynapse {
    /// Presynaptic neuron, index within the source population.
    pub source_local: u32,
    /// Postsynaptic neuron, global index.
    pub target: u32,
    /// Weight.
    pub weight: f32,
    /// Delay in steps (≥ 1).
    pub delay_steps: u16,
    /// Orders synapses with the same source and target (a spine's stable id): rows are kept
    /// sorted by (target, key), so the layout never depends on the order of births.
    pub key: u64,
}

/// Where a synapse of a rewired group came from: its old position or its index in the
/// added list. Per-synapse data held outside the group is permuted with these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    /// Kept from the old position.
    Kept(u32),
    /// The added synapse of this index.
    Added(u32),
}

/// More synapses than a 32-bit row index can address.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "projection `{name}` would have {count} synapses; at most {max} are supported per projection"
)]
pub struct TooManySynapses {
    /// Projection name.
    pub name: String,
    /// Synapses requested.
    pub count: usize,
    /// The limit.
    pub max: usize,
}

/// Where a group's endpoints lie in the global index space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Endpoints {
    /// Source population index.
    pub source: usize,
    /// First global index of the source population.
    pub source_start: u32,
    /// Number of source neurons.
    pub n_sources: u32,
    /// Target population index.
    pub target: usize,
    /// First global index of the target population.
    pub target_start: u32,
}

impl SynapseGroup {
    /// Builds the CSR form from each target's incoming synapses (`incoming[t]` for target
    /// neuron `t` of the target population, in any order of targets' sources).
    pub fn from_incoming(
        name: &str,
        ends: Endpoints,
        port: u8,
        incoming: &[Vec<NewSynapse>],
    ) -> Result<Self, TooManySynapses> {
        let count: usize = incoming.iter().map(Vec::len).sum();
        if count > u32::MAX as usize {
            return Err(TooManySynapses {
                name: name.to_owned(),
                count,
                max: u32::MAX as usize,
            });
        }
        // Counting sort by source: targets come out ascending within each row because
        // `incoming` is visited in target order.
        let n_sources = ends.n_sources as usize;
        let mut row_offsets = vec![0u32; n_sources + 1];
        for syn in incoming.iter().flatten() {
            row_offsets[syn.source_local as usize + 1] += 1;
        }
        for j in 0..n_sources {
            row_offsets[j + 1] += row_offsets[j];
        }
        let mut fill: Vec<u32> = row_offsets[..n_sources].to_vec();
        let mut targets = vec![0u32; count];
        let mut weights = vec![0f32; count];
        let mut delays = vec![0u16; count];
        for (t, syns) in incoming.iter().enumerate() {
            for syn in syns {
                let slot = &mut fill[syn.source_local as usize];
                let k = *slot as usize;
                *slot += 1;
                targets[k] = ends.target_start + t as u32;
                weights[k] = syn.weight;
                delays[k] = syn.delay_steps;
            }
        }
        let delays = match delays.first() {
            Some(&d) if delays.iter().all(|&x| x == d) => Delays::Uniform(d),
            Some(_) => Delays::PerSynapse(delays),
            None => Delays::Uniform(1),
        };
        Ok(Self {
            name: name.to_owned(),
            source: ends.source,
            target: ends.target,
            port,
            source_start: ends.source_start,
            row_offsets,
            targets,
            weights,
            delays,
        })
    }

    /// Removes the synapses whose `keep` flag is false and inserts `added`, keeping every
    /// row sorted by (target, key). `old_key(k)` gives the key of old synapse `k`. Returns
    /// the origin of each synapse of the new layout.
    ///
    /// Linear in the group size (rows are merged, only `added` is sorted), so it can run
    /// after every structural step.
    pub fn rewire(
        &mut self,
        keep: &[bool],
        added: &[AddedSynapse],
        old_key: impl Fn(usize) -> u64,
    ) -> Result<Vec<Origin>, TooManySynapses> {
        debug_assert_eq!(keep.len(), self.len());
        let kept = keep.iter().filter(|&&k| k).count();
        let count = kept + added.len();
        if count > u32::MAX as usize {
            return Err(TooManySynapses {
                name: self.name.clone(),
                count,
                max: u32::MAX as usize,
            });
        }
        let mut order: Vec<u32> = (0..added.len() as u32).collect();
        order.sort_by_key(|&a| {
            let s = &added[a as usize];
            (s.source_local, s.target, s.key)
        });
        let n_sources = self.n_sources();
        let mut origins = Vec::with_capacity(count);
        let mut row_offsets = Vec::with_capacity(n_sources + 1);
        row_offsets.push(0u32);
        let mut next_added = order.iter().peekable();
        for j in 0..n_sources as u32 {
            let mut old = self.row(j).filter(|&k| keep[k]).peekable();
            loop {
                let add = next_added
                    .peek()
                    .map(|&&a| &added[a as usize])
                    .filter(|s| s.source_local == j);
                match (old.peek().copied(), add) {
                    (Some(k), Some(a)) if (self.targets[k], old_key(k)) <= (a.target, a.key) => {
                        origins.push(Origin::Kept(k as u32));
                        old.next();
                    }
                    (_, Some(_)) => {
                        origins.push(Origin::Added(*next_added.next().expect("peeked")));
                    }
                    (Some(k), None) => {
                        origins.push(Origin::Kept(k as u32));
                        old.next();
                    }
                    (None, None) => break,
                }
            }
            row_offsets.push(origins.len() as u32);
        }
        debug_assert!(
            next_added.next().is_none(),
            "added synapse with a source outside the group"
        );

        let delay_of = |o: &Origin| match o {
            Origin::Kept(k) => self.delay_steps(*k as usize),
            Origin::Added(a) => added[*a as usize].delay_steps,
        };
        let targets = origins
            .iter()
            .map(|o| match o {
                Origin::Kept(k) => self.targets[*k as usize],
                Origin::Added(a) => added[*a as usize].target,
            })
            .collect();
        let weights = origins
            .iter()
            .map(|o| match o {
                Origin::Kept(k) => self.weights[*k as usize],
                Origin::Added(a) => added[*a as usize].weight,
            })
            .collect();
        let delays: Vec<u16> = origins.iter().map(delay_of).collect();
        self.delays = match delays.first() {
            Some(&d) if delays.iter().all(|&x| x == d) => Delays::Uniform(d),
            Some(_) => Delays::PerSynapse(delays),
            None => self.delays.clone().uniform_or(1),
        };
        self.row_offsets = row_offsets;
        self.targets = targets;
        self.weights = weights;
        Ok(origins)
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// True when the projection made no synapse.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Number of presynaptic neurons (rows).
    pub fn n_sources(&self) -> usize {
        self.row_offsets.len() - 1
    }

    /// First global index of the source population.
    pub fn source_start(&self) -> u32 {
        self.source_start
    }

    /// Synapse indices of presynaptic neuron `source_local`.
    #[inline(always)]
    pub fn row(&self, source_local: u32) -> std::ops::Range<usize> {
        let j = source_local as usize;
        self.row_offsets[j] as usize..self.row_offsets[j + 1] as usize
    }

    /// Presynaptic neuron (index within the source population) of synapse `k`, by binary
    /// search over the rows (for event logs, not for per-spike paths).
    pub fn source_of(&self, k: usize) -> u32 {
        (self
            .row_offsets
            .partition_point(|&start| start as usize <= k)
            - 1) as u32
    }

    /// Global target index of every synapse.
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// Weight of every synapse.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Weights, for plasticity rules.
    pub fn weights_mut(&mut self) -> &mut [f32] {
        &mut self.weights
    }

    /// Targets (read) and weights (write) of every synapse, in CSR order.
    pub fn targets_and_weights_mut(&mut self) -> (&[u32], &mut [f32]) {
        (&self.targets, &mut self.weights)
    }

    /// Targets (read) and weights (write) of presynaptic neuron `source_local`'s synapses.
    pub fn row_mut(&mut self, source_local: u32) -> (&[u32], &mut [f32]) {
        let row = self.row(source_local);
        (&self.targets[row.clone()], &mut self.weights[row])
    }

    /// The delays.
    pub fn delays(&self) -> &Delays {
        &self.delays
    }

    /// Longest delay, in steps.
    pub fn max_delay_steps(&self) -> u16 {
        match &self.delays {
            Delays::Uniform(d) => *d,
            Delays::PerSynapse(ds) => ds.iter().copied().max().unwrap_or(1),
        }
    }

    /// Delay of synapse `k`, in steps.
    pub fn delay_steps(&self, k: usize) -> u16 {
        match &self.delays {
            Delays::Uniform(d) => *d,
            Delays::PerSynapse(ds) => ds[k],
        }
    }

    /// Asks the CPU to start loading where `source_local`'s row starts and ends, ahead of
    /// [`prefetch_row`](Self::prefetch_row), which needs them.
    #[inline(always)]
    pub fn prefetch_row_bounds(&self, source_local: u32) {
        if let Some(offset) = self.row_offsets.get(source_local as usize) {
            prefetch(offset);
        }
    }

    /// Asks the CPU to start loading the first synapse of `source_local`'s row (targets and
    /// weights), or its last one if `from_end` (where the last band of
    /// [`deliver_band`](Self::deliver_band) starts reading), so that delivering the spikes
    /// before it overlaps the wait: rows are scattered over tens of megabytes.
    #[inline(always)]
    pub fn prefetch_row(&self, source_local: u32, from_end: bool) {
        let row = self.row(source_local);
        if row.is_empty() {
            return;
        }
        let k = if from_end { row.end - 1 } else { row.start };
        prefetch(&self.targets[k]);
        prefetch(&self.weights[k]);
    }

    /// Pushes one spike of `source_local` into the ring buffer; returns the synapses reached.
    #[inline]
    pub fn deliver(&self, source_local: u32, ring: &mut SynapticInputRing) -> usize {
        let row = self.row(source_local);
        let targets = &self.targets[row.clone()];
        let weights = &self.weights[row.clone()];
        let port = usize::from(self.port);
        match &self.delays {
            Delays::Uniform(d) => {
                let offset = ring.offset(*d, port);
                let buffer = &mut ring.data_mut()[offset..];
                for (&t, &w) in targets.iter().zip(weights) {
                    buffer[t as usize] += w;
                }
            }
            Delays::PerSynapse(delays) => {
                for ((&t, &w), &d) in targets.iter().zip(weights).zip(&delays[row]) {
                    let offset = ring.offset(d, port);
                    ring.data_mut()[offset + t as usize] += w;
                }
            }
        }
        targets.len()
    }

    /// Pushes one spike of `source_local` into the targets of one ring band; returns the
    /// synapses reached in the band. A row's targets are sorted, so the band's synapses are
    /// one run: from its first one up to the first target past the band. Summed over the
    /// bands of [`SynapticInputRing::deliver_in_bands`], this adds what
    /// [`deliver`](Self::deliver) adds, to each target in the same order.
    #[inline]
    pub fn deliver_band(&self, source_local: u32, band: &mut RingBand<'_>) -> usize {
        let row = self.row(source_local);
        let row_targets = &self.targets[row.clone()];
        let band_targets = band.targets();
        // The last band finds its first synapse from the row's end, so it reads only its own
        // synapses (a binary search would pull the whole row into this core's cache); the
        // first band starts at the row's start.
        let first = if band_targets.start == 0 {
            0
        } else if band_targets.end as usize == band.n_neurons() {
            row_targets
                .iter()
                .rposition(|&t| t < band_targets.start)
                .map_or(0, |k| k + 1)
        } else {
            row_targets.partition_point(|&t| t < band_targets.start)
        };
        let from = row.start + first;
        let targets = &self.targets[from..row.end];
        let weights = &self.weights[from..row.end];
        let in_band = |&(&t, _): &(&u32, &f32)| t < band_targets.end;
        let port = usize::from(self.port);
        let mut reached = 0;
        match &self.delays {
            Delays::Uniform(d) => {
                let slot_row = band.row(*d, port);
                for (&t, &w) in targets.iter().zip(weights).take_while(in_band) {
                    band.add(slot_row, t, w);
                    reached += 1;
                }
            }
            Delays::PerSynapse(delays) => {
                let synapses = targets.iter().zip(weights).take_while(in_band);
                for ((&t, &w), &d) in synapses.zip(&delays[from..row.end]) {
                    band.add(band.row(d, port), t, w);
                    reached += 1;
                }
            }
        }
        reached
    }

    /// Bytes held by the synapse arrays (row offsets included).
    pub fn memory_bytes(&self) -> usize {
        let delays = match &self.delays {
            Delays::Uniform(_) => 0,
            Delays::PerSynapse(ds) => ds.capacity() * 2,
        };
        self.row_offsets.capacity() * 4
            + self.targets.capacity() * 4
            + self.weights.capacity() * 4
            + delays
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syn(source_local: u32, weight: f32, delay_steps: u16) -> NewSynapse {
        NewSynapse {
            source_local,
            weight,
            delay_steps,
        }
    }

    fn ends() -> Endpoints {
        Endpoints {
            source: 0,
            source_start: 0,
            n_sources: 3,
            target: 1,
            target_start: 10,
        }
    }

    #[test]
    fn rows_hold_each_sources_synapses_in_target_order() {
        let incoming = vec![
            vec![syn(2, 1.0, 1), syn(0, 2.0, 1)],
            vec![],
            vec![syn(0, 3.0, 1)],
        ];
        let g = SynapseGroup::from_incoming("p", ends(), 0, &incoming).unwrap();
        assert_eq!(g.len(), 3);
        assert_eq!(&g.targets()[g.row(0)], &[10, 12]);
        assert_eq!(&g.weights()[g.row(0)], &[2.0, 3.0]);
        assert!(g.row(1).is_empty());
        assert_eq!(&g.targets()[g.row(2)], &[10]);
        assert_eq!(g.delays(), &Delays::Uniform(1));
        assert_eq!(
            (0..3).map(|k| g.source_of(k)).collect::<Vec<_>>(),
            vec![0, 0, 2]
        );
    }

    #[test]
    fn rewiring_removes_inserts_and_keeps_rows_sorted() {
        // Sources 0..3 onto targets 10..12; keys = old position.
        let incoming = vec![
            vec![syn(0, 1.0, 1), syn(1, 2.0, 1)],
            vec![syn(0, 3.0, 1)],
            vec![syn(2, 4.0, 1)],
        ];
        let mut g = SynapseGroup::from_incoming("p", ends(), 0, &incoming).unwrap();
        // Old layout: row 0 → [10 (w1), 11 (w3)], row 1 → [10 (w2)], row 2 → [12 (w4)].
        assert_eq!(g.weights(), &[1.0, 3.0, 2.0, 4.0]);
        let keep = [true, false, true, true];
        let added = [
            AddedSynapse {
                source_local: 2,
                target: 10,
                weight: 5.0,
                delay_steps: 3,
                key: 100,
            },
            AddedSynapse {
                source_local: 0,
                target: 10,
                weight: 6.0,
                delay_steps: 1,
                key: 7,
            },
        ];
        let origins = g.rewire(&keep, &added, |k| k as u64).unwrap();
        assert_eq!(
            origins,
            vec![
                Origin::Kept(0),
                Origin::Added(1),
                Origin::Kept(2),
                Origin::Added(0),
                Origin::Kept(3)
            ]
        );
        assert_eq!(&g.targets()[g.row(0)], &[10, 10]);
        assert_eq!(&g.weights()[g.row(0)], &[1.0, 6.0]);
        assert_eq!(&g.targets()[g.row(2)], &[10, 12]);
        assert_eq!(g.delay_steps(3), 3);
        assert!(matches!(g.delays(), Delays::PerSynapse(_)));
        // Removing everything leaves a valid empty group.
        let origins = g.rewire(&[false; 5], &[], |k| k as u64).unwrap();
        assert!(origins.is_empty() && g.is_empty() && g.row(1).is_empty());
    }

    #[test]
    fn delivery_respects_each_synapses_delay() {
        let incoming = vec![vec![syn(0, 1.0, 1)], vec![syn(0, 2.0, 3)]];
        let ends = Endpoints {
            n_sources: 1,
            target_start: 0,
            ..ends()
        };
        let g = SynapseGroup::from_incoming("p", ends, 0, &incoming).unwrap();
        assert!(matches!(g.delays(), Delays::PerSynapse(_)));
        let mut ring = SynapticInputRing::new(g.max_delay_steps(), 1, 2);
        assert_eq!(g.deliver(0, &mut ring), 2);
        let mut arrivals = Vec::new();
        for step in 0..4 {
            let now = ring.current_port_mut(0);
            for (i, x) in now.iter_mut().enumerate() {
                if *x != 0.0 {
                    arrivals.push((step, i, *x));
                    *x = 0.0;
                }
            }
            ring.advance();
        }
        assert_eq!(arrivals, vec![(1, 0, 1.0), (3, 1, 2.0)]);
    }

    /// Every band count delivers the same sums as one serial pass, to the last bit: per-
    /// synapse delays, synapses repeated onto one target (whose order of addition matters
    /// for weights of very different size), empty rows and targets no synapse reaches.
    #[test]
    fn delivery_by_bands_adds_what_serial_delivery_adds_in_the_same_order() {
        let (n_sources, n_targets) = (7u32, 23usize);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let incoming: Vec<Vec<NewSynapse>> = (0..n_targets)
            .map(|target| {
                if target % 5 == 4 {
                    return Vec::new();
                }
                (0..next() % 6)
                    .map(|_| {
                        let r = next();
                        let source = (r % u64::from(n_sources - 1)) as u32;
                        let weight = 10f32.powi((r >> 8) as i32 % 13 - 6) * 1.37;
                        syn(source, weight, 1 + (r >> 20) as u16 % 4)
                    })
                    .collect()
            })
            .collect();
        let ends = Endpoints {
            n_sources,
            target_start: 0,
            ..ends()
        };
        let g = SynapseGroup::from_incoming("p", ends, 1, &incoming).unwrap();
        assert!(matches!(g.delays(), Delays::PerSynapse(_)));
        let spikes = [3u32, 0, 6, 3, 1, 5, 2, 0, 4];
        let mut serial = SynapticInputRing::new(g.max_delay_steps(), 2, n_targets);
        let reached: usize = spikes.iter().map(|&s| g.deliver(s, &mut serial)).sum();
        assert!(reached > 0);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        for n_bands in 1..=6 {
            let mut banded = SynapticInputRing::new(g.max_delay_steps(), 2, n_targets);
            let banded_reached = pool.install(|| {
                banded.deliver_in_bands(n_bands, |band| {
                    spikes.iter().map(|&s| g.deliver_band(s, band)).sum()
                })
            });
            assert_eq!(banded_reached, reached, "{n_bands} bands");
            let bits = |ring: &mut SynapticInputRing| {
                ring.data_mut()
                    .iter()
                    .map(|x| x.to_bits())
                    .collect::<Vec<_>>()
            };
            assert_eq!(bits(&mut banded), bits(&mut serial), "{n_bands} bands");
        }
    }
}
