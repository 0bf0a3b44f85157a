//! The step loop allocates nothing: a counting global allocator watches a running
//! simulation after its warm-up. A test binary of its own, so no other test allocates
//! while it counts.

// `GlobalAlloc` is an unsafe trait. It forwards every call to the system allocator
// unchanged and only counts.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use synaptogen_engine::monitors::DiscardSink;
use synaptogen_scenario::{Override, build, load_builtin};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_while_running(scenario: &str, overrides: &[&str], threads: usize) -> usize {
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|o| Override::parse(o).unwrap())
        .collect();
    let resolved = load_builtin(scenario, &overrides).unwrap();
    let mut built = build(&resolved, threads).unwrap();
    let sim = &mut built.simulation;
    // Warm-up: schedules are built and every buffer reaches its working size.
    sim.run(200, &mut DiscardSink, &mut |_| {}).unwrap();
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    sim.run(2000, &mut DiscardSink, &mut |_| {}).unwrap();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::SeqCst)
}

/// Allocations while running a simulation restored from a checkpoint of another one (the
/// state read back has only the room its data needed; a restore must give back the rest).
fn allocations_after_restore(scenario: &str, threads: usize) -> usize {
    let resolved = load_builtin(scenario, &[]).unwrap();
    let mut original = build(&resolved, threads).unwrap();
    original
        .simulation
        .run(300, &mut DiscardSink, &mut |_| {})
        .unwrap();
    original.simulation.drain(&mut DiscardSink).unwrap();
    let state = original.save_state();
    let mut restored = build(&resolved, threads).unwrap();
    restored.restore_state(&state).unwrap();
    // Schedules are built on their first run; that is not the step loop.
    restored
        .simulation
        .run(1, &mut DiscardSink, &mut |_| {})
        .unwrap();
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    restored
        .simulation
        .run(2000, &mut DiscardSink, &mut |_| {})
        .unwrap();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::SeqCst)
}

#[test]
fn the_step_loop_does_not_allocate() {
    // The counter sees allocations at all (so a zero below means something).
    COUNTING.store(true, Ordering::SeqCst);
    std::hint::black_box(vec![0u8; 64]);
    COUNTING.store(false, Ordering::SeqCst);
    assert!(ALLOCATIONS.swap(0, Ordering::SeqCst) >= 1);

    // The default network (AdEx, LIF, NMDA, Poisson input, per-synapse delays, every
    // monitor) and COBA with STDP, each on one and two threads.
    let stdp = "projections.e_to_e.plasticity={ rule = \"stdp_pair\", tau_plus_ms = 20.0, \
                tau_minus_ms = 20.0, a_plus_ns = 0.12, a_minus_ns = 0.126, w_max_ns = 12.0 }";
    for threads in [1, 2] {
        assert_eq!(
            allocations_while_running("pfc_baseline", &[], threads),
            0,
            "pfc_baseline, {threads} threads"
        );
        assert_eq!(
            allocations_while_running("coba", &[stdp], threads),
            0,
            "coba + STDP, {threads} threads"
        );
        // Recurrent excitation dense enough (≈ 10,000 synaptic events per step) that two
        // threads deliver the spikes by bands of targets in parallel.
        let dense = ["projections.e_to_e.connectivity.p=0.05"];
        assert_eq!(
            allocations_while_running("coba", &dense, threads),
            0,
            "dense coba, {threads} threads"
        );
        assert_eq!(
            allocations_after_restore("pfc_baseline", threads),
            0,
            "pfc_baseline restored from a checkpoint, {threads} threads"
        );
    }
}
