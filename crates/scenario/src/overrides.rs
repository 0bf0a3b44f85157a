//! `--set key.path=value`: changes to a scenario made on the command line.

use std::fmt;
use toml::{Table, Value};

/// One `KEY.PATH=VALUE` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted key path; array elements by index (`recording.state.0.neurons`).
    pub path: String,
    /// The value as typed.
    pub raw: String,
    value: Value,
}

impl Override {
    /// Parses `KEY.PATH=VALUE`. The value is read as TOML (`3`, `0.5`, `true`, `[1, 2]`,
    /// `{ kind = "fixed_in_degree", k = 10 }`, `"text"`); anything else is taken as a string,
    /// so `--set populations.pyr.cell_type=pfc_sst` needs no quotes.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (path, raw) = spec
            .split_once('=')
            .ok_or_else(|| format!("--set expects KEY.PATH=VALUE, got `{spec}`"))?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(format!(
                "--set `{spec}`: the key path `{path}` has an empty part"
            ));
        }
        let raw = raw.trim();
        let value = toml::from_str::<Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| Value::String(raw.to_owned()));
        Ok(Self {
            path: path.to_owned(),
            raw: raw.to_owned(),
            value,
        })
    }

    /// Applies the override to `root`, creating missing tables on the way.
    pub fn apply(&self, root: &mut Table) -> Result<(), String> {
        let mut wrapped = Value::Table(std::mem::take(root));
        let result = self.apply_to(&mut wrapped);
        if let Value::Table(t) = wrapped {
            *root = t;
        }
        result
    }

    fn apply_to(&self, root: &mut Value) -> Result<(), String> {
        let segments: Vec<&str> = self.path.split('.').collect();
        let (last, parents) = segments.split_last().expect("non-empty path");
        let mut here = root;
        for (depth, segment) in parents.iter().enumerate() {
            here = step(here, segment).ok_or_else(|| self.no_key(&segments[..depth], segment))?;
        }
        match here {
            Value::Table(t) => {
                t.insert((*last).to_owned(), self.value.clone());
                Ok(())
            }
            Value::Array(a) => {
                let slot = last.parse::<usize>().ok().and_then(|i| a.get_mut(i));
                *slot.ok_or_else(|| self.no_key(parents, last))? = self.value.clone();
                Ok(())
            }
            _ => Err(self.no_key(parents, last)),
        }
    }

    fn no_key(&self, parent: &[&str], key: &str) -> String {
        format!(
            "--set {self}: `{}` is not a table (or array) with an entry `{key}`",
            parent.join(".")
        )
    }

    /// True when this override wrote `path`, one of its parents or something inside it.
    pub fn touches(&self, path: &str) -> bool {
        let within = |inner: &str, outer: &str| {
            inner == outer
                || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'.'))
        };
        within(path, &self.path) || within(&self.path, path)
    }
}

/// The child `segment` of `here`, creating a table if a table lacks it.
fn step<'a>(here: &'a mut Value, segment: &str) -> Option<&'a mut Value> {
    match here {
        Value::Table(t) => {
            if !t.contains_key(segment) {
                t.insert(segment.to_owned(), Value::Table(Table::new()));
            }
            t.get_mut(segment)
        }
        Value::Array(a) => segment.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn values_are_read_as_toml_or_else_as_strings() {
        let mut t = table("[a]\nx = 1\n[[s]]\nn = [1]\n");
        for spec in [
            "a.x=2.5",
            "a.y=pfc_sst",
            "a.z=[1, 2]",
            "b.c.d=true",
            "s.0.n=[3]",
            "a.w={ k = 3 }",
        ] {
            Override::parse(spec).unwrap().apply(&mut t).unwrap();
        }
        assert_eq!(t["a"]["x"].as_float(), Some(2.5));
        assert_eq!(t["a"]["y"].as_str(), Some("pfc_sst"));
        assert_eq!(t["a"]["z"].as_array().unwrap().len(), 2);
        assert_eq!(t["b"]["c"]["d"].as_bool(), Some(true));
        assert_eq!(t["s"][0]["n"][0].as_integer(), Some(3));
        assert_eq!(t["a"]["w"]["k"].as_integer(), Some(3));
    }

    #[test]
    fn malformed_overrides_are_refused_with_a_reason() {
        assert!(
            Override::parse("novalue")
                .unwrap_err()
                .contains("KEY.PATH=VALUE")
        );
        assert!(
            Override::parse("a..b=1")
                .unwrap_err()
                .contains("empty part")
        );
        let mut t = table("[a]\nx = 1\n");
        let err = Override::parse("a.x.y=1")
            .unwrap()
            .apply(&mut t)
            .unwrap_err();
        assert!(err.contains("`a.x` is not a table"), "{err}");
    }
}
