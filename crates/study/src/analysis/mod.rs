//! `synaptogen analyze`: from a study's result table to summary tables — per-point
//! statistics over replicates, Morris measures or Sobol' indices when the design was made
//! for them, and Hill fits along a dose parameter.

pub mod dose_response;
pub mod morris;
pub mod sobol_indices;

use crate::plan::Plan;
use crate::results::{ResultTable, cell};
use crate::spec::{Design, Study};

/// The tables of an analysis, and a short account of them for the terminal.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// (file name, CSV text) of each table written.
    pub tables: Vec<(String, String)>,
    /// What the analysis found, in a few lines.
    pub account: String,
}

/// Analyses the result table of `study`. Only `ok` runs enter; a metric's value at a point
/// is the mean over its replicates.
pub fn analyze(study: &Study, plan: &Plan, table: &ResultTable) -> Result<Analysis, String> {
    let values = run_values(study, plan, table)?;
    let mut tables = Vec::new();
    let mut account = String::new();
    let finished = values.iter().filter(|v| v.is_some()).count();
    account.push_str(&format!(
        "{} of {} runs ok ({} design, {} points × {} replicates)\n",
        finished,
        plan.runs.len(),
        study.spec.design.kind,
        plan.points.len(),
        study.spec.replicates
    ));
    // replicates[m][p]: the metric's values of point p.
    let replicates: Vec<Vec<Vec<f64>>> = (0..study.metrics.len())
        .map(|m| {
            let mut by_point = vec![Vec::new(); plan.points.len()];
            for (run, v) in plan.runs.iter().zip(&values) {
                if let Some(Some(x)) = v.as_ref().map(|v| v[m]) {
                    by_point[run.point].push(x);
                }
            }
            by_point
        })
        .collect();
    let means: Vec<Vec<Option<f64>>> = replicates
        .iter()
        .map(|points| points.iter().map(|xs| mean_sd(xs).map(|s| s.0)).collect())
        .collect();
    tables.push((
        "points.csv".to_owned(),
        points_table(study, plan, &replicates),
    ));

    let k = study.parameters.len();
    match study.design {
        Design::Morris { .. } => {
            let units: Vec<Vec<f64>> = plan
                .points
                .iter()
                .map(|p| p.unit.clone().expect("Morris points lie in the unit cube"))
                .collect();
            let mut rows = vec!["metric,parameter,mu,mu_star,sigma,effects".to_owned()];
            for (m, metric) in study.metrics.iter().enumerate() {
                let measures = morris::measures(k, &units, &means[m]);
                let mut ranked: Vec<(usize, &morris::MorrisMeasures)> =
                    measures.iter().enumerate().collect();
                ranked.sort_by(|a, b| b.1.mu_star.total_cmp(&a.1.mu_star));
                account.push_str(&format!(
                    "Morris μ* of {} (per normalised range):",
                    metric.name
                ));
                for (i, x) in &ranked {
                    account.push_str(&format!(" {} {:.4}", study.parameters[*i].name, x.mu_star));
                }
                account.push('\n');
                for (i, x) in measures.iter().enumerate() {
                    rows.push(format!(
                        "{},{},{},{},{},{}",
                        metric.name, study.parameters[i].name, x.mu, x.mu_star, x.sigma, x.effects
                    ));
                }
            }
            tables.push(("morris.csv".to_owned(), lines(rows)));
        }
        Design::Saltelli { .. } => {
            let mut rows = vec![
                "metric,parameter,first_order,first_order_conf,total,total_conf,base_samples_used"
                    .to_owned(),
            ];
            for (m, metric) in study.metrics.iter().enumerate() {
                let (indices, used) = sobol_indices::indices(k, &means[m]);
                account.push_str(&format!("Sobol' indices of {} (S, ST):", metric.name));
                for (i, x) in indices.iter().enumerate() {
                    account.push_str(&format!(
                        " {} {:.3}, {:.3};",
                        study.parameters[i].name, x.first, x.total
                    ));
                    rows.push(format!(
                        "{},{},{},{},{},{},{used}",
                        metric.name,
                        study.parameters[i].name,
                        x.first,
                        x.first_conf,
                        x.total,
                        x.total_conf
                    ));
                }
                account.push('\n');
            }
            tables.push(("sobol.csv".to_owned(), lines(rows)));
        }
        _ => {}
    }

    if let Some(dose_name) = &study.spec.analysis.dose {
        let d = study
            .parameters
            .iter()
            .position(|p| &p.name == dose_name)
            .expect("checked when the study was read");
        let dose_of = |point: usize| -> Result<f64, String> {
            let v = &plan.points[point].values[d];
            v.as_float()
                .or_else(|| v.as_integer().map(|i| i as f64))
                .ok_or_else(|| {
                    format!("the dose parameter {dose_name} has a value that is not a number: {v}")
                })
        };
        let mut levels = vec!["metric,dose,mean,sd,runs".to_owned()];
        let mut fits = vec!["metric,e0,emax,ec50,hill,r_squared,ec50_within_doses,runs".to_owned()];
        for (m, metric) in study.metrics.iter().enumerate() {
            let mut data = Vec::new();
            for (p, xs) in replicates[m].iter().enumerate() {
                let dose = dose_of(p)?;
                data.extend(xs.iter().map(|&x| (dose, x)));
            }
            let mut doses: Vec<f64> = data.iter().map(|x| x.0).collect();
            doses.sort_by(f64::total_cmp);
            doses.dedup();
            for dose in doses {
                let xs: Vec<f64> = data.iter().filter(|x| x.0 == dose).map(|x| x.1).collect();
                let (mean, sd) = mean_sd(&xs).expect("at least one value per listed dose");
                levels.push(format!(
                    "{},{dose},{mean},{},{}",
                    metric.name,
                    number(sd),
                    xs.len()
                ));
            }
            let tested = data.iter().map(|x| x.0).filter(|&d| d > 0.0);
            let lowest = tested.clone().fold(f64::INFINITY, f64::min);
            let highest = tested.fold(0.0, f64::max);
            match dose_response::fit(&data) {
                Some(f) => {
                    // An EC50 beyond the doses tested is an extrapolation the data cannot
                    // support (a response still rising, or one that is not sigmoid).
                    let within = (lowest..=highest).contains(&f.ec50);
                    account.push_str(&format!(
                        "Hill fit of {} along {dose_name}: EC50 {:.4}{}, E0 {:.4}, Emax {:+.4}, n {:.2}, R² {:.3}\n",
                        metric.name,
                        f.ec50,
                        if within { "" } else { " (beyond the doses tested: not determined)" },
                        f.e0,
                        f.emax,
                        f.hill,
                        f.r_squared
                    ));
                    fits.push(format!(
                        "{},{},{},{},{},{},{within},{}",
                        metric.name,
                        f.e0,
                        f.emax,
                        f.ec50,
                        f.hill,
                        f.r_squared,
                        data.len()
                    ));
                }
                None => account.push_str(&format!(
                    "no Hill fit of {}: it needs ≥ 4 distinct doses and a response that varies\n",
                    metric.name
                )),
            }
        }
        tables.push(("dose_levels.csv".to_owned(), lines(levels)));
        tables.push(("dose_response.csv".to_owned(), lines(fits)));
    }
    Ok(Analysis { tables, account })
}

