//! The error check of the bridged mode: the key readouts of two runs of one protocol —
//! a reference (full mode) and a candidate (bridged) — side by side.
//!
//! Readouts, per population:
//! * signalling folds (`signalling.csv`: BDNF, p-mTOR, p-p70S6K, protein, AMPA content):
//!   peak, value at the end, and the largest deviation over the time course relative to
//!   the reference's largest excursion from 1 (`course`);
//! * population rates (`rates.csv`) in the candidate's spiking bins after the first second
//!   (the start transient), averaged over those bins in both runs: the same model times,
//!   so the network's activity under both modes;
//! * NMDA block (`block.csv`): peak;
//! * spines (`summary.json`): density at the end, spines formed and eliminated.
//!
//! Both runs record on the slow schedule at the same times whatever the mode, so time
//! courses are compared row by row.

use std::collections::BTreeMap;
use std::path::Path;

use crate::failure::{Failure, Internal};

/// Signalling species compared.
const SPECIES: [&str; 5] = ["bdnf", "p_mtor", "p_p70s6k", "protein", "ampa_content"];

/// The start transient (synchronous bursts of the first ≈ 300 ms) is left out of the rates.
const SETTLED_MS: f64 = 1_000.0;

/// Floor of a time course's excursion from 1 in `course` rows: a course that moves less than
/// 5 % is compared on that scale, so flat courses do not turn rounding into large ratios.
const FLAT_EXCURSION: f64 = 0.05;

/// One readout of both runs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub readout: String,
    pub population: String,
    pub statistic: &'static str,
    pub reference: f64,
    pub candidate: f64,
    /// |candidate − reference| / |reference| (for `course`: the deviation measure itself).
    pub relative_difference: f64,
}

/// Rows of one population: (time_ms, values by column).
type Rows = Vec<(f64, BTreeMap<String, f64>)>;

/// A table keyed by (population, time) with the named columns, from a run's CSV.
struct Series {
    /// Rows by population.
    rows: BTreeMap<String, Rows>,
}

impl Series {
    fn read(path: &Path) -> Result<Option<Self>, Failure> {
        if !path.exists() {
            return Ok(None);
        }
        let mut reader =
            csv::Reader::from_path(path).internal(format!("cannot read {}", path.display()))?;
        let headers = reader
            .headers()
            .internal(format!("cannot read {}", path.display()))?
            .clone();
        let mut rows: BTreeMap<String, Rows> = BTreeMap::new();
        for record in reader.records() {
            let record = record.internal(format!("cannot read {}", path.display()))?;
            let mut time = f64::NAN;
            let mut population = String::new();
            let mut values = BTreeMap::new();
            for (name, cell) in headers.iter().zip(record.iter()) {
                match name {
                    "time_ms" => time = cell.parse().unwrap_or(f64::NAN),
                    "population" => population = cell.to_owned(),
                    _ => {
                        if let Ok(v) = cell.parse::<f64>() {
                            values.insert(name.to_owned(), v);
                        }
                    }
                }
            }
            rows.entry(population).or_default().push((time, values));
        }
        Ok(Some(Self { rows }))
    }

