//! Parameter studies end to end: `synaptogen sweep` gives the same result table whatever
//! the number of jobs and threads, survives a SIGKILL at any moment, records failing runs
//! and goes on; `synaptogen analyze` reads what it wrote; the shipped studies are valid.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{repo, results_without_wall_time, synaptogen, text, write_study};

/// A study of the baseline network, reduced to an eighth and to 400 ms, over the two
/// background rates of the PFC: a Latin hypercube of 8 points × 2 replicates, with one
/// metric from summary.json and one from a table.
pub const STUDY: &str = include_str!("../fixtures/background_study.toml");

fn sweep(args: &[&str]) -> String {
    let output = synaptogen(args);
    assert!(output.status.success(), "{}", text(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn results_do_not_depend_on_jobs_or_threads() {
    let dir = tempfile::tempdir().unwrap();
    let study = write_study(dir.path(), STUDY);
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let threads = dir.path().join("threads");
    sweep(&[
        "sweep",
        &study,
        "--out",
        one.to_str().unwrap(),
        "--jobs",
        "1",
        "--quiet",
    ]);
    sweep(&[
        "sweep",
        &study,
        "--out",
        two.to_str().unwrap(),
        "--jobs",
        "2",
        "--quiet",
    ]);
    sweep(&[
        "sweep",
        &study,
        "--out",
        threads.to_str().unwrap(),
        "--jobs",
        "1",
        "--threads-per-run",
        "2",
        "--quiet",
    ]);
    let reference = results_without_wall_time(&one);
    assert_eq!(reference.lines().count(), 1 + 16);
    assert_eq!(reference, results_without_wall_time(&two));
    assert_eq!(reference, results_without_wall_time(&threads));
    assert!(
        reference.lines().skip(1).all(|l| l.ends_with(",ok,")),
        "{reference}"
    );
    // Replicates differ (their own seeds), and a higher background drives the pyramidal
    // cells harder: the metrics carry the simulation's answer, not a constant.
    let table: Vec<Vec<String>> = reference
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_ne!(table[0][6], table[1][6], "replicates 0 and 1 of point 0");
    let (low, high) =
        table
            .iter()
            .filter(|r| r[2] == "0")
            .fold((f64::MAX, f64::MIN), |(low, high), r| {
                let x: f64 = r[4].parse().unwrap();
                (low.min(x), high.max(x))
            });
    let rate_at = |target: f64| -> f64 {
        let row = table
            .iter()
            .filter(|r| r[2] == "0")
            .min_by(|a, b| {
                let da = (a[4].parse::<f64>().unwrap() - target).abs();
                let db = (b[4].parse::<f64>().unwrap() - target).abs();
                da.total_cmp(&db)
            })
            .unwrap();
        row[6].parse().unwrap()
    };
    assert!(rate_at(high) > rate_at(low), "{reference}");

    assert_parquet_matches_csv(&one);

    let analysis = sweep(&["analyze", one.to_str().unwrap()]);
    assert!(analysis.contains("16 of 16 runs ok"), "{analysis}");
    let points = std::fs::read_to_string(one.join("analysis/points.csv")).unwrap();
    assert_eq!(points.lines().count(), 1 + 8);
    assert!(
        points.starts_with(
            "point,bg_pyr_hz,bg_pv_hz,pyr_rate_hz_mean,pyr_rate_hz_sd,pyr_rate_hz_runs"
        )
    );
}

/// results.parquet, read with the parquet crate's own reader, holds results.csv's cells:
/// the same columns in the same order and the same values, typed.
fn assert_parquet_matches_csv(dir: &Path) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    let csv = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let file = std::fs::File::open(dir.join("results.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let mut rows = 0;
    for (line, row) in lines.zip(reader.get_row_iter(None).unwrap()) {
        rows += 1;
        let row = row.unwrap();
        let cells: Vec<&str> = line.split(',').collect();
        for (i, (name, field)) in row.get_column_iter().enumerate() {
            assert_eq!(name, header[i]);
            let same = match field {
                Field::Long(v) => cells[i] == v.to_string(),
                Field::ULong(v) => cells[i] == v.to_string(),
                Field::Double(v) if name == "wall_s" => {
                    (cells[i].parse::<f64>().unwrap() - v).abs() < 1e-3
                }
                Field::Double(v) => cells[i].parse::<f64>().unwrap().to_bits() == v.to_bits(),
                Field::Str(v) => cells[i] == v,
                Field::Null => cells[i].is_empty(),
                other => panic!("column {name}: unexpected {other:?}"),
            };
            assert!(same, "column {name}: csv {} vs parquet {field:?}", cells[i]);
        }
    }
    assert_eq!(rows, csv.lines().count() - 1);
    assert_eq!(reader.metadata().file_metadata().num_rows() as usize, rows);
}

#[test]
fn a_killed_study_resumes_to_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let study = write_study(dir.path(), STUDY);
    let whole = dir.path().join("whole");
    sweep(&["sweep", &study, "--out", whole.to_str().unwrap(), "--quiet"]);

    let killed = dir.path().join("killed");
    let journal = killed.join("journal.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_synaptogen"))
        .args([
            "sweep",
            &study,
            "--out",
            killed.to_str().unwrap(),
            "--quiet",
        ])
        .current_dir(repo())
        .spawn()
        .unwrap();
    let mut polls = 0;
    while std::fs::read_to_string(&journal).map_or(0, |j| j.lines().count()) < 5 {
        polls += 1;
        assert!(polls < 12_000, "the study did not get going in 2 min");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the study ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let recorded = std::fs::read_to_string(&journal).unwrap().lines().count();
    assert!(recorded < 16, "killed after {recorded} of 16 runs");
    // A kill in the middle of appending a record leaves a torn last line.
    let mut torn = std::fs::read_to_string(&journal).unwrap();
    torn.push_str("{\"run\":15,\"status\":\"o");
    std::fs::write(&journal, torn).unwrap();

    let resumed = sweep(&["sweep", &study, "--out", killed.to_str().unwrap()]);
    assert!(
        resumed.contains(&format!("{recorded} already done")),
        "{resumed}"
    );
    assert_eq!(
        results_without_wall_time(&whole),
        results_without_wall_time(&killed)
    );
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap().lines().count(),
        16,
        "every run recorded once"
    );
    let leftovers: Vec<_> = std::fs::read_dir(killed.join("runs"))
        .unwrap()
        .chain(std::fs::read_dir(&killed).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn failing_runs_are_recorded_and_the_study_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let grid = STUDY
        .replace("kind = \"latin_hypercube\"\npoints = 8", "kind = \"grid\"")
        .replace("replicates = 2", "replicates = 1")
        .replace(
            "distribution = \"uniform\"\nmin = 1.5\nmax = 3.0",
            "values = [2.0, -1.0]",
        )
        .replace(
            "distribution = \"log_uniform\"\nmin = 0.5\nmax = 2.0",
            "values = [0.9]",
        )
        .replace(
            "between = [\"200ms\", \"400ms\"]",
            "between = [\"200ms\", \"300ms\"]",
        );
    let study = write_study(dir.path(), &grid);
    let out = dir.path().join("out");
    let output = synaptogen(&[
        "sweep",
        &study,
        "--out",
        out.to_str().unwrap(),
        "--keep-runs",
    ]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("run 1: invalid: "),
        "the failure is reported as it happens: {}",
        text(&output)
    );
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let rows: Vec<&str> = results.lines().collect();
    assert!(rows[1].contains(",ok,"), "{results}");
    assert!(rows[2].contains(",invalid,"), "{results}");
    assert!(
        rows[2].contains("rate_hz"),
        "the error names the key: {results}"
    );
    assert!(out.join("runs/run-000000/summary.json").is_file());
    assert!(!out.join("runs/run-000001").exists());
}

#[test]
fn bad_studies_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            STUDY.replace("inputs.bg_pfc_pv.rate_hz", "inputs.bg_pfc_pv.rate"),
            "parameters[1] (inputs.bg_pfc_pv.rate): `inputs.bg_pfc_pv` has no `rate`; it has",
        ),
        (
            STUDY.replace("kind = \"latin_hypercube\"", "kind = \"latin\""),
            "design.kind: `latin` is not a design",
        ),
        (
            STUDY.replace("schema_version = 1\n", ""),
            "schema_version is missing",
        ),
        (
            STUDY.replace(
                "scenario = \"pfc_baseline\"",
                "scenario = \"no_such_scenario\"",
            ),
            "the base scenario",
        ),
    ];
    for (i, (study_text, expected)) in cases.iter().enumerate() {
        let case = dir.path().join(format!("case{i}"));
        std::fs::create_dir(&case).unwrap();
        let study = write_study(&case, study_text);
        let out = case.join("out");
        let output = synaptogen(&["sweep", &study, "--out", out.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected) && stderr.contains("study.in.toml"),
            "{stderr}\nexpected: {expected}"
        );
        assert!(!out.exists(), "nothing written for a bad study");
    }
    // A folder of another study is not overwritten.
    let study = write_study(dir.path(), STUDY);
    let out = dir.path().join("taken");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("study.toml"), "something else").unwrap();
    let output = synaptogen(&["sweep", &study, "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds another study"));
    let output = synaptogen(&["analyze", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
}

#[test]
fn shipped_studies_are_valid() {
    let folder = repo().join("assets/sweeps");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let out = sweep(&["sweep", path.to_str().unwrap(), "--dry-run"]);
            assert!(out.contains(" points valid"), "{out}");
            let line = out.lines().last().unwrap();
            let (valid, total) = line.split_once(" of ").unwrap();
            let total = total.split_whitespace().next().unwrap();
            assert_eq!(valid, total, "{}: {out}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 3, "the three ready studies");
}
