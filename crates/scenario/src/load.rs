//! Loading a scenario: read, apply `--set`, parse, resolve cell types, validate.

use std::collections::BTreeMap;
use std::path::Path;

use synaptogen_models::CellType;

use crate::cell_types;
use crate::error::{ScenarioError, ScenarioErrors};
use crate::library;
use crate::locate::{Located, line_at};
use crate::overrides::Override;
use crate::schema::{SCHEMA_VERSION, Scenario};
use crate::validate::validate;

/// A loaded, checked scenario with every cell type resolved to a full definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// Where it came from (a path, or `<built-in NAME>`).
    pub source: String,
    /// The scenario, defaults filled in.
    pub scenario: Scenario,
    /// Every cell type the scenario defines or uses.
    pub cell_types: BTreeMap<String, CellType>,
}

/// Loads the scenario file at `path`.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Resolved, ScenarioErrors> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            _ => e.to_string(),
        };
        ScenarioError::file(&name, format!("cannot read the scenario: {reason}"))
    })?;
    load_str(&name, &text, overrides)
}

/// Loads built-in scenario `name` (see [`library::SCENARIOS`]).
pub fn load_builtin(name: &str, overrides: &[Override]) -> Result<Resolved, ScenarioErrors> {
    let text = library::scenario_text(name).ok_or_else(|| {
        let known: Vec<&str> = library::SCENARIOS.iter().map(|(n, _)| *n).collect();
        ScenarioError::file(
            &format!("<built-in {name}>"),
            "no built-in scenario of that name",
        )
        .with_allowed(known.join(", "))
    })?;
    load_str(&format!("<built-in {name}>"), text, overrides)
}

/// Where errors are placed: the text as written and the overrides applied to it.
struct Context<'a> {
    file: &'a str,
    written: Option<Located>,
    overrides: &'a [Override],
}

impl Context<'_> {
    /// Adds the line (if the key is written in the file) or the override it came from.
    fn place(&self, mut e: ScenarioError) -> ScenarioError {
        e.file = self.file.to_owned();
        let Some(key) = e.key.clone() else { return e };
        if let Some(o) = self.overrides.iter().rev().find(|o| o.touches(&key)) {
            e.origin = Some(format!("--set {o}"));
            return e;
        }
        // The deepest part of the key path that is written in the file gives the line.
        let segments: Vec<&str> = key.split('.').collect();
        for depth in (1..=segments.len()).rev() {
            let prefix = segments[..depth].join(".");
            if let Some(line) = self.written.as_ref().and_then(|w| w.line_of(&prefix)) {
                e.line = Some(line);
                if depth < segments.len() && e.origin.is_none() && prefix.starts_with("cell_types.")
                {
                    e.origin = Some("the built-in cell type it extends".to_owned());
                }
                return e;
            }
        }
        if key.starts_with("cell_types.") {
            e.origin = Some("a built-in cell type".to_owned());
        }
        e
    }
}

/// Most built-in scenarios an `extends` chain may pass through.
const MAX_EXTENDS_DEPTH: usize = 8;

/// Replaces each `[pharmacology.drugs.NAME]` table that names a shipped drug by the shipped
/// drug's table with it laid over.
fn lay_drugs_over_library(table: &mut toml::Table) {
    let Some(toml::Value::Table(drugs)) = table
        .get_mut("pharmacology")
        .and_then(|p| p.as_table_mut())
        .and_then(|p| p.get_mut("drugs"))
    else {
        return;
    };
    for (name, value) in drugs.iter_mut() {
        let (Some(text), toml::Value::Table(own)) = (crate::library::drug_text(name), value) else {
            continue;
        };
        let mut shipped: toml::Table = toml::from_str(text).expect("shipped drugs parse (tested)");
        merge_tables(&mut shipped, std::mem::take(own));
        *own = shipped;
    }
}

