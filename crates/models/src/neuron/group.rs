//! The neurons of one population: state columns, chunked parallel update, initial state.

use bevy_ecs::prelude::*;
use rayon::prelude::*;
use std::ops::Range;

use synaptogen_engine::distribution::Sampler;
use synaptogen_engine::monitors::StateProbe;
use synaptogen_engine::rng::{StreamId, StreamRng};
use synaptogen_engine::{SimClock, SpikeEvents, StableId, SynapticInputRing};

use super::kernel::{CHUNK, ChunkState, Kernel, MAX_NMDA_COMPONENTS};
use crate::inputs::{DueSpikes, ForcedSpikes};
use crate::ports::{GABA_PORT, GLUTAMATE_PORT, N_PORTS};

/// Populations at least this large (alone, or consecutive ones together) are updated in
/// parallel (when there is more than one thread). Below it, rayon's fork–join (a few µs) costs more than the work: the
/// 4,000-neuron COBA network spends ≈ 2 µs per step in neuron updates. Results never
/// depend on this choice: every neuron's update is independent and spikes are gathered
/// in chunk order.
pub const PARALLEL_MIN_NEURONS: usize = 16 * CHUNK;

/// State of the neurons of one population, structure of arrays.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NeuronGroup {
    /// Population index.
    pub population: usize,
    /// Global neuron indices.
    pub range: Range<u32>,
    kernel: Kernel,
    columns: Columns,
    spike_buffers: Vec<Vec<u32>>,
    /// Steps since the NMDA open statistics were last taken.
    nmda_steps: u32,
}

/// A population's NMDA receptor statistics since they were last taken, and the shares of
/// its receptors left free by drugs (see `pharma::block`). Indices: `[component][neuron]`.
pub struct NmdaExposure<'a> {
    /// Steps the sums cover (0 when no spiking step ran, e.g. in a quiet stretch).
    pub steps: u32,
    /// Σ over steps of each component's conductance before any block, nS·step.
    pub open: [&'a mut [f32]; MAX_NMDA_COMPONENTS],
    /// The same sums weighted by the Mg²⁺-free fraction, nS·step.
    pub open_mg_free: [&'a mut [f32]; MAX_NMDA_COMPONENTS],
    /// Share of each component's receptors not held by drugs, in [0, 1], read by the kernel.
    pub free: [&'a mut [f32]; MAX_NMDA_COMPONENTS],
}

/// The state columns of a population (see [`ChunkState`] for their meaning and units).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Columns {
    v_mv: Vec<f64>,
    w_pa: Vec<f64>,
    refractory: Vec<u16>,
    g_ampa_ns: Vec<f32>,
    g_gaba_a_ns: Vec<f32>,
    nmda_rise: [Vec<f32>; MAX_NMDA_COMPONENTS],
    nmda_decay: [Vec<f32>; MAX_NMDA_COMPONENTS],
    g_nmda_ns: Vec<f32>,
    nmda_mg_factor: Vec<f32>,
    nmda_free: [Vec<f32>; MAX_NMDA_COMPONENTS],
    nmda_open: [Vec<f32>; MAX_NMDA_COMPONENTS],
    nmda_open_mg_free: [Vec<f32>; MAX_NMDA_COMPONENTS],
    i_ext_pa: Vec<f64>,
}

impl Columns {
    fn view(&mut self) -> ChunkState<'_> {
        let [r0, r1, r2] = &mut self.nmda_rise;
        let [d0, d1, d2] = &mut self.nmda_decay;
        let [f0, f1, f2] = &self.nmda_free;
        let [o0, o1, o2] = &mut self.nmda_open;
        let [m0, m1, m2] = &mut self.nmda_open_mg_free;
        ChunkState {
            v_mv: &mut self.v_mv,
            w_pa: &mut self.w_pa,
            refractory: &mut self.refractory,
            g_ampa_ns: &mut self.g_ampa_ns,
            g_gaba_a_ns: &mut self.g_gaba_a_ns,
            nmda_rise: [r0, r1, r2],
            nmda_decay: [d0, d1, d2],
            g_nmda_ns: &mut self.g_nmda_ns,
            nmda_mg_factor: &mut self.nmda_mg_factor,
            nmda_free: [f0, f1, f2],
            nmda_open: [o0, o1, o2],
            nmda_open_mg_free: [m0, m1, m2],
            i_ext_pa: &mut self.i_ext_pa,
        }
    }
}

