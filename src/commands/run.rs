//! `synaptogen run`: one experiment, written to a run folder.

use crate::output::outln;
use serde::Serialize;

use synaptogen_scenario::{Resolved, build, library};

use crate::cli::RunArgs;
use crate::csv_sink::CsvSink;
use crate::failure::{Failure, Internal};
use crate::progress::ProgressDisplay;
use crate::run_folder::{RunFolder, default_target, write_atomic};
use crate::summary::{RunSummary, WallTimes};
use crate::timing::Stopwatch;

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let mut overrides = super::overrides(&args.scenario_args.set)?;
    if let Some(seed) = args.seed {
        overrides.push(
            synaptogen_scenario::Override::parse(&format!("simulation.seed={seed}"))
                .map_err(Failure::input)?,
        );
    }
    if args.threads == Some(0) {
        return Err(Failure::input("--threads must be at least 1"));
    }
    let scenario = args
        .scenario
        .as_deref()
        .unwrap_or(library::DEFAULT_SCENARIO);
    // Everything the user can get wrong is checked before anything is written.
    let resolved = super::load(scenario, &overrides)?;
    super::check_memory(&resolved)?;
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| default_target(&resolved.scenario.name));
    let folder = RunFolder::create(&target, args.force)?;
    let summary = execute(&resolved, &folder, args.threads.unwrap_or(0), args.quiet)?;
    let written = folder.commit()?;
    if !args.quiet {
        outln!("{}", summary.render().trim_end());
        outln!("output: {}", written.display());
    }
    Ok(())
}

#[derive(Serialize)]
struct PopulationRow<'a> {
    population: &'a str,
    region: &'a str,
    cell_type: &'a str,
    first_neuron: u32,
    size: u32,
}

/// Builds and runs `resolved`, writing every output into `folder`.
fn execute(
    resolved: &Resolved,
    folder: &RunFolder,
    threads: usize,
    quiet: bool,
) -> Result<RunSummary, Failure> {
    write_atomic(&folder.file("scenario.toml"), resolved.to_toml().as_bytes())?;

    let build_clock = Stopwatch::start();
    let mut built = build(resolved, threads)?;
    let build_s = build_clock.seconds();

    let mut populations = csv::Writer::from_path(folder.file("populations.csv"))
        .internal("cannot write populations.csv")?;
    for p in &built.populations {
        populations
            .serialize(PopulationRow {
                population: &p.name,
                region: &p.region,
                cell_type: &p.cell_type,
                first_neuron: p.first,
                size: p.size,
            })
            .internal("cannot write populations.csv")?;
    }
    populations
        .flush()
        .internal("cannot write populations.csv")?;

    let names: Vec<String> = built.populations.iter().map(|p| p.name.clone()).collect();
    let dt_ms = resolved.scenario.simulation.dt_ms;
    let mut sink = CsvSink::create(folder.dir(), dt_ms, &names, &built.state_columns)
        .internal("cannot create the output files")?;
    if let Some(tables) = built
        .simulation
        .world
        .get_resource::<synaptogen_engine::monitors::TableMonitor>()
    {
        for (name, columns) in tables.declared() {
            sink.declare_table(name, columns)
                .internal("cannot create the output files")?;
        }
    }
    let total_steps = built.steps + built.quiet_steps;
    let progress = ProgressDisplay::new(total_steps, total_steps as f64 * dt_ms, quiet);
    let sim_clock = Stopwatch::start();
    built
        .run_spiking(&mut sink, &mut |p, windows| progress.update(p, windows))
        .internal("the simulation failed")?;
    if built.quiet_steps > 0 {
        let done = built.steps;
        let windows = built.spiking.windows;
        built
            .simulation
            .advance_quiet(built.quiet_steps, &mut sink, &mut |p| {
                let p = synaptogen_engine::Progress {
                    done_steps: done + p.done_steps,
                    total_steps,
                    ..p
                };
                progress.update(p, windows)
            })
            .internal("the simulation failed")?;
    }
    built
        .simulation
        .finish(&mut sink)
        .internal("the simulation failed")?;
    let simulation_s = sim_clock.seconds();
    progress.finish();
    sink.finish().internal("cannot finish the output files")?;
    built.settle_plasticity();
    if !resolved.scenario.recording.synapses_at_end.is_empty() {
        crate::synapse_table::write(
            &folder.file("synapses.csv"),
            &built,
            &resolved.scenario.recording.synapses_at_end,
        )?;
    }

    let summary = RunSummary::new(
        resolved,
        &built,
        &WallTimes {
            build_s,
            simulation_s,
        },
    );
    let json = serde_json::to_string_pretty(&summary).internal("cannot encode summary.json")?;
    write_atomic(&folder.file("summary.json"), format!("{json}\n").as_bytes())?;
    Ok(summary)
}
