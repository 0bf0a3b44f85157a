//! Criterion benches of the per-step kernels. Motivation and recorded results:
//! benches/README.md. Run: `cargo bench --bench kernels`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

use synaptogen_engine::connectivity::{
    ConnectionPlan, ConnectionRule, DrawContext, Endpoints, SynapseGroup, draw_incoming,
};
use synaptogen_engine::{SynapticInputRing, ValueDistribution};
use synaptogen_models::neuron::{Integrator, Kernel, NeuronGroup};
use synaptogen_models::{CellType, Environment};

const N: u32 = 4000;

fn cell(text: &str) -> CellType {
    toml::from_str(text).expect("library cell type")
}

/// One step of 4000 neurons with typical input: COBA LIF (forward Euler, the benchmark's
/// scheme) and the mPFC L5 pyramidal AdEx with NMDA (exponential Euler).
fn neuron_update(c: &mut Criterion) {
    let cases = [
        (
            "coba_lif_euler",
            cell(include_str!("../assets/cell_types/coba_exc.toml")),
            Integrator::Euler,
        ),
        (
            "pfc_adex_nmda_exp_euler",
            cell(include_str!("../assets/cell_types/pfc_l5_pyramidal.toml")),
            Integrator::ExponentialEuler,
        ),
    ];
    let mut group = c.benchmark_group("neuron_update");
    group.throughput(Throughput::Elements(u64::from(N)));
    for (name, cell, integrator) in cases {
        let kernel = Kernel::new(&cell, &Environment::default(), 0.1, integrator);
        let mut neurons = NeuronGroup::new(0, 0..N, kernel);
        // Input of about one excitatory event per neuron every 5 steps.
        let glutamate: Vec<f32> = (0..N).map(|i| if i % 5 == 0 { 1.0 } else { 0.0 }).collect();
        let gaba: Vec<f32> = (0..N)
            .map(|i| if i % 17 == 0 { 5.0 } else { 0.0 })
            .collect();
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || (glutamate.clone(), gaba.clone()),
                |(glu, gab)| neurons.step(black_box(glu), black_box(gab), false, &[]),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// Delivery of one step's spikes of the COBA network (≈ 7 spikes of 4000 at 18 Hz) through
/// a p = 0.02 CSR group into the ring buffer: the per-event cost of push delivery.
fn spike_delivery(c: &mut Criterion) {
    let weight = ValueDistribution::Constant(6.0).sampler();
    let delay = ValueDistribution::Uniform {
        low: 0.1,
        high: 2.0,
    }
    .sampler();
    let plan = ConnectionPlan {
        name: "bench",
        rule: ConnectionRule::PairwiseBernoulli { p: 0.02 },
        autapses: true,
        multapses: false,
        weight: &weight,
        delay_ms: &delay,
    };
    let ctx = DrawContext {
        seed: 1,
        dt_ms: 0.1,
        n_sources: N,
        n_targets: N,
        target_hash: 1,
        same_population: true,
    };
    let ends = Endpoints {
        source: 0,
        source_start: 0,
        n_sources: N,
        target: 0,
        target_start: 0,
    };
    let mut group = c.benchmark_group("spike_delivery");
    for (name, per_synapse_delays) in [("uniform_delay", false), ("per_synapse_delay", true)] {
        let incoming = draw_incoming(&plan, &ctx);
        let incoming: Vec<_> = if per_synapse_delays {
            incoming
        } else {
            incoming
                .into_iter()
                .map(|syns| {
                    syns.into_iter()
                        .map(|mut s| {
                            s.delay_steps = 1;
                            s
                        })
                        .collect()
                })
                .collect()
        };
        let synapses = SynapseGroup::from_incoming("bench", ends, 0, &incoming).unwrap();
        let mut ring = SynapticInputRing::new(synapses.max_delay_steps(), 2, N as usize);
        let spikes: Vec<u32> = (0..N).step_by(571).collect();
        let events: usize = spikes.iter().map(|&s| synapses.row(s).len()).sum();
        group.throughput(Throughput::Elements(events as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                // Input accumulates across iterations; only the delivery itself is timed.
                for &s in &spikes {
                    black_box(synapses.deliver(black_box(s), &mut ring));
                }
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = kernels;
    config = config();
    targets = neuron_update, spike_delivery
}
criterion_main!(kernels);