/// A state variable that can be initialised from a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialVariable {
    /// Membrane potential, mV.
    VMv,
    /// AMPA conductance, nS.
    GAmpaNs,
    /// GABA-A conductance, nS.
    GGabaANs,
    /// AdEx adaptation current, pA.
    WAdaptPa,
}

impl InitialVariable {
    /// All of them with their scenario names.
    pub const ALL: [(&'static str, Self); 4] = [
        ("v_mv", Self::VMv),
        ("g_ampa_ns", Self::GAmpaNs),
        ("g_gaba_a_ns", Self::GGabaANs),
        ("w_adapt_pa", Self::WAdaptPa),
    ];

    /// Looks a variable up by its scenario name.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

impl NmdaExposure<'_> {
    /// Zeroes the sums, starting the next interval.
    pub fn reset(&mut self) {
        for column in self.open.iter_mut().chain(self.open_mg_free.iter_mut()) {
            column.fill(0.0);
        }
    }
}

impl NeuronGroup {
    /// A population at rest (V = E_L, no conductance, no adaptation).
    pub fn new(population: usize, range: Range<u32>, kernel: Kernel) -> Self {
        let n = (range.end - range.start) as usize;
        let n_nmda = kernel.n_nmda_components();
        let nmda_column = |c: usize| if c < n_nmda { vec![0.0; n] } else { Vec::new() };
        let free_column = |c: usize| if c < n_nmda { vec![1.0; n] } else { Vec::new() };
        let n_chunks = n.div_ceil(CHUNK);
        Self {
            population,
            range,
            columns: Columns {
                v_mv: vec![kernel.e_l_mv(); n],
                w_pa: if kernel.has_adaptation() {
                    vec![0.0; n]
                } else {
                    Vec::new()
                },
                refractory: vec![0; n],
                g_ampa_ns: vec![0.0; n],
                g_gaba_a_ns: vec![0.0; n],
                nmda_rise: std::array::from_fn(nmda_column),
                nmda_decay: std::array::from_fn(nmda_column),
                g_nmda_ns: if n_nmda > 0 { vec![0.0; n] } else { Vec::new() },
                nmda_mg_factor: if n_nmda > 0 { vec![0.0; n] } else { Vec::new() },
                nmda_free: std::array::from_fn(free_column),
                nmda_open: std::array::from_fn(nmda_column),
                nmda_open_mg_free: std::array::from_fn(nmda_column),
                i_ext_pa: vec![0.0; n],
            },
            spike_buffers: (0..n_chunks).map(|_| Vec::with_capacity(CHUNK)).collect(),
            nmda_steps: 0,
            kernel,
        }
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.columns.v_mv.len()
    }

    /// True when the population is empty.
    pub fn is_empty(&self) -> bool {
        self.columns.v_mv.is_empty()
    }

    /// Membrane potentials, mV.
    pub fn v_mv(&self) -> &[f64] {
        &self.columns.v_mv
    }

    /// Share of GluN2 class `class`'s receptors not held by drugs, per neuron (empty when
    /// the cell has no receptors of that class).
    pub fn nmda_free(&self, class: usize) -> &[f32] {
        &self.columns.nmda_free[class]
    }

    /// The NMDA statistics gathered since the last call, for the drug-block kinetics; the
    /// caller zeroes the sums it has used with [`NmdaExposure::reset`].
    pub fn nmda_exposure(&mut self) -> NmdaExposure<'_> {
        let c = &mut self.columns;
        let steps = std::mem::take(&mut self.nmda_steps);
        let [o0, o1, o2] = &mut c.nmda_open;
        let [m0, m1, m2] = &mut c.nmda_open_mg_free;
        let [f0, f1, f2] = &mut c.nmda_free;
        NmdaExposure {
            steps,
            open: [o0, o1, o2],
            open_mg_free: [m0, m1, m2],
            free: [f0, f1, f2],
        }
    }

