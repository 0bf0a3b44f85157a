//! Recorders ("monitors", as in Brian2 and Auryn): spikes, population rates, sampled state,
//! and per-neuron spike statistics for the run summary.
//!
//! Monitors fill preallocated buffers during the step loop; the runner drains them into a
//! [`RecordSink`] between steps (the engine itself writes no file).

use bevy_ecs::prelude::*;

use crate::cache::prefetch;
use crate::clock::SimClock;
use crate::populations::Populations;
use crate::spikes::SpikeEvents;

/// Error raised by a sink (e.g. a full disk), passed through the runner unchanged.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// One recorded spike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpikeRecord {
    /// Step in which the neuron fired.
    pub step: u64,
    /// Global neuron index.
    pub neuron: u32,
}

/// Population rates of finished bins. Bins are aligned to multiples of the bin width in
/// model time; a windowed run has bins only where the network spiked.
#[derive(Debug, Clone, Copy)]
pub struct RateBins<'a> {
    /// First step of each bin.
    pub starts: &'a [u64],
    /// Row-major: one row per bin, one rate (Hz) per population.
    pub rates_hz: &'a [f64],
}

/// Sampled state variables.
#[derive(Debug, Clone, Copy)]
pub struct StateRows<'a> {
    /// Step of each row.
    pub steps: &'a [u64],
    /// Row-major: one row per sample time, one value per probe.
    pub values: &'a [f64],
}

/// One value of a recorded table row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// An integer (ids, counts).
    U64(u64),
    /// A number.
    F64(f64),
    /// A fixed label (an event name, a compartment).
    Text(&'static str),
    /// A model time given as a step count (sinks print it in ms with dt's decimals, so
    /// times are exact: `10999.9`, not `10999.900000000001`).
    Step(u64),
}

/// Rows of a named table (`spines`, `census`, ...), row-major.
#[derive(Debug, Clone, Copy)]
pub struct TableRows<'a> {
    /// Table name; the command line writes `NAME.csv`.
    pub name: &'a str,
    /// Column names.
    pub columns: &'a [&'static str],
    /// `columns.len()` cells per row.
    pub cells: &'a [Cell],
}

