//! The three schedules and the ordered stages of a time step.
//!
//! * [`FastStep`] runs every `dt`: [`Stage::Inputs`] → [`Stage::Integrate`] →
//!   [`Stage::Propagate`] → [`Stage::Plasticity`] → [`Stage::Record`].
//! * [`SlowStep`] runs every `slow_every_steps` (signalling, pharmacokinetics).
//! * [`StructuralStep`] runs every `structural_every_steps` (spine turnover).
//!
//! The fast and slow schedules use bevy's *single-threaded* executor: measured with
//! bevy_ecs 0.20 on the 2-core machine, one run of a 6-system schedule costs ≈ 0.35 µs
//! single-threaded and ≈ 28 µs with the multi-threaded executor — at 10⁴ steps per
//! simulated second the latter alone would take 0.28 s, and a 14-day quiet stretch with a
//! 1-s slow schedule spent 30 s in thread wake-ups. Parallelism inside a step comes from
//! rayon over neuron chunks. The structural schedule runs every minutes of model time and
//! holds the heaviest systems, so it uses the multi-threaded executor (bevy's
//! `multi_threaded` feature).

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{
    LogLevel, MultiThreadedExecutor, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor,
};

/// The per-step schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct FastStep;

/// The signalling-rate schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct SlowStep;

/// The structural-plasticity-rate schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct StructuralStep;

/// Ordered stages of one fast step. Each model adds its systems to one of them.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// External drive: Poisson background, current injection; last step's spikes cleared.
    Inputs,
    /// Receptor conductances and membranes advance one step; spikes are detected.
    Integrate,
    /// Spikes are pushed through the connectivity into the delay ring buffer.
    Propagate,
    /// Plasticity traces and weights.
    Plasticity,
    /// Monitors read the step's results.
    Record,
}

fn settings() -> ScheduleBuildSettings {
    ScheduleBuildSettings {
        // Two systems that touch the same data must be ordered: an unordered pair would
        // run in an order bevy chooses, which is a determinism hazard.
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    }
}

/// An empty fast schedule with its stages chained in order.
pub fn fast_schedule() -> Schedule {
    let mut schedule = Schedule::new(FastStep);
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(settings());
    schedule.configure_sets(
        (
            Stage::Inputs,
            Stage::Integrate,
            Stage::Propagate,
            Stage::Plasticity,
            Stage::Record,
        )
            .chain(),
    );
    schedule
}

/// An empty slow schedule (single-threaded executor, see the module doc).
pub fn slow_schedule() -> Schedule {
    let mut schedule = Schedule::new(SlowStep);
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(settings());
    schedule
}

/// An empty structural schedule (multi-threaded executor).
pub fn structural_schedule() -> Schedule {
    let mut schedule = Schedule::new(StructuralStep);
    schedule.set_executor(MultiThreadedExecutor::new());
    schedule.set_build_settings(settings());
    schedule
}
