//! `synaptogen run` and `synaptogen resume`: one experiment, written to a run folder, with
//! checkpoints on the way when asked for.

use std::path::{Path, PathBuf};

use crate::output::outln;
use serde::Serialize;

use synaptogen_scenario::pharmacology::TimeSpan;
use synaptogen_scenario::{Resolved, build, library, load_str};

use crate::checkpoint::{self, Checkpoint, CheckpointPlan, Header};
use crate::cli::{ResumeArgs, RunArgs};
use crate::csv_sink::CsvSink;
use crate::failure::{Failure, Internal};
use crate::progress::{ProgressDisplay, readable_ms};
use crate::run_folder::{RunFolder, default_target, write_atomic};
use crate::summary::{Origin, RunSummary, WallTimes};
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
    let plan = CheckpointPlan {
        every_ms: args
            .checkpoint_every
            .as_deref()
            .map(|t| time_flag("--checkpoint-every", t, true))
            .transpose()?,
        at_ms: args
            .checkpoint_at
            .iter()
            .map(|t| time_flag("--checkpoint-at", t, false))
            .collect::<Result<_, _>>()?,
        // Absolute, so `resume` finds it from any working directory.
        target: std::path::absolute(&target).unwrap_or_else(|_| target.clone()),
    };
    let stop_at_ms = args
        .stop_at
        .as_deref()
        .map(|t| time_flag("--stop-at", t, true))
        .transpose()?;
    let start = match &args.from {
        Some(path) => {
            let parent = checkpoint::read(path)?;
            check_fork(&resolved, &parent)?;
            Start::Fork(parent)
        }
        None => Start::Fresh,
    };
    let folder = RunFolder::create(&target, args.force)?;
    let options = Options {
        threads: args.threads.unwrap_or(0),
        quiet: args.quiet,
        plan,
        stop_at_ms,
    };
    if args.compare_modes {
        return compare_modes(scenario, &overrides, folder, &options);
    }
    finish(
        execute(&resolved, &folder, start, &options)?,
        folder,
        args.quiet,
        args.report,
    )
}

/// `run --compare-modes`: the scenario bridged and full, and the comparison.
fn compare_modes(
    scenario: &str,
    overrides: &[synaptogen_scenario::Override],
    folder: RunFolder,
    options: &Options,
) -> Result<(), Failure> {
    for mode in ["bridged", "full"] {
        let mut with_mode = overrides.to_vec();
        with_mode.push(
            synaptogen_scenario::Override::parse(&format!("simulation.mode=\"{mode}\""))
                .map_err(Failure::input)?,
        );
        let resolved = super::load(scenario, &with_mode)?;
        if !options.quiet {
            outln!("{mode} mode:");
        }
        let arm = RunFolder::create(&folder.file(mode), false)?;
        let Outcome::Finished(summary) = execute(&resolved, &arm, Start::Fresh, options)? else {
            unreachable!("no --stop-at with --compare-modes");
        };
        arm.commit()?;
        if !options.quiet {
            outln!("{}", summary.render().trim_end());
        }
    }
    let rows = crate::compare::compare(&folder.file("full"), &folder.file("bridged"))?;
    crate::compare::write(&folder.file("comparison.csv"), &rows)?;
    let written = folder.commit()?;
    if !options.quiet {
        outln!("bridged (candidate) against full (reference):");
        outln!("{}", crate::compare::render(&rows).trim_end());
        outln!("output: {}", written.display());
    }
    Ok(())
}

pub fn compare(args: crate::cli::CompareArgs) -> Result<(), Failure> {
    let rows = crate::compare::compare(&args.reference, &args.candidate)?;
    if let Some(path) = &args.out {
        crate::compare::write(path, &rows)?;
    }
    outln!("{}", crate::compare::render(&rows).trim_end());
    Ok(())
}

