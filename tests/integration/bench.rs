//! `synaptogen bench`: every benchmark runs at a small size and writes the records it
//! prints, and `--compare` without the peers says so and still succeeds.

use std::process::Command;

use crate::support::{synaptogen, text};

fn records(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn scale_runs_every_size_and_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("scale.jsonl");
    let output = synaptogen(&[
        "bench",
        "scale",
        "--sizes",
        "400,1600",
        "--seconds",
        "0.1",
        "--reps",
        "2",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output));
    let records = records(&json);
    let sizes: Vec<u64> = records
        .iter()
        .map(|r| r["neurons"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [400, 400, 1600, 1600]);
    for r in &records {
        // Mean in-degree 80 at every size (Bernoulli draws: within 5 %).
        let in_degree = r["synapses"].as_f64().unwrap() / r["neurons"].as_f64().unwrap();
        assert!((in_degree - 80.0).abs() < 4.0, "{r}");
        assert_eq!(r["simulator"], "synaptogen");
        assert!(r["simulation_s"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn structural_counts_its_spines_and_steps() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("structural.jsonl");
    let output = synaptogen(&[
        "bench",
        "structural",
        "--spines",
        "45000",
        "--seconds",
        "7200",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output));
    let r = &records(&json)[0];
    // 45 000 spines at 150 per cell: 300 cells; two hourly steps in 2 h; turnover of a
    // few per cent per two weeks (Zuo et al. 2005) leaves the count within 1 %.
    assert_eq!(r["neurons"], 300);
    assert_eq!(r["structural_steps"], 2);
    let spines = r["spines"].as_u64().unwrap();
    assert!((44_550..=45_450).contains(&spines), "{r}");
    assert!(r["bytes_per_synapse"].as_f64().unwrap() > 4.0, "{r}");
}

#[test]
fn compare_without_the_peers_says_so() {
    let output = Command::new(env!("CARGO_BIN_EXE_synaptogen"))
        .args([
            "bench",
            "coba",
            "--neurons",
            "400",
            "--seconds",
            "0.05",
            "--compare",
        ])
        .env("BRIAN_PY", "/nonexistent/python")
        .env("NEST_PY", "/nonexistent/python")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("brian2: not installed (set $BRIAN_PY"),
        "{stdout}"
    );
    assert!(
        stdout.contains("nest: not installed (set $NEST_PY"),
        "{stdout}"
    );

    let refused = synaptogen(&["bench", "ketamine", "--compare"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("--compare: the peers run only coba and scale"));
}
