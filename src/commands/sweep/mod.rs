//! `synaptogen sweep`: every run of a study, several at a time, into one study folder whose
//! journal makes the study resumable after a kill at any moment.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

use synaptogen_scenario::Override;
use synaptogen_study::results::{self, JOURNAL, RESULTS, RESULTS_PARQUET};
use synaptogen_study::{Plan, PlannedRun, RunRecord, Status, Study};

use crate::checkpoint::CheckpointPlan;
use crate::cli::SweepArgs;
use crate::failure::{Failure, Internal};
use crate::output::outln;
use crate::run_folder::{RunFolder, write_atomic};
use crate::timing::Stopwatch;

use super::run::{Options, Outcome, Start, execute};

#[cfg(feature = "mpi")]
mod cluster;

/// The copy of the study file in a study folder.
pub const STUDY_FILE: &str = "study.toml";
/// The plan of every run.
const PLAN_FILE: &str = "plan.csv";
/// Marks a study folder in use by a running sweep (holds its process id).
const LOCK_FILE: &str = ".sweep.lock";
/// The kept run folders.
const RUNS_FOLDER: &str = "runs";
/// The longest the result tables may lag behind the journal while runs finish, s.
const REFRESH_S: f64 = 2.0;

pub fn run(args: SweepArgs) -> Result<(), Failure> {
    if args.jobs == Some(0) || args.threads_per_run == Some(0) {
        return Err(Failure::input(
            "--jobs and --threads-per-run must be at least 1",
        ));
    }
    #[cfg(feature = "mpi")]
    if let Some(cluster) = cluster::Cluster::join()? {
        return cluster.sweep(&args);
    }
    let study = Prepared::read(&args)?;
    if args.dry_run {
        return dry_run(&study.study, &study.plan);
    }
    let session = Session::open(&args, &study)?;
    let budget = Budget::of(&args, session.pending.len(), cores());
    session.announce(&budget, 1);
    let queue = Queue::of(&session.pending);
    work(
        &study.context(&args, &session.dir, budget.threads_per_run),
        budget.jobs,
        &|| queue.take(),
        &|record| session.store.add(record),
    )?;
    session.finish()
}

/// The cores of this machine.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A study file read, its plan made and its parameters checked against the base scenario.
struct Prepared {
    /// The study file as given (stored in the folder; a restart must give the same).
    text: String,
    study: Study,
    plan: Plan,
}

impl Prepared {
    fn read(args: &SweepArgs) -> Result<Self, Failure> {
        let text = fs::read_to_string(&args.study).map_err(|e| {
            Failure::input(format!(
                "{}: cannot read the study file: {e}",
                args.study.display()
            ))
        })?;
        let base_dir = args
            .study
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let study = Study::parse(&args.study.display().to_string(), &text, base_dir)
            .map_err(Failure::input)?;
        let plan = Plan::of(&study);
        check_parameters(&study, &plan)?;
        Ok(Self { text, study, plan })
    }

    /// The study folder: --out, or studies/NAME.
    fn folder(&self, args: &SweepArgs) -> PathBuf {
        args.out
            .clone()
            .unwrap_or_else(|| PathBuf::from("studies").join(&self.study.spec.name))
    }

    fn context<'a>(&'a self, args: &SweepArgs, dir: &'a Path, threads: usize) -> RunContext<'a> {
        RunContext {
            study: &self.study,
            plan: &self.plan,
            dir,
            threads,
            keep: args.keep_runs,
        }
    }
}

/// How many runs go at a time and how many threads each gets.
struct Budget {
    jobs: usize,
    threads_per_run: usize,
}

impl Budget {
    /// --jobs (default: one per core, at most the runs left) and --threads-per-run
    /// (default: the cores shared out between the jobs).
    fn of(args: &SweepArgs, runs: usize, cores: usize) -> Self {
        let jobs = args.jobs.unwrap_or(cores).min(runs).max(1);
        Self {
            jobs,
            threads_per_run: args.threads_per_run.unwrap_or((cores / jobs).max(1)),
        }
    }
}

/// The study folder held by this sweep: the journal read, the runs still to do, and the
/// store their records go to.
struct Session<'a> {
    _lock: StudyFolder,
    dir: PathBuf,
    study: &'a Prepared,
    pending: Vec<PlannedRun>,
    store: Store<'a>,
    clock: Stopwatch,
}

