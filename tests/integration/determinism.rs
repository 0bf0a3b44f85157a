//! Same scenario + same seed ⇒ byte-identical outputs, whatever the thread count.

use std::fs;

use crate::support::{run_ok, summary};

/// Runs `scenario` with `threads` into a fresh folder; returns the folder.
fn run(
    scenario: &str,
    threads: &str,
    extra: &[&str],
    dir: &tempfile::TempDir,
) -> std::path::PathBuf {
    let out = dir.path().join(format!("t{threads}"));
    let out_s = out.to_str().unwrap();
    let mut args = vec![
        "run",
        scenario,
        "--out",
        out_s,
        "--threads",
        threads,
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run_ok(&args);
    out
}

fn assert_identical(a: &std::path::Path, b: &std::path::Path) {
    for file in [
        "spikes.csv",
        "rates.csv",
        "populations.csv",
        "scenario.toml",
    ] {
        let (x, y) = (
            fs::read(a.join(file)).unwrap(),
            fs::read(b.join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between thread counts");
    }
    if a.join("state.csv").exists() {
        assert_eq!(
            fs::read(a.join("state.csv")).unwrap(),
            fs::read(b.join("state.csv")).unwrap(),
            "state.csv"
        );
    }
    // summary.json: everything but the `execution` block (wall times, threads, memory).
    let (mut x, mut y) = (summary(a), summary(b));
    x.as_object_mut().unwrap().remove("execution");
    y.as_object_mut().unwrap().remove("execution");
    assert_eq!(x, y, "summary.json differs outside `execution`");
}

#[test]
fn default_scenario_is_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let extra = ["--set", "simulation.duration_ms=300", "--seed", "7"];
    let one = run("pfc_baseline", "1", &extra, &dir);
    let two = run("pfc_baseline", "2", &extra, &dir);
    assert_identical(&one, &two);
    assert!(
        fs::read_to_string(one.join("spikes.csv"))
            .unwrap()
            .lines()
            .count()
            > 100,
        "the run has spikes"
    );
}

/// A network large enough that neuron updates and Poisson input really run in parallel
/// chunks (≥ 16 384 neurons per population) — and plastic, so weights feed back.
#[test]
fn large_parallel_network_is_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let extra = [
        "--set",
        "simulation.duration_ms=50",
        "--set",
        "populations.e.size=20000",
        "--set",
        "populations.i.size=5000",
        "--set",
        "projections.e_to_e.connectivity.p=0.0032",
        "--set",
        "projections.e_to_i.connectivity.p=0.0032",
        "--set",
        "projections.i_to_e.connectivity.p=0.0032",
        "--set",
        "projections.i_to_i.connectivity.p=0.0032",
        "--set",
        "projections.e_to_e.plasticity={ rule = \"stdp_pair\", tau_plus_ms = 20.0, tau_minus_ms = 20.0, a_plus_ns = 0.12, a_minus_ns = 0.126, w_max_ns = 12.0 }",
        "--set",
        "inputs.drive={ kind = \"poisson\", target = \"e\", n_sources = 10, rate_hz = 5.0, weight_ns = 2.0 }",
    ];
    let one = run("coba", "1", &extra, &dir);
    let two = run("coba", "2", &extra, &dir);
    assert_identical(&one, &two);
}

#[test]
fn a_different_seed_gives_a_different_run() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(
        "coba",
        "1",
        &["--set", "simulation.duration_ms=100", "--seed", "1"],
        &dir,
    );
    let b = dir.path().join("other");
    run_ok(&[
        "run",
        "coba",
        "--out",
        b.to_str().unwrap(),
        "--quiet",
        "--set",
        "simulation.duration_ms=100",
        "--seed",
        "2",
    ]);
    assert_ne!(
        fs::read(a.join("spikes.csv")).unwrap(),
        fs::read(b.join("spikes.csv")).unwrap()
    );
}

#[test]
fn the_resolved_scenario_reproduces_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(
        "pfc_baseline",
        "2",
        &["--set", "simulation.duration_ms=200"],
        &dir,
    );
    let again = dir.path().join("again");
    run_ok(&[
        "run",
        first.join("scenario.toml").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--quiet",
    ]);
    for file in ["spikes.csv", "rates.csv", "state.csv", "scenario.toml"] {
        assert_eq!(
            fs::read(first.join(file)).unwrap(),
            fs::read(again.join(file)).unwrap(),
            "{file}"
        );
    }
}

