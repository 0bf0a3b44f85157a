//! The bridged mode against the ground truth (issue 5): `run --compare-modes` on a ketamine
//! protocol, with the tolerance each readout must meet.
//!
//! Tolerances, relative to the full run (the readouts of `synaptogen compare`):
//! * population rates in the spiking windows, NMDA block peak: 10 % and 2 % — the network in
//!   a window must be the network of the full run at that time (same drug block, same held
//!   state); 10 % leaves room for the Poisson noise of a few dozen 1-s bins of sparse cells;
//! * BDNF peak and end: 5 %; p-mTOR and p-p70S6K end: 15 %. The signalling of each neuron
//!   reads its own activity fold, and a 1-s window holds a few spikes of a sparsely firing
//!   cell; the rate estimates pool the windows (`models::pharmacology::stats`), so the folds
//!   lag a full run's by a few windows after a dose. 15 % is a quarter of the span TARGETS.md
//!   allows for the mTORC1 response (S-01: 1.5–2×). Measured on this protocol: p-mTOR 2.3 %,
//!   BDNF 0.5 % (pfc_pyr), rates 0.8 %, block 0.5 %; with 1-s baseline windows p-mTOR was
//!   4.3 %, and with a fixed shrinkage towards the population instead of pooled estimates
//!   8.6 % (14 % at 20 min).
//!
//! The acceptance comparison of issue 5 — the 2-hour protocol on the default network — is
//! too long for a test (the full run simulates 7,800 s of spiking, ≈ 75 min on this
//! machine); it is the command
//! `synaptogen run ketamine_rat_10mgkg --set simulation.duration_ms=7800000 --compare-modes`,
//! checked against the same tolerances (issue 5's notes have its figures).

use crate::support::{SMALL_NETWORK, run_ok};

/// `comparison.csv` as (readout, population, statistic, relative difference).
fn comparison(dir: &std::path::Path) -> Vec<(String, String, String, f64)> {
    let mut reader = csv::Reader::from_path(dir.join("comparison.csv")).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_owned(),
                r[1].to_owned(),
                r[2].to_owned(),
                r[5].parse().unwrap(),
            )
        })
        .collect()
}

/// Checks every row of the comparison in `dir` against the tolerances above.
fn assert_within_tolerances(dir: &std::path::Path) {
    let rows = comparison(dir);
    let tolerance = |readout: &str, statistic: &str| -> Option<f64> {
        match (readout, statistic) {
            ("rate_hz", "windows") => Some(0.10),
            ("nmda_block", "peak") => Some(0.02),
            ("bdnf", "peak" | "end") => Some(0.05),
            ("p_mtor" | "p_p70s6k", "end") => Some(0.15),
            ("spines_density_per_um", "end") => Some(0.01),
            _ => None,
        }
    };
    let mut checked = 0;
    for (readout, population, statistic, difference) in &rows {
        if let Some(t) = tolerance(readout, statistic) {
            checked += 1;
            assert!(
                *difference <= t,
                "{readout} {statistic} of {population}: bridged differs from full by {:.1} % \
                 (tolerance {:.0} %)",
                100.0 * difference,
                100.0 * t
            );
        }
    }
    // Every population's rate, block, BDNF and p-mTOR were compared.
    assert!(checked >= 6 * 5, "only {checked} readouts compared");
}

#[test]
fn bridged_and_full_agree_on_a_ketamine_protocol() {
    // 5 min of baseline, ketamine 10 mg/kg i.p., 7 min after it (the block's rise and the
    // first signalling response), both modes in one command.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let mut args = vec![
        "run",
        "ketamine_rat_10mgkg",
        "--compare-modes",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--set",
        "simulation.duration_ms=720000",
        "--set",
        "interventions.0.at=5min",
    ];
    args.extend_from_slice(&SMALL_NETWORK);
    run_ok(&args);
    for mode in ["bridged", "full"] {
        assert!(out.join(mode).join("summary.json").exists(), "{mode} run");
    }
    let modes = |mode: &str| crate::support::summary(&out.join(mode))["schedule"]["mode"].clone();
    assert_eq!(modes("bridged"), "bridged");
    assert_eq!(modes("full"), "full");
    assert_within_tolerances(&out);
}
