//! From a resolved scenario to a runnable simulation.

use synaptogen_engine::connectivity::delay_steps;
use synaptogen_engine::connectivity::{
    ConnectionPlan, DrawContext, Endpoints, SynapseGroup, TooManySynapses, draw_incoming,
};
use synaptogen_engine::monitors::{
    PopulationRateMonitor, Probe, SpikeMonitor, SpikeStatistics, StateMonitor,
};
use synaptogen_engine::monitors::{RecordSink, TableMonitor};
use synaptogen_engine::populations::HashCollision;
use synaptogen_engine::{
    EngineError, NeuronIndex, PopulationId, Populations, Progress, ScheduleRates, Simulation,
    SimulationBuilder, SpikeEvents, SynapseGroups, SynapticInputRing,
};
use synaptogen_models::inputs::{
    CurrentChange, CurrentSchedule, PoissonInput, PoissonInputs, PoissonTrains,
};
use synaptogen_models::neuron::{
    InitialVariable, Kernel, Neuron, NeuronGroup, NeuronGroups, STATE_VARIABLES,
};
use synaptogen_models::pharmacology::Pharmacology;
use synaptogen_models::plasticity::PlasticProjections;
use synaptogen_models::ports::N_PORTS;

use crate::load::Resolved;

mod pharmacology;
mod plasticity;
pub use pharmacology::{drug_library, drug_named, drug_names};
#[cfg(test)]
mod properties;
mod state;
mod stimuli;
use crate::schema::InputSpec;
pub use state::StateError;

/// Why a valid scenario could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Worker threads could not start.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A projection is too large for 32-bit synapse indices.
    #[error(transparent)]
    TooManySynapses(#[from] TooManySynapses),
    /// Two population names share a stable-id hash.
    #[error(transparent)]
    HashCollision(#[from] HashCollision),
}

impl BuildError {
    /// True when a change to the scenario fixes it (exit code 2 rather than 1).
    pub fn is_input_error(&self) -> bool {
        !matches!(self, Self::Engine(_))
    }
}

/// One population of the built network.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationSummary {
    /// Name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Cell type name.
    pub cell_type: String,
    /// Global index of the first neuron.
    pub first: u32,
    /// Neurons.
    pub size: u32,
}

/// One projection of the built network.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionSummary {
    /// Name.
    pub name: String,
    /// Source population.
    pub source: String,
    /// Target population.
    pub target: String,
    /// Synapses made.
    pub synapses: usize,
    /// Plastic (has a plasticity rule).
    pub plastic: bool,
}

/// When the network spikes in a bridged run (`[simulation.windows]`), in steps.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowPlan {
    /// Spiking steps per window.
    pub spiking: u64,
    /// Period of the windows (the longest with a tolerance).
    pub every: u64,
    /// Period before the first intervention and within `dense_for` after each (the
    /// shortest with a tolerance).
    pub dense_every: u64,
    /// Length of the dense stretch after an intervention.
    pub dense_for: u64,
    /// Steps at which interventions start.
    pub dense_starts: Vec<u64>,
    /// Largest change of the network drive between windows (adaptive periods), if any.
    pub tolerance: Option<f64>,
    /// Spiking steps per window before the first intervention.
    pub baseline_spiking: u64,
}

impl WindowPlan {
    /// True when a window starting at `step` must come `dense_every` after the previous
    /// one: in the baseline (before the first intervention) or within `dense_for` of an
    /// intervention's start.
    fn is_dense(&self, step: u64) -> bool {
        let first = self.dense_starts.iter().copied().min();
        first.is_some_and(|f| step < f)
            || self
                .dense_starts
                .iter()
                .any(|&d| d <= step && step < d + self.dense_for)
    }

    /// The first intervention start after `step` (`u64::MAX` when none).
    pub fn next_intervention(&self, step: u64) -> u64 {
        self.dense_starts
            .iter()
            .copied()
            .filter(|&d| d > step)
            .min()
            .unwrap_or(u64::MAX)
    }

