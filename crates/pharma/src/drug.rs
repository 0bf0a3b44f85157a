//! A drug is data: its molar mass, its pharmacokinetics per species and route, and what it
//! does (open-channel NMDA block, allosteric GluN2B inhibition, mTORC1 inhibition). Adding a
//! drug means adding a TOML file under `assets/drugs/`, never new code.
//!
//! Pharmacokinetics are written per kilogram of body mass so that one parameter set serves
//! animals of any size within a species; the scenario supplies the body mass (or takes
//! [`Species::default_body_mass_kg`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::block::{AllostericBlock, ChannelBlock};
use crate::validate::{Checker, Violation};

/// The species a scenario simulates; selects the PK parameter set of every drug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Species {
    /// *Homo sapiens*.
    Human,
    /// *Rattus norvegicus* (Sprague-Dawley / Wistar adult male, the strains of the ketamine
    /// and rapamycin papers).
    Rat,
    /// *Mus musculus* (adult C57BL/6 male).
    Mouse,
}

impl Species {
    /// Every species, in a fixed order.
    pub const ALL: [Species; 3] = [Species::Human, Species::Rat, Species::Mouse];

    /// The name used in TOML files and messages.
    pub fn name(self) -> &'static str {
        match self {
            Species::Human => "human",
            Species::Rat => "rat",
            Species::Mouse => "mouse",
        }
    }

    /// Body mass used when a scenario does not give one, kg.
    ///
    /// Human 70 kg is the ICRP reference man (ICRP Publication 23, 1975) and the mass of the
    /// TARGETS.md P-01/P-04 infusion. Rat 0.3 kg and mouse 0.025 kg are laboratory
    /// conventions for adult males (Sprague-Dawley 250–350 g; C57BL/6 22–28 g), not
    /// measurements from one paper.
    pub fn default_body_mass_kg(self) -> f64 {
        match self {
            Species::Human => 70.0,
            Species::Rat => 0.3,
            Species::Mouse => 0.025,
        }
    }

    /// Brain mass, kg, used as the distribution volume of an intracerebroventricular dose
    /// (1 kg of brain ≈ 1 L, density ≈ 1.04 g/mL ignored).
    ///
    /// Davies & Morris 1993 (Pharm Res 10:1093, physiological parameters table) list brain
    /// masses of ≈ 1.8 g for a 250 g rat, ≈ 0.36 g for a 20 g mouse and ≈ 1.4 kg for a 70 kg
    /// human; we use 2 g (300 g rat), 0.4 g (25 g mouse) and 1.4 kg. Brain mass scales
    /// weakly with body mass within a species, so it is not rescaled with the scenario's
    /// body mass.
    pub fn brain_mass_kg(self) -> f64 {
        match self {
            Species::Human => 1.4,
            Species::Rat => 0.002,
            Species::Mouse => 0.0004,
        }
    }
}

impl std::fmt::Display for Species {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a dose is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Intravenous bolus: the whole amount enters the central compartment at once.
    IvBolus,
    /// Intravenous infusion at a constant rate over the dose's duration.
    IvInfusion,
    /// Intraperitoneal injection: a depot absorbed first-order (`ka_per_min`); the part lost
    /// to first-pass hepatic extraction is folded into `bioavailability`.
    Intraperitoneal,
    /// By mouth: a gut depot absorbed first-order.
    Oral,
    /// Intranasal: a nasal depot absorbed first-order into plasma (direct nose-to-brain
    /// transport is not modelled).
    Intranasal,
    /// Intracerebroventricular: the amount goes straight into the brain (spread over the
    /// brain volume of [`Species::brain_mass_kg`]) and leaves it into plasma first-order
    /// with `ka_per_min`.
    Intracerebroventricular,
}

impl Route {
    /// Every route, in a fixed order.
    pub const ALL: [Route; 6] = [
        Route::IvBolus,
        Route::IvInfusion,
        Route::Intraperitoneal,
        Route::Oral,
        Route::Intranasal,
        Route::Intracerebroventricular,
    ];

    /// The name used in TOML files and messages.
    pub fn name(self) -> &'static str {
        match self {
            Route::IvBolus => "iv_bolus",
            Route::IvInfusion => "iv_infusion",
            Route::Intraperitoneal => "intraperitoneal",
            Route::Oral => "oral",
            Route::Intranasal => "intranasal",
            Route::Intracerebroventricular => "intracerebroventricular",
        }
    }

    /// Whether the route puts drug into a site it must then leave first-order, so that
    /// `ka_per_min` is required (i.p., oral, intranasal, i.c.v.). Intravenous routes enter
    /// plasma directly and take no rate.
    pub fn needs_rate(self) -> bool {
        !matches!(self, Route::IvBolus | Route::IvInfusion)
    }
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn one() -> f64 {
    1.0
}

