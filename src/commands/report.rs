//! `synaptogen report DIR`: figures and report.html of a finished run or of a study.

use std::path::Path;

use synaptogen_report::ReportError;

use crate::failure::Failure;
use crate::output::outln;

pub fn run(dir: &Path) -> Result<(), Failure> {
    if dir.join(super::sweep::STUDY_FILE).is_file() && !dir.join("summary.json").is_file() {
        // A study's figures come from its analysis tables: bring them up to date first.
        super::analyze::run(dir)?;
        let report = synaptogen_report::report_study(dir).map_err(failure)?;
        announce(dir, &report);
        return Ok(());
    }
    make(dir, false)
}

/// Makes the report of the run in `run_dir`; prints where it is unless `quiet`.
pub fn make(run_dir: &Path, quiet: bool) -> Result<(), Failure> {
    let report = synaptogen_report::report(run_dir).map_err(failure)?;
    if !quiet {
        announce(run_dir, &report);
    }
    Ok(())
}

fn failure(e: ReportError) -> Failure {
    match e {
        ReportError::NotARun { .. } | ReportError::Table { .. } => Failure::input(e),
        ReportError::Draw { .. } | ReportError::Write { .. } => {
            Failure::Internal(anyhow::Error::new(e))
        }
    }
}

fn announce(dir: &Path, report: &synaptogen_report::Report) {
    outln!(
        "report: {} ({} figures in {}/: {})",
        report.page.display(),
        report.figures.len(),
        dir.join(synaptogen_report::FIGURES_FOLDER).display(),
        report.figures.join(", ")
    );
}