    /// The cell type's step constants.
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// Draws `variable` of every neuron from `sampler`, neuron *i* from the stream
    /// ("init/<variable>", its stable id). Conductances are clipped at 0.
    pub fn initialize(
        &mut self,
        variable: InitialVariable,
        sampler: &Sampler,
        seed: u64,
        population_hash: u32,
    ) {
        let name = InitialVariable::ALL
            .iter()
            .find(|(_, v)| *v == variable)
            .map_or("", |(n, _)| *n);
        let stream = StreamId::named(&format!("init/{name}"));
        let draw = |i: usize| {
            let id = StableId::neuron(population_hash, i as u32);
            sampler.sample(&mut StreamRng::new(seed, stream, id, 0))
        };
        match variable {
            InitialVariable::VMv => self
                .columns
                .v_mv
                .iter_mut()
                .enumerate()
                .for_each(|(i, v)| *v = draw(i)),
            InitialVariable::WAdaptPa => self
                .columns
                .w_pa
                .iter_mut()
                .enumerate()
                .for_each(|(i, w)| *w = draw(i)),
            InitialVariable::GAmpaNs => {
                for (i, g) in self.columns.g_ampa_ns.iter_mut().enumerate() {
                    *g = draw(i).max(0.0) as f32;
                }
            }
            InitialVariable::GGabaANs => {
                for (i, g) in self.columns.g_gaba_a_ns.iter_mut().enumerate() {
                    *g = draw(i).max(0.0) as f32;
                }
            }
        }
    }

    /// Adds `delta_pa` to the injected current of local neurons `neurons` (all if `None`).
    pub fn add_current(&mut self, neurons: Option<&[u32]>, delta_pa: f64) {
        match neurons {
            None => self
                .columns
                .i_ext_pa
                .iter_mut()
                .for_each(|i| *i += delta_pa),
            Some(list) => list
                .iter()
                .for_each(|&n| self.columns.i_ext_pa[n as usize] += delta_pa),
        }
    }

    /// Advances every neuron one step, consuming `glutamate` and `gaba` (this population's
    /// slices of the arriving input); the local neurons in `forced` (ascending) are made to
    /// fire. Chunks run in parallel when the population is large.
    pub fn step(
        &mut self,
        glutamate: &mut [f32],
        gaba: &mut [f32],
        parallel: bool,
        forced: &[u32],
    ) {
        let parallel = parallel && self.len() >= PARALLEL_MIN_NEURONS;
        self.nmda_steps += 1;
        let grain = if parallel {
            self.spike_buffers
                .len()
                .div_ceil(TASKS_PER_THREAD * rayon::current_num_threads())
        } else {
            usize::MAX
        };
        let work = Work {
            state: self.columns.view(),
            glutamate,
            gaba,
            buffers: &mut self.spike_buffers,
            first: self.range.start,
            local: 0,
            forced,
        };
        work.run(&self.kernel, grain);
    }

    /// Appends this step's spikes, ascending, to `out`.
    pub fn collect_spikes(&self, out: &mut SpikeEvents) {
        for buffer in &self.spike_buffers {
            out.extend_sorted(buffer);
        }
    }

    fn local(&self, neuron: u32) -> usize {
        (neuron - self.range.start) as usize
    }
}

/// Parallel tasks per worker thread and population step: enough for rayon to even out
/// uneven chunks (spikes, a busy core), few enough that each task is tens of microseconds
/// of work. Splitting down to single chunks cost ≈ 10 % of COBA at 64k neurons on two
/// threads in joins, splits and scheduling (perf, docs/performance.md).
const TASKS_PER_THREAD: usize = 4;

/// A contiguous run of whole chunks and what they need, split in halves for rayon.
struct Work<'a> {
    state: ChunkState<'a>,
    glutamate: &'a mut [f32],
    gaba: &'a mut [f32],
    buffers: &'a mut [Vec<u32>],
    first: u32,
    /// Local index (within the population) of the first neuron.
    local: u32,
    /// Forced neurons in this run of chunks, local indices, ascending.
    forced: &'a [u32],
}

