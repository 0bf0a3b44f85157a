//! The `mpi` feature: `mpirun -np 2 synaptogen sweep` gives the study table one process
//! gives. Built and run only with the feature (`cargo test --release --features mpi --test
//! mpi`; needs Open MPI or MPICH, and `mpirun` on the PATH), as `.ci/run` does.

use std::process::Command;

#[allow(dead_code)] // Shared with the integration tests; this test uses a few helpers.
#[path = "integration/support.rs"]
mod support;

use support::{repo, results_without_wall_time, synaptogen, text, write_study};

/// `mpirun -np 2 synaptogen sweep` shares the runs out over two ranks and writes the table
/// one process writes; a study cut short is resumed under MPI to the same table.
#[test]
fn mpi_ranks_write_the_table_one_process_writes() {
    let mpirun = |args: &[&str]| -> String {
        let output = Command::new("mpirun")
            .args(["--allow-run-as-root", "--oversubscribe", "-np", "2"])
            .arg(env!("CARGO_BIN_EXE_synaptogen"))
            .args(args)
            .current_dir(repo())
            .output()
            .expect("mpirun starts (Debian: apt-get install openmpi-bin libopenmpi-dev)");
        assert!(output.status.success(), "{}", text(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let dir = tempfile::tempdir().unwrap();
    // Runs of 2 s (about 0.1 s of work each): long enough that rank 1 is asking for work
    // while rank 0 still has runs to give.
    let study_text = include_str!("fixtures/background_study.toml")
        .replace("duration_ms=400", "duration_ms=2000");
    let study = write_study(dir.path(), &study_text);
    let single = dir.path().join("single");
    let ranks = dir.path().join("ranks");
    let output = synaptogen(&[
        "sweep",
        &study,
        "--out",
        single.to_str().unwrap(),
        "--jobs",
        "1",
        "--quiet",
    ]);
    assert!(output.status.success(), "{}", text(&output));
    let printed = mpirun(&["sweep", &study, "--out", ranks.to_str().unwrap()]);
    let reference = results_without_wall_time(&single);
    assert_eq!(reference.lines().count(), 1 + 16);
    assert_eq!(reference, results_without_wall_time(&ranks));
    let per_rank: Vec<usize> = printed
        .lines()
        .find_map(|l| l.strip_prefix("runs per rank: "))
        .unwrap_or_else(|| panic!("no tally of runs per rank in:\n{printed}"))
        .split(", ")
        .map(|r| r.split_once(": ").unwrap().1.parse().unwrap())
        .collect();
    assert_eq!(per_rank.len(), 2, "{printed}");
    assert_eq!(per_rank.iter().sum::<usize>(), 16, "{printed}");
    assert!(per_rank.iter().all(|&r| r > 0), "both ranks ran: {printed}");

    // The first five records and a torn sixth, as a kill leaves them.
    let resumed = dir.path().join("resumed");
    std::fs::create_dir(&resumed).unwrap();
    std::fs::write(resumed.join("study.toml"), &study_text).unwrap();
    let journal = std::fs::read_to_string(ranks.join("journal.jsonl")).unwrap();
    let mut cut: String = journal.split_inclusive('\n').take(5).collect();
    cut.push_str("{\"run\":3,\"stat");
    std::fs::write(resumed.join("journal.jsonl"), cut).unwrap();
    let printed = mpirun(&["sweep", &study, "--out", resumed.to_str().unwrap()]);
    assert!(printed.contains("5 already done"), "{printed}");
    assert_eq!(reference, results_without_wall_time(&resumed));
}
