//! `mpirun -np N synaptogen sweep …`: one study's runs shared out over MPI ranks, gathered
//! into one study folder.
//!
//! Rank 0 holds the study folder exactly as a sweep of one process does (lock, plan.csv,
//! journal, results.csv) and runs runs on its own workers. The other ranks ask it for work,
//! run what they are given and send back each run's record, which rank 0 journals as it
//! journals its own. Work is handed out one run per finished run (self-scheduling), so a
//! rank that draws long runs (high doses, long protocols) takes fewer of them.
//!
//! A run's result depends only on its entry in the plan (parameters and seed), so the table
//! is the one a single process writes, byte for byte, wall_s aside; a killed MPI study is
//! resumed by any sweep, with or without MPI, from the journal.
//!
//! Only each process's main thread calls MPI (`MPI_THREAD_FUNNELED`); the workers talk to it
//! through channels. Rank 0 polls for messages rather than blocking in MPI, because Open MPI
//! spins in a blocking receive and would take a core from the runs.
//!
//! The study folder must be at the same path on every rank (a shared file system) when runs
//! are kept (`--keep-runs`); otherwise each rank writes its run folders to its local disk
//! and removes them after reading their metrics.

use std::fs;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use mpi::Threading;
use mpi::environment::Universe;
use mpi::topology::{Rank, SimpleCommunicator};
use mpi::traits::{Communicator, Destination, MatchedReceiveVec, Root, Source};

use synaptogen_study::{Plan, PlannedRun, RunRecord};

use super::{Budget, Prepared, Queue, RUNS_FOLDER, Session, Store, cores, dry_run, work};
use crate::cli::SweepArgs;
use crate::failure::{Failure, Internal};
use crate::output::outln;

/// The rank that holds the study folder.
const LEADER: Rank = 0;
/// A rank asks for its first runs; the payload is how many it runs at a time (u64, LE).
const ASK: i32 = 1;
/// A rank sends a finished run's record (its journal line, UTF-8) and asks for one more.
const RECORD: i32 = 2;
/// Rank 0's answer to either: the run numbers handed out (u64), none when the plan is done.
const WORK: i32 = 3;
/// How long rank 0's main thread sleeps when no message is waiting.
const POLL: Duration = Duration::from_millis(5);

/// This process's place in the MPI job it was started in.
pub struct Cluster {
    /// Finalises MPI when dropped, at the end of the sweep.
    _universe: Universe,
    world: SimpleCommunicator,
    /// Ranks sharing this machine, which share its cores.
    ranks_here: usize,
}

impl Cluster {
    /// Initialises MPI; `None` for a process started without `mpirun` (or with one rank),
    /// which sweeps as the build without MPI does.
    pub fn join() -> Result<Option<Self>, Failure> {
        let (universe, threading) = mpi::initialize_with_threading(Threading::Funneled)
            .ok_or_else(|| Failure::Internal(anyhow::anyhow!("MPI is already initialised")))?;
        if threading == Threading::Single {
            return Err(Failure::Internal(anyhow::anyhow!(
                "the MPI library offers no thread support (MPI_THREAD_SINGLE); the sweep's \
                 workers need MPI_THREAD_FUNNELED"
            )));
        }
        let world = universe.world();
        if world.size() == 1 {
            return Ok(None);
        }
        let ranks_here = usize::try_from(world.split_shared(world.rank()).size()).unwrap_or(1);
        Ok(Some(Self {
            _universe: universe,
            world,
            ranks_here,
        }))
    }

    /// The sweep of this rank: rank 0 leads, the others follow.
    pub fn sweep(self, args: &SweepArgs) -> Result<(), Failure> {
        if self.world.rank() == LEADER {
            self.lead(args)
        } else {
            self.follow(args)
        }
    }

    /// This machine's cores shared out between the ranks on it.
    fn cores_per_rank(&self) -> usize {
        (cores() / self.ranks_here.max(1)).max(1)
    }

