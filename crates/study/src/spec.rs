//! The study file (`assets/sweeps/*.toml`): a base scenario, the parameters to vary, the
//! design, replicates and seeds, and the metrics to keep. `schema_version` 1; the format is
//! documented in `assets/sweeps/README.md`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use synaptogen_scenario::pharmacology::TimeSpan;

use crate::distribution::Distribution;
use crate::sobol_sequence::MAX_DIMENSIONS;

/// The study-file versions this program reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A study file's error: the file, where in it, and what is allowed.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct StudyError {
    /// The study file.
    pub file: String,
    /// What is wrong, naming the key and what is allowed.
    pub message: String,
}

/// A study as written in its file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    /// Version of this format; must be 1.
    pub schema_version: Option<u32>,
    /// Name of the study (used in messages).
    pub name: String,
    /// What the study asks.
    #[serde(default)]
    pub description: String,
    /// The base scenario: a built-in name or a file, relative to the study file.
    pub scenario: String,
    /// Overrides applied to the base scenario before the swept parameters (`--set` syntax).
    #[serde(default)]
    pub set: Vec<String>,
    /// Runs per design point, each with its own seed.
    #[serde(default = "one")]
    pub replicates: u32,
    /// Master seed of the study: design sampling and the runs' seeds derive from it.
    #[serde(default = "one_u64")]
    pub seed: u64,
    /// `common`: replicate r has the same seed at every point (common random numbers, so
    /// differences between points are not masked by network-to-network noise); `per_point`:
    /// every run has its own seed.
    #[serde(default)]
    pub seeds: SeedPolicy,
    /// How points are chosen.
    pub design: DesignSpec,
    /// The parameters varied.
    pub parameters: Vec<ParameterSpec>,
    /// What each run contributes to the result table.
    pub metrics: Vec<MetricSpec>,
    /// Analysis options.
    #[serde(default)]
    pub analysis: AnalysisSpec,
}

fn one() -> u32 {
    1
}
fn one_u64() -> u64 {
    1
}

/// How replicate seeds are derived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedPolicy {
    /// Replicate r uses one seed at every point.
    #[default]
    Common,
    /// Each (point, replicate) has its own seed.
    PerPoint,
}

/// The design, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSpec {
    /// `grid`, `random`, `latin_hypercube`, `sobol`, `morris` or `saltelli`.
    pub kind: String,
    /// Points of `random`, `latin_hypercube` and `sobol` designs.
    pub points: Option<u32>,
    /// Trajectories of a `morris` design (each has parameters + 1 points).
    pub trajectories: Option<u32>,
    /// Grid levels of a `morris` design (even; default 4).
    pub levels: Option<u32>,
    /// Base samples N of a `saltelli` design (N·(parameters + 2) points).
    pub base_samples: Option<u32>,
}

/// A varied parameter, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterSpec {
    /// The scenario key path, as `--set` takes it.
    pub key: String,
    /// Column name in the result tables (default: the key).
    pub name: Option<String>,
    /// Explicit values (grid designs only); any TOML values.
    pub values: Option<Vec<toml::Value>>,
    /// `uniform`, `log_uniform`, `normal` or `lognormal`.
    pub distribution: Option<String>,
    /// Bounds of `uniform` and `log_uniform`.
    pub min: Option<f64>,
    /// Bounds of `uniform` and `log_uniform`.
    pub max: Option<f64>,
    /// Of `normal`.
    pub mean: Option<f64>,
    /// Of `normal`.
    pub sd: Option<f64>,
    /// Of `lognormal`.
    pub median: Option<f64>,
    /// Of `lognormal`: the standard deviation of the natural log.
    pub sigma_log: Option<f64>,
    /// Grid steps over a bounded distribution (evenly spaced in its own scale).
    pub steps: Option<u32>,
    /// Round drawn values to whole numbers (population sizes, counts).
    #[serde(default)]
    pub integer: bool,
}