pub fn resume(args: ResumeArgs) -> Result<(), Failure> {
    if args.threads == Some(0) {
        return Err(Failure::input("--threads must be at least 1"));
    }
    let partial = interrupted_run(&args.run_dir)?;
    let newest = checkpoint::list(&partial)
        .into_iter()
        .rev()
        .find_map(|p| checkpoint::read(&p).ok())
        .ok_or_else(|| {
            Failure::input(format!(
                "{} has no readable checkpoint in {}/; a run can be resumed only from a \
                 checkpoint (start it with --checkpoint-every, --checkpoint-at or --stop-at)",
                partial.display(),
                checkpoint::FOLDER
            ))
        })?;
    let mut resolved = load_str(
        &newest.path.display().to_string(),
        &newest.header.scenario_toml,
        &[],
    )?;
    resolved.source = newest.header.source.clone();
    let stop_at_ms = args
        .stop_at
        .as_deref()
        .map(|t| time_flag("--stop-at", t, true))
        .transpose()?;
    let folder = RunFolder::adopt(&partial, &newest.header.plan.target, args.force)?;
    let options = Options {
        threads: args.threads.unwrap_or(0),
        quiet: args.quiet,
        plan: newest.header.plan.clone(),
        stop_at_ms,
    };
    if !args.quiet {
        outln!(
            "resuming {} at model time {} from {}",
            resolved.scenario.name,
            readable_ms(newest.header.model_time_ms),
            newest.path.display()
        );
    }
    finish(
        execute(&resolved, &folder, Start::Resume(newest), &options)?,
        folder,
        args.quiet,
        args.report,
    )
}

/// Commits a finished run, or leaves a stopped one in place to be resumed.
fn finish(outcome: Outcome, folder: RunFolder, quiet: bool, report: bool) -> Result<(), Failure> {
    match outcome {
        Outcome::Finished(summary) => {
            let written = folder.commit()?;
            if !quiet {
                outln!("{}", summary.render().trim_end());
                outln!("output: {}", written.display());
            }
            if report {
                super::report::make(&written, quiet)?;
            }
        }
        Outcome::Stopped { model_time_ms } => {
            let target = folder.target().to_owned();
            let partial = folder.keep();
            if !quiet {
                outln!(
                    "stopped at model time {}; the run so far is in {}",
                    readable_ms(model_time_ms),
                    partial.display()
                );
                outln!("continue it with: synaptogen resume {}", target.display());
            }
        }
    }
    Ok(())
}

/// A time flag (`6h`, `30min`, `1.5d`, `500ms`), in ms; `positive` refuses zero.
fn time_flag(flag: &str, text: &str, positive: bool) -> Result<f64, Failure> {
    let span = TimeSpan::parse(text).map_err(|e| Failure::input(format!("{flag} {text}: {e}")))?;
    if positive && span.ms <= 0.0 {
        return Err(Failure::input(format!(
            "{flag} {text}: must be a time after 0 (e.g. 6h)"
        )));
    }
    Ok(span.ms)
}

