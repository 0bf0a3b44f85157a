use super::*;

/// Inputs at one instant: activity, resting NMDA, mTORC1 inhibition, corticosterone.
#[derive(Clone, Copy)]
struct At {
    activity: f64,
    resting_nmda: f64,
    inhibition: f64,
    cort: f64,
}

const BASE: At = At {
    activity: 1.0,
    resting_nmda: 1.0,
    inhibition: 0.0,
    cort: 1.0,
};

/// Runs one neuron from baseline for `t_end_s` with steps of `dt_s`, inputs sampled at each
/// step's midpoint; calls `observe(t_s, state)` after every step.
fn simulate(
    params: &SignallingParams,
    dt_s: f64,
    t_end_s: f64,
    inputs: impl Fn(f64) -> At,
    mut observe: impl FnMut(f64, &Signalling),
) -> Signalling {
    let mut s = Signalling::at_baseline(1);
    let n = (t_end_s / dt_s).round() as usize;
    for k in 0..n {
        let t = k as f64 * dt_s;
        let a = inputs(t + 0.5 * dt_s);
        let act = [a.activity as f32];
        let rest = [a.resting_nmda as f32];
        let inp = SignallingInputs {
            activity_fold: &act,
            resting_nmda_fold: &rest,
            mtorc1_inhibition: a.inhibition,
            corticosterone_fold: a.cort,
            ampk_fold: 1.0,
        };
        s.step(params, &inp, dt_s);
        observe(t + dt_s, &s);
    }
    s
}

/// A 1-h activity surge to 2× (raised cosine, peak at 30 min), starting at t = 0: the
/// shape of the pyramidal-rate rise of C-01 (≈ doubled at 20–40 min) and transient (C-05).
fn surge(t_s: f64) -> f64 {
    if (0.0..3600.0).contains(&t_s) {
        1.0 + 0.5 * (1.0 - (2.0 * std::f64::consts::PI * t_s / 3600.0).cos())
    } else {
        1.0
    }
}

/// Time of the maximum of `s` over a run, and the maximum.
fn peak(samples: &[(f64, f64)]) -> (f64, f64) {
    samples.iter().copied().fold(
        (0.0, f64::NEG_INFINITY),
        |a, b| if b.1 > a.1 { b } else { a },
    )
}

/// Runs `inputs` for `t_end_s` at 10-s steps and records `species` every minute.
fn record(
    params: &SignallingParams,
    t_end_s: f64,
    inputs: impl Fn(f64) -> At,
    species: Species,
) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    simulate(params, 10.0, t_end_s, inputs, |t, s| {
        if (t % 60.0).abs() < 1e-6 {
            out.push((t, s.species(species)[0]));
        }
    });
    out
}

fn value_at(samples: &[(f64, f64)], t_s: f64) -> f64 {
    samples
        .iter()
        .find(|(t, _)| (t - t_s).abs() < 1.0)
        .map(|&(_, v)| v)
        .expect("sampled time")
}

fn keta_surge(t: f64) -> At {
    At {
        activity: surge(t),
        ..BASE
    }
}

#[test]
fn exactly_stationary_at_baseline() {
    let p = SignallingParams::default();
    for dt in [1.0, 60.0, 3600.0] {
        let mut s = Signalling::at_baseline(3);
        let act = [1.0f32; 3];
        let inp = SignallingInputs {
            activity_fold: &act,
            resting_nmda_fold: &act,
            ..SignallingInputs::BASELINE
        };
        let steps = (10.0 * 86_400.0 / dt) as usize;
        for _ in 0..steps {
            s.step(&p, &inp, dt);
        }
        for sp in Species::ALL {
            for &v in s.species(sp) {
                assert!(
                    (v - 1.0).abs() <= 1e-9,
                    "{} = {v} after 10 days, dt {dt}",
                    sp.name()
                );
            }
        }
        let d = s.spine_drive(&p, 2);
        assert_eq!(d, SpineDrive::BASELINE);
    }
}

/// The 24-h protocol of the dt test: a 1-h surge plus a 2-h resting NMDA block at 0.3.
fn mixed_protocol(t: f64) -> At {
    At {
        activity: surge(t),
        resting_nmda: if t < 7200.0 { 0.3 } else { 1.0 },
        ..BASE
    }
}

