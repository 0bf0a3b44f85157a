//! `synaptogen bench coba`: the field's standard benchmark network, timed.

use crate::output::outln;
use serde::Serialize;

use synaptogen_engine::monitors::{DiscardSink, SpikeStatistics};
use synaptogen_engine::{DeliveredEvents, SynapseGroups};
use synaptogen_scenario::{Override, build, load_builtin};

use crate::cli::BenchArgs;
use crate::failure::{Failure, Internal};
use crate::run_folder::write_atomic;
use crate::timing::{Stopwatch, machine, peak_rss_mb};

/// Mean in-degree of the scaled COBA networks (model_spec.py: K = 0.02 · 4000).
const MEAN_IN_DEGREE: f64 = 80.0;

/// One repetition's figures (also the JSON record).
#[derive(Debug, Serialize)]
struct BenchRecord {
    benchmark: &'static str,
    plastic: bool,
    neurons: u32,
    biological_s: f64,
    threads: usize,
    seed: u64,
    build_s: f64,
    simulation_s: f64,
    real_time_factor: f64,
    spikes: u64,
    rate_hz: f64,
    synapses: u64,
    synaptic_events: u64,
    events_per_wall_s: f64,
    ns_per_neuron_step: f64,
    bytes_per_synapse: f64,
    mean_w_ee_end_ns: f64,
    peak_rss_mb: Option<f64>,
    machine: String,
    version: &'static str,
}

fn coba_overrides(args: &BenchArgs, seed: u64) -> Result<Vec<Override>, Failure> {
    let n = f64::from(args.neurons);
    let n_e = (0.8 * n).round() as u32;
    let p = (MEAN_IN_DEGREE / n).min(1.0);
    let mut specs = vec![
        format!("populations.e.size={n_e}"),
        format!("populations.i.size={}", args.neurons - n_e),
        format!("simulation.duration_ms={}", args.seconds * 1000.0),
        format!("simulation.seed={seed}"),
        "recording.spikes=[]".to_owned(),
        "recording.rate_bin_ms=1000.0".to_owned(),
    ];
    for projection in ["e_to_e", "e_to_i", "i_to_e", "i_to_i"] {
        specs.push(format!("projections.{projection}.connectivity.p={p}"));
    }
    if args.plastic {
        // model_spec.py: tau± 20 ms, w_max = 2·6 nS, A+ = 0.01·w_max, A- = 1.05·A+.
        specs.push(
            "projections.e_to_e.plasticity={ rule = \"stdp_pair\", tau_plus_ms = 20.0, tau_minus_ms = 20.0, \
             a_plus_ns = 0.12, a_minus_ns = 0.126, w_min_ns = 0.0, w_max_ns = 12.0 }"
                .to_owned(),
        );
    }
    specs
        .iter()
        .map(|s| Override::parse(s).map_err(Failure::input))
        .collect()
}

fn one(args: &BenchArgs, seed: u64) -> Result<BenchRecord, Failure> {
    let resolved = load_builtin("coba", &coba_overrides(args, seed)?)?;
    super::check_memory(&resolved)?;
    let clock = Stopwatch::start();
    let mut built = build(&resolved, args.threads)?;
    let build_s = clock.seconds();
    let clock = Stopwatch::start();
    built
        .simulation
        .run(built.steps, &mut DiscardSink, &mut |_| {})
        .internal("the simulation failed")?;
    let simulation_s = clock.seconds();

    let world = &built.simulation.world;
    let spikes: u64 = world
        .resource::<SpikeStatistics>()
        .counts()
        .iter()
        .map(|&c| u64::from(c))
        .sum();
    let events = world.resource::<DeliveredEvents>().0;
    let groups = world.resource::<SynapseGroups>();
    let synapses = groups.n_synapses() as u64;
    let mean_w_ee_end_ns = groups
        .groups()
        .iter()
        .find(|g| g.name == "e_to_e")
        .map_or(0.0, |g| {
            g.weights().iter().map(|&w| f64::from(w)).sum::<f64>() / g.len().max(1) as f64
        });
    let neuron_steps = f64::from(args.neurons) * built.steps as f64;
    Ok(BenchRecord {
        benchmark: "coba",
        plastic: args.plastic,
        neurons: args.neurons,
        biological_s: args.seconds,
        threads: built.simulation.threads(),
        seed,
        build_s,
        simulation_s,
        real_time_factor: simulation_s / args.seconds,
        spikes,
        rate_hz: spikes as f64 / (f64::from(args.neurons) * args.seconds),
        synapses,
        synaptic_events: events,
        events_per_wall_s: events as f64 / simulation_s,
        ns_per_neuron_step: simulation_s * 1e9 / neuron_steps,
        bytes_per_synapse: built.synapse_bytes as f64 / synapses.max(1) as f64,
        mean_w_ee_end_ns,
        peak_rss_mb: peak_rss_mb(),
        machine: machine(),
        version: env!("CARGO_PKG_VERSION"),
    })
}

pub fn run(args: BenchArgs) -> Result<(), Failure> {
    if args.neurons < 10 {
        return Err(Failure::input("--neurons must be at least 10"));
    }
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        return Err(Failure::input("--seconds must be a positive number"));
    }
    if args.reps == 0 || args.threads == 0 {
        return Err(Failure::input("--reps and --threads must be at least 1"));
    }
    let mut records = Vec::new();
    for rep in 0..args.reps {
        // Seeds stay within TOML's 64-bit signed integers.
        let r = one(&args, (args.seed + rep as u64) % (i64::MAX as u64 + 1))?;
        outln!(
            "coba{} N={} T={} s threads={} seed={}: build {:.3} s, simulation {:.3} s (RTF {:.3}), {:.2} Hz, \
             {} events ({:.3e}/s), {:.2} ns/neuron-step, {:.1} B/synapse, peak RSS {}",
            if r.plastic { "+stdp" } else { "" },
            r.neurons,
            r.biological_s,
            r.threads,
            r.seed,
            r.build_s,
            r.simulation_s,
            r.real_time_factor,
            r.rate_hz,
            r.synaptic_events,
            r.events_per_wall_s,
            r.ns_per_neuron_step,
            r.bytes_per_synapse,
            r.peak_rss_mb
                .map_or_else(|| "n/a".to_owned(), |m| format!("{m:.1} MB")),
        );
        records.push(r);
    }
    let mut times: Vec<f64> = records.iter().map(|r| r.simulation_s).collect();
    times.sort_by(f64::total_cmp);
    outln!(
        "simulation wall time over {} run(s): min {:.4} s, median {:.4} s, max {:.4} s — {}",
        times.len(),
        times[0],
        times[times.len() / 2],
        times[times.len() - 1],
        machine()
    );
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
