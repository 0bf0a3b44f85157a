//! Synaptogen's pharmacology layer.
//!
//! - [`pk`]: compartment pharmacokinetics per species and route of administration, with a
//!   brain effect compartment and metabolites.
//! - [`drug`]: a drug is data — its targets, affinities, kinetics and PK — never new code.
//! - [`block`]: use-dependent open-channel block of NMDA receptors with trapping and Mg²⁺
//!   competition, per GluN2 subunit class.
//! - [`bath`]: drugs perfused over a slice at a set concentration (in vitro protocols).
//! - [`stress`]: chronic unpredictable stress as a corticosterone time course.
//!
//! The crate knows no files and no CLI; the scenario crate reads drugs from `assets/drugs/`.

pub mod bath;
pub mod block;
pub mod drug;
pub mod pk;
pub mod stress;
pub mod validate;
