//! Receptor pharmacology against TARGETS.md P-06, P-08, P-09, P-10, and the ketamine
//! scenarios end to end (reduced: short runs, few windows).

use std::fs;

use synaptogen_pharma::block::{ChannelBlock, OpenStatistics, advance_block, steady_block};
use synaptogen_pharma::drug::Drug;

use crate::support::run_ok;

fn shipped(name: &str) -> Drug {
    let text = fs::read_to_string(crate::support::repo().join(format!("assets/drugs/{name}.toml")))
        .unwrap();
    toml::from_str(&text).unwrap()
}

fn pore(name: &str) -> ChannelBlock {
    shipped(name).channel_block.expect("a pore blocker")
}

/// Mg²⁺-free fraction of an open channel (Jahr & Stevens 1990, TARGETS.md R-01), with the
/// class's Mg²⁺ dissociation constant scaled by `k_scale`.
fn mg_free(v_mv: f64, mg_mm: f64, k_scale: f64) -> f64 {
    1.0 / (1.0 + mg_mm / (3.57 * k_scale) * (-0.062 * v_mv).exp())
}

/// Concentration halving the current at steady agonist (bisection on the steady block).
fn ic50_um(block: &ChannelBlock, class: usize, mg_free: f64) -> f64 {
    let seen = OpenStatistics {
        open: 1.0,
        open_mg_free: mg_free,
    };
    let (mut lo, mut hi): (f64, f64) = (1e-6, 1e4);
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if steady_block(block, class, mid, seen) < 0.5 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo * hi).sqrt()
}

// checks P-06
#[test]
fn ketamine_ic50_without_mg_is_in_the_binding_range() {
    let k = pore("ketamine");
    for class in [0, 1] {
        let ic50 = ic50_um(&k, class, 1.0);
        assert!((0.2..=1.0).contains(&ic50), "class {class}: IC50 {ic50} µM");
    }
}

// checks P-08
#[test]
fn in_mg_glun2cd_receptors_are_blocked_more_than_glun2a_2b() {
    let k = pore("ketamine");
    // Kotermanski & Johnson 2009 held cells at −66 mV in 1 mM Mg²⁺; GluN2C/D's Mg²⁺ block is
    // ≈ 5-fold weaker (Kuner & Schoepfer 1996; the `mg_k_scale` a cell type can set).
    let (v, mg) = (-66.0, 1.0);
    let ab = [0, 1].map(|c| ic50_um(&k, c, mg_free(v, mg, 1.0)));
    let cd = ic50_um(&k, 2, mg_free(v, mg, 5.0));
    assert!(cd < ab[0] && cd < ab[1], "2C/D {cd} vs 2A/2B {ab:?}");
    // Soft values ≈ 1–3 µM vs ≈ 5 µM.
    assert!((1.0..=3.0).contains(&cd), "2C/D IC50 {cd} µM");
    for x in ab {
        assert!((3.5..=7.5).contains(&x), "2A/2B IC50 {x} µM");
    }
}

// checks P-09 (open probability; the model has no single-channel gating, so the open-time
// and opening-frequency parts are not modelled)
#[test]
fn steady_agonist_open_probability_falls_with_ketamine() {
    let k = pore("ketamine");
    // Hippocampal receptors: GluN2A and 2B, no Mg²⁺ in the patch pipette.
    let relative_open = |conc: f64| {
        let seen = OpenStatistics {
            open: 1.0,
            open_mg_free: 1.0,
        };
        1.0 - 0.5 * (steady_block(&k, 0, conc, seen) + steady_block(&k, 1, conc, seen))
    };
    let (low, high) = (relative_open(0.1), relative_open(1.0));
    assert!(low < 1.0 && high < low, "{low} {high}");
    // 24 % of control at 1 µM, ± 15 points. (At 0.1 µM the model gives ≈ 76 % against 53 %:
    // with P-06's dissociation constants and no voltage dependence of ketamine's own
    // binding, the two targets cannot both hold — reported in the issue note.)
    assert!((0.09..=0.39).contains(&high), "at 1 µM: {high}");
}

// checks P-10
#[test]
fn block_is_trapped_until_channels_reopen() {
    for name in ["ketamine", "mk801"] {
        let drug = pore(name);
        let open = OpenStatistics {
            open: 0.5,
            open_mg_free: 0.5,
        };
        let blocked = steady_block(&drug, 0, 1.0, open);
        assert!(blocked > 0.3, "{name}: {blocked}");
        // Agonist and drug removed: channels closed, the drug stays.
        let closed = OpenStatistics {
            open: 0.0,
            open_mg_free: 0.0,
        };
        let after_wash = advance_block(&drug, 0, blocked, 1.0, 0.0, closed, 60.0);
        assert!(
            after_wash > 0.8 * blocked,
            "{name}: {after_wash} of {blocked}"
        );
        // Channels reopen without drug: the block is relieved.
        let relieved = advance_block(&drug, 0, after_wash, 1.0, 0.0, open, 60.0);
        assert!(relieved < 0.1 * after_wash, "{name}: {relieved}");
    }
}

#[test]
fn shipped_drugs_parse_and_pass_their_checks() {
    for (name, _) in synaptogen_scenario::library::DRUGS {
        let drug = shipped(name);
        assert!(
            drug.violations().is_empty(),
            "{name}: {:?}",
            drug.violations()
        );
    }
}

/// A ketamine dose on the default network, reduced: 10 min of baseline, 10 min after the dose,
/// 1 s of spiking per minute.
#[test]
fn ketamine_scenario_writes_its_readouts_and_is_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(format!("k{threads}"));
        run_ok(&[
            "run",
            "ketamine_rat_10mgkg",
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
            "--quiet",
            "--set",
            "simulation.duration_ms=1200000.0",
            "--set",
            "simulation.windows.spiking=\"1s\"",
            "--set",
            "simulation.windows.every=\"1min\"",
        ]);
        out
    };
    let (a, b) = (run("1"), run("2"));
    for file in [
        "drugs.csv",
        "block.csv",
        "glutamate.csv",
        "signalling.csv",
        "spikes.csv",
    ] {
        assert_eq!(
            fs::read(a.join(file)).unwrap(),
            fs::read(b.join(file)).unwrap(),
            "{file} differs between 1 and 2 threads"
        );
    }
    // After the dose, NMDA receptors of every PFC population carry ketamine.
    let block = fs::read_to_string(a.join("block.csv")).unwrap();
    let last_pv = block.lines().rfind(|l| l.contains(",pfc_pv,")).unwrap();
    let nmda_block: f64 = last_pv.split(',').nth(2).unwrap().parse().unwrap();
    assert!(nmda_block > 0.05, "{last_pv}");
}

#[test]
fn every_pharmacology_scenario_validates() {
    for name in [
        "ketamine_rat_10mgkg",
        "ketamine_human_infusion",
        "cus_21d",
        "cus_then_ketamine",
        "rapamycin_then_ketamine",
        "mk801_rat",
        "ro25_rat",
    ] {
        run_ok(&["validate", name]);
    }
}
