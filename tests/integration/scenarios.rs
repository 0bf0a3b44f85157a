//! Every shipped scenario validates and runs; the README's commands work.

use std::fs;

use crate::support::{population, repo, run_ok, summary, synaptogen, text};

fn scenario_files() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for dir in [
        "assets/scenarios",
        "assets/scenarios/examples",
        "assets/scenarios/validation",
    ] {
        for entry in fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_validates_and_runs() {
    let files = scenario_files();
    assert!(files.len() >= 4, "{files:?}");
    let dir = tempfile::tempdir().unwrap();
    for (i, file) in files.iter().enumerate() {
        let path = file.to_str().unwrap();
        let output = synaptogen(&["validate", path]);
        assert!(output.status.success(), "{path}: {}", text(&output));
        let out = dir.path().join(format!("r{i}"));
        run_ok(&[
            "run",
            path,
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--set",
            "simulation.duration_ms=50",
        ]);
        assert!(out.join("summary.json").exists(), "{path}");
    }
}

#[test]
fn built_in_scenarios_match_their_files() {
    // `synaptogen run coba` uses the copy inside the binary; it must be the file.
    for name in ["coba", "pfc_baseline"] {
        let output = synaptogen(&["validate", name, "--print"]);
        assert!(output.status.success(), "{}", text(&output));
        let file = repo().join(format!("assets/scenarios/{name}.toml"));
        let from_file = synaptogen(&["validate", file.to_str().unwrap(), "--print"]);
        assert_eq!(output.stdout, from_file.stdout, "{name}");
    }
}

#[test]
fn readme_commands_are_the_ones_that_work() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains("cargo run --release -- run"),
        "README gives the run command"
    );
    assert!(
        readme.contains("cargo test --workspace --release"),
        "README gives the test command"
    );
    let ci = fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --workspace --release"),
        ".ci/run calls the README's test command"
    );
}

#[test]
fn list_names_every_built_in() {
    let output = synaptogen(&["list"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for name in [
        "coba",
        "pfc_baseline",
        "pfc_l5_pyramidal",
        "pfc_pv_basket",
        "pfc_sst",
        "ca1_pyramidal",
        "ca3_pyramidal",
    ] {
        assert!(stdout.contains(name), "{name} missing:\n{stdout}");
    }
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    // `synaptogen bench coba ... | head -1`: the reader leaves after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_synaptogen"))
        .args([
            "bench",
            "coba",
            "--neurons",
            "400",
            "--seconds",
            "0.05",
            "--reps",
            "3",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("coba N=400"), "{first}");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?} {stderr}", output.status);
}

/// A windowed run says how it covered model time, and its rates and ISI CVs are those of
/// the spiking: spikes per second of spiking, no interval across a gap. Checked against
/// spikes.csv: COBA for 4 s, 200 ms of spiking every second.
#[test]
fn a_windowed_run_reports_its_schedule_and_statistics_of_the_spiking() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w");
    run_ok(&[
        "run",
        "coba",
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--set",
        "simulation.duration_ms=4000.0",
        "--set",
        r#"simulation.windows={ spiking = "200ms", every = "1s" }"#,
    ]);
    let s = summary(&out);
    assert_eq!(s["schedule"]["mode"], "bridged");
    assert_eq!(s["schedule"]["windows"], 4);
    assert_eq!(s["schedule"]["spiking_ms"], 800.0);

    // Spike times per neuron, from the spike file.
    let text = fs::read_to_string(out.join("spikes.csv")).unwrap();
    let mut times: std::collections::BTreeMap<u32, Vec<f64>> = Default::default();
    for line in text.lines().skip(1) {
        let (t, n) = line.split_once(',').unwrap();
        times
            .entry(n.parse().unwrap())
            .or_default()
            .push(t.parse().unwrap());
    }
    for (name, range) in [("e", 0..3200u32), ("i", 3200..4000)] {
        let p = population(&s, name);
        let spikes: usize = range
            .clone()
            .filter_map(|n| times.get(&n))
            .map(Vec::len)
            .sum();
        let rate = spikes as f64 / (range.len() as f64 * 0.8);
        assert!(
            (p["rate_hz"].as_f64().unwrap() - rate).abs() < 1e-9,
            "{name}: {p}"
        );
        // ISIs within each 1-s window only.
        let (mut sum, mut count) = (0.0, 0);
        for n in range {
            let isis: Vec<f64> = times
                .get(&n)
                .map(|t| {
                    t.windows(2)
                        .filter(|w| (w[0] / 1000.0).floor() == (w[1] / 1000.0).floor())
                        .map(|w| w[1] - w[0])
                        .collect()
                })
                .unwrap_or_default();
            if isis.len() >= 2 {
                let k = isis.len() as f64;
                let mean = isis.iter().sum::<f64>() / k;
                let var = isis.iter().map(|x| x * x).sum::<f64>() / k - mean * mean;
                sum += var.max(0.0).sqrt() / mean;
                count += 1;
            }
        }
        let cv = sum / f64::from(count);
        let reported = p["cv_isi"].as_f64().unwrap();
        assert!(
            (reported - cv).abs() < 1e-6,
            "{name}: CV {reported} vs {cv}"
        );
    }
}
