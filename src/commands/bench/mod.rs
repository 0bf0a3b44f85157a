//! `synaptogen bench`: the benchmark suite. The field's standard network (COBA, static and
//! with pair STDP) and its scaling, and Synaptogen's own workloads (a ketamine protocol on the
//! default network, spine turnover on millions of spines), each built from a scenario, run
//! with no output files and measured the same way; with `--compare`, the peers' figures on
//! the same network beside ours.

mod networks;
mod peers;

use serde::Serialize;

use synaptogen_scenario::{Built, Override, Resolved, build};

use crate::cli::BenchArgs;
use crate::failure::{Failure, Internal};
use crate::output::outln;
use crate::run_folder::write_atomic;
use crate::summary::{RunSummary, WallTimes};
use crate::timing::{Stopwatch, machine, peak_rss_mb};

/// One repetition's figures: a line of `--json` output. Field names are stable; new fields
/// are added, none renamed.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BenchRecord {
    /// Who ran it: "synaptogen", or a peer under `--compare`.
    pub simulator: String,
    /// `coba`, `ketamine` or `structural` (a scale run is a series of `coba` records).
    pub benchmark: &'static str,
    /// Pair STDP on E→E (coba).
    pub plastic: bool,
    pub neurons: u64,
    pub synapses: u64,
    /// Spines at the end (0 without spiny projections).
    pub spines: u64,
    /// Model time covered, s.
    pub biological_s: f64,
    /// Model time in which the network spiked, s (less than `biological_s` in windowed and
    /// quiet protocols).
    pub spiking_s: f64,
    pub threads: usize,
    pub seed: u64,
    pub build_s: f64,
    pub simulation_s: f64,
    /// Wall time per model time.
    pub real_time_factor: f64,
    pub spikes: u64,
    /// Mean rate over the spiking time, Hz.
    pub rate_hz: f64,
    pub synaptic_events: u64,
    pub events_per_wall_s: f64,
    /// Simulation wall time per neuron and spiking step (slow and structural work included).
    pub ns_per_neuron_step: f64,
    /// Connectivity and plasticity state (spines included) per synapse.
    pub bytes_per_synapse: f64,
    /// Mean E→E weight at the end, nS (coba).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_w_ee_end_ns: Option<f64>,
    /// Structural steps run (structural).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structural_steps: Option<u64>,
    pub peak_rss_mb: Option<f64>,
    pub machine: String,
    /// The simulator's version.
    pub version: String,
}

