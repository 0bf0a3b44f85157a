//! The spine census: densities, turnover, size histograms and cohort survival.

use synaptogen_engine::monitors::{Cell, TableId, TableMonitor};

use super::Compartment;

/// Columns of `spines.csv`, the event log.
pub const SPINE_EVENT_COLUMNS: &[&str] = &[
    "time_ms",
    "event",
    "spine_id",
    "projection",
    "neuron",
    "presynaptic",
    "compartment",
    "volume_um3",
];

/// Columns of `census.csv`.
pub const CENSUS_COLUMNS: &[&str] = &[
    "time_ms",
    "population",
    "compartment",
    "spines",
    "nascent",
    "length_um",
    "density_per_um",
    "born_total",
    "eliminated_total",
    "formed_per_day",
    "eliminated_per_day",
    "mean_volume_um3",
];

/// Columns of `mepsc.csv`: simulated miniature EPSCs of each spiny population — what
/// whole-cell recordings of L5 pyramidal cells report after ketamine or stress (Li et al.
/// 2010, 2011; Liu & Aghajanian 2008). Amplitude: the mean AMPA conductance of a spine
/// (proportional to head volume) times the AMPA driving force at rest; frequency: spines
/// per neuron times the spontaneous release rate per synapse.
pub const MEPSC_COLUMNS: &[&str] = &[
    "time_ms",
    "population",
    "spines_per_neuron",
    "amplitude_pa",
    "frequency_hz",
];

/// Columns of `spine_sizes.csv`.
pub const SIZE_COLUMNS: &[&str] = &[
    "time_ms",
    "population",
    "bin_low_um3",
    "bin_high_um3",
    "spines",
];

/// Columns of `spine_cohorts.csv` (`cohort_day` is the day of birth, or `initial`).
pub const COHORT_COLUMNS: &[&str] = &["time_ms", "population", "cohort_day", "born", "alive"];

/// Log-spaced histogram bins of head volume: 0.005–2.5 µm³ in 27 bins (×1.26 per bin).
const SIZE_BINS: usize = 27;
const SIZE_LOW_UM3: f64 = 0.005;
const SIZE_RATIO: f64 = 1.2589254117941673; // 10^(1/10)

/// Running counts behind the census of one spiny population.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CensusState {
    /// Births so far, per compartment.
    pub born_total: [u64; 3],
    /// Eliminations so far, per compartment.
    pub eliminated_total: [u64; 3],
    /// Counts at the previous census (for per-day rates).
    last_born: [u64; 3],
    last_eliminated: [u64; 3],
    last_time_ms: f64,
    /// Spines present at the start (born at step 0).
    pub initial: u64,
    /// Births per cohort (day of birth).
    pub cohort_born: Vec<u64>,
}

/// What one census sees of one population: per spine, compartment, volume, maturity and
/// birth step.
pub struct CensusInput {
    /// Step of the census.
    pub step: u64,
    /// Population name (a label that lives for the whole run).
    pub population: &'static str,
    /// Modelled dendrite length per compartment, µm (summed over neurons).
    pub length_um: [f64; 3],
    /// Step length, ms.
    pub dt_ms: f64,
}

/// The tables the census writes.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct CensusTables {
    /// `census.csv`.
    pub census: TableId,
    /// `spine_sizes.csv`.
    pub sizes: TableId,
    /// `spine_cohorts.csv`.
    pub cohorts: TableId,
    /// `mepsc.csv`.
    pub mepsc: TableId,
}

impl CensusTables {
    /// Declares the census tables.
    pub fn declare(tables: &mut TableMonitor) -> Self {
        Self {
            census: tables.declare("census", CENSUS_COLUMNS),
            sizes: tables.declare("spine_sizes", SIZE_COLUMNS),
            cohorts: tables.declare("spine_cohorts", COHORT_COLUMNS),
            mepsc: tables.declare("mepsc", MEPSC_COLUMNS),
        }
    }
}

/// Day of the run (the cohort) of a spine born at `born_step`.
pub fn cohort_day(born_step: u64, dt_ms: f64) -> usize {
    (born_step as f64 * dt_ms / 86_400_000.0) as usize
}

