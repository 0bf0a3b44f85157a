//! Validation against published and peer-simulator results (cited per test).

use crate::support::{population, rate, run_ok, summary};

/// Runs the COBA benchmark for 1 s with `seed`; returns its summary and rates.csv text.
fn coba(seed: u64, dir: &tempfile::TempDir) -> (serde_json::Value, String) {
    let out = dir.path().join(format!("coba{seed}"));
    run_ok(&[
        "run",
        "coba",
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--seed",
        &seed.to_string(),
    ]);
    (
        summary(&out),
        std::fs::read_to_string(out.join("rates.csv")).unwrap(),
    )
}

// checks N-01
/// The Vogels–Abbott COBA network sustains asynchronous irregular activity on its own, at a
/// rate and ISI CV within what NEST 3.10 and Brian2 2.9 produce on the same network.
///
/// Peer figures: 1 s runs of ../shared/anchors/model_spec.py, seeds 1–10, measured on this
/// project's 2-core machine with benches/peers/coba_rate_cv.py (2026-11-30, NEST 3.10
/// `iaf_cond_exp`, Brian2 2.9 forward Euler): mean rate 17.02–21.17 Hz (NEST) and
/// 18.12–21.29 Hz (Brian2), ISI CV 1.43–1.57 and 1.47–1.57, over the seeds whose activity
/// survived (NEST seed 9 and Brian2 seed 8 fell silent, as COBA does now and then:
/// RESULTS.md obs. 6). The bounds below are the union, rounded outwards.
/// ../shared/anchors/RESULTS.md (obs. 7) reports 17.4–20.6 Hz across simulators as well.
#[test]
fn coba_is_self_sustained_at_the_peers_rate_and_irregularity() {
    const PEER_RATE_HZ: (f64, f64) = (PEER_RATE_MIN_HZ, PEER_RATE_MAX_HZ);
    const PEER_CV: (f64, f64) = (PEER_CV_MIN, PEER_CV_MAX);
    let dir = tempfile::tempdir().unwrap();
    for seed in 1..=3 {
        let (s, rates_csv) = coba(seed, &dir);
        let r = s["activity"]["mean_rate_hz"].as_f64().unwrap();
        // CV over all neurons with ≥ 3 spikes, as the peer script computes it.
        let (mut weighted, mut count) = (0.0, 0.0);
        for name in ["e", "i"] {
            let p = population(&s, name);
            let n = p["neurons_with_cv"].as_f64().unwrap();
            weighted += p["cv_isi"].as_f64().unwrap() * n;
            count += n;
        }
        let cv = weighted / count;
        assert!(
            (PEER_RATE_HZ.0..=PEER_RATE_HZ.1).contains(&r),
            "seed {seed}: rate {r} Hz outside peers' {PEER_RATE_HZ:?}"
        );
        assert!(
            (PEER_CV.0..=PEER_CV.1).contains(&cv),
            "seed {seed}: CV {cv} outside peers' {PEER_CV:?}"
        );
        // Self-sustained: still firing in the last 100 ms, with no external input.
        let bins: Vec<f64> = rates_csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        let last = &bins[bins.len() - 10..];
        assert!(
            last.iter().all(|&x| x > 5.0),
            "seed {seed}: activity fades: {last:?}"
        );
        // Most neurons take part, as in the peers: 75.2–80 % of neurons fired ≥ 3 times in
        // every surviving peer run (benches/peers/results/, `neurons_with_cv`).
        assert!(
            count / 4000.0 >= 0.75,
            "seed {seed}: only {count} neurons fired ≥ 3 times"
        );
    }
}

/// Peer range of the COBA mean rate (Hz) — see the test above for the source.
const PEER_RATE_MIN_HZ: f64 = 17.0;
const PEER_RATE_MAX_HZ: f64 = 21.3;
/// Peer range of the COBA ISI CV.
const PEER_CV_MIN: f64 = 1.43;
const PEER_CV_MAX: f64 = 1.57;

/// The default scenario fires in the in vivo ranges its header cites: mPFC pyramidal
/// ~1–5 Hz and fast-spiking ~10–30 Hz (Homayoun & Moghaddam 2007), SST below ~10 Hz
/// (Kvitsiani et al. 2013), CA1/CA3 pyramidal ~0.5–2 Hz and interneurons ~10–30 Hz
/// (Mizuseki & Buzsáki 2013). Soft targets: the bounds are those ranges, widened by a
/// factor of about 1.5 on each side for seed and duration.
#[test]
fn pfc_baseline_rates_are_physiological() {
    let ranges = [
        ("pfc_pyr", 0.7, 7.5),
        ("pfc_pv", 7.0, 45.0),
        ("pfc_sst", 1.0, 15.0),
        ("vhpc_ca1", 0.3, 3.0),
        ("vhpc_ca3", 0.3, 3.0),
        ("vhpc_pv", 7.0, 45.0),
    ];
    let dir = tempfile::tempdir().unwrap();
    for seed in ["1", "2"] {
        let out = dir.path().join(seed);
        run_ok(&["run", "--out", out.to_str().unwrap(), "-q", "--seed", seed]);
        let s = summary(&out);
        for (name, lo, hi) in ranges {
            let r = rate(&s, name);
            assert!(
                (lo..=hi).contains(&r),
                "seed {seed}: {name} at {r:.2} Hz, expected {lo}–{hi} Hz"
            );
        }
        // Interneurons out-fire pyramidal cells (Homayoun & Moghaddam 2007).
        assert!(rate(&s, "pfc_pv") > 3.0 * rate(&s, "pfc_pyr"));
        // Irregular cortical firing (CV of order 1; Softky & Koch 1993).
        let cv = population(&s, "pfc_pyr")["cv_isi"].as_f64().unwrap();
        assert!(cv > 0.4, "pfc_pyr CV {cv}");
    }
}
