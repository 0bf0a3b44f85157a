//! `bench --compare`: the same COBA network run in Brian2 (cpp_standalone) and NEST by the
//! anchors' scripts (`../shared/anchors/`, which build exactly `model_spec.py`), in the same
//! session on the same machine, and the ratios of the median simulation times.
//!
//! A peer whose interpreter is missing is reported and skipped; a peer run that fails is
//! reported with its error output and skipped. Neither fails the benchmark: the peers are
//! context, ours is the measurement.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{BenchRecord, median};
use crate::cli::BenchArgs;
use crate::output::outln;
use crate::timing::machine;

/// A peer simulator and how its scripts are started.
struct Peer {
    name: &'static str,
    /// Environment variable naming its Python interpreter.
    interpreter_variable: &'static str,
    /// The interpreter otherwise, under $HOME (the anchors README's set-up).
    default_interpreter: &'static str,
    /// Script of the static and of the plastic network.
    scripts: [&'static str; 2],
}

const PEERS: [Peer; 2] = [
    Peer {
        name: "brian2",
        interpreter_variable: "BRIAN_PY",
        default_interpreter: "venvs/brian/bin/python",
        scripts: ["brian2_coba.py", "brian2_coba_stdp.py"],
    },
    Peer {
        name: "nest",
        interpreter_variable: "NEST_PY",
        default_interpreter: "venvs/nest/bin/python",
        scripts: ["nest_coba.py", "nest_coba_stdp.py"],
    },
];

/// Runs each installed peer on the network of `ours` (`neurons`, --seconds, --threads,
/// --plastic, --reps runs), prints its figures and the ratio of median simulation times;
/// returns its records.
pub fn compare(args: &BenchArgs, neurons: u32, ours: &[BenchRecord]) -> Vec<BenchRecord> {
    let mut our_times: Vec<f64> = ours.iter().map(|r| r.simulation_s).collect();
    our_times.sort_by(f64::total_cmp);
    let our_median = median(&our_times);
    let mut records = Vec::new();
    for peer in &PEERS {
        let Some(interpreter) = interpreter(peer) else {
            outln!(
                "{}: not installed (set ${} to its Python, or see ../shared/anchors/README.md)",
                peer.name,
                peer.interpreter_variable
            );
            continue;
        };
        let script = args.anchors.join(peer.scripts[usize::from(args.plastic)]);
        if !script.is_file() {
            outln!(
                "{}: no script {} (give the anchors' folder with --anchors)",
                peer.name,
                script.display()
            );
            continue;
        }
        let mut times = Vec::new();
        for rep in 0..args.reps {
            match run_peer(peer, &interpreter, &script, args, neurons, rep) {
                Ok(runs) => {
                    for record in runs {
                        outln!("{}", record.line());
                        times.push(record.simulation_s);
                        records.push(record);
                    }
                }
                Err(e) => outln!("{}: {e}", peer.name),
            }
        }
        if times.is_empty() {
            continue;
        }
        times.sort_by(f64::total_cmp);
        let theirs = median(&times);
        outln!(
            "{}: median {theirs:.4} s over {} run(s); synaptogen / {} = {:.3} (synaptogen {:.4} s)",
            peer.name,
            times.len(),
            peer.name,
            our_median / theirs,
            our_median
        );
    }
    records
}

/// The peer's interpreter, if it exists.
fn interpreter(peer: &Peer) -> Option<PathBuf> {
    let path = std::env::var_os(peer.interpreter_variable)
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| Path::new(&home).join(peer.default_interpreter))
        })?;
    path.is_file().then_some(path)
}

/// One invocation of a peer's script (Brian2 runs its compiled binary once here; NEST
/// builds and runs once); its JSON lines as records.
fn run_peer(
    peer: &Peer,
    interpreter: &Path,
    script: &Path,
    args: &BenchArgs,
    neurons: u32,
    rep: usize,
) -> Result<Vec<BenchRecord>, String> {
    let seconds = args.seconds.unwrap_or(1.0);
    let mut command = Command::new(interpreter);
    command
        .arg(script)
        .args(["--N", &neurons.to_string()])
        .args(["--T", &seconds.to_string()])
        .args(["--threads", &args.threads.to_string()]);
    let seed = args.seed + rep as u64;
    if peer.name == "brian2" {
        command
            .args(["--mode", "cpp_standalone", "--reps", "1", "--no-wait"])
            .args(["--seed", &seed.to_string()]);
    } else {
        command.args(["--seed", &seed.to_string()]);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot start {}: {e}", interpreter.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!(
            "{} failed ({}): {}",
            script.display(),
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ));
    }
    let records: Vec<BenchRecord> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("sim_s").is_some())
        .map(|v| record(peer, &v, args, neurons, seconds, seed))
        .collect();
    if records.is_empty() {
        return Err(format!("{} printed no result line", script.display()));
    }
    Ok(records)
}

/// A peer's JSON line as a record.
fn record(
    peer: &Peer,
    v: &serde_json::Value,
    args: &BenchArgs,
    neurons: u32,
    seconds: f64,
    seed: u64,
) -> BenchRecord {
    let number = |key: &str| v.get(key).and_then(serde_json::Value::as_f64);
    let count = |key: &str| v.get(key).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let simulation_s = number("sim_s").unwrap_or(f64::NAN);
    let synapses = count("nsyn");
    let events = count("syn_events");
    let version = v
        .get("version")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    BenchRecord {
        simulator: peer.name.to_owned(),
        benchmark: "coba",
        plastic: args.plastic,
        neurons: u64::from(neurons),
        synapses,
        spines: 0,
        biological_s: seconds,
        spiking_s: seconds,
        threads: args.threads,
        seed,
        build_s: number("build_s").unwrap_or(f64::NAN),
        simulation_s,
        real_time_factor: simulation_s / seconds,
        spikes: count("spikes"),
        rate_hz: number("rate_hz").unwrap_or(f64::NAN),
        synaptic_events: events,
        events_per_wall_s: events as f64 / simulation_s,
        ns_per_neuron_step: simulation_s * 1e9
            / (f64::from(neurons) * seconds * 1000.0 / number("dt_ms").unwrap_or(0.1)),
        bytes_per_synapse: number("bytes_per_syn_build").unwrap_or(f64::NAN),
        mean_w_ee_end_ns: number("w_ee_mean_end_nS"),
        structural_steps: None,
        peak_rss_mb: number("peak_rss_mb"),
        machine: machine(),
        version: version.to_owned(),
    }
}