    /// The time course of `column` for `population`.
    fn course(&self, population: &str, column: &str) -> Vec<(f64, f64)> {
        self.rows
            .get(population)
            .map(|rows| {
                rows.iter()
                    .filter_map(|(t, v)| v.get(column).map(|&x| (*t, x)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn relative(reference: f64, candidate: f64) -> f64 {
    if reference == candidate {
        0.0
    } else {
        (candidate - reference).abs() / reference.abs().max(1e-12)
    }
}

fn row(readout: &str, population: &str, statistic: &'static str, a: f64, b: f64) -> Row {
    Row {
        readout: readout.to_owned(),
        population: population.to_owned(),
        statistic,
        reference: a,
        candidate: b,
        relative_difference: relative(a, b),
    }
}

fn peak(course: &[(f64, f64)]) -> f64 {
    course.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max)
}

/// Compares the runs in `reference` and `candidate`, which must be of the same protocol.
pub fn compare(reference: &Path, candidate: &Path) -> Result<Vec<Row>, Failure> {
    let summary = |dir: &Path| -> Result<serde_json::Value, Failure> {
        let path = dir.join("summary.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::input(format!(
                "{}: cannot read it ({e}); compare takes two finished run folders",
                path.display()
            ))
        })?;
        serde_json::from_str(&text)
            .map_err(|e| Failure::input(format!("{}: not valid JSON ({e})", path.display())))
    };
    let (sa, sb) = (summary(reference)?, summary(candidate)?);
    if sa["duration_ms"] != sb["duration_ms"] || sa["dt_ms"] != sb["dt_ms"] {
        return Err(Failure::input(format!(
            "{} and {} are not runs of the same protocol (duration {} vs {} ms)",
            reference.display(),
            candidate.display(),
            sa["duration_ms"],
            sb["duration_ms"]
        )));
    }
    let mut rows = Vec::new();
    let signalling = (
        Series::read(&reference.join("signalling.csv"))?,
        Series::read(&candidate.join("signalling.csv"))?,
    );
    if let (Some(a), Some(b)) = &signalling {
        for population in a.rows.keys() {
            for species in SPECIES {
                let (ca, cb) = (a.course(population, species), b.course(population, species));
                if ca.is_empty() || ca.len() != cb.len() {
                    continue;
                }
                rows.push(row(species, population, "peak", peak(&ca), peak(&cb)));
                let (ea, eb) = (ca[ca.len() - 1].1, cb[cb.len() - 1].1);
                rows.push(row(species, population, "end", ea, eb));
                let excursion = ca.iter().map(|p| (p.1 - 1.0).abs()).fold(0.0, f64::max);
                let deviation = ca
                    .iter()
                    .zip(&cb)
                    .map(|(x, y)| (x.1 - y.1).abs())
                    .fold(0.0, f64::max);
                rows.push(Row {
                    readout: species.to_owned(),
                    population: population.clone(),
                    statistic: "course",
                    reference: excursion,
                    candidate: deviation,
                    relative_difference: deviation / excursion.max(FLAT_EXCURSION),
                });
            }
        }
    }
    let block = (
        Series::read(&reference.join("block.csv"))?,
        Series::read(&candidate.join("block.csv"))?,
    );
    if let (Some(a), Some(b)) = &block {
        for population in a.rows.keys() {
            let (ba, bb) = (
                a.course(population, "nmda_block"),
                b.course(population, "nmda_block"),
            );
            if !ba.is_empty() && ba.len() == bb.len() {
                rows.push(row("nmda_block", population, "peak", peak(&ba), peak(&bb)));
            }
        }
    }
    rows.extend(window_rates(reference, candidate)?);
    let spines = |s: &serde_json::Value| -> BTreeMap<String, serde_json::Value> {
        s["spines"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| (e["population"].as_str().unwrap_or("").to_owned(), e.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (pa, pb) = (spines(&sa), spines(&sb));
    for (population, a) in &pa {
        let Some(b) = pb.get(population) else {
            continue;
        };
        for (key, statistic) in [
            ("density_per_um", "end"),
            ("born", "total"),
            ("eliminated", "total"),
        ] {
            if let (Some(x), Some(y)) = (a[key].as_f64(), b[key].as_f64()) {
                rows.push(row(&format!("spines_{key}"), population, statistic, x, y));
            }
        }
    }
    if rows.is_empty() {
        return Err(Failure::input(format!(
            "{} and {} have no readouts in common (signalling.csv, block.csv, spines)",
            reference.display(),
            candidate.display()
        )));
    }
    Ok(rows)
}

/// Population rates by bin start (µs of model time), settled bins only.
type Bins = BTreeMap<u64, Vec<f64>>;

/// `rates.csv`: the population names and the bins.
fn read_rates(dir: &Path) -> Result<(Vec<String>, Bins), Failure> {
    let path = dir.join("rates.csv");
    let mut reader =
        csv::Reader::from_path(&path).internal(format!("cannot read {}", path.display()))?;
    let names: Vec<String> = reader
        .headers()
        .internal(format!("cannot read {}", path.display()))?
        .iter()
        .skip(1)
        .map(str::to_owned)
        .collect();
    let mut bins = BTreeMap::new();
    for record in reader.records() {
        let record = record.internal(format!("cannot read {}", path.display()))?;
        let values: Vec<f64> = record
            .iter()
            .map(|c| c.parse().unwrap_or(f64::NAN))
            .collect();
        if let Some((&t, rates)) = values.split_first()
            && t >= SETTLED_MS
        {
            // Keyed by µs: bin starts are multiples of the step, exact in the CSV.
            bins.insert((t * 1000.0).round() as u64, rates.to_vec());
        }
    }
    Ok((names, bins))
}

/// Mean population rates over the candidate's settled bins, in both runs.
fn window_rates(reference: &Path, candidate: &Path) -> Result<Vec<Row>, Failure> {
    let (names, a) = read_rates(reference)?;
    let (_, b) = read_rates(candidate)?;
    let shared: Vec<u64> = b.keys().copied().filter(|t| a.contains_key(t)).collect();
    if shared.is_empty() {
        return Ok(Vec::new());
    }
    let mean = |bins: &Bins, p: usize| {
        shared.iter().map(|t| bins[t][p]).sum::<f64>() / shared.len() as f64
    };
    Ok(names
        .iter()
        .enumerate()
        .map(|(p, name)| row("rate_hz", name, "windows", mean(&a, p), mean(&b, p)))
        .collect())
}

/// Writes `rows` as CSV to `path` (atomically).
pub fn write(path: &Path, rows: &[Row]) -> Result<(), Failure> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).internal("cannot encode the comparison")?;
    }
    let bytes = w.into_inner().internal("cannot encode the comparison")?;
    crate::run_folder::write_atomic(path, &bytes)
}

/// The rows as an aligned table for the terminal, the largest difference per readout first.
pub fn render(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<22} {:<10} {:<7} {:>12} {:>12} {:>9}\n",
        "readout", "population", "stat", "reference", "candidate", "rel.diff"
    );
    for r in rows {
        out += &format!(
            "{:<22} {:<10} {:<7} {:>12.5} {:>12.5} {:>8.2}%\n",
            r.readout,
            r.population,
            r.statistic,
            r.reference,
            r.candidate,
            100.0 * r.relative_difference
        );
    }
    out
}