/// FNV-1a 64 of a file's bytes.
fn digest(path: &std::path::Path) -> u64 {
    fs::read(path)
        .unwrap()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// Golden digest of the COBA benchmark's spikes (seed 1, 200 ms, as Auryn checksums its
/// COBA run): any change to the numerics, random streams or spike order changes it.
/// Not a validation target — a tripwire. When a change is meant to alter results, re-mint:
/// `synaptogen run coba --seed 1 --set simulation.duration_ms=200 --out /tmp/golden`, put
/// the digest this test prints here, and say why in the commit message. (The value assumes
/// x86-64 Linux with glibc: decay factors use the platform's `exp`.)
#[test]
fn coba_spikes_match_the_golden_digest() {
    const GOLDEN: u64 = 0x67bd_dc5a_c113_5666;
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        "coba",
        "2",
        &["--seed", "1", "--set", "simulation.duration_ms=200"],
        &dir,
    );
    let actual = digest(&out.join("spikes.csv"));
    assert_eq!(
        actual, GOLDEN,
        "spikes.csv digest is {actual:#018x}; see this test's doc to re-mint"
    );
}

/// Plasticity and structural change on: the calcium rule with noise, tagging and capture,
/// spines born and eliminated every 100 ms (turnover rates raised ~10⁵-fold), a
/// census every second — identical outputs on one and two threads. The plasticity and
/// spine systems themselves are sequential; what differs with threads is the pool they
/// run in and the connectivity build (parallel per target). The parallel neuron kernel
/// with plasticity is checked by `large_parallel_network_is_identical_on_one_and_two_threads`
/// (STDP on 25,000 neurons).
#[test]
fn plasticity_and_structural_change_are_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let extra = [
        "--set",
        "simulation.duration_ms=12000",
        "--set",
        "simulation.structural_dt_ms=100",
        "--set",
        "spines.formation_per_um_per_day=500",
        "--set",
        "spines.elimination_stable_per_day=300",
        "--set",
        "spines.elimination_nascent_per_day=20000",
        "--set",
        "spines.maturation_per_day=30000",
        "--set",
        "spines.fluctuation_days=0.01",
        "--set",
        "spines.census_every_ms=1000",
        "--set",
        "recording.synapses_at_end=[\"schaffer\"]",
        "--set",
        "recording.spikes=[\"ca1\", \"ca3\"]",
    ];
    let one = run(
        "assets/scenarios/validation/ca3_ca1_plasticity.toml",
        "1",
        &extra,
        &dir,
    );
    let two = run(
        "assets/scenarios/validation/ca3_ca1_plasticity.toml",
        "2",
        &extra,
        &dir,
    );
    assert_identical(&one, &two);
    for file in [
        "spines.csv",
        "census.csv",
        "spine_sizes.csv",
        "spine_cohorts.csv",
        "weights.csv",
        "weight_samples.csv",
        "synapses.csv",
    ] {
        assert_eq!(
            fs::read(one.join(file)).unwrap(),
            fs::read(two.join(file)).unwrap(),
            "{file}"
        );
    }
    let events = fs::read_to_string(one.join("spines.csv")).unwrap();
    for event in ["born", "eliminated", "matured", "consolidated"] {
        assert!(
            events.contains(&format!(",{event},")),
            "the run exercises `{event}`"
        );
    }
}

/// What is recorded does not change what is simulated: the calcium rule (with noise)
/// updates lazily, and recording weights more or less often, or asking for the synapse
/// table, must leave every efficacy and the summary as they are.
#[test]
fn recording_does_not_change_the_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<std::path::PathBuf> = [
        [
            "recording.weights_every_ms=1000",
            "recording.synapses_at_end=[\"schaffer\"]",
        ],
        [
            "recording.weights_every_ms=10000",
            "recording.synapses_at_end=[\"schaffer\"]",
        ],
        [
            "recording.weights_every_ms=20000",
            "recording.synapses_at_end=[]",
        ],
    ]
    .iter()
    .enumerate()
    .map(|(i, sets)| {
        let out = dir.path().join(format!("r{i}"));
        run_ok(&[
            "run",
            "assets/scenarios/validation/ca3_ca1_plasticity.toml",
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--set",
            sets[0],
            "--set",
            sets[1],
        ]);
        out
    })
    .collect();
    assert_eq!(
        fs::read(runs[0].join("synapses.csv")).unwrap(),
        fs::read(runs[1].join("synapses.csv")).unwrap(),
        "synapses.csv depends on how often weights are recorded"
    );
    let plasticity = |r: &std::path::Path| summary(r)["plasticity"].clone();
    assert!(plasticity(&runs[0])[0]["mean_efficacy"].is_f64());
    assert_eq!(plasticity(&runs[0]), plasticity(&runs[1]));
    assert_eq!(plasticity(&runs[0]), plasticity(&runs[2]));
}
