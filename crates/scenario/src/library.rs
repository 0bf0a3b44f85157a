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

/// Shipped drugs: name and TOML text (`assets/drugs/NAME.toml`).
pub const DRUGS: &[(&str, &str)] = &[
    ("d_ap5", include_str!("../../../assets/drugs/d_ap5.toml")),
    (
        "arketamine",
        include_str!("../../../assets/drugs/arketamine.toml"),
    ),
    (
        "esketamine",
        include_str!("../../../assets/drugs/esketamine.toml"),
    ),
    (
        "ketamine",
        include_str!("../../../assets/drugs/ketamine.toml"),
    ),
    (
        "memantine",
        include_str!("../../../assets/drugs/memantine.toml"),
    ),
    ("mk801", include_str!("../../../assets/drugs/mk801.toml")),
    (
        "norketamine",
        include_str!("../../../assets/drugs/norketamine.toml"),
    ),
    (
        "rapamycin",
        include_str!("../../../assets/drugs/rapamycin.toml"),
    ),
    (
        "ro25_6981",
        include_str!("../../../assets/drugs/ro25_6981.toml"),
    ),
];

/// Built-in scenarios: name and TOML text (`assets/scenarios/NAME.toml`).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("coba", include_str!("../../../assets/scenarios/coba.toml")),
    (
        "cus_21d",
        include_str!("../../../assets/scenarios/cus_21d.toml"),
    ),
    (
        "cus_then_ketamine",
        include_str!("../../../assets/scenarios/cus_then_ketamine.toml"),
    ),
    (
        "ketamine_human_infusion",
        include_str!("../../../assets/scenarios/ketamine_human_infusion.toml"),
    ),
    (
        "ketamine_rat_10mgkg",
        include_str!("../../../assets/scenarios/ketamine_rat_10mgkg.toml"),
    ),
    (
        "mk801_rat",
        include_str!("../../../assets/scenarios/mk801_rat.toml"),
    ),
    (
        "pfc_baseline",
        include_str!("../../../assets/scenarios/pfc_baseline.toml"),
    ),
    (
        "rapamycin_then_ketamine",
        include_str!("../../../assets/scenarios/rapamycin_then_ketamine.toml"),
    ),
    (
        "ro25_rat",
        include_str!("../../../assets/scenarios/ro25_rat.toml"),
    ),
    (
        "spine_turnover",
        include_str!("../../../assets/scenarios/validation/spine_turnover.toml"),
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

/// The TOML text of shipped drug `name`.
pub fn drug_text(name: &str) -> Option<&'static str> {
    DRUGS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of the built-in cell types.
pub fn cell_type_names() -> impl Iterator<Item = &'static str> {
    CELL_TYPES.iter().map(|(n, _)| *n)
}
