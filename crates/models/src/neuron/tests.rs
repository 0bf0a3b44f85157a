//! Closed-form checks of the neuron update.

use synaptogen_engine::SpikeEvents;
use synaptogen_engine::monitors::StateProbe;

use super::*;
use crate::cell_type::{CellType, Environment};
use crate::ports::Transmitter;
use crate::receptors::Receptors;

const DT: f64 = 0.1;

fn lif() -> LifParams {
    // The Vogels–Abbott / Brette et al. 2007 COBA neuron (model_spec.py).
    LifParams {
        c_m_pf: 200.0,
        g_l_ns: 10.0,
        e_l_mv: -60.0,
        v_th_mv: -50.0,
        v_reset_mv: -60.0,
        t_ref_ms: 5.0,
    }
}

fn cell(membrane: Membrane) -> CellType {
    CellType {
        description: String::new(),
        sources: Vec::new(),
        transmitter: Transmitter::Glutamate,
        membrane,
        receptors: Receptors::default(),
        dendrites: None,
    }
}

/// One population of `n` neurons, stepped with per-step input; returns spike steps per neuron.
struct Bench {
    groups: NeuronGroups,
    n: usize,
}

impl Bench {
    fn new(cell: &CellType, n: usize, integrator: Integrator, env: Environment) -> Self {
        let kernel = Kernel::new(cell, &env, DT, integrator);
        let mut groups = NeuronGroups::default();
        groups.push(NeuronGroup::new(0, 0..n as u32, kernel));
        Self { groups, n }
    }

    fn inject(&mut self, current_pa: f64) {
        self.groups.group_mut(0).add_current(None, current_pa);
    }

    /// Steps once with the given input; returns the neurons that fired.
    fn step(&mut self, glutamate: &[f32], gaba: &[f32]) -> Vec<u32> {
        let mut glu = glutamate.to_vec();
        let mut gab = gaba.to_vec();
        let group = self.groups.group_mut(0);
        group.step(&mut glu, &mut gab, false, &[]);
        assert!(glu.iter().chain(&gab).all(|&x| x == 0.0), "input consumed");
        let mut spikes = SpikeEvents::with_capacity(self.n);
        group.collect_spikes(&mut spikes);
        spikes.neurons().to_vec()
    }

    fn run_quiet(&mut self, steps: usize) -> Vec<Vec<u64>> {
        let zeros = vec![0.0; self.n];
        let mut trains = vec![Vec::new(); self.n];
        for step in 0..steps {
            for i in self.step(&zeros, &zeros) {
                trains[i as usize].push(step as u64);
            }
        }
        trains
    }

    fn read(&self, variable: &str, neuron: u32) -> f64 {
        let v = STATE_VARIABLES.iter().position(|&n| n == variable).unwrap();
        self.groups.read(v, neuron).unwrap()
    }
}

/// Steps of free evolution from reset to threshold under DC current `i_pa`, in closed form
/// for each scheme. Exact solution: V(t) = V∞ + (V_r − V∞) e^{−t/τ}, crossing θ at
/// t* = τ ln((V∞ − V_r)/(V∞ − θ)); exponential Euler samples it exactly, so the crossing is
/// seen at step ⌈t*/dt⌉. Forward Euler gives V_k = V∞ + (V_r − V∞)(1 − dt/τ)^k, crossing at
/// ⌈ln(...)/(−ln(1 − dt/τ))⌉.
fn crossing_steps(p: &LifParams, i_pa: f64, integrator: Integrator) -> u64 {
    let tau = p.c_m_pf / p.g_l_ns;
    let v_inf = p.e_l_mv + i_pa / p.g_l_ns;
    let log_ratio = ((v_inf - p.v_reset_mv) / (v_inf - p.v_th_mv)).ln();
    let per_step = match integrator {
        Integrator::ExponentialEuler => DT / tau,
        Integrator::Euler => -(1.0 - DT / tau).ln(),
    };
    (log_ratio / per_step).ceil() as u64
}

