//! Reading a study's metrics from a finished run folder: values of `summary.json` and
//! readouts of its CSV tables at a time or over a window.

use std::collections::BTreeMap;
use std::path::Path;

use crate::spec::{Combine, Metric, MetricSource, Statistic, TableReadout, When};

/// Times closer than this (ms) are the same time.
const SAME_TIME_MS: f64 = 1e-6;

/// The value of every metric of `run_dir`, in order; `None` where the run has no value (a
/// `null` in summary.json, an empty cell). An error names the metric and what is missing.
pub fn read(run_dir: &Path, metrics: &[Metric]) -> Result<Vec<Option<f64>>, String> {
    let mut summary = None;
    let mut tables = BTreeMap::new();
    metrics
        .iter()
        .map(|m| {
            let value = match &m.source {
                MetricSource::Summary(path) => {
                    if summary.is_none() {
                        summary = Some(read_summary(run_dir)?);
                    }
                    summary_value(summary.as_ref().expect("just read"), path)
                }
                MetricSource::Table(readout) => {
                    if summary.is_none() {
                        summary = Some(read_summary(run_dir)?);
                    }
                    let duration = summary
                        .as_ref()
                        .and_then(|s| s.get("duration_ms"))
                        .and_then(serde_json::Value::as_f64);
                    if let Some(end_ms) = duration {
                        check_within_run(readout, end_ms)
                            .map_err(|e| format!("metric {}: {e}", m.name))?;
                    }
                    if !tables.contains_key(&readout.table) {
                        let table = Table::read(&run_dir.join(format!("{}.csv", readout.table)))?;
                        tables.insert(readout.table.clone(), table);
                    }
                    tables[&readout.table].readout(readout)
                }
            };
            value.map_err(|e| format!("metric {}: {e}", m.name))
        })
        .collect()
}

/// Refuses a readout at a time after the run's end: the table's last rows would stand in
/// for a time the run never reached.
fn check_within_run(readout: &TableReadout, end_ms: f64) -> Result<(), String> {
    let latest = match readout.when {
        When::At(t) => t,
        When::Between { to_ms, .. } => to_ms,
    }
    .max(readout.relative_to_ms.unwrap_or(0.0));
    if latest > end_ms + SAME_TIME_MS {
        Err(format!(
            "the run ends at {end_ms} ms, before the readout's {latest} ms"
        ))
    } else {
        Ok(())
    }
}