impl<'a> Session<'a> {
    /// Opens (or creates) the study folder, writes plan.csv and reads what the journal
    /// already holds.
    fn open(args: &SweepArgs, prepared: &'a Prepared) -> Result<Self, Failure> {
        let dir = prepared.folder(args);
        let lock = StudyFolder::open(&dir, &prepared.text, args)?;
        let (study, plan) = (&prepared.study, &prepared.plan);
        write_atomic(&dir.join(PLAN_FILE), plan_table(study, plan).as_bytes())?;
        let journal_path = dir.join(JOURNAL);
        let done = read_journal(&journal_path, plan)?;
        let mut recorded = vec![false; plan.runs.len()];
        for record in &done {
            recorded[record.run] = true;
        }
        let pending: Vec<PlannedRun> = plan
            .runs
            .iter()
            .filter(|r| !recorded[r.run])
            .copied()
            .collect();
        let journal = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&journal_path)
            .internal(format!("cannot open {}", journal_path.display()))?;
        let progress = progress_bar(plan.runs.len() as u64, done.len() as u64, args.quiet);
        let store = Store {
            journal: Mutex::new((journal, done, Stopwatch::start())),
            dir: dir.clone(),
            study,
            plan,
            progress,
            quiet: args.quiet,
        };
        Ok(Self {
            _lock: lock,
            dir,
            study: prepared,
            pending,
            store,
            clock: Stopwatch::start(),
        })
    }

    /// The line that opens the study on the terminal; `ranks` > 1 under MPI.
    fn announce(&self, budget: &Budget, ranks: usize) {
        if self.store.quiet {
            return;
        }
        let (study, plan) = (&self.study.study, &self.study.plan);
        let on = if ranks > 1 {
            format!(" on each of {ranks} MPI ranks")
        } else {
            String::new()
        };
        outln!(
            "study {}: {} runs ({} points × {} replicates), {} already done; {} at a time{on}, \
             {} thread(s) each",
            study.spec.name,
            plan.runs.len(),
            plan.points.len(),
            study.spec.replicates,
            plan.runs.len() - self.pending.len(),
            budget.jobs,
            budget.threads_per_run,
        );
    }

    /// Writes the final results.csv and prints the tally.
    fn finish(self) -> Result<(), Failure> {
        self.store.progress.finish_and_clear();
        let records = self.store.write_results()?;
        if !self.store.quiet {
            let count = |s: Status| records.iter().filter(|r| r.status == s).count();
            let ran = self.pending.len();
            let wall_s = self.clock.seconds();
            outln!(
                "{} ok, {} invalid, {} failed of {} runs; {ran} run now in {wall_s:.1} s ({:.0} runs/hour)",
                count(Status::Ok),
                count(Status::Invalid),
                count(Status::Failed),
                self.study.plan.runs.len(),
                if wall_s > 0.0 {
                    ran as f64 * 3600.0 / wall_s
                } else {
                    0.0
                }
            );
            outln!("results: {}", self.dir.join(RESULTS).display());
        }
        Ok(())
    }
}

/// The runs still to do, taken in plan order by whichever worker (or MPI rank) is free.
struct Queue<'a> {
    runs: &'a [PlannedRun],
    next: AtomicUsize,
}

impl<'a> Queue<'a> {
    fn of(runs: &'a [PlannedRun]) -> Self {
        Self {
            runs,
            next: AtomicUsize::new(0),
        }
    }

    fn take(&self) -> Option<PlannedRun> {
        self.runs
            .get(self.next.fetch_add(1, Ordering::Relaxed))
            .copied()
    }
}

/// What every run of a study needs besides its own place in the plan.
struct RunContext<'a> {
    study: &'a Study,
    plan: &'a Plan,
    dir: &'a Path,
    /// Worker threads of each run.
    threads: usize,
    /// Keep each run's folder.
    keep: bool,
}