#[test]
fn steps_of_1_s_and_60_s_agree() {
    let p = SignallingParams::default();
    let mut fine = Vec::new();
    let mut coarse = Vec::new();
    simulate(&p, 1.0, 86_400.0, mixed_protocol, |t, s| {
        if (t % 600.0).abs() < 1e-6 {
            fine.push(s.clone());
        }
    });
    simulate(&p, 60.0, 86_400.0, mixed_protocol, |t, s| {
        if (t % 600.0).abs() < 1e-6 {
            coarse.push(s.clone());
        }
    });
    assert_eq!(fine.len(), coarse.len());
    // Tolerance: 1 % of the largest excursion of each species over the run (and 1e-4
    // absolute), i.e. the two runs draw the same curve.
    let mut worst = 0.0f64;
    for sp in Species::ALL {
        let excursion = fine
            .iter()
            .map(|s| (s.species(sp)[0] - 1.0).abs())
            .fold(0.0, f64::max);
        for (a, b) in fine.iter().zip(&coarse) {
            let (a, b) = (a.species(sp)[0], b.species(sp)[0]);
            let err = (a - b).abs();
            worst = worst.max(err / excursion.max(1e-12));
            assert!(
                err <= 0.01 * excursion + 1e-4,
                "{}: {a} (1 s) vs {b} (60 s), excursion {excursion}",
                sp.name()
            );
        }
    }
    println!("dt 1 s vs 60 s: worst error {:.4} of the excursion", worst);
}

#[test]
fn steps_of_1_h_stay_stable_and_close() {
    // Long quiet stretches use 1-h steps: a week of daily corticosterone pulses (3 h at 4×)
    // after a 2-h resting block, 60-s vs 3600-s steps.
    let p = SignallingParams::default();
    let protocol = |t: f64| At {
        resting_nmda: if t < 7200.0 { 0.3 } else { 1.0 },
        cort: if t % 86_400.0 < 3.0 * 3600.0 {
            4.0
        } else {
            1.0
        },
        ..BASE
    };
    let fine = simulate(&p, 60.0, 7.0 * 86_400.0, protocol, |_, _| {});
    let coarse = simulate(&p, 3600.0, 7.0 * 86_400.0, protocol, |_, _| {});
    for sp in Species::ALL {
        let (a, b) = (fine.species(sp)[0], coarse.species(sp)[0]);
        assert!(b.is_finite() && b >= 0.0, "{} = {b}", sp.name());
        assert!(
            (a - b).abs() <= 0.02 * (a - 1.0).abs().max(0.01),
            "{}: {a} (60 s) vs {b} (1 h)",
            sp.name()
        );
    }
}

// checks S-01
#[test]
fn activity_surge_activates_the_mtorc1_pathway_transiently() {
    let p = SignallingParams::default();
    let kinases = [
        Species::PAkt,
        Species::PErk,
        Species::PMtor,
        Species::PP70s6k,
        Species::P4ebp1,
    ];
    let mut peaks = Vec::new();
    for sp in [Species::TrkB].into_iter().chain(kinases) {
        let r = record(&p, 3.0 * 3600.0, keta_surge, sp);
        let (t_peak, v_peak) = peak(&r);
        let at_2h = value_at(&r, 7200.0);
        println!(
            "S-01 {}: peak {v_peak:.3} at {:.0} min, {at_2h:.3} at 2 h",
            sp.name(),
            t_peak / 60.0
        );
        peaks.push((sp, t_peak, v_peak));
        if sp == Species::TrkB {
            continue;
        }
        // Hard: the rise.
        assert!(v_peak > 1.2, "{} peak {v_peak}", sp.name());
        // Soft: up at 30–60 min, ≈ 1.5–2× (loosely 1.3–2.5), near baseline (±20 %) by 2 h.
        assert!(
            (1800.0..=3600.0).contains(&t_peak),
            "{} peaks at {} min",
            sp.name(),
            t_peak / 60.0
        );
        assert!((1.3..=2.5).contains(&v_peak), "{} peak {v_peak}", sp.name());
        assert!((at_2h - 1.0).abs() <= 0.2, "{} at 2 h: {at_2h}", sp.name());
    }
    // Order: TrkB, then Akt, then mTOR, then p70S6K.
    let t = |s: Species| peaks.iter().find(|p| p.0 == s).unwrap().1;
    assert!(t(Species::TrkB) < t(Species::PAkt));
    assert!(t(Species::PAkt) < t(Species::PMtor));
    assert!(t(Species::PMtor) < t(Species::PP70s6k));
}