    /// The period after a window starting at `step`, given the previous period and how
    /// much the network drive changed over it: `dense_every` in dense stretches and at
    /// interventions; else halved above the tolerance, doubled below half of it (within
    /// `dense_every ..= every`), kept between.
    pub fn adapted_period(&self, step: u64, previous: u64, change: f64) -> u64 {
        let Some(tolerance) = self.tolerance else {
            return if self.is_dense(step) {
                self.dense_every
            } else {
                self.every
            };
        };
        if previous == 0 || self.is_dense(step) || self.dense_starts.contains(&step) {
            self.dense_every
        } else if change > tolerance {
            // Whole multiples of `dense_every` keep windows on the slow schedule's grid.
            (previous / 2 / self.dense_every).max(1) * self.dense_every
        } else if change < tolerance / 2.0 {
            (previous * 2).min(self.every)
        } else {
            previous
        }
    }
}

/// What the spiking part of a run did: how many windows, how many steps with spiking
/// (all of them without windows). A pure function of the scenario.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpikingRecord {
    /// Spiking windows run (0 without `[simulation.windows]`).
    pub windows: u64,
    /// Steps in which the network spiked.
    pub spiking_steps: u64,
}

/// A built simulation and a description of its network.
pub struct Built {
    /// The simulation, at step 0.
    pub simulation: Simulation,
    /// Populations in global index order.
    pub populations: Vec<PopulationSummary>,
    /// Projections in the order they were built.
    pub projections: Vec<ProjectionSummary>,
    /// Steps with spiking the scenario asks for.
    pub steps: u64,
    /// Steps of the quiet stretch after them (slow and structural processes only).
    pub quiet_steps: u64,
    /// Spiking windows, when the scenario asks for them.
    pub windows: Option<WindowPlan>,
    /// What [`Built::run_to`] has done so far.
    pub spiking: SpikingRecord,
    /// Where the run stands in its window plan.
    pub cursor: WindowCursor,
    /// Bytes of synapse storage (connectivity, plasticity state).
    pub synapse_bytes: usize,
    /// Column titles of the state recording (`population/neuron/variable`).
    pub state_columns: Vec<String>,
}

/// Where a run stands in its plan of windows: the current window ends at `window_end`, the
/// next starts at `next_window` (steps); with adaptive periods, the current period and the
/// network drive at the current window's start. Saved in checkpoints.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WindowCursor {
    /// End of the current (or last) window.
    pub window_end: u64,
    /// Start of the next window.
    pub next_window: u64,
    /// Steps from the current window's start to the next's.
    pub period: u64,
    /// Network drive ([`Pharmacology::network_drive`]) at the current window's start.
    pub drive: Vec<f64>,
}

impl Built {
    /// Steps of the whole run: the spiking part ([`Built::steps`]) and the quiet stretch.
    pub fn total_steps(&self) -> u64 {
        self.steps + self.quiet_steps
    }

    /// Runs on from the current step to `until` (at most [`Built::total_steps`]): the
    /// spiking part throughout or — with `[simulation.windows]` — in windows with only the
    /// slow and structural schedules in the gaps, then the quiet stretch. `progress` gets
    /// steps done out of [`Built::total_steps`] and the windows started so far;
    /// [`Built::spiking`] records what was done.
    ///
    /// A run split into several calls gives the same results as one call: every step does
    /// the same thing wherever a call ends, and monitors keep their partial data (the
    /// checkpoints rely on this).
    pub fn run_to(
        &mut self,
        until: u64,
        sink: &mut (dyn RecordSink + Send),
        progress: &mut (dyn FnMut(Progress, u64) + Send),
    ) -> Result<(), EngineError> {
        let total = self.total_steps();
        let until = until.min(total);
        loop {
            let done = self.simulation.step();
            if done >= until {
                return Ok(());
            }
            let windows = self.spiking.windows;
            // Progress of a sub-run that starts at `done`.
            let mut report = |p: Progress| {
                progress(
                    Progress {
                        done_steps: done + p.done_steps,
                        total_steps: total,
                        ..p
                    },
                    windows,
                )
            };
            if done >= self.steps {
                self.simulation
                    .advance_quiet(until - done, sink, &mut report)?;
            } else if done < self.cursor.window_end {
                let n = self.cursor.window_end.min(until) - done;
                self.spiking.spiking_steps += n;
                self.simulation.run(n, sink, &mut report)?;
            } else if done < self.cursor.next_window {
                let n = self.cursor.next_window.min(until) - done;
                self.simulation.advance_quiet(n, sink, &mut report)?;
            } else {
                self.start_window(done);
            }
        }
    }

