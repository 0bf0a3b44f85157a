//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Synaptogen: agent-based synaptic plasticity simulator — spiking PFC–hippocampus networks,
/// dendritic spines and the synaptic pharmacology of ketamine.
#[derive(Debug, Parser)]
#[command(name = "synaptogen", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write a run folder (scenario.toml, summary.json, spikes.csv, rates.csv).
    #[command(after_help = RUN_HELP)]
    Run(RunArgs),
    /// Continue a run that was stopped (--stop-at) or killed, from its newest checkpoint.
    #[command(after_help = RESUME_HELP)]
    Resume(ResumeArgs),
    /// Compare the key readouts of two finished runs of one protocol (e.g. full vs bridged).
    Compare(CompareArgs),
    /// Draw the figures of a finished run or a study (PNG and SVG) and a self-contained report.html.
    #[command(after_help = REPORT_HELP)]
    Report(ReportArgs),
    /// Check a scenario file without building or running it.
    Validate(ValidateArgs),
    /// Run a parameter study: every run of its design, in parallel, resumable; results.csv.
    #[command(after_help = SWEEP_HELP)]
    Sweep(SweepArgs),
    /// Analyse a study folder: per-point statistics, Morris measures, Sobol' indices, Hill fits.
    #[command(after_help = ANALYZE_HELP)]
    Analyze(AnalyzeArgs),
    /// Run a benchmark network and report speed and memory.
    #[command(after_help = BENCH_HELP)]
    Bench(BenchArgs),
    /// List the built-in scenarios and cell types.
    List,
}

const RUN_HELP: &str = "\
Run folder (atomic: written under a hidden .NAME.partial-PID folder, renamed when complete):
  scenario.toml    the resolved scenario, every default filled in (re-runnable as is)
  summary.json     rates, ISI CVs, spike and synapse counts, events, seed, version, timing
  populations.csv  population, region, cell type, first neuron id, size
  spikes.csv       time_ms,neuron (ids as in populations.csv)
  rates.csv        time_ms (bin start) and one rate column (Hz) per population
  state.csv        sampled state variables, if the scenario records any

  checkpoints/     step-NNNNNNNNNNNN.ckpt snapshots, with --checkpoint-every/--checkpoint-at
  report/, report.html   figures and a self-contained page, with --report (see `report --help`)
With --compare-modes: bridged/ and full/ (two run folders as above) and comparison.csv
(readout, population, statistic, reference = full, candidate = bridged, relative_difference).

Checkpoints: `--checkpoint-every 6h` keeps the newest snapshot of the whole state (rolling);
`--checkpoint-at 21d` keeps one at each time given; `--stop-at 3d` stops there, leaving the
partial folder for `synaptogen resume`. `--from RUN/checkpoints/step-N.ckpt` starts a new
arm from a snapshot: the network and its state come from the checkpoint; the scenario
gives what happens from then on (its interventions up to that time must be the
checkpoint's) and the recording. The arm goes on exactly as the checkpoint's run would have
while their scenarios agree; its output files start at the checkpoint's time, its
summary.json covers the whole protocol (with `forked_from`).

Exit codes: 0 ok, 2 bad input (scenario or flags), 1 internal failure.";

const RESUME_HELP: &str = "\
RUN_DIR is the --out folder of the interrupted run (its hidden .NAME.partial-PID folder is
found) or that partial folder itself. The run continues from its newest checkpoint with the
scenario and checkpoint settings it was started with; output written after that checkpoint
is dropped and rewritten, so the finished folder equals an uninterrupted run's (summary.json
`execution` aside). Exit codes: 0 ok, 2 bad input, 1 internal failure.";

/// Options shared by commands that read a scenario.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Override any scenario value: KEY.PATH=VALUE, e.g. `--set populations.pfc_pyr.size=400`
    /// or `--set simulation.duration_ms=500`. Repeatable; applied in order.
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file, or the name of a built-in scenario (`synaptogen list`).
    /// Default: the built-in `pfc_baseline`.
    pub scenario: Option<String>,
    /// Output folder (default: runs/NAME-NNN, the first free number).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Master random seed (overrides simulation.seed); 0 to 2^63 − 1.
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub scenario_args: ScenarioArgs,
    /// No progress bar and no summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write a checkpoint every TIME of model time (e.g. `6h`), keeping the newest.
    #[arg(long, value_name = "TIME")]
    pub checkpoint_every: Option<String>,
    /// Write a checkpoint at each TIME (comma-separated, e.g. `21d,22d`), keeping them all.
    #[arg(long, value_name = "TIME", value_delimiter = ',')]
    pub checkpoint_at: Vec<String>,
    /// Stop at TIME with a checkpoint, leaving the run to `synaptogen resume`.
    #[arg(long, value_name = "TIME")]
    pub stop_at: Option<String>,
    /// Start from a checkpoint of another run (a forked arm).
    #[arg(long, value_name = "CHECKPOINT")]
    pub from: Option<PathBuf>,
    /// Run the scenario twice — bridged (its windows, or the default ones) and full (every
    /// step spikes: the ground truth) — into OUT/bridged and OUT/full, and write
    /// OUT/comparison.csv with the difference in the key readouts. Full mode costs the
    /// whole protocol's spiking: for protocols of hours, not weeks.
    #[arg(long, conflicts_with_all = ["from", "checkpoint_every", "checkpoint_at", "stop_at"])]
    pub compare_modes: bool,
    /// Make the run's report (figures and report.html, as `synaptogen report`) when it ends.
    #[arg(long)]
    pub report: bool,
}

