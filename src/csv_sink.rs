//! CSV output of the monitors: spikes.csv, rates.csv, state.csv.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use synaptogen_engine::monitors::{
    Cell, RateBins, RecordSink, SinkError, SpikeRecord, StateRows, TableRows,
};

/// Writes recorded data as CSV files that pandas, R, NEST and Brian2 users read directly.
pub struct CsvSink {
    spikes: BufWriter<File>,
    rates: BufWriter<File>,
    state: Option<BufWriter<File>>,
    tables: Vec<(String, BufWriter<File>)>,
    dir: std::path::PathBuf,
    n_populations: usize,
    dt_ms: f64,
    decimals: usize,
}

/// A time printed with a fixed number of decimals (no allocation per row).
struct Time(f64, usize);

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.*}", self.1, self.0)
    }
}

/// Opens `path` to append after its first `length` bytes (a resumed run: what was written
/// after the checkpoint is dropped).
fn reopen(path: &Path, length: u64) -> std::io::Result<BufWriter<File>> {
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.set_len(length)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    w.seek(SeekFrom::End(0))?;
    Ok(w)
}

fn create(path: &Path, header: &str) -> std::io::Result<BufWriter<File>> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(w, "{header}")?;
    Ok(w)
}

/// Decimal places that show every multiple of `dt_ms` exactly (0.1 → 1, 0.025 → 3).
fn decimals_of(dt_ms: f64) -> usize {
    (0..=9)
        .find(|&d| {
            let scaled = dt_ms * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-9 * scaled.max(1.0)
        })
        .unwrap_or(9)
}

impl CsvSink {
    /// Opens the files in `dir`. `populations` name the rate columns; `state_columns` the
    /// state columns (no state.csv when empty).
    pub fn create(
        dir: &Path,
        dt_ms: f64,
        populations: &[String],
        state_columns: &[String],
    ) -> std::io::Result<Self> {
        let spikes = create(&dir.join("spikes.csv"), "time_ms,neuron")?;
        let rates = create(
            &dir.join("rates.csv"),
            &format!("time_ms,{}", populations.join(",")),
        )?;
        let state = if state_columns.is_empty() {
            None
        } else {
            Some(create(
                &dir.join("state.csv"),
                &format!("time_ms,{}", state_columns.join(",")),
            )?)
        };
        Ok(Self {
            spikes,
            rates,
            state,
            tables: Vec::new(),
            dir: dir.to_owned(),
            n_populations: populations.len(),
            dt_ms,
            decimals: decimals_of(dt_ms),
        })
    }

