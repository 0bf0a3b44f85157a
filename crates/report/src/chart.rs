//! Figures as data, and their drawing on any plotters backend (PNG and SVG from one code path).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::time_axis::TimeAxis;

/// Colour-blind-safe palette (Okabe & Ito 2008), yellow last: it reads poorly on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

const FONT: &str = "sans-serif";
const PANEL_HEIGHT_PX: u32 = 300;
const TITLE_HEIGHT_PX: u32 = 44;
/// Width of every figure, px.
pub const WIDTH_PX: u32 = 1100;

/// The `i`-th colour of the palette (cycling).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// One line of a panel.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// `(x, y)`: for time courses x is model time in ms.
    pub points: Vec<(f64, f64)>,
}

/// An intervention, drawn as a line (a dose) or a shaded band (stress, a bath, an infusion).
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// What it is (`ketamine 10 mg/kg intraperitoneal`).
    pub label: String,
    /// Start, ms.
    pub start_ms: f64,
    /// End, ms, for interventions that last.
    pub end_ms: Option<f64>,
}

/// One panel of a figure.
#[derive(Debug, Clone)]
pub enum Panel {
    /// Lines over model time, with the interventions marked.
    TimeCourse {
        /// Panel title.
        title: String,
        /// Y axis title with its unit.
        y_label: String,
        /// Lines.
        series: Vec<Series>,
    },
    /// Spike times (x, ms) against a row per neuron (y), coloured by group.
    Raster {
        /// Panel title.
        title: String,
        /// `(time_ms, row, group)`.
        points: Vec<(f64, f64, usize)>,
        /// Rows drawn.
        rows: f64,
        /// Group names, in colour order.
        groups: Vec<String>,
        /// Its own time axis (a zoom), instead of the report's.
        zoom: Option<TimeAxis>,
    },
    /// Lines over a logarithmic x axis (distributions of sizes).
    LogX {
        /// Panel title.
        title: String,
        /// X axis title with its unit.
        x_label: String,
        /// Y axis title with its unit.
        y_label: String,
        /// Lines; x must be positive.
        series: Vec<Series>,
    },
    /// A metric against a dose on a logarithmic axis: each dose's mean ± sd over its runs,
    /// the fitted curve, and the undosed level as a band across the panel.
    DoseResponse {
        /// Panel title.
        title: String,
        /// Dose axis title with its unit.
        x_label: String,
        /// `(dose > 0, mean, sd)`; sd may be NaN (one run).
        levels: Vec<(f64, f64, f64)>,
        /// The undosed `(mean, sd)`, if dose 0 was run.
        control: Option<(f64, f64)>,
        /// The fitted curve's points.
        fit: Vec<(f64, f64)>,
    },
    /// Horizontal bars per category (parameters), one bar per group (indices), with
    /// optional error whiskers.
    Bars {
        /// Panel title.
        title: String,
        /// Value axis title.
        x_label: String,
        /// Category names, top to bottom.
        categories: Vec<String>,
        /// `(group name, (value, half-width of its interval or NaN) per category)`.
        groups: Vec<(String, Vec<(f64, f64)>)>,
    },
    /// A metric over two parameters of a grid, as coloured cells (viridis).
    Heatmap {
        /// Panel title.
        title: String,
        /// Names of the two parameters.
        axes: (String, String),
        /// Grid values of each, as labels.
        ticks: (Vec<String>, Vec<String>),
        /// `cells[y][x]`; `None` where no run succeeded.
        cells: Vec<Vec<Option<f64>>>,
    },
}

/// A figure: panels on a grid, written as `NAME.png` and `NAME.svg`.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File stem.
    pub name: &'static str,
    /// Title drawn above the panels.
    pub title: String,
    /// What the figure shows and how it was reduced, for the report page.
    pub caption: String,
    /// Panels, row by row.
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
}

