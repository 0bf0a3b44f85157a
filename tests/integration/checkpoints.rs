//! Checkpoints, resume and forks (issue 5): a run stopped or killed and resumed equals an
//! uninterrupted one byte for byte; a forked arm goes on exactly as the run it was taken
//! from would have; foreign checkpoints are refused with a clear error.
//!
//! The protocol is `ketamine_rat_10mgkg` cut to 22 min (10 min baseline, the dose, 12 min
//! after it) with 250-ms windows, in the baseline too (its default 6-s baseline windows
//! would make the test slower and weigh the drug-free stretch in the whole-run rates the
//! fork test compares): drugs, block, signalling, spines and windows all carry state across
//! the checkpoint.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{run_ok, summary, synaptogen, text};

const SHORT: [&str; 6] = [
    "--set",
    "simulation.duration_ms=1320000",
    "--set",
    "simulation.windows.spiking=250ms",
    "--set",
    "simulation.windows.baseline_spiking=250ms",
];

fn run_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        "ketamine_rat_10mgkg",
        "--out",
        out,
        "--quiet",
        "-j",
        "2",
    ];
    args.extend_from_slice(&SHORT);
    args.extend_from_slice(extra);
    args
}

/// Every file of a run folder but the checkpoints, by path relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.strip_prefix(dir).unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// The two folders hold the same files with the same bytes (summary.json outside its
/// `execution` block, which holds wall times and where the run resumed).
fn assert_same_run(expected: &Path, actual: &Path) {
    assert_eq!(files(expected), files(actual), "the same files");
    for name in files(expected) {
        if name == Path::new("summary.json") {
            let (mut x, mut y) = (summary(expected), summary(actual));
            x.as_object_mut().unwrap().remove("execution");
            y.as_object_mut().unwrap().remove("execution");
            assert_eq!(x, y, "summary.json differs outside `execution`");
        } else {
            assert!(
                fs::read(expected.join(&name)).unwrap() == fs::read(actual.join(&name)).unwrap(),
                "{} differs",
                name.display()
            );
        }
    }
}

/// The hidden partial folder of the run being written to `out`.
fn partial_of(out: &Path) -> Option<PathBuf> {
    let prefix = format!(".{}.partial-", out.file_name()?.to_str()?);
    fs::read_dir(out.parent()?)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&prefix)
        })
}

#[test]
fn a_run_stopped_or_killed_and_resumed_equals_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let whole = path("whole");
    run_ok(&run_args(whole.to_str().unwrap(), &[]));

    // Run T (11 min, a minute after the dose), stop with a checkpoint, resume to 2T.
    let stopped = path("stopped");
    let out = run_ok(&run_args(
        stopped.to_str().unwrap(),
        &["--stop-at", "11min"],
    ));
    assert!(!stopped.exists(), "a stopped run is not a finished folder");
    assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "quiet");
    let partial = partial_of(&stopped).expect("the stopped run's partial folder");
    assert_eq!(
        fs::read_dir(partial.join("checkpoints")).unwrap().count(),
        1,
        "one checkpoint, at the stop"
    );
    // A resume that fails (here: a stop before where the run stands) keeps the interrupted
    // run and its checkpoint.
    let early = synaptogen(&["resume", stopped.to_str().unwrap(), "--stop-at", "5min"]);
    assert_eq!(early.status.code(), Some(2), "{}", text(&early));
    assert!(String::from_utf8_lossy(&early.stderr).contains("--stop-at 5.00 min"));
    assert!(
        partial.join("checkpoints").is_dir(),
        "the partial folder survives"
    );
    // Resumed on one thread: the thread count never changes a result.
    run_ok(&["resume", stopped.to_str().unwrap(), "--quiet", "-j", "1"]);
    assert!(
        !partial.exists(),
        "the partial folder became the run folder"
    );
    assert_same_run(&whole, &stopped);
    let resumed = summary(&stopped);
    assert_eq!(
        resumed["execution"]["resumed_from"]["model_time_ms"].as_f64(),
        Some(660_000.0)
    );

    // Killed (SIGKILL) after its second rolling checkpoint, mid-way through writing.
    let killed = path("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_synaptogen"))
        .args(run_args(
            killed.to_str().unwrap(),
            &["--checkpoint-every", "4min"],
        ))
        .current_dir(crate::support::repo())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let second = "step-000004800000.ckpt"; // 8 min
    // Polled every 20 ms, for at most 5 minutes (no clock read: clippy keeps those out).
    let mut polls = 0;
    while !partial_of(&killed).is_some_and(|p| p.join("checkpoints").join(second).exists()) {
        polls += 1;
        assert!(polls < 15_000, "no checkpoint within 5 minutes");
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !killed.exists(),
        "a killed run leaves no folder that looks complete"
    );
    let partial = partial_of(&killed).unwrap();
    assert!(!partial.join("summary.json").exists());
    let checkpoints: Vec<String> = fs::read_dir(partial.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        checkpoints.iter().all(|c| c.ends_with(".ckpt")),
        "no temporary checkpoint survives a kill or is listed: {checkpoints:?}"
    );
    run_ok(&["resume", killed.to_str().unwrap(), "--quiet"]);
    assert_same_run(&whole, &killed);
    assert_eq!(
        fs::read_dir(killed.join("checkpoints")).unwrap().count(),
        1,
        "rolling checkpoints: only the newest is kept"
    );
}

