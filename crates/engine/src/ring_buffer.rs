//! Delayed synaptic input: a ring of per-step, per-port input buffers.

use bevy_ecs::prelude::Resource;

/// Synaptic input waiting to arrive, summed per (arrival step, port, target neuron).
///
/// A spike emitted at step *n* through a synapse of delay *d* steps adds its weight to slot
/// `(n + d) mod S`; at step *n + d* the target's neuron model consumes slot `n + d` (reads it
/// and sets it back to zero). A *port* is an input channel of the target — the engine does
/// not know what it means (the models use one for glutamate and one for GABA).
///
/// Layout `[slot][port][neuron]`: at one step each port is one contiguous slice over all
/// neurons, so neuron updates read their input with unit stride and split it into chunks.
#[derive(Resource, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SynapticInputRing {
    n_slots: usize,
    n_ports: usize,
    n_neurons: usize,
    cursor: usize,
    data: Vec<f32>,
}

impl SynapticInputRing {
    /// A ring for delays of up to `max_delay_steps` (≥ 1) steps.
    pub fn new(max_delay_steps: u16, n_ports: usize, n_neurons: usize) -> Self {
        let n_slots = usize::from(max_delay_steps.max(1)) + 1;
        Self {
            n_slots,
            n_ports,
            n_neurons,
            cursor: 0,
            data: vec![0.0; n_slots * n_ports * n_neurons],
        }
    }

    /// Number of slots (longest delay + 1).
    pub fn n_slots(&self) -> usize {
        self.n_slots
    }

    /// Number of input ports per neuron.
    pub fn n_ports(&self) -> usize {
        self.n_ports
    }

    /// Offset of the (slot, port) slice for input arriving `delay` steps from now.
    #[inline(always)]
    pub fn offset(&self, delay: u16, port: usize) -> usize {
        debug_assert!(usize::from(delay) < self.n_slots && port < self.n_ports);
        let mut slot = self.cursor + usize::from(delay);
        if slot >= self.n_slots {
            slot -= self.n_slots;
        }
        (slot * self.n_ports + port) * self.n_neurons
    }

    /// The raw buffer; index it with [`offset`](Self::offset) `+ target`.
    #[inline(always)]
    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// The input arriving now at `port`, for all neurons. The consumer must zero what it reads.
    pub fn current_port_mut(&mut self, port: usize) -> &mut [f32] {
        let start = self.offset(0, port);
        &mut self.data[start..start + self.n_neurons]
    }

    /// The input arriving now, one slice per port (`P` must equal the number of ports).
    pub fn current_ports_mut<const P: usize>(&mut self) -> [&mut [f32]; P] {
        assert_eq!(P, self.n_ports, "port count mismatch");
        let n = self.n_neurons;
        let start = self.offset(0, 0);
        let mut rest = &mut self.data[start..start + P * n];
        std::array::from_fn(|_| {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(n);
            rest = tail;
            head
        })
    }

    /// Moves to the next step. The slot just left must have been consumed (zeroed).
    pub fn advance(&mut self) {
        debug_assert!(
            self.current_port_is_empty(),
            "synaptic input of a step was not consumed"
        );
        self.cursor += 1;
        if self.cursor == self.n_slots {
            self.cursor = 0;
        }
    }

    fn current_port_is_empty(&self) -> bool {
        let start = (self.cursor * self.n_ports) * self.n_neurons;
        self.data[start..start + self.n_ports * self.n_neurons]
            .iter()
            .all(|&x| x == 0.0)
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.data.capacity() * std::mem::size_of::<f32>()
    }

    /// Number of neurons covered.
    pub fn n_neurons(&self) -> usize {
        self.n_neurons
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consume(ring: &mut SynapticInputRing, port: usize) -> Vec<f32> {
        let slice = ring.current_port_mut(port);
        let out = slice.to_vec();
        slice.fill(0.0);
        out
    }

    #[test]
    fn input_arrives_after_its_delay_and_only_then() {
        let mut ring = SynapticInputRing::new(3, 2, 4);
        let off = ring.offset(3, 1);
        ring.data_mut()[off + 2] += 1.5;
        let off = ring.offset(1, 0);
        ring.data_mut()[off] += 0.5;
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push((consume(&mut ring, 0), consume(&mut ring, 1)));
            ring.advance();
        }
        assert_eq!(seen[1].0, vec![0.5, 0.0, 0.0, 0.0]);
        assert_eq!(seen[3].1, vec![0.0, 0.0, 1.5, 0.0]);
        let total: f32 = seen.iter().flat_map(|(a, b)| a.iter().chain(b)).sum();
        assert_eq!(total, 2.0, "input is neither lost nor duplicated");
    }
}