/// Absorption of one route. A route that is absent from [`PkParams::routes`] is not allowed
/// for that drug and species (there are no data to support it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Absorption {
    /// Fraction of the dose that reaches the site the model follows (plasma, or the brain
    /// for i.c.v.), 0–1; the rest is lost before it (first-pass extraction, incomplete
    /// absorption). Defaults to 1.
    #[serde(default = "one")]
    pub bioavailability: f64,
    /// First-order rate out of the administration site, 1/min: depot → plasma for i.p.,
    /// oral and intranasal; brain → plasma for i.c.v. Required for those routes, absent for
    /// intravenous ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ka_per_min: Option<f64>,
}

/// Two-compartment mammillary PK with a brain effect compartment, per kg of body mass.
///
/// A drug with no distribution phase sets `k12_per_min = k21_per_min = 0` (one
/// compartment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PkParams {
    /// Volume of the central compartment, L/kg.
    pub v1_l_per_kg: f64,
    /// Elimination rate constant from the central compartment, 1/min.
    pub k10_per_min: f64,
    /// Central → peripheral transfer rate constant, 1/min.
    pub k12_per_min: f64,
    /// Peripheral → central transfer rate constant, 1/min.
    pub k21_per_min: f64,
    /// Allowed routes and their absorption.
    pub routes: BTreeMap<Route, Absorption>,
    /// Fraction of the plasma concentration not bound to plasma proteins, 0–1.
    pub fraction_unbound_plasma: f64,
    /// Plasma → brain equilibration rate constant of the effect compartment, 1/min:
    /// `dCe/dt = ke0·(Kp,uu·fu·Cp − Ce)`.
    pub ke0_per_min: f64,
    /// Total brain tissue : total plasma concentration at equilibrium (a readout; it does
    /// not change the free brain concentration). Rat ketamine ≈ 6.5 (Cohen 1973, P-11).
    pub brain_plasma_ratio: f64,
    /// Unbound brain : unbound plasma concentration at equilibrium, Kp,uu. 1 for passive
    /// diffusion across the blood-brain barrier (the default); below 1 for drugs pumped out
    /// by efflux transporters (rapamycin is a P-glycoprotein substrate).
    #[serde(default = "one")]
    pub unbound_brain_plasma_ratio: f64,
}

impl PkParams {
    /// Terminal (β) rate constant of the two-compartment disposition, 1/min: the smaller
    /// eigenvalue of the transfer matrix.
    pub fn terminal_rate_per_min(&self) -> f64 {
        let (a, b) = self.disposition_rates_per_min();
        a.min(b)
    }

    /// Both disposition rate constants (α, β), 1/min, with α ≥ β.
    pub fn disposition_rates_per_min(&self) -> (f64, f64) {
        let sum = self.k10_per_min + self.k12_per_min + self.k21_per_min;
        let product = self.k10_per_min * self.k21_per_min;
        let disc = (sum * sum - 4.0 * product).max(0.0).sqrt();
        let alpha = 0.5 * (sum + disc);
        // β = product/α avoids cancellation when β ≪ α; for a one-compartment drug
        // (k12 = k21 = 0) the product is 0 and β is k10 itself.
        let beta = if self.k12_per_min == 0.0 && self.k21_per_min == 0.0 {
            self.k10_per_min
        } else if alpha > 0.0 {
            product / alpha
        } else {
            0.0
        };
        (alpha.max(beta), beta.min(alpha))
    }

    /// Terminal half-life, min.
    pub fn terminal_half_life_min(&self) -> f64 {
        std::f64::consts::LN_2 / self.terminal_rate_per_min()
    }

    /// Every parameter outside its allowed range.
    pub fn check(&self, c: &mut Checker<'_>) {
        c.positive("v1_l_per_kg", self.v1_l_per_kg);
        c.positive("k10_per_min", self.k10_per_min);
        c.non_negative("k12_per_min", self.k12_per_min);
        c.non_negative("k21_per_min", self.k21_per_min);
        if self.k12_per_min > 0.0 && self.k21_per_min <= 0.0 {
            c.fail(
                "k21_per_min",
                self.k21_per_min,
                "a number > 0 when k12_per_min > 0 (otherwise drug is trapped peripherally)",
            );
        }
        c.within(
            "fraction_unbound_plasma",
            self.fraction_unbound_plasma,
            f64::MIN_POSITIVE,
            1.0,
        );
        c.positive("ke0_per_min", self.ke0_per_min);
        c.positive("brain_plasma_ratio", self.brain_plasma_ratio);
        c.positive(
            "unbound_brain_plasma_ratio",
            self.unbound_brain_plasma_ratio,
        );
        if self.routes.is_empty() {
            c.fail("routes", "{}", "at least one route");
        }
        let mut r = c.nested("routes");
        for (route, abs) in &self.routes {
            let mut a = r.nested(route.name());
            a.within("bioavailability", abs.bioavailability, 0.0, 1.0);
            match (route.needs_rate(), abs.ka_per_min) {
                (true, Some(ka)) => a.positive("ka_per_min", ka),
                (true, None) => a.fail(
                    "ka_per_min",
                    "(missing)",
                    "a finite number > 0 (required for this route)",
                ),
                (false, Some(ka)) => a.fail(
                    "ka_per_min",
                    ka,
                    "nothing: intravenous routes enter plasma directly",
                ),
                (false, None) => {}
            }
        }
    }
}