impl BenchRecord {
    /// The record of one finished run of a built scenario.
    fn of(run: &Measured, benchmark: &'static str, threads: usize, seed: u64) -> Self {
        let s = &run.summary;
        let spiking_s = s.schedule.spiking_ms / 1000.0;
        let biological_s = (s.duration_ms + s.schedule.quiet_ms) / 1000.0;
        let neurons = s.network.neurons;
        let neuron_steps = neurons as f64 * (s.schedule.spiking_ms / s.dt_ms);
        Self {
            simulator: "synaptogen".to_owned(),
            benchmark,
            plastic: false,
            neurons,
            synapses: s.network.synapses,
            spines: s.spines.iter().map(|e| e.spines).sum(),
            biological_s,
            spiking_s,
            threads,
            seed,
            build_s: run.build_s,
            simulation_s: run.simulation_s,
            real_time_factor: run.simulation_s / biological_s,
            spikes: s.activity.spikes,
            rate_hz: s.activity.mean_rate_hz,
            synaptic_events: s.activity.synaptic_events,
            events_per_wall_s: s.activity.synaptic_events as f64 / run.simulation_s,
            ns_per_neuron_step: run.simulation_s * 1e9 / neuron_steps.max(1.0),
            bytes_per_synapse: s.network.synapse_bytes as f64 / s.network.synapses.max(1) as f64,
            mean_w_ee_end_ns: None,
            structural_steps: None,
            peak_rss_mb: peak_rss_mb(),
            machine: machine(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The line printed for the record.
    fn line(&self) -> String {
        let what = match (self.benchmark, self.plastic) {
            ("coba", true) => "coba+stdp".to_owned(),
            (b, _) => b.to_owned(),
        };
        let who = if self.simulator == "synaptogen" {
            String::new()
        } else {
            format!("{} {}: ", self.simulator, self.version)
        };
        let mut line = format!(
            "{who}{what} N={} synapses={} T={} s threads={} seed={}: build {:.3} s, simulation {:.3} s \
             (RTF {:.3e}), {:.2} Hz, {} events ({:.3e}/s), {:.2} ns/neuron-step, {:.1} B/synapse",
            self.neurons,
            self.synapses,
            self.biological_s,
            self.threads,
            self.seed,
            self.build_s,
            self.simulation_s,
            self.real_time_factor,
            self.rate_hz,
            self.synaptic_events,
            self.events_per_wall_s,
            self.ns_per_neuron_step,
            self.bytes_per_synapse,
        );
        if self.spines > 0 {
            line += &format!(", {} spines", self.spines);
        }
        if let Some(steps) = self.structural_steps {
            line += &format!(
                ", {steps} structural steps ({:.1} ns per spine-step)",
                self.simulation_s * 1e9 / (steps as f64 * self.spines.max(1) as f64)
            );
        }
        line += &format!(
            ", peak RSS {}",
            self.peak_rss_mb
                .map_or_else(|| "n/a".to_owned(), |m| format!("{m:.1} MB"))
        );
        line
    }
}

/// A built scenario run to its end with no output, and its summary.
struct Measured {
    built: Built,
    summary: RunSummary,
    build_s: f64,
    simulation_s: f64,
}

/// Builds `resolved` on `threads` threads and runs it to the end (windows, quiet stretch
/// and all), recording nothing: the cost of the simulation itself.
fn measure(resolved: &Resolved, threads: usize) -> Result<Measured, Failure> {
    super::check_memory(resolved)?;
    let clock = Stopwatch::start();
    let mut built = build(resolved, threads)?;
    let build_s = clock.seconds();
    let mut sink = synaptogen_engine::monitors::DiscardSink;
    let clock = Stopwatch::start();
    built
        .run_to(built.total_steps(), &mut sink, &mut |_, _| {})
        .and_then(|()| built.simulation.finish(&mut sink))
        .internal("the simulation failed")?;
    let simulation_s = clock.seconds();
    built.settle_plasticity();
    let summary = RunSummary::new(
        resolved,
        &built,
        &WallTimes {
            build_s,
            simulation_s,
        },
    );
    Ok(Measured {
        built,
        summary,
        build_s,
        simulation_s,
    })
}

/// `--set`-style overrides, parsed.
fn overrides(specs: &[String]) -> Result<Vec<Override>, Failure> {
    specs
        .iter()
        .map(|s| Override::parse(s).map_err(Failure::input))
        .collect()
}

pub fn run(args: BenchArgs) -> Result<(), Failure> {
    if args.neurons < 10 || args.sizes.iter().any(|&n| n < 10) {
        return Err(Failure::input(
            "--neurons and every --sizes entry must be at least 10",
        ));
    }
    if let Some(s) = args.seconds
        && !(s.is_finite() && s > 0.0)
    {
        return Err(Failure::input("--seconds must be a positive number"));
    }
    if args.reps == 0 || args.threads == 0 {
        return Err(Failure::input("--reps and --threads must be at least 1"));
    }
    if args.compare && !matches!(args.benchmark.as_str(), "coba" | "scale") {
        return Err(Failure::input(format!(
            "--compare: the peers run only coba and scale, not {}",
            args.benchmark
        )));
    }
    let sizes = match args.benchmark.as_str() {
        "coba" => vec![args.neurons],
        "scale" => args.sizes.clone(),
        _ => vec![0],
    };
    let mut records = Vec::new();
    for &size in &sizes {
        let mut these = Vec::new();
        for rep in 0..args.reps {
            // Seeds stay within TOML's 64-bit signed integers.
            let seed = (args.seed + rep as u64) % (i64::MAX as u64 + 1);
            let record = match args.benchmark.as_str() {
                "ketamine" => networks::ketamine(&args, seed)?,
                "structural" => networks::structural(&args, seed)?,
                _ => networks::coba(&args, size, seed)?,
            };
            outln!("{}", record.line());
            these.push(record);
        }
        outln!("{}", spread(&these));
        if args.compare {
            let peers = peers::compare(&args, size, &these);
            these.extend(peers);
        }
        records.extend(these);
    }
    if let Some(path) = &args.json {
        let lines: Vec<String> = records
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()
            .internal("cannot encode the results")?;
        write_atomic(path, (lines.join("\n") + "\n").as_bytes())?;
    }
    Ok(())
}

/// Min, median and max simulation wall time of repetitions of one network.
fn spread(records: &[BenchRecord]) -> String {
    let mut times: Vec<f64> = records.iter().map(|r| r.simulation_s).collect();
    times.sort_by(f64::total_cmp);
    format!(
        "simulation wall time over {} run(s): min {:.4} s, median {:.4} s, max {:.4} s — {}",
        times.len(),
        times[0],
        median(&times),
        times[times.len() - 1],
        machine()
    )
}

/// The median of sorted values (the lower middle of an even count).
fn median(sorted: &[f64]) -> f64 {
    sorted[(sorted.len() - 1) / 2]
}
