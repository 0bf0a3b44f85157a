//! `results.parquet`: the result table in the columnar format pandas, polars, R's arrow,
//! DuckDB and Spark read directly, with typed columns (no guessing from text).
//!
//! Same rows (one per finished run, in run order) and columns as `results.csv`:
//! - `run`, `point`, `replicate`: INT64; `seed`: INT64 annotated unsigned 64-bit (seeds use
//!   the full u64 range);
//! - each parameter: INT64 if every value in the plan is an integer, DOUBLE if every value
//!   is a number, BOOLEAN if every value is a boolean, otherwise a UTF-8 string;
//! - each metric: optional DOUBLE, null where the run has no value (an empty CSV cell);
//! - `status`: UTF-8; `error`: optional UTF-8, null when the run ended ok; `wall_s`: DOUBLE.
//!
//! One row group, uncompressed. The file holds no time stamp, so equal records give equal
//! bytes.

use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::RunRecord;
use crate::plan::Plan;
use crate::spec::Study;

/// The values of one column, every row's, with `None` for a null.
enum Column {
    Int(Vec<i64>),
    /// Seeds: stored as INT64 bit patterns, read back as u64.
    Unsigned(Vec<u64>),
    Float(Vec<f64>),
    OptionalFloat(Vec<Option<f64>>),
    Bool(Vec<bool>),
    Text(Vec<String>),
    OptionalText(Vec<Option<String>>),
}

impl Column {
    /// The column's schema entry.
    fn schema(&self, name: &str) -> Result<Arc<Type>, ParquetError> {
        let (physical, logical, repetition) = match self {
            Self::Int(_) => (Physical::INT64, None, Repetition::REQUIRED),
            Self::Unsigned(_) => (
                Physical::INT64,
                Some(LogicalType::integer(64, false)),
                Repetition::REQUIRED,
            ),
            Self::Float(_) => (Physical::DOUBLE, None, Repetition::REQUIRED),
            Self::OptionalFloat(_) => (Physical::DOUBLE, None, Repetition::OPTIONAL),
            Self::Bool(_) => (Physical::BOOLEAN, None, Repetition::REQUIRED),
            Self::Text(_) => (
                Physical::BYTE_ARRAY,
                Some(LogicalType::String),
                Repetition::REQUIRED,
            ),
            Self::OptionalText(_) => (
                Physical::BYTE_ARRAY,
                Some(LogicalType::String),
                Repetition::OPTIONAL,
            ),
        };
        Ok(Arc::new(
            Type::primitive_type_builder(name, physical)
                .with_logical_type(logical)
                .with_repetition(repetition)
                .build()?,
        ))
    }
}

/// How a parameter's values are stored: the narrowest type every value in the plan fits,
/// so a table written part-way through a study has the schema of the finished one.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Float,
    Bool,
    Text,
}

impl Kind {
    fn of<'a>(mut values: impl Iterator<Item = &'a toml::Value> + Clone) -> Self {
        use toml::Value as V;
        if values.clone().all(|v| matches!(v, V::Integer(_))) {
            Self::Int
        } else if values
            .clone()
            .all(|v| matches!(v, V::Integer(_) | V::Float(_)))
        {
            Self::Float
        } else if values.all(|v| matches!(v, V::Boolean(_))) {
            Self::Bool
        } else {
            Self::Text
        }
    }

    fn column<'a>(self, values: impl Iterator<Item = &'a toml::Value>) -> Column {
        match self {
            Self::Int => Column::Int(values.filter_map(toml::Value::as_integer).collect()),
            Self::Float => Column::Float(
                values
                    .filter_map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                    .collect(),
            ),
            Self::Bool => Column::Bool(values.filter_map(toml::Value::as_bool).collect()),
            Self::Text => Column::Text(values.map(super::cell).collect()),
        }
    }
}

/// Definition levels of an optional column: 1 where a value is present, 0 for a null.
fn levels<T>(values: &[Option<T>]) -> Vec<i16> {
    values.iter().map(|v| i16::from(v.is_some())).collect()
}

