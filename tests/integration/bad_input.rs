//! Broken scenarios and flags: exit code 2, a message naming the key, no panic, and no run
//! folder left behind.

use std::fs;
use std::path::Path;

use crate::support::{synaptogen_in, text};

const VALID: &str = r#"schema_version = 1

[simulation]
duration_ms = 10.0

[populations.p]
cell_type = "pfc_pv_basket"
size = 5

[projections.x]
source = "p"
target = "p"
connectivity = { kind = "pairwise_bernoulli", p = 0.5 }
weight_ns = 1.0
"#;

/// Writes `scenario` to a fresh directory, runs `synaptogen run` there (no --out, so the
/// default `runs/` would appear if anything were written) and `validate`; checks both fail
/// with exit code 2 and every `expected` fragment in the message.
fn assert_rejected(scenario: Option<&str>, extra: &[&str], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    if let Some(text) = scenario {
        fs::write(&file, text).unwrap();
    }
    for command in ["run", "validate"] {
        let mut args = vec![command, "s.toml"];
        args.extend_from_slice(extra);
        let output = synaptogen_in(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command}: {}",
            text(&output)
        );
        assert!(!stderr.contains("panicked"), "{command} panicked: {stderr}");
        for fragment in expected {
            assert!(
                stderr.contains(fragment),
                "{command}: `{fragment}` missing from:\n{stderr}"
            );
        }
    }
    let left: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let expected_files = usize::from(scenario.is_some());
    assert_eq!(
        left.len(),
        expected_files,
        "nothing written besides the scenario: {left:?}"
    );
}

fn with(replace: &str, by: &str) -> String {
    assert!(VALID.contains(replace), "fixture lacks {replace}");
    VALID.replacen(replace, by, 1)
}

#[test]
fn the_valid_fixture_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("s.toml"), VALID).unwrap();
    let output = synaptogen_in(dir.path(), &["validate", "s.toml"]);
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn unknown_key() {
    let s = with(
        "duration_ms = 10.0",
        "duration_ms = 10.0\ndurration_ms = 5.0",
    );
    assert_rejected(
        Some(&s),
        &[],
        &["s.toml:5", "durration_ms", "unknown field"],
    );
}

#[test]
fn wrong_type() {
    let s = with("size = 5", "size = \"many\"");
    assert_rejected(
        Some(&s),
        &[],
        &["s.toml:8", "populations.p.size", "invalid type"],
    );
}

#[test]
fn negative_time_constant() {
    let s = format!(
        "{VALID}\n[cell_types.slow]\nextends = \"pfc_sst\"\nmembrane.tau_w_ms = -300.0\nreceptors.ampa = {{ tau_decay_ms = -2.0, e_rev_mv = 0.0 }}\n"
    )
    .replacen("cell_type = \"pfc_pv_basket\"", "cell_type = \"slow\"", 1);
    assert_rejected(
        Some(&s),
        &[],
        &[
            "cell_types.slow.membrane.tau_w_ms",
            "-300",
            "> 0",
            "cell_types.slow.receptors.ampa.tau_decay_ms",
        ],
    );
}

#[test]
fn probability_above_one() {
    let s = with("p = 0.5", "p = 1.5");
    assert_rejected(
        Some(&s),
        &[],
        &["s.toml:13", "projections.x.connectivity.p", "1.5", "[0, 1]"],
    );
}

#[test]
fn unknown_population_in_a_projection() {
    let s = with("target = \"p\"", "target = \"nowhere\"");
    assert_rejected(
        Some(&s),
        &[],
        &["s.toml:12", "projections.x.target", "nowhere", "allowed: p"],
    );
}

#[test]
fn unknown_cell_type() {
    let s = with("cell_type = \"pfc_pv_basket\"", "cell_type = \"purkinje\"");
    assert_rejected(
        Some(&s),
        &[],
        &["populations.p.cell_type", "purkinje", "pfc_l5_pyramidal"],
    );
}

