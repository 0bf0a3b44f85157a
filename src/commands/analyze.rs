//! `synaptogen analyze`: the summary tables of a study folder.

use std::fs;
use std::path::Path;

use synaptogen_study::results::RESULTS;
use synaptogen_study::{Plan, ResultTable, Study};

use crate::failure::{Failure, Internal};
use crate::output::outln;
use crate::run_folder::write_atomic;

use super::sweep::STUDY_FILE;

/// The folder of the analysis tables inside a study folder.
const ANALYSIS_FOLDER: &str = "analysis";

pub fn run(dir: &Path) -> Result<(), Failure> {
    let study_file = dir.join(STUDY_FILE);
    if !study_file.is_file() {
        return Err(Failure::input(format!(
            "{}: not a study folder (no {STUDY_FILE}; make one with `synaptogen sweep STUDY --out {}`)",
            dir.display(),
            dir.display()
        )));
    }
    let study = Study::load(&study_file).map_err(Failure::input)?;
    let plan = Plan::of(&study);
    let results_file = dir.join(RESULTS);
    let text = fs::read_to_string(&results_file).map_err(|e| {
        Failure::input(format!(
            "{}: {e}; no run of the study has finished yet",
            results_file.display()
        ))
    })?;
    let table = ResultTable::parse(&text)
        .and_then(|t| synaptogen_study::analysis::analyze(&study, &plan, &t))
        .map_err(|e| Failure::input(format!("{}: {e}", results_file.display())))?;
    let out = dir.join(ANALYSIS_FOLDER);
    fs::create_dir_all(&out).internal(format!("cannot create {}", out.display()))?;
    for (name, csv) in &table.tables {
        write_atomic(&out.join(name), csv.as_bytes())?;
    }
    outln!("{}", table.account.trim_end());
    outln!(
        "tables: {}",
        table
            .tables
            .iter()
            .map(|(name, _)| out.join(name).display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}