impl Work<'_> {
    /// Halves the run until a part has at most `grain` chunks, then runs the parts in
    /// parallel, each in chunk order.
    fn run(self, kernel: &Kernel, grain: usize) {
        if self.buffers.len() <= grain.max(1) {
            return self.run_in_order(kernel);
        }
        let (left, right) = self.halve();
        rayon::join(|| left.run(kernel, grain), || right.run(kernel, grain));
    }

    /// Chunk after chunk on this thread, each a borrowed view of its neurons' columns
    /// (moving the state views around — in a halving recursion, or splitting each chunk
    /// off the front — cost 7 % and then 4.5 % of the COBA benchmark; perf, issue 4 note
    /// and docs/performance.md).
    fn run_in_order(self, kernel: &Kernel) {
        let Work {
            mut state,
            glutamate,
            gaba,
            buffers,
            first,
            local,
            mut forced,
        } = self;
        let n = state.len();
        for (c, buffer) in buffers.iter_mut().enumerate() {
            let range = c * CHUNK..((c + 1) * CHUNK).min(n);
            let chunk_local = local + range.start as u32;
            let split = forced.partition_point(|&f| f < local + range.end as u32);
            let (mine, later) = forced.split_at(split);
            kernel.step(
                &mut state.sub(range.clone()),
                &mut glutamate[range.clone()],
                &mut gaba[range.clone()],
                first + range.start as u32,
                buffer,
                mine,
                chunk_local,
            );
            forced = later;
        }
    }

    fn halve(self) -> (Self, Self) {
        let chunks = self.buffers.len() / 2;
        let mid = chunks * CHUNK;
        let (s0, s1) = self.state.split_at(mid);
        let (g0, g1) = self.glutamate.split_at_mut(mid);
        let (a0, a1) = self.gaba.split_at_mut(mid);
        let (b0, b1) = self.buffers.split_at_mut(chunks);
        let split = self
            .forced
            .partition_point(|&n| n < self.local + mid as u32);
        let (f0, f1) = self.forced.split_at(split);
        (
            Work {
                state: s0,
                glutamate: g0,
                gaba: a0,
                buffers: b0,
                first: self.first,
                local: self.local,
                forced: f0,
            },
            Work {
                state: s1,
                glutamate: g1,
                gaba: a1,
                buffers: b1,
                first: self.first + mid as u32,
                local: self.local + mid as u32,
                forced: f1,
            },
        )
    }
}

/// The neuron state of every population, in population order.
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct NeuronGroups {
    groups: Vec<NeuronGroup>,
}

impl NeuronGroups {
    /// Adds the next population's group (groups must tile the index space in order).
    pub fn push(&mut self, group: NeuronGroup) {
        debug_assert_eq!(
            group.range.start,
            self.groups.last().map_or(0, |g| g.range.end)
        );
        self.groups.push(group);
    }

    /// Gives the per-chunk spike buffers the room of `fresh`'s (after a checkpoint
    /// restore; the step loop must not allocate).
    pub fn reserve_like(&mut self, fresh: &Self) {
        for (group, fresh) in self.groups.iter_mut().zip(&fresh.groups) {
            for (buffer, fresh) in group.spike_buffers.iter_mut().zip(&fresh.spike_buffers) {
                synaptogen_engine::monitors::reserve_to(buffer, fresh.capacity());
            }
        }
    }

    /// The groups.
    pub fn groups(&self) -> &[NeuronGroup] {
        &self.groups
    }

    /// Group of population `population`.
    pub fn group_mut(&mut self, population: usize) -> &mut NeuronGroup {
        &mut self.groups[population]
    }

    fn group_of(&self, neuron: u32) -> Option<&NeuronGroup> {
        let g = self.groups.partition_point(|g| g.range.end <= neuron);
        self.groups.get(g).filter(|g| g.range.contains(&neuron))
    }
}

/// The variables a [`StateMonitor`](synaptogen_engine::monitors::StateMonitor) can sample.
pub const STATE_VARIABLES: &[&str] = &[
    "v_mv",
    "g_ampa_ns",
    "g_nmda_ns",
    "nmda_unblocked",
    "g_gaba_a_ns",
    "w_adapt_pa",
    "i_ext_pa",
];

