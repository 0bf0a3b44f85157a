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
        row_index(self.cursor, delay, port, self.n_slots, self.n_ports) * self.n_neurons
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

    /// Runs `deliver` once for each of `n_bands` bands of target neurons, in parallel on
    /// the current rayon pool, and returns the sum of what the calls return.
    ///
    /// Band `b` covers targets `[b·N/n_bands, (b+1)·N/n_bands)` in every slot and port, and
    /// its [`RingBand`] adds only to those. So each target is written by one task only, in
    /// the order that task adds, whatever the number of threads: a caller that goes through
    /// its spikes in a fixed order in every band sums each target's input exactly as a
    /// serial pass in that order would (Morrison et al. 2005, *Neural Comput* 17:1776,
    /// distribute the same way by target in NEST).
    pub fn deliver_in_bands<F>(&mut self, n_bands: usize, deliver: F) -> usize
    where
        F: Fn(&mut RingBand<'_>) -> usize + Sync,
    {
        use rayon::prelude::*;
        let n_bands = n_bands.clamp(1, self.n_neurons.max(1));
        let (n_slots, n_ports, n_neurons, cursor) =
            (self.n_slots, self.n_ports, self.n_neurons, self.cursor);
        // A ring read back from a damaged checkpoint could disagree with its own shape; the
        // bands' unchecked writes rely on it.
        assert_eq!(
            self.data.len(),
            n_slots * n_ports * n_neurons,
            "ring buffer of {n_slots} slots × {n_ports} ports × {n_neurons} neurons has {} values",
            self.data.len()
        );
        let data = SharedData {
            ptr: self.data.as_mut_ptr(),
            len: self.data.len(),
        };
        (0..n_bands)
            .into_par_iter()
            .map(|b| {
                let mut band = RingBand {
                    data: &data,
                    n_slots,
                    n_ports,
                    n_neurons,
                    cursor,
                    start: (b * n_neurons / n_bands) as u32,
                    end: ((b + 1) * n_neurons / n_bands) as u32,
                };
                deliver(&mut band)
            })
            .sum()
    }
}

/// Index of the (slot, port) row for input arriving `delay` steps after the step at
/// `cursor` (`delay < n_slots`, so one wrap at most).
#[inline(always)]
fn row_index(cursor: usize, delay: u16, port: usize, n_slots: usize, n_ports: usize) -> usize {
    let mut slot = cursor + usize::from(delay);
    if slot >= n_slots {
        slot -= n_slots;
    }
    slot * n_ports + port
}

/// The ring's buffer, shared by the bands of [`SynapticInputRing::deliver_in_bands`] for
/// the length of that call (which holds the ring's `&mut`).
struct SharedData {
    ptr: *mut f32,
    len: usize,
}

// SAFETY: the pointer is only written through `RingBand::add`, which writes only the
// targets of its own band; bands do not overlap, so no two threads touch the same element.
#[allow(unsafe_code)]
unsafe impl Sync for SharedData {}

/// Write access to the input of one band of target neurons (`targets()`), in every slot and
/// port of a [`SynapticInputRing`]; see [`SynapticInputRing::deliver_in_bands`].
pub struct RingBand<'a> {
    data: &'a SharedData,
    n_slots: usize,
    n_ports: usize,
    n_neurons: usize,
    cursor: usize,
    start: u32,
    end: u32,
}

/// One (arrival step, port) row of the ring; from [`RingBand::row`].
#[derive(Debug, Clone, Copy)]
pub struct SlotRow(usize);

impl RingBand<'_> {
    /// The targets this band may add to (global neuron indices).
    pub fn targets(&self) -> std::ops::Range<u32> {
        self.start..self.end
    }

    /// Number of neurons of the whole ring (the last band ends there).
    pub fn n_neurons(&self) -> usize {
        self.n_neurons
    }

    /// The row of input arriving `delay` steps from now at `port`.
    ///
    /// # Panics
    /// If `delay` is not below the ring's slot count or `port` not below its port count.
    #[inline(always)]
    pub fn row(&self, delay: u16, port: usize) -> SlotRow {
        assert!(usize::from(delay) < self.n_slots && port < self.n_ports);
        SlotRow(row_index(
            self.cursor,
            delay,
            port,
            self.n_slots,
            self.n_ports,
        ))
    }

    /// Adds `weight` to `target`'s input in `row`.
    ///
    /// # Panics
    /// If `target` is not in this band's [`targets`](Self::targets), or `row` is not a row
    /// of this ring.
    #[inline(always)]
    pub fn add(&mut self, row: SlotRow, target: u32, weight: f32) {
        assert!(
            target.wrapping_sub(self.start) < self.end - self.start
                && row.0 < self.n_slots * self.n_ports,
            "target {target} outside its band {}..{} or row {} outside the ring",
            self.start,
            self.end,
            row.0
        );
        let index = row.0 * self.n_neurons + target as usize;
        debug_assert!(index < self.data.len);
        // SAFETY: `row < n_slots · n_ports` and `target < end <= n_neurons`, so `index` is
        // inside the buffer (`deliver_in_bands` checked its length against that shape). Only this band writes `target`'s elements (bands are
        // disjoint), and the buffer's owner stays mutably borrowed by `deliver_in_bands`
        // for as long as any band lives.
        #[allow(unsafe_code)]
        unsafe {
            *self.data.ptr.add(index) += weight;
        }
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

    #[test]
    fn bands_partition_the_targets_and_keep_to_their_own() {
        let mut ring = SynapticInputRing::new(2, 2, 10);
        let reached = ring.deliver_in_bands(3, |band| {
            let row = band.row(2, 1);
            for t in band.targets() {
                band.add(row, t, t as f32);
            }
            band.targets().len()
        });
        assert_eq!(reached, 10, "every target in exactly one band");
        let offset = ring.offset(2, 1);
        let written: Vec<f32> = ring.data_mut()[offset..offset + 10].to_vec();
        assert_eq!(written, (0..10).map(|t| t as f32).collect::<Vec<_>>());
        assert_eq!(
            ring.data_mut().iter().sum::<f32>(),
            45.0,
            "nothing written elsewhere"
        );
    }

    #[test]
    #[should_panic(expected = "outside its band")]
    fn a_band_cannot_write_another_bands_target() {
        let mut ring = SynapticInputRing::new(1, 1, 10);
        ring.deliver_in_bands(2, |band| {
            let row = band.row(1, 0);
            let outside = if band.targets().start == 0 { 9 } else { 0 };
            band.add(row, outside, 1.0);
            0
        });
    }
}
