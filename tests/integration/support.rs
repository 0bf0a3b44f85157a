//! Helpers: run the binary, read its outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `assets/` lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `synaptogen ARGS` in `dir`.
pub fn synaptogen_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synaptogen"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary starts")
}

/// Runs `synaptogen ARGS` in the repository root.
pub fn synaptogen(args: &[&str]) -> Output {
    synaptogen_in(&repo(), args)
}

/// Stdout and stderr as text, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs a scenario into `out` and asserts success.
pub fn run_ok(args: &[&str]) -> Output {
    let output = synaptogen(args);
    assert!(output.status.success(), "{}", text(&output));
    output
}

/// `summary.json` of a run folder.
pub fn summary(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("valid JSON")
}

/// The rate (Hz) of population `name` in a summary.
pub fn rate(summary: &serde_json::Value, name: &str) -> f64 {
    population(summary, name)["rate_hz"]
        .as_f64()
        .expect("rate_hz")
}

/// The entry of population `name` in a summary.
pub fn population<'a>(summary: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    summary["activity"]["populations"]
        .as_array()
        .expect("populations")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("population {name} in summary"))
}

/// An eighth of the default network (same cell types, connection probabilities, inputs).
pub const SMALL_NETWORK: [&str; 12] = [
    "--set",
    "populations.pfc_pyr.size=100",
    "--set",
    "populations.pfc_pv.size=15",
    "--set",
    "populations.pfc_sst.size=10",
    "--set",
    "populations.vhpc_ca3.size=50",
    "--set",
    "populations.vhpc_ca1.size=50",
    "--set",
    "populations.vhpc_pv.size=12",
];

/// Writes study file `text` into `dir`; returns its path.
pub fn write_study(dir: &Path, text: &str) -> String {
    let path = dir.join("study.in.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// results.csv without its last column (wall_s): the part that must be reproducible.
pub fn results_without_wall_time(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("results.csv"))
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_owned() + "\n")
        .collect()
}