    /// Opens the window that starts at step `done` (the whole spiking part without
    /// windows) and decides when the next one starts.
    fn start_window(&mut self, done: u64) {
        let steps = self.steps;
        let Some(plan) = &self.windows else {
            self.cursor = WindowCursor {
                window_end: steps,
                next_window: steps,
                ..WindowCursor::default()
            };
            return;
        };
        let drive = self
            .simulation
            .world
            .get_resource::<Pharmacology>()
            .map(Pharmacology::network_drive)
            .unwrap_or_default();
        let change = if drive.len() == self.cursor.drive.len() {
            drive
                .iter()
                .zip(&self.cursor.drive)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max)
        } else {
            0.0
        };
        let period = plan.adapted_period(done, self.cursor.period, change);
        let next = (done + period).min(plan.next_intervention(done)).min(steps);
        let in_baseline = plan
            .dense_starts
            .iter()
            .min()
            .is_some_and(|&first| done < first);
        let length = if in_baseline {
            plan.baseline_spiking
        } else {
            plan.spiking
        };
        let spiking = length.min(next - done).max(1).min(steps - done);
        if self.spiking.windows > 0 {
            // No inter-spike interval spans the gap before this window.
            self.simulation
                .world
                .resource_mut::<SpikeStatistics>()
                .break_intervals();
        }
        self.spiking.windows += 1;
        self.cursor = WindowCursor {
            window_end: done + spiking,
            next_window: next,
            period,
            drive,
        };
    }

    /// Brings every lazily updated efficacy (the calcium rule's) up to the current step and
    /// rewrites the weights, so that what is read after a run — `summary.json`,
    /// `synapses.csv` — is the state at its end, whatever was recorded.
    pub fn settle_plasticity(&mut self) {
        let step = self.simulation.step();
        let world = &mut self.simulation.world;
        if world.contains_resource::<PlasticProjections>() {
            world.resource_scope(
                |world, mut plastic: bevy_ecs::prelude::Mut<PlasticProjections>| {
                    plastic.catch_up_all(step, &mut world.resource_mut::<SynapseGroups>());
                },
            );
        }
    }
}

/// Bytes the network of `r` will need, estimated from its sizes before anything is
/// allocated — so a scenario too large for the machine is refused with its figures instead
/// of aborting halfway. Counts the state columns and spike statistics per neuron, the delay
/// ring, the CSR arrays and plasticity state per synapse, and the per-target lists that
/// exist while the largest projection is being drawn.
pub fn estimated_memory_bytes(r: &Resolved) -> f64 {
    const PER_NEURON: f64 = 150.0; // columns (≤ 70 B), spike statistics (24 B), entity, buffers
    const PER_SYNAPSE: f64 = 10.0; // target u32, weight f32, delay u16
    const PER_PLASTIC_SYNAPSE: f64 = 8.0; // incoming index, source
    const PER_SYNAPSE_WHILE_DRAWN: f64 = 12.0; // NewSynapse
    let s = &r.scenario;
    let dt = s.simulation.dt_ms;
    let size = |name: &str| s.populations.get(name).map_or(0.0, |p| f64::from(p.size));
    let neurons: f64 = s.populations.values().map(|p| f64::from(p.size)).sum();
    let mut synapses = 0.0;
    let mut largest: f64 = 0.0;
    let mut max_delay_steps: f64 = 1.0;
    for p in s.projections.values() {
        let n = match p.connectivity {
            synaptogen_engine::connectivity::ConnectionRule::PairwiseBernoulli { p: prob } => {
                prob * size(&p.source) * size(&p.target)
            }
            synaptogen_engine::connectivity::ConnectionRule::FixedInDegree { k } => {
                f64::from(k) * size(&p.target)
            }
            synaptogen_engine::connectivity::ConnectionRule::OneToOne => size(&p.target),
        };
        let per = PER_SYNAPSE
            + if p.plasticity.is_some() {
                PER_PLASTIC_SYNAPSE
            } else {
                0.0
            };
        synapses += n * per;
        largest = largest.max(n);
        let delay = p.delay_ms.upper_bound().unwrap_or(dt);
        max_delay_steps = max_delay_steps.max((delay / dt).round());
    }
    let ring = (max_delay_steps + 1.0) * N_PORTS as f64 * neurons * 4.0;
    neurons * PER_NEURON + synapses + largest * PER_SYNAPSE_WHILE_DRAWN + ring
}