/// Where recorded data goes; the command line writes it to CSV files.
pub trait RecordSink {
    /// Spikes, in step order.
    fn spikes(&mut self, records: &[SpikeRecord]) -> Result<(), SinkError>;
    /// Finished rate bins.
    fn rates(&mut self, bins: RateBins<'_>) -> Result<(), SinkError>;
    /// State samples.
    fn states(&mut self, rows: StateRows<'_>) -> Result<(), SinkError>;
    /// Rows of a named table (models' event logs and censuses).
    fn table(&mut self, rows: TableRows<'_>) -> Result<(), SinkError>;
}

/// A sink that drops everything (benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct DiscardSink;

impl RecordSink for DiscardSink {
    fn spikes(&mut self, _: &[SpikeRecord]) -> Result<(), SinkError> {
        Ok(())
    }
    fn rates(&mut self, _: RateBins<'_>) -> Result<(), SinkError> {
        Ok(())
    }
    fn states(&mut self, _: StateRows<'_>) -> Result<(), SinkError> {
        Ok(())
    }
    fn table(&mut self, _: TableRows<'_>) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Buffers rows of named tables that models fill on their slow and structural schedules
/// (spine events, censuses, weight samples); drained into the sink like the other monitors.
#[derive(Resource, Debug, Clone, Default)]
pub struct TableMonitor {
    tables: Vec<TableBuffer>,
}

#[derive(Debug, Clone)]
struct TableBuffer {
    name: String,
    columns: &'static [&'static str],
    cells: Vec<Cell>,
}

/// A handle to one table of a [`TableMonitor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableId(usize);

impl TableMonitor {
    /// Drops every buffered row (a restored checkpoint replaces the rows a fresh build
    /// wrote, such as the census at step 0).
    pub fn discard_pending(&mut self) {
        for t in &mut self.tables {
            t.cells.clear();
        }
    }

    /// Declares table `name` with `columns` (once, at build); returns its handle.
    pub fn declare(&mut self, name: &str, columns: &'static [&'static str]) -> TableId {
        if let Some(i) = self.tables.iter().position(|t| t.name == name) {
            return TableId(i);
        }
        self.tables.push(TableBuffer {
            name: name.to_owned(),
            columns,
            cells: Vec::new(),
        });
        TableId(self.tables.len() - 1)
    }

    /// Appends one row (as many cells as the table has columns).
    pub fn push(&mut self, table: TableId, row: &[Cell]) {
        let t = &mut self.tables[table.0];
        debug_assert_eq!(row.len(), t.columns.len(), "row width of table {}", t.name);
        t.cells.extend_from_slice(row);
    }

    /// Hands every buffered row to `sink`.
    pub fn drain(&mut self, sink: &mut dyn RecordSink) -> Result<(), SinkError> {
        for t in &mut self.tables {
            if !t.cells.is_empty() {
                sink.table(TableRows {
                    name: &t.name,
                    columns: t.columns,
                    cells: &t.cells,
                })?;
                t.cells.clear();
            }
        }
        Ok(())
    }

    /// Names and columns of the declared tables.
    pub fn declared(&self) -> impl Iterator<Item = (&str, &'static [&'static str])> {
        self.tables.iter().map(|t| (t.name.as_str(), t.columns))
    }
}

/// Records every spike of the chosen populations.
#[derive(Resource, Debug, Clone)]
pub struct SpikeMonitor {
    recorded: Vec<bool>,
    n_recorded_neurons: usize,
    buffer: Vec<SpikeRecord>,
}

impl SpikeMonitor {
    /// Records the populations flagged in `recorded` (one flag per population).
    pub fn new(recorded: Vec<bool>, populations: &Populations) -> Self {
        let n_recorded_neurons = populations
            .iter()
            .zip(&recorded)
            .filter(|(_, r)| **r)
            .map(|(p, _)| p.len() as usize)
            .sum();
        Self {
            recorded,
            n_recorded_neurons,
            buffer: Vec::with_capacity((4 * n_recorded_neurons).max(1 << 16)),
        }
    }

    /// True when one more step could overflow the buffer (then the runner drains it first).
    pub fn needs_drain(&self) -> bool {
        self.buffer.capacity() - self.buffer.len() < self.n_recorded_neurons
    }

    /// Hands the buffered spikes to `sink` and empties the buffer.
    pub fn drain(&mut self, sink: &mut dyn RecordSink) -> Result<(), SinkError> {
        if !self.buffer.is_empty() {
            sink.spikes(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }
}

/// Appends this step's spikes of recorded populations.
pub fn record_spikes(
    spikes: Res<SpikeEvents>,
    clock: Res<SimClock>,
    populations: Res<Populations>,
    mut monitor: ResMut<SpikeMonitor>,
) {
    if spikes.neurons().is_empty() || monitor.n_recorded_neurons == 0 {
        return;
    }
    let step = clock.step();
    let monitor = &mut *monitor;
    for (population, &recorded) in populations.iter().zip(&monitor.recorded) {
        if recorded {
            let fired = spikes.in_range(population.range.clone());
            monitor
                .buffer
                .extend(fired.iter().map(|&neuron| SpikeRecord { step, neuron }));
        }
    }
}

/// Mean firing rate of each population in fixed time bins.
#[derive(Resource, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PopulationRateMonitor {
    bin_steps: u64,
    step_seconds: f64,
    steps_in_bin: u64,
    sizes: Vec<f64>,
    current: Vec<u32>,
    /// Index of the bin being filled (bin *b* covers steps `[b·bin_steps, (b+1)·bin_steps)`).
    open_bin: u64,
    finished_starts: Vec<u64>,
    finished_rates: Vec<f64>,
}

impl PopulationRateMonitor {
    /// Bins of `bin_steps` steps of `dt_ms`; room for `max_pending_bins` finished bins
    /// between drains.
    pub fn new(
        populations: &Populations,
        bin_steps: u64,
        dt_ms: f64,
        max_pending_bins: usize,
    ) -> Self {
        let n = populations.len();
        Self {
            bin_steps: bin_steps.max(1),
            step_seconds: dt_ms * 1e-3,
            steps_in_bin: 0,
            sizes: populations.iter().map(|p| f64::from(p.len())).collect(),
            current: vec![0; n],
            open_bin: 0,
            finished_starts: Vec::with_capacity(max_pending_bins + 1),
            finished_rates: Vec::with_capacity(n * (max_pending_bins + 1)),
        }
    }

    /// Bin width in steps.
    pub fn bin_steps(&self) -> u64 {
        self.bin_steps
    }

    /// True when the finished-bin buffer is full (then the runner drains it first).
    pub fn needs_drain(&self) -> bool {
        self.finished_rates.capacity() - self.finished_rates.len() < self.current.len()
            || self.finished_starts.capacity() == self.finished_starts.len()
    }

    /// Gives the buffers the room of `fresh`'s (a monitor read back from a checkpoint has
    /// only the room its data needed, and the step loop must not allocate).
    pub fn reserve_like(&mut self, fresh: &Self) {
        reserve_to(&mut self.finished_rates, fresh.finished_rates.capacity());
        reserve_to(&mut self.finished_starts, fresh.finished_starts.capacity());
    }

    /// Ends the current bin early (at the end of a run whose duration is not a multiple of
    /// the bin): its rate is taken over the steps it actually covers.
    pub fn close_partial_bin(&mut self) {
        if self.steps_in_bin > 0 {
            self.close_bin();
        }
    }

    fn close_bin(&mut self) {
        let seconds = self.steps_in_bin as f64 * self.step_seconds;
        for (count, size) in self.current.iter_mut().zip(&self.sizes) {
            let rate = if *size > 0.0 {
                f64::from(*count) / (size * seconds)
            } else {
                0.0
            };
            self.finished_rates.push(rate);
            *count = 0;
        }
        self.finished_starts.push(self.open_bin * self.bin_steps);
        self.steps_in_bin = 0;
    }

    /// Hands finished bins to `sink`.
    pub fn drain(&mut self, sink: &mut dyn RecordSink) -> Result<(), SinkError> {
        if !self.finished_starts.is_empty() {
            sink.rates(RateBins {
                starts: &self.finished_starts,
                rates_hz: &self.finished_rates,
            })?;
            self.finished_starts.clear();
            self.finished_rates.clear();
        }
        Ok(())
    }
}

/// Counts this step's spikes per population and closes the bin when it is full. A bin left
/// partly filled when a spiking window ended is closed when the next window starts in
/// another bin, its rate taken over the steps it covered.
pub fn bin_population_rates(
    spikes: Res<SpikeEvents>,
    clock: Res<SimClock>,
    populations: Res<Populations>,
    mut monitor: ResMut<PopulationRateMonitor>,
) {
    let monitor = &mut *monitor;
    let bin = clock.step() / monitor.bin_steps;
    if monitor.steps_in_bin > 0 && bin != monitor.open_bin {
        monitor.close_bin();
    }
    monitor.open_bin = bin;
    if !spikes.neurons().is_empty() {
        for (count, population) in monitor.current.iter_mut().zip(populations.iter()) {
            *count += spikes.in_range(population.range.clone()).len() as u32;
        }
    }
    monitor.steps_in_bin += 1;
    if (clock.step() + 1).is_multiple_of(monitor.bin_steps) {
        monitor.close_bin();
    }
}

/// Grows `v`'s capacity to at least `capacity`.
pub fn reserve_to<T>(v: &mut Vec<T>, capacity: usize) {
    v.reserve(capacity.saturating_sub(v.len()));
}

/// A state variable a model can report for a neuron ("v_mv", "g_ampa_ns", ...).
pub trait StateProbe {
    /// Names of the variables this model exposes, with units in the names.
    fn variable_names(&self) -> &'static [&'static str];
    /// Value of variable `variable` (index into `variable_names`) of global neuron `neuron`,
    /// or `None` when that neuron's model lacks it (AdEx adaptation on a LIF cell).
    fn read(&self, variable: usize, neuron: u32) -> Option<f64>;
}

/// One sampled (neuron, variable) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// Global neuron index.
    pub neuron: u32,
    /// Index into the model's [`StateProbe::variable_names`].
    pub variable: usize,
}

/// Samples chosen state variables of chosen neurons every `every_steps` steps.
#[derive(Resource, Debug, Clone)]
pub struct StateMonitor {
    probes: Vec<Probe>,
    every_steps: u64,
    steps: Vec<u64>,
    values: Vec<f64>,
    max_rows: usize,
}

impl StateMonitor {
    /// Samples `probes` every `every_steps`; room for `max_rows` rows between drains.
    pub fn new(probes: Vec<Probe>, every_steps: u64, max_rows: usize) -> Self {
        let max_rows = max_rows.max(1);
        Self {
            values: Vec::with_capacity(max_rows * probes.len()),
            probes,
            every_steps: every_steps.max(1),
            steps: Vec::with_capacity(max_rows),
            max_rows,
        }
    }