    /// Reopens the files of an interrupted run in `dir`, each cut to its length in
    /// `lengths` (from the checkpoint) and appended to from there.
    pub fn resume(
        dir: &Path,
        dt_ms: f64,
        populations: &[String],
        state_columns: &[String],
        lengths: &BTreeMap<String, u64>,
    ) -> std::io::Result<Self> {
        let missing = |name: &str| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the checkpoint lists no length for {name}"),
            )
        };
        let open = |name: &str| -> std::io::Result<BufWriter<File>> {
            let length = *lengths.get(name).ok_or_else(|| missing(name))?;
            reopen(&dir.join(name), length)
        };
        let state = if state_columns.is_empty() {
            None
        } else {
            Some(open("state.csv")?)
        };
        let mut tables = Vec::new();
        for (file, &length) in lengths {
            if let Some(name) = file.strip_suffix(".csv")
                && !matches!(name, "spikes" | "rates" | "state")
            {
                tables.push((name.to_owned(), reopen(&dir.join(file), length)?));
            }
        }
        Ok(Self {
            spikes: open("spikes.csv")?,
            rates: open("rates.csv")?,
            state,
            tables,
            dir: dir.to_owned(),
            n_populations: populations.len(),
            dt_ms,
            decimals: decimals_of(dt_ms),
        })
    }

    /// Writes everything buffered and returns every file's length, for a checkpoint.
    pub fn flush_lengths(&mut self) -> std::io::Result<BTreeMap<String, u64>> {
        fn length(w: &mut BufWriter<File>) -> std::io::Result<u64> {
            w.flush()?;
            w.get_ref().metadata().map(|m| m.len())
        }
        let mut lengths = BTreeMap::new();
        lengths.insert("spikes.csv".to_owned(), length(&mut self.spikes)?);
        lengths.insert("rates.csv".to_owned(), length(&mut self.rates)?);
        if let Some(s) = &mut self.state {
            lengths.insert("state.csv".to_owned(), length(s)?);
        }
        for (name, w) in &mut self.tables {
            lengths.insert(format!("{name}.csv"), length(w)?);
        }
        Ok(lengths)
    }

    /// Model time of `step` in ms, with exactly the decimals `dt_ms` needs.
    fn time(&self, step: u64) -> Time {
        Time(step as f64 * self.dt_ms, self.decimals)
    }

    /// Creates `NAME.csv` with its header for a table, so the file exists even if no row
    /// is ever written.
    pub fn declare_table(&mut self, name: &str, columns: &[&str]) -> std::io::Result<()> {
        if !self.tables.iter().any(|(n, _)| n == name) {
            let file = create(&self.dir.join(format!("{name}.csv")), &columns.join(","))?;
            self.tables.push((name.to_owned(), file));
        }
        Ok(())
    }

    /// Flushes every file.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.spikes.flush()?;
        self.rates.flush()?;
        if let Some(s) = &mut self.state {
            s.flush()?;
        }
        for (_, w) in &mut self.tables {
            w.flush()?;
        }
        Ok(())
    }
}

impl RecordSink for CsvSink {
    fn table(&mut self, rows: TableRows<'_>) -> Result<(), SinkError> {
        let index = match self.tables.iter().position(|(name, _)| name == rows.name) {
            Some(i) => i,
            None => {
                let file = create(
                    &self.dir.join(format!("{}.csv", rows.name)),
                    &rows.columns.join(","),
                )?;
                self.tables.push((rows.name.to_owned(), file));
                self.tables.len() - 1
            }
        };
        let w = &mut self.tables[index].1;
        for row in rows.cells.chunks(rows.columns.len().max(1)) {
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                match cell {
                    Cell::U64(v) => write!(w, "{v}")?,
                    Cell::F64(v) => write!(w, "{v}")?,
                    Cell::Text(t) => w.write_all(t.as_bytes())?,
                    Cell::Step(step) => {
                        write!(w, "{}", Time(*step as f64 * self.dt_ms, self.decimals))?
                    }
                }
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    fn spikes(&mut self, records: &[SpikeRecord]) -> Result<(), SinkError> {
        for r in records {
            let t = self.time(r.step);
            writeln!(self.spikes, "{t},{}", r.neuron)?;
        }
        Ok(())
    }

    fn rates(&mut self, bins: RateBins<'_>) -> Result<(), SinkError> {
        let rows = bins.rates_hz.chunks(self.n_populations.max(1));
        for (&start, row) in bins.starts.iter().zip(rows) {
            let t = self.time(start);
            write!(self.rates, "{t}")?;
            for rate in row {
                write!(self.rates, ",{rate}")?;
            }
            writeln!(self.rates)?;
        }
        Ok(())
    }

    fn states(&mut self, rows: StateRows<'_>) -> Result<(), SinkError> {
        let Some(n_cols) = rows.values.len().checked_div(rows.steps.len()) else {
            return Ok(());
        };
        let (dt_ms, decimals) = (self.dt_ms, self.decimals);
        if let Some(w) = &mut self.state {
            for (&step, values) in rows.steps.iter().zip(rows.values.chunks(n_cols.max(1))) {
                write!(w, "{}", Time(step as f64 * dt_ms, decimals))?;
                for v in values {
                    write!(w, ",{v}")?;
                }
                writeln!(w)?;
            }
        }
        Ok(())
    }
}