    /// Rank 0: opens the study folder, tells the others whether to go on, then runs runs on
    /// its workers while its main thread serves the other ranks.
    fn lead(&self, args: &SweepArgs) -> Result<(), Failure> {
        let prepared = Prepared::read(args).inspect_err(|_| self.announce_go(false))?;
        if args.dry_run {
            self.announce_go(false);
            return dry_run(&prepared.study, &prepared.plan);
        }
        let session = Session::open(args, &prepared).inspect_err(|_| self.announce_go(false))?;
        self.announce_go(true);
        let budget = Budget::of(args, session.pending.len(), self.cores_per_rank());
        session.announce(&budget, self.world.size() as usize);
        let queue = Queue::of(&session.pending);
        let context = prepared.context(args, &session.dir, budget.threads_per_run);
        let (local, served) = std::thread::scope(|s| {
            let local = s.spawn(|| {
                work(&context, budget.jobs, &|| queue.take(), &|record| {
                    session.store.add(record)
                })
            });
            let served = self
                .serve(&queue, &session.store, &prepared.plan)
                .unwrap_or_else(|e| self.abort(e));
            (local.join(), served)
        });
        local.unwrap_or_else(|_| {
            Err(Failure::Internal(anyhow::anyhow!(
                "the workers of rank 0 panicked"
            )))
        })?;
        let quiet = session.store.quiet;
        let local_runs = session.pending.len() - served.iter().sum::<usize>();
        session.finish()?;
        if !quiet {
            let tally: Vec<String> = std::iter::once(local_runs)
                .chain(served.into_iter().skip(1))
                .enumerate()
                .map(|(rank, runs)| format!("{rank}: {runs}"))
                .collect();
            outln!("runs per rank: {}", tally.join(", "));
        }
        Ok(())
    }

    /// Rank 0's main thread: answers every other rank's requests for work and journals
    /// their records, until each has been told there is no more and has none out. Returns
    /// how many runs each rank ran (0 for rank 0, which serves).
    fn serve(&self, queue: &Queue, store: &Store, plan: &Plan) -> Result<Vec<usize>, Failure> {
        let size = self.world.size() as usize;
        let mut out = vec![0_usize; size];
        let mut ran = vec![0_usize; size];
        let mut working = size - 1;
        while working > 0 {
            let Some(probed) = self.world.any_process().immediate_matched_probe() else {
                std::thread::sleep(POLL);
                continue;
            };
            let (bytes, status) = probed.matched_receive_vec::<u8>();
            let from = status.source_rank();
            let rank = from as usize;
            let wanted = match status.tag() {
                ASK => bytes
                    .try_into()
                    .map(u64::from_le_bytes)
                    .map_err(|_| protocol(from, "a request for work without its size"))?,
                RECORD => {
                    let record: RunRecord = serde_json::from_slice(&bytes)
                        .map_err(|e| protocol(from, &format!("an unreadable record: {e}")))?;
                    if out[rank] == 0 || record.run >= plan.runs.len() {
                        return Err(protocol(
                            from,
                            &format!("the record of run {}, which it was not given", record.run),
                        ));
                    }
                    out[rank] -= 1;
                    ran[rank] += 1;
                    store.add(record)?;
                    1
                }
                tag => return Err(protocol(from, &format!("a message tagged {tag}"))),
            };
            let given: Vec<u64> = (0..wanted)
                .map_while(|_| queue.take())
                .map(|r| r.run as u64)
                .collect();
            out[rank] += given.len();
            self.world
                .process_at_rank(from)
                .send_with_tag(&given[..], WORK);
            if out[rank] == 0 {
                working -= 1;
            }
        }
        Ok(ran)
    }

