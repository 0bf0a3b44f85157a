//! The multi-rate simulation clock.

use bevy_ecs::prelude::Resource;

/// Model time, counted in fixed steps of `dt_ms`.
///
/// Time is an integer step count, never an accumulated float, so step 10⁹ is as exact as
/// step 1 and two runs agree on which step an event falls in.
#[derive(Resource, Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SimClock {
    step: u64,
    dt_ms: f64,
}

impl SimClock {
    /// A clock at step 0 with step length `dt_ms` (> 0).
    pub fn new(dt_ms: f64) -> Self {
        debug_assert!(dt_ms > 0.0);
        Self { step: 0, dt_ms }
    }

    /// The current step (the one being simulated).
    #[inline]
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Step length in ms.
    #[inline]
    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }

    /// Model time at the start of the current step, in ms.
    #[inline]
    pub fn time_ms(&self) -> f64 {
        self.step as f64 * self.dt_ms
    }

    /// Moves to the next step.
    #[inline]
    pub fn advance(&mut self) {
        self.step += 1;
    }

    /// Skips `steps` steps at once (a quiet stretch in which the fast schedule does not run).
    #[inline]
    pub fn jump(&mut self, steps: u64) {
        self.step += steps;
    }

    /// Whole steps in `duration_ms` (rounded to the nearest step).
    pub fn steps_in(&self, duration_ms: f64) -> u64 {
        (duration_ms / self.dt_ms).round() as u64
    }
}

/// How often the slow (signalling) and structural (spine turnover) schedules run, in fast
/// steps. DESIGN.md: fast every dt, slow every ~1 s of model time, structural every minutes.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRates {
    /// Fast steps between two runs of the slow schedule (≥ 1).
    pub slow_every_steps: u64,
    /// Fast steps between two runs of the structural schedule (≥ 1).
    pub structural_every_steps: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_exact_after_many_steps() {
        let mut clock = SimClock::new(0.1);
        for _ in 0..1_000_000 {
            clock.advance();
        }
        assert_eq!(clock.step(), 1_000_000);
        assert_eq!(clock.time_ms(), 100_000.0);
        assert_eq!(clock.steps_in(2.5), 25);
    }
}