#[test]
fn a_forked_arm_goes_on_as_its_origin_would_and_arms_differ_by_their_intervention() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let vehicle = ["--set", "interventions.0.amount_mg_per_kg=0.0"];
    // The shared past: the vehicle arm (the dose comes at 10 min), kept at 9 min. (Its
    // duration is the arms': the baseline closes at the first intervention or the end.)
    let base = path("base");
    let mut args = run_args(base.to_str().unwrap(), &vehicle);
    args.extend_from_slice(&["--checkpoint-at", "9min"]);
    run_ok(&args);
    let checkpoint = base.join("checkpoints").join("step-000005400000.ckpt");
    assert!(checkpoint.exists(), "--checkpoint-at keeps its checkpoint");
    let from = checkpoint.to_str().unwrap();

    let arm = |name: &str, extra: &[&str]| -> PathBuf {
        let out = path(name);
        let mut args = run_args(out.to_str().unwrap(), &["--from", from]);
        args.extend_from_slice(extra);
        run_ok(&args);
        out
    };
    let ketamine = arm("ketamine", &[]);
    let saline = arm("saline", &vehicle);

    // Up to the dose the vehicle and ketamine protocols are the same, so the ketamine arm
    // forked at 9 min is the straight ketamine run from then on: every output file of the
    // arm is the tail of the straight run's, and the summaries (which cover the whole
    // protocol) are equal.
    let straight = path("straight");
    run_ok(&run_args(straight.to_str().unwrap(), &[]));
    for name in files(&ketamine) {
        if name.extension().is_some_and(|e| e == "csv") {
            let whole = fs::read_to_string(straight.join(&name)).unwrap();
            let forked = fs::read_to_string(ketamine.join(&name)).unwrap();
            let (header, rows) = forked.split_once('\n').unwrap();
            assert!(
                whole.starts_with(header),
                "{}: same columns",
                name.display()
            );
            assert!(
                whole.ends_with(rows),
                "{}: the arm's rows are the straight run's last rows",
                name.display()
            );
        }
    }
    let rates = fs::read_to_string(ketamine.join("rates.csv")).unwrap();
    let first: f64 = rates
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(first, 540_000.0, "the arm's output starts at the fork");
    let results = |dir: &Path| {
        let mut s = summary(dir);
        s.as_object_mut().unwrap().remove("execution");
        s.as_object_mut().unwrap().remove("forked_from");
        s
    };
    assert_eq!(
        results(&ketamine),
        results(&straight),
        "the summary of the whole protocol"
    );
    assert_eq!(
        summary(&ketamine)["forked_from"]["model_time_ms"].as_f64(),
        Some(540_000.0)
    );
    assert_eq!(
        results(&saline),
        results(&base),
        "the saline arm is the vehicle run"
    );
    // The arms differ by their intervention only:
    // ketamine disinhibits the pyramidal cells (TARGETS.md C-01), the vehicle does not.
    let pyr = |dir: &Path| crate::support::rate(&summary(dir), "pfc_pyr");
    assert!(
        pyr(&ketamine) > 1.3 * pyr(&saline),
        "pyramidal rate: ketamine {} Hz, saline {} Hz",
        pyr(&ketamine),
        pyr(&saline)
    );

    // An arm whose past differs from the checkpoint's is refused.
    let bad = synaptogen(&run_args(
        path("bad").to_str().unwrap(),
        &["--from", from, "--set", "interventions.0.at=5min"],
    ));
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("interventions up to that time differ"),
        "{err}"
    );
    assert!(!path("bad").exists());
}

#[test]
fn foreign_and_missing_checkpoints_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let base = path("base");
    run_ok(&[
        "run",
        "pfc_baseline",
        "--out",
        base.to_str().unwrap(),
        "--quiet",
        "--set",
        "simulation.duration_ms=40",
        "--checkpoint-at",
        "20ms",
    ]);
    let checkpoint = base.join("checkpoints").join("step-000000000200.ckpt");
    let bytes = fs::read(&checkpoint).unwrap();
    let text_part = String::from_utf8_lossy(&bytes[..200]).into_owned();
    assert!(text_part.starts_with("synaptogen-checkpoint\n{\"checkpoint_version\":2,"));

    // Another format version.
    let other = path("other.ckpt");
    let mut changed = bytes.clone();
    let at = "synaptogen-checkpoint\n{\"checkpoint_version\":".len();
    changed[at] = b'7';
    fs::write(&other, &changed).unwrap();
    let arm = dir.path().join("arm");
    let fork = |from: &Path, extra: &[&str]| {
        let mut args = vec![
            "run",
            "pfc_baseline",
            "--out",
            arm.to_str().unwrap(),
            "--quiet",
            "--from",
            from.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        synaptogen(&args)
    };
    let out = fork(&other, &["--set", "simulation.duration_ms=40"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("other.ckpt")
            && err.contains("checkpoint_version 7")
            && err.contains("reads checkpoint_version 2"),
        "{err}"
    );

    // A truncated file.
    let truncated = path("truncated.ckpt");
    fs::write(&truncated, &bytes[..bytes.len() - 10]).unwrap();
    let out = fork(&truncated, &["--set", "simulation.duration_ms=40"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"));

    // Another network.
    let out = fork(
        &checkpoint,
        &[
            "--set",
            "simulation.duration_ms=40",
            "--set",
            "populations.pfc_pyr.size=100",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("population sizes"),
        "{}",
        text(&out)
    );

    // Nothing to resume.
    let out = synaptogen(&["resume", path("nothing").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no interrupted run"));
    let out = synaptogen(&["resume", base.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("finished run"));

    // Bad flags.
    for (flag, value) in [("--checkpoint-every", "0h"), ("--checkpoint-every", "soon")] {
        let out = synaptogen(&["run", "pfc_baseline", "--quiet", flag, value]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains(flag));
    }
}
