//! Synaptogen's reports: the figures a scientist would otherwise make by hand from a run
//! folder or a study folder, as PNG and SVG files, and one self-contained page,
//! `report.html`. A study's figures (`study`) come from its analysis tables.
//!
//! A report reads the tables a finished run wrote and never re-runs the simulation. Each
//! figure appears only when its data exist (`figures`). Time axes take the unit the run's
//! length asks for (`time_axis`), interventions are marked on every time course, and long
//! tables are reduced before drawing (`figures::thinned`, `raster`), so a 21-day run reports
//! in seconds.
//!
//! Text is drawn with the DejaVu Sans font compiled in (`assets/fonts`), through plotters'
//! pure-Rust `ab_glyph` renderer: no system font library is needed.

mod chart;
mod figures;
mod html;
mod raster;
mod run;
mod study;
mod tables;
mod time_axis;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::prelude::*;

pub use chart::{Figure, Mark, Panel, Series};
pub use run::RunData;
pub use time_axis::{TimeAxis, TimeUnit};

/// Folder of the figure files inside a run folder.
pub const FIGURES_FOLDER: &str = "report";
/// The page, inside a run folder.
pub const PAGE: &str = "report.html";

/// What went wrong making a report; each names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder is not a finished run.
    #[error("{}: not a finished run folder: {detail}", dir.display())]
    NotARun {
        /// The folder.
        dir: PathBuf,
        /// Why.
        detail: String,
    },
    /// A table or summary could not be read as expected.
    #[error("{}: {detail}", path.display())]
    Table {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A figure could not be drawn.
    #[error("figure `{figure}`: {detail}")]
    Draw {
        /// The figure.
        figure: String,
        /// The backend's error.
        detail: String,
    },
    /// A file could not be written.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// What a report wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Figure names, in page order; each has `report/NAME.png` and `report/NAME.svg`.
    pub figures: Vec<String>,
    /// The page.
    pub page: PathBuf,
}

/// Makes the report of the finished run in `dir`: `dir/report/*.png|svg` and
/// `dir/report.html`. Files are written under temporary names and renamed, so an
/// interrupted report leaves the previous one (or none), never a half-written file.
pub fn report(dir: &Path) -> Result<Report, ReportError> {
    register_font();
    let run = RunData::open(dir)?;
    let figures = figures::all(&run)?;
    publish(dir, figures, &run.axis(), run.marks(), |drawn| {
        html::page(&run, drawn)
    })
}

/// Makes the report of the study folder `dir` from its analysis tables (`synaptogen
/// analyze` writes them): dose–response curves, sensitivity bars and heat maps as
/// `dir/report/*.png|svg`, and `dir/report.html`.
pub fn report_study(dir: &Path) -> Result<Report, ReportError> {
    register_font();
    let data = study::StudyData::open(dir)?;
    let figures = study::figures(&data)?;
    publish(
        dir,
        figures,
        &TimeAxis::for_span((0.0, 1.0)),
        &[],
        |drawn| study::page(&data, drawn),
    )
}

/// Draws `figures` into `dir/report/` and the page `page` makes of them into
/// `dir/report.html`, each replacing the previous one whole.
fn publish(
    dir: &Path,
    figures: Vec<Figure>,
    axis: &TimeAxis,
    marks: &[Mark],
    page: impl FnOnce(&[(Figure, Vec<u8>)]) -> String,
) -> Result<Report, ReportError> {
    let staging = dir.join(format!(".{FIGURES_FOLDER}.partial-{}", std::process::id()));
    let written = (|| {
        create_dir(&staging)?;
        let mut drawn = Vec::with_capacity(figures.len());
        for figure in figures {
            let png = png(&figure, axis, marks)?;
            write(&staging.join(format!("{}.png", figure.name)), &png)?;
            let svg = svg(&figure, axis, marks)?;
            write(
                &staging.join(format!("{}.svg", figure.name)),
                svg.as_bytes(),
            )?;
            drawn.push((figure, png));
        }
        Ok(drawn)
    })();
    let drawn = match written {
        Ok(drawn) => drawn,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let target = dir.join(FIGURES_FOLDER);
    if target.exists() {
        fs::remove_dir_all(&target).map_err(|source| ReportError::Write {
            path: target.clone(),
            source,
        })?;
    }
    fs::rename(&staging, &target).map_err(|source| ReportError::Write {
        path: target.clone(),
        source,
    })?;
    let path = dir.join(PAGE);
    write_atomically(&path, page(&drawn).as_bytes())?;
    Ok(Report {
        figures: drawn.iter().map(|(f, _)| f.name.to_owned()).collect(),
        page: path,
    })
}

fn register_font() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        // The bytes are the font shipped in assets/fonts; a failure here is a build defect.
        let font: &'static [u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
        plotters::style::register_font("sans-serif", FontStyle::Normal, font)
            .unwrap_or_else(|_| panic!("assets/fonts/DejaVuSans.ttf is not a readable font"));
    });
}

fn drawing_failed(figure: &Figure) -> impl Fn(String) -> ReportError + '_ {
    move |detail| ReportError::Draw {
        figure: figure.name.to_owned(),
        detail,
    }
}

/// The figure as PNG bytes, time courses on `axis` with the interventions `marks`.
fn png(figure: &Figure, axis: &TimeAxis, marks: &[Mark]) -> Result<Vec<u8>, ReportError> {
    let (width, height) = figure.size();
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        figure
            .draw(&root, axis, marks)
            .map_err(drawing_failed(figure))?;
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&pixels))
        .map_err(|e| drawing_failed(figure)(e.to_string()))?;
    Ok(bytes)
}

/// The figure as SVG text.
fn svg(figure: &Figure, axis: &TimeAxis, marks: &[Mark]) -> Result<String, ReportError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, figure.size()).into_drawing_area();
        figure
            .draw(&root, axis, marks)
            .map_err(drawing_failed(figure))?;
    }
    Ok(text)
}

fn create_dir(path: &Path) -> Result<(), ReportError> {
    fs::create_dir_all(path).map_err(|source| ReportError::Write {
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    fs::write(path, bytes).map_err(|source| ReportError::Write {
        path: path.to_owned(),
        source,
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().into_owned());
    let temporary = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    write(&temporary, bytes)?;
    fs::rename(&temporary, path).map_err(|source| {
        let _ = fs::remove_file(&temporary);
        ReportError::Write {
            path: path.to_owned(),
            source,
        }
    })
}