#[test]
fn empty_file() {
    assert_rejected(Some(""), &[], &["s.toml", "empty"]);
    assert_rejected(Some("# only a comment\n"), &[], &["s.toml", "empty"]);
}

#[test]
fn missing_file() {
    assert_rejected(None, &[], &["s.toml", "no such file"]);
}

#[test]
fn invalid_toml() {
    let s = with("size = 5", "size = = 5");
    assert_rejected(Some(&s), &[], &["s.toml:8", "not valid TOML"]);
}

#[test]
fn missing_and_unsupported_schema_version() {
    let s = with("schema_version = 1\n", "");
    assert_rejected(Some(&s), &[], &["schema_version", "missing"]);
    let s = with("schema_version = 1", "schema_version = 2");
    assert_rejected(
        Some(&s),
        &[],
        &["s.toml:1", "schema_version", "unsupported", "allowed: 1"],
    );
}

#[test]
fn bad_overrides() {
    assert_rejected(Some(VALID), &["--set", "nonsense"], &["KEY.PATH=VALUE"]);
    assert_rejected(
        Some(VALID),
        &["--set", "populations.p.size=-3"],
        &["populations.p.size", "--set populations.p.size=-3"],
    );
    assert_rejected(
        Some(VALID),
        &["--set", "simulation.duration_ms.x=1"],
        &["simulation.duration_ms", "not a table"],
    );
}

#[test]
fn bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("s.toml"), VALID).unwrap();
    for args in [
        &["run", "s.toml", "--threads", "0"][..],
        &["run", "s.toml", "--threads", "many"],
        &["run", "s.toml", "--no-such-flag"],
        &["bench", "coba", "--neurons", "3"],
        &["bench", "hopfield"],
    ] {
        let output = synaptogen_in(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn an_existing_output_folder_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("s.toml"), VALID).unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("precious.txt"), "keep me").unwrap();
    let output = synaptogen_in(dir.path(), &["run", "s.toml", "--out", "out", "-q"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--force"));
    assert!(out.join("precious.txt").exists());
    let output = synaptogen_in(
        dir.path(),
        &["run", "s.toml", "--out", "out", "-q", "--force"],
    );
    assert!(output.status.success(), "{}", text(&output));
    assert!(!out.join("precious.txt").exists() && out.join("summary.json").exists());
    assert_no_partial_folders(dir.path());
}

fn assert_no_partial_folders(dir: &Path) {
    for entry in fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".partial"), "left behind: {name}");
    }
}

