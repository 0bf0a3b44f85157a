//! The benchmark networks, each a built-in scenario with a few overrides.

use synaptogen_engine::SynapseGroups;
use synaptogen_scenario::load_builtin;

use super::{BenchRecord, measure, overrides};
use crate::cli::BenchArgs;
use crate::failure::Failure;

/// Mean in-degree of the scaled COBA networks (model_spec.py: K = 0.02 · 4000).
pub const MEAN_IN_DEGREE: f64 = 80.0;
/// Recurrent spines per pyramidal cell in the `spine_turnover` scenario (fixed in-degree).
const SPINES_PER_CELL: u64 = 150;
/// Fewest cells: the scenario's own 200, enough distinct sources for 150 spines each.
const MIN_CELLS: u64 = 200;

/// COBA (`assets/scenarios/coba.toml`) with `neurons` neurons, 80 % excitatory, at the
/// connection probability that keeps the mean in-degree at 80, recording nothing.
pub fn coba(args: &BenchArgs, neurons: u32, seed: u64) -> Result<BenchRecord, Failure> {
    let seconds = args.seconds.unwrap_or(1.0);
    let n_e = (0.8 * f64::from(neurons)).round() as u32;
    let p = (MEAN_IN_DEGREE / f64::from(neurons)).min(1.0);
    let mut specs = vec![
        format!("populations.e.size={n_e}"),
        format!("populations.i.size={}", neurons - n_e),
        format!("simulation.duration_ms={}", seconds * 1000.0),
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
    let resolved = load_builtin("coba", &overrides(&specs)?)?;
    let run = measure(&resolved, args.threads)?;
    let mut record = BenchRecord::of(&run, "coba", args.threads, seed);
    record.plastic = args.plastic;
    let groups = run.built.simulation.world.resource::<SynapseGroups>();
    record.mean_w_ee_end_ns = groups
        .groups()
        .iter()
        .find(|g| g.name == "e_to_e")
        .map(|g| g.weights().iter().map(|&w| f64::from(w)).sum::<f64>() / g.len().max(1) as f64);
    Ok(record)
}

/// The ketamine scenario (`ketamine_rat_10mgkg`: default mPFC–vHPC network with spines,
/// pharmacology and signalling, 10 mg/kg i.p. at 10 min, spiking windows of 1 s every
/// minute at first, then adaptively further apart) cut to `--seconds` of protocol.
pub fn ketamine(args: &BenchArgs, seed: u64) -> Result<BenchRecord, Failure> {
    let seconds = args.seconds.unwrap_or(3600.0);
    let specs = [
        format!("simulation.duration_ms={}", seconds * 1000.0),
        format!("simulation.seed={seed}"),
    ];
    let resolved = load_builtin("ketamine_rat_10mgkg", &overrides(&specs)?)?;
    let run = measure(&resolved, args.threads)?;
    Ok(BenchRecord::of(&run, "ketamine", args.threads, seed))
}

/// Spine turnover (`spine_turnover`: mPFC L5 pyramidal cells with 150 recurrent spines
/// each; only the slow and structural processes run, hourly) with enough cells for
/// `--spines` spines (at least 200 cells, 30 000 spines), over `--seconds` of quiet time. The scenario's second of spiking is
/// cut to one step, so the figure is the structural work alone.
pub fn structural(args: &BenchArgs, seed: u64) -> Result<BenchRecord, Failure> {
    let seconds = args.seconds.unwrap_or(86_400.0);
    let cells = args.spines.div_ceil(SPINES_PER_CELL).max(MIN_CELLS);
    let specs = [
        format!("populations.pyr.size={cells}"),
        "simulation.duration_ms=0.1".to_owned(),
        format!("simulation.quiet_after_ms={}", seconds * 1000.0),
        format!("simulation.seed={seed}"),
    ];
    let resolved = load_builtin("spine_turnover", &overrides(&specs)?)?;
    let structural_dt_ms = resolved.scenario.simulation.structural_dt_ms;
    let run = measure(&resolved, args.threads)?;
    let mut record = BenchRecord::of(&run, "structural", args.threads, seed);
    record.structural_steps = Some((seconds * 1000.0 / structural_dt_ms).floor() as u64);
    Ok(record)
}
