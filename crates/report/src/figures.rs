//! The figures of a run report, each built from the tables it needs and left out when the
//! run did not write them (a run without drugs has no drug figure).

use std::collections::BTreeMap;

use crate::ReportError;
use crate::chart::{Figure, Panel, Series};
use crate::run::RunData;
use crate::tables::{Line, NamedLines, Table};

type Builder = fn(&RunData) -> Result<Option<Figure>, ReportError>;

/// Most points a line keeps; longer lines are averaged in consecutive runs of points, so a
/// 21-day full-resolution rate trace draws in milliseconds and its SVG stays small.
const MAX_LINE_POINTS: usize = 2_000;

/// Every figure the run's tables allow, in reading order.
pub fn all(run: &RunData) -> Result<Vec<Figure>, ReportError> {
    let builders: [Builder; 11] = [
        crate::raster::figure,
        rates,
        drugs,
        block,
        glutamate,
        signalling,
        spine_density,
        spine_turnover,
        spine_sizes,
        mepsc,
        weights,
    ];
    let mut figures = Vec::new();
    for build in builders {
        if let Some(figure) = build(run)? {
            figures.push(figure);
        }
    }
    Ok(figures)
}

/// `points` averaged in consecutive runs down to at most `MAX_LINE_POINTS`.
pub fn thinned(points: Line) -> Line {
    if points.len() <= MAX_LINE_POINTS {
        return points;
    }
    let run = points.len().div_ceil(MAX_LINE_POINTS);
    points
        .chunks(run)
        .map(|chunk| {
            let n = chunk.len() as f64;
            let (t, v) = chunk
                .iter()
                .fold((0.0, 0.0), |(t, v), p| (t + p.0, v + p.1));
            (t / n, v / n)
        })
        .collect()
}

fn series(named: NamedLines) -> Vec<Series> {
    named
        .into_iter()
        .map(|(label, points)| Series {
            label,
            points: thinned(points),
        })
        .collect()
}

fn time_course(title: &str, y_label: &str, lines: Vec<Series>) -> Panel {
    Panel::TimeCourse {
        title: title.to_owned(),
        y_label: y_label.to_owned(),
        series: lines,
    }
}

fn rates(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("rates")? else {
        return Ok(None);
    };
    let time = table.numbers("time_ms")?;
    let mut lines = Vec::new();
    for name in table.names().iter().filter(|n| *n != "time_ms") {
        let values = table.numbers(name)?;
        let points = time.iter().copied().zip(values.iter().copied()).collect();
        lines.push((name.clone(), points));
    }
    let bridged = run.is_bridged();
    Ok(Some(Figure {
        name: "rates",
        title: "Population firing rates".into(),
        caption: format!(
            "Mean firing rate per population in the rate bins of `rates.csv`{}.",
            if bridged {
                "; bridged runs spike in windows only, and the lines join the windows"
            } else {
                ""
            }
        ),
        panels: vec![time_course("Firing rate", "rate (Hz)", series(lines))],
        columns: 1,
    }))
}

fn drugs(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("drugs")? else {
        return Ok(None);
    };
    let plasma = series(table.series_by("drug", "plasma_ng_per_ml")?);
    let brain = series(table.series_by("drug", "brain_free_um")?);
    Ok(Some(Figure {
        name: "drugs",
        title: "Drug concentrations".into(),
        caption: "Total plasma concentration and free brain concentration of each drug \
                  (`drugs.csv`); interventions are marked."
            .into(),
        panels: vec![
            time_course("Plasma", "plasma (ng/mL)", plasma),
            time_course("Brain, free", "brain free (µM)", brain),
        ],
        columns: 2,
    }))
}

fn percent(named: NamedLines) -> NamedLines {
    named
        .into_iter()
        .map(|(k, p)| (k, p.into_iter().map(|(t, v)| (t, 100.0 * v)).collect()))
        .collect()
}

fn block(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("block")? else {
        return Ok(None);
    };
    let mut panels = vec![time_course(
        "NMDA receptor block",
        "block (% of receptors)",
        series(percent(table.series_by("population", "nmda_block")?)),
    )];
    if table.has("activity_fold") {
        panels.push(time_course(
            "Activity",
            "rate (fold of baseline)",
            series(table.series_by("population", "activity_fold")?),
        ));
    }
    Ok(Some(Figure {
        name: "block",
        title: "Receptor block and activity per population".into(),
        caption: "Mean NMDA receptor block by drugs and mean per-neuron activity fold over \
                  the pre-intervention baseline (`block.csv`)."
            .into(),
        panels,
        columns: 2,
    }))
}