    /// The probes, in column order.
    pub fn probes(&self) -> &[Probe] {
        &self.probes
    }

    /// True when the row buffer is full.
    pub fn needs_drain(&self) -> bool {
        self.steps.len() >= self.max_rows
    }

    /// Hands buffered rows to `sink`.
    pub fn drain(&mut self, sink: &mut dyn RecordSink) -> Result<(), SinkError> {
        if !self.steps.is_empty() {
            sink.states(StateRows {
                steps: &self.steps,
                values: &self.values,
            })?;
            self.steps.clear();
            self.values.clear();
        }
        Ok(())
    }
}

/// Samples the probes of a [`StateMonitor`] from the model resource `M`.
pub fn sample_state<M: Resource + StateProbe>(
    clock: Res<SimClock>,
    model: Res<M>,
    mut monitor: ResMut<StateMonitor>,
) {
    if monitor.probes.is_empty() || !clock.step().is_multiple_of(monitor.every_steps) {
        return;
    }
    let monitor = &mut *monitor;
    monitor.steps.push(clock.step());
    for probe in &monitor.probes {
        let value = model.read(probe.variable, probe.neuron).unwrap_or(f64::NAN);
        monitor.values.push(value);
    }
}

/// Per-neuron spike counts and inter-spike-interval moments, for rates and ISI CVs.
///
/// A spike updates its neuron's interval record in one place (one cache line, not four
/// arrays: spikes land on scattered neurons). Checkpoints keep the column layout
/// ([`SpikeStatisticsColumns`]).
#[derive(Resource, Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(from = "SpikeStatisticsColumns", into = "SpikeStatisticsColumns")]
pub struct SpikeStatistics {
    counts: Vec<u32>,
    intervals: Vec<IntervalMoments>,
}

/// One neuron's inter-spike intervals so far.
#[derive(Debug, Clone, Copy)]
struct IntervalMoments {
    last_step: u64,
    count: u32,
    sum_steps: f64,
    sum_sq_steps: f64,
}

impl IntervalMoments {
    const NONE: Self = Self {
        last_step: NEVER,
        count: 0,
        sum_steps: 0.0,
        sum_sq_steps: 0.0,
    };
}

/// [`SpikeStatistics`] as stored in checkpoints: one column per quantity.
#[derive(serde::Serialize, serde::Deserialize)]
struct SpikeStatisticsColumns {
    counts: Vec<u32>,
    last_step: Vec<u64>,
    isi_count: Vec<u32>,
    isi_sum_steps: Vec<f64>,
    isi_sum_sq_steps: Vec<f64>,
}

impl From<SpikeStatisticsColumns> for SpikeStatistics {
    fn from(c: SpikeStatisticsColumns) -> Self {
        let intervals = (c.last_step.iter().zip(&c.isi_count))
            .zip(c.isi_sum_steps.iter().zip(&c.isi_sum_sq_steps))
            .map(
                |((&last_step, &count), (&sum_steps, &sum_sq_steps))| IntervalMoments {
                    last_step,
                    count,
                    sum_steps,
                    sum_sq_steps,
                },
            )
            .collect();
        Self {
            counts: c.counts,
            intervals,
        }
    }
}

impl From<SpikeStatistics> for SpikeStatisticsColumns {
    fn from(s: SpikeStatistics) -> Self {
        let column = |f: fn(&IntervalMoments) -> f64| s.intervals.iter().map(f).collect();
        Self {
            last_step: s.intervals.iter().map(|m| m.last_step).collect(),
            isi_count: s.intervals.iter().map(|m| m.count).collect(),
            isi_sum_steps: column(|m| m.sum_steps),
            isi_sum_sq_steps: column(|m| m.sum_sq_steps),
            counts: s.counts,
        }
    }
}

const NEVER: u64 = u64::MAX;

/// How many spikes ahead a neuron's records are prefetched (each spike's are a cache miss).
const PREFETCH_AHEAD: usize = 4;

impl SpikeStatistics {
    /// Statistics for `n_neurons` neurons.
    pub fn new(n_neurons: usize) -> Self {
        Self {
            counts: vec![0; n_neurons],
            intervals: vec![IntervalMoments::NONE; n_neurons],
        }
    }