/// Runs the study's runs on `jobs` workers, each taking the next run from `next` until it
/// has none and handing its record to `finish`; the first error of `finish` stops that
/// worker and is returned once all have stopped.
fn work(
    context: &RunContext,
    jobs: usize,
    next: &(dyn Fn() -> Option<PlannedRun> + Sync),
    finish: &(dyn Fn(RunRecord) -> Result<(), Failure> + Sync),
) -> Result<(), Failure> {
    let worker = || -> Result<(), Failure> {
        while let Some(planned) = next() {
            finish(one_run(context, &planned))?;
        }
        Ok(())
    };
    let outcomes: Vec<Mutex<Result<(), Failure>>> = (0..jobs).map(|_| Mutex::new(Ok(()))).collect();
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("sweep-{i}"))
        .build()
        .internal("cannot start the study's worker threads")?
        .scope(|s| {
            for outcome in &outcomes {
                s.spawn(|_| *outcome.lock().expect("one writer") = worker());
            }
        });
    for outcome in outcomes {
        outcome.into_inner().expect("workers finished")?;
    }
    Ok(())
}

/// Refuses a parameter whose key the base scenario does not have: a key of the scenario
/// with every default filled in passes, and so does one the scenario accepts when set (a
/// constant of a shipped drug, laid over the library's); otherwise the error names the
/// parameter and what the scenario has at that place.
fn check_parameters(study: &Study, plan: &Plan) -> Result<(), Failure> {
    let overrides = study
        .spec
        .set
        .iter()
        .map(|s| {
            Override::parse(s).map_err(|e| Failure::input(format!("{}: set: {e}", study.file)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let base = super::load(&study.scenario(), &overrides).map_err(|e| {
        Failure::input(format!("{}: the base scenario: {}", study.file, message(e)))
    })?;
    let resolved = toml::Value::Table(
        toml::from_str(&base.to_toml()).internal("the resolved scenario does not parse")?,
    );
    for (i, p) in study.parameters.iter().enumerate() {
        let Err(missing) = find_key(&resolved, &p.key) else {
            continue;
        };
        let mut with_value = overrides.clone();
        let sample = format!("{}={}", p.key, plan.points[0].values[i]);
        with_value.push(Override::parse(&sample).map_err(Failure::input)?);
        if let Err(e) = super::load(&study.scenario(), &with_value) {
            return Err(Failure::input(format!(
                "{}: parameters[{i}] ({}): {missing}; setting it fails: {}",
                study.file,
                p.key,
                message(e)
            )));
        }
    }
    Ok(())
}

/// Walks `key` (dotted; array elements by index) into `root`; the error says where the path
/// ends and what is there.
fn find_key(root: &toml::Value, key: &str) -> Result<(), String> {
    let mut here = root;
    let mut path = Vec::new();
    for segment in key.split('.') {
        let found = match here {
            toml::Value::Table(t) => t.get(segment),
            toml::Value::Array(a) => segment.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        let Some(next) = found else {
            let has = match here {
                toml::Value::Table(t) => t.keys().cloned().collect::<Vec<_>>().join(", "),
                toml::Value::Array(a) => format!("indices 0..{}", a.len()),
                other => format!("the value {other}"),
            };
            let at = if path.is_empty() {
                "the scenario".to_owned()
            } else {
                format!("`{}`", path.join("."))
            };
            return Err(format!("{at} has no `{segment}`; it has {has}"));
        };
        path.push(segment);
        here = next;
    }
    Ok(())
}

/// `--dry-run`: the plan, and the points whose scenario is not valid.
fn dry_run(study: &Study, plan: &Plan) -> Result<(), Failure> {
    outln!(
        "study {}: {} design, {} points × {} replicates = {} runs",
        study.spec.name,
        study.spec.design.kind,
        plan.points.len(),
        study.spec.replicates,
        plan.runs.len()
    );
    let mut invalid = 0;
    for point in 0..plan.points.len() {
        let loaded = plan
            .overrides(study, point)
            .iter()
            .map(|s| Override::parse(s).map_err(Failure::input))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|o| super::load(&study.scenario(), &o));
        if let Err(e) = loaded {
            invalid += 1;
            outln!("point {point}: invalid: {}", message(e));
        }
    }
    outln!(
        "{} of {} points valid; metrics: {}",
        plan.points.len() - invalid,
        plan.points.len(),
        study
            .metrics
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// One run of the plan, start to record: its scenario, the simulation in a run folder, its
/// metrics. Never fails: whatever goes wrong is the record's status and error.
fn one_run(context: &RunContext, planned: &PlannedRun) -> RunRecord {
    let RunContext {
        study,
        plan,
        dir,
        threads,
        keep,
    } = *context;
    let clock = Stopwatch::start();
    let record = |status, error: String, metrics| RunRecord {
        run: planned.run,
        status,
        error,
        metrics,
        wall_s: clock.seconds(),
    };
    let none = vec![None; study.metrics.len()];
    let mut specs = plan.overrides(study, planned.point);
    specs.push(format!("simulation.seed={}", planned.seed));
    let overrides = match specs
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(o) => o,
        Err(e) => return record(Status::Invalid, e, none),
    };
    let resolved = match super::load(&study.scenario(), &overrides) {
        Ok(r) => r,
        Err(e) => return record(Status::Invalid, message(e), none),
    };
    if let Err(e) = super::check_memory(&resolved) {
        return record(Status::Invalid, message(e), none);
    }
    let target = dir
        .join(RUNS_FOLDER)
        .join(format!("run-{:06}", planned.run));
    let simulated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let folder = RunFolder::create(&target, true)?;
        let options = Options {
            threads,
            quiet: true,
            plan: CheckpointPlan {
                every_ms: None,
                at_ms: Vec::new(),
                target: target.clone(),
            },
            stop_at_ms: None,
        };
        match execute(&resolved, &folder, Start::Fresh, &options)? {
            Outcome::Finished(_) => folder.commit(),
            Outcome::Stopped { .. } => unreachable!("no --stop-at in a study"),
        }
    }));
    let folder = match simulated {
        Ok(Ok(folder)) => folder,
        Ok(Err(Failure::Input(e))) => return record(Status::Invalid, format!("{e:#}"), none),
        Ok(Err(Failure::Internal(e))) => return record(Status::Failed, format!("{e:#}"), none),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            return record(Status::Failed, format!("the run panicked: {what}"), none);
        }
    };
    let metrics = synaptogen_study::metrics::read(&folder, &study.metrics);
    if !keep {
        let _ = fs::remove_dir_all(&folder);
    }
    match metrics {
        Ok(values) => record(Status::Ok, String::new(), values),
        Err(e) => record(Status::Failed, e, none),
    }
}

/// A failure's message without its kind.
fn message(f: Failure) -> String {
    match f {
        Failure::Input(e) | Failure::Internal(e) => format!("{e:#}"),
    }
}

/// The finished runs: appended to the journal as they end, and out to results.csv.
struct Store<'a> {
    /// The journal file, the records so far and when results.csv was last written.
    journal: Mutex<(File, Vec<RunRecord>, Stopwatch)>,
    dir: PathBuf,
    study: &'a Study,
    plan: &'a Plan,
    /// The bar over the study's runs (hidden when quiet or off a terminal).
    progress: ProgressBar,
    quiet: bool,
}

