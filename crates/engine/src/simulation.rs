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
use crate::schedule::{SlowStep, Stage, StructuralStep, fast_schedule, rate_schedule};
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
            slow: rate_schedule(SlowStep),
            structural: rate_schedule(StructuralStep),
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

    /// Finishes construction. The world must hold the resources every system asks for
    /// (the ring buffer, spike events, populations, synapse groups and monitors).
    pub fn build(self) -> Simulation {
        Simulation {
            world: self.world,
            fast: self.fast,
            slow: self.slow,
            structural: self.structural,
            pool: self.pool,
            flush_every_steps: 10_000,
        }
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
            if (step + 1).is_multiple_of(rates.slow_every_steps) {
                self.slow.run(&mut self.world);
            }
            if (step + 1).is_multiple_of(rates.structural_every_steps) {
                self.structural.run(&mut self.world);
            }
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