impl CensusState {
    /// Notes a birth in `compartment` on day `day` of the run.
    pub fn born(&mut self, compartment: Compartment, day: usize) {
        self.born_total[compartment.index()] += 1;
        if self.cohort_born.len() <= day {
            self.cohort_born.resize(day + 1, 0);
        }
        self.cohort_born[day] += 1;
    }

    /// Notes an elimination in `compartment`.
    pub fn eliminated(&mut self, compartment: Compartment) {
        self.eliminated_total[compartment.index()] += 1;
    }

    /// Writes census, size-histogram and cohort rows for the spines `spines` (compartment,
    /// volume µm³, mature, birth step).
    pub fn record(
        &mut self,
        input: &CensusInput,
        spines: impl Iterator<Item = (Compartment, f32, bool, u64)> + Clone,
        tables: &mut TableMonitor,
        ids: CensusTables,
    ) {
        let mut count = [0u64; 3];
        let mut nascent = [0u64; 3];
        let mut volume = [0f64; 3];
        let mut histogram = [0u64; SIZE_BINS];
        let mut alive_by_day = vec![0u64; self.cohort_born.len()];
        let mut initial_alive = 0u64;
        for (c, v, mature, born) in spines {
            let i = c.index();
            count[i] += 1;
            nascent[i] += u64::from(!mature);
            volume[i] += f64::from(v);
            let bin = ((f64::from(v) / SIZE_LOW_UM3).ln() / SIZE_RATIO.ln()).floor();
            histogram[(bin.max(0.0) as usize).min(SIZE_BINS - 1)] += 1;
            if born == 0 {
                initial_alive += 1;
            } else if let Some(a) = alive_by_day.get_mut(cohort_day(born, input.dt_ms)) {
                *a += 1;
            }
        }
        let time_ms = input.step as f64 * input.dt_ms;
        let days = (time_ms - self.last_time_ms) / 86_400_000.0;
        let per_day = |now: u64, before: u64| {
            if days > 0.0 {
                (now - before) as f64 / days
            } else {
                0.0
            }
        };
        let t = Cell::Step(input.step);
        let population = Cell::Text(input.population);
        for c in Compartment::ALL {
            let i = c.index();
            if input.length_um[i] <= 0.0 && count[i] == 0 {
                continue;
            }
            tables.push(
                ids.census,
                &[
                    t,
                    population,
                    Cell::Text(c.name()),
                    Cell::U64(count[i]),
                    Cell::U64(nascent[i]),
                    Cell::F64(input.length_um[i]),
                    Cell::F64(if input.length_um[i] > 0.0 {
                        count[i] as f64 / input.length_um[i]
                    } else {
                        0.0
                    }),
                    Cell::U64(self.born_total[i]),
                    Cell::U64(self.eliminated_total[i]),
                    Cell::F64(per_day(self.born_total[i], self.last_born[i])),
                    Cell::F64(per_day(self.eliminated_total[i], self.last_eliminated[i])),
                    Cell::F64(if count[i] > 0 {
                        volume[i] / count[i] as f64
                    } else {
                        0.0
                    }),
                ],
            );
        }
        for (b, &n) in histogram.iter().enumerate() {
            let low = SIZE_LOW_UM3 * SIZE_RATIO.powi(b as i32);
            tables.push(
                ids.sizes,
                &[
                    t,
                    population,
                    Cell::F64(low),
                    Cell::F64(low * SIZE_RATIO),
                    Cell::U64(n),
                ],
            );
        }
        tables.push(
            ids.cohorts,
            &[
                t,
                population,
                Cell::Text("initial"),
                Cell::U64(self.initial),
                Cell::U64(initial_alive),
            ],
        );
        for (day, (&born, &alive)) in self.cohort_born.iter().zip(&alive_by_day).enumerate() {
            if born > 0 {
                tables.push(
                    ids.cohorts,
                    &[
                        t,
                        population,
                        Cell::U64(day as u64),
                        Cell::U64(born),
                        Cell::U64(alive),
                    ],
                );
            }
        }
        self.last_born = self.born_total;
        self.last_eliminated = self.eliminated_total;
        self.last_time_ms = time_ms;
    }
}