impl Store<'_> {
    /// Journals a finished run (one write, synced: the run counts as done only once its
    /// record is on disk), reports it if it failed and refreshes the result tables when they
    /// are more than [`REFRESH_S`] old.
    fn add(&self, record: RunRecord) -> Result<(), Failure> {
        // A failed run is reported as it happens (above the bar on a terminal, as a line of
        // the log otherwise); results.csv keeps the full message.
        if record.status != Status::Ok && !self.quiet {
            self.progress.suspend(|| {
                eprintln!(
                    "run {}: {}: {}",
                    record.run,
                    record.status.as_str(),
                    record.error
                );
            });
        }
        let mut guard = self.journal.lock().expect("no panic while held");
        let (file, records, written) = &mut *guard;
        file.write_all(record.journal_line().as_bytes())
            .and_then(|()| file.sync_data())
            .internal(format!(
                "cannot append to {}",
                self.dir.join(JOURNAL).display()
            ))?;
        records.push(record);
        self.progress.inc(1);
        if written.seconds() > REFRESH_S {
            self.write(records)?;
            *written = Stopwatch::start();
        }
        Ok(())
    }

    /// Writes the result tables from every record; returns them.
    fn write_results(&self) -> Result<Vec<RunRecord>, Failure> {
        let guard = self.journal.lock().expect("no panic while held");
        self.write(&guard.1)?;
        Ok(guard.1.clone())
    }

    /// Writes results.csv and results.parquet from every record.
    fn write(&self, records: &[RunRecord]) -> Result<(), Failure> {
        write_atomic(
            &self.dir.join(RESULTS),
            results::table(self.study, self.plan, records).as_bytes(),
        )?;
        let parquet = results::parquet(self.study, self.plan, records)
            .internal("cannot encode the result table as Parquet")?;
        write_atomic(&self.dir.join(RESULTS_PARQUET), &parquet)
    }
}