/// Lays `over` onto `base`: tables merge key by key, any other value replaces.
fn merge_tables(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Loads a scenario from `text`; `file` names it in errors.
pub fn load_str(
    file: &str,
    text: &str,
    overrides: &[Override],
) -> Result<Resolved, ScenarioErrors> {
    // 1. Syntax.
    let mut table: toml::Table = toml::from_str(text).map_err(|e| {
        let mut err = ScenarioError::file(file, format!("not valid TOML: {}", e.message().trim()));
        err.line = e.span().map(|s| line_at(text, s.start));
        err
    })?;
    let ctx = Context {
        file,
        written: Located::parse(text),
        overrides,
    };
    if table.is_empty() && overrides.is_empty() {
        return Err(ScenarioError::file(
            file,
            "the scenario is empty: it needs at least `schema_version`, `[simulation]` and `[populations]`",
        )
        .into());
    }

    // 1b. `extends = "<built-in scenario>"`: this file's keys laid over that scenario's
    //     (which may extend another in turn).
    let mut extended = false;
    for _ in 0..MAX_EXTENDS_DEPTH {
        match table.remove("extends") {
            None => break,
            Some(toml::Value::String(base)) => {
                let Some(base_text) = crate::library::scenario_text(&base) else {
                    let names: Vec<&str> =
                        crate::library::SCENARIOS.iter().map(|(n, _)| *n).collect();
                    return Err(ScenarioError::key(
                        file,
                        "extends".to_owned(),
                        format!(
                            "unknown built-in scenario \"{base}\"; allowed: {}",
                            names.join(", ")
                        ),
                    )
                    .into());
                };
                let mut merged: toml::Table =
                    toml::from_str(base_text).expect("built-in scenarios parse (tested)");
                merge_tables(&mut merged, std::mem::take(&mut table));
                table = merged;
                extended = true;
            }
            Some(other) => {
                return Err(ScenarioError::key(
                    file,
                    "extends".to_owned(),
                    format!("expected the name of a built-in scenario, found {other}"),
                )
                .into());
            }
        }
    }
    if table.contains_key("extends") {
        return Err(ScenarioError::key(
            file,
            "extends".to_owned(),
            format!("more than {MAX_EXTENDS_DEPTH} levels of `extends` (a cycle?)"),
        )
        .into());
    }

    // 2. Command-line overrides.
    for o in overrides {
        o.apply(&mut table).map_err(|message| {
            let mut e = ScenarioError::key(file, o.path.clone(), message);
            e.origin = Some(format!("--set {o}"));
            e
        })?;
    }

    // 2b. A drug table for a shipped drug is laid over the shipped one, so a scenario (or a
    //     study's parameter) changes one constant without restating the whole drug.
    lay_drugs_over_library(&mut table);

    // 3. The version decides how to read the rest.
    if let Some(e) = version_error(&table) {
        return Err(ctx.place(e).into());
    }

    // 4. Types and unknown keys. Without overrides the original text is parsed, so the
    //    error span points into it; with overrides the edited table is.
    let edited;
    let parsed_text = if overrides.is_empty() && !extended {
        text
    } else {
        edited = toml::to_string(&table)
            .map_err(|e| ScenarioError::file(file, format!("cannot apply --set: {e}")))?;
        &edited
    };
    let scenario: Scenario = toml::from_str(parsed_text).map_err(|e| {
        let located = Located::parse(parsed_text);
        let key = e
            .span()
            .and_then(|span| located.as_ref().and_then(|l| l.path_at(span.start)));
        let message = e.message().trim().replace('\n', " ");
        let error = match key {
            Some(key) => ScenarioError::key(file, key, message),
            None => ScenarioError::file(file, message),
        };
        ctx.place(error)
    })?;

    // 5. Cell types: everything defined here, and everything used.
    let mut cell_types = BTreeMap::new();
    let mut errors = Vec::new();
    let wanted = scenario.cell_types.keys().map(|n| (n.clone(), None)).chain(
        scenario
            .populations
            .iter()
            .map(|(p, spec)| (spec.cell_type.clone(), Some(p.clone()))),
    );
    let mut tried = std::collections::BTreeSet::new();
    for (name, used_by) in wanted {
        if !tried.insert(name.clone()) {
            continue;
        }
        match cell_types::resolve(&name, &scenario.cell_types) {
            Ok(cell) => {
                cell_types.insert(name, cell);
            }
            Err(e) => {
                // An unknown type named by a population is that population's error.
                let key = match (
                    &used_by,
                    e.message.starts_with("unknown cell type")
                        && !scenario.cell_types.contains_key(&name),
                ) {
                    (Some(p), true) => format!("populations.{p}.cell_type"),
                    _ => e.key,
                };
                let mut err =
                    ScenarioError::key(file, key, e.message).with_value(format!("\"{name}\""));
                err.allowed = e.allowed;
                errors.push(ctx.place(err));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }

    // 6. Ranges and references.
    let errors: Vec<ScenarioError> = validate(file, &scenario, &cell_types)
        .into_iter()
        .map(|e| ctx.place(e))
        .collect();
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    Ok(Resolved {
        source: file.to_owned(),
        scenario,
        cell_types,
    })
}

/// What is wrong with `schema_version`, if anything.
fn version_error(table: &toml::Table) -> Option<ScenarioError> {
    let allowed = format!(
        "{SCHEMA_VERSION} (this is synaptogen {})",
        env!("CARGO_PKG_VERSION")
    );
    match table.get("schema_version") {
        None => Some(
            ScenarioError::key(
                "",
                "schema_version",
                "missing; every scenario starts with `schema_version = 1`",
            )
            .with_allowed(allowed),
        ),
        Some(toml::Value::Integer(v)) if *v == i64::from(SCHEMA_VERSION) => None,
        Some(v) => Some(
            ScenarioError::key("", "schema_version", "unsupported scenario format version")
                .with_value(v)
                .with_allowed(allowed),
        ),
    }
}

impl Resolved {
    /// The resolved scenario as TOML: every default filled in and every cell type written
    /// out in full, so the file alone reproduces the run.
    pub fn to_toml(&self) -> String {
        let mut scenario = self.scenario.clone();
        scenario.cell_types = self
            .cell_types
            .iter()
            .map(|(name, cell)| {
                (
                    name.clone(),
                    toml::Table::try_from(cell).expect("cell types serialise"),
                )
            })
            .collect();
        scenario.recording.spikes = Some(self.recorded_populations());
        let body = toml::to_string(&scenario).expect("scenarios serialise");
        format!(
            "# Resolved scenario written by synaptogen {}: all defaults filled in, all cell types in\n# full. `synaptogen run` on this file reproduces the run.\n\n{body}",
            env!("CARGO_PKG_VERSION")
        )
    }

    /// Populations whose spikes are recorded.
    pub fn recorded_populations(&self) -> Vec<String> {
        self.scenario
            .recording
            .spikes
            .clone()
            .unwrap_or_else(|| self.scenario.populations.keys().cloned().collect())
    }

    /// The cell type of population `name`.
    pub fn cell_type_of(&self, population: &str) -> &CellType {
        &self.cell_types[&self.scenario.populations[population].cell_type]
    }

    /// The cell type of `population` as the network uses it: the library type with the
    /// pharmacology's mechanism switches applied (a common NMDA/AMPA ratio; one Mg²⁺
    /// sensitivity for every GluN2 class when subunit selectivity is off).
    pub fn effective_cell_type(&self, population: &str) -> CellType {
        let mut cell = self.cell_type_of(population).clone();
        if let Some(p) = &self.scenario.pharmacology {
            let nmda = &mut cell.receptors.nmda;
            if let Some(ratio) = p.mechanisms.uniform_nmda_ampa_ratio {
                nmda.nmda_ampa_ratio = ratio;
            }
            if !p.mechanisms.subunit_selectivity {
                for s in [&mut nmda.glun2a, &mut nmda.glun2b, &mut nmda.glun2cd] {
                    s.mg_k_scale = 1.0;
                }
            }
        }
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One constant of a shipped drug changes without restating the drug: the rest of the
    /// table comes from `assets/drugs/ketamine.toml`.
    #[test]
    fn a_partial_drug_table_is_laid_over_the_shipped_drug() {
        let set = Override::parse("pharmacology.drugs.ketamine.pk.human.k10_per_min=0.02").unwrap();
        let resolved = load_builtin("ketamine_human_infusion", &[set]).unwrap();
        let table: toml::Table = toml::from_str(&resolved.to_toml()).unwrap();
        let human = &table["pharmacology"]["drugs"]["ketamine"]["pk"]["human"];
        assert_eq!(human["k10_per_min"].as_float(), Some(0.02));
        assert_eq!(human["v1_l_per_kg"].as_float(), Some(1.7522));
        let typo = Override::parse("pharmacology.drugs.ketamine.pk.human.k10=0.02").unwrap();
        let error = load_builtin("ketamine_human_infusion", &[typo])
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `k10`"), "{error}");
    }
}
