"""Firing rate and ISI-CV of the COBA benchmark network in NEST and Brian2.

Builds the Vogels & Abbott (2005) / Brette et al. (2007) COBA network exactly as
../shared/anchors/model_spec.py specifies (4000 LIF neurons, 3200 E / 800 I,
pairwise Bernoulli p = 0.02 with autapses allowed and no multapses, conductance
jumps 6 nS (E) / 67 nS (I), tau_ex 5 ms, tau_in 10 ms, E_ex 0 mV, E_in -80 mV,
C_m 200 pF, g_L 10 nS, E_L -60 mV, V_th -50 mV, V_reset -60 mV, t_ref 5 ms,
delay 0.1 ms, dt 0.1 ms, no external input; initial V ~ N(-65, 5) mV,
g_ex ~ N(40, 15) nS, g_in ~ N(200, 120) nS, conductances clipped at 0), runs it
for T seconds per seed and prints ONE JSON line per (simulator, seed).

  NEST   : iaf_cond_exp, local_num_threads = 1, spike_recorder.
  Brian2 : runtime device, codegen target 'cython' (or 'numpy' via --target),
           forward Euler, v frozen while refractory ("unless refractory"),
           SpikeMonitor.

Initial states are drawn with numpy.random.default_rng(seed) in both simulators;
connectivity uses each simulator's own RNG, seeded with the same seed.

Definitions (identical to our simulator's summary):
  rate_hz = spikes / (N * T); rate_E_hz / rate_I_hz likewise per population.
  cv_isi  = mean over neurons with >= 3 spikes in the whole run (count given as
            neurons_with_cv) of std(ISI, ddof=0) / mean(ISI); ISIs from all spikes
            of the run, no transient removed. null if no neuron qualifies.
  wall_sim_s = wall time of the simulation loop only (no build / codegen).

Run (from /work/main):
  ~/venvs/nest/bin/python   benches/peers/coba_rate_cv.py --sim nest   [--seeds 1 2 3] [--T 1.0]
  ~/venvs/brian/bin/python  benches/peers/coba_rate_cv.py --sim brian2 [--seeds 1 2 3] [--T 1.0]
"""

import argparse
import json
import os
import time

import numpy as np

# ---- model constants (mV, ms, nS, pF), see model_spec.py --------------------
N, NE = 4000, 3200
NI = N - NE
P_CONN = 0.02
C_M, G_L, E_L, V_TH, V_RESET, T_REF = 200.0, 10.0, -60.0, -50.0, -60.0, 5.0
E_EX, E_IN, TAU_EX, TAU_IN = 0.0, -80.0, 5.0, 10.0
W_EX, W_IN, DELAY, DT = 6.0, 67.0, 0.1, 0.1
V0, GE0, GI0 = (-65.0, 5.0), (40.0, 15.0), (200.0, 120.0)  # (mean, sd)


def initial_state(seed):
    rng = np.random.default_rng(seed)
    v = V0[0] + V0[1] * rng.standard_normal(N)
    ge = np.clip(GE0[0] + GE0[1] * rng.standard_normal(N), 0.0, None)
    gi = np.clip(GI0[0] + GI0[1] * rng.standard_normal(N), 0.0, None)
    return v, ge, gi


def summarize(idx, times, T_s):
    """idx: 0-based neuron index per spike, times: spike times (any unit)."""
    idx, times = np.asarray(idx, dtype=np.int64), np.asarray(times, dtype=float)
    counts = np.bincount(idx, minlength=N)
    order = np.lexsort((times, idx))  # by neuron, then by time
    idx, times = idx[order], times[order]
    bounds = np.concatenate(([0], np.cumsum(counts)))
    cvs = []
    for n in np.flatnonzero(counts >= 3):
        isi = np.diff(times[bounds[n] : bounds[n + 1]])
        cvs.append(isi.std() / isi.mean())
    return {
        "spikes": int(counts.sum()),
        "rate_hz": counts.sum() / (N * T_s),
        "rate_E_hz": counts[:NE].sum() / (NE * T_s),
        "rate_I_hz": counts[NE:].sum() / (NI * T_s),
        "cv_isi": float(np.mean(cvs)) if cvs else None,
        "neurons_with_cv": len(cvs),
    }


