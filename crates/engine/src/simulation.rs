//! The run loop: fast steps, with the slow and structural schedules at their own rates.

use bevy_ecs::prelude::*;
use std::sync::Arc;

use crate::clock::{ScheduleRates, SimClock};
use crate::monitors::{
    PopulationRateMonitor, RecordSink, SinkError, SpikeMonitor, StateMonitor, bin_population_rates,
    count_spikes, record_spikes,
};
use crate::propagate::deliver_spikes;
use crate::ring_buffer::SynapticInputRing;
use crate::schedule::{Stage, fast_schedule, slow_schedule, structural_schedule};
use crate::spikes::SpikeEvents;

/// The worker threads of one simulation (a rayon pool of `--threads` threads).
///
/// A resource, so systems of the slow schedules can `install` into the same pool.
#[derive(Resource, Clone)]
pub struct WorkerPool(pub Arc<rayon::ThreadPool>);

impl WorkerPool {
    /// A pool of `threads` threads (0 = one per core).
    pub fn new(threads: usize) -> Result<Self, EngineError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("synaptogen-worker-{i}"))
            .build()
            .map_err(|e| EngineError::ThreadPool(e.to_string()))?;
        Ok(Self(Arc::new(pool)))
    }

    /// Number of threads.
    pub fn threads(&self) -> usize {
        self.0.current_num_threads()
    }
}

/// Failures of the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The thread pool could not be created.
    #[error("cannot start the worker threads: {0}")]
    ThreadPool(String),
    /// A resource the engine's systems need was not inserted before `build`.
    #[error("the world lacks the resource {0}, which the engine's systems need")]
    MissingResource(&'static str),
    /// A record sink failed (e.g. the disk is full).
    #[error("writing recorded data failed: {0}")]
    Sink(#[source] SinkError),
}

/// Where a run is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Steps done in this call of [`Simulation::run`].
    pub done_steps: u64,
    /// Steps this call will do.
    pub total_steps: u64,
    /// Model time reached, ms.
    pub model_time_ms: f64,
}

/// A world and its schedules under construction; models register their systems here.
pub struct SimulationBuilder {
    /// The ECS world: entities, resources.
    pub world: World,
    /// The per-step schedule, stages already ordered.
    pub fast: Schedule,
    /// The signalling-rate schedule.
    pub slow: Schedule,
    /// The structural-rate schedule.
    pub structural: Schedule,
    pool: WorkerPool,
}

impl SimulationBuilder {
    /// A world with the engine's resources for a step of `dt_ms`, on `threads` threads.
    pub fn new(dt_ms: f64, rates: ScheduleRates, threads: usize) -> Result<Self, EngineError> {
        let pool = WorkerPool::new(threads)?;
        let mut world = World::new();
        world.insert_resource(SimClock::new(dt_ms));
        world.insert_resource(rates);
        world.insert_resource(pool.clone());
        world.init_resource::<crate::propagate::DeliveredEvents>();
        let mut fast = fast_schedule();
        fast.add_systems((
            clear_spikes.in_set(Stage::Inputs),
            deliver_spikes.in_set(Stage::Propagate),
            (count_spikes, record_spikes, bin_population_rates).in_set(Stage::Record),
        ));
        Ok(Self {
            world,
            fast,
            slow: slow_schedule(),
            structural: structural_schedule(),
            pool,
        })
    }