/// A metric, as written: a value of `summary.json` or a readout of one of the run's tables.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricSpec {
    /// Column name in the result tables.
    pub name: String,
    /// A `summary.json` path: dotted keys; an array element by its name
    /// (`activity.populations.pfc_pyr.rate_hz`) or index.
    pub summary: Option<String>,
    /// A table of the run folder, without `.csv` (`census`, `signalling`, `block`, …).
    pub table: Option<String>,
    /// The column of `table` read.
    pub column: Option<String>,
    /// Only rows whose columns have these values (e.g. `{ population = "pfc_pyr" }`).
    #[serde(default, rename = "where")]
    pub filter: toml::Table,
    /// The readout time: the table's last rows at or before it.
    pub at: Option<String>,
    /// A time window `[from, to]` reduced by `statistic`, instead of `at`.
    pub between: Option<Vec<String>>,
    /// Reduction over `between`: `max`, `min` or `mean`.
    pub statistic: Option<String>,
    /// How several matching rows at one time combine: `sum` or `mean`.
    pub combine: Option<String>,
    /// Report the value relative to the one at this time (value / value then).
    pub relative_to: Option<String>,
}

/// Analysis options.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSpec {
    /// The parameter (by name) that is a dose: `analyze` fits a Hill curve along it.
    pub dose: Option<String>,
}

/// A validated study.
#[derive(Debug, Clone)]
pub struct Study {
    /// The file it was read from (for messages).
    pub file: String,
    /// The folder relative paths are taken from.
    pub base_dir: PathBuf,
    /// As written, after validation.
    pub spec: StudyFile,
    /// The design.
    pub design: Design,
    /// The parameters.
    pub parameters: Vec<Parameter>,
    /// The metrics.
    pub metrics: Vec<Metric>,
}

/// A validated design.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Design {
    /// Every combination of every parameter's values.
    Grid,
    /// Independent draws.
    Random {
        /// Points drawn.
        points: u32,
    },
    /// One draw in each of `points` equal-probability strata per parameter (McKay et al. 1979).
    LatinHypercube {
        /// Points, and strata per parameter.
        points: u32,
    },
    /// The first `points` Sobol' points after the origin.
    Sobol {
        /// Points taken.
        points: u32,
    },
    /// Morris (1991) one-at-a-time trajectories on a `levels`-level grid.
    Morris {
        /// Trajectories, each of parameters + 1 points.
        trajectories: u32,
        /// Grid levels per parameter (even).
        levels: u32,
    },
    /// Saltelli (2002, 2010) cross-sampled matrices for first-order and total Sobol' indices.
    Saltelli {
        /// Rows N of the base matrices A and B; N·(parameters + 2) points.
        base_samples: u32,
    },
}

/// How a parameter's values are given.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Explicit list.
    List(Vec<toml::Value>),
    /// A distribution, with grid steps when the design is a grid.
    Drawn {
        /// The distribution.
        distribution: Distribution,
        /// Grid steps (grid designs).
        steps: Option<u32>,
    },
}

/// A validated parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Scenario key path.
    pub key: String,
    /// Column name.
    pub name: String,
    /// Its values.
    pub values: Values,
    /// Rounded to whole numbers.
    pub integer: bool,
}

/// A validated metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Column name.
    pub name: String,
    /// Where its value comes from.
    pub source: MetricSource,
}

/// Where a metric's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricSource {
    /// A path into `summary.json`.
    Summary(Vec<String>),
    /// A table readout.
    Table(TableReadout),
}

/// A readout of one table of a run folder.
#[derive(Debug, Clone, PartialEq)]
pub struct TableReadout {
    /// File name without `.csv`.
    pub table: String,
    /// Column read.
    pub column: String,
    /// Row filter: column = text.
    pub filter: Vec<(String, String)>,
    /// When.
    pub when: When,
    /// How rows at one time combine.
    pub combine: Combine,
    /// Divide by the value at this time (ms).
    pub relative_to_ms: Option<f64>,
}

/// The time of a table readout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    /// The last rows at or before this time (ms).
    At(f64),
    /// A statistic over rows in [from, to] (ms).
    Between {
        /// Start of the window, ms.
        from_ms: f64,
        /// End of the window, ms.
        to_ms: f64,
        /// The reduction.
        statistic: Statistic,
    },
}

