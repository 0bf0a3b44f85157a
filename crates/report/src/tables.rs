//! A run folder's CSV tables, read by column name.
//!
//! Every table a run writes has a `time_ms` column and, for per-population tables, a text
//! key (`population`, `drug`, `region`, `projection`). Columns are read by name, never by
//! position, so tables that gain columns (README, "Versions") still read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ReportError;

/// `(time_ms, value)` points of one line.
pub type Line = Vec<(f64, f64)>;
/// Lines by key (population, drug, region), in first-seen order.
pub type NamedLines = Vec<(String, Line)>;

/// One CSV table held by columns: numbers where every cell parses, else text.
#[derive(Debug, Clone)]
pub struct Table {
    path: PathBuf,
    names: Vec<String>,
    columns: Vec<Column>,
    rows: usize,
}

#[derive(Debug, Clone)]
enum Column {
    Numbers(Vec<f64>),
    Text(Vec<String>),
}

impl Table {
    /// Reads `dir/name.csv`; `None` when the file is absent or has no rows (a table the run
    /// declared but never filled).
    pub fn read(dir: &Path, name: &str) -> Result<Option<Self>, ReportError> {
        let path = dir.join(format!("{name}.csv"));
        if !path.exists() {
            return Ok(None);
        }
        let unreadable = |detail: String| ReportError::Table {
            path: path.clone(),
            detail,
        };
        let mut reader = csv::Reader::from_path(&path).map_err(|e| unreadable(e.to_string()))?;
        let names: Vec<String> = reader
            .headers()
            .map_err(|e| unreadable(e.to_string()))?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); names.len()];
        for record in reader.records() {
            let record = record.map_err(|e| unreadable(e.to_string()))?;
            for (column, cell) in cells.iter_mut().zip(record.iter()) {
                column.push(cell.to_owned());
            }
        }
        let rows = cells.first().map_or(0, Vec::len);
        if rows == 0 {
            return Ok(None);
        }
        let columns = cells
            .into_iter()
            .map(|text| {
                let numbers: Result<Vec<f64>, _> = text.iter().map(|c| c.parse::<f64>()).collect();
                numbers.map_or(Column::Text(text), Column::Numbers)
            })
            .collect();
        Ok(Some(Self {
            path,
            names,
            columns,
            rows,
        }))
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Column names, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// True if the table has column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Numeric column `name`.
    pub fn numbers(&self, name: &str) -> Result<&[f64], ReportError> {
        match self.column(name)? {
            Column::Numbers(v) => Ok(v),
            Column::Text(_) => Err(self.error(format!("column `{name}` is not numeric"))),
        }
    }

    /// Text column `name` (a numeric column's cells as written are not kept).
    pub fn text(&self, name: &str) -> Result<&[String], ReportError> {
        match self.column(name)? {
            Column::Text(v) => Ok(v),
            Column::Numbers(_) => Err(self.error(format!("column `{name}` holds numbers"))),
        }
    }

    /// `(time_ms, value)` of column `value` per key of column `key`, keys in first-seen order.
    pub fn series_by(&self, key: &str, value: &str) -> Result<NamedLines, ReportError> {
        let keys = self.text(key)?;
        let time = self.numbers("time_ms")?;
        let values = self.numbers(value)?;
        let mut order: Vec<String> = Vec::new();
        let mut by_key: BTreeMap<&str, Line> = BTreeMap::new();
        for ((k, &t), &v) in keys.iter().zip(time).zip(values) {
            if !by_key.contains_key(k.as_str()) {
                order.push(k.clone());
            }
            by_key.entry(k).or_default().push((t, v));
        }
        Ok(order
            .into_iter()
            .map(|k| {
                let points = by_key.remove(k.as_str()).unwrap_or_default();
                (k, points)
            })
            .collect())
    }

    fn column(&self, name: &str) -> Result<&Column, ReportError> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.columns[i])
            .ok_or_else(|| {
                self.error(format!(
                    "has no column `{name}` (columns: {})",
                    self.names.join(", ")
                ))
            })
    }

    fn error(&self, detail: String) -> ReportError {
        ReportError::Table {
            path: self.path.clone(),
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_read_by_name_and_series_group_by_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("block.csv"),
            "time_ms,population,nmda_block\n0,pyr,0\n0,pv,0\n60000,pyr,0.2\n60000,pv,0.4\n",
        )
        .unwrap();
        let table = Table::read(dir.path(), "block").unwrap().unwrap();
        assert_eq!(table.rows(), 4);
        let series = table.series_by("population", "nmda_block").unwrap();
        assert_eq!(series[0].0, "pyr");
        assert_eq!(series[1].1, vec![(0.0, 0.0), (60000.0, 0.4)]);
        let err = table.numbers("rate_hz").unwrap_err().to_string();
        assert!(
            err.contains("block.csv") && err.contains("rate_hz"),
            "{err}"
        );
        assert!(Table::read(dir.path(), "absent").unwrap().is_none());
        std::fs::write(dir.path().join("empty.csv"), "time_ms,population\n").unwrap();
        assert!(Table::read(dir.path(), "empty").unwrap().is_none());
    }
}