/// Inhibition of mTORC1 (rapamycin via FKBP12): the inhibited fraction is `C/(C + IC50)` at
/// the free brain concentration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mtorc1Inhibition {
    /// Free concentration inhibiting half of mTORC1 activity, nM.
    pub ic50_nm: f64,
}

impl Mtorc1Inhibition {
    /// Fraction of mTORC1 activity inhibited at free concentration `conc_um` (µM); 0 for
    /// a non-positive or non-finite concentration.
    pub fn fraction_inhibited(&self, conc_um: f64) -> f64 {
        let c_nm = conc_um * 1000.0;
        if c_nm.is_finite() && c_nm > 0.0 {
            c_nm / (c_nm + self.ic50_nm)
        } else {
            0.0
        }
    }
}

/// A metabolite formed from the drug's elimination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metabolite {
    /// Name (library key) of the metabolite's own drug entry.
    pub drug: String,
    /// Molar fraction of the parent eliminated from the central compartment that becomes
    /// the metabolite (mol formed per mol eliminated), 0–1. In mass, the metabolite formed
    /// is this fraction × the parent mass eliminated × M(metabolite)/M(parent).
    pub fraction_formed: f64,
}

/// One drug: identity, PK per species, and its actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drug {
    /// What the drug is, in one or two sentences.
    pub description: String,
    /// Where the numbers come from (author year journal volume:page), one entry each.
    pub sources: Vec<String>,
    /// Molar mass of the free base, g/mol. Doses are taken as mass of this form.
    pub molar_mass_g_per_mol: f64,
    /// Pharmacokinetics per species; a missing species is an error when the drug is used.
    #[serde(default)]
    pub pk: BTreeMap<Species, PkParams>,
    /// Open-channel NMDA receptor block (ketamine, MK-801, memantine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_block: Option<ChannelBlock>,
    /// Use-independent subunit-selective inhibition (Ro 25-6981 at GluN2B).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allosteric_block: Option<AllostericBlock>,
    /// mTORC1 inhibition (rapamycin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtorc1_inhibition: Option<Mtorc1Inhibition>,
    /// Metabolite formed from this drug's elimination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metabolite: Option<Metabolite>,
}

impl Drug {
    /// The PK parameters for `species`, if the drug has them.
    pub fn pk_for(&self, species: Species) -> Option<&PkParams> {
        self.pk.get(&species)
    }

    /// Every parameter outside its allowed range, with its key path relative to the drug's
    /// table (e.g. `pk.rat.routes.oral.ka_per_min`).
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        if self.sources.is_empty() {
            c.fail("sources", "[]", "at least one source");
        }
        c.positive("molar_mass_g_per_mol", self.molar_mass_g_per_mol);
        {
            let mut p = c.nested("pk");
            for (species, pk) in &self.pk {
                pk.check(&mut p.nested(species.name()));
            }
        }
        if let Some(m) = &self.mtorc1_inhibition {
            c.nested("mtorc1_inhibition").positive("ic50_nm", m.ic50_nm);
        }
        if let Some(m) = &self.metabolite {
            let mut mc = c.nested("metabolite");
            mc.within("fraction_formed", m.fraction_formed, 0.0, 1.0);
            if m.drug.trim().is_empty() {
                mc.fail("drug", "\"\"", "the name of another drug");
            }
        }
        if let Some(b) = &self.channel_block {
            let mut bc = c.nested("channel_block");
            for (key, value, allowed) in b.violations() {
                bc.fail(&key, value, allowed);
            }
        }
        if let Some(b) = &self.allosteric_block {
            let mut bc = c.nested("allosteric_block");
            for (key, value, allowed) in b.violations() {
                bc.fail(&key, value, allowed);
            }
        }
        out
    }
}

