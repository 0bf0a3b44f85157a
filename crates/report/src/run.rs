//! A finished run folder as the report reads it: its summary, its resolved scenario (for the
//! interventions) and its tables, each read once.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::ReportError;
use crate::chart::Mark;
use crate::tables::Table;
use crate::time_axis::TimeAxis;

/// One population's place among the neuron indices (`populations.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRange {
    /// Name.
    pub name: String,
    /// First global neuron index.
    pub first: usize,
    /// Neurons.
    pub size: usize,
}

/// A run folder being reported.
#[derive(Debug)]
pub struct RunData {
    dir: PathBuf,
    summary: serde_json::Value,
    marks: Vec<Mark>,
    axis: TimeAxis,
    tables: RefCell<BTreeMap<String, Option<Rc<Table>>>>,
}

impl RunData {
    /// Opens the finished run in `dir`: it must hold `summary.json` (written last by a run).
    pub fn open(dir: &Path) -> Result<Self, ReportError> {
        let summary_path = dir.join("summary.json");
        let text = std::fs::read_to_string(&summary_path).map_err(|e| ReportError::NotARun {
            dir: dir.to_owned(),
            detail: format!("cannot read summary.json ({e}); is it a finished run folder?"),
        })?;
        let summary: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| ReportError::Table {
                path: summary_path.clone(),
                detail: e.to_string(),
            })?;
        let duration_ms = summary
            .get("duration_ms")
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| ReportError::Table {
                path: summary_path,
                detail: "has no number `duration_ms`".into(),
            })?;
        let marks = interventions(dir, duration_ms)?;
        Ok(Self {
            dir: dir.to_owned(),
            summary,
            marks,
            axis: TimeAxis::for_span((0.0, duration_ms)),
            tables: RefCell::new(BTreeMap::new()),
        })
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `summary.json`.
    pub fn summary(&self) -> &serde_json::Value {
        &self.summary
    }

    /// Interventions, for marking figures.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// The time axis shared by the report's figures.
    pub fn axis(&self) -> TimeAxis {
        self.axis
    }

    /// True if the run spiked in windows.
    pub fn is_bridged(&self) -> bool {
        self.summary
            .pointer("/schedule/mode")
            .and_then(serde_json::Value::as_str)
            == Some("bridged")
    }

    /// Table `name` (`NAME.csv`), read on first use; `None` if the run did not write it.
    pub fn table(&self, name: &str) -> Result<Option<Rc<Table>>, ReportError> {
        if let Some(table) = self.tables.borrow().get(name) {
            return Ok(table.clone());
        }
        let table = Table::read(&self.dir, name)?.map(Rc::new);
        self.tables
            .borrow_mut()
            .insert(name.to_owned(), table.clone());
        Ok(table)
    }

    /// Populations in index order (`populations.csv`; empty if absent).
    pub fn populations(&self) -> Result<Vec<PopulationRange>, ReportError> {
        let Some(table) = self.table("populations")? else {
            return Ok(Vec::new());
        };
        let names = table.text("population")?;
        let first = table.numbers("first_neuron")?;
        let size = table.numbers("size")?;
        Ok((0..table.rows())
            .map(|i| PopulationRange {
                name: names[i].clone(),
                first: first[i] as usize,
                size: size[i] as usize,
            })
            .collect())
    }
}

/// A validation target of the run's scenario with the run's value.
#[derive(Debug, Clone)]
pub struct TargetResult {
    /// The target.
    pub target: synaptogen_scenario::targets::Target,
    /// The run's value, or why it could not be read.
    pub value: Result<f64, String>,
}

/// The run's resolved scenario (`scenario.toml`), if the folder holds one.
fn scenario(dir: &Path) -> Result<Option<synaptogen_scenario::Resolved>, ReportError> {
    let path = dir.join("scenario.toml");
    if !path.exists() {
        return Ok(None);
    }
    synaptogen_scenario::load_file(&path, &[])
        .map(Some)
        .map_err(|e| ReportError::Table {
            path: path.clone(),
            detail: e.to_string(),
        })
}

/// Each `[[targets]]` entry of the run's scenario with the value the run gave its readout.
pub fn targets(dir: &Path) -> Result<Vec<TargetResult>, ReportError> {
    let Some(resolved) = scenario(dir)? else {
        return Ok(Vec::new());
    };
    Ok(resolved
        .scenario
        .targets
        .into_iter()
        .map(|target| {
            let value = synaptogen_study::spec::metric_from_table(&target.id, &target.metric)
                .and_then(|metric| synaptogen_study::metrics::read(dir, &[metric]))
                .and_then(|values| values[0].ok_or_else(|| "no value".to_owned()));
            TargetResult { target, value }
        })
        .collect())
}

/// The interventions of the run's resolved scenario (`scenario.toml`), clipped to the run.
fn interventions(dir: &Path, duration_ms: f64) -> Result<Vec<Mark>, ReportError> {
    let Some(resolved) = scenario(dir)? else {
        return Ok(Vec::new());
    };
    Ok(resolved
        .scenario
        .interventions
        .iter()
        .filter(|i| i.start().ms <= duration_ms)
        .map(|i| Mark {
            label: i.describe(),
            start_ms: i.start().ms,
            end_ms: i.end().map(|e| e.ms.min(duration_ms)),
        })
        .collect())
}
