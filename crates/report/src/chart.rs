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
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
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