/// The partial folder of the interrupted run `run_dir`: the folder itself when it holds
/// checkpoints, else the one hidden `.NAME.partial-PID` sibling that does.
fn interrupted_run(run_dir: &Path) -> Result<PathBuf, Failure> {
    if run_dir.join(checkpoint::FOLDER).is_dir() && run_dir.join("scenario.toml").is_file() {
        if run_dir.join("summary.json").is_file() {
            return Err(Failure::input(format!(
                "{} is a finished run; there is nothing to resume (fork a new arm from one of \
                 its checkpoints with `synaptogen run SCENARIO --from {}/STEP.ckpt`)",
                run_dir.display(),
                run_dir.join(checkpoint::FOLDER).display()
            )));
        }
        return Ok(run_dir.to_owned());
    }
    let name = run_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::input(format!("{}: not a run folder", run_dir.display())))?;
    let parent = run_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = crate::run_folder::partial_prefix(&name);
    let mut found: Vec<PathBuf> = std::fs::read_dir(parent)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .map(|e| e.path())
                .filter(|p| p.join(checkpoint::FOLDER).is_dir())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Failure::input(format!(
            "no interrupted run of {} found: no {}/{prefix}PID folder with checkpoints \
             (only runs started with --checkpoint-every, --checkpoint-at or --stop-at can \
             be resumed)",
            run_dir.display(),
            parent.display()
        ))),
        _ => Err(Failure::input(format!(
            "several interrupted runs of {}: {}; resume one by its folder",
            run_dir.display(),
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Refuses to fork `resolved` from `parent` when the arm's past differs from the
/// checkpoint's: an intervention starting before or at the checkpoint (a dose at that very
/// time is already in the saved state) that is not exactly one of the checkpoint's, or a
/// run that ends before it.
fn check_fork(resolved: &Resolved, parent: &Checkpoint) -> Result<(), Failure> {
    let at_ms = parent.header.model_time_ms;
    let source = parent.path.display().to_string();
    let bad = |why: String| {
        Failure::input(format!(
            "{}: cannot fork from {source} (model time {}): {why}",
            resolved.source,
            readable_ms(at_ms)
        ))
    };
    let saved = load_str(&source, &parent.header.scenario_toml, &[])?;
    let before = |r: &Resolved| -> Vec<synaptogen_scenario::pharmacology::Intervention> {
        r.scenario
            .interventions
            .iter()
            .filter(|i| i.start().ms <= at_ms)
            .cloned()
            .collect()
    };
    if before(resolved) != before(&saved) {
        return Err(bad(
            "its interventions up to that time differ from the checkpoint's; an arm may only \
             change what happens after it"
                .into(),
        ));
    }
    let end_ms =
        resolved.scenario.simulation.duration_ms + resolved.scenario.simulation.quiet_after_ms;
    if end_ms <= at_ms {
        return Err(bad(format!(
            "the scenario ends at {}, before the checkpoint; set a longer simulation.duration_ms",
            readable_ms(end_ms)
        )));
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

/// Where a run starts.
pub(crate) enum Start {
    /// At step 0.
    Fresh,
    /// From a checkpoint of the same run, in its own folder.
    Resume(Checkpoint),
    /// From a checkpoint of another run: a new arm.
    Fork(Checkpoint),
}

/// How a run is carried out.
pub(crate) struct Options {
    pub threads: usize,
    pub quiet: bool,
    pub plan: CheckpointPlan,
    pub stop_at_ms: Option<f64>,
}

/// How `execute` ended.
pub(crate) enum Outcome {
    /// The run is complete.
    Finished(Box<RunSummary>),
    /// It stopped at `--stop-at`, after writing a checkpoint there.
    Stopped { model_time_ms: f64 },
}

/// Builds and runs `resolved` from `start`, writing every output into `folder`.
pub(crate) fn execute(
    resolved: &Resolved,
    folder: &RunFolder,
    start: Start,
    options: &Options,
) -> Result<Outcome, Failure> {
    let resuming = matches!(start, Start::Resume(_));
    if !resuming {
        write_atomic(&folder.file("scenario.toml"), resolved.to_toml().as_bytes())?;
    }

    let build_clock = Stopwatch::start();
    let mut built = build(resolved, options.threads)?;
    let origin = match &start {
        Start::Fresh => None,
        Start::Resume(c) | Start::Fork(c) => {
            built
                .restore_state(&c.state)
                .map_err(|e| Failure::input(format!("{}: {e}", c.path.display())))?;
            // A resumed run's own checkpoint is named inside the run folder (the
            // partial folder it was read from is renamed at the end).
            let checkpoint = match c.path.strip_prefix(folder.dir()) {
                Ok(inside) if resuming => inside,
                _ => c.path.as_path(),
            };
            Some(Origin {
                checkpoint: checkpoint.display().to_string(),
                step: c.header.step,
                model_time_ms: c.header.model_time_ms,
            })
        }
    };
    let build_s = build_clock.seconds();

    let names: Vec<String> = built.populations.iter().map(|p| p.name.clone()).collect();
    let dt_ms = resolved.scenario.simulation.dt_ms;
    let mut sink = match &start {
        Start::Resume(c) => CsvSink::resume(
            folder.dir(),
            dt_ms,
            &names,
            &built.state_columns,
            &c.header.outputs,
        )
        .internal("cannot reopen the output files of the interrupted run")?,
        _ => {
            write_populations(folder, &built)?;
            CsvSink::create(folder.dir(), dt_ms, &names, &built.state_columns)
                .internal("cannot create the output files")?
        }
    };
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
    let total_steps = built.total_steps();
    let stop_step = options
        .stop_at_ms
        .map(|ms| ((ms / dt_ms).round() as u64).min(total_steps));
    if let Some(stop) = stop_step
        && stop <= built.simulation.step()
    {
        return Err(Failure::input(format!(
            "--stop-at {}: the run already stands at {}; give a later time",
            readable_ms(stop as f64 * dt_ms),
            readable_ms(built.simulation.step() as f64 * dt_ms)
        )));
    }
    let progress = ProgressDisplay::new(total_steps, total_steps as f64 * dt_ms, options.quiet);
    let sim_clock = Stopwatch::start();
    loop {
        let now = built.simulation.step();
        let next = options
            .plan
            .next_after(now, dt_ms)
            .min(stop_step.filter(|&s| s > now).unwrap_or(u64::MAX))
            .min(total_steps);
        built
            .run_to(next, &mut sink, &mut |p, windows| {
                progress.update(p, windows)
            })
            .internal("the simulation failed")?;
        if next >= total_steps {
            // A kept checkpoint at the very end is a state to fork arms from.
            if options.plan.keeps(next, dt_ms) {
                save_checkpoint(resolved, folder, &mut built, &mut sink, &options.plan)?;
            }
            break;
        }
        let header = save_checkpoint(resolved, folder, &mut built, &mut sink, &options.plan)?;
        if stop_step == Some(next) {
            progress.finish();
            return Ok(Outcome::Stopped {
                model_time_ms: header.model_time_ms,
            });
        }
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

    let mut summary = RunSummary::new(
        resolved,
        &built,
        &WallTimes {
            build_s,
            simulation_s,
        },
    );
    match start {
        Start::Resume(_) => summary.execution.resumed_from = origin,
        Start::Fork(_) => summary.forked_from = origin,
        Start::Fresh => {}
    }
    let json = serde_json::to_string_pretty(&summary).internal("cannot encode summary.json")?;
    write_atomic(&folder.file("summary.json"), format!("{json}\n").as_bytes())?;
    Ok(Outcome::Finished(Box::new(summary)))
}

fn write_populations(
    folder: &RunFolder,
    built: &synaptogen_scenario::Built,
) -> Result<(), Failure> {
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
    populations.flush().internal("cannot write populations.csv")
}

/// Writes a checkpoint of the run as it stands: monitors drained, output files flushed and
/// measured, state saved; then drops rolling checkpoints the plan does not keep.
fn save_checkpoint(
    resolved: &Resolved,
    folder: &RunFolder,
    built: &mut synaptogen_scenario::Built,
    sink: &mut CsvSink,
    plan: &CheckpointPlan,
) -> Result<Header, Failure> {
    built
        .simulation
        .drain(sink)
        .internal("cannot write recorded data")?;
    let outputs = sink
        .flush_lengths()
        .internal("cannot flush the output files")?;
    let state = built.save_state();
    let step = built.simulation.step();
    let dt_ms = resolved.scenario.simulation.dt_ms;
    let header = Header {
        checkpoint_version: checkpoint::CHECKPOINT_VERSION,
        synaptogen_version: env!("CARGO_PKG_VERSION").to_owned(),
        scenario_schema_version: resolved.scenario.schema_version,
        scenario: resolved.scenario.name.clone(),
        source: resolved.source.clone(),
        seed: resolved.scenario.simulation.seed,
        step,
        model_time_ms: step as f64 * dt_ms,
        outputs,
        plan: plan.clone(),
        state_bytes: state.len() as u64,
        scenario_toml: resolved.to_toml(),
    };
    let path = checkpoint::write(folder.dir(), &header, &state)?;
    checkpoint::prune(folder.dir(), &path, |s| plan.keeps(s, dt_ms));
    Ok(header)
}
