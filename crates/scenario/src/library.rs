//! What ships inside the binary: the cell-type library and the ready scenarios, so that
//! `synaptogen run` works from any directory.

/// Built-in cell types: name and TOML text (`assets/cell_types/NAME.toml`).
pub const CELL_TYPES: &[(&str, &str)] = &[
    (
        "ca1_pyramidal",
        include_str!("../../../assets/cell_types/ca1_pyramidal.toml"),
    ),
    (
        "ca3_pyramidal",
        include_str!("../../../assets/cell_types/ca3_pyramidal.toml"),
    ),
    (
        "coba_exc",
        include_str!("../../../assets/cell_types/coba_exc.toml"),
    ),
    (
        "coba_inh",
        include_str!("../../../assets/cell_types/coba_inh.toml"),
    ),
    (
        "hpc_pv_basket",
        include_str!("../../../assets/cell_types/hpc_pv_basket.toml"),
    ),
    (
        "pfc_l5_pyramidal",
        include_str!("../../../assets/cell_types/pfc_l5_pyramidal.toml"),
    ),
    (
        "pfc_pv_basket",
        include_str!("../../../assets/cell_types/pfc_pv_basket.toml"),
    ),
    (
        "pfc_sst",
        include_str!("../../../assets/cell_types/pfc_sst.toml"),
    ),
];

/// Built-in scenarios: name and TOML text (`assets/scenarios/NAME.toml`).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("coba", include_str!("../../../assets/scenarios/coba.toml")),
    (
        "pfc_baseline",
        include_str!("../../../assets/scenarios/pfc_baseline.toml"),
    ),
];

/// The scenario `synaptogen run` uses when given none.
pub const DEFAULT_SCENARIO: &str = "pfc_baseline";

/// The TOML text of built-in cell type `name`.
pub fn cell_type_text(name: &str) -> Option<&'static str> {
    CELL_TYPES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The TOML text of built-in scenario `name`.
pub fn scenario_text(name: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of the built-in cell types.
pub fn cell_type_names() -> impl Iterator<Item = &'static str> {
    CELL_TYPES.iter().map(|(n, _)| *n)
}