/// The records of the journal; a record cut short by a kill is cut off the file.
fn read_journal(path: &Path, plan: &Plan) -> Result<Vec<RunRecord>, Failure> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Failure::Internal(
                anyhow::Error::new(e).context(format!("cannot read {}", path.display())),
            ));
        }
    };
    let (records, length) = results::read_journal(&text, plan).map_err(|e| {
        Failure::input(format!(
            "{}: {e}; this journal is not of this study's plan",
            path.display()
        ))
    })?;
    if length < text.len() {
        OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| f.set_len(length as u64))
            .internal(format!(
                "cannot cut the unfinished record off {}",
                path.display()
            ))?;
    }
    Ok(records)
}

/// plan.csv: run, point, replicate, seed and the parameters of every run.
fn plan_table(study: &Study, plan: &Plan) -> String {
    let mut text = String::from("run,point,replicate,seed");
    for p in &study.parameters {
        text.push(',');
        text.push_str(&p.name);
    }
    text.push('\n');
    for r in &plan.runs {
        text.push_str(&format!("{},{},{},{}", r.run, r.point, r.replicate, r.seed));
        for v in &plan.points[r.point].values {
            text.push(',');
            text.push_str(&csv_cell(&results::cell(v)));
        }
        text.push('\n');
    }
    text
}

/// A cell quoted when CSV needs it.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The study folder, held for this process by its lock file (removed on drop).
struct StudyFolder {
    lock: PathBuf,
}

impl StudyFolder {
    /// Creates `dir` for the study `text`, or reopens it for the same study; refuses one of
    /// another study (unless --force) or one a running sweep holds.
    fn open(dir: &Path, text: &str, args: &SweepArgs) -> Result<Self, Failure> {
        let lock = dir.join(LOCK_FILE);
        if let Ok(holder) = fs::read_to_string(&lock)
            && let Ok(pid) = holder.trim().parse::<u32>()
            && pid != std::process::id()
            && fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains("sweep"))
        {
            return Err(Failure::input(format!(
                "{}: a sweep (process {pid}) is running in this study folder; wait for it or stop it",
                dir.display()
            )));
        }
        let stored = dir.join(STUDY_FILE);
        if args.force && dir.exists() {
            fs::remove_dir_all(dir).internal(format!("cannot remove {}", dir.display()))?;
        } else if dir.exists() && fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
            match fs::read_to_string(&stored) {
                Ok(old) if old == text => {}
                Ok(_) => {
                    return Err(Failure::input(format!(
                        "{} holds another study: its {STUDY_FILE} differs from {}; choose another \
                         --out, or add --force to delete its results and start over",
                        dir.display(),
                        args.study.display()
                    )));
                }
                Err(_) => {
                    return Err(Failure::input(format!(
                        "{} exists and is not a study folder (no {STUDY_FILE}); choose another --out",
                        dir.display()
                    )));
                }
            }
        }
        fs::create_dir_all(dir.join(RUNS_FOLDER))
            .internal(format!("cannot create {}", dir.display()))?;
        write_atomic(&lock, std::process::id().to_string().as_bytes())?;
        if !stored.exists() {
            write_atomic(&stored, text.as_bytes())?;
        }
        clear_unfinished_runs(&dir.join(RUNS_FOLDER));
        Ok(Self { lock })
    }
}

impl Drop for StudyFolder {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.lock);
    }
}

/// Removes the partial folders of runs a killed sweep left behind (they are run again).
fn clear_unfinished_runs(runs: &Path) {
    for entry in fs::read_dir(runs).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().contains(".partial-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// A bar over the study's runs, on stderr when it is a terminal.
fn progress_bar(total: u64, done: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs · ETA {eta}",
        )
        .expect("valid template"),
    );
    bar.set_position(done);
    bar
}