const REPORT_HELP: &str = "\
Writes into the run folder, never re-running the simulation:
  report/NAME.png, report/NAME.svg   one figure per kind of data the run wrote: raster
      (sampled), rates, drugs, block, glutamate, signalling, spine_density,
      spine_turnover, spine_sizes, mepsc, weights
  report.html                        one self-contained page: run facts, interventions,
      key results, the scenario's [[targets]] against the run's values, and every
      figure embedded (no network access needed)
Time axes take the unit the run's length asks for; interventions are lines (doses) or
shaded bands (stress, baths, infusions). A previous report is replaced whole.

For a study folder (it holds study.toml; see `sweep --help`) the analysis tables are
brought up to date (as `synaptogen analyze`) and drawn: dose_response (each metric against
the study's dose parameter, mean ± sd per dose, the Hill fit), morris (μ* and σ), sobol
(first-order and total indices with intervals), heatmap (each metric over a two-parameter
grid), each when the study has what it needs; report.html adds the run counts and the fits.

Exit codes: 0 ok, 2 not a finished run or study folder, or an unreadable table, 1 internal
failure.";

const SWEEP_HELP: &str = "\
STUDY is a study file (format: assets/sweeps/README.md). Study folder:
  study.toml     the study file as given (a restart must use the same one)
  plan.csv       run, point, replicate, seed and the parameter values of every run
  results.csv    one row per finished run, in run order: run, point, replicate, seed,
                 parameters, metrics, status (ok | invalid | failed), error, wall_s
  results.parquet  the same table with typed columns (metrics and error null when absent)
  journal.jsonl  the record of each finished run, appended as it ends (what resuming reads)
  runs/run-NNNNNN/   each run's folder, with --keep-runs

Resumable: a study killed at any moment and started again with the same command runs only
the runs not yet recorded; results.csv and results.parquet are rewritten whole (temporary
file + rename), so they never hold a half-written row. A run that fails (invalid parameter
combination, failed simulation, missing metric) is recorded with its error and the study
goes on. Results do not depend on --jobs or --threads-per-run (wall_s aside).

MPI (a build with `--features mpi`): `mpirun -np N synaptogen sweep STUDY ...` shares the
runs over N ranks and gathers them into one study folder, written by rank 0; the table is
the one a single process writes. --jobs and --threads-per-run count per rank (default: each
machine's cores shared between its ranks). With --keep-runs, --out must be on a file system
all ranks share.

Exit codes: 0 the study ran (some runs may have failed: see results.csv), 2 bad input,
1 internal failure.";

const BENCH_HELP: &str = "\
Each repetition prints and (with --json) records: build time, simulation wall time,
real-time factor (wall / model time), spikes and mean rate, synaptic events per wall
second, ns per neuron-step (spiking steps only), bytes per synapse (connectivity and
plasticity state; spines included), peak RSS, threads and the machine. A summary line gives
min / median / max of the simulation wall time.

Examples:
  synaptogen bench coba --reps 5 --compare           # beside Brian2 and NEST
  synaptogen bench coba --plastic --threads 2
  synaptogen bench scale --sizes 4000,64000 --threads 2
  synaptogen bench ketamine --seconds 1800
  synaptogen bench structural --spines 2000000 --seconds 86400

Exit codes: 0 ok, 2 bad input, 1 internal failure.";

const ANALYZE_HELP: &str = "\
Reads DIR/study.toml and DIR/results.csv (only runs with status ok; replicates averaged per
point) and writes DIR/analysis/:
  points.csv          per point: parameters, and each metric's mean, sd and runs
  morris.csv          (morris designs) mu, mu_star, sigma per metric and parameter, in
                      metric units per normalised parameter range (Campolongo et al. 2007)
  sobol.csv           (saltelli designs) first-order and total indices with 95 % bootstrap
                      half-widths (Saltelli et al. 2010; Jansen 1999)
  dose_levels.csv     (with analysis.dose) per metric and dose: mean, sd, runs
  dose_response.csv   (with analysis.dose) Hill fit per metric: e0, emax, ec50, hill, r_squared
A study still running or interrupted can be analysed: the runs finished so far enter.

Exit codes: 0 ok, 2 not a study folder or an unreadable table, 1 internal failure.";

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The study file (e.g. assets/sweeps/ketamine_dose_response_rat.toml).
    pub study: PathBuf,
    /// The study folder (default: studies/NAME). An existing one of the same study is resumed.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Runs at a time (default: one per core, at most the runs left).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Worker threads of each run (default: cores / jobs, at least 1). Small runs pack the
    /// cores best one thread each; give a large network more.
    #[arg(long)]
    pub threads_per_run: Option<usize>,
    /// Keep each run's folder in runs/ (default: only its metrics are kept).
    #[arg(long)]
    pub keep_runs: bool,
    /// Delete the study folder's results and start over.
    #[arg(long)]
    pub force: bool,
    /// Check the study and every point's scenario, print the plan, run nothing.
    #[arg(long, conflicts_with_all = ["out", "force", "keep_runs"])]
    pub dry_run: bool,
    /// No progress bar and no summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A study folder (the --out of `synaptogen sweep`).
    pub study_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A finished run folder (it holds summary.json) or a study folder (study.toml).
    pub run_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The reference run folder (e.g. the full-mode run).
    pub reference: PathBuf,
    /// The run folder compared with it (e.g. the bridged run).
    pub candidate: PathBuf,
    /// Also write the table as CSV to this file.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The run folder (`--out` of the interrupted run) or its partial folder.
    pub run_dir: PathBuf,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Replace the finished run's folder if it exists by now.
    #[arg(long)]
    pub force: bool,
    /// Stop again at TIME with a checkpoint.
    #[arg(long, value_name = "TIME")]
    pub stop_at: Option<String>,
    /// No progress bar and no summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
    /// Make the run's report (as `synaptogen report`) when it ends.
    #[arg(long)]
    pub report: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file, or the name of a built-in scenario.
    pub scenario: String,
    #[command(flatten)]
    pub scenario_args: ScenarioArgs,
    /// Print the resolved scenario (all defaults filled in).
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// coba: the Vogels–Abbott COBA network (Brette et al. 2007; ../shared/anchors/model_spec.py).
    /// scale: COBA at each of --sizes, mean in-degree 80. ketamine: the default mPFC–vHPC
    /// network with spines, signalling and 10 mg/kg i.p. at 10 min. structural: spine turnover
    /// (hourly structural steps) on --spines spines.
    #[arg(value_parser = ["coba", "scale", "ketamine", "structural"])]
    pub benchmark: String,
    /// coba: neurons (80 % excitatory); connection probability 80/N keeps the mean in-degree at 80.
    #[arg(long, default_value_t = 4000)]
    pub neurons: u32,
    /// scale: the network sizes, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "4000,16000,64000,256000,1000000"
    )]
    pub sizes: Vec<u32>,
    /// structural: spines (150 per pyramidal cell, as in the spine_turnover scenario; at
    /// least 200 cells).
    #[arg(long, default_value_t = 1_000_000)]
    pub spines: u64,
    /// Model time to simulate, s (default: 1 for coba and scale; 3600 for ketamine, the dose
    /// at 600; 86400 for structural).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// coba, scale: pair STDP on E→E synapses (τ± 20 ms, A₊ = 0.01·w_max, A₋ = 1.05·A₊,
    /// w_max 12 nS).
    #[arg(long)]
    pub plastic: bool,
    /// Worker threads.
    #[arg(long, short = 'j', default_value_t = 1)]
    pub threads: usize,
    /// Random seed of the network; 0 to 2^63 − 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: u64,
    /// Repetitions (reported as min / median / max).
    #[arg(long, default_value_t = 1)]
    pub reps: usize,
    /// Also write the results as JSON lines (one object per repetition, peers' too) to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// coba and scale: run the same network in Brian2 (cpp_standalone) and NEST with the
    /// anchors' scripts, when their interpreters exist ($BRIAN_PY, default
    /// ~/venvs/brian/bin/python; $NEST_PY, default ~/venvs/nest/bin/python), and print the
    /// ratios.
    #[arg(long)]
    pub compare: bool,
    /// The peers' benchmark scripts (brian2_coba.py, nest_coba.py, …).
    #[arg(long, default_value = "../shared/anchors")]
    pub anchors: PathBuf,
}