    /// Runs `f` on the simulation's worker threads (parallel network construction).
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.pool.0.install(f)
    }

    /// The worker pool.
    pub fn pool(&self) -> &WorkerPool {
        &self.pool
    }

    /// Finishes construction. The world must hold the resources the engine's systems ask
    /// for: [`SynapticInputRing`], [`SpikeEvents`], `Populations`, `SynapseGroups`,
    /// `SpikeStatistics`, [`SpikeMonitor`] and [`PopulationRateMonitor`].
    pub fn build(self) -> Result<Simulation, EngineError> {
        fn require<T: Resource>(world: &World) -> Result<(), EngineError> {
            if world.contains_resource::<T>() {
                Ok(())
            } else {
                Err(EngineError::MissingResource(std::any::type_name::<T>()))
            }
        }
        let w = &self.world;
        require::<SynapticInputRing>(w)?;
        require::<SpikeEvents>(w)?;
        require::<crate::populations::Populations>(w)?;
        require::<crate::connectivity::SynapseGroups>(w)?;
        require::<crate::monitors::SpikeStatistics>(w)?;
        require::<SpikeMonitor>(w)?;
        require::<PopulationRateMonitor>(w)?;
        Ok(Simulation {
            world: self.world,
            fast: self.fast,
            slow: self.slow,
            structural: self.structural,
            pool: self.pool,
            flush_every_steps: 10_000,
        })
    }
}

fn clear_spikes(mut spikes: ResMut<SpikeEvents>) {
    spikes.clear();
}

/// A built simulation.
pub struct Simulation {
    /// The ECS world.
    pub world: World,
    fast: Schedule,
    slow: Schedule,
    structural: Schedule,
    pool: WorkerPool,
    flush_every_steps: u64,
}