    /// Every rank but 0: runs what rank 0 hands out and sends back the records.
    fn follow(&self, args: &SweepArgs) -> Result<(), Failure> {
        if !self.hear_go() {
            // Rank 0 has reported why (or printed the dry run).
            return Ok(());
        }
        // Rank 0 read and checked the same file; a failure here means this machine sees
        // another file (or none) at that path.
        let prepared = Prepared::read(args).unwrap_or_else(|e| self.abort(e));
        let dir = prepared.folder(args);
        if let Err(e) = fs::create_dir_all(dir.join(RUNS_FOLDER)) {
            self.abort(Failure::Internal(
                anyhow::Error::new(e).context(format!("cannot create {}", dir.display())),
            ));
        }
        let budget = Budget::of(args, usize::MAX, self.cores_per_rank());
        let context = prepared.context(args, &dir, budget.threads_per_run);
        let leader = self.world.process_at_rank(LEADER);
        let (to_workers, work_queue) = mpsc::channel::<PlannedRun>();
        let (to_main, records) = mpsc::channel::<RunRecord>();
        let work_queue = Mutex::new(work_queue);

        leader.send_with_tag(&(budget.jobs as u64).to_le_bytes()[..], ASK);
        let mut out = self.receive_work(&to_workers, &prepared.plan);
        let worked = std::thread::scope(|s| {
            let workers = s.spawn(|| {
                work(&context, budget.jobs, &|| next_of(&work_queue), &|record| {
                    to_main
                        .send(record)
                        .internal("the main thread stopped taking records")
                })
            });
            while out > 0 {
                let Ok(record) = records.recv() else {
                    break;
                };
                leader.send_with_tag(record.journal_line().as_bytes(), RECORD);
                out = out - 1 + self.receive_work(&to_workers, &prepared.plan);
            }
            drop(to_workers);
            workers.join()
        });
        match worked {
            Ok(Ok(())) if out == 0 => Ok(()),
            Ok(Err(e)) => self.abort(e),
            _ => self.abort(Failure::Internal(anyhow::anyhow!(
                "the workers stopped with {out} run(s) unfinished"
            ))),
        }
    }

    /// Takes rank 0's answer and queues its runs for the workers; returns how many.
    fn receive_work(&self, to_workers: &Sender<PlannedRun>, plan: &Plan) -> usize {
        let (given, _) = self
            .world
            .process_at_rank(LEADER)
            .receive_vec_with_tag::<u64>(WORK);
        for &run in &given {
            let Some(planned) = usize::try_from(run).ok().and_then(|r| plan.runs.get(r)) else {
                self.abort(protocol(LEADER, &format!("run {run}, outside the plan")));
            };
            to_workers
                .send(*planned)
                .expect("the workers hold their queue until it is closed");
        }
        given.len()
    }

    /// Rank 0 tells the others whether the study goes on.
    fn announce_go(&self, go: bool) {
        let mut flag = u8::from(go);
        self.world.process_at_rank(LEADER).broadcast_into(&mut flag);
    }

    /// The others hear it.
    fn hear_go(&self) -> bool {
        let mut flag = 0_u8;
        self.world.process_at_rank(LEADER).broadcast_into(&mut flag);
        flag == 1
    }

    /// Reports `failure` and ends every rank of the job: the others would wait on this one
    /// for ever. What is journalled stays; the same command resumes the study.
    fn abort(&self, failure: Failure) -> ! {
        let (code, e) = match failure {
            Failure::Input(e) => (2, e),
            Failure::Internal(e) => (1, e),
        };
        eprintln!("error on MPI rank {}: {e:#}", self.world.rank());
        self.world.abort(code)
    }
}

/// A worker's next run on a rank other than 0; `None` once the main thread closes the queue.
fn next_of(queue: &Mutex<Receiver<PlannedRun>>) -> Option<PlannedRun> {
    queue
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .recv()
        .ok()
}

/// A message that breaks the protocol between the ranks (a bug, or ranks of different
/// builds).
fn protocol(from: Rank, what: &str) -> Failure {
    Failure::Internal(anyhow::anyhow!(
        "MPI rank {from} sent {what}; are all ranks the same synaptogen build?"
    ))
}
