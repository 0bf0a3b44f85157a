//! The run folder is a public interface: its files, columns and summary fields.

use std::fs;

use crate::support::{run_ok, summary};

#[test]
fn a_run_writes_every_documented_file_with_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = run_ok(&[
        "run",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "simulation.duration_ms=100",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("pfc_pyr") && stdout.contains("output:"),
        "summary printed:\n{stdout}"
    );

    let header = |file: &str| {
        fs::read_to_string(out.join(file))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("spikes.csv"), "time_ms,neuron");
    assert_eq!(
        header("populations.csv"),
        "population,region,cell_type,first_neuron,size"
    );
    assert_eq!(
        header("rates.csv"),
        "time_ms,pfc_pv,pfc_pyr,pfc_sst,vhpc_ca1,vhpc_ca3,vhpc_pv"
    );
    assert!(header("state.csv").starts_with("time_ms,pfc_pyr/0/v_mv,"));
    assert!(
        fs::read_to_string(out.join("scenario.toml"))
            .unwrap()
            .contains("schema_version = 1")
    );

    // 100 ms in 10 ms bins: 10 rows of rates.
    assert_eq!(
        fs::read_to_string(out.join("rates.csv"))
            .unwrap()
            .lines()
            .count(),
        11
    );
    // Spike times lie in the run and neuron ids in the network.
    let s = summary(&out);
    let neurons = s["network"]["neurons"].as_u64().unwrap();
    let mut spikes = 0;
    for line in fs::read_to_string(out.join("spikes.csv"))
        .unwrap()
        .lines()
        .skip(1)
    {
        let (t, n) = line.split_once(',').unwrap();
        let (t, n): (f64, u64) = (t.parse().unwrap(), n.parse().unwrap());
        assert!((0.0..100.0).contains(&t) && n < neurons, "{line}");
        spikes += 1;
    }
    assert_eq!(
        s["activity"]["spikes"].as_u64().unwrap(),
        spikes,
        "every spike recorded"
    );

    for key in [
        "summary_version",
        "synaptogen_version",
        "seed",
        "dt_ms",
        "duration_ms",
        "network",
        "activity",
        "execution",
    ] {
        assert!(s.get(key).is_some(), "summary.json lacks {key}");
    }
    for key in [
        "threads",
        "build_wall_s",
        "simulation_wall_s",
        "real_time_factor",
        "events_per_wall_s",
    ] {
        assert!(s["execution"].get(key).is_some(), "execution lacks {key}");
    }
    assert!(s["network"]["synapses"].as_u64().unwrap() > 0);
    assert!(s["activity"]["synaptic_events"].as_u64().unwrap() > 0);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "only the run folder: {leftovers:?}");
}

#[test]
fn recording_can_be_narrowed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_ok(&[
        "run",
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--set",
        "simulation.duration_ms=50",
        "--set",
        "recording.spikes=[\"pfc_pv\"]",
        "--set",
        "recording.state=[]",
    ]);
    let pv_size: u32 = 120;
    for line in fs::read_to_string(out.join("spikes.csv"))
        .unwrap()
        .lines()
        .skip(1)
    {
        let n: u32 = line.split(',').nth(1).unwrap().parse().unwrap();
        assert!(n < pv_size, "only pfc_pv (ids 0..120) recorded: {line}");
    }
    assert!(!out.join("state.csv").exists());
}
