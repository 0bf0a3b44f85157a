//! Synaptogen's parameter studies: dose–response curves, virtual cohorts and sensitivity
//! analyses over any scenario key.
//!
//! A study file (`spec`) names a base scenario, the parameters to vary and a design; the
//! `plan` turns it into design points and runs with deterministically derived seeds; a
//! run's `metrics` are read from its folder; `results` keeps a kill-safe journal and the
//! result table; `analysis` computes per-point statistics, Morris measures, Sobol' indices
//! and Hill fits. Running the runs is the command line's job (`synaptogen sweep`): this
//! crate knows no simulation.

pub mod analysis;
pub mod distribution;
pub mod metrics;
pub mod plan;
pub mod results;
pub mod sobol_sequence;
pub mod spec;
mod splitmix;

pub use plan::{Plan, PlannedRun, Point};
pub use results::{RESERVED_COLUMNS, ResultTable, RunRecord, Status};
pub use spec::{Study, StudyError};