fn read_summary(run_dir: &Path) -> Result<serde_json::Value, String> {
    let path = run_dir.join("summary.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Fields that name an array element in summary.json.
const NAME_FIELDS: [&str; 5] = ["name", "population", "drug", "region", "projection"];

/// The number at `path` in a summary.
pub fn summary_value(summary: &serde_json::Value, path: &[String]) -> Result<Option<f64>, String> {
    let mut here = summary;
    for (depth, segment) in path.iter().enumerate() {
        let at = || {
            if depth == 0 {
                "summary.json".to_owned()
            } else {
                format!("summary.json `{}`", path[..depth].join("."))
            }
        };
        here = match here {
            serde_json::Value::Object(map) => map.get(segment).ok_or_else(|| {
                format!(
                    "{} has no `{segment}`; it has {}",
                    at(),
                    map.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            })?,
            serde_json::Value::Array(items) => {
                let named = items.iter().find(|item| {
                    NAME_FIELDS
                        .iter()
                        .any(|f| item.get(f).and_then(|v| v.as_str()) == Some(segment.as_str()))
                });
                named
                    .or_else(|| segment.parse::<usize>().ok().and_then(|i| items.get(i)))
                    .ok_or_else(|| {
                        let names: Vec<&str> = items
                            .iter()
                            .filter_map(|item| {
                                NAME_FIELDS.iter().find_map(|f| item.get(f)?.as_str())
                            })
                            .collect();
                        format!(
                            "{} has no element `{segment}`; it has {}",
                            at(),
                            names.join(", ")
                        )
                    })?
            }
            _ => return Err(format!("{} is a value, not a table", at())),
        };
    }
    match here {
        serde_json::Value::Number(n) => Ok(n.as_f64()),
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Bool(b) => Ok(Some(f64::from(u8::from(*b)))),
        _ => Err(format!("summary.json `{}` is not a number", path.join("."))),
    }
}

/// A CSV table of a run folder, as text cells.
struct Table {
    file: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    time: usize,
}

impl Table {
    fn read(path: &Path) -> Result<Self, String> {
        let file = path.display().to_string();
        let mut reader = csv::Reader::from_path(path).map_err(|e| {
            format!("cannot read {file}: {e} (does the scenario record this table?)")
        })?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("{file}: {e}"))?
            .iter()
            .map(str::to_owned)
            .collect();
        let time = header
            .iter()
            .position(|h| h == "time_ms")
            .ok_or_else(|| format!("{file} has no time_ms column"))?;
        let rows = reader
            .records()
            .map(|r| {
                r.map(|r| r.iter().map(str::to_owned).collect())
                    .map_err(|e| format!("{file}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            file,
            header,
            rows,
            time,
        })
    }

    fn column(&self, name: &str) -> Result<usize, String> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "{} has no column `{name}`; it has {}",
                self.file,
                self.header.join(", ")
            )
        })
    }

    fn readout(&self, r: &TableReadout) -> Result<Option<f64>, String> {
        let value = self.column(&r.column)?;
        let filter = r
            .filter
            .iter()
            .map(|(k, v)| Ok((self.column(k)?, v.as_str())))
            .collect::<Result<Vec<_>, String>>()?;
        // Matching rows, grouped by time in file order.
        let mut times: Vec<(f64, Vec<Option<f64>>)> = Vec::new();
        for row in &self.rows {
            if !filter.iter().all(|&(c, v)| row[c] == v) {
                continue;
            }
            let t: f64 = row[self.time].parse().map_err(|_| {
                format!(
                    "{}: time_ms `{}` is not a number",
                    self.file, row[self.time]
                )
            })?;
            let cell = &row[value];
            let x = if cell.is_empty() {
                None
            } else {
                Some(cell.parse::<f64>().map_err(|_| {
                    format!(
                        "{}: `{}` in column {} is not a number",
                        self.file, cell, r.column
                    )
                })?)
            };
            match times.last_mut() {
                Some((last, values)) if (t - *last).abs() < SAME_TIME_MS => values.push(x),
                _ => times.push((t, vec![x])),
            }
        }
        if times.is_empty() {
            return Err(format!(
                "no row of {} matches {}",
                self.file,
                describe(&r.filter)
            ));
        }
        let combined = |values: &[Option<f64>], t: f64| -> Result<Option<f64>, String> {
            if r.combine == Combine::Single && values.len() > 1 {
                return Err(format!(
                    "{} rows of {} match {} at {t} ms; narrow `where` or set combine = \
                     \"sum\" or \"mean\"",
                    values.len(),
                    self.file,
                    describe(&r.filter)
                ));
            }
            let present: Option<Vec<f64>> = values.iter().copied().collect();
            Ok(present.map(|v| match r.combine {
                Combine::Mean => v.iter().sum::<f64>() / v.len() as f64,
                Combine::Single | Combine::Sum => v.iter().sum(),
            }))
        };
        let at = |t_ms: f64| -> Result<Option<f64>, String> {
            let (t, values) = times
                .iter()
                .rev()
                .find(|(t, _)| *t <= t_ms + SAME_TIME_MS)
                .ok_or_else(|| {
                    format!(
                        "{} has no row at or before {t_ms} ms (its first is at {} ms)",
                        self.file, times[0].0
                    )
                })?;
            combined(values, *t)
        };
        let value = match r.when {
            When::At(t) => at(t)?,
            When::Between {
                from_ms,
                to_ms,
                statistic,
            } => {
                let inside: Vec<f64> = times
                    .iter()
                    .filter(|(t, _)| *t >= from_ms - SAME_TIME_MS && *t <= to_ms + SAME_TIME_MS)
                    .map(|(t, values)| combined(values, *t))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .flatten()
                    .collect();
                if inside.is_empty() {
                    return Err(format!(
                        "{} has no value in [{from_ms}, {to_ms}] ms",
                        self.file
                    ));
                }
                Some(match statistic {
                    Statistic::Max => inside.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    Statistic::Min => inside.iter().copied().fold(f64::INFINITY, f64::min),
                    Statistic::Mean => inside.iter().sum::<f64>() / inside.len() as f64,
                })
            }
        };
        match (value, r.relative_to_ms) {
            (Some(v), Some(t)) => Ok(at(t)?.map(|base| v / base)),
            (v, _) => Ok(v),
        }
    }
}

