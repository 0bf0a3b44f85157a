//! A study's results: one record per finished run, kept in an append-only journal while the
//! study runs and written out as `results.csv`, one row per run in run order.
//!
//! The journal is what makes a study resumable: a record is appended in one write and
//! synced before the run counts as done, so a study killed at any moment loses at most the
//! runs in flight, and a record cut short by the kill is recognised and dropped on restart.
//! `results.csv` is always rewritten whole from the journal (by the caller, through a
//! temporary file), so it is never half-written and its bytes do not depend on the order in
//! which runs finished. `results.parquet` holds the same table with typed columns.

mod parquet_file;

use serde::{Deserialize, Serialize};

pub use parquet_file::write as parquet;

use crate::plan::Plan;
use crate::spec::Study;

/// File of the journal in a study folder.
pub const JOURNAL: &str = "journal.jsonl";
/// File of the result table in a study folder.
pub const RESULTS: &str = "results.csv";
/// The result table as Parquet, with the same rows and columns.
pub const RESULTS_PARQUET: &str = "results.parquet";

/// Result-table columns that are not parameters or metrics.
pub const RESERVED_COLUMNS: [&str; 7] = [
    "run",
    "point",
    "replicate",
    "seed",
    "status",
    "error",
    "wall_s",
];

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ran and every metric was read.
    Ok,
    /// The point's scenario is not valid (a bad parameter combination); nothing ran.
    Invalid,
    /// The run or the reading of its metrics failed.
    Failed,
}

impl Status {
    /// As written in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Invalid => "invalid",
            Self::Failed => "failed",
        }
    }
}

/// The record of one finished run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Run number in the plan.
    pub run: usize,
    /// How it ended.
    pub status: Status,
    /// Why it did not end `ok` (empty when it did).
    pub error: String,
    /// Metric values, in the study's order; `None` where the run has none.
    pub metrics: Vec<Option<f64>>,
    /// Wall time of the run, s.
    pub wall_s: f64,
}

impl RunRecord {
    /// The journal line of the record, newline included.
    pub fn journal_line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("a record always encodes");
        line.push('\n');
        line
    }
}

/// The complete records of a journal's text, and the byte length they take: a trailing
/// line cut short by a kill (no newline, or not a record) ends the readable part. Records
/// of runs outside the plan, or repeated, are refused as a journal of another study.
pub fn read_journal(text: &str, plan: &Plan) -> Result<(Vec<RunRecord>, usize), String> {
    let mut records = Vec::new();
    let mut seen = vec![false; plan.runs.len()];
    let mut length = 0;
    for line in text.split_inclusive('\n') {
        if !line.ends_with('\n') {
            break;
        }
        let Ok(record) = serde_json::from_str::<RunRecord>(line.trim_end()) else {
            break;
        };
        match seen.get_mut(record.run) {
            Some(done) if !*done => *done = true,
            Some(_) => return Err(format!("run {} is recorded twice", record.run)),
            None => {
                return Err(format!(
                    "run {} is not in this study's plan of {} runs",
                    record.run,
                    plan.runs.len()
                ));
            }
        }
        length += line.len();
        records.push(record);
    }
    Ok((records, length))
}

/// The result table of the finished runs `records` (any order), one row per run in run
/// order: run, point, replicate, seed, parameters, metrics, status, error, wall_s.
pub fn table(study: &Study, plan: &Plan, records: &[RunRecord]) -> String {
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| r.run);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["run", "point", "replicate", "seed"];
    header.extend(study.parameters.iter().map(|p| p.name.as_str()));
    header.extend(study.metrics.iter().map(|m| m.name.as_str()));
    header.extend(["status", "error", "wall_s"]);
    writer.write_record(&header).expect("writing to memory");
    for record in sorted {
        let planned = plan.runs[record.run];
        let mut row = vec![
            planned.run.to_string(),
            planned.point.to_string(),
            planned.replicate.to_string(),
            planned.seed.to_string(),
        ];
        row.extend(plan.points[planned.point].values.iter().map(cell));
        row.extend(
            record
                .metrics
                .iter()
                .map(|m| m.map(|v| v.to_string()).unwrap_or_default()),
        );
        row.push(record.status.as_str().to_owned());
        row.push(record.error.clone());
        row.push(format!("{:.3}", record.wall_s));
        writer.write_record(&row).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("UTF-8 cells")
}

