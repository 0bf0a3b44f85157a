//! The spike raster, sampled: a 21-day run records millions of spikes, and a figure shows at
//! most a few hundred rows and tens of thousands of dots.
//!
//! `spikes.csv` is streamed once. Neurons are sampled evenly within each population (every
//! k-th), then spikes evenly in file order (every m-th); the caption states both, so nobody
//! reads a thinned raster as a sparse network.

use std::path::Path;

use crate::ReportError;
use crate::chart::{Figure, Panel};
use crate::run::RunData;
use crate::time_axis::TimeAxis;

/// A drawn spike: `(time_ms, row, group)`.
type Dot = (f64, f64, usize);

/// Most neuron rows drawn.
const MAX_ROWS: usize = 300;
/// Most spikes drawn per panel.
const MAX_DOTS: usize = 40_000;
/// Span of the zoomed panel, ms.
const ZOOM_MS: f64 = 1000.0;

/// The raster figure, if the run recorded spikes.
pub fn figure(run: &RunData) -> Result<Option<Figure>, ReportError> {
    let path = run.dir().join("spikes.csv");
    if !path.exists() {
        return Ok(None);
    }
    let populations = run.populations()?;
    if populations.is_empty() {
        return Ok(None);
    }
    let total_neurons: usize = populations.iter().map(|p| p.size).sum();
    let stride = total_neurons.div_ceil(MAX_ROWS).max(1);
    // Row of each sampled neuron, and its population; rows stack populations in order.
    let mut row_of = vec![None; total_neurons];
    let mut rows = 0usize;
    for (g, p) in populations.iter().enumerate() {
        for local in (0..p.size).step_by(stride) {
            if let Some(slot) = row_of.get_mut(p.first + local) {
                *slot = Some((rows as f64, g));
                rows += 1;
            }
        }
    }
    let (mut sampled, spikes) = read_sampled(&path, &row_of)?;
    if spikes == 0 {
        return Ok(None);
    }
    // Populations whose spikes were not recorded take no rows.
    let mut recorded = vec![false; populations.len()];
    for p in &sampled {
        recorded[p.2] = true;
    }
    let mut shift = vec![0.0; populations.len()];
    let mut removed = 0.0;
    for (g, p) in populations.iter().enumerate() {
        shift[g] = removed;
        if !recorded[g] {
            removed += p.size.div_ceil(stride) as f64;
        }
    }
    let group_of: Vec<usize> = (0..populations.len())
        .map(|g| recorded[..g].iter().filter(|r| **r).count())
        .collect();
    for p in &mut sampled {
        p.1 -= shift[p.2];
        p.2 = group_of[p.2];
    }
    let rows = rows as f64 - removed;
    let groups: Vec<String> = populations
        .iter()
        .zip(&recorded)
        .filter(|(_, r)| **r)
        .map(|(p, _)| p.name.clone())
        .collect();
    let shown_neurons: usize = populations
        .iter()
        .zip(&recorded)
        .filter(|(_, r)| **r)
        .map(|(p, _)| p.size)
        .sum();

    // The last second with spikes, at full resolution: the network's fine structure, which
    // a whole-run raster of hours cannot show.
    let last_ms = sampled
        .iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let zoom = TimeAxis::seconds_from_start(((last_ms - ZOOM_MS).max(0.0), last_ms));
    let mut zoomed: Vec<Dot> = sampled
        .iter()
        .filter(|p| p.0 >= zoom.span_ms.0)
        .copied()
        .collect();
    let zoom_every = zoomed.len().div_ceil(MAX_DOTS).max(1);
    zoomed = zoomed.into_iter().step_by(zoom_every).collect();

    let keep_every = sampled.len().div_ceil(MAX_DOTS).max(1);
    let points: Vec<Dot> = sampled.into_iter().step_by(keep_every).collect();
    let mut panels = vec![Panel::Raster {
        title: "Whole run".into(),
        points,
        rows,
        groups: groups.clone(),
        zoom: None,
    }];
    // A run of a couple of seconds is its own zoom.
    let zoomed_too = run.axis().span_ms.1 - run.axis().span_ms.0 > 2.0 * ZOOM_MS;
    if zoomed_too {
        panels.push(Panel::Raster {
            title: "Last second of spiking".into(),
            points: zoomed,
            rows,
            groups,
            zoom: Some(zoom),
        });
    }
    let neuron_sampling = if stride == 1 {
        format!("all {shown_neurons} recorded neurons")
    } else {
        format!(
            "every {stride}{} neuron of each recorded population",
            ordinal(stride)
        )
    };
    let spike_sampling = |every: usize| {
        if every == 1 {
            "all their spikes".to_owned()
        } else {
            format!("every {every}{} of their spikes", ordinal(every))
        }
    };
    Ok(Some(Figure {
        name: "raster",
        title: "Spike raster (sampled)".into(),
        caption: format!(
            "{spikes} spikes recorded in `spikes.csv`; shown: {neuron_sampling}, {} over the \
             whole run{}.",
            spike_sampling(keep_every),
            if zoomed_too {
                format!(
                    " (top) and {} in its last second of spiking (bottom)",
                    spike_sampling(zoom_every)
                )
            } else {
                String::new()
            },
        ),
        panels,
        columns: 1,
    }))
}

/// `(time_ms, row, group)` of the sampled neurons' spikes, and the count of all spikes.
fn read_sampled(
    path: &Path,
    row_of: &[Option<(f64, usize)>],
) -> Result<(Vec<Dot>, u64), ReportError> {
    let unreadable = |detail: String| ReportError::Table {
        path: path.to_owned(),
        detail,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| unreadable(e.to_string()))?;
    let headers = reader.headers().map_err(|e| unreadable(e.to_string()))?;
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| unreadable(format!("has no column `{name}`")))
    };
    let (time_at, neuron_at) = (column("time_ms")?, column("neuron")?);
    let mut record = csv::StringRecord::new();
    let (mut sampled, mut spikes) = (Vec::new(), 0u64);
    while reader
        .read_record(&mut record)
        .map_err(|e| unreadable(e.to_string()))?
    {
        spikes += 1;
        let neuron: usize = record[neuron_at]
            .parse()
            .map_err(|_| unreadable(format!("neuron `{}` is not an index", &record[neuron_at])))?;
        if let Some(Some((row, group))) = row_of.get(neuron) {
            let time: f64 = record[time_at]
                .parse()
                .map_err(|_| unreadable(format!("time `{}` is not a number", &record[time_at])))?;
            sampled.push((time, *row, *group));
        }
    }
    Ok((sampled, spikes))
}

fn ordinal(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}
