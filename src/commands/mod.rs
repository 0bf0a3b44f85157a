//! The subcommands.

pub mod analyze;
pub mod bench;
pub mod list;
pub mod report;
pub mod run;
pub mod sweep;
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
    let resolved = if path.exists() || library::scenario_text(scenario).is_none() {
        load_file(path, overrides)?
    } else {
        load_builtin(scenario, overrides)?
    };
    check_targets(&resolved)?;
    Ok(resolved)
}

/// Refuses a `[[targets]]` readout the report could not read (its metric is checked as a
/// study's is), naming the target.
fn check_targets(resolved: &Resolved) -> Result<(), Failure> {
    for (i, target) in resolved.scenario.targets.iter().enumerate() {
        synaptogen_study::spec::metric_from_table(&target.id, &target.metric).map_err(|e| {
            Failure::input(format!(
                "{}: key `targets[{i}].metric` ({}): {e}",
                resolved.source, target.id
            ))
        })?;
    }
    Ok(())
}

/// Fails with the figures when the network needs more memory than this machine has free
/// (checked before building, so a run never aborts half-way on allocation).
pub fn check_memory(resolved: &Resolved) -> Result<(), Failure> {
    let needed = synaptogen_scenario::estimated_memory_bytes(resolved);
    match crate::timing::available_memory_bytes() {
        Some(available) if needed > available => Err(Failure::input(format!(
            "{}: the network needs about {:.1} GB (neurons, synapses, delay buffers) but only \
             {:.1} GB of memory is available; reduce population sizes, connection \
             probabilities or the longest delay",
            resolved.source,
            needed / 1e9,
            available / 1e9
        ))),
        _ => Ok(()),
    }
}