/// A parameter value as a table cell: text without quotes, numbers as TOML writes them.
pub fn cell(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A result table read back: its header and rows, by column name.
#[derive(Debug, Clone)]
pub struct ResultTable {
    /// Column names.
    pub header: Vec<String>,
    /// Rows as text cells.
    pub rows: Vec<Vec<String>>,
}

impl ResultTable {
    /// Parses `results.csv`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| e.to_string())?
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        Ok(Self { header, rows })
    }

    /// The index of column `name`.
    pub fn column(&self, name: &str) -> Result<usize, String> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("no column `{name}`"))
    }

    /// The numbers of column `name` (`None` for empty or non-numeric cells).
    pub fn numbers(&self, name: &str) -> Result<Vec<Option<f64>>, String> {
        let c = self.column(name)?;
        Ok(self.rows.iter().map(|r| r[c].parse().ok()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn study() -> (Study, Plan) {
        let text = "schema_version = 1\nname = \"t\"\nscenario = \"x\"\n[design]\nkind = \"grid\"\n\
                    [[parameters]]\nkey = \"a\"\nname = \"dose\"\nvalues = [0, 1.5]\n\
                    [[metrics]]\nname = \"m\"\nsummary = \"x\"\n";
        let study = Study::parse("t.toml", text, PathBuf::from(".")).unwrap();
        let plan = Plan::of(&study);
        (study, plan)
    }

    fn record(run: usize) -> RunRecord {
        RunRecord {
            run,
            status: Status::Ok,
            error: String::new(),
            metrics: vec![Some(0.1 + run as f64)],
            wall_s: 1.0,
        }
    }

    #[test]
    fn journalled_metrics_read_back_bit_for_bit() {
        // 31.111111111111114 came back as 31.11111111111111 from serde_json's default
        // parser (seen on a resumed study); the table must not depend on where a value was
        // read from.
        let (_, plan) = study();
        let values = [
            31.111111111111114,
            0.1 + 0.2,
            1e-300 / 3.0,
            2.0_f64.sqrt() * 1e17,
        ];
        for value in values {
            let mut written = record(0);
            written.metrics = vec![Some(value)];
            let (read, _) = read_journal(&written.journal_line(), &plan).unwrap();
            assert_eq!(read[0].metrics[0].map(f64::to_bits), Some(value.to_bits()));
        }
    }

    #[test]
    fn a_journal_cut_short_keeps_its_complete_records() {
        let (_, plan) = study();
        let whole = record(1).journal_line() + &record(0).journal_line();
        let cut = &whole[..whole.len() - 5];
        let (records, length) = read_journal(cut, &plan).unwrap();
        assert_eq!(records, [record(1)]);
        assert_eq!(length, record(1).journal_line().len());
        let (records, length) = read_journal(&whole, &plan).unwrap();
        assert_eq!((records.len(), length), (2, whole.len()));
    }

    #[test]
    fn foreign_journals_are_refused() {
        let (_, plan) = study();
        let twice = record(0).journal_line() + &record(0).journal_line();
        assert!(read_journal(&twice, &plan).unwrap_err().contains("twice"));
        assert!(
            read_journal(&record(9).journal_line(), &plan)
                .unwrap_err()
                .contains("not in this study's plan")
        );
    }

    #[test]
    fn the_table_is_in_run_order_whatever_the_finishing_order() {
        let (study, plan) = study();
        let forward = table(&study, &plan, &[record(0), record(1)]);
        let backward = table(&study, &plan, &[record(1), record(0)]);
        assert_eq!(forward, backward);
        assert_eq!(
            forward.lines().next().unwrap(),
            "run,point,replicate,seed,dose,m,status,error,wall_s"
        );
        let table = ResultTable::parse(&forward).unwrap();
        assert_eq!(table.numbers("dose").unwrap(), [Some(0.0), Some(1.5)]);
    }
}
