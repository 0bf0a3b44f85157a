//! One projection's synapses in compressed sparse row (CSR) form, rows = presynaptic neurons.

use crate::ring_buffer::SynapticInputRing;

/// Axonal delays of a synapse group, in steps.
///
/// Most projections use one delay for all synapses; they store none per synapse.
#[derive(Debug, Clone, PartialEq)]
pub enum Delays {
    /// Every synapse has this delay.
    Uniform(u16),
    /// One delay per synapse, aligned with the targets.
    PerSynapse(Vec<u16>),
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
#[derive(Debug, Clone, PartialEq)]
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
}