fn glutamate(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("glutamate")? else {
        return Ok(None);
    };
    Ok(Some(Figure {
        name: "glutamate",
        title: "Extracellular glutamate".into(),
        caption: "Extracellular glutamate per region as % of its baseline (`glutamate.csv`)."
            .into(),
        panels: vec![time_course(
            "Glutamate",
            "glutamate (% of baseline)",
            series(table.series_by("region", "glutamate_pct")?),
        )],
        columns: 1,
    }))
}

/// Species of the signalling figure, with their titles, in the order of the pathway.
const SIGNALLING: [(&str, &str); 7] = [
    ("bdnf", "BDNF"),
    ("p_eef2", "p-eEF2"),
    ("p_akt", "p-Akt"),
    ("p_mtor", "p-mTOR"),
    ("p_p70s6k", "p-p70S6K"),
    ("protein", "Synaptic protein"),
    ("ampa_content", "Synaptic AMPA content"),
];

fn signalling(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("signalling")? else {
        return Ok(None);
    };
    let mut panels = Vec::new();
    for (column, title) in SIGNALLING {
        if table.has(column) {
            panels.push(time_course(
                title,
                "fold of baseline",
                series(table.series_by("population", column)?),
            ));
        }
    }
    Ok(Some(Figure {
        name: "signalling",
        title: "Intracellular signalling (population means)".into(),
        caption: "BDNF, eEF2, Akt–mTORC1 and synaptic protein per population, as folds of \
                  their drug-free steady state (`signalling.csv`)."
            .into(),
        panels,
        columns: 2,
    }))
}