// checks S-10
#[test]
fn akt_raises_p_gsk3b() {
    let p = SignallingParams::default();
    let akt = record(&p, 3.0 * 3600.0, keta_surge, Species::PAkt);
    let gsk = record(&p, 3.0 * 3600.0, keta_surge, Species::PGsk3b);
    let (t_akt, _) = peak(&akt);
    let (t_gsk, v_gsk) = peak(&gsk);
    println!("S-10 p-GSK-3β peak {v_gsk:.3} at {:.0} min", t_gsk / 60.0);
    assert!(v_gsk > 1.2);
    assert!(t_gsk >= t_akt);
    // Without Akt activation (no BDNF), no Ser9 rise.
    let ko = SignallingParams {
        bdnf_enabled: false,
        ..p
    };
    let (_, v_ko) = peak(&record(&ko, 3.0 * 3600.0, keta_surge, Species::PGsk3b));
    assert!(v_ko <= 1.0 + 1e-12, "{v_ko}");
}

// checks S-03
#[test]
fn synaptic_proteins_rise_after_mtorc1_and_stay_up() {
    let p = SignallingParams::default();
    let protein = record(&p, 30.0 * 3600.0, keta_surge, Species::Protein);
    let mtor = record(&p, 30.0 * 3600.0, keta_surge, Species::PMtor);
    let (t_mtor, _) = peak(&mtor);
    let (t_peak, v_peak) = peak(&protein);
    let excess = |t: f64| value_at(&protein, t) - 1.0;
    println!(
        "S-03 protein: +{:.2} % at 1 h, +{:.2} % at 2 h, peak +{:.2} % at {:.1} h, +{:.2} % at 24 h",
        100.0 * excess(3600.0),
        100.0 * excess(7200.0),
        100.0 * (v_peak - 1.0),
        t_peak / 3600.0,
        100.0 * excess(86_400.0)
    );
    assert!(v_peak > 1.0);
    assert!(t_peak > t_mtor + 3600.0, "protein peaks after mTORC1");
    // Little of the rise before ≈ 2 h, still up (≥ half the peak excess) at 24 h.
    assert!(excess(3600.0) < 0.25 * (v_peak - 1.0));
    assert!(excess(86_400.0) >= 0.5 * (v_peak - 1.0));
}

// checks S-04
#[test]
fn rapamycin_abolishes_protein_and_formation_gain() {
    let p = SignallingParams::default();
    let day = 86_400.0;
    let run = |surge_on: bool, inhibition: f64| {
        let s = simulate(
            &p,
            10.0,
            day,
            |t| At {
                activity: if surge_on { surge(t) } else { 1.0 },
                inhibition,
                ..BASE
            },
            |_, _| {},
        );
        (
            s.species(Species::Protein)[0],
            s.spine_drive(&p, 0).formation_fold,
        )
    };
    let (p_keta, f_keta) = run(true, 0.0);
    let (p_rapa_keta, f_rapa_keta) = run(true, 0.95);
    let (p_rapa, f_rapa) = run(false, 0.95);
    let gain_protein = (p_rapa_keta - p_rapa) / (p_keta - 1.0);
    let gain_formation = (f_rapa_keta - f_rapa) / (f_keta - 1.0);
    println!(
        "S-04 at 24 h: protein gain with rapamycin {:.3} of ketamine's, formation gain {:.3}; \
         vs vehicle: protein {p_rapa_keta:.4}, formation {f_rapa_keta:.3}",
        gain_protein, gain_formation
    );
    assert!(p_keta > 1.0 && f_keta > 1.0);
    // Against the rapamycin-alone control and against vehicle.
    assert!(gain_protein <= 0.2 && gain_formation <= 0.2);
    assert!(p_rapa_keta - 1.0 <= 0.2 * (p_keta - 1.0));
    assert!(f_rapa_keta - 1.0 <= 0.2 * (f_keta - 1.0));
}

