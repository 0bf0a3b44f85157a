//! Recording of weights: per-projection summaries and sampled synapses over time.

use bevy_ecs::prelude::*;

use synaptogen_engine::monitors::{Cell, TableId, TableMonitor};
use synaptogen_engine::{ScheduleRates, SimClock, SynapseGroups};

use super::PlasticProjections;

/// Columns of `weights.csv`.
pub const WEIGHT_COLUMNS: &[&str] = &[
    "time_ms",
    "projection",
    "synapses",
    "mean_ns",
    "sd_ns",
    "min_ns",
    "max_ns",
    "mean_efficacy",
];

/// Columns of `weight_samples.csv`.
pub const SAMPLE_COLUMNS: &[&str] = &["time_ms", "projection", "synapse", "weight_ns", "efficacy"];

/// Samples weights of the plastic projections every `every_steps` (on the slow schedule).
#[derive(Resource, Debug, Clone)]
pub struct WeightMonitor {
    /// Steps between records.
    pub every_steps: u64,
    /// `weights` table.
    pub summary: TableId,
    /// `weight_samples` table.
    pub samples: TableId,
    /// Names of the projections (labels that live for the whole run), by plastic index.
    pub names: Vec<&'static str>,
    /// Keys followed per projection: spine ids, or CSR positions of plain synapses.
    pub followed: Vec<Vec<u64>>,
}

/// Slow schedule: writes weight summaries and samples when due.
pub fn record_weights(
    clock: Res<SimClock>,
    rates: Res<ScheduleRates>,
    monitor: Option<Res<WeightMonitor>>,
    plastic: Res<PlasticProjections>,
    groups: Res<SynapseGroups>,
    mut tables: ResMut<TableMonitor>,
) {
    let Some(monitor) = monitor else { return };
    let step = clock.step();
    // The slow schedule runs at the end of step `step`; record at multiples of the period.
    let end = step + 1;
    if !end.is_multiple_of(monitor.every_steps.max(rates.slow_every_steps)) {
        return;
    }
    let time = Cell::Step(end);
    for (index, p) in plastic.list.iter().enumerate() {
        let weights = groups.groups()[p.group].weights();
        let n = weights.len();
        let (mut sum, mut sum_sq, mut lo, mut hi) =
            (0.0f64, 0.0f64, f64::INFINITY, f64::NEG_INFINITY);
        for &w in weights {
            let w = f64::from(w);
            sum += w;
            sum_sq += w * w;
            lo = lo.min(w);
            hi = hi.max(w);
        }
        let mean = if n > 0 { sum / n as f64 } else { 0.0 };
        let sd = if n > 0 {
            (sum_sq / n as f64 - mean * mean).max(0.0).sqrt()
        } else {
            0.0
        };
        let mean_efficacy = if n > 0 {
            p.efficacy.iter().map(|&e| f64::from(e)).sum::<f64>() / n as f64
        } else {
            0.0
        };
        let name = Cell::Text(monitor.names[index]);
        tables.push(
            monitor.summary,
            &[
                time,
                name,
                Cell::U64(n as u64),
                Cell::F64(mean),
                Cell::F64(sd),
                Cell::F64(if n > 0 { lo } else { 0.0 }),
                Cell::F64(if n > 0 { hi } else { 0.0 }),
                Cell::F64(mean_efficacy),
            ],
        );
        for &key in &monitor.followed[index] {
            let position = match &p.spines {
                Some(s) => s.id.iter().position(|&id| id == key),
                None => Some(key as usize).filter(|&k| k < n),
            };
            if let Some(k) = position {
                tables.push(
                    monitor.samples,
                    &[
                        time,
                        name,
                        Cell::U64(key),
                        Cell::F64(f64::from(weights[k])),
                        Cell::F64(f64::from(p.efficacy[k])),
                    ],
                );
            }
        }
    }
}