/// The metric values of every run, in plan order: `None` for runs not finished or not `ok`.
/// Refuses a table whose runs do not match the plan (another study's results).
fn run_values(
    study: &Study,
    plan: &Plan,
    table: &ResultTable,
) -> Result<Vec<Option<Vec<Option<f64>>>>, String> {
    let run_column = table.column("run")?;
    let status = table.column("status")?;
    let metric_columns = study
        .metrics
        .iter()
        .map(|m| table.column(&m.name))
        .collect::<Result<Vec<_>, _>>()?;
    let parameter_columns = study
        .parameters
        .iter()
        .map(|p| table.column(&p.name))
        .collect::<Result<Vec<_>, _>>()?;
    let mut values = vec![None; plan.runs.len()];
    for (line, row) in table.rows.iter().enumerate() {
        let run: usize = row[run_column].parse().map_err(|_| {
            format!(
                "row {}: run `{}` is not a run number",
                line + 2,
                row[run_column]
            )
        })?;
        let planned = plan.runs.get(run).ok_or_else(|| {
            format!(
                "row {}: run {run} is not in the study's plan of {} runs",
                line + 2,
                plan.runs.len()
            )
        })?;
        for (c, v) in parameter_columns
            .iter()
            .zip(&plan.points[planned.point].values)
        {
            if row[*c] != cell(v) {
                return Err(format!(
                    "row {}: run {run} has {} = {}, but the study's plan says {} (results of another study?)",
                    line + 2,
                    table.header[*c],
                    row[*c],
                    cell(v)
                ));
            }
        }
        if row[status] == "ok" {
            values[run] = Some(
                metric_columns
                    .iter()
                    .map(|&c| row[c].parse().ok())
                    .collect(),
            );
        }
    }
    Ok(values)
}

fn points_table(study: &Study, plan: &Plan, replicates: &[Vec<Vec<f64>>]) -> String {
    let mut header = vec!["point".to_owned()];
    header.extend(study.parameters.iter().map(|p| p.name.clone()));
    for m in &study.metrics {
        header.extend([
            format!("{}_mean", m.name),
            format!("{}_sd", m.name),
            format!("{}_runs", m.name),
        ]);
    }
    let mut rows = vec![header.join(",")];
    for (p, point) in plan.points.iter().enumerate() {
        let mut row = vec![p.to_string()];
        row.extend(point.values.iter().map(cell));
        for metric in replicates {
            match mean_sd(&metric[p]) {
                Some((mean, sd)) => {
                    row.extend([mean.to_string(), number(sd), metric[p].len().to_string()])
                }
                None => row.extend([String::new(), String::new(), "0".to_owned()]),
            }
        }
        rows.push(row.join(","));
    }
    lines(rows)
}

/// Mean and sample standard deviation (NaN for one value); `None` for no values.
fn mean_sd(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = if xs.len() > 1 {
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    Some((mean, sd))
}

/// A number for a table; empty for NaN.
fn number(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

fn lines(rows: Vec<String>) -> String {
    let mut text = rows.join("\n");
    text.push('\n');
    text
}