#[test]
fn lif_fi_curve_matches_the_analytic_formula() {
    let p = lif();
    let n_ref = (p.t_ref_ms / DT).round() as u64;
    for integrator in [Integrator::ExponentialEuler, Integrator::Euler] {
        // Rheobase: g_L (θ − E_L) = 100 pA. Currents chosen away from ties at step edges.
        let currents = [105.0, 130.0, 170.0, 250.0, 400.0, 700.0];
        let mut bench = Bench::new(
            &cell(Membrane::Lif(p)),
            currents.len(),
            integrator,
            Environment::default(),
        );
        for (i, &c) in currents.iter().enumerate() {
            bench.groups.group_mut(0).add_current(Some(&[i as u32]), c);
        }
        let trains = bench.run_quiet(20_000);
        for (i, &c) in currents.iter().enumerate() {
            let isis: Vec<u64> = trains[i].windows(2).map(|w| w[1] - w[0]).collect();
            assert!(isis.len() >= 2, "{c} pA fires repeatedly");
            let expected = n_ref + crossing_steps(&p, c, integrator);
            assert!(
                isis.iter().all(|&isi| isi == expected),
                "{integrator:?} {c} pA: ISIs {isis:?}, expected {expected}"
            );
            // And the rate sits within one step of the continuous-time f–I curve:
            // f = 1 / (t_ref + τ ln((V∞ − V_r)/(V∞ − θ))).
            if integrator == Integrator::ExponentialEuler {
                let tau = p.c_m_pf / p.g_l_ns;
                let v_inf = p.e_l_mv + c / p.g_l_ns;
                let t_isi = p.t_ref_ms + tau * ((v_inf - p.v_reset_mv) / (v_inf - p.v_th_mv)).ln();
                let t_sim = expected as f64 * DT;
                assert!(
                    t_sim >= t_isi - 1e-9 && t_sim < t_isi + DT,
                    "{c} pA: {t_sim} vs {t_isi}"
                );
            }
        }
    }
    // Below rheobase a LIF never fires.
    let mut bench = Bench::new(
        &cell(Membrane::Lif(p)),
        1,
        Integrator::ExponentialEuler,
        Environment::default(),
    );
    bench.inject(99.0);
    assert!(bench.run_quiet(20_000)[0].is_empty());
}

#[test]
fn conductances_decay_exactly_exponentially() {
    let mut c = cell(Membrane::Lif(lif()));
    c.receptors.nmda.nmda_ampa_ratio = 0.0;
    let mut bench = Bench::new(&c, 1, Integrator::ExponentialEuler, Environment::default());
    let (w_ampa, w_gaba) = (3.0f32, 20.0f32);
    bench.step(&[w_ampa], &[w_gaba]);
    for k in 1..=400u32 {
        // After the arrival step and k−1 more, the stored value is w·exp(−k·dt/τ).
        let t = f64::from(k) * DT;
        let ampa = f64::from(w_ampa) * (-t / c.receptors.ampa.tau_decay_ms).exp();
        let gaba = f64::from(w_gaba) * (-t / c.receptors.gaba_a.tau_decay_ms).exp();
        // Conductances are f32: each step's multiply by the f32-rounded factor adds two
        // roundings of at most ε/2 relative error; the bound allows twice that.
        let tolerance = f64::from(k + 1) * 2.0 * f64::from(f32::EPSILON);
        assert!(
            (bench.read("g_ampa_ns", 0) / ampa - 1.0).abs() < tolerance,
            "AMPA at {t} ms"
        );
        assert!(
            (bench.read("g_gaba_a_ns", 0) / gaba - 1.0).abs() < tolerance,
            "GABA-A at {t} ms"
        );
        bench.step(&[0.0], &[0.0]);
    }
}

#[test]
fn tiny_conductances_are_flushed_to_zero_not_left_subnormal() {
    let mut bench = Bench::new(
        &cell(Membrane::Lif(lif())),
        1,
        Integrator::ExponentialEuler,
        Environment::default(),
    );
    bench.step(&[1.0], &[1.0]);
    bench.run_quiet(100_000); // 10 s: 2 000 AMPA time constants
    assert_eq!(bench.read("g_ampa_ns", 0), 0.0);
    assert_eq!(bench.read("g_gaba_a_ns", 0), 0.0);
    assert_eq!(bench.read("g_nmda_ns", 0), 0.0);
}

fn adex(a_ns: f64, b_pa: f64) -> AdexParams {
    // Brette & Gerstner 2005, J Neurophysiol 94:3637 (as in NEST's aeif_cond_exp and
    // Brian2's example); cut-off V_T + 5 Δ_T as in Brian2.
    AdexParams {
        c_m_pf: 281.0,
        g_l_ns: 30.0,
        e_l_mv: -70.6,
        v_t_mv: -50.4,
        delta_t_mv: 2.0,
        v_spike_mv: -40.4,
        v_reset_mv: -70.6,
        t_ref_ms: 0.0,
        a_ns,
        b_pa,
        tau_w_ms: 144.0,
    }
}