// checks S-07
#[test]
fn resting_block_dephosphorylates_eef2_and_raises_bdnf_not_its_mrna() {
    let p = SignallingParams::default();
    let block = |_: f64| At {
        resting_nmda: 0.3,
        ..BASE
    };
    let s = simulate(&p, 1.0, 1800.0, block, |_, _| {});
    let p_eef2 = s.species(Species::PEef2)[0];
    let bdnf = s.species(Species::Bdnf)[0];
    let mrna = s.species(Species::BdnfMrna)[0];
    println!(
        "S-07 at 30 min: p-eEF2 {:+.1} %, BDNF ×{bdnf:.3}, BDNF mRNA {mrna}",
        100.0 * (p_eef2 - 1.0)
    );
    // Hard: directions, and mRNA unchanged.
    assert!(p_eef2 < 0.9);
    assert!(bdnf > 1.05);
    assert!((mrna - 1.0).abs() < 1e-12);
    // Soft, loosely: p-eEF2 −30 to −50 % (accept −20 to −60 %).
    assert!((0.4..=0.8).contains(&p_eef2), "{p_eef2}");
}

// checks S-08 (signalling part)
#[test]
fn resting_block_alone_potentiates_only_with_eef2k_synthesis_and_bdnf() {
    let base = SignallingParams::default();
    // Block NMDA-mEPSCs for 3 h, look at 24 h.
    let block = |t: f64| At {
        resting_nmda: if t < 3.0 * 3600.0 { 0.3 } else { 1.0 },
        ..BASE
    };
    let drive = |p: SignallingParams| {
        let s = simulate(&p, 10.0, 86_400.0, block, |_, _| {});
        (
            s.species(Species::Protein)[0],
            s.spine_drive(&p, 0).enlargement_fold,
        )
    };
    let (protein, enlargement) = drive(base);
    println!("S-08 control: protein ×{protein:.4}, enlargement ×{enlargement:.4}");
    assert!(protein > 1.0 && enlargement > 1.0);
    for (name, p) in [
        (
            "eEF2K knockout",
            SignallingParams {
                eef2k_enabled: false,
                ..base
            },
        ),
        (
            "no protein synthesis",
            SignallingParams {
                protein_synthesis_enabled: false,
                ..base
            },
        ),
        (
            "BDNF knockout",
            SignallingParams {
                bdnf_enabled: false,
                ..base
            },
        ),
    ] {
        let (pr, en) = drive(p);
        println!("S-08 {name}: protein ×{pr:.4}, enlargement ×{en:.4}");
        assert!(pr <= 1.0 + 1e-12 && en <= 1.0 + 1e-12, "{name}: {pr}, {en}");
    }
}

// checks ST-03 (the signalling side of it)
#[test]
fn formation_rises_between_6_and_24_hours() {
    let p = SignallingParams::default();
    let mut f = Vec::new();
    simulate(&p, 10.0, 86_400.0, keta_surge, |t, s| {
        if (t % 3600.0).abs() < 1e-6 {
            f.push((t, s.spine_drive(&p, 0).formation_fold));
        }
    });
    let at = |h: f64| value_at(&f, h * 3600.0) - 1.0;
    let late = (at(12.0) + at(18.0) + at(24.0)) / 3.0;
    println!(
        "ST-03 formation excess: {:+.2} % at 6 h, {:+.2} % at 12 h, {:+.2} % at 18 h, {:+.2} % at 24 h",
        100.0 * at(6.0),
        100.0 * at(12.0),
        100.0 * at(18.0),
        100.0 * at(24.0)
    );
    // "No significant rise at ≤ 6 h": at most 40 % of the 12–24 h excess;
    // "clear rise at 12–24 h": at least +2 % at each of 12, 18 and 24 h.
    assert!(at(6.0) <= 0.4 * late);
    for h in [12.0, 18.0, 24.0] {
        assert!(at(h) >= 0.02, "formation excess {} at {h} h", at(h));
    }
    // Elimination is untouched by ketamine (ST-02).
    let s = simulate(&p, 10.0, 86_400.0, keta_surge, |_, _| {});
    assert_eq!(s.spine_drive(&p, 0).elimination_fold, 1.0);
}

