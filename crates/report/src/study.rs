//! The report of a study folder: figures drawn from the analysis tables `synaptogen analyze`
//! writes (`analysis/*.csv`), never from the runs themselves.
//!
//! - `dose_response`: each metric against the dose parameter, mean ± sd of the runs at each
//!   dose, the fitted Hill curve, and the undosed level as a band;
//! - `morris`: μ* and σ of each parameter per metric (Campolongo et al. 2007);
//! - `sobol`: first-order and total indices with their bootstrap intervals;
//! - `heatmap`: each metric's mean over the two parameters of a two-parameter grid.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::ReportError;
use crate::chart::{Figure, Panel};
use crate::html::{escape, figures_section, head};
use crate::tables::Table;

/// A study folder's description and analysis tables.
pub struct StudyData {
    dir: PathBuf,
    name: String,
    description: String,
    design: String,
    parameters: Vec<String>,
    dose: Option<String>,
    /// `(status, runs)` of results.csv.
    statuses: Vec<(String, usize)>,
    analysis: PathBuf,
}

impl StudyData {
    /// Reads `dir/study.toml` and `dir/results.csv`; the analysis tables are read per figure.
    pub fn open(dir: &Path) -> Result<Self, ReportError> {
        let not_a_study = |detail: String| ReportError::NotARun {
            dir: dir.to_owned(),
            detail,
        };
        let path = dir.join("study.toml");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| not_a_study(format!("no readable study.toml ({e})")))?;
        let study: toml::Table = toml::from_str(&text).map_err(|e| ReportError::Table {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let text_at =
            |t: &toml::Table, key: &str| t.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let parameters = study
            .get("parameters")
            .and_then(|p| p.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|p| p.as_table())
                    .filter_map(|p| text_at(p, "name").or_else(|| text_at(p, "key")))
                    .collect()
            })
            .unwrap_or_default();
        let results = Table::read(dir, "results")?.ok_or_else(|| {
            not_a_study("no run of the study has finished (results.csv is empty or absent)".into())
        })?;
        let mut statuses: Vec<(String, usize)> = Vec::new();
        for s in results.text("status")? {
            match statuses.iter_mut().find(|(name, _)| name == s) {
                Some((_, n)) => *n += 1,
                None => statuses.push((s.clone(), 1)),
            }
        }
        let analysis = dir.join("analysis");
        if !analysis.join("points.csv").is_file() {
            return Err(not_a_study(
                "no analysis/points.csv: run `synaptogen analyze` first".into(),
            ));
        }
        Ok(Self {
            dir: dir.to_owned(),
            name: text_at(&study, "name").unwrap_or_else(|| "study".into()),
            description: text_at(&study, "description").unwrap_or_default(),
            design: study
                .get("design")
                .and_then(|d| d.as_table())
                .and_then(|d| text_at(d, "kind"))
                .unwrap_or_default(),
            parameters,
            dose: study
                .get("analysis")
                .and_then(|a| a.as_table())
                .and_then(|a| text_at(a, "dose")),
            statuses,
            analysis,
        })
    }

    fn table(&self, name: &str) -> Result<Option<Table>, ReportError> {
        Table::read(&self.analysis, name)
    }
}

/// A column as numbers: cells that do not parse (an empty sd of one run) are NaN.
fn floats(table: &Table, name: &str) -> Result<Vec<f64>, ReportError> {
    match table.numbers(name) {
        Ok(v) => Ok(v.to_vec()),
        Err(_) => Ok(table
            .text(name)?
            .iter()
            .map(|c| c.parse().unwrap_or(f64::NAN))
            .collect()),
    }
}

/// A column as text, numbers written back as they print.
fn words(table: &Table, name: &str) -> Result<Vec<String>, ReportError> {
    match table.text(name) {
        Ok(v) => Ok(v.to_vec()),
        Err(_) => Ok(table.numbers(name)?.iter().map(f64::to_string).collect()),
    }
}

/// The distinct values of `items`, in first-seen order.
fn distinct(items: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        if !seen.contains(item) {
            seen.push(item.clone());
        }
    }
    seen
}