/// The Parquet file of the finished runs `records` (any order).
pub fn write(study: &Study, plan: &Plan, records: &[RunRecord]) -> Result<Vec<u8>, ParquetError> {
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| r.run);
    let planned: Vec<_> = sorted.iter().map(|r| plan.runs[r.run]).collect();
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);

    let mut columns: Vec<(String, Column)> = vec![
        (
            "run".into(),
            Column::Int(planned.iter().map(|p| as_i64(p.run)).collect()),
        ),
        (
            "point".into(),
            Column::Int(planned.iter().map(|p| as_i64(p.point)).collect()),
        ),
        (
            "replicate".into(),
            Column::Int(planned.iter().map(|p| i64::from(p.replicate)).collect()),
        ),
        (
            "seed".into(),
            Column::Unsigned(planned.iter().map(|p| p.seed).collect()),
        ),
    ];
    for (i, parameter) in study.parameters.iter().enumerate() {
        let kind = Kind::of(plan.points.iter().map(|p| &p.values[i]));
        let values = planned.iter().map(|p| &plan.points[p.point].values[i]);
        columns.push((parameter.name.clone(), kind.column(values)));
    }
    for (m, metric) in study.metrics.iter().enumerate() {
        columns.push((
            metric.name.clone(),
            Column::OptionalFloat(sorted.iter().map(|r| r.metrics[m]).collect()),
        ));
    }
    columns.push((
        "status".into(),
        Column::Text(
            sorted
                .iter()
                .map(|r| r.status.as_str().to_owned())
                .collect(),
        ),
    ));
    columns.push((
        "error".into(),
        Column::OptionalText(
            sorted
                .iter()
                .map(|r| (!r.error.is_empty()).then(|| r.error.clone()))
                .collect(),
        ),
    ));
    columns.push((
        "wall_s".into(),
        Column::Float(sorted.iter().map(|r| r.wall_s).collect()),
    ));

    let fields = columns
        .iter()
        .map(|(name, column)| column.schema(name))
        .collect::<Result<Vec<_>, _>>()?;
    let schema = Arc::new(
        Type::group_type_builder("results")
            .with_fields(fields)
            .build()?,
    );
    let properties = Arc::new(
        WriterProperties::builder()
            .set_created_by(format!("synaptogen {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let mut file = SerializedFileWriter::new(Vec::new(), schema, properties)?;
    let mut group = file.next_row_group()?;
    for (_, column) in &columns {
        let mut writer = group
            .next_column()?
            .ok_or_else(|| ParquetError::General("fewer columns than the schema".into()))?;
        match column {
            Column::Int(v) => {
                writer.typed::<Int64Type>().write_batch(v, None, None)?;
            }
            Column::Unsigned(v) => {
                // INT64 holds the bit pattern; the unsigned annotation reads it back as u64.
                let bits: Vec<i64> = v.iter().map(|&s| s as i64).collect();
                writer.typed::<Int64Type>().write_batch(&bits, None, None)?;
            }
            Column::Float(v) => {
                writer.typed::<DoubleType>().write_batch(v, None, None)?;
            }
            Column::OptionalFloat(v) => {
                let present: Vec<f64> = v.iter().flatten().copied().collect();
                writer
                    .typed::<DoubleType>()
                    .write_batch(&present, Some(&levels(v)), None)?;
            }
            Column::Bool(v) => {
                writer.typed::<BoolType>().write_batch(v, None, None)?;
            }
            Column::Text(v) => {
                let bytes: Vec<ByteArray> = v.iter().map(|s| s.as_str().into()).collect();
                writer
                    .typed::<ByteArrayType>()
                    .write_batch(&bytes, None, None)?;
            }
            Column::OptionalText(v) => {
                let bytes: Vec<ByteArray> = v.iter().flatten().map(|s| s.as_str().into()).collect();
                writer
                    .typed::<ByteArrayType>()
                    .write_batch(&bytes, Some(&levels(v)), None)?;
            }
        }
        writer.close()?;
    }
    group.close()?;
    file.into_inner()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    use super::*;
    use crate::results::Status;

    #[test]
    fn the_table_reads_back_with_typed_columns_and_nulls() {
        let text = "schema_version = 1\nname = \"t\"\nscenario = \"x\"\n[design]\nkind = \"grid\"\n\
                    [[parameters]]\nkey = \"a\"\nname = \"dose\"\nvalues = [0, 1.5]\n\
                    [[parameters]]\nkey = \"b\"\nname = \"size\"\nvalues = [10, 20]\n\
                    [[parameters]]\nkey = \"c\"\nname = \"rule\"\nvalues = [\"nr2a\"]\n\
                    [[metrics]]\nname = \"m\"\nsummary = \"x\"\n";
        let study = Study::parse("t.toml", text, PathBuf::from(".")).unwrap();
        let plan = Plan::of(&study);
        let ok = RunRecord {
            run: 3,
            status: Status::Ok,
            error: String::new(),
            metrics: vec![Some(31.111111111111114)],
            wall_s: 1.25,
        };
        let failed = RunRecord {
            run: 0,
            status: Status::Failed,
            error: "blew up".into(),
            metrics: vec![None],
            wall_s: 0.5,
        };
        let bytes = write(&study, &plan, &[ok.clone(), failed.clone()]).unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &bytes).unwrap();
        let reader = SerializedFileReader::new(std::fs::File::open(file.path()).unwrap()).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 2);
        let rows: Vec<Vec<(String, Field)>> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| {
                row.unwrap()
                    .get_column_iter()
                    .map(|(n, f)| (n.clone(), f.clone()))
                    .collect()
            })
            .collect();
        let names: Vec<&str> = rows[0].iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "run",
                "point",
                "replicate",
                "seed",
                "dose",
                "size",
                "rule",
                "m",
                "status",
                "error",
                "wall_s"
            ]
        );
        // Rows in run order: the failed run 0 first.
        let first: Vec<&Field> = rows[0].iter().map(|(_, f)| f).collect();
        let second: Vec<&Field> = rows[1].iter().map(|(_, f)| f).collect();
        let planned = plan.runs[3];
        assert_eq!(first[0], &Field::Long(0));
        assert_eq!(first[7], &Field::Null, "no metric: null");
        assert_eq!(first[8], &Field::Str("failed".into()));
        assert_eq!(first[9], &Field::Str("blew up".into()));
        assert_eq!(second[0], &Field::Long(3));
        assert_eq!(second[1], &Field::Long(planned.point as i64));
        assert_eq!(second[3], &Field::ULong(planned.seed), "seeds as unsigned");
        assert_eq!(
            second[4],
            &Field::Double(
                plan.points[planned.point].values[0]
                    .as_float()
                    .unwrap_or(0.0)
            )
        );
        assert!(matches!(second[5], Field::Long(10 | 20)), "{:?}", second[5]);
        assert_eq!(second[6], &Field::Str("nr2a".into()));
        assert_eq!(second[7], &Field::Double(31.111111111111114));
        assert_eq!(second[9], &Field::Null, "no error: null");
        assert_eq!(second[10], &Field::Double(1.25));
        assert_eq!(
            bytes,
            write(&study, &plan, &[failed, ok]).unwrap(),
            "the bytes depend on the records, not on their order"
        );
    }
}