/// Values that parse but cannot be simulated as written (found by review): each is refused
/// up front with the key named, never a panic or an abort later.
#[test]
fn values_that_cannot_be_simulated() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[
                "--set",
                "projections.x.weight_ns={dist=\"normal\",mean=1.0,sd=0.1,min=nan}",
            ],
            &["projections.x.weight_ns", "`min`"],
        ),
        (
            &[
                "--set",
                "populations.p.initial.v_mv={dist=\"uniform\",low=-1.7e308,high=1.7e308}",
            ],
            &["populations.p.initial.v_mv", "too wide"],
        ),
        (
            &[
                "--set",
                "inputs.bg={kind=\"poisson\",target=\"p\",n_sources=1e300,rate_hz=1e300,weight_ns=1.0}",
            ],
            &["inputs.bg.rate_hz", "events per neuron and step"],
        ),
        (
            &["--set", "simulation.duration_ms=10.05"],
            &["simulation.duration_ms", "whole number of steps"],
        ),
        (
            &["--set", "recording.rate_bin_ms=0.25"],
            &["recording.rate_bin_ms", "whole number of steps"],
        ),
        (
            &[
                "--set",
                "inputs.dc={kind=\"dc\",target=\"p\",amplitude_pa=10.0,neurons=[1,1]}",
            ],
            &["inputs.dc.neurons", "listed twice"],
        ),
        (
            &[
                "--set",
                "recording.state=[{population=\"p\",neurons=[0],variables=[\"w_adapt_pa\"]}]",
            ],
            &["recording.state.0.variables.0", "adaptation"],
        ),
        (
            &[
                "--set",
                "projections.x.plasticity={rule=\"stdp_pair\",tau_plus_ms=20.0,tau_minus_ms=20.0,a_plus_ns=0.1,a_minus_ns=0.1,w_min_ns=5.0,w_max_ns=10.0}",
            ],
            &["projections.x.weight_ns", "STDP bounds"],
        ),
        (
            &[
                "--set",
                "cell_types.pfc_pv_basket.membrane.t_ref_ms=10000.0",
            ],
            &["cell_types.pfc_pv_basket.membrane.t_ref_ms", "too long"],
        ),
        (
            &["--set", "name=../../escaped"],
            &["name", "unusable scenario name"],
        ),
        (
            &[
                "--set",
                "populations.p.size=300000",
                "--set",
                "projections.x.connectivity.p=1.0",
            ],
            &["too many synapses"],
        ),
        (
            &["--set", "spines.census_every_ms=90000.0"],
            &["spines.census_every_ms", "simulation.structural_dt_ms"],
        ),
        (
            &["--set", "recording.weights_every_ms=1500.0"],
            &["recording.weights_every_ms", "simulation.slow_dt_ms"],
        ),
        (
            &[
                "--set",
                "projections.x.plasticity={rule=\"calcium\",delay_ms=1e9}",
            ],
            &["projections.x.plasticity.delay_ms", "[0, 100]"],
        ),
    ];
    for (args, expected) in cases {
        assert_rejected(Some(VALID), args, expected);
    }
    // A network larger than this machine's free memory: `validate` reports the estimate,
    // `run` refuses before allocating.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("s.toml"), VALID).unwrap();
    let huge = [
        "--set",
        "populations.p.size=150000",
        "--set",
        "projections.x.connectivity.p=0.1",
    ];
    let validate = synaptogen_in(dir.path(), &[&["validate", "s.toml"][..], &huge].concat());
    assert!(
        String::from_utf8_lossy(&validate.stdout).contains("GB of memory"),
        "{}",
        text(&validate)
    );
    let run = synaptogen_in(dir.path(), &[&["run", "s.toml", "-q"][..], &huge].concat());
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    assert!(String::from_utf8_lossy(&run.stderr).contains("memory is available"));
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing written"
    );
    // --seed beyond what a TOML integer holds.
    assert_rejected(
        Some(VALID),
        &["--seed", "18446744073709551615"],
        &["--seed"],
    );
}

/// A valid scenario plus `tail` (pharmacology tables).
fn valid_plus(tail: &str) -> String {
    format!("{VALID}\n{tail}")
}

#[test]
fn bad_doses_name_the_key_and_what_is_allowed() {
    assert_rejected(
        Some(&valid_plus(
            "[[interventions]]\nkind = \"dose\"\ndrug = \"ketamin\"\namount_mg_per_kg = 10.0\nroute = \"intraperitoneal\"\nat = \"1min\"\n",
        )),
        &[],
        &["interventions[0].drug", "unknown drug", "ketamine"],
    );
    assert_rejected(
        Some(&valid_plus(
            "[[interventions]]\nkind = \"dose\"\ndrug = \"ketamine\"\nroute = \"intraperitoneal\"\nat = \"1min\"\n",
        )),
        &[],
        &["interventions[0]", "exactly one amount"],
    );
    assert_rejected(
        Some(&valid_plus(
            "[[interventions]]\nkind = \"dose\"\ndrug = \"ketamine\"\namount_mg = 1.0\nroute = \"iv_infusion\"\nat = \"1min\"\n",
        )),
        &[],
        &["interventions[0].duration", "needs its duration"],
    );
    assert_rejected(
        Some(&valid_plus(
            "[pharmacology]\nspecies = \"rat\"\n\n[[interventions]]\nkind = \"dose\"\ndrug = \"mk801\"\namount_mg_per_kg = 0.1\nroute = \"oral\"\nat = \"1min\"\n",
        )),
        &[],
        &["interventions[0].route", "intraperitoneal"],
    );
}