/// The shipped drug files, for the crate's tests.
#[cfg(test)]
pub(crate) const SHIPPED: [(&str, &str); 9] = [
    (
        "ketamine",
        include_str!("../../../assets/drugs/ketamine.toml"),
    ),
    (
        "esketamine",
        include_str!("../../../assets/drugs/esketamine.toml"),
    ),
    (
        "arketamine",
        include_str!("../../../assets/drugs/arketamine.toml"),
    ),
    (
        "norketamine",
        include_str!("../../../assets/drugs/norketamine.toml"),
    ),
    ("mk801", include_str!("../../../assets/drugs/mk801.toml")),
    (
        "memantine",
        include_str!("../../../assets/drugs/memantine.toml"),
    ),
    (
        "ro25_6981",
        include_str!("../../../assets/drugs/ro25_6981.toml"),
    ),
    (
        "rapamycin",
        include_str!("../../../assets/drugs/rapamycin.toml"),
    ),
    ("d_ap5", include_str!("../../../assets/drugs/d_ap5.toml")),
];

#[cfg(test)]
mod tests {
    use super::*;

    const ASSETS: [(&str, &str); 9] = SHIPPED;

    #[test]
    fn every_asset_parses_and_is_valid() {
        for (name, text) in ASSETS {
            let drug: Drug = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let v = drug.violations();
            assert!(v.is_empty(), "{name}: {v:?}");
            // Slice tool compounds are bath-applied only.
            assert!(!drug.pk.is_empty() || name == "d_ap5", "{name} has no PK");
            if let Some(m) = &drug.metabolite {
                assert!(
                    ASSETS.iter().any(|(n, _)| *n == m.drug),
                    "{name}: metabolite {} has no asset",
                    m.drug
                );
            }
        }
    }

    #[test]
    fn ketamine_molar_mass_matches_biology_md() {
        // BIOLOGY.md: 1 µM = 237.7 ng/mL.
        let k: Drug = toml::from_str(ASSETS[0].1).unwrap();
        assert!((k.molar_mass_g_per_mol - 237.7).abs() < 0.1);
    }

    #[test]
    fn clements_constants_are_the_human_ketamine_pk() {
        // checks P-04 (the parameter values themselves)
        let k: Drug = toml::from_str(ASSETS[0].1).unwrap();
        let h = k.pk_for(Species::Human).unwrap();
        assert_eq!(h.v1_l_per_kg, 1.7522);
        assert_eq!(h.k10_per_min, 0.0109);
        assert_eq!(h.k12_per_min, 0.0186);
        assert_eq!(h.k21_per_min, 0.0137);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = format!("{}\nunknown_key = 1\n", ASSETS[0].1);
        // Appending after a sub-table puts the key in that table; either way it is unknown.
        assert!(toml::from_str::<Drug>(&text).is_err());
        let bad_route = r#"
            description = "x"
            sources = ["y"]
            molar_mass_g_per_mol = 100.0
            [pk.rat]
            v1_l_per_kg = 1.0
            k10_per_min = 0.1
            k12_per_min = 0.0
            k21_per_min = 0.0
            fraction_unbound_plasma = 0.5
            ke0_per_min = 1.0
            brain_plasma_ratio = 1.0
            [pk.rat.routes.subcutaneous]
            bioavailability = 1.0
        "#;
        assert!(toml::from_str::<Drug>(bad_route).is_err());
    }

    #[test]
    fn violations_name_the_key_path() {
        let mut k: Drug = toml::from_str(ASSETS[0].1).unwrap();
        let rat = k.pk.get_mut(&Species::Rat).unwrap();
        rat.k10_per_min = -1.0;
        rat.routes
            .get_mut(&Route::Intraperitoneal)
            .unwrap()
            .ka_per_min = None;
        rat.routes.get_mut(&Route::IvBolus).unwrap().bioavailability = 1.5;
        let v = k.violations();
        let keys: Vec<&str> = v.iter().map(|x| x.key.as_str()).collect();
        assert!(keys.contains(&"pk.rat.k10_per_min"), "{keys:?}");
        assert!(
            keys.contains(&"pk.rat.routes.intraperitoneal.ka_per_min"),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"pk.rat.routes.iv_bolus.bioavailability"),
            "{keys:?}"
        );
    }

    #[test]
    fn mtorc1_inhibition_is_half_at_ic50() {
        let m = Mtorc1Inhibition { ic50_nm: 0.2 };
        assert!((m.fraction_inhibited(0.0002) - 0.5).abs() < 1e-12);
        assert_eq!(m.fraction_inhibited(-1.0), 0.0);
        assert_eq!(m.fraction_inhibited(f64::NAN), 0.0);
    }

    #[test]
    fn default_masses_are_the_stated_conventions() {
        assert_eq!(Species::Human.default_body_mass_kg(), 70.0);
        assert_eq!(Species::Rat.default_body_mass_kg(), 0.3);
        assert_eq!(Species::Mouse.default_body_mass_kg(), 0.025);
        assert_eq!(Species::Rat.brain_mass_kg(), 0.002);
    }
}