    /// Adds the spikes `neurons` fired at `step`.
    pub fn record(&mut self, step: u64, neurons: &[u32]) {
        for (k, &n) in neurons.iter().enumerate() {
            if let Some(&ahead) = neurons.get(k + PREFETCH_AHEAD) {
                let ahead = ahead as usize;
                if let (Some(count), Some(moments)) =
                    (self.counts.get(ahead), self.intervals.get(ahead))
                {
                    prefetch(count);
                    prefetch(moments);
                }
            }
            let i = n as usize;
            self.counts[i] += 1;
            let m = &mut self.intervals[i];
            if m.last_step != NEVER {
                let isi = (step - m.last_step) as f64;
                m.count += 1;
                m.sum_steps += isi;
                m.sum_sq_steps += isi * isi;
            }
            m.last_step = step;
        }
    }

    /// Ends every neuron's current interval: the next spike starts a new one. Called at
    /// the start of each spiking window after the first, so that no interval spans the gap
    /// between windows (in which nothing spikes) and ISI CVs stay those of the spiking.
    pub fn break_intervals(&mut self) {
        for m in &mut self.intervals {
            m.last_step = NEVER;
        }
    }

    /// Spike count of every neuron.
    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// Summary of the neurons in `range` over `duration_ms` of model time.
    ///
    /// The ISI CV is the mean, over neurons with at least two intervals, of each neuron's
    /// standard deviation / mean of its ISIs (population sd, as numpy's default) — the usual
    /// measure of irregularity (Brunel 2000; Brette et al. 2007).
    pub fn summarize(&self, range: std::ops::Range<u32>, duration_ms: f64) -> PopulationActivity {
        let r = range.start as usize..range.end as usize;
        let n = r.len();
        let spikes: u64 = self.counts[r.clone()].iter().map(|&c| u64::from(c)).sum();
        let active = self.counts[r.clone()].iter().filter(|&&c| c > 0).count();
        let (mut cv_sum, mut cv_n) = (0.0, 0usize);
        for m in &self.intervals[r] {
            if m.count >= 2 {
                let k = f64::from(m.count);
                let mean = m.sum_steps / k;
                let var = (m.sum_sq_steps / k - mean * mean).max(0.0);
                cv_sum += var.sqrt() / mean;
                cv_n += 1;
            }
        }
        PopulationActivity {
            neurons: n,
            spikes,
            rate_hz: if n > 0 && duration_ms > 0.0 {
                spikes as f64 / (n as f64 * duration_ms * 1e-3)
            } else {
                0.0
            },
            fraction_active: if n > 0 { active as f64 / n as f64 } else { 0.0 },
            cv_isi: (cv_n > 0).then(|| cv_sum / cv_n as f64),
            neurons_with_cv: cv_n,
        }
    }
}

/// Activity summary of one population.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationActivity {
    /// Neurons.
    pub neurons: usize,
    /// Spikes fired.
    pub spikes: u64,
    /// Mean rate, Hz.
    pub rate_hz: f64,
    /// Fraction of neurons that fired at least once.
    pub fraction_active: f64,
    /// Mean ISI coefficient of variation (`None` if no neuron fired three times).
    pub cv_isi: Option<f64>,
    /// Neurons that entered the CV mean.
    pub neurons_with_cv: usize,
}

