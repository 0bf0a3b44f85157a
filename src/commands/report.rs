//! `synaptogen report RUN_DIR`: figures and report.html of a finished run.

use std::path::Path;

use synaptogen_report::ReportError;

use crate::failure::Failure;
use crate::output::outln;

pub fn run(run_dir: &Path) -> Result<(), Failure> {
    make(run_dir, false)
}

/// Makes the report of the run in `run_dir`; prints where it is unless `quiet`.
pub fn make(run_dir: &Path, quiet: bool) -> Result<(), Failure> {
    let report = synaptogen_report::report(run_dir).map_err(|e| match e {
        ReportError::NotARun { .. } | ReportError::Table { .. } => Failure::input(e),
        ReportError::Draw { .. } | ReportError::Write { .. } => {
            Failure::Internal(anyhow::Error::new(e))
        }
    })?;
    if !quiet {
        outln!(
            "report: {} ({} figures in {}/: {})",
            report.page.display(),
            report.figures.len(),
            run_dir.join(synaptogen_report::FIGURES_FOLDER).display(),
            report.figures.join(", ")
        );
    }
    Ok(())
}
