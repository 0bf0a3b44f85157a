//! `summary.json`: the key results of a run, for people and for scripts.

use serde::Serialize;

use synaptogen_engine::monitors::SpikeStatistics;
use synaptogen_engine::{DeliveredEvents, SynapseGroups};
use synaptogen_models::pharmacology::Pharmacology;
use synaptogen_models::plasticity::{PlasticProjections, Rule};
use synaptogen_models::signalling::Species;
use synaptogen_models::spines::{SpineColumns, Spines};
use synaptogen_scenario::{Built, Resolved};

/// Version of the summary layout (bumped when a field changes meaning or disappears).
pub const SUMMARY_VERSION: u32 = 2;

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
    /// How model time was covered: spiking throughout, or in windows.
    pub schedule: ScheduleSummary,
    pub network: NetworkSummary,
    pub activity: ActivitySummary,
    /// Plastic projections at the end of the run (empty without plasticity or spines).
    pub plasticity: Vec<PlasticEntry>,
    /// Spiny populations: spine counts and turnover (empty without spines).
    pub spines: Vec<SpineEntry>,
    /// Drugs, block, glutamate and signalling (absent without `[pharmacology]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pharmacology: Option<PharmacologySummary>,
    /// The checkpoint this arm was forked from (`run --from`); absent for a run from step 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forked_from: Option<Origin>,
    pub execution: Execution,
}

/// A checkpoint a run started from.
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    pub checkpoint: String,
    pub step: u64,
    pub model_time_ms: f64,
}

/// How the run covered model time. `mode` is `full` (spiking throughout the spiking part)
/// or `bridged` (spiking windows, `simulation.mode`); `spiking_ms` is the model time in which the
/// network spiked, which population rates are computed over; `quiet_ms` the stretch after
/// the spiking part (`simulation.quiet_after_ms`).
#[derive(Debug, Serialize)]
pub struct ScheduleSummary {
    pub mode: &'static str,
    pub windows: u64,
    pub spiking_ms: f64,
    pub quiet_ms: f64,
}

/// Peaks and end states of the pharmacology, for sweeps and quick reading.
#[derive(Debug, Serialize)]
pub struct PharmacologySummary {
    pub drugs: Vec<DrugEntry>,
    pub populations: Vec<PharmacologyPopulation>,
    pub regions: Vec<RegionEntry>,
}

/// One drug's peaks (at the recording times).
#[derive(Debug, Serialize)]
pub struct DrugEntry {
    pub drug: String,
    pub peak_plasma_ng_per_ml: f64,
    pub peak_brain_free_um: f64,
    pub peak_brain_time_ms: f64,
}

/// One population: peak NMDA block and every signalling species at the end (fold over
/// baseline, mean over the population).
#[derive(Debug, Serialize)]
pub struct PharmacologyPopulation {
    pub population: String,
    pub peak_nmda_block: f64,
    pub signalling_at_end: std::collections::BTreeMap<&'static str, f64>,
}

/// One region's glutamate.
#[derive(Debug, Serialize)]
pub struct RegionEntry {
    pub region: String,
    pub peak_glutamate_pct: f64,
    pub glutamate_pct_at_end: f64,
}

impl PharmacologySummary {
    fn new(ph: &Pharmacology) -> Self {
        let peaks = &ph.peaks;
        Self {
            drugs: ph
                .levels
                .names()
                .iter()
                .enumerate()
                .map(|(d, name)| {
                    let (plasma, brain, t) = peaks.drugs.get(d).copied().unwrap_or_default();
                    DrugEntry {
                        drug: name.clone(),
                        peak_plasma_ng_per_ml: plasma,
                        peak_brain_free_um: brain,
                        peak_brain_time_ms: t,
                    }
                })
                .collect(),
            populations: ph
                .populations
                .iter()
                .enumerate()
                .map(|(p, pop)| PharmacologyPopulation {
                    population: pop.name.to_owned(),
                    peak_nmda_block: peaks.block.get(p).copied().unwrap_or(0.0),
                    signalling_at_end: Species::ALL
                        .iter()
                        .map(|&s| (s.name(), ph.signalling.mean(s, ph.activity.range_of(p))))
                        .collect(),
                })
                .collect(),
            regions: ph
                .regions
                .iter()
                .enumerate()
                .map(|(k, r)| RegionEntry {
                    region: r.name.to_owned(),
                    peak_glutamate_pct: peaks.glutamate_pct.get(k).copied().unwrap_or(100.0),
                    glutamate_pct_at_end: r.percent_of_baseline(),
                })
                .collect(),
        }
    }
}

/// One plastic projection at the end of the run.
#[derive(Debug, Serialize)]
pub struct PlasticEntry {
    pub projection: String,
    /// Live synapses (spine births and eliminations change it).
    pub synapses: u64,
    /// Mean conductance weight over live synapses.
    pub mean_weight_ns: f64,
    /// The learning rule: `stdp`, `calcium`, or `none` (static spines).
    pub rule: &'static str,
    /// Mean dimensionless efficacy (the rule's state, 0–1; null without a rule).
    pub mean_efficacy: Option<f64>,
}