impl Figure {
    /// Pixel size of the figure.
    pub fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.columns.max(1)) as u32;
        (WIDTH_PX, TITLE_HEIGHT_PX + rows.max(1) * PANEL_HEIGHT_PX)
    }

    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        axis: &TimeAxis,
        marks: &[Mark],
    ) -> Result<(), String> {
        let failed = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(failed)?;
        let body = root
            .titled(&self.title, (FONT, 22).into_font())
            .map_err(failed)?;
        let columns = self.columns.max(1);
        let rows = self.panels.len().div_ceil(columns).max(1);
        for (area, panel) in body.split_evenly((rows, columns)).iter().zip(&self.panels) {
            match panel {
                Panel::TimeCourse {
                    title,
                    y_label,
                    series,
                } => time_course(area, title, y_label, series, axis, marks),
                Panel::Raster {
                    title,
                    points,
                    rows,
                    groups,
                    zoom,
                } => raster(
                    area,
                    title,
                    points,
                    *rows,
                    groups,
                    zoom.as_ref().unwrap_or(axis),
                    marks,
                ),
                Panel::LogX {
                    title,
                    x_label,
                    y_label,
                    series,
                } => log_x(area, title, x_label, y_label, series),
                Panel::DoseResponse {
                    title,
                    x_label,
                    levels,
                    control,
                    fit,
                } => dose_response(area, title, x_label, levels, *control, fit),
                Panel::Bars {
                    title,
                    x_label,
                    categories,
                    groups,
                } => bars(area, title, x_label, categories, groups),
                Panel::Heatmap {
                    title,
                    axes,
                    ticks,
                    cells,
                } => heatmap(area, title, axes, ticks, cells),
            }
            .map_err(failed)?;
        }
        root.present().map_err(failed)
    }
}

/// Y range of `series` with a margin; a flat or empty range is widened so the axis draws.
fn y_range<'a>(series: impl Iterator<Item = &'a Series>) -> std::ops::Range<f64> {
    let (lo, hi) = series
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let pad = if hi > lo {
        0.06 * (hi - lo)
    } else {
        (0.1 * lo.abs()).max(0.5)
    };
    (lo - pad)..(hi + pad)
}

/// Stroke width of a line, px: 2 for sparse lines, 1 for dense ones — the bitmap backend
/// joins thick segments with mitres, which spike far out of the panel at the sharp turns of
/// noisy traces.
fn line_width(series: &Series) -> u32 {
    if series.points.len() > 200 { 1 } else { 2 }
}

/// A chart builder for one panel: its title and the room for the axes' labels.
fn panel<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(title, (FONT, 16))
        .margin(8)
        .x_label_area_size(38)
        .y_label_area_size(64);
    builder
}

type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn time_course<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    series: &[Series],
    axis: &TimeAxis,
    marks: &[Mark],
) -> Drawn<DB> {
    let y = y_range(series.iter());
    let mut chart = panel(area, title).build_cartesian_2d(axis.range(), y.clone())?;
    chart
        .configure_mesh()
        .x_desc(axis.label())
        .y_desc(y_label)
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    draw_marks(&mut chart, marks, axis, y)?;
    for (i, s) in series.iter().enumerate() {
        let colour = colour(i);
        let points = s
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|&(t, v)| (axis.at(t), v));
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(line_width(s))))?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    if series.len() > 1 {
        legend(&mut chart)?;
    }
    Ok(())
}

fn draw_marks<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    marks: &[Mark],
    axis: &TimeAxis,
    y: std::ops::Range<f64>,
) -> Drawn<DB> {
    let band = RGBColor(120, 120, 120);
    for mark in marks {
        let start = axis.at(mark.start_ms);
        match mark.end_ms {
            Some(end) => {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(start, y.start), (axis.at(end), y.end)],
                    band.mix(0.12).filled(),
                )))?;
            }
            None => {
                chart.draw_series(std::iter::once(PathElement::new(
                    [(start, y.start), (start, y.end)],
                    band.mix(0.8).stroke_width(1),
                )))?;
            }
        }
    }
    Ok(())
}

fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Drawn<DB> {
    legend_at(chart, SeriesLabelPosition::UpperRight)
}

fn legend_at<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Drawn<DB> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FONT, 12))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()
}

