//! Recording of weights: per-projection summaries and sampled synapses over time.

use bevy_ecs::prelude::*;

use synaptogen_engine::monitors::{Cell, TableId, TableMonitor};
use synaptogen_engine::{ScheduleRates, SimClock, SynapseGroups};

use super::PlasticProjections;
use crate::spines::Compartment;

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

/// Columns of `synapse_calcium.csv` (projections under the calcium rule; see
/// [`super::CalciumReadout`]): mean calcium per synapse since the previous row, in the
/// rule's units, split into its NMDA and back-propagation parts; `compartment` is `all` for
/// plain synapses.
pub const CALCIUM_COLUMNS: &[&str] = &[
    "time_ms",
    "projection",
    "compartment",
    "synapses",
    "span_ms",
    "nmda_ca",
    "bap_ca",
    "total_ca",
];

/// Samples weights of the plastic projections every `every_steps` (on the slow schedule).
#[derive(Resource, Debug, Clone)]
pub struct WeightMonitor {
    /// Steps between records.
    pub every_steps: u64,
    /// `weights` table.
    pub summary: TableId,
    /// `weight_samples` table.
    pub samples: TableId,
    /// `synapse_calcium` table (when some projection runs the calcium rule).
    pub calcium: Option<TableId>,
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
    mut plastic: ResMut<PlasticProjections>,
    groups: Res<SynapseGroups>,
    mut tables: ResMut<TableMonitor>,
) {
    let Some(monitor) = monitor else { return };
    let dt_ms = clock.dt_ms();
    let step = clock.step();
    // The slow schedule runs at the end of step `step`; record at multiples of the period.
    let end = step + 1;
    if !end.is_multiple_of(monitor.every_steps.max(rates.slow_every_steps)) {
        return;
    }
    let time = Cell::Step(end);
    for (index, p) in plastic.list.iter_mut().enumerate() {
        let name = Cell::Text(monitor.names[index]);
        if let (Some(table), Some(readout)) = (monitor.calcium, p.take_calcium_readout(dt_ms)) {
            for c in Compartment::ALL {
                let i = c.index();
                if readout.synapses[i] == 0 {
                    continue;
                }
                let compartment = if p.spines.is_some() { c.name() } else { "all" };
                tables.push(
                    table,
                    &[
                        time,
                        name,
                        Cell::Text(compartment),
                        Cell::U64(readout.synapses[i]),
                        Cell::F64(readout.span_ms),
                        Cell::F64(readout.nmda[i]),
                        Cell::F64(readout.bap[i]),
                        Cell::F64(readout.nmda[i] + readout.bap[i]),
                    ],
                );
            }
        }
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