/// One spiny target population at the end of the run.
#[derive(Debug, Serialize)]
pub struct SpineEntry {
    pub population: String,
    /// Spines at the start of the run.
    pub initial: u64,
    /// Spines at the end of the run.
    pub spines: u64,
    /// Spines formed during the run.
    pub born: u64,
    /// Spines eliminated during the run (initial and newborn alike).
    pub eliminated: u64,
    /// Spines not yet stabilised (filopodia and nascent spines).
    pub nascent: u64,
    /// Spines per µm of dendrite.
    pub density_per_um: f64,
    pub mean_volume_um3: f64,
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
    /// The checkpoint `resume` continued from (the results equal an uninterrupted run's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed_from: Option<Origin>,
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
        // Rates are spikes per second of spiking: a windowed run spikes in a fraction of
        // its duration.
        let spiking_ms = built.spiking.spiking_steps as f64 * sim.dt_ms;
        let populations: Vec<PopulationEntry> = built
            .populations
            .iter()
            .map(|p| {
                let a = stats.summarize(p.first..p.first + p.size, spiking_ms);
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
        let plastic = world.get_resource::<PlasticProjections>();
        let groups = world.resource::<SynapseGroups>();
        // Counts from the live network (structural plasticity changes them).
        let synapses: u64 = groups.n_synapses() as u64;
        let plasticity = plastic.map_or_else(Vec::new, |pl| {
            pl.list
                .iter()
                .map(|p| {
                    let w = groups.groups()[p.group].weights();
                    let n = w.len().max(1) as f64;
                    PlasticEntry {
                        projection: p.name.clone(),
                        synapses: w.len() as u64,
                        mean_weight_ns: w.iter().map(|&x| f64::from(x)).sum::<f64>() / n,
                        rule: match p.rule {
                            Some(Rule::Stdp(_)) => "stdp",
                            Some(Rule::Calcium(_)) => "calcium",
                            None => "none",
                        },
                        mean_efficacy: p
                            .rule
                            .as_ref()
                            .map(|_| p.efficacy.iter().map(|&x| f64::from(x)).sum::<f64>() / n),
                    }
                })
                .collect()
        });
        let spines = match (world.get_resource::<Spines>(), plastic) {
            (Some(sp), Some(pl)) => sp
                .targets
                .iter()
                .map(|t| {
                    let columns: Vec<&SpineColumns> = t
                        .projections
                        .iter()
                        .filter_map(|&i| pl.list[sp.projections[i].plastic].spines.as_ref())
                        .collect();
                    let count: usize = columns.iter().map(|c| c.len()).sum();
                    let nascent: usize = columns
                        .iter()
                        .map(|c| c.mature.iter().filter(|m| !**m).count())
                        .sum();
                    let volume: f64 = columns
                        .iter()
                        .flat_map(|c| c.volume_um3.iter())
                        .map(|&v| f64::from(v))
                        .sum();
                    let length: f64 = t.total_length_um().iter().sum();
                    SpineEntry {
                        population: t.name.to_owned(),
                        initial: t.census.initial,
                        spines: count as u64,
                        born: t.census.born_total.iter().sum(),
                        eliminated: t.census.eliminated_total.iter().sum(),
                        nascent: nascent as u64,
                        density_per_um: if length > 0.0 {
                            count as f64 / length
                        } else {
                            0.0
                        },
                        mean_volume_um3: if count > 0 {
                            volume / count as f64
                        } else {
                            0.0
                        },
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
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
            schedule: ScheduleSummary {
                mode: if built.windows.is_some() {
                    "bridged"
                } else {
                    "full"
                },
                windows: built.spiking.windows,
                spiking_ms,
                quiet_ms: built.quiet_steps as f64 * sim.dt_ms,
            },
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
                mean_rate_hz: if neurons > 0 && spiking_ms > 0.0 {
                    spikes as f64 / (neurons as f64 * spiking_ms * 1e-3)
                } else {
                    0.0
                },
                populations,
            },
            plasticity,
            spines,
            pharmacology: world
                .get_resource::<Pharmacology>()
                .map(PharmacologySummary::new),
            forked_from: None,
            execution: Execution {
                threads: built.simulation.threads(),
                build_wall_s: wall.build_s,
                simulation_wall_s: wall.simulation_s,
                real_time_factor: wall.simulation_s / (duration_ms * 1e-3),
                events_per_wall_s: events as f64 / wall.simulation_s.max(1e-12),
                peak_rss_mb: crate::timing::peak_rss_mb(),
                machine: crate::timing::machine(),
                resumed_from: None,
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
        if !self.plasticity.is_empty() {
            out += &format!(
                "{:<24} {:<8} {:>9} {:>14} {:>10}\n",
                "plastic projection", "rule", "synapses", "weight (nS)", "efficacy"
            );
            for p in &self.plasticity {
                let efficacy = p
                    .mean_efficacy
                    .map_or_else(|| "—".to_owned(), |e| format!("{e:.4}"));
                out += &format!(
                    "{:<24} {:<8} {:>9} {:>14.5} {:>10}\n",
                    p.projection, p.rule, p.synapses, p.mean_weight_ns, efficacy
                );
            }
        }
        if !self.spines.is_empty() {
            out += &format!(
                "{:<16} {:>9} {:>9} {:>8} {:>10} {:>11} {:>12}\n",
                "spiny population",
                "initial",
                "spines",
                "born",
                "eliminated",
                "per µm",
                "volume (µm³)"
            );
            for s in &self.spines {
                out += &format!(
                    "{:<16} {:>9} {:>9} {:>8} {:>10} {:>11.3} {:>12.4}\n",
                    s.population,
                    s.initial,
                    s.spines,
                    s.born,
                    s.eliminated,
                    s.density_per_um,
                    s.mean_volume_um3
                );
            }
        }
        out
    }
}
