//! End-to-end tests of the `synaptogen` binary, linked into one test binary (fast to build
//! on two cores). Run with `cargo test --workspace --release`: the validation runs simulate
//! networks and are meant for optimised code.

mod bad_input;
mod bench;
mod bridging;
mod checkpoints;
mod determinism;
mod pharmacology;
mod plasticity;
mod report;
mod run_folder;
mod scenarios;
mod study;
mod support;
mod validation;