/// Census rows summed over compartments per population: `(time, Σ numerator, Σ spines)`.
fn census_per_population(table: &Table, numerator: &str) -> Result<NamedLines, ReportError> {
    let population = table.text("population")?;
    let time = table.numbers("time_ms")?;
    let top = table.numbers(numerator)?;
    let spines = table.numbers("spines")?;
    let mut order = Vec::new();
    let mut sums: BTreeMap<&str, BTreeMap<u64, (f64, f64, f64)>> = BTreeMap::new();
    for i in 0..table.rows() {
        let p = population[i].as_str();
        if !sums.contains_key(p) {
            order.push(p.to_owned());
        }
        let at = sums
            .entry(p)
            .or_default()
            .entry(time[i].to_bits())
            .or_default();
        *at = (time[i], at.1 + top[i], at.2 + spines[i]);
    }
    Ok(order
        .into_iter()
        .map(|p| {
            let mut points: Vec<(f64, f64)> = sums[p.as_str()]
                .values()
                .map(|&(t, top, spines)| {
                    (
                        t,
                        if spines > 0.0 {
                            100.0 * top / spines
                        } else {
                            0.0
                        },
                    )
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            (p, points)
        })
        .collect())
}

fn spine_density(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("census")? else {
        return Ok(None);
    };
    let population = table.text("population")?;
    let compartment = table.text("compartment")?;
    let time = table.numbers("time_ms")?;
    let density = table.numbers("density_per_um")?;
    let volume = table.numbers("mean_volume_um3")?;
    let mut order: Vec<String> = Vec::new();
    let mut lines: BTreeMap<String, (Line, Line)> = BTreeMap::new();
    for i in 0..table.rows() {
        let key = format!("{} {}", population[i], compartment[i]);
        if !lines.contains_key(&key) {
            order.push(key.clone());
        }
        let line = lines.entry(key).or_default();
        line.0.push((time[i], density[i]));
        line.1.push((time[i], volume[i]));
    }
    let (mut densities, mut volumes) = (Vec::new(), Vec::new());
    for key in order {
        let (d, v) = lines.remove(&key).unwrap_or_default();
        densities.push((key.clone(), d));
        volumes.push((key, v));
    }
    Ok(Some(Figure {
        name: "spine_density",
        title: "Spine density and size per compartment".into(),
        caption: "Spine density along the dendrite and mean spine head volume per population \
                  and dendritic compartment (`census.csv`)."
            .into(),
        panels: vec![
            time_course("Spine density", "density (spines/µm)", series(densities)),
            time_course("Mean head volume", "volume (µm³)", series(volumes)),
        ],
        columns: 2,
    }))
}

fn spine_turnover(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("census")? else {
        return Ok(None);
    };
    let formed = series(census_per_population(&table, "formed_per_day")?);
    let eliminated = series(census_per_population(&table, "eliminated_per_day")?);
    Ok(Some(Figure {
        name: "spine_turnover",
        title: "Spine formation and elimination".into(),
        caption: "Spines formed and eliminated per day as % of the population's spines, over \
                  each census interval (`census.csv`)."
            .into(),
        panels: vec![
            time_course("Formation", "formed (% of spines per day)", formed),
            time_course(
                "Elimination",
                "eliminated (% of spines per day)",
                eliminated,
            ),
        ],
        columns: 2,
    }))
}

fn spine_sizes(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("spine_sizes")? else {
        return Ok(None);
    };
    let population = table.text("population")?;
    let time = table.numbers("time_ms")?;
    let low = table.numbers("bin_low_um3")?;
    let high = table.numbers("bin_high_um3")?;
    let count = table.numbers("spines")?;
    let (first, last) = time
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| {
            (a.min(t), b.max(t))
        });
    let mut lines = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for p in population {
        if !names.contains(&p.as_str()) {
            names.push(p);
        }
    }
    let axis = run.axis();
    for name in names {
        for (at, when) in [(first, "first"), (last, "last")] {
            if when == "last" && last == first {
                continue;
            }
            let rows: Vec<usize> = (0..table.rows())
                .filter(|&i| population[i] == name && time[i] == at)
                .collect();
            let total: f64 = rows.iter().map(|&i| count[i]).sum();
            if total <= 0.0 {
                continue;
            }
            let points = rows
                .iter()
                .map(|&i| ((low[i] * high[i]).sqrt(), 100.0 * count[i] / total))
                .collect();
            lines.push(Series {
                label: format!("{name} at {:.3} {}", axis.at(at), axis.unit.name),
                points,
            });
        }
    }
    if lines.is_empty() {
        return Ok(None);
    }
    Ok(Some(Figure {
        name: "spine_sizes",
        title: "Spine head volumes, first and last census".into(),
        caption: "Distribution of spine head volumes per population at the first and the last \
                  census (`spine_sizes.csv`; logarithmic bins, plotted at their geometric \
                  centres)."
            .into(),
        panels: vec![Panel::LogX {
            title: "Head volume distribution".into(),
            x_label: "head volume (µm³)".into(),
            y_label: "spines (% per bin)".into(),
            series: lines,
        }],
        columns: 1,
    }))
}

fn mepsc(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("mepsc")? else {
        return Ok(None);
    };
    Ok(Some(Figure {
        name: "mepsc",
        title: "Miniature EPSCs".into(),
        caption: "Simulated mEPSC amplitude and frequency per spiny population (`mepsc.csv`)."
            .into(),
        panels: vec![
            time_course(
                "Amplitude",
                "amplitude (pA)",
                series(table.series_by("population", "amplitude_pa")?),
            ),
            time_course(
                "Frequency",
                "frequency (Hz)",
                series(table.series_by("population", "frequency_hz")?),
            ),
        ],
        columns: 2,
    }))
}

fn weights(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let Some(table) = run.table("weights")? else {
        return Ok(None);
    };
    Ok(Some(Figure {
        name: "weights",
        title: "Synaptic weights of plastic projections".into(),
        caption: "Mean weight per plastic projection (`weights.csv`).".into(),
        panels: vec![time_course(
            "Mean weight",
            "weight (nS)",
            series(table.series_by("projection", "mean_ns")?),
        )],
        columns: 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_averaged_down_and_short_ones_kept() {
        let short: Vec<(f64, f64)> = (0..10).map(|i| (f64::from(i), 1.0)).collect();
        assert_eq!(thinned(short.clone()), short);
        let long: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (f64::from(i), f64::from(i % 2)))
            .collect();
        let thin = thinned(long);
        assert!(thin.len() <= MAX_LINE_POINTS, "{}", thin.len());
        // Runs of 5 points of alternating 0/1 average to 0.4 or 0.6.
        assert!(
            thin.iter().all(|p| (p.1 - 0.5).abs() <= 0.1 + 1e-12),
            "{:?}",
            &thin[..3]
        );
    }
}
