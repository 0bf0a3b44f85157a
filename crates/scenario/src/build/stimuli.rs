//! Stimulation protocols → forced spikes.

use synaptogen_engine::Populations;
use synaptogen_models::inputs::{ForcedSpikes, protocols};

use crate::schema::{InputSpec, Scenario};

/// Local indices chosen by `neurons` or `fraction` (default: all) among `size`.
pub(crate) fn selection(neurons: Option<&[u32]>, fraction: Option<f64>, size: u32) -> Vec<u32> {
    match (neurons, fraction) {
        (Some(list), _) => {
            let mut v = list.to_vec();
            v.sort_unstable();
            v
        }
        (None, Some(f)) => (0..((f * f64::from(size)).ceil() as u32).min(size)).collect(),
        (None, None) => (0..size).collect(),
    }
}

/// Every forced spike of the scenario's stimulation inputs, times rounded to steps.
pub(crate) fn forced_spikes(s: &Scenario, populations: &Populations) -> ForcedSpikes {
    let dt = s.simulation.dt_ms;
    let step = |ms: f64| (ms / dt).round() as u64;
    let mut spikes = Vec::new();
    let mut fire = |population: &str, neurons: &[u32], times: &[f64]| {
        let p = populations.index_of(population).expect("validated") as u32;
        for &t in times {
            for &n in neurons {
                spikes.push((step(t), p, n));
            }
        }
    };
    let size = |name: &str| s.populations[name].size;
    for input in s.inputs.values() {
        match input {
            InputSpec::Spikes(x) => {
                let who = selection(x.neurons.as_deref(), x.fraction, size(&x.target));
                fire(&x.target, &who, &x.times_ms);
            }
            InputSpec::Tetanus(x) => {
                let who = selection(x.neurons.as_deref(), x.fraction, size(&x.target));
                let times = protocols::tetanus(
                    x.start_ms,
                    x.rate_hz,
                    x.duration_ms,
                    x.trains,
                    x.train_interval_ms,
                );
                fire(&x.target, &who, &times);
            }
            InputSpec::ThetaBurst(x) => {
                let who = selection(x.neurons.as_deref(), x.fraction, size(&x.target));
                let times = protocols::theta_burst(
                    x.start_ms,
                    x.bursts,
                    x.burst_rate_hz,
                    x.spikes_per_burst,
                    x.intra_burst_hz,
                    x.trains,
                    x.train_interval_ms,
                );
                fire(&x.target, &who, &times);
            }
            InputSpec::Lfs(x) => {
                let who = selection(x.neurons.as_deref(), x.fraction, size(&x.target));
                fire(
                    &x.target,
                    &who,
                    &protocols::regular(x.start_ms, x.rate_hz, x.pulses),
                );
            }
            InputSpec::Pairing(x) => {
                let pre = selection(x.neurons.as_deref(), x.fraction, size(&x.target));
                let post = selection(x.post_neurons.as_deref(), None, size(&x.post_target));
                let dts = x.dt_ms.values();
                let (pre_block, post_block) = (pre.len() / dts.len(), post.len() / dts.len());
                let onsets = protocols::regular(x.start_ms, x.rate_hz, x.pairs);
                for (b, &dt_ms) in dts.iter().enumerate() {
                    let pre_times: Vec<f64> =
                        onsets.iter().map(|t| t + (-dt_ms).max(0.0)).collect();
                    let post_times: Vec<f64> = onsets.iter().map(|t| t + dt_ms.max(0.0)).collect();
                    fire(
                        &x.target,
                        &pre[b * pre_block..(b + 1) * pre_block],
                        &pre_times,
                    );
                    fire(
                        &x.post_target,
                        &post[b * post_block..(b + 1) * post_block],
                        &post_times,
                    );
                }
            }
            InputSpec::Poisson(_) | InputSpec::Dc(_) | InputSpec::Step(_) => {}
        }
    }
    ForcedSpikes::new(spikes)
}
