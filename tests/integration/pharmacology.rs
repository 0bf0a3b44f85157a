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
    // summary.json carries the peaks and end states a sweep compares.
    let summary = crate::support::summary(&a);
    let drugs = summary["pharmacology"]["drugs"].as_array().unwrap();
    let ketamine = drugs.iter().find(|d| d["drug"] == "ketamine").unwrap();
    assert!(ketamine["peak_brain_free_um"].as_f64().unwrap() > 0.0);
    let pyramidal = summary["pharmacology"]["populations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["population"] == "pfc_pyr")
        .unwrap();
    assert!(pyramidal["peak_nmda_block"].as_f64().unwrap() > 0.0);
    assert!(pyramidal["signalling_at_end"]["p_mtor"].as_f64().is_some());
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

/// A run-folder table: its header, and rows as (time in ms, label, the numeric columns after
/// the label).
type Table = (Vec<String>, Vec<(f64, String, Vec<f64>)>);

/// Reads `file` of run folder `dir`.
fn table(dir: &std::path::Path, file: &str) -> Table {
    let text = fs::read_to_string(dir.join(file)).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| {
            let mut cells = l.split(',');
            let t: f64 = cells.next().unwrap().parse().unwrap();
            let label = cells.next().unwrap().to_owned();
            let values = cells.map(|c| c.parse().unwrap_or(f64::NAN)).collect();
            (t, label, values)
        })
        .collect();
    (header, rows)
}

/// Values of `column` for rows labelled `label`, as (time in min, value).
fn series((header, rows): &Table, label: &str, column: &str) -> Vec<(f64, f64)> {
    let k = header.iter().position(|h| h == column).unwrap() - 2;
    rows.iter()
        .filter(|(_, l, _)| l == label)
        .map(|(t, _, v)| (t / 60_000.0, v[k]))
        .collect()
}

fn mean_between(s: &[(f64, f64)], from_min: f64, to_min: f64) -> f64 {
    let v: Vec<f64> = s
        .iter()
        .filter(|(t, _)| (from_min..=to_min).contains(t))
        .map(|(_, x)| *x)
        .collect();
    v.iter().sum::<f64>() / v.len() as f64
}

/// First time after `dose_min` from which the rate stays beyond 4 baseline SDs in the
/// direction `sign` for four consecutive windows.
fn onset_min(s: &[(f64, f64)], dose_min: f64, sign: f64) -> f64 {
    let base: Vec<f64> = s
        .iter()
        .filter(|(t, _)| (1.0..dose_min).contains(t))
        .map(|(_, x)| *x)
        .collect();
    let mean = base.iter().sum::<f64>() / base.len() as f64;
    let sd = (base.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / base.len() as f64).sqrt();
    let after: Vec<&(f64, f64)> = s.iter().filter(|(t, _)| *t > dose_min).collect();
    for k in 0..after.len().saturating_sub(4) {
        if after[k..k + 4]
            .iter()
            .all(|(_, x)| sign * (x - mean) > 4.0 * sd.max(1e-9))
        {
            return after[k].0;
        }
    }
    f64::INFINITY
}

/// Spikes per neuron of `range` in windows between `from_ms` and `to_ms`, per second of
/// spiking (`spiking_s` per window of `every_ms`).
fn per_neuron_rates(
    dir: &std::path::Path,
    range: std::ops::Range<u32>,
    from_ms: f64,
    to_ms: f64,
) -> Vec<f64> {
    let text = fs::read_to_string(dir.join("spikes.csv")).unwrap();
    let mut counts = vec![0u32; range.len()];
    for line in text.lines().skip(1) {
        let (t, n) = line.split_once(',').unwrap();
        let (t, n): (f64, u32) = (t.parse().unwrap(), n.parse().unwrap());
        if (from_ms..to_ms).contains(&t) && range.contains(&n) {
            counts[(n - range.start) as usize] += 1;
        }
    }
    // 1 s of spiking every 10 s.
    let seconds = (to_ms - from_ms) / 10_000.0;
    counts.iter().map(|&c| f64::from(c) / seconds).collect()
}