/// Every figure the study's analysis tables support.
pub fn figures(study: &StudyData) -> Result<Vec<Figure>, ReportError> {
    let mut figures = Vec::new();
    if let (Some(levels), Some(dose)) = (study.table("dose_levels")?, &study.dose) {
        figures.push(dose_response(
            &levels,
            study.table("dose_response")?.as_ref(),
            dose,
        )?);
    }
    if let Some(morris) = study.table("morris")? {
        figures.push(sensitivity(
            &morris,
            "morris",
            "Morris screening",
            &[("μ*", "mu_star", None), ("σ", "sigma", None)],
            "elementary effect per normalised range",
            "Mean absolute elementary effect μ* (importance) and its standard deviation σ \
             (interactions, non-linearity) of each parameter, in metric units per normalised \
             range of the parameter (Morris 1991; Campolongo et al. 2007).",
        )?);
    }
    if let Some(sobol) = study.table("sobol")? {
        figures.push(sensitivity(
            &sobol,
            "sobol",
            "Sobol' indices",
            &[
                ("first order S", "first_order", Some("first_order_conf")),
                ("total ST", "total", Some("total_conf")),
            ],
            "share of the metric's variance",
            "First-order (alone) and total (with every interaction) share of each metric's \
             variance explained by each parameter, with 95 % bootstrap intervals (Saltelli et \
             al. 2010; Jansen 1999).",
        )?);
    }
    if study.design == "grid"
        && study.parameters.len() == 2
        && let Some(points) = study.table("points")?
    {
        figures.push(heatmap(&points, &study.parameters)?);
    }
    Ok(figures)
}

/// The metrics of a per-metric table, in first-seen order.
fn metrics(table: &Table) -> Result<Vec<String>, ReportError> {
    Ok(distinct(&words(table, "metric")?))
}

fn dose_response(levels: &Table, fits: Option<&Table>, dose: &str) -> Result<Figure, ReportError> {
    let metric = words(levels, "metric")?;
    let (doses, means, sds) = (
        floats(levels, "dose")?,
        floats(levels, "mean")?,
        floats(levels, "sd")?,
    );
    let mut panels = Vec::new();
    for name in metrics(levels)? {
        let rows: Vec<usize> = (0..metric.len()).filter(|&i| metric[i] == name).collect();
        let control = rows
            .iter()
            .find(|&&i| doses[i] == 0.0)
            .map(|&i| (means[i], sds[i]));
        let positive: Vec<f64> = rows
            .iter()
            .map(|&i| doses[i])
            .filter(|d| *d > 0.0)
            .collect();
        let curve = match fits {
            Some(f) => {
                let fit_metric = words(f, "metric")?;
                let column = |c: &str| floats(f, c);
                let (e0, emax, ec50, hill) = (
                    column("e0")?,
                    column("emax")?,
                    column("ec50")?,
                    column("hill")?,
                );
                let within = words(f, "ec50_within_doses")?;
                // A fit whose EC50 the doses do not determine is not drawn, and none is
                // drawn beyond the doses tested.
                match fit_metric.iter().position(|m| *m == name) {
                    Some(k) if !positive.is_empty() && within[k] == "true" => {
                        let lo = positive.iter().copied().fold(f64::INFINITY, f64::min);
                        let hi = positive.iter().copied().fold(0.0, f64::max);
                        (0..=120)
                            .map(|j| {
                                let d = lo * (hi / lo).powf(f64::from(j) / 120.0);
                                (d, e0[k] + emax[k] / (1.0 + (ec50[k] / d).powf(hill[k])))
                            })
                            .collect()
                    }
                    _ => Vec::new(),
                }
            }
            None => Vec::new(),
        };
        panels.push(Panel::DoseResponse {
            title: name.clone(),
            x_label: dose.to_owned(),
            levels: rows.iter().map(|&i| (doses[i], means[i], sds[i])).collect(),
            control,
            fit: curve,
        });
    }
    Ok(Figure {
        name: "dose_response",
        title: format!("Dose–response along {dose}"),
        caption: format!(
            "Each metric against {dose} on a logarithmic axis: the mean ± sd of the runs at \
             each dose, the Hill curve fitted to every run (analysis/dose_response.csv; drawn \
             over the doses tested, and only when they determine its EC50), and the level \
             without drug (dose 0) as a dashed line in a band of ± sd."
        ),
        panels,
        columns: 2,
    })
}