fn raster<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    points: &[(f64, f64, usize)],
    rows: f64,
    groups: &[String],
    axis: &TimeAxis,
    marks: &[Mark],
) -> Drawn<DB> {
    let y = 0.0..rows.max(1.0);
    let mut chart = panel(area, title).build_cartesian_2d(axis.range(), y.clone())?;
    chart
        .configure_mesh()
        .x_desc(axis.label())
        .y_desc("neuron (sampled)")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    draw_marks(&mut chart, marks, axis, y)?;
    for (g, name) in groups.iter().enumerate() {
        let colour = colour(g);
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p.2 == g)
                    .map(|&(t, row, _)| Circle::new((axis.at(t), row), 1, colour.filled())),
            )?
            .label(name.clone())
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
    }
    legend(&mut chart)
}

fn log_x<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Drawn<DB> {
    let xs = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| *x > 0.0 && x.is_finite());
    let (lo, hi) = xs.fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (0.01, 1.0)
    };
    let y = y_range(series.iter());
    let mut chart =
        panel(area, title).build_cartesian_2d((lo..hi).log_scale(), y.start.max(0.0)..y.end)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (i, s) in series.iter().enumerate() {
        let colour = colour(i);
        chart
            .draw_series(LineSeries::new(
                s.points.iter().filter(|p| p.0 > 0.0).copied(),
                colour.stroke_width(line_width(s)),
            ))?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    legend(&mut chart)
}

fn dose_response<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    levels: &[(f64, f64, f64)],
    control: Option<(f64, f64)>,
    fit: &[(f64, f64)],
) -> Drawn<DB> {
    let doses = levels.iter().map(|l| l.0).filter(|d| *d > 0.0);
    let (lo, hi) = doses.fold((f64::INFINITY, 0.0f64), |(lo, hi), d| {
        (lo.min(d), hi.max(d))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo / 2.0, hi * 2.0)
    } else {
        (0.1, 10.0)
    };
    let spread = |mean: f64, sd: f64| {
        if sd.is_finite() {
            [mean - sd, mean + sd]
        } else {
            [mean, mean]
        }
    };
    let mut ys: Vec<(f64, f64)> = levels
        .iter()
        .flat_map(|&(_, m, sd)| spread(m, sd))
        .chain(fit.iter().map(|p| p.1))
        .chain(control.into_iter().flat_map(|(m, sd)| spread(m, sd)))
        .map(|y| (0.0, y))
        .collect();
    ys.retain(|p| p.1.is_finite());
    let y = y_range(std::iter::once(&Series {
        label: String::new(),
        points: ys,
    }));
    let mut chart = panel(area, title).build_cartesian_2d((lo..hi).log_scale(), y.clone())?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .x_labels(8)
        .x_label_formatter(&|d| format!("{}", (d * 1000.0).round() / 1000.0))
        .y_desc("mean ± sd over runs")
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let grey = RGBColor(120, 120, 120);
    if let Some((mean, sd)) = control {
        let [low, high] = spread(mean, sd);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(lo, low), (hi, high)],
            grey.mix(0.15).filled(),
        )))?;
        chart
            .draw_series(DashedLineSeries::new(
                [(lo, mean), (hi, mean)],
                6,
                4,
                grey.stroke_width(1),
            ))?
            .label("no drug (dose 0)")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], grey.stroke_width(1)));
    }
    let (line, dots) = (colour(1), colour(0));
    if !fit.is_empty() {
        chart
            .draw_series(LineSeries::new(fit.iter().copied(), line.stroke_width(2)))?
            .label("Hill fit")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], line.stroke_width(2)));
    }
    chart.draw_series(
        levels
            .iter()
            .filter(|l| l.0 > 0.0 && l.2.is_finite())
            .map(|&(d, m, sd)| PathElement::new([(d, m - sd), (d, m + sd)], dots.stroke_width(2))),
    )?;
    chart
        .draw_series(
            levels
                .iter()
                .filter(|l| l.0 > 0.0)
                .map(|&(d, m, _)| Circle::new((d, m), 4, dots.filled())),
        )?
        .label("runs: mean ± sd")
        .legend(move |(x, y)| Circle::new((x + 8, y), 4, dots.filled()));
    // The legend goes where the highest doses' points are not.
    let last = levels
        .iter()
        .filter(|l| l.0 > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let high = last.is_some_and(|l| l.1 > 0.5 * (y.start + y.end));
    legend_at(
        &mut chart,
        if high {
            SeriesLabelPosition::LowerRight
        } else {
            SeriesLabelPosition::UpperRight
        },
    )
}

fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    categories: &[String],
    groups: &[(String, Vec<(f64, f64)>)],
) -> Drawn<DB> {
    let values = groups.iter().flat_map(|(_, v)| {
        v.iter().flat_map(|&(x, e)| {
            if e.is_finite() {
                [x - e, x + e]
            } else {
                [x, x]
            }
        })
    });
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = 0.06 * (hi - lo).max(1e-9);
    let n = categories.len();
    let y = -0.5..(n as f64 - 0.5);
    let names = categories.to_vec();
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 16))
        .margin(8)
        .x_label_area_size(38)
        .y_label_area_size(210)
        .build_cartesian_2d((lo - pad)..(hi + pad), y)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_labels(n + 1)
        .y_label_formatter(&move |v| {
            // Category i is drawn top to bottom at y = n − 1 − i.
            let i = (n as f64 - 1.0 - v).round();
            if (n as f64 - 1.0 - v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                names[i as usize].clone()
            } else {
                String::new()
            }
        })
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let height = 0.8 / groups.len().max(1) as f64;
    for (g, (name, values)) in groups.iter().enumerate() {
        let colour = colour(g);
        let centre = |i: usize| n as f64 - 1.0 - i as f64 + 0.4 - height * (g as f64 + 0.5);
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.0.is_finite())
                    .map(|(i, &(x, _))| {
                        let c = centre(i);
                        Rectangle::new(
                            [(0.0, c - height / 2.0), (x, c + height / 2.0)],
                            colour.filled(),
                        )
                    }),
            )?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
        chart.draw_series(
            values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.0.is_finite() && v.1.is_finite())
                .map(|(i, &(x, e))| {
                    PathElement::new(
                        [(x - e, centre(i)), (x + e, centre(i))],
                        BLACK.stroke_width(1),
                    )
                }),
        )?;
    }
    legend(&mut chart)
}

/// Viridis (van der Walt & Smith 2015) through five anchors: perceptually even and
/// readable in grey and by colour-blind readers.
fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let x = t.clamp(0.0, 1.0) * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    let mix = |p: f64, q: f64| (p + f * (q - p)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    axes: &(String, String),
    ticks: &(Vec<String>, Vec<String>),
    cells: &[Vec<Option<f64>>],
) -> Drawn<DB> {
    let (lo, hi) = cells
        .iter()
        .flatten()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (nx, ny) = (ticks.0.len(), ticks.1.len());
    let (xs, ys) = (ticks.0.clone(), ticks.1.clone());
    let label = |names: Vec<String>| {
        move |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                names[i as usize].clone()
            } else {
                String::new()
            }
        }
    };
    let caption = if lo.is_finite() {
        format!("{title}: {lo:.4} (dark) to {hi:.4} (bright)")
    } else {
        format!("{title}: no values")
    };
    let mut chart = panel(area, &caption)
        .build_cartesian_2d(-0.5..(nx as f64 - 0.5), -0.5..(ny as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_desc(axes.0.as_str())
        .y_desc(axes.1.as_str())
        .x_labels(nx + 1)
        .y_labels(ny + 1)
        .x_label_formatter(&label(xs))
        .y_label_formatter(&label(ys))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .disable_mesh()
        .draw()?;
    chart.draw_series(cells.iter().enumerate().flat_map(|(y, row)| {
        row.iter().enumerate().map(move |(x, v)| {
            let fill = match v {
                Some(v) => viridis((v - lo) / span).filled(),
                None => RGBColor(230, 230, 230).filled(),
            };
            Rectangle::new(
                [
                    (x as f64 - 0.5, y as f64 - 0.5),
                    (x as f64 + 0.5, y as f64 + 0.5),
                ],
                fill,
            )
        })
    }))?;
    Ok(())
}