fn describe(filter: &[(String, String)]) -> String {
    if filter.is_empty() {
        "(no filter)".into()
    } else {
        filter
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn metrics(body: &str) -> Vec<Metric> {
        let text = format!(
            "schema_version = 1\nname = \"t\"\nscenario = \"x\"\n[design]\nkind = \"grid\"\n\
             [[parameters]]\nkey = \"p\"\nvalues = [1]\n{body}"
        );
        crate::Study::parse("t.toml", &text, PathBuf::from("."))
            .unwrap()
            .metrics
    }

    fn run_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("summary.json"),
            r#"{"duration_ms": 3600000, "activity": {"populations": [{"name": "pyr", "rate_hz": 2.5},
                {"name": "pv", "rate_hz": 12.0, "cv_isi": null}]}}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("census.csv"),
            "time_ms,population,compartment,spines\n\
             0,pyr,apical,10\n0,pyr,basal,20\n0,ca1,basal,5\n\
             100,pyr,apical,12\n100,pyr,basal,21\n100,ca1,basal,6\n\
             200,pyr,apical,14\n200,pyr,basal,19\n200,ca1,basal,7\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn summary_paths_select_array_elements_by_name() {
        let dir = run_folder();
        let m = metrics(
            "[[metrics]]\nname = \"a\"\nsummary = \"activity.populations.pv.rate_hz\"\n\
             [[metrics]]\nname = \"b\"\nsummary = \"activity.populations.0.rate_hz\"\n\
             [[metrics]]\nname = \"c\"\nsummary = \"activity.populations.pv.cv_isi\"\n",
        );
        assert_eq!(read(dir.path(), &m).unwrap(), [Some(12.0), Some(2.5), None]);
        let bad =
            metrics("[[metrics]]\nname = \"a\"\nsummary = \"activity.populations.sst.rate_hz\"\n");
        let e = read(dir.path(), &bad).unwrap_err();
        assert!(
            e.contains(
                "metric a: summary.json `activity.populations` has no element `sst`; it has pyr, pv"
            ),
            "{e}"
        );
    }

    #[test]
    fn table_readouts_at_a_time_over_a_window_and_relative() {
        let dir = run_folder();
        let m = metrics(
            "[[metrics]]\nname = \"sum_150\"\ntable = \"census\"\ncolumn = \"spines\"\n\
             at = \"150ms\"\ncombine = \"sum\"\nwhere = { population = \"pyr\" }\n\
             [[metrics]]\nname = \"peak\"\ntable = \"census\"\ncolumn = \"spines\"\n\
             between = [\"0ms\", \"200ms\"]\nstatistic = \"max\"\n\
             where = { population = \"pyr\", compartment = \"basal\" }\n\
             [[metrics]]\nname = \"fold\"\ntable = \"census\"\ncolumn = \"spines\"\n\
             at = \"1h\"\nrelative_to = \"0ms\"\nwhere = { population = \"ca1\" }\n",
        );
        assert_eq!(
            read(dir.path(), &m).unwrap(),
            [Some(33.0), Some(21.0), Some(7.0 / 5.0)]
        );
    }

    #[test]
    fn ambiguous_and_missing_rows_are_explained() {
        let dir = run_folder();
        let m = metrics(
            "[[metrics]]\nname = \"x\"\ntable = \"census\"\ncolumn = \"spines\"\nat = \"1h\"\n\
             where = { population = \"pyr\" }\n",
        );
        let e = read(dir.path(), &m).unwrap_err();
        assert!(e.contains("2 rows of") && e.contains("set combine"), "{e}");
        let m = metrics(
            "[[metrics]]\nname = \"x\"\ntable = \"census\"\ncolumn = \"volume\"\nat = \"1h\"\n",
        );
        let e = read(dir.path(), &m).unwrap_err();
        assert!(
            e.contains("has no column `volume`; it has time_ms, population"),
            "{e}"
        );
        let m = metrics(
            "[[metrics]]\nname = \"x\"\ntable = \"census\"\ncolumn = \"spines\"\nat = \"2h\"\n\
             where = { population = \"ca1\" }\n",
        );
        let e = read(dir.path(), &m).unwrap_err();
        assert!(
            e.contains("the run ends at 3600000 ms, before the readout's 7200000 ms"),
            "{e}"
        );
        let m = metrics(
            "[[metrics]]\nname = \"x\"\ntable = \"signalling\"\ncolumn = \"bdnf\"\nat = \"1h\"\n",
        );
        let e = read(dir.path(), &m).unwrap_err();
        assert!(e.contains("does the scenario record this table?"), "{e}");
    }
}
