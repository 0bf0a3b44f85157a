//! The subcommands.

pub mod bench;
pub mod list;
pub mod run;
pub mod validate;

use std::path::Path;

use synaptogen_scenario::{Override, Resolved, library, load_builtin, load_file};

use crate::failure::Failure;

/// Parses the `--set` flags.
pub fn overrides(specs: &[String]) -> Result<Vec<Override>, Failure> {
    specs
        .iter()
        .map(|s| Override::parse(s).map_err(Failure::input))
        .collect()
}

/// Loads `scenario`: a file if one exists at that path, else a built-in scenario of that name.
pub fn load(scenario: &str, overrides: &[Override]) -> Result<Resolved, Failure> {
    let path = Path::new(scenario);
    if path.exists() || library::scenario_text(scenario).is_none() {
        Ok(load_file(path, overrides)?)
    } else {
        Ok(load_builtin(scenario, overrides)?)
    }
}