impl StateProbe for NeuronGroups {
    fn variable_names(&self) -> &'static [&'static str] {
        STATE_VARIABLES
    }

    fn read(&self, variable: usize, neuron: u32) -> Option<f64> {
        let g = self.group_of(neuron)?;
        let i = g.local(neuron);
        let nmda = || {
            (0..g.kernel.n_nmda_components()).fold(0.0, |sum, c| {
                sum + f64::from(g.columns.nmda_decay[c][i] - g.columns.nmda_rise[c][i])
            })
        };
        match *STATE_VARIABLES.get(variable)? {
            "v_mv" => Some(g.columns.v_mv[i]),
            "g_ampa_ns" => Some(f64::from(g.columns.g_ampa_ns[i])),
            "g_nmda_ns" => Some(nmda()),
            "nmda_unblocked" => Some(g.kernel.nmda_unblocked(g.columns.v_mv[i])),
            "g_gaba_a_ns" => Some(f64::from(g.columns.g_gaba_a_ns[i])),
            "w_adapt_pa" => g.columns.w_pa.get(i).copied(),
            "i_ext_pa" => Some(g.columns.i_ext_pa[i]),
            _ => None,
        }
    }
}

/// Integrate stage: every population advances one step (stimulated neurons forced to
/// fire); spikes are gathered in index order.
pub fn integrate_neurons(
    clock: Res<SimClock>,
    mut groups: ResMut<NeuronGroups>,
    mut ring: ResMut<SynapticInputRing>,
    mut spikes: ResMut<SpikeEvents>,
    mut forced: ResMut<ForcedSpikes>,
) {
    debug_assert_eq!(usize::from(GLUTAMATE_PORT), 0);
    debug_assert_eq!(usize::from(GABA_PORT), 1);
    let [glutamate, gaba] = ring.current_ports_mut::<N_PORTS>();
    let parallel = rayon::current_num_threads() > 1;
    let due = forced.due(clock.step());
    step_populations(&mut groups.groups, glutamate, gaba, 0, parallel, &due);
    for group in &groups.groups {
        group.collect_spikes(&mut spikes);
    }
}

/// Steps consecutive populations (`groups`, the first of them population number
/// `first_population`) on their input slices, which start at the first group's first neuron.
///
/// In parallel, the populations are halved at the first group boundary at or past half
/// their neurons and the halves run side by side, so every step has one parallel region
/// however many populations there are, and populations too small to split on their own
/// (most of the biological networks') still run beside each other. Each population's result depends only
/// on its own state and input, so this changes no number.
fn step_populations(
    groups: &mut [NeuronGroup],
    glutamate: &mut [f32],
    gaba: &mut [f32],
    first_population: usize,
    parallel: bool,
    due: &DueSpikes<'_>,
) {
    let Some(start) = groups.first().map(|g| g.range.start) else {
        return;
    };
    let neurons: usize = groups.iter().map(NeuronGroup::len).sum();
    if parallel && groups.len() > 1 && neurons >= PARALLEL_MIN_NEURONS {
        let mut before = 0;
        let mid = groups
            .iter()
            .position(|g| {
                before += g.len();
                2 * before >= neurons
            })
            .map_or(1, |k| k + 1)
            .clamp(1, groups.len() - 1);
        let cut = (groups[mid].range.start - start) as usize;
        let (g0, g1) = groups.split_at_mut(mid);
        let (glu0, glu1) = glutamate.split_at_mut(cut);
        let (gaba0, gaba1) = gaba.split_at_mut(cut);
        rayon::join(
            || step_populations(g0, glu0, gaba0, first_population, parallel, due),
            || step_populations(g1, glu1, gaba1, first_population + mid, parallel, due),
        );
        return;
    }
    for (k, group) in groups.iter_mut().enumerate() {
        let r = (group.range.start - start) as usize..(group.range.end - start) as usize;
        group.step(
            &mut glutamate[r.clone()],
            &mut gaba[r],
            parallel,
            due.of_population((first_population + k) as u32),
        );
    }
}

/// Parallel helper for inputs: runs `f(first_local, chunk)` over `CHUNK`-aligned chunks.
pub fn for_each_chunk<T: Send>(data: &mut [T], parallel: bool, f: impl Fn(usize, &mut [T]) + Sync) {
    if parallel && data.len() >= PARALLEL_MIN_NEURONS {
        data.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(k, chunk)| f(k * CHUNK, chunk));
    } else {
        data.chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(k, chunk)| f(k * CHUNK, chunk));
    }
}