fn sensitivity(
    table: &Table,
    name: &'static str,
    title: &str,
    groups: &[(&str, &str, Option<&str>)],
    x_label: &str,
    caption: &str,
) -> Result<Figure, ReportError> {
    let metric = words(table, "metric")?;
    let parameter = words(table, "parameter")?;
    let mut panels = Vec::new();
    for m in metrics(table)? {
        let rows: Vec<usize> = (0..metric.len()).filter(|&i| metric[i] == m).collect();
        let mut bars = Vec::new();
        for &(label, value, error) in groups {
            let values = floats(table, value)?;
            let errors = match error {
                Some(e) => floats(table, e)?,
                None => vec![f64::NAN; values.len()],
            };
            bars.push((
                label.to_owned(),
                rows.iter().map(|&i| (values[i], errors[i])).collect(),
            ));
        }
        panels.push(Panel::Bars {
            title: m.clone(),
            x_label: x_label.to_owned(),
            categories: rows.iter().map(|&i| parameter[i].clone()).collect(),
            groups: bars,
        });
    }
    Ok(Figure {
        name,
        title: title.to_owned(),
        caption: caption.to_owned(),
        panels,
        columns: 2,
    })
}

fn heatmap(points: &Table, parameters: &[String]) -> Result<Figure, ReportError> {
    let (px, py) = (&parameters[0], &parameters[1]);
    let (x, y) = (words(points, px)?, words(points, py)?);
    let (xs, ys) = (distinct(&x), distinct(&y));
    let mut panels = Vec::new();
    for column in points.names().iter().filter(|n| n.ends_with("_mean")) {
        let means = floats(points, column)?;
        let mut cells = vec![vec![None; xs.len()]; ys.len()];
        for i in 0..means.len() {
            let (cx, cy) = (
                xs.iter().position(|v| *v == x[i]).expect("listed"),
                ys.iter().position(|v| *v == y[i]).expect("listed"),
            );
            cells[cy][cx] = Some(means[i]).filter(|v| v.is_finite());
        }
        panels.push(Panel::Heatmap {
            title: column.trim_end_matches("_mean").to_owned(),
            axes: (px.clone(), py.clone()),
            ticks: (xs.clone(), ys.clone()),
            cells,
        });
    }
    Ok(Figure {
        name: "heatmap",
        title: format!("Metrics over {px} and {py}"),
        caption: "Each metric's mean over the runs of each grid point (analysis/points.csv); \
                  grey cells had no successful run. Colours: viridis, from the panel's lowest \
                  (dark) to its highest (bright) value."
            .to_owned(),
        panels,
        columns: 2,
    })
}

/// The study's page: what it asked, how its runs ended, its Hill fits, and every figure.
pub fn page(study: &StudyData, figures: &[(Figure, Vec<u8>)]) -> String {
    let mut out = String::new();
    head(&mut out, &study.name);
    let _ = write!(
        out,
        "<p class=\"meta\">{} · {} design · parameters: {}</p>",
        escape(&study.description),
        escape(&study.design),
        escape(&study.parameters.join(", "))
    );
    out.push_str("<h2>Runs</h2><table><tr><th>status</th><th>runs</th></tr>");
    for (status, n) in &study.statuses {
        let _ = write!(out, "<tr><td>{}</td><td>{n}</td></tr>", escape(status));
    }
    out.push_str("</table>");
    if let Ok(Some(fits)) = study.table("dose_response") {
        out.push_str("<h2>Hill fits</h2><table><tr>");
        let names = fits.names().to_vec();
        for n in &names {
            let _ = write!(out, "<th>{}</th>", escape(n));
        }
        out.push_str("</tr>");
        let columns: Vec<Vec<String>> = names
            .iter()
            .map(|n| match fits.numbers(n) {
                Ok(v) => v.iter().map(|x| format!("{x:.4}")).collect(),
                Err(_) => fits.text(n).map(<[String]>::to_vec).unwrap_or_default(),
            })
            .collect();
        for row in 0..fits.rows() {
            out.push_str("<tr>");
            for column in &columns {
                let _ = write!(
                    out,
                    "<td>{}</td>",
                    escape(column.get(row).map_or("", String::as_str))
                );
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
    }
    let _ = write!(
        out,
        "<p>Tables: <code>{}</code> (results.csv, analysis/*.csv).</p>",
        escape(&study.dir.display().to_string())
    );
    figures_section(
        &mut out,
        figures,
        "The design has no dose axis, sensitivity indices or two-parameter grid to draw; see the tables.",
    );
    out
}