/// Updates per-neuron counts and ISI moments from this step's spikes.
pub fn count_spikes(
    spikes: Res<SpikeEvents>,
    clock: Res<SimClock>,
    mut stats: ResMut<SpikeStatistics>,
) {
    stats.record(clock.step(), spikes.neurons());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_keep_the_column_layout() {
        let mut stats = SpikeStatistics::new(3);
        for (step, neurons) in [(4u64, &[0u32, 2][..]), (9, &[2]), (15, &[0, 2])] {
            stats.record(step, neurons);
        }
        let columns = SpikeStatisticsColumns::from(stats.clone());
        assert_eq!(columns.counts, vec![2, 0, 3]);
        assert_eq!(columns.last_step, vec![15, NEVER, 15]);
        assert_eq!(columns.isi_count, vec![1, 0, 2]);
        assert_eq!(columns.isi_sum_steps, vec![11.0, 0.0, 11.0]);
        assert_eq!(columns.isi_sum_sq_steps, vec![121.0, 0.0, 61.0]);
        let back = SpikeStatistics::from(columns);
        assert_eq!(back.summarize(0..3, 10.0), stats.summarize(0..3, 10.0));
        assert_eq!(back.counts(), stats.counts());
    }

    #[test]
    fn cv_of_a_regular_train_is_zero_and_of_alternating_isis_is_known() {
        let mut stats = SpikeStatistics::new(2);
        // Neuron 0 fires every 10 steps; neuron 1 alternates ISIs of 10 and 30 steps:
        // mean 20, sd 10 → CV 0.5.
        let train1 = [0u64, 10, 40, 50, 80];
        for step in 0..=80u64 {
            if step % 10 == 0 && step <= 40 {
                stats.record(step, &[0]);
            }
            if train1.contains(&step) {
                stats.record(step, &[1]);
            }
        }
        let a = stats.summarize(0..1, 100.0);
        assert_eq!(a.spikes, 5);
        assert_eq!(a.rate_hz, 50.0);
        assert!(a.cv_isi.unwrap().abs() < 1e-12);
        let b = stats.summarize(1..2, 100.0);
        assert!((b.cv_isi.unwrap() - 0.5).abs() < 1e-12);
    }
}