impl Simulation {
    /// Advances `steps` steps, draining monitors into `sink` as their buffers fill and at
    /// the end, and reporting progress about every 1 % of the run.
    pub fn run(
        &mut self,
        steps: u64,
        sink: &mut (dyn RecordSink + Send),
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<(), EngineError> {
        let pool = self.pool.0.clone();
        pool.install(|| self.run_on_this_thread(steps, sink, progress))
    }

    fn run_on_this_thread(
        &mut self,
        steps: u64,
        sink: &mut (dyn RecordSink + Send),
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<(), EngineError> {
        let rates = *self.world.resource::<ScheduleRates>();
        let report_every = (steps / 100).clamp(1, 10_000);
        for done in 0..steps {
            let step = self.world.resource::<SimClock>().step();
            if done % self.flush_every_steps == 0 || self.buffers_full() {
                self.drain(sink)?;
            }
            self.fast.run(&mut self.world);
            self.run_due_slow_schedules(step, &rates);
            self.world.resource_mut::<SynapticInputRing>().advance();
            self.world.resource_mut::<SimClock>().advance();
            if (done + 1) % report_every == 0 || done + 1 == steps {
                progress(Progress {
                    done_steps: done + 1,
                    total_steps: steps,
                    model_time_ms: self.world.resource::<SimClock>().time_ms(),
                });
            }
        }
        self.drain(sink)
    }

    /// Runs the slow and structural schedules that are due at the end of `step` (slow first,
    /// so structural change reads up-to-date slow state).
    fn run_due_slow_schedules(&mut self, step: u64, rates: &ScheduleRates) {
        if (step + 1).is_multiple_of(rates.slow_every_steps) {
            self.slow.run(&mut self.world);
        }
        if (step + 1).is_multiple_of(rates.structural_every_steps) {
            self.structural.run(&mut self.world);
        }
    }

    /// Advances `steps` steps without spiking: neurons, synaptic input and the fast
    /// schedule stand still; the slow and structural schedules run at their usual steps.
    /// For stretches where only slow processes matter (baseline spine turnover over days,
    /// TARGETS.md PL-03): their cost is per slow or structural step, not per dt.
    pub fn advance_quiet(
        &mut self,
        steps: u64,
        sink: &mut (dyn RecordSink + Send),
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<(), EngineError> {
        let pool = self.pool.0.clone();
        pool.install(|| {
            let rates = *self.world.resource::<ScheduleRates>();
            let start = self.step();
            let end = start + steps;
            loop {
                let step = self.step();
                // The next step at whose end a slow or structural run is due.
                let next_due = |every: u64| (step / every + 1) * every - 1;
                let due =
                    next_due(rates.slow_every_steps).min(next_due(rates.structural_every_steps));
                if due >= end {
                    self.world.resource_mut::<SimClock>().jump(end - step);
                    break;
                }
                self.world.resource_mut::<SimClock>().jump(due - step);
                self.run_due_slow_schedules(due, &rates);
                self.world.resource_mut::<SimClock>().advance();
                self.drain(sink)?;
                progress(Progress {
                    done_steps: due + 1 - start,
                    total_steps: steps,
                    model_time_ms: self.world.resource::<SimClock>().time_ms(),
                });
            }
            progress(Progress {
                done_steps: steps,
                total_steps: steps,
                model_time_ms: self.world.resource::<SimClock>().time_ms(),
            });
            self.drain(sink)
        })
    }

    fn buffers_full(&self) -> bool {
        self.world
            .get_resource::<SpikeMonitor>()
            .is_some_and(SpikeMonitor::needs_drain)
            || self
                .world
                .get_resource::<PopulationRateMonitor>()
                .is_some_and(PopulationRateMonitor::needs_drain)
            || self
                .world
                .get_resource::<StateMonitor>()
                .is_some_and(StateMonitor::needs_drain)
    }

    /// Ends the recording: closes a partly filled rate bin and drains every monitor. Call
    /// once, after the last [`run`](Self::run).
    pub fn finish(&mut self, sink: &mut dyn RecordSink) -> Result<(), EngineError> {
        if let Some(mut m) = self.world.get_resource_mut::<PopulationRateMonitor>() {
            m.close_partial_bin();
        }
        self.drain(sink)
    }

    /// Hands everything the monitors hold to `sink`.
    pub fn drain(&mut self, sink: &mut dyn RecordSink) -> Result<(), EngineError> {
        if let Some(mut m) = self.world.get_resource_mut::<SpikeMonitor>() {
            m.drain(sink).map_err(EngineError::Sink)?;
        }
        if let Some(mut m) = self.world.get_resource_mut::<PopulationRateMonitor>() {
            m.drain(sink).map_err(EngineError::Sink)?;
        }
        if let Some(mut m) = self.world.get_resource_mut::<StateMonitor>() {
            m.drain(sink).map_err(EngineError::Sink)?;
        }
        if let Some(mut m) = self
            .world
            .get_resource_mut::<crate::monitors::TableMonitor>()
        {
            m.drain(sink).map_err(EngineError::Sink)?;
        }
        Ok(())
    }

    /// Builds the three schedules, failing if two systems that touch the same data are left
    /// unordered (an ambiguity whose run order bevy would choose: a determinism hazard).
    pub fn check_schedules(&mut self) -> Result<(), String> {
        for schedule in [&mut self.fast, &mut self.slow, &mut self.structural] {
            let label = format!("{:?}", schedule.label());
            schedule.initialize(&mut self.world).map_err(|e| {
                format!(
                    "schedule {label}: {}",
                    e.to_string(schedule.graph(), &self.world)
                )
            })?;
        }
        Ok(())
    }

    /// Steps between two routine drains of the monitors (default 10 000).
    pub fn set_flush_every_steps(&mut self, steps: u64) {
        self.flush_every_steps = steps.max(1);
    }

    /// Threads the simulation runs on.
    pub fn threads(&self) -> usize {
        self.pool.threads()
    }

    /// The current step.
    pub fn step(&self) -> u64 {
        self.world.resource::<SimClock>().step()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectivity::SynapseGroups;
    use crate::monitors::{DiscardSink, SpikeStatistics};
    use crate::populations::Populations;
    use crate::schedule::Stage;

    #[derive(Resource, Default)]
    struct Counts {
        fast: u64,
        slow: Vec<u64>,
        structural: Vec<u64>,
    }

    fn count_fast(mut c: ResMut<Counts>) {
        c.fast += 1;
    }

    fn count_slow(mut c: ResMut<Counts>, clock: Res<SimClock>) {
        c.slow.push(clock.step());
    }

    fn count_structural(mut c: ResMut<Counts>, clock: Res<SimClock>) {
        c.structural.push(clock.step());
    }

    /// A simulation of 10 neurons with no model: the engine's own systems only.
    fn bare(slow: u64, structural: u64) -> Simulation {
        let rates = ScheduleRates {
            slow_every_steps: slow,
            structural_every_steps: structural,
        };
        let mut b = SimulationBuilder::new(0.1, rates, 1).unwrap();
        let mut populations = Populations::default();
        populations.push("p", "r", 10).unwrap();
        b.world.insert_resource(SynapseGroups::new(1));
        b.world
            .insert_resource(SpikeMonitor::new(vec![true], &populations));
        b.world
            .insert_resource(PopulationRateMonitor::new(&populations, 10, 0.1, 4));
        b.world.insert_resource(populations);
        b.world.insert_resource(SynapticInputRing::new(1, 1, 10));
        b.world.insert_resource(SpikeEvents::with_capacity(10));
        b.world.insert_resource(SpikeStatistics::new(10));
        b.world.init_resource::<Counts>();
        b.fast.add_systems(count_fast.in_set(Stage::Plasticity));
        b.slow.add_systems(count_slow);
        b.structural.add_systems(count_structural);
        b.build().unwrap()
    }

    #[test]
    fn a_missing_resource_is_named() {
        let b = SimulationBuilder::new(
            0.1,
            ScheduleRates {
                slow_every_steps: 1,
                structural_every_steps: 1,
            },
            1,
        )
        .unwrap();
        let err = b.build().err().unwrap().to_string();
        assert!(err.contains("SynapticInputRing"), "{err}");
    }

    #[test]
    fn each_schedule_runs_at_its_own_rate() {
        let mut sim = bare(10, 25);
        sim.run(100, &mut DiscardSink, &mut |_| {}).unwrap();
        let c = sim.world.resource::<Counts>();
        assert_eq!(c.fast, 100);
        // After the fast step of steps 9, 19, ...: every 10th step, clock not yet advanced.
        assert_eq!(c.slow, (0..10).map(|k| 10 * k + 9).collect::<Vec<_>>());
        assert_eq!(c.structural, vec![24, 49, 74, 99]);
        assert_eq!(sim.step(), 100);
    }

    #[test]
    fn a_quiet_stretch_runs_slow_and_structural_systems_on_the_same_steps() {
        let mut normal = bare(10, 25);
        normal.run(1000, &mut DiscardSink, &mut |_| {}).unwrap();
        let mut quiet = bare(10, 25);
        quiet.run(7, &mut DiscardSink, &mut |_| {}).unwrap();
        quiet
            .advance_quiet(993, &mut DiscardSink, &mut |_| {})
            .unwrap();
        let (a, b) = (
            normal.world.resource::<Counts>(),
            quiet.world.resource::<Counts>(),
        );
        assert_eq!(a.slow, b.slow);
        assert_eq!(a.structural, b.structural);
        assert_eq!(b.fast, 7, "no fast step in the quiet stretch");
        assert_eq!(quiet.step(), 1000);
    }

    #[test]
    fn progress_is_reported_and_ends_at_the_last_step() {
        let mut sim = bare(1, 1);
        let mut seen = Vec::new();
        sim.run(250, &mut DiscardSink, &mut |p| seen.push(p.done_steps))
            .unwrap();
        assert_eq!(seen.last(), Some(&250));
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_engine_schedules_have_no_ambiguity() {
        let mut sim = bare(1, 1);
        sim.check_schedules().unwrap();
    }

    #[test]
    fn an_unordered_conflict_is_caught() {
        let mut sim = bare(1, 1);
        fn write_a(mut c: ResMut<Counts>) {
            c.fast += 1;
        }
        fn write_b(mut c: ResMut<Counts>) {
            c.fast += 2;
        }
        sim.fast
            .add_systems((write_a, write_b).in_set(Stage::Record));
        assert!(sim.check_schedules().is_err());
    }
}
