//! Criterion benches of the per-step kernels. Motivation and recorded results:
//! benches/README.md. Run: `cargo bench --bench kernels`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

use synaptogen_engine::connectivity::{
    ConnectionPlan, ConnectionRule, DrawContext, Endpoints, NewSynapse, SynapseGroup, draw_incoming,
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

/// The incoming synapses (6 nS, delays from `delay_ms`) of `n` neurons connected to each
/// other with probability `p`, drawn as the scenario builder draws them.
fn draw_recurrent(n: u32, p: f64, delay_ms: &ValueDistribution) -> Vec<Vec<NewSynapse>> {
    let weight = ValueDistribution::Constant(6.0).sampler();
    let delay = delay_ms.sampler();
    let plan = ConnectionPlan {
        name: "bench",
        rule: ConnectionRule::PairwiseBernoulli { p },
        autapses: true,
        multapses: false,
        weight: &weight,
        delay_ms: &delay,
    };
    let ctx = DrawContext {
        seed: 1,
        dt_ms: 0.1,
        n_sources: n,
        n_targets: n,
        target_hash: 1,
        same_population: true,
    };
    draw_incoming(&plan, &ctx)
}

/// `incoming` (of `n` neurons onto themselves) as one projection's CSR group.
fn recurrent_group(n: u32, incoming: &[Vec<NewSynapse>]) -> SynapseGroup {
    let ends = Endpoints {
        source: 0,
        source_start: 0,
        n_sources: n,
        target: 0,
        target_start: 0,
    };
    SynapseGroup::from_incoming("bench", ends, 0, incoming).unwrap()
}

/// Delivery of one step's spikes of the COBA network (≈ 7 spikes of 4000 at 18 Hz) through
/// a p = 0.02 CSR group into the ring buffer: the per-event cost of push delivery.
fn spike_delivery(c: &mut Criterion) {
    let delay_ms = ValueDistribution::Uniform {
        low: 0.1,
        high: 2.0,
    };
    let mut group = c.benchmark_group("spike_delivery");
    for (name, per_synapse_delays) in [("uniform_delay", false), ("per_synapse_delay", true)] {
        let incoming = draw_recurrent(N, 0.02, &delay_ms);
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
        let synapses = recurrent_group(N, &incoming);
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

/// One step of spike delivery at 64k neurons (mean in-degree 80, 128 spikes ≈ 10,000
/// events, rows scattered over 40 MB as in `bench scale`): one thread, against the bands of
/// targets that `deliver_spikes` runs in parallel on two threads.
fn spike_delivery_in_bands(c: &mut Criterion) {
    const N_LARGE: u32 = 64_000;
    let incoming = draw_recurrent(
        N_LARGE,
        80.0 / f64::from(N_LARGE),
        &ValueDistribution::Constant(0.1),
    );
    let synapses = recurrent_group(N_LARGE, &incoming);
    let mut ring = SynapticInputRing::new(synapses.max_delay_steps(), 2, N_LARGE as usize);
    // Each iteration delivers a different set of 128 spikes (sources o, o + 500, …), so
    // rows come from memory as in a run, not from the cache of the previous iteration.
    let spikes_at = |o: u32| (o % 500..N_LARGE).step_by(500);
    let events: usize = spikes_at(0).map(|s| synapses.row(s).len()).sum();
    let two_threads = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("spike_delivery");
    group.throughput(Throughput::Elements(events as u64));
    let mut offset = 0u32;
    group.bench_function("one_step_64k_serial", |b| {
        b.iter(|| {
            offset = offset.wrapping_add(1);
            for s in spikes_at(offset) {
                black_box(synapses.deliver(black_box(s), &mut ring));
            }
        })
    });
    // The timing loop itself runs on the pool, as the simulation's step loop does: waking
    // a sleeping pool from outside for every step would be timed too.
    group.bench_function("one_step_64k_bands_2_threads", |b| {
        two_threads.install(|| {
            b.iter(|| {
                offset = offset.wrapping_add(1);
                ring.deliver_in_bands(2, |band| {
                    spikes_at(offset)
                        .map(|s| synapses.deliver_band(black_box(s), band))
                        .sum()
                })
            })
        })
    });
    group.finish();
}

/// Per-spike plasticity work: a postsynaptic spike potentiating 1000 incoming synapses
/// under triplet STDP, and a presynaptic spike's calcium arriving at 100 synapses under
/// the calcium rule — the costs `coba --plastic` and the spine networks pay per event.
fn plasticity(c: &mut Criterion) {
    use synaptogen_models::plasticity::{CalciumParams, CalciumRule, Stdp, TripletParams};
    let mut group = c.benchmark_group("plasticity");
    let stdp_params = TripletParams::visual_cortex();
    let mut stdp = Stdp::new(&stdp_params, 0.1, 1000, 1);
    for j in 0..1000 {
        stdp.pre_spiked(j);
    }
    let mut efficacy = vec![0.5f32; 1000];
    group.throughput(Throughput::Elements(1000));
    group.bench_function("stdp_triplet_post_spike_1000_synapses", |b| {
        b.iter(|| {
            for (j, e) in efficacy.iter_mut().enumerate() {
                *e = (*e + stdp.potentiation(0, j)).clamp(0.0, 1.0);
            }
            stdp.post_spiked(0);
            stdp.decay_traces();
            black_box(&efficacy);
        })
    });
    let rule = CalciumRule::new(CalciumParams::default(), "bench", 1);
    let rho: Vec<f64> = (0..100).map(|k| f64::from(k % 2)).collect();
    group.throughput(Throughput::Elements(100));
    group.bench_function("calcium_update_100_synapses", |b| {
        let mut step = 0u64;
        b.iter(|| {
            step += 1;
            let mut sum = 0.0;
            for (k, &r) in rho.iter().enumerate() {
                // Calcium above both thresholds (a pre/post pair): both regimes and noise.
                sum += rule.advance(r, 2.4, 2.4, 30.0, k as u64, step);
            }
            black_box(sum)
        })
    });
    group.finish();
}

/// One structural step over a million spines (10 000 pyramidal cells × 100 spines): size
/// fluctuations, maturation and elimination draws, formation, CSR rewiring, entity slots.
fn structural(c: &mut Criterion) {
    use synaptogen_engine::monitors::DiscardSink;
    const SCENARIO: &str = r#"
schema_version = 1
[simulation]
duration_ms = 0.1
structural_dt_ms = 3600000.0
slow_dt_ms = 3600000.0
[spines]
census_every_ms = 86400000.0
[populations.pyr]
cell_type = "pfc_l5_pyramidal"
size = 10000
[projections.recurrent]
source = "pyr"
target = "pyr"
connectivity = { kind = "fixed_in_degree", k = 100 }
weight_ns = 0.5
[recording]
spikes = []
"#;
    let resolved = synaptogen_scenario::load_str("bench", SCENARIO, &[]).expect("bench scenario");
    let mut built = synaptogen_scenario::build(&resolved, 1).expect("builds");
    let step = built
        .simulation
        .world
        .resource::<synaptogen_engine::ScheduleRates>()
        .structural_every_steps;
    let mut group = c.benchmark_group("structural");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("step_1m_spines", |b| {
        b.iter(|| {
            built
                .simulation
                .advance_quiet(step, &mut DiscardSink, &mut |_| {})
                .unwrap()
        })
    });
    group.finish();
}

/// One slow step (10 s, as `ketamine_rat_10mgkg` takes them) of the signalling cascade of
/// 10 000 neurons under a ketamine-like input (activity doubled, resting NMDA entry halved):
/// BDNF, TrkB, mTORC1, eEF2K/eEF2, protein synthesis and the spine drives, per neuron.
fn signalling(c: &mut Criterion) {
    use synaptogen_models::signalling::{Signalling, SignallingInputs, SignallingParams};
    const NEURONS: usize = 10_000;
    let params = SignallingParams::default();
    let activity = vec![2.0_f32; NEURONS];
    let resting = vec![0.5_f32; NEURONS];
    let inputs = SignallingInputs {
        activity_fold: &activity,
        resting_nmda_fold: &resting,
        ..SignallingInputs::BASELINE
    };
    let mut state = Signalling::at_baseline(NEURONS);
    let mut group = c.benchmark_group("signalling");
    group.throughput(Throughput::Elements(NEURONS as u64));
    group.bench_function("step_10s_10k_neurons", |b| {
        b.iter(|| state.step(&params, black_box(&inputs), 10.0))
    });
    group.finish();
}

/// Rebuilding a CSR group of 1 000 000 synapses (10 000 neurons × 100) after a structural
/// step that removes 1 % of them and adds as many: the merge `rewire` does after every
/// step with turnover.
fn csr_rewire(c: &mut Criterion) {
    use synaptogen_engine::connectivity::{AddedSynapse, NewSynapse};
    const CELLS: u32 = 10_000;
    const PER_CELL: u32 = 100;
    let ends = Endpoints {
        source: 0,
        source_start: 0,
        n_sources: CELLS,
        target: 0,
        target_start: 0,
    };
    // A fixed pseudo-random layout (no RNG needed: a multiplicative hash of the index).
    let hash = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    let incoming: Vec<Vec<NewSynapse>> = (0..CELLS)
        .map(|t| {
            (0..PER_CELL)
                .map(|j| NewSynapse {
                    source_local: (hash(u64::from(t * PER_CELL + j)) % u64::from(CELLS)) as u32,
                    weight: 0.5,
                    delay_steps: 10,
                })
                .collect()
        })
        .collect();
    let original = SynapseGroup::from_incoming("bench", ends, 0, &incoming).unwrap();
    let n = original.len();
    let keep: Vec<bool> = (0..n).map(|k| k % 100 != 37).collect();
    let added: Vec<AddedSynapse> = (0..n as u64 / 100)
        .map(|a| AddedSynapse {
            source_local: (hash(a + 7) % u64::from(CELLS)) as u32,
            target: (hash(a + 11) % u64::from(CELLS)) as u32,
            weight: 0.5,
            delay_steps: 10,
            key: u64::MAX - a,
        })
        .collect();
    let mut group = c.benchmark_group("csr");
    group.sample_size(20);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("rewire_1m_synapses_1pct_turnover", |b| {
        b.iter_batched_ref(
            || original.clone(),
            |g| g.rewire(&keep, &added, |k| k as u64).unwrap(),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// One step of Poisson background onto 10 000 neurons at λ = 0.2 events per neuron-step
/// (`pfc_baseline`'s pyramidal background: 1,000 trains of 2.2 Hz at dt = 0.1 ms): a Philox block per 4
/// neurons and a Poisson count per neuron, ≈ 24 % of a long validation protocol
/// (docs/performance.md).
fn poisson_input(c: &mut Criterion) {
    use synaptogen_models::inputs::{PoissonInput, PoissonTrains};
    const NEURONS: u32 = 10_000;
    let trains = PoissonTrains {
        n_sources: 1000.0,
        rate_hz: 2.2,
        weight: 0.5,
    };
    let input = PoissonInput::new("background", 0..NEURONS, 1, 0, trains, 0.1);
    let mut buffer = vec![0.0_f32; NEURONS as usize];
    let mut step = 0_u64;
    let mut group = c.benchmark_group("poisson_input");
    group.throughput(Throughput::Elements(u64::from(NEURONS)));
    group.bench_function("step_10k_neurons_lambda_0.2", |b| {
        b.iter(|| {
            step += 1;
            input.drive(7, step, black_box(&mut buffer), false);
        })
    });
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
    targets = neuron_update, spike_delivery, spike_delivery_in_bands, poisson_input, plasticity, structural, signalling, csr_rewire
}
criterion_main!(kernels);
