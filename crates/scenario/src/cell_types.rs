//! Resolution of cell types: the scenario's `[cell_types]` over the built-in library.

use std::collections::BTreeMap;
use toml::{Table, Value};

use synaptogen_models::CellType;

use crate::library;

/// Why a cell type could not be resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct CellTypeError {
    /// Key path of the problem, e.g. `cell_types.my_pyr.extends`.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// What is allowed, if it can be said.
    pub allowed: Option<String>,
}

/// Resolves `name` to a full definition: a `[cell_types.NAME]` table of the scenario,
/// merged over the type it `extends`, or a built-in type. A scenario table named like a
/// built-in type adjusts that type in place: it extends it implicitly (so
/// `--set cell_types.coba_exc.membrane.t_ref_ms=2` changes one value). To replace a built-in
/// type wholesale, give the new type its own name.
pub fn resolve(name: &str, user: &BTreeMap<String, Table>) -> Result<CellType, CellTypeError> {
    let table = resolve_table(name, user, &mut Vec::new(), true)?;
    Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| CellTypeError {
            key: format!("cell_types.{name}"),
            message: e.message().trim().to_owned(),
            allowed: None,
        })
}

/// The merged table of `name`, looked up in the scenario first when `in_scenario`.
/// `chain` holds the types being resolved (scenario or built-in), to detect cycles.
fn resolve_table(
    name: &str,
    user: &BTreeMap<String, Table>,
    chain: &mut Vec<(String, bool)>,
    in_scenario: bool,
) -> Result<Table, CellTypeError> {
    let from_scenario = in_scenario && user.contains_key(name);
    if chain.iter().any(|(n, s)| n == name && *s == from_scenario) {
        let names: Vec<&str> = chain.iter().map(|(n, _)| n.as_str()).collect();
        return Err(CellTypeError {
            key: format!("cell_types.{}.extends", chain[0].0),
            message: format!("`extends` forms a cycle: {} → {name}", names.join(" → ")),
            allowed: None,
        });
    }
    let mut own = if from_scenario {
        user[name].clone()
    } else {
        let text = library::cell_type_text(name).ok_or_else(|| CellTypeError {
            key: chain.last().map_or_else(
                || format!("cell_types.{name}"),
                |(n, _)| format!("cell_types.{n}.extends"),
            ),
            message: format!("unknown cell type `{name}`"),
            allowed: Some(known(user)),
        })?;
        toml::from_str::<Table>(text).map_err(|e| CellTypeError {
            key: format!("cell_types.{name}"),
            message: format!("built-in cell type does not parse: {}", e.message()),
            allowed: None,
        })?
    };
    chain.push((name.to_owned(), from_scenario));
    if from_scenario && !own.contains_key("extends") && library::cell_type_text(name).is_some() {
        own.insert("extends".to_owned(), Value::String(name.to_owned()));
    }
    let merged = match own.remove("extends") {
        None => own,
        Some(Value::String(base)) => {
            // A scenario type may extend the built-in type of its own name; built-in types
            // extend built-in types only.
            let base_in_scenario = from_scenario && base != name;
            let mut merged = resolve_table(&base, user, chain, base_in_scenario)?;
            merge(&mut merged, own);
            merged
        }
        Some(other) => {
            return Err(CellTypeError {
                key: format!("cell_types.{name}.extends"),
                message: format!("`extends` must name a cell type, got {other}"),
                allowed: Some(known(user)),
            });
        }
    };
    chain.pop();
    Ok(merged)
}

/// Deep merge: tables merge key by key, anything else replaces.
fn merge(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

fn known(user: &BTreeMap<String, Table>) -> String {
    let mut names: Vec<String> = library::cell_type_names()
        .map(str::to_owned)
        .chain(user.keys().cloned())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_cell_type_resolves_and_is_valid() {
        for name in library::cell_type_names() {
            let cell = resolve(name, &BTreeMap::new()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(
                cell.violations().is_empty(),
                "{name}: {:?}",
                cell.violations()
            );
            assert!(!cell.sources.is_empty(), "{name} cites its sources");
        }
    }

    #[test]
    fn every_file_in_assets_is_in_the_library() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/cell_types");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let stem = path.file_stem().unwrap().to_str().unwrap();
                assert!(
                    library::cell_type_text(stem).is_some(),
                    "{stem} missing from library::CELL_TYPES"
                );
            }
        }
    }

    #[test]
    fn a_scenario_type_extends_and_overrides() {
        let user: BTreeMap<String, Table> = toml::from_str(
            "[fast_pyr]\nextends = \"pfc_l5_pyramidal\"\nmembrane.tau_w_ms = 50.0\n\n[pfc_l5_pyramidal]\nextends = \"pfc_l5_pyramidal\"\nreceptors.nmda.nmda_ampa_ratio = 0.1\n",
        )
        .unwrap();
        let base = resolve("pfc_l5_pyramidal", &BTreeMap::new()).unwrap();
        let fast = resolve("fast_pyr", &user).unwrap();
        match (&fast.membrane, &base.membrane) {
            (
                synaptogen_models::neuron::Membrane::Adex(f),
                synaptogen_models::neuron::Membrane::Adex(b),
            ) => {
                assert_eq!(f.tau_w_ms, 50.0);
                assert_eq!(f.c_m_pf, b.c_m_pf);
            }
            _ => panic!("AdEx expected"),
        }
        let adjusted = resolve("pfc_l5_pyramidal", &user).unwrap();
        assert_eq!(adjusted.receptors.nmda.nmda_ampa_ratio, 0.1);
        assert_eq!(adjusted.membrane, base.membrane);
    }

    #[test]
    fn a_scenario_table_named_like_a_built_in_adjusts_it() {
        let user: BTreeMap<String, Table> =
            toml::from_str("[coba_exc]\nmembrane.t_ref_ms = 2.0\n").unwrap();
        let adjusted = resolve("coba_exc", &user).unwrap();
        let base = resolve("coba_exc", &BTreeMap::new()).unwrap();
        assert_eq!(adjusted.membrane.t_ref_ms(), 2.0);
        assert_eq!(adjusted.membrane.c_m_pf(), base.membrane.c_m_pf());
        // coba_inh extends coba_exc: it sees the built-in, not the scenario's adjustment.
        assert_eq!(resolve("coba_inh", &user).unwrap().membrane.t_ref_ms(), 5.0);
    }

    #[test]
    fn cycles_and_unknown_bases_are_reported() {
        let user: BTreeMap<String, Table> =
            toml::from_str("[a]\nextends = \"b\"\n[b]\nextends = \"a\"\n[c]\nextends = \"nope\"\n")
                .unwrap();
        assert!(resolve("a", &user).unwrap_err().message.contains("cycle"));
        let e = resolve("c", &user).unwrap_err();
        assert!(e.message.contains("unknown cell type `nope`"));
        assert!(e.allowed.unwrap().contains("pfc_l5_pyramidal"));
    }
}