#[test]
fn adex_settles_at_the_root_of_its_steady_state_equation() {
    // Below rheobase, V and w come to rest where
    // 0 = g_L (E_L − V) + g_L Δ_T exp((V − V_T)/Δ_T) − a (V − E_L) + I.
    let p = adex(4.0, 80.5);
    let i_pa = 300.0;
    let f = |v: f64| {
        p.g_l_ns * (p.e_l_mv - v) + p.g_l_ns * p.delta_t_mv * ((v - p.v_t_mv) / p.delta_t_mv).exp()
            - p.a_ns * (v - p.e_l_mv)
            + i_pa
    };
    // Bisection on the lower (stable) branch, between rest and V_T.
    let (mut lo, mut hi) = (p.e_l_mv, p.v_t_mv);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 { lo = mid } else { hi = mid }
    }
    let v_star = 0.5 * (lo + hi);
    for integrator in [Integrator::ExponentialEuler, Integrator::Euler] {
        let mut bench = Bench::new(
            &cell(Membrane::Adex(p)),
            1,
            integrator,
            Environment::default(),
        );
        bench.inject(i_pa);
        assert!(bench.run_quiet(30_000)[0].is_empty(), "subthreshold");
        assert!(
            (bench.read("v_mv", 0) - v_star).abs() < 1e-3,
            "{integrator:?}"
        );
        let w_star = p.a_ns * (v_star - p.e_l_mv);
        assert!((bench.read("w_adapt_pa", 0) - w_star).abs() < 1e-2);
    }
}

#[test]
fn adex_spike_triggered_adaptation_lengthens_intervals() {
    let trains = |b_pa| {
        let mut bench = Bench::new(
            &cell(Membrane::Adex(adex(4.0, b_pa))),
            1,
            Integrator::ExponentialEuler,
            Environment::default(),
        );
        bench.inject(1000.0);
        bench.run_quiet(10_000).remove(0)
    };
    let adapting = trains(80.5);
    let isi = |t: &[u64], k: usize| t[k + 1] - t[k];
    assert!(adapting.len() > 5);
    assert!(
        isi(&adapting, adapting.len() - 2) > isi(&adapting, 0),
        "adaptation"
    );
    let tonic = trains(0.0);
    assert!(tonic.len() > adapting.len());
}

#[test]
fn magnesium_block_gates_the_nmda_current() {
    // An event on a resting cell with NMDA only (AMPA weight scaled out by a long, tiny
    // AMPA) depolarises it more without Mg²⁺ than with 1 mM.
    let mut c = cell(Membrane::Lif(lif()));
    c.receptors.nmda.nmda_ampa_ratio = 1.0;
    let peak = |mg_mm: f64| {
        let mut bench = Bench::new(
            &c,
            1,
            Integrator::ExponentialEuler,
            Environment {
                mg_mm,
                ..Environment::default()
            },
        );
        bench.step(&[2.0], &[0.0]);
        let mut best: f64 = f64::MIN;
        for _ in 0..2000 {
            bench.step(&[0.0], &[0.0]);
            best = best.max(bench.read("v_mv", 0));
        }
        best
    };
    let (blocked, free) = (peak(1.0), peak(0.0));
    assert!(
        free > blocked + 0.5,
        "Mg²⁺-free {free} mV vs 1 mM {blocked} mV"
    );
}

#[test]
fn nmda_components_are_indexed_by_glun2_class_even_when_a_class_is_absent() {
    // A GluN2B-only cell: the drug block and the calcium rule address class 1 (GluN2B),
    // so the conductance must sit in component 1, with component 0 empty.
    let mut c = cell(Membrane::Lif(lif()));
    c.receptors.nmda.nmda_ampa_ratio = 1.0;
    c.receptors.nmda.glun2a.fraction = 0.0;
    c.receptors.nmda.glun2b.fraction = 1.0;
    c.receptors.nmda.glun2cd.fraction = 0.0;
    let kernel = Kernel::new(
        &c,
        &Environment::default(),
        DT,
        Integrator::ExponentialEuler,
    );
    assert_eq!(kernel.n_nmda_components(), 2);
    let mut group = NeuronGroup::new(0, 0..1, kernel);
    group.step(&mut [2.0], &mut [0.0], false, &[]);
    group.step(&mut [0.0], &mut [0.0], false, &[]);
    let exposure = group.nmda_exposure();
    assert_eq!(exposure.open[0], &[0.0], "no GluN2A conductance");
    assert!(
        exposure.open[1][0] > 0.0,
        "GluN2B conductance in class slot 1"
    );
}