#[test]
fn bad_bath_applications_name_the_key_and_what_is_allowed() {
    assert_rejected(
        Some(&valid_plus(
            "[[interventions]]\nkind = \"bath\"\ndrug = \"dap5\"\nconcentration_um = 50.0\nat = \"1min\"\n",
        )),
        &[],
        &["interventions[0].drug", "unknown drug", "d_ap5"],
    );
    assert_rejected(
        Some(&valid_plus(
            "[[interventions]]\nkind = \"bath\"\ndrug = \"d_ap5\"\nconcentration_um = -1.0\nat = \"1min\"\n",
        )),
        &[],
        &["interventions[0].concentration_um", "≥ 0"],
    );
    assert_rejected(
        Some(&valid_plus(
            "[[interventions]]\nkind = \"bath\"\ndrug = \"d_ap5\"\nconcentration_um = 50.0\nat = \"1min\"\nduration = \"0s\"\n",
        )),
        &[],
        &["interventions[0].duration", "positive duration"],
    );
    // A slice tool compound cannot be injected: it has no pharmacokinetics.
    assert_rejected(
        Some(&valid_plus(
            "[[interventions]]\nkind = \"dose\"\ndrug = \"d_ap5\"\namount_mg_per_kg = 1.0\nroute = \"intraperitoneal\"\nat = \"1min\"\n",
        )),
        &[],
        &["interventions[0].drug", "no pharmacokinetics"],
    );
}

#[test]
fn times_without_a_unit_are_rejected_with_the_units_allowed() {
    assert_rejected(
        Some(&valid_plus(
            "[[interventions]]\nkind = \"corticosterone\"\nstart = \"10\"\nend = \"1h\"\nfold = 2.0\n",
        )),
        &[],
        &["has no unit", "ms, s, min, h, d"],
    );
    assert_rejected(
        Some(&valid_plus("[pharmacology]\nrecord_every = \"1500ms\"\n")),
        &[],
        &["pharmacology.record_every", "slow_dt_ms"],
    );
}

#[test]
fn an_unknown_base_scenario_is_named() {
    assert_rejected(
        Some("extends = \"pfc_basline\"\n"),
        &[],
        &["extends", "pfc_baseline"],
    );
}

#[test]
fn a_baseline_that_ends_before_it_starts_is_rejected() {
    assert_rejected(
        Some(&valid_plus(
            "[pharmacology]\nbaseline_from = \"2min\"\n\n[[interventions]]\nkind = \"corticosterone\"\nstart = \"1min\"\nend = \"1h\"\nfold = 2.0\n",
        )),
        &[],
        &[
            "pharmacology.baseline_from",
            "the baseline would be empty",
            "first intervention",
        ],
    );
}

#[test]
fn bad_validation_targets_name_the_target_and_what_is_allowed() {
    const TARGET: &str = "\n[[targets]]\nid = \"T-1\"\nclaim = \"c\"\nsource = \"s\"\n";
    let no_range = format!("{VALID}{TARGET}metric = {{ summary = \"activity.mean_rate_hz\" }}\n");
    assert_rejected(
        Some(&no_range),
        &[],
        &["targets[0].min", "a target needs a range"],
    );
    let bad_metric = format!(
        "{VALID}{TARGET}metric = {{ table = \"rates\", column = \"p\", at = \"10\" }}\nmin = 1.0\n"
    );
    assert_rejected(
        Some(&bad_metric),
        &[],
        &["targets[0].metric", "T-1", "has no unit"],
    );
}