/// Reduction over a time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// Largest value.
    Max,
    /// Smallest value.
    Min,
    /// Mean of the rows.
    Mean,
}

/// How several rows at one time combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Exactly one row must match.
    Single,
    /// Their sum (e.g. spines over compartments).
    Sum,
    /// Their mean.
    Mean,
}

const DESIGNS: &str = "grid, random, latin_hypercube, sobol, morris, saltelli";
const DISTRIBUTIONS: &str = "uniform, log_uniform, normal, lognormal";

impl Study {
    /// Reads and validates a study file.
    pub fn load(path: &Path) -> Result<Self, StudyError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| StudyError {
            file: file.clone(),
            message: format!("cannot read the study file: {e}"),
        })?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Self::parse(&file, &text, base_dir)
    }

    /// Validates a study from its text; `base_dir` resolves a relative scenario path.
    pub fn parse(file: &str, text: &str, base_dir: PathBuf) -> Result<Self, StudyError> {
        let error = |message: String| StudyError {
            file: file.to_owned(),
            message,
        };
        let spec: StudyFile = toml::from_str(text).map_err(|e| error(format!("{e}")))?;
        match spec.schema_version {
            Some(SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(error(format!(
                    "schema_version {v} is not supported; this program reads {SCHEMA_VERSION}"
                )));
            }
            None => {
                return Err(error(format!(
                    "schema_version is missing; add `schema_version = {SCHEMA_VERSION}` at the top"
                )));
            }
        }
        if spec.name.is_empty()
            || !spec
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(error(format!(
                "name: \"{}\" cannot name the study folder; use letters, digits, `_` and `-`",
                spec.name
            )));
        }
        if spec.replicates == 0 {
            return Err(error("replicates: must be at least 1".into()));
        }
        if spec.seed > i64::MAX as u64 {
            return Err(error("seed: must be between 0 and 2^63 − 1".into()));
        }
        let design = design(&spec.design).map_err(error)?;
        if spec.parameters.is_empty() {
            return Err(error(
                "parameters: a study needs at least one [[parameters]] entry".into(),
            ));
        }
        let parameters = spec
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| {
                parameter(p, design).map_err(|m| error(format!("parameters[{i}] ({}): {m}", p.key)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let dimensions = match design {
            Design::Saltelli { .. } => 2 * parameters.len(),
            _ => parameters.len(),
        };
        if matches!(design, Design::Sobol { .. } | Design::Saltelli { .. })
            && dimensions > MAX_DIMENSIONS
        {
            return Err(error(format!(
                "design: a {} design of {} parameters needs {dimensions} Sobol' dimensions; at \
                 most {MAX_DIMENSIONS} are available",
                spec.design.kind,
                parameters.len()
            )));
        }
        if spec.metrics.is_empty() {
            return Err(error(
                "metrics: a study needs at least one [[metrics]] entry".into(),
            ));
        }
        let metrics = spec
            .metrics
            .iter()
            .enumerate()
            .map(|(i, m)| metric(m).map_err(|e| error(format!("metrics[{i}] ({}): {e}", m.name))))
            .collect::<Result<Vec<_>, _>>()?;
        let mut names: Vec<&str> = parameters.iter().map(|p| p.name.as_str()).collect();
        names.extend(metrics.iter().map(|m| m.name.as_str()));
        names.extend(crate::RESERVED_COLUMNS);
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(error(format!(
                    "the column name `{n}` is used twice (parameter and metric names must be \
                     unique and differ from {})",
                    crate::RESERVED_COLUMNS.join(", ")
                )));
            }
        }
        if let Some(dose) = &spec.analysis.dose
            && !parameters.iter().any(|p| &p.name == dose)
        {
            return Err(error(format!(
                "analysis.dose: `{dose}` is not a parameter name; the parameters are {}",
                parameters
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(Self {
            file: file.to_owned(),
            base_dir,
            spec,
            design,
            parameters,
            metrics,
        })
    }

    /// The base scenario as the CLI's loader takes it: a file relative to the study file
    /// when one exists there, else the name as written (a built-in scenario or a path).
    pub fn scenario(&self) -> String {
        let relative = self.base_dir.join(&self.spec.scenario);
        if relative.is_file() {
            relative.display().to_string()
        } else {
            self.spec.scenario.clone()
        }
    }
}

fn design(spec: &DesignSpec) -> Result<Design, String> {
    let need = |value: Option<u32>, key: &str| -> Result<u32, String> {
        match value {
            Some(0) => Err(format!("design.{key}: must be at least 1")),
            Some(v) => Ok(v),
            None => Err(format!("design.{key}: a {} design needs it", spec.kind)),
        }
    };
    let unused = |keys: &[(&str, Option<u32>)]| -> Result<(), String> {
        match keys.iter().find(|(_, v)| v.is_some()) {
            Some((k, _)) => Err(format!(
                "design.{k}: not used by a {} design; remove it",
                spec.kind
            )),
            None => Ok(()),
        }
    };
    let d = spec;
    Ok(match d.kind.as_str() {
        "grid" => {
            unused(&[
                ("points", d.points),
                ("trajectories", d.trajectories),
                ("levels", d.levels),
                ("base_samples", d.base_samples),
            ])?;
            Design::Grid
        }
        "random" | "latin_hypercube" | "sobol" => {
            unused(&[
                ("trajectories", d.trajectories),
                ("levels", d.levels),
                ("base_samples", d.base_samples),
            ])?;
            let points = need(d.points, "points")?;
            match d.kind.as_str() {
                "random" => Design::Random { points },
                "latin_hypercube" => Design::LatinHypercube { points },
                _ => Design::Sobol { points },
            }
        }
        "morris" => {
            unused(&[("points", d.points), ("base_samples", d.base_samples)])?;
            let levels = d.levels.unwrap_or(4);
            if levels < 2 || levels % 2 == 1 {
                return Err(format!(
                    "design.levels: {levels}; a Morris grid needs an even number of levels ≥ 2 \
                     (4 is usual: Morris 1991, Campolongo et al. 2007)"
                ));
            }
            Design::Morris {
                trajectories: need(d.trajectories, "trajectories")?,
                levels,
            }
        }
        "saltelli" => {
            unused(&[
                ("points", d.points),
                ("trajectories", d.trajectories),
                ("levels", d.levels),
            ])?;
            Design::Saltelli {
                base_samples: need(d.base_samples, "base_samples")?,
            }
        }
        other => {
            return Err(format!(
                "design.kind: `{other}` is not a design; use one of {DESIGNS}"
            ));
        }
    })
}

fn parameter(p: &ParameterSpec, design: Design) -> Result<Parameter, String> {
    if p.key.trim().is_empty() || p.key.split('.').any(str::is_empty) {
        return Err("key: an empty or malformed key path".into());
    }
    let name = p.name.clone().unwrap_or_else(|| p.key.clone());
    check_column_name(&name).map_err(|e| format!("name: {e}"))?;
    let values = match (&p.values, &p.distribution) {
        (Some(_), Some(_)) => {
            return Err("give either values or a distribution, not both".into());
        }
        (Some(list), None) => {
            if design != Design::Grid {
                return Err(format!(
                    "values: explicit values need a grid design; a sampled design needs a \
                     distribution ({DISTRIBUTIONS})"
                ));
            }
            if list.is_empty() {
                return Err("values: the list is empty".into());
            }
            if p.steps.is_some() {
                return Err("steps: only with a distribution".into());
            }
            Values::List(list.clone())
        }
        (None, Some(kind)) => {
            let distribution = distribution(kind, p)?;
            if design == Design::Grid {
                match p.steps {
                    None | Some(0) | Some(1) => {
                        return Err("steps: a grid over a distribution needs steps ≥ 2".into());
                    }
                    Some(_) if !distribution.is_bounded() => {
                        return Err(format!(
                            "distribution: a grid needs a bounded distribution (uniform or \
                             log_uniform), not {kind}"
                        ));
                    }
                    Some(_) => {}
                }
            } else if p.steps.is_some() {
                return Err("steps: only used by grid designs".into());
            }
            if matches!(design, Design::Morris { .. }) && !distribution.is_bounded() {
                return Err(format!(
                    "distribution: a Morris design steps to the ends of each range, so it needs \
                     uniform or log_uniform, not {kind}"
                ));
            }
            Values::Drawn {
                distribution,
                steps: p.steps,
            }
        }
        (None, None) => {
            return Err(format!(
                "give values (a grid) or a distribution ({DISTRIBUTIONS})"
            ));
        }
    };
    Ok(Parameter {
        key: p.key.clone(),
        name,
        values,
        integer: p.integer,
    })
}

fn distribution(kind: &str, p: &ParameterSpec) -> Result<Distribution, String> {
    let need = |v: Option<f64>, key: &str| {
        v.filter(|x| x.is_finite())
            .ok_or_else(|| format!("{key}: a {kind} distribution needs a finite {key}"))
    };
    let stray = |allowed: &[&str]| -> Result<(), String> {
        let given = [
            ("min", p.min),
            ("max", p.max),
            ("mean", p.mean),
            ("sd", p.sd),
            ("median", p.median),
            ("sigma_log", p.sigma_log),
        ];
        match given
            .iter()
            .find(|(k, v)| v.is_some() && !allowed.contains(k))
        {
            Some((k, _)) => Err(format!(
                "{k}: not a parameter of a {kind} distribution (it takes {})",
                allowed.join(", ")
            )),
            None => Ok(()),
        }
    };
    match kind {
        "uniform" | "log_uniform" => {
            stray(&["min", "max"])?;
            let (min, max) = (need(p.min, "min")?, need(p.max, "max")?);
            if max <= min {
                return Err(format!("max ({max}) must be greater than min ({min})"));
            }
            if kind == "log_uniform" {
                if min <= 0.0 {
                    return Err(format!("min: {min}; a log_uniform range must be above 0"));
                }
                Ok(Distribution::LogUniform { min, max })
            } else {
                Ok(Distribution::Uniform { min, max })
            }
        }
        "normal" => {
            stray(&["mean", "sd"])?;
            let (mean, sd) = (need(p.mean, "mean")?, need(p.sd, "sd")?);
            if sd <= 0.0 {
                return Err(format!("sd: {sd}; must be above 0"));
            }
            Ok(Distribution::Normal { mean, sd })
        }
        "lognormal" => {
            stray(&["median", "sigma_log"])?;
            let (median, sigma_log) = (need(p.median, "median")?, need(p.sigma_log, "sigma_log")?);
            if median <= 0.0 || sigma_log <= 0.0 {
                return Err("median and sigma_log must be above 0".into());
            }
            Ok(Distribution::LogNormal { median, sigma_log })
        }
        other => Err(format!(
            "distribution: `{other}` is not known; use one of {DISTRIBUTIONS}"
        )),
    }
}

/// A metric from a table written like a `[[metrics]]` entry without its `name` (a
/// scenario's `[[targets]]` `metric`), named `name`.
pub fn metric_from_table(name: &str, table: &toml::Table) -> Result<Metric, String> {
    let mut named = table.clone();
    named.insert("name".into(), toml::Value::String(name.to_owned()));
    let spec: MetricSpec = toml::Value::Table(named)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())?;
    metric(&spec)
}

fn metric(m: &MetricSpec) -> Result<Metric, String> {
    check_column_name(&m.name).map_err(|e| format!("name: {e}"))?;
    let source = match (&m.summary, &m.table) {
        (Some(_), Some(_)) => return Err("give either summary or table, not both".into()),
        (None, None) => {
            return Err(
                "give summary (a summary.json path) or table (a readout of a run table)".into(),
            );
        }
        (Some(path), None) => {
            let table_keys = [
                ("column", m.column.is_some()),
                ("where", !m.filter.is_empty()),
                ("at", m.at.is_some()),
                ("between", m.between.is_some()),
                ("statistic", m.statistic.is_some()),
                ("combine", m.combine.is_some()),
                ("relative_to", m.relative_to.is_some()),
            ];
            if let Some((k, _)) = table_keys.iter().find(|(_, set)| *set) {
                return Err(format!("{k}: only for table metrics"));
            }
            let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
            if segments.iter().any(String::is_empty) {
                return Err(format!("summary: `{path}` has an empty part"));
            }
            MetricSource::Summary(segments)
        }
        (None, Some(table)) => MetricSource::Table(table_readout(m, table)?),
    };
    Ok(Metric {
        name: m.name.clone(),
        source,
    })
}

fn table_readout(m: &MetricSpec, table: &str) -> Result<TableReadout, String> {
    if table.is_empty() || table.contains(['/', '\\', '.']) {
        return Err(format!(
            "table: `{table}` must be a table name of the run folder without `.csv` (e.g. census)"
        ));
    }
    let column = m
        .column
        .clone()
        .ok_or("column: a table metric needs the column it reads")?;
    let time = |key: &str, text: &str| {
        TimeSpan::parse(text)
            .map(|t| t.ms)
            .map_err(|e| format!("{key}: {e}"))
    };
    let when = match (&m.at, &m.between) {
        (Some(_), Some(_)) => return Err("give either at or between, not both".into()),
        (None, None) => return Err("give at (a time) or between ([from, to])".into()),
        (Some(at), None) => {
            if m.statistic.is_some() {
                return Err("statistic: only with between".into());
            }
            When::At(time("at", at)?)
        }
        (None, Some(window)) => {
            let [from, to] = window.as_slice() else {
                return Err("between: give two times, [from, to]".into());
            };
            let (from_ms, to_ms) = (time("between", from)?, time("between", to)?);
            if to_ms < from_ms {
                return Err(format!("between: {to} is before {from}"));
            }
            let statistic = match m.statistic.as_deref() {
                Some("max") => Statistic::Max,
                Some("min") => Statistic::Min,
                Some("mean") => Statistic::Mean,
                Some(other) => {
                    return Err(format!(
                        "statistic: `{other}` is not known; use max, min or mean"
                    ));
                }
                None => return Err("statistic: between needs max, min or mean".into()),
            };
            When::Between {
                from_ms,
                to_ms,
                statistic,
            }
        }
    };
    let combine = match m.combine.as_deref() {
        None => Combine::Single,
        Some("sum") => Combine::Sum,
        Some("mean") => Combine::Mean,
        Some(other) => return Err(format!("combine: `{other}` is not known; use sum or mean")),
    };
    let filter = m
        .filter
        .iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k.clone(), s.clone())),
            toml::Value::Integer(i) => Ok((k.clone(), i.to_string())),
            other => Err(format!(
                "where.{k}: {other} must be a text or whole number the column holds"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TableReadout {
        table: table.to_owned(),
        column,
        filter,
        when,
        combine,
        relative_to_ms: m
            .relative_to
            .as_deref()
            .map(|t| time("relative_to", t))
            .transpose()?,
    })
}

/// A result-table column name: printable, no comma, quote or line break.
fn check_column_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().any(|c| c.is_control() || c == ',' || c == '"') {
        Err(format!(
            "`{name}` cannot be a column name (it must be non-empty, without commas, quotes \
             or control characters)"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "schema_version = 1\nname = \"t\"\nscenario = \"pfc_baseline\"\n";
    const METRIC: &str = "[[metrics]]\nname = \"rate\"\nsummary = \"activity.mean_rate_hz\"\n";

    fn parse(body: &str) -> Result<Study, StudyError> {
        Study::parse("t.toml", &format!("{HEAD}{body}"), PathBuf::from("."))
    }

    #[test]
    fn a_grid_study_parses() {
        let study = parse(&format!(
            "[design]\nkind = \"grid\"\n[[parameters]]\nkey = \"a.b\"\nvalues = [1, 2]\n{METRIC}"
        ))
        .unwrap();
        assert_eq!(study.design, Design::Grid);
        assert_eq!(study.parameters[0].name, "a.b");
    }

    #[test]
    fn errors_name_the_key_and_what_is_allowed() {
        let cases = [
            (
                "[design]\nkind = \"hexagonal\"\n[[parameters]]\nkey = \"a\"\nvalues = [1]\n",
                "design.kind: `hexagonal` is not a design; use one of grid",
            ),
            (
                "[design]\nkind = \"sobol\"\n[[parameters]]\nkey = \"a\"\ndistribution = \"uniform\"\nmin = 1.0\nmax = 2.0\n",
                "design.points: a sobol design needs it",
            ),
            (
                "[design]\nkind = \"random\"\npoints = 3\n[[parameters]]\nkey = \"a\"\ndistribution = \"gamma\"\n",
                "parameters[0] (a): distribution: `gamma` is not known; use one of uniform",
            ),
            (
                "[design]\nkind = \"morris\"\ntrajectories = 3\n[[parameters]]\nkey = \"a\"\ndistribution = \"normal\"\nmean = 1.0\nsd = 1.0\n",
                "needs uniform or log_uniform, not normal",
            ),
            (
                "[design]\nkind = \"random\"\npoints = 3\n[[parameters]]\nkey = \"a\"\ndistribution = \"uniform\"\nmin = 2.0\nmax = 1.0\n",
                "max (1) must be greater than min (2)",
            ),
        ];
        for (body, expected) in cases {
            let message = parse(&format!("{body}{METRIC}")).unwrap_err().to_string();
            assert!(message.starts_with("t.toml: "), "{message}");
            assert!(
                message.contains(expected),
                "{message}\nexpected: {expected}"
            );
        }
    }

    #[test]
    fn a_name_that_is_not_a_folder_name_is_refused() {
        let text = format!(
            "{}[design]\nkind = \"grid\"\n[[parameters]]\nkey = \"a\"\nvalues = [1]\n{METRIC}",
            HEAD.replace("name = \"t\"", "name = \"../x\"")
        );
        let message = Study::parse("t.toml", &text, PathBuf::from("."))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("name: \"../x\" cannot name the study folder"),
            "{message}"
        );
    }

    #[test]
    fn metric_errors_name_the_metric() {
        let body = "[design]\nkind = \"grid\"\n[[parameters]]\nkey = \"a\"\nvalues = [1]\n\
                    [[metrics]]\nname = \"m\"\ntable = \"census\"\ncolumn = \"spines\"\n";
        let message = parse(body).unwrap_err().to_string();
        assert!(
            message.contains("metrics[0] (m): give at (a time) or between"),
            "{message}"
        );
        let body = "[design]\nkind = \"grid\"\n[[parameters]]\nkey = \"a\"\nvalues = [1]\n\
                    [[metrics]]\nname = \"m\"\ntable = \"census\"\ncolumn = \"spines\"\nat = \"24\"\n";
        let message = parse(body).unwrap_err().to_string();
        assert!(
            message.contains("metrics[0] (m): at: \"24\" has no unit"),
            "{message}"
        );
    }

    #[test]
    fn duplicate_and_reserved_column_names_are_refused() {
        let body = format!(
            "[design]\nkind = \"grid\"\n[[parameters]]\nkey = \"a\"\nname = \"seed\"\nvalues = [1]\n{METRIC}"
        );
        let message = parse(&body).unwrap_err().to_string();
        assert!(message.contains("`seed` is used twice"), "{message}");
    }

    #[test]
    fn unknown_keys_and_versions_are_refused() {
        let message = Study::parse("t.toml", "name = \"x\"", PathBuf::from("."))
            .unwrap_err()
            .to_string();
        assert!(message.contains("missing field"), "{message}");
        let message = parse(&format!(
            "replicate = 2\n[design]\nkind = \"grid\"\n[[parameters]]\nkey = \"a\"\nvalues = [1]\n{METRIC}"
        ))
        .unwrap_err()
        .to_string();
        assert!(message.contains("unknown field `replicate`"), "{message}");
    }
}
