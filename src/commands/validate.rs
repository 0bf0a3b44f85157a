//! `synaptogen validate`: check a scenario without building it.

use crate::cli::ValidateArgs;
use crate::failure::Failure;
use crate::output::outln;

pub fn run(args: ValidateArgs) -> Result<(), Failure> {
    let overrides = super::overrides(&args.scenario_args.set)?;
    let resolved = super::load(&args.scenario, &overrides)?;
    if args.print {
        outln!("{}", resolved.to_toml().trim_end());
    } else {
        let s = &resolved.scenario;
        let neurons: u64 = s.populations.values().map(|p| u64::from(p.size)).sum();
        outln!(
            "{}: valid (schema_version {}; {} populations, {} neurons, {} projections, {} inputs, {} ms; \
             needs about {:.2} GB of memory)",
            resolved.source,
            s.schema_version,
            s.populations.len(),
            neurons,
            s.projections.len(),
            s.inputs.len(),
            s.simulation.duration_ms,
            synaptogen_scenario::estimated_memory_bytes(&resolved) / 1e9
        );
    }
    Ok(())
}
