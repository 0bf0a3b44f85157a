//! Parameter checks that name the offending key, its value and what is allowed.
//!
//! Models know which values make sense (a time constant must be positive); the scenario
//! crate adds where the key sits in which file. The checker lives in the lowest layer that
//! needs it, `synaptogen-pharma`, and is shared from there.

pub use synaptogen_pharma::validate::{Checker, Violation};
