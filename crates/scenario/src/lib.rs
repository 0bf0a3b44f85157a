//! # synaptogen-scenario
//!
//! Scenario files — TOML with `schema_version`, units in every key, no unknown keys — and
//! everything between such a file and a runnable simulation:
//!
//! * [`load_file`] / [`load_str`]: parse, apply `--set` [`Override`]s, resolve cell types
//!   against the built-in [`library`], validate; every error names the file, the key path
//!   (and line), the value and what is allowed;
//! * [`build()`]: turn a [`Resolved`] scenario into a [`synaptogen_engine::Simulation`].
//!
//! The format is documented for users in `assets/scenarios/README.md`.

pub mod build;
mod cell_types;
pub mod error;
pub mod library;
mod load;
mod locate;
mod overrides;
pub mod pharmacology;
pub mod schema;
pub mod targets;
mod validate;

pub use build::{Built, SpikingRecord, StateError, WindowCursor, build, estimated_memory_bytes};
pub use error::{ScenarioError, ScenarioErrors};
pub use load::{Resolved, load_builtin, load_file, load_str};
pub use overrides::Override;
pub use schema::{SCHEMA_VERSION, Scenario};
