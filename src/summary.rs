//! `summary.json`: the key results of a run, for people and for scripts.

use serde::Serialize;

use synaptogen_engine::DeliveredEvents;
use synaptogen_engine::monitors::SpikeStatistics;
use synaptogen_scenario::{Built, Resolved};

/// Version of the summary layout (bumped when a field changes meaning or disappears).
pub const SUMMARY_VERSION: u32 = 1;

/// The whole summary. Everything outside `execution` is a pure function of the scenario and
/// seed: identical for any thread count and machine.
#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub summary_version: u32,
    pub synaptogen_version: &'static str,
    pub scenario_schema_version: u32,
    pub scenario: String,
    pub source: String,
    pub seed: u64,
    pub dt_ms: f64,
    pub duration_ms: f64,
    pub steps: u64,
    pub network: NetworkSummary,
    pub activity: ActivitySummary,
    pub execution: Execution,
}

#[derive(Debug, Serialize)]
pub struct NetworkSummary {
    pub neurons: u64,
    pub synapses: u64,
    pub synapse_bytes: u64,
    pub projections: Vec<ProjectionEntry>,
}

#[derive(Debug, Serialize)]
pub struct ProjectionEntry {
    pub name: String,
    pub source: String,
    pub target: String,
    pub synapses: u64,
    pub plastic: bool,
}

#[derive(Debug, Serialize)]
pub struct ActivitySummary {
    pub spikes: u64,
    pub synaptic_events: u64,
    pub mean_rate_hz: f64,
    pub populations: Vec<PopulationEntry>,
}

#[derive(Debug, Serialize)]
pub struct PopulationEntry {
    pub name: String,
    pub region: String,
    pub cell_type: String,
    pub neurons: u64,
    pub spikes: u64,
    pub rate_hz: f64,
    /// Mean ISI coefficient of variation over neurons with ≥ 3 spikes (null if none).
    pub cv_isi: Option<f64>,
    pub neurons_with_cv: u64,
    pub fraction_active: f64,
}

/// How the run went on this machine: differs between runs of the same scenario.
#[derive(Debug, Serialize)]
pub struct Execution {
    pub threads: usize,
    pub build_wall_s: f64,
    pub simulation_wall_s: f64,
    pub real_time_factor: f64,
    pub events_per_wall_s: f64,
    pub peak_rss_mb: Option<f64>,
    pub machine: String,
}

/// Wall-clock figures of a run.
pub struct WallTimes {
    pub build_s: f64,
    pub simulation_s: f64,
}

impl RunSummary {
    /// Summarises the finished simulation `built` of scenario `r`.
    pub fn new(r: &Resolved, built: &Built, wall: &WallTimes) -> Self {
        let sim = &r.scenario.simulation;
        let world = &built.simulation.world;
        let stats = world.resource::<SpikeStatistics>();
        let events = world.resource::<DeliveredEvents>().0;
        let duration_ms = built.steps as f64 * sim.dt_ms;
        let populations: Vec<PopulationEntry> = built
            .populations
            .iter()
            .map(|p| {
                let a = stats.summarize(p.first..p.first + p.size, duration_ms);
                PopulationEntry {
                    name: p.name.clone(),
                    region: p.region.clone(),
                    cell_type: p.cell_type.clone(),
                    neurons: a.neurons as u64,
                    spikes: a.spikes,
                    rate_hz: a.rate_hz,
                    cv_isi: a.cv_isi,
                    neurons_with_cv: a.neurons_with_cv as u64,
                    fraction_active: a.fraction_active,
                }
            })
            .collect();
        let neurons: u64 = populations.iter().map(|p| p.neurons).sum();
        let spikes: u64 = populations.iter().map(|p| p.spikes).sum();
        let synapses: u64 = built.projections.iter().map(|p| p.synapses as u64).sum();
        Self {
            summary_version: SUMMARY_VERSION,
            synaptogen_version: env!("CARGO_PKG_VERSION"),
            scenario_schema_version: synaptogen_scenario::SCHEMA_VERSION,
            scenario: r.scenario.name.clone(),
            source: r.source.clone(),
            seed: sim.seed,
            dt_ms: sim.dt_ms,
            duration_ms,
            steps: built.steps,
            network: NetworkSummary {
                neurons,
                synapses,
                synapse_bytes: built.synapse_bytes as u64,
                projections: built
                    .projections
                    .iter()
                    .map(|p| ProjectionEntry {
                        name: p.name.clone(),
                        source: p.source.clone(),
                        target: p.target.clone(),
                        synapses: p.synapses as u64,
                        plastic: p.plastic,
                    })
                    .collect(),
            },
            activity: ActivitySummary {
                spikes,
                synaptic_events: events,
                mean_rate_hz: if neurons > 0 {
                    spikes as f64 / (neurons as f64 * duration_ms * 1e-3)
                } else {
                    0.0
                },
                populations,
            },
            execution: Execution {
                threads: built.simulation.threads(),
                build_wall_s: wall.build_s,
                simulation_wall_s: wall.simulation_s,
                real_time_factor: wall.simulation_s / (duration_ms * 1e-3),
                events_per_wall_s: events as f64 / wall.simulation_s.max(1e-12),
                peak_rss_mb: crate::timing::peak_rss_mb(),
                machine: crate::timing::machine(),
            },
        }
    }

    /// A human-readable table for the terminal.
    pub fn render(&self) -> String {
        use crate::progress::readable_ms;
        let mut out = String::new();
        let e = &self.execution;
        out += &format!(
            "{} — {} neurons, {} synapses; {} simulated in {:.2} s ({} threads, real-time factor {:.3})\n",
            self.scenario,
            self.network.neurons,
            self.network.synapses,
            readable_ms(self.duration_ms),
            e.simulation_wall_s,
            e.threads,
            e.real_time_factor
        );
        out += &format!(
            "{} spikes, {} synaptic events ({:.3e} per wall second); build {:.2} s\n",
            self.activity.spikes,
            self.activity.synaptic_events,
            e.events_per_wall_s,
            e.build_wall_s
        );
        out += &format!(
            "{:<16} {:<8} {:<18} {:>8} {:>10} {:>7}\n",
            "population", "region", "cell type", "neurons", "rate (Hz)", "CV ISI"
        );
        for p in &self.activity.populations {
            let cv = p
                .cv_isi
                .map_or_else(|| "—".to_owned(), |c| format!("{c:.2}"));
            out += &format!(
                "{:<16} {:<8} {:<18} {:>8} {:>10.2} {:>7}\n",
                p.name, p.region, p.cell_type, p.neurons, p.rate_hz, cv
            );
        }
        out
    }
}