// checks SR-01, SR-02 (the signalling side)
#[test]
fn chronic_stress_lowers_bdnf_and_protein_and_recovers() {
    let p = SignallingParams::default();
    let day = 86_400.0;
    // 21 days of daily corticosterone pulses (3 h at 4× baseline, the daily restraint of
    // Radley et al. 2004), then 21 days without.
    let protocol = |t: f64| At {
        cort: if t < 21.0 * day && t % day < 3.0 * 3600.0 {
            4.0
        } else {
            1.0
        },
        ..BASE
    };
    let mut at_21 = None;
    let end = simulate(&p, 60.0, 42.0 * day, protocol, |t, s| {
        if (t - 21.0 * day).abs() < 1e-6 {
            at_21 = Some(s.clone());
        }
    });
    let stressed = at_21.unwrap();
    let read = |s: &Signalling| {
        let d = s.spine_drive(&p, 0);
        [
            s.species(Species::Bdnf)[0],
            s.species(Species::Protein)[0],
            d.elimination_fold,
            d.dendrite_length_fold,
            d.formation_fold,
        ]
    };
    let (a, b) = (read(&stressed), read(&end));
    println!("stress day 21 [bdnf, protein, elimination, dendrite, formation]: {a:.3?}");
    println!("stress day 42: {b:.3?}");
    assert!(a[0] < 0.9, "BDNF {}", a[0]);
    assert!(a[1] < 0.98, "protein {}", a[1]);
    assert!(a[2] > 1.3, "elimination {}", a[2]);
    assert!(a[3] < 0.95, "dendrite {}", a[3]);
    assert!(a[4] < 1.0, "formation {}", a[4]);
    // Recovery: three weeks later at least 75 % of each deviation is gone (Radley 2005).
    for k in 0..5 {
        assert!(
            (b[k] - 1.0).abs() <= 0.25 * (a[k] - 1.0).abs(),
            "item {k}: {} at day 21, {} at day 42",
            a[k],
            b[k]
        );
    }
}

#[test]
fn strong_long_inputs_stay_finite_and_return_to_baseline() {
    let p = SignallingParams::default();
    // Activity 20×, complete resting block and corticosterone 50× for 12 h, hour steps.
    let protocol = |t: f64| {
        if t < 12.0 * 3600.0 {
            At {
                activity: 20.0,
                resting_nmda: 0.0,
                inhibition: 0.0,
                cort: 50.0,
            }
        } else {
            BASE
        }
    };
    let s = simulate(&p, 3600.0, 200.0 * 86_400.0, protocol, |_, s| {
        for sp in Species::ALL {
            let v = s.species(sp)[0];
            assert!(v.is_finite() && v >= 0.0, "{} = {v}", sp.name());
        }
    });
    for sp in Species::ALL {
        let v = s.species(sp)[0];
        assert!((v - 1.0).abs() < 1e-3, "{} = {v} after 200 days", sp.name());
    }
}

#[test]
fn parameters_are_checked() {
    assert!(SignallingParams::default().violations().is_empty());
    let bad = SignallingParams {
        protein_tau_h: 0.0,
        eef2k_nmda_share: 1.5,
        spinogenesis_protein_elasticity: -1.0,
        ..SignallingParams::default()
    };
    let keys: Vec<String> = bad.violations().into_iter().map(|v| v.key).collect();
    assert_eq!(
        keys,
        [
            "protein_tau_h",
            "spinogenesis_protein_elasticity",
            "eef2k_nmda_share"
        ]
    );
}

#[test]
fn names_are_unique_and_ordered() {
    for (k, s) in Species::ALL.iter().enumerate() {
        assert_eq!(s.index(), k);
        assert!(Species::ALL[..k].iter().all(|o| o.name() != s.name()));
    }
    let s = Signalling::at_baseline(4);
    assert_eq!(s.len(), 4);
    assert_eq!(s.mean(Species::Bdnf, 1..3), 1.0);
    assert!(s.mean(Species::Bdnf, 3..9).is_nan());
}