fn steps(ms: f64, dt_ms: f64) -> u64 {
    (ms / dt_ms).round() as u64
}

/// Builds the network of `r` on `threads` worker threads (0 = one per core).
///
/// Construction is parallel over target neurons and deterministic: the same scenario and
/// seed give the same network for any thread count.
pub fn build(r: &Resolved, threads: usize) -> Result<Built, BuildError> {
    let s = &r.scenario;
    let sim = &s.simulation;
    let dt = sim.dt_ms;
    let seed = sim.seed;
    let rates = ScheduleRates {
        slow_every_steps: steps(sim.slow_dt_ms, dt).max(1),
        structural_every_steps: steps(sim.structural_dt_ms, dt).max(1),
    };
    let mut builder = SimulationBuilder::new(dt, rates, threads)?;

    // Populations, in name order, and their neurons.
    let mut populations = Populations::default();
    let mut groups = NeuronGroups::default();
    let mut summaries = Vec::new();
    for (index, (name, spec)) in s.populations.iter().enumerate() {
        populations.push(name, &spec.region, spec.size)?;
        let info = populations.get(index);
        let cell = r.effective_cell_type(name);
        let mut group = NeuronGroup::new(
            index,
            info.range.clone(),
            Kernel::new(&cell, &s.environment, dt, sim.integrator),
        );
        for (variable, distribution) in &spec.initial {
            let variable = InitialVariable::named(variable).expect("validated");
            group.initialize(variable, &distribution.sampler(), seed, info.name_hash);
        }
        groups.push(group);
        summaries.push(PopulationSummary {
            name: name.clone(),
            region: spec.region.clone(),
            cell_type: spec.cell_type.clone(),
            first: info.range.start,
            size: spec.size,
        });
    }
    let n_neurons = populations.n_neurons() as usize;
    builder
        .world
        .spawn_batch(populations.iter().enumerate().flat_map(|(p, info)| {
            let info = info.clone();
            info.range.clone().map(move |n| {
                (
                    Neuron,
                    info.stable_id(n),
                    PopulationId(p as u32),
                    NeuronIndex(n),
                )
            })
        }));

    // Projections, in name order.
    let mut synapse_groups = SynapseGroups::new(populations.len());
    let mut group_of = Vec::new();
    let mut projections = Vec::new();
    for (name, spec) in &s.projections {
        let source = populations.index_of(&spec.source).expect("validated");
        let target = populations.index_of(&spec.target).expect("validated");
        let (src, tgt) = (populations.get(source), populations.get(target));
        let weight = spec.weight_ns.sampler();
        let delay = spec.delay_ms.sampler();
        let plan = ConnectionPlan {
            name,
            rule: spec.connectivity,
            autapses: spec.autapses,
            multapses: spec.multapses,
            weight: &weight,
            delay_ms: &delay,
        };
        let ctx = DrawContext {
            seed,
            dt_ms: dt,
            n_sources: src.len(),
            n_targets: tgt.len(),
            target_hash: tgt.name_hash,
            same_population: source == target,
        };
        let incoming = builder.install(|| draw_incoming(&plan, &ctx));
        let ends = Endpoints {
            source,
            source_start: src.range.start,
            n_sources: src.len(),
            target,
            target_start: tgt.range.start,
        };
        let port = r.cell_type_of(&spec.source).transmitter.port();
        let group = SynapseGroup::from_incoming(name, ends, port, &incoming)?;
        drop(incoming);
        projections.push(ProjectionSummary {
            name: name.clone(),
            source: spec.source.clone(),
            target: spec.target.clone(),
            synapses: group.len(),
            plastic: spec.plasticity.is_some(),
        });
        group_of.push((name.clone(), synapse_groups.push(group)));
    }
    // The ring must hold the longest delay any synapse can get, born later included.
    let max_delay_steps = s
        .projections
        .values()
        .filter_map(|p| p.delay_ms.upper_bound())
        .map(|d| delay_steps(d, dt))
        .chain(std::iter::once(synapse_groups.max_delay_steps()))
        .max()
        .unwrap_or(1);
    let mut tables = TableMonitor::default();
    let plastic = plasticity::build_plasticity(
        r,
        &populations,
        &mut synapse_groups,
        &group_of,
        &mut builder.world,
        &mut tables,
    );
    let synapse_bytes = synapse_groups.memory_bytes() + plastic.bytes;
    let pharma = pharmacology::build_pharmacology(r, &populations, &synapse_groups, &mut tables);

    // Inputs.
    let mut poisson = PoissonInputs {
        seed,
        inputs: Vec::new(),
    };
    let mut changes = Vec::new();
    for (name, input) in &s.inputs {
        match input {
            InputSpec::Poisson(p) => {
                let target = populations.get(populations.index_of(&p.target).expect("validated"));
                let trains = PoissonTrains {
                    n_sources: p.n_sources,
                    rate_hz: p.rate_hz,
                    weight: p.weight_ns,
                };
                poisson.inputs.push(PoissonInput::new(
                    name,
                    target.range.clone(),
                    target.name_hash,
                    p.transmitter.port(),
                    trains,
                    dt,
                ));
            }
            InputSpec::Dc(d) => {
                let population = populations.index_of(&d.target).expect("validated");
                let change = |step, delta_pa| CurrentChange {
                    step,
                    population,
                    neurons: d.neurons.clone(),
                    delta_pa,
                };
                changes.push(change(steps(d.start_ms, dt), d.amplitude_pa));
                if let Some(stop) = d.stop_ms {
                    changes.push(change(steps(stop, dt), -d.amplitude_pa));
                }
            }
            InputSpec::Step(st) => {
                let population = populations.index_of(&st.target).expect("validated");
                let mut previous = 0.0;
                for (&t, &a) in st.times_ms.iter().zip(&st.amplitudes_pa) {
                    changes.push(CurrentChange {
                        step: steps(t, dt),
                        population,
                        neurons: st.neurons.clone(),
                        delta_pa: a - previous,
                    });
                    previous = a;
                }
            }
            // Stimulation becomes forced spikes (stimuli.rs).
            InputSpec::Spikes(_)
            | InputSpec::Tetanus(_)
            | InputSpec::ThetaBurst(_)
            | InputSpec::Lfs(_)
            | InputSpec::Pairing(_) => {}
        }
    }

    // Recording.
    let recorded = r.recorded_populations();
    let flags = populations
        .iter()
        .map(|p| recorded.contains(&p.name))
        .collect();
    let rec = &s.recording;
    let mut probes = Vec::new();
    let mut state_columns = Vec::new();
    for spec in &rec.state {
        let info = populations.get(populations.index_of(&spec.population).expect("validated"));
        for &n in &spec.neurons {
            for var in &spec.variables {
                let variable = STATE_VARIABLES
                    .iter()
                    .position(|v| v == var)
                    .expect("validated");
                probes.push(Probe {
                    neuron: info.range.start + n,
                    variable,
                });
                state_columns.push(format!("{}/{n}/{var}", spec.population));
            }
        }
    }

    let world = &mut builder.world;
    world.insert_resource(SynapticInputRing::new(max_delay_steps, N_PORTS, n_neurons));
    world.insert_resource(SpikeEvents::with_capacity(n_neurons));
    world.insert_resource(SpikeStatistics::new(n_neurons));
    world.insert_resource(SpikeMonitor::new(flags, &populations));
    world.insert_resource(PopulationRateMonitor::new(
        &populations,
        steps(rec.rate_bin_ms, dt).max(1),
        dt,
        64,
    ));
    world.insert_resource(StateMonitor::new(
        probes,
        steps(rec.state_every_ms, dt).max(1),
        4096,
    ));
    world.insert_resource(poisson);
    world.insert_resource(CurrentSchedule::new(changes));
    world.insert_resource(stimuli::forced_spikes(s, &populations));
    world.insert_resource(tables);
    world.insert_resource(groups);
    world.insert_resource(synapse_groups);
    world.insert_resource(populations);
    let with_pharmacology = pharma.is_some();
    if let Some(p) = pharma {
        world.insert_resource(p);
    }
    synaptogen_models::register(&mut builder, plastic.with_spines, with_pharmacology);

    Ok(Built {
        simulation: builder.build()?,
        populations: summaries,
        projections,
        steps: steps(sim.duration_ms, dt),
        quiet_steps: steps(sim.quiet_after_ms, dt),
        spiking: SpikingRecord::default(),
        cursor: WindowCursor::default(),
        windows: sim.bridging().map(|w| WindowPlan {
            spiking: steps(w.spiking.ms, dt).max(1),
            every: steps(w.every.ms, dt).max(1),
            dense_every: steps(w.dense_every.unwrap_or(w.every).ms, dt).max(1),
            dense_for: steps(w.dense_for().ms, dt),
            tolerance: w.tolerance,
            baseline_spiking: steps(w.baseline_spiking().ms, dt).max(1),
            dense_starts: s
                .interventions
                .iter()
                .map(|i| steps(i.start().ms, dt))
                .collect(),
        }),
        synapse_bytes,
        state_columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_builtin, load_str};

    fn plan(tolerance: Option<f64>) -> WindowPlan {
        WindowPlan {
            spiking: 10,
            every: 800,
            dense_every: 100,
            dense_for: 0,
            dense_starts: vec![1000],
            tolerance,
            baseline_spiking: 10,
        }
    }

    #[test]
    fn adaptive_periods_halve_on_change_double_on_calm_and_reset_at_interventions() {
        let p = plan(Some(0.02));
        // Baseline and the intervention itself: dense.
        assert_eq!(p.adapted_period(500, 100, 0.0), 100);
        assert_eq!(p.adapted_period(1000, 800, 0.0), 100);
        // After it: doubling while calm, up to `every`; halving on change, down to dense.
        assert_eq!(p.adapted_period(1100, 100, 0.005), 200);
        assert_eq!(p.adapted_period(1300, 200, 0.015), 200);
        assert_eq!(p.adapted_period(1500, 800, 0.0), 800);
        assert_eq!(p.adapted_period(2300, 800, 0.05), 400);
        assert_eq!(p.adapted_period(2700, 100, 0.05), 100);
        // Halving stays on the grid of `dense_every` (a period of `every` = 7 × 100 → 300).
        let odd = WindowPlan {
            every: 700,
            ..plan(Some(0.02))
        };
        assert_eq!(odd.adapted_period(3000, 700, 0.05), 300);
        // The first window of a run (no previous period) starts dense.
        assert_eq!(p.adapted_period(1500, 0, 0.0), 100);
    }

    #[test]
    fn fixed_periods_are_dense_in_the_baseline_and_the_dense_stretch() {
        let p = WindowPlan {
            dense_for: 300,
            ..plan(None)
        };
        assert_eq!(p.adapted_period(500, 0, 1.0), 100);
        assert_eq!(p.adapted_period(1200, 100, 1.0), 100);
        assert_eq!(p.adapted_period(1300, 100, 0.0), 800);
    }

    #[test]
    fn shipped_networks_build_with_unambiguous_schedules() {
        for name in ["pfc_baseline", "coba"] {
            let resolved = load_builtin(name, &[]).unwrap();
            let mut built = build(&resolved, 1).unwrap();
            built.simulation.check_schedules().unwrap();
            let neurons: u32 = built.populations.iter().map(|p| p.size).sum();
            let entities = built
                .simulation
                .world
                .query::<&Neuron>()
                .iter(&built.simulation.world)
                .count();
            assert_eq!(entities, neurons as usize, "{name}: one entity per neuron");
        }
    }

    #[test]
    fn the_resolved_form_loads_back_to_the_same_scenario() {
        for name in ["pfc_baseline", "coba"] {
            let resolved = load_builtin(name, &[]).unwrap();
            let again = load_str("resolved.toml", &resolved.to_toml(), &[]).unwrap();
            assert_eq!(again.cell_types, resolved.cell_types, "{name}");
            let mut expected = resolved.scenario.clone();
            expected.recording.spikes = Some(resolved.recorded_populations());
            expected.cell_types = again.scenario.cell_types.clone();
            assert_eq!(again.scenario, expected, "{name}");
        }
    }
}