/// Rows of `synapse_calcium.csv` for one projection and compartment: (time in min, NMDA
/// calcium, back-propagation calcium).
fn spine_calcium(
    dir: &std::path::Path,
    projection: &str,
    compartment: &str,
) -> Vec<(f64, f64, f64)> {
    let text = fs::read_to_string(dir.join("synapse_calcium.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (t, p, c, n, b) = (
        column("time_ms"),
        column("projection"),
        column("compartment"),
        column("nmda_ca"),
        column("bap_ca"),
    );
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|cells| cells[p] == projection && cells[c] == compartment)
        .map(|cells| {
            let value = |k: usize| cells[k].parse::<f64>().unwrap();
            (value(t) / 60_000.0, value(n), value(b))
        })
        .collect()
}

fn population_range(dir: &std::path::Path, name: &str) -> std::ops::Range<u32> {
    let text = fs::read_to_string(dir.join("populations.csv")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name},")))
        .unwrap();
    let cells: Vec<&str> = line.split(',').collect();
    let (first, size): (u32, u32) = (cells[3].parse().unwrap(), cells[4].parse().unwrap());
    first..first + size
}

/// Ketamine's acute effects on the default network: disinhibition, glutamate, signalling.
/// One reduced run (10 min baseline, 30 min after 10 mg/kg i.p., 1 s spiking every 10 s).
#[test]
fn ketamine_disinhibits_pyramidal_cells_and_activates_mtorc1_signalling() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k");
    run_ok(&[
        "run",
        "assets/scenarios/validation/ketamine_disinhibition.toml",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let dose = 10.0;
    let block = table(&out, "block.csv");
    let pv = series(&block, "pfc_pv", "rate_hz");
    let pyr = series(&block, "pfc_pyr", "rate_hz");
    let sst = series(&block, "pfc_sst", "rate_hz");

    // checks C-01: interneurons fall, then pyramidal cells rise (lag > 0).
    let pv_onset = onset_min(&pv, dose, -1.0);
    let pyr_onset = onset_min(&pyr, dose, 1.0);
    assert!(
        pv_onset.is_finite() && pyr_onset.is_finite(),
        "{pv_onset} {pyr_onset}"
    );
    assert!(
        pyr_onset > pv_onset,
        "pyramidal rise at {pyr_onset} min, PV fall at {pv_onset} min"
    );
    // Majorities, per neuron: baseline (1–10 min) against 20–30 min after the dose.
    for (name, sign) in [("pfc_pv", -1.0), ("pfc_pyr", 1.0)] {
        let range = population_range(&out, name);
        let before = per_neuron_rates(&out, range.clone(), 60_000.0, 600_000.0);
        let after = per_neuron_rates(&out, range, 1_800_000.0, 2_400_000.0);
        let changed = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| sign * (*a - *b) > 0.0)
            .count();
        assert!(
            changed * 2 > before.len(),
            "{name}: {changed} of {} changed in the expected direction",
            before.len()
        );
    }
    // checks C-07 (first part): SST interneurons are suppressed too.
    assert!(mean_between(&sst, 20.0, 30.0) < mean_between(&sst, 1.0, dose));

    // checks C-07 (second part): Ca²⁺ in the apical tuft spines of pyramidal cells rises
    // (Ali et al. 2020, imaged 30 min after the dose), although the drug takes part of every
    // NMDA event: their NMDA calcium per presynaptic spike falls.
    let tuft = spine_calcium(&out, "pyr_to_pyr", "apical_tuft");
    let tuft_mean = |from: f64, to: f64, part: fn(&(f64, f64, f64)) -> f64| {
        let v: Vec<f64> = tuft
            .iter()
            .filter(|r| (from..=to).contains(&r.0))
            .map(part)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let (before, after) = ((1.0, dose), (dose + 20.0, dose + 30.0));
    let total = |r: &(f64, f64, f64)| r.1 + r.2;
    let nmda = |r: &(f64, f64, f64)| r.1;
    assert!(
        tuft_mean(after.0, after.1, total) > tuft_mean(before.0, before.1, total),
        "apical tuft spine Ca²⁺ {} → {}",
        tuft_mean(before.0, before.1, total),
        tuft_mean(after.0, after.1, total)
    );
    let per_spike =
        |(from, to): (f64, f64)| tuft_mean(from, to, nmda) / mean_between(&pyr, from, to);
    assert!(
        per_spike(after) < per_spike(before),
        "NMDA Ca²⁺ per presynaptic spike {} → {}",
        per_spike(before),
        per_spike(after)
    );

    // checks C-05 (first part): glutamate is elevated during the surge.
    let glutamate = series(&table(&out, "glutamate.csv"), "pfc", "glutamate_pct");
    assert!(mean_between(&glutamate, 20.0, 40.0) > 105.0);

    // checks S-01 and S-10: the pathway is up in pyramidal cells 20–30 min after the dose.
    let signalling = table(&out, "signalling.csv");
    for species in ["p_akt", "p_erk", "p_mtor", "p_p70s6k", "p_4ebp1", "p_gsk3b"] {
        let s = series(&signalling, "pfc_pyr", species);
        let up = mean_between(&s, dose + 20.0, dose + 30.0);
        assert!(up > 1.1, "{species}: {up}");
    }
    // checks S-07: p-eEF2 falls and BDNF protein rises by 30 min, BDNF mRNA unchanged.
    let at_30 = |species: &str| mean_between(&series(&signalling, "pfc_pyr", species), 39.0, 40.0);
    assert!(at_30("p_eef2") < 0.9, "p-eEF2 {}", at_30("p_eef2"));
    assert!(at_30("bdnf") > 1.0, "BDNF {}", at_30("bdnf"));
    assert!(
        (at_30("bdnf_mrna") - 1.0).abs() < 1e-6,
        "mRNA {}",
        at_30("bdnf_mrna")
    );
}

/// Runs `scenario` once per arm (extra arguments), two arms at a time on one thread each;
/// returns the run folders (`dir/armK`, numbered on from earlier calls) in arm order.
fn run_arms(scenario: &str, arms: &[&[&str]], dir: &tempfile::TempDir) -> Vec<std::path::PathBuf> {
    let earlier = std::fs::read_dir(dir.path()).unwrap().count();
    let folders: Vec<std::path::PathBuf> = (earlier..earlier + arms.len())
        .map(|k| dir.path().join(format!("arm{k}")))
        .collect();
    for pair in folders.iter().zip(arms).collect::<Vec<_>>().chunks(2) {
        std::thread::scope(|s| {
            for (out, extra) in pair {
                s.spawn(move || {
                    let mut args = vec![
                        "run",
                        scenario,
                        "--out",
                        out.to_str().unwrap(),
                        "--threads",
                        "1",
                        "--quiet",
                    ];
                    args.extend_from_slice(extra);
                    run_ok(&args);
                });
            }
        });
    }
    folders
}

/// Census of the mPFC pyramidal cells summed over compartments, by time in hours:
/// (spines, born so far, eliminated so far, mean head volume µm³).
fn pyramidal_census(dir: &std::path::Path) -> Vec<(f64, f64, f64, f64, f64)> {
    let census = table(dir, "census.csv");
    let col = |name: &str| census.0.iter().position(|h| h == name).unwrap() - 2;
    let (spines, born, eliminated, volume) = (
        col("spines"),
        col("born_total"),
        col("eliminated_total"),
        col("mean_volume_um3"),
    );
    let mut by_time: std::collections::BTreeMap<u64, (f64, f64, f64, f64)> = Default::default();
    for (t, label, v) in &census.1 {
        if label != "pfc_pyr" {
            continue;
        }
        let e = by_time.entry(*t as u64).or_default();
        e.0 += v[spines];
        e.1 += v[born];
        e.2 += v[eliminated];
        e.3 += v[volume] * v[spines];
    }
    by_time
        .into_iter()
        .map(|(t, (s, b, e, vs))| (t as f64 / 3.6e6, s, b, e, vs / s))
        .collect()
}

fn at_hour(census: &[(f64, f64, f64, f64, f64)], hour: f64) -> (f64, f64, f64, f64) {
    let row = census
        .iter()
        .find(|r| (r.0 - hour).abs() < 1e-6)
        .unwrap_or_else(|| panic!("no census at {hour} h"));
    (row.1, row.2, row.3, row.4)
}

/// Ketamine's slow effects in paired arms of one 7-day protocol (same seed): vehicle,
/// ketamine, rapamycin alone, rapamycin 30 min before ketamine. Every arm gets the same
/// interventions' timing (a vehicle is a 0 mg/kg dose), so windows and baselines match.
#[test]
fn ketamine_raises_synaptic_proteins_and_spine_formation_unless_mtorc1_is_blocked() {
    let dir = tempfile::tempdir().unwrap();
    const RAPAMYCIN: &str = r#"{ kind = "dose", drug = "rapamycin", amount_nmol = 0.2, route = "intracerebroventricular", at = "10min" }"#;
    const VEHICLE_LATER: &str = r#"{ kind = "dose", drug = "ketamine", amount_mg_per_kg = 0.0, route = "intraperitoneal", at = "40min" }"#;
    const KETAMINE_LATER: &str = r#"{ kind = "dose", drug = "ketamine", amount_mg_per_kg = 10.0, route = "intraperitoneal", at = "40min" }"#;
    let rapamycin_alone = format!("interventions=[{RAPAMYCIN}, {VEHICLE_LATER}]");
    let rapamycin_ketamine = format!("interventions=[{RAPAMYCIN}, {KETAMINE_LATER}]");
    // The rapamycin arms answer a 24-hour question (S-04): they stop at 24 h 10 min.
    let one_day = "simulation.duration_ms=87000000.0";
    let arms = run_arms(
        "assets/scenarios/validation/ketamine_7d.toml",
        &[
            &["--set", "interventions.0.amount_mg_per_kg=0.0"],
            &[],
            &["--set", &rapamycin_alone, "--set", one_day],
            &["--set", &rapamycin_ketamine, "--set", one_day],
        ],
        &dir,
    );
    let [vehicle, ketamine, rapamycin, both] = [0, 1, 2, 3].map(|k| pyramidal_census(&arms[k]));
    let protein = |k: usize, hour: f64| {
        let s = series(&table(&arms[k], "signalling.csv"), "pfc_pyr", "protein");
        mean_between(&s, hour * 60.0 - 0.5, hour * 60.0 + 0.5)
    };
    let dose_h = 10.0 / 60.0;

    // checks S-03: proteins rise after mTORC1 (whose peak comes first) and stay up at 24 h.
    let signalling = table(&arms[1], "signalling.csv");
    let peak_time = |species: &str| {
        series(&signalling, "pfc_pyr", species)
            .into_iter()
            .fold(
                (0.0, f64::MIN),
                |best, (t, x)| if x > best.1 { (t, x) } else { best },
            )
            .0
    };
    assert!(peak_time("protein") > peak_time("p_mtor"));
    eprintln!(
        "S-03/S-04/ST: protein at 2 h {:.4}, 24 h {:.4} (vehicle {:.4}); rapamycin alone {:.4}, \
         rapamycin + ketamine {:.4}",
        protein(1, dose_h + 2.0),
        protein(1, 24.0),
        protein(0, 24.0),
        protein(2, 24.0),
        protein(3, 24.0)
    );
    for (name, c) in [
        ("vehicle", 0),
        ("ketamine", 1),
        ("rapamycin", 2),
        ("rapamycin+ketamine", 3),
    ] {
        let census = pyramidal_census(&arms[c]);
        let (s, b, e, v) = at_hour(&census, 24.0);
        let (_, b6, _, _) = at_hour(&census, 6.0);
        let (_, b12, _, _) = at_hour(&census, 12.0);
        eprintln!(
            "{name}: 24 h spines {s}, born {b} (0-6 h {b6}, 12-24 h {}), eliminated {e}, mean volume {v:.5}; last census {:?}",
            b - b12,
            census.last().map(|r| (r.0, r.1))
        );
    }
    assert!(
        protein(1, dose_h + 2.0) > 1.0,
        "protein at 2 h: {}",
        protein(1, dose_h + 2.0)
    );
    let protein_gain = protein(1, 24.0) - protein(0, 24.0);
    assert!(protein_gain > 0.0, "protein gain at 24 h: {protein_gain}");

    // checks S-04: with rapamycin the ketamine-induced protein rise and spine gain at 24 h are
    // at most 20 % of ketamine's alone (ketamine-induced = against rapamycin alone).
    let protein_gain_rapamycin = protein(3, 24.0) - protein(2, 24.0);
    assert!(
        protein_gain_rapamycin <= 0.2 * protein_gain,
        "protein: {protein_gain_rapamycin} vs {protein_gain}"
    );
    let gain = at_hour(&ketamine, 24.0).0 - at_hour(&vehicle, 24.0).0;
    let gain_rapamycin = at_hour(&both, 24.0).0 - at_hour(&rapamycin, 24.0).0;

    // checks ST-01 (hard part: density up at 24 h).
    assert!(gain > 0.0, "spine gain at 24 h: {gain}");
    assert!(
        gain_rapamycin <= 0.2 * gain,
        "spines: {gain_rapamycin} vs {gain}"
    );

    // checks ST-02: more spines formed, elimination unchanged (within 10 %) at 24 h; the
    // density still above baseline, and above vehicle, at day 7.
    let day7 = 7.0 * 24.0;
    let (initial, ..) = at_hour(&ketamine, 0.0);
    assert!(
        at_hour(&ketamine, day7).0 > initial
            && at_hour(&ketamine, day7).0 > at_hour(&vehicle, day7).0,
        "day 7: ketamine {}, vehicle {}, initial {initial}",
        at_hour(&ketamine, day7).0,
        at_hour(&vehicle, day7).0
    );
    let formed =
        |c: &[(f64, f64, f64, f64, f64)], from: f64, to: f64| at_hour(c, to).1 - at_hour(c, from).1;
    let eliminated = |c: &[(f64, f64, f64, f64, f64)]| at_hour(c, 24.0).2;
    assert!(formed(&ketamine, 0.0, 24.0) > formed(&vehicle, 0.0, 24.0));
    let ratio = eliminated(&ketamine) / eliminated(&vehicle);
    assert!((0.9..=1.1).contains(&ratio), "elimination ratio {ratio}");

    // checks ST-03: no significant rise in formation by 6 h, a clear one at 12–24 h.
    let early = formed(&ketamine, 0.0, 6.0) - formed(&vehicle, 0.0, 6.0);
    let late = formed(&ketamine, 12.0, 24.0) - formed(&vehicle, 12.0, 24.0);
    let late_per_hour = late / 12.0;
    assert!(late_per_hour > 0.0, "excess formation 12–24 h: {late}");
    // "Significant": a Poisson excess beyond 2 SD of the vehicle count in the same 6 h.
    let sd = formed(&vehicle, 0.0, 6.0).sqrt();
    assert!(
        early <= 2.0 * sd,
        "excess formation 0–6 h: {early} (2 SD = {})",
        2.0 * sd
    );

    // checks ST-05: heads enlarge (mean head volume up at 24 h).
    assert!(at_hour(&ketamine, 24.0).3 > at_hour(&vehicle, 24.0).3);
}

/// Chronic stress and its reversal, in paired arms of one protocol (same seed): stress
/// alone, stress then ketamine, stress then rapamycin and ketamine. The arms share their
/// first 21.5 days, so the two treated arms are forked from a checkpoint of the stress-alone
/// arm (a forked arm goes on exactly as its own straight run would: checkpoints.rs).
#[test]
fn chronic_stress_removes_spines_and_ketamine_counters_it_through_mtorc1() {
    let dir = tempfile::tempdir().unwrap();
    const STRESS: &str = r#"{ kind = "chronic_stress", start = "10min", days = 21 }"#;
    const RAPAMYCIN: &str = r#"{ kind = "dose", drug = "rapamycin", amount_nmol = 0.2, route = "intracerebroventricular", at = "22d" }"#;
    const KETAMINE: &str = r#"{ kind = "dose", drug = "ketamine", amount_mg_per_kg = 10.0, route = "intraperitoneal", at = "22d" }"#;
    // Every arm doses both drugs at the dose time (0 for a vehicle): the same windows and
    // baseline, and the same simulated drugs, which a fork needs.
    const VEHICLE: &str = r#"{ kind = "dose", drug = "ketamine", amount_mg_per_kg = 0.0, route = "intraperitoneal", at = "22d" }"#;
    const NO_RAPAMYCIN: &str = r#"{ kind = "dose", drug = "rapamycin", amount_nmol = 0.0, route = "intracerebroventricular", at = "22d" }"#;
    let stress_alone = format!("interventions=[{STRESS}, {NO_RAPAMYCIN}, {VEHICLE}]");
    let with_ketamine = format!("interventions=[{STRESS}, {NO_RAPAMYCIN}, {KETAMINE}]");
    let with_rapamycin = format!("interventions=[{STRESS}, {RAPAMYCIN}, {KETAMINE}]");
    const SCENARIO: &str = "assets/scenarios/validation/cus_ketamine.toml";
    let arms = run_arms(
        SCENARIO,
        &[&["--set", &stress_alone, "--checkpoint-at", "516h"]],
        &dir,
    );
    let fork = arms[0].join("checkpoints/step-018576000000.ckpt");
    let fork = fork.to_str().unwrap();
    let treated = run_arms(
        SCENARIO,
        &[
            &["--from", fork, "--set", &with_ketamine],
            &["--from", fork, "--set", &with_rapamycin],
        ],
        &dir,
    );
    let arms = [arms[0].clone(), treated[0].clone(), treated[1].clone()];
    let [stress, ketamine, rapamycin] = [0, 1, 2].map(|k| pyramidal_census(&arms[k]));
    let (before, _, _, volume_before) = at_hour(&stress, 0.0);
    let (after_stress, _, _, volume_after) = at_hour(&stress, 21.0 * 24.0);
    let end = 23.0 * 24.0;
    let signalling = table(&arms[0], "signalling.csv");
    let at_day = |species: &str, day: f64| {
        mean_between(
            &series(&signalling, "pfc_pyr", species),
            day * 1440.0 - 30.0,
            day * 1440.0 + 30.0,
        )
    };
    eprintln!(
        "SR: spines {before} -> {after_stress} at day 21 ({:+.1} %); at day 23: stress {}, \
         ketamine {}, rapamycin+ketamine {}; mean volume {volume_before:.4} -> {volume_after:.4}; \
         day 21: BDNF {:.3}, protein {:.3}, dendrite {:.3}",
        100.0 * (after_stress / before - 1.0),
        at_hour(&stress, end).0,
        at_hour(&ketamine, end).0,
        at_hour(&rapamycin, end).0,
        at_day("bdnf", 21.0),
        at_day("protein", 21.0),
        at_day("dendrite_length_fold", 21.0),
    );

    // checks SR-01 (first part) and SR-02: stress removes spines (soft −20 to −40 %), lowers
    // synaptic proteins and BDNF, shrinks the apical dendrite and the spines (smaller
    // evoked EPSCs: AMPA conductance scales with head volume).
    let loss = 1.0 - after_stress / before;
    assert!(loss > 0.0, "spine loss {loss}");
    assert!(at_day("protein", 21.0) < 1.0 && at_day("bdnf", 21.0) < 1.0);
    assert!(at_day("dendrite_length_fold", 21.0) < 1.0);
    assert!(volume_after < volume_before);
    // Simulated mEPSCs of the pyramidal cells: smaller and rarer after stress (SR-01).
    let mepsc = table(&arms[0], "mepsc.csv");
    for column in ["amplitude_pa", "frequency_hz"] {
        let s = series(&mepsc, "pfc_pyr", column);
        let (first, day21) = (
            mean_between(&s, 0.0, 0.0),
            mean_between(&s, 21.0 * 1440.0, 21.0 * 1440.0),
        );
        assert!(day21 < first, "mEPSC {column}: {first} -> {day21}");
    }

    // checks SR-01 (reversal, hard part: direction) and the mTOR blockade abolishing it:
    // 24 h after the dose ketamine leaves more spines than stress alone, rapamycin ≤ 20 %
    // of that difference.
    let reversal = at_hour(&ketamine, end).0 - at_hour(&stress, end).0;
    let with_blockade = at_hour(&rapamycin, end).0 - at_hour(&stress, end).0;
    assert!(
        reversal > 0.0,
        "ketamine − stress alone at 24 h: {reversal}"
    );
    assert!(
        with_blockade <= 0.2 * reversal,
        "{with_blockade} vs {reversal}"
    );
}

/// The subunit switch removes its contribution: with subunit selectivity off (every GluN2
/// class blocked like GluN2A, one Mg²⁺ sensitivity) PV cells lose their preferential block.
/// Four minutes after the dose, 1 s of spiking every 30 s.
#[test]
fn mechanism_switches_remove_their_contribution_to_preferential_block() {
    let dir = tempfile::tempdir().unwrap();
    let block_at_end = |extra: &[&str]| {
        let out = dir.path().join(format!("m{}", extra.len()));
        let mut args = vec![
            "run",
            "assets/scenarios/validation/ketamine_disinhibition.toml",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--set",
            "simulation.duration_ms=840000.0",
            "--set",
            "simulation.windows.every=\"30s\"",
            "--set",
            "simulation.windows.dense_every=\"30s\"",
        ];
        args.extend_from_slice(extra);
        run_ok(&args);
        let block = table(&out, "block.csv");
        let last = |p: &str| series(&block, p, "nmda_block").last().unwrap().1;
        (last("pfc_pv"), last("pfc_pyr"))
    };
    let (pv, pyr) = block_at_end(&[]);
    assert!(pv > pyr + 0.02, "default: PV {pv}, pyramidal {pyr}");
    let (pv, pyr) = block_at_end(&["--set", "pharmacology.mechanisms.subunit_selectivity=false"]);
    assert!(
        pv <= pyr + 0.01,
        "without subunit selectivity: PV {pv}, pyramidal {pyr}"
    );
}

/// Blocking the NMDA receptors that spontaneous release activates, with no action
/// potentials, potentiates AMPA transmission through eEF2K, BDNF and protein synthesis
/// (Nosyreva et al. 2013; Autry et al. 2011). A CA1 slice in TTX, 50 µM D-AP5 in the bath
/// for 3 h, each arm against its own drug-free control.
#[test]
fn blocking_resting_nmda_transmission_alone_potentiates_ampa_responses() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "assets/scenarios/validation/slice_mini_block.toml";
    let no_drug = ["--set", "interventions.0.concentration_um=0.0"];
    let switches: [&[&str]; 4] = [
        &[],
        &["--set", "pharmacology.signalling.eef2k_enabled=false"],
        &["--set", "pharmacology.signalling.bdnf_enabled=false"],
        &[
            "--set",
            "pharmacology.signalling.protein_synthesis_enabled=false",
        ],
    ];
    let arms: Vec<Vec<&str>> = switches
        .iter()
        .flat_map(|s| [s.to_vec(), [*s, &no_drug[..]].concat()])
        .collect();
    let arm_refs: Vec<&[&str]> = arms.iter().map(Vec::as_slice).collect();
    let folders = run_arms(scenario, &arm_refs, &dir);
    let amplitude_at_end = |k: usize| {
        series(&table(&folders[k], "mepsc.csv"), "ca1", "amplitude_pa")
            .last()
            .unwrap()
            .1
    };
    // checks S-08: potentiated with the full pathway (by ≥ 5 %: an assumption of this
    // test for a change slice recordings resolve; the papers report tens of %)...
    let (ap5, control) = (amplitude_at_end(0), amplitude_at_end(1));
    assert!(ap5 > control * 1.05, "AP5 {ap5} pA vs control {control} pA");
    // ...and not without eEF2K, BDNF or protein synthesis.
    for (arm, name) in [(1, "eEF2K"), (2, "BDNF"), (3, "protein synthesis")] {
        let (ap5, control) = (amplitude_at_end(2 * arm), amplitude_at_end(2 * arm + 1));
        assert!(
            ap5 <= control * 1.001,
            "without {name}: AP5 {ap5} pA vs control {control} pA"
        );
    }
}