def run_nest(seed, T_s):
    os.environ.setdefault("PYNEST_QUIET", "1")  # keep stdout to JSON lines only
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=seed)
    params = dict(C_m=C_M, g_L=G_L, E_L=E_L, V_th=V_TH, V_reset=V_RESET, t_ref=T_REF,
                  E_ex=E_EX, E_in=E_IN, tau_syn_ex=TAU_EX, tau_syn_in=TAU_IN, I_e=0.0)
    nodes = nest.Create("iaf_cond_exp", N, params=params)
    v, ge, gi = initial_state(seed)
    nodes.set(V_m=v.tolist(), g_ex=ge.tolist(), g_in=gi.tolist())
    conn = {"rule": "pairwise_bernoulli", "p": P_CONN, "allow_autapses": True, "allow_multapses": False}
    nest.Connect(nodes[:NE], nodes, conn, {"synapse_model": "static_synapse", "weight": W_EX, "delay": DELAY})
    # negative weight -> inhibitory conductance g_in in iaf_cond_exp
    nest.Connect(nodes[NE:], nodes, conn, {"synapse_model": "static_synapse", "weight": -W_IN, "delay": DELAY})
    sr = nest.Create("spike_recorder")
    nest.Connect(nodes, sr)

    nest.Prepare()
    t0 = time.perf_counter()
    nest.Run(T_s * 1000.0)
    wall = time.perf_counter() - t0
    nest.Cleanup()

    ev = sr.get("events")
    res = summarize(np.asarray(ev["senders"]) - nodes[0].global_id, ev["times"], T_s)
    return nest.__version__, "iaf_cond_exp (GSL RKF45 adaptive)", wall, res


def run_brian2(seed, T_s, target):
    import brian2 as b2
    from brian2 import ms, mV, nS, pF, second

    b2.start_scope()
    b2.prefs.codegen.target = target
    b2.seed(seed)
    b2.defaultclock.dt = DT * ms
    ns = dict(Cm=C_M * pF, gL=G_L * nS, El=E_L * mV, Vt=V_TH * mV, Vr=V_RESET * mV,
              Ee=E_EX * mV, Ei=E_IN * mV, taue=TAU_EX * ms, taui=TAU_IN * ms,
              we=W_EX * nS, wi=W_IN * nS)
    eqs = """
    dv/dt  = (gL*(El - v) + ge*(Ee - v) + gi*(Ei - v)) / Cm : volt (unless refractory)
    dge/dt = -ge/taue : siemens
    dgi/dt = -gi/taui : siemens
    """
    P = b2.NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr", refractory=T_REF * ms,
                       method="euler", namespace=ns)
    # Synapses.connect(p=...) draws each (i, j) pair once: autapses allowed, no multapses
    Ce = b2.Synapses(P[:NE], P, on_pre="ge_post += we", delay=DELAY * ms, namespace=ns)
    Ce.connect(p=P_CONN)
    Ci = b2.Synapses(P[NE:], P, on_pre="gi_post += wi", delay=DELAY * ms, namespace=ns)
    Ci.connect(p=P_CONN)
    v0, ge0, gi0 = initial_state(seed)
    P.v, P.ge, P.gi = v0 * mV, ge0 * nS, gi0 * nS
    mon = b2.SpikeMonitor(P)
    net = b2.Network(P, Ce, Ci, mon)

    marks = []  # report() fires at the start and the end of the time loop

    def report(elapsed, completed, start, duration):
        marks.append(time.perf_counter())

    net.run(T_s * second, report=report, report_period=1e6 * second, namespace={})
    wall = marks[-1] - marks[0]
    res = summarize(mon.i[:], mon.t[:] / ms, T_s)
    return b2.__version__, f"euler, runtime/{target}", wall, res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", required=True, choices=["nest", "brian2"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--T", type=float, default=1.0, help="biological time [s]")
    ap.add_argument("--target", default="cython", choices=["cython", "numpy"], help="Brian2 codegen target")
    args = ap.parse_args()

    for seed in args.seeds:
        if args.sim == "nest":
            version, method, wall, res = run_nest(seed, args.T)
        else:
            version, method, wall, res = run_brian2(seed, args.T, args.target)
        out = {"simulator": args.sim, "version": version, "method": method, "seed": seed,
               "T_s": args.T, "n_neurons": N, **res, "wall_sim_s": wall}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
