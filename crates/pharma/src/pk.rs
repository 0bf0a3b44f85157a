//! Deterministic compartment pharmacokinetics for a whole scenario.
//!
//! Every drug in the scenario (the dosed ones and, transitively, the metabolites they form
//! that the drug library contains) has eight linear states:
//!
//! | state | unit | meaning |
//! |---|---|---|
//! | central `A1` | nmol | plasma and fast tissues, volume `V1` |
//! | peripheral `A2` | nmol | slow tissues |
//! | i.p., oral, intranasal depots | nmol | absorbed first-order into `A1` |
//! | i.c.v. brain depot `B` | nmol | spread over the brain volume, leaves first-order into `A1` |
//! | effect site `Ce` | nM | free brain concentration from plasma |
//! | eliminated | nmol | cumulative `k10·A1`, for the mass balance |
//!
//! with `dCe/dt = ke0·(Kp,uu·fu·A1/V1 − Ce)` (an effect compartment of negligible mass,
//! Sheiner et al. 1979) and a metabolite's central compartment receiving
//! `fraction_formed·k10·A1` of its parent. Amounts are kept in nmol so that metabolite
//! formation is a molar fraction and needs no mass conversion.
//!
//! The system is linear with inputs that are constant between dose events, so each interval
//! between events is solved exactly with a matrix exponential (scaling and squaring of a
//! Taylor series): `x(t+h) = e^{Mh}·x(t) + ∫₀ʰ e^{Ms} ds·u`. Intervals are split at every
//! dose start and infusion end, so the result does not depend on how the caller chops time
//! beyond rounding (checked: 1 s steps vs one 3600 s step agree to 1e-9). Propagators are
//! cached per step length, so the usual once-per-second call costs one matrix-vector
//! product.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::drug::{Drug, PkParams, Route, Species};

/// States per drug.
const N_STATE: usize = 8;
const CENTRAL: usize = 0;
const PERIPHERAL: usize = 1;
const DEPOT_IP: usize = 2;
const DEPOT_ORAL: usize = 3;
const DEPOT_NASAL: usize = 4;
const BRAIN_ICV: usize = 5;
const EFFECT: usize = 6;
const ELIMINATED: usize = 7;

/// Propagators kept for distinct step lengths.
const CACHE_CAPACITY: usize = 8;

/// The state a route puts its dose into.
fn site_state(route: Route) -> usize {
    match route {
        Route::IvBolus | Route::IvInfusion => CENTRAL,
        Route::Intraperitoneal => DEPOT_IP,
        Route::Oral => DEPOT_ORAL,
        Route::Intranasal => DEPOT_NASAL,
        Route::Intracerebroventricular => BRAIN_ICV,
    }
}

/// How much drug a dose gives.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Amount {
    /// Milligrams per kilogram of body mass (the usual rodent and clinical unit).
    MgPerKg(f64),
    /// Milligrams in total.
    Mg(f64),
    /// Nanomoles in total (the unit of i.c.v. doses, e.g. rapamycin 0.2 nmol in Li 2010).
    Nmol(f64),
}

impl Amount {
    /// The amount in nmol for a drug of `molar_mass_g_per_mol` given to `body_mass_kg`.
    pub fn to_nmol(self, molar_mass_g_per_mol: f64, body_mass_kg: f64) -> f64 {
        // 1 mg = 1e6 ng; ng / (g/mol) = nmol.
        match self {
            Amount::MgPerKg(v) => v * body_mass_kg * 1e6 / molar_mass_g_per_mol,
            Amount::Mg(v) => v * 1e6 / molar_mass_g_per_mol,
            Amount::Nmol(v) => v,
        }
    }

    fn raw(self) -> f64 {
        match self {
            Amount::MgPerKg(v) | Amount::Mg(v) | Amount::Nmol(v) => v,
        }
    }
}

/// One administration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    /// Library name of the drug.
    pub drug: String,
    /// How much.
    pub amount: Amount,
    /// How.
    pub route: Route,
    /// When the dose starts, s of model time (≥ 0).
    pub start_s: f64,
    /// Infusion duration, s: 0 for every route except `iv_infusion`, which needs > 0.
    #[serde(default)]
    pub duration_s: f64,
}

/// What can go wrong building or running the PK engine. Each message names the drug,
/// route or species at fault and what would be accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PkError {
    /// A saved state (a checkpoint) holds other drugs than this engine simulates.
    #[error(
        "the saved PK state simulates [{found}], this scenario [{expected}]; both must simulate the same drugs"
    )]
    OtherDrugs {
        /// This engine's drugs, comma-separated.
        expected: String,
        /// The saved state's drugs, comma-separated.
        found: String,
    },
    /// A dose names a drug the library does not have.
    #[error("unknown drug `{drug}`; the drug library has: {known}")]
    UnknownDrug {
        /// The name used.
        drug: String,
        /// Library names, comma-separated.
        known: String,
    },
    /// The drug has no PK for the scenario's species.
    #[error("drug `{drug}` has no pharmacokinetics for species `{species}`; it has: {available}")]
    MissingSpecies {
        /// The drug.
        drug: String,
        /// The scenario's species.
        species: Species,
        /// Species the drug has, comma-separated.
        available: String,
    },
    /// The route is not among the drug's routes for this species.
    #[error(
        "route `{route}` is not allowed for drug `{drug}` in species `{species}`; allowed: {allowed}"
    )]
    RouteNotAllowed {
        /// The drug.
        drug: String,
        /// The route asked for.
        route: Route,
        /// The species.
        species: Species,
        /// Allowed routes, comma-separated.
        allowed: String,
    },
    /// A drug's parameters are out of range.
    #[error("drug `{drug}` has invalid parameters: {violations}")]
    InvalidDrug {
        /// The drug.
        drug: String,
        /// The violations, `key = value (allowed: …)`, semicolon-separated.
        violations: String,
    },
    /// A dose amount is negative or not finite.
    #[error("dose of `{drug}` ({route}) has amount {value}; allowed: a finite number ≥ 0")]
    InvalidAmount {
        /// The drug.
        drug: String,
        /// The route.
        route: Route,
        /// The amount as given.
        value: f64,
    },
    /// A dose start time is negative or not finite.
    #[error("dose of `{drug}` ({route}) starts at {value} s; allowed: a finite time ≥ 0 s")]
    InvalidStart {
        /// The drug.
        drug: String,
        /// The route.
        route: Route,
        /// The start as given.
        value: f64,
    },
    /// An infusion lacks a positive, finite duration.
    #[error(
        "iv_infusion of `{drug}` has duration {value} s; allowed: a finite duration > 0 s (use iv_bolus for an instantaneous dose)"
    )]
    InfusionDuration {
        /// The drug.
        drug: String,
        /// The duration as given.
        value: f64,
    },
    /// A non-infusion route was given a duration.
    #[error(
        "dose of `{drug}` by {route} has duration {value} s; allowed: 0 (only iv_infusion takes a duration)"
    )]
    DurationNotAllowed {
        /// The drug.
        drug: String,
        /// The route.
        route: Route,
        /// The duration as given.
        value: f64,
    },
    /// Body mass not positive or not finite.
    #[error("body mass {value} kg; allowed: a finite number > 0")]
    InvalidBodyMass {
        /// The value given.
        value: f64,
    },
    /// `advance_to` was asked to go back in time or to a non-finite time.
    #[error(
        "cannot advance PK from {now_s} s to {requested_s} s; allowed: a finite time ≥ the current time"
    )]
    InvalidTime {
        /// The engine's current time, s.
        now_s: f64,
        /// The time asked for, s.
        requested_s: f64,
    },
}

/// The bookkeeping of one drug's amounts, nmol, since the start.
///
/// `administered + formed = lost_before_absorption + eliminated + remaining`, up to
/// rounding ([`MassBalance::residual_nmol`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MassBalance {
    /// Given so far (an infusion counts what has run).
    pub administered_nmol: f64,
    /// The part of the administered amount lost before reaching the model
    /// (1 − bioavailability).
    pub lost_before_absorption_nmol: f64,
    /// Formed from parent drugs.
    pub formed_nmol: f64,
    /// Eliminated from the central compartment (including what became metabolite).
    pub eliminated_nmol: f64,
    /// In the body: central, peripheral, depots and the i.c.v. brain depot.
    pub remaining_nmol: f64,
}

impl MassBalance {
    /// In minus out minus remaining; 0 up to rounding.
    pub fn residual_nmol(&self) -> f64 {
        self.administered_nmol + self.formed_nmol
            - self.lost_before_absorption_nmol
            - self.eliminated_nmol
            - self.remaining_nmol
    }
}

/// What changes in a [`Pharmacokinetics`] as time advances (for checkpoints): the time and
/// every compartment's amount. The rest follows from the doses and the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PkState {
    /// Drug names, in index order.
    pub names: Vec<String>,
    /// Model time, s.
    pub t_s: f64,
    /// Amount in every state of every drug, nmol (the engine's layout).
    pub amounts_nmol: Vec<f64>,
}

/// A dose resolved against the library.
#[derive(Debug, Clone)]
struct Scheduled {
    drug: usize,
    state: usize,
    nmol: f64,
    bioavailability: f64,
    start_s: f64,
    /// 0 for a bolus.
    duration_s: f64,
    applied: bool,
}

/// One drug in the engine.
#[derive(Debug, Clone)]
struct Entry {
    drug: Drug,
    pk: PkParams,
    v1_l: f64,
    brain_l: f64,
    /// (parent index, molar fraction formed) for each parent that forms this drug.
    parents: Vec<(usize, f64)>,
}

#[derive(Debug, Clone)]
struct Propagator {
    h_bits: u64,
    /// e^{Mh}, n × n row-major.
    phi: Vec<f64>,
    /// ∫₀ʰ e^{Ms} ds restricted to the drugs' central columns, n × d row-major.
    gamma: Vec<f64>,
}

/// The PK state of a scenario: every dosed drug and its metabolites, in one species and
/// body.
#[derive(Debug, Clone)]
pub struct Pharmacokinetics {
    species: Species,
    body_mass_kg: f64,
    names: Vec<String>,
    entries: Vec<Entry>,
    doses: Vec<Scheduled>,
    /// Sorted, deduplicated dose starts and infusion ends, s.
    breakpoints: Vec<f64>,
    t_s: f64,
    x: Vec<f64>,
    scratch: Vec<f64>,
    /// Infusion input per drug over the current interval, nmol/s.
    rates: Vec<f64>,
    /// The rate matrix, 1/s, n × n row-major.
    m: Vec<f64>,
    cache: Vec<Propagator>,
    cache_next: usize,
}

impl Pharmacokinetics {
    /// Builds the engine at time 0 for `doses` of drugs from `library`, in `species` of
    /// `body_mass_kg`. Metabolites named by a dosed drug (transitively) are included when
    /// the library has them; a metabolite the library lacks is not simulated (its formed
    /// amount simply counts as eliminated from the parent). Doses starting at 0 are applied
    /// at once.
    pub fn new(
        library: &BTreeMap<String, Drug>,
        species: Species,
        body_mass_kg: f64,
        doses: &[Dose],
    ) -> Result<Self, PkError> {
        if !(body_mass_kg.is_finite() && body_mass_kg > 0.0) {
            return Err(PkError::InvalidBodyMass {
                value: body_mass_kg,
            });
        }
        let known = || library.keys().cloned().collect::<Vec<_>>().join(", ");

        // The drugs to simulate: dosed ones and their metabolites, sorted by name.
        let mut names = BTreeSet::new();
        let mut work: Vec<String> = Vec::new();
        for dose in doses {
            if !library.contains_key(&dose.drug) {
                return Err(PkError::UnknownDrug {
                    drug: dose.drug.clone(),
                    known: known(),
                });
            }
            if names.insert(dose.drug.clone()) {
                work.push(dose.drug.clone());
            }
        }
        while let Some(name) = work.pop() {
            if let Some(m) = library.get(&name).and_then(|d| d.metabolite.as_ref())
                && library.contains_key(&m.drug)
                && names.insert(m.drug.clone())
            {
                work.push(m.drug.clone());
            }
        }
        let names: Vec<String> = names.into_iter().collect();
        let index_of = |name: &str| names.iter().position(|n| n == name);

        let brain_l = species.brain_mass_kg(); // 1 kg of brain ≈ 1 L
        let mut entries = Vec::with_capacity(names.len());
        for name in &names {
            let drug = &library[name];
            let mut violations = drug.violations();
            if let Some(m) = &drug.metabolite
                && m.drug == *name
            {
                violations.push(crate::validate::Violation {
                    key: "metabolite.drug".into(),
                    value: m.drug.clone(),
                    allowed: "the name of another drug".into(),
                });
            }
            if !violations.is_empty() {
                return Err(PkError::InvalidDrug {
                    drug: name.clone(),
                    violations: violations
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                });
            }
            let pk = drug
                .pk_for(species)
                .ok_or_else(|| PkError::MissingSpecies {
                    drug: name.clone(),
                    species,
                    available: list(drug.pk.keys().map(|s| s.name())),
                })?
                .clone();
            entries.push(Entry {
                v1_l: pk.v1_l_per_kg * body_mass_kg,
                drug: drug.clone(),
                pk,
                brain_l,
                parents: Vec::new(),
            });
        }
        for parent in 0..entries.len() {
            if let Some(m) = entries[parent].drug.metabolite.clone()
                && let Some(child) = index_of(&m.drug)
            {
                entries[child].parents.push((parent, m.fraction_formed));
            }
        }

        let mut scheduled = Vec::with_capacity(doses.len());
        let mut breakpoints = Vec::new();
        for dose in doses {
            let Some(i) = index_of(&dose.drug) else {
                // Unreachable: every dosed drug was inserted above.
                return Err(PkError::UnknownDrug {
                    drug: dose.drug.clone(),
                    known: known(),
                });
            };
            let e = &entries[i];
            let Some(absorption) = e.pk.routes.get(&dose.route) else {
                return Err(PkError::RouteNotAllowed {
                    drug: dose.drug.clone(),
                    route: dose.route,
                    species,
                    allowed: list(e.pk.routes.keys().map(|r| r.name())),
                });
            };
            let raw = dose.amount.raw();
            if !(raw.is_finite() && raw >= 0.0) {
                return Err(PkError::InvalidAmount {
                    drug: dose.drug.clone(),
                    route: dose.route,
                    value: raw,
                });
            }
            if !(dose.start_s.is_finite() && dose.start_s >= 0.0) {
                return Err(PkError::InvalidStart {
                    drug: dose.drug.clone(),
                    route: dose.route,
                    value: dose.start_s,
                });
            }
            if dose.route == Route::IvInfusion {
                if !(dose.duration_s.is_finite() && dose.duration_s > 0.0) {
                    return Err(PkError::InfusionDuration {
                        drug: dose.drug.clone(),
                        value: dose.duration_s,
                    });
                }
            } else if dose.duration_s != 0.0 {
                return Err(PkError::DurationNotAllowed {
                    drug: dose.drug.clone(),
                    route: dose.route,
                    value: dose.duration_s,
                });
            }
            breakpoints.push(dose.start_s);
            if dose.duration_s > 0.0 {
                breakpoints.push(dose.start_s + dose.duration_s);
            }
            scheduled.push(Scheduled {
                drug: i,
                state: site_state(dose.route),
                nmol: dose
                    .amount
                    .to_nmol(e.drug.molar_mass_g_per_mol, body_mass_kg),
                bioavailability: absorption.bioavailability,
                start_s: dose.start_s,
                duration_s: dose.duration_s,
                applied: false,
            });
        }
        breakpoints.sort_by(f64::total_cmp);
        breakpoints.dedup();

        let n = entries.len() * N_STATE;
        let mut engine = Self {
            species,
            body_mass_kg,
            m: rate_matrix(&entries),
            names,
            entries,
            doses: scheduled,
            breakpoints,
            t_s: 0.0,
            x: vec![0.0; n],
            scratch: vec![0.0; n],
            rates: Vec::new(),
            cache: Vec::new(),
            cache_next: 0,
        };
        engine.rates = vec![0.0; engine.entries.len()];
        engine.apply_due_boluses();
        Ok(engine)
    }

    /// The species simulated.
    pub fn species(&self) -> Species {
        self.species
    }

    /// The body mass, kg.
    pub fn body_mass_kg(&self) -> f64 {
        self.body_mass_kg
    }

    /// Current model time, s.
    pub fn time_s(&self) -> f64 {
        self.t_s
    }

    /// Names of the simulated drugs; a drug's position here is its index.
    pub fn drug_names(&self) -> &[String] {
        &self.names
    }

    /// Number of simulated drugs.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no drug is simulated (no doses).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Index of the drug called `name`, if simulated.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The library entry of drug `d` (for its block and mTORC1 parameters).
    pub fn drug(&self, d: usize) -> Option<&Drug> {
        self.entries.get(d).map(|e| &e.drug)
    }

    /// The state to save in a checkpoint.
    pub fn state(&self) -> PkState {
        PkState {
            names: self.names.clone(),
            t_s: self.t_s,
            amounts_nmol: self.x.clone(),
        }
    }

    /// Takes over `state`, saved from an engine simulating the same drugs (possibly with
    /// other doses: a forked arm). A bolus starting at or before the restored time counts as
    /// given — its amount is in the state — as [`Self::advance_to`] leaves it.
    pub fn restore(&mut self, state: &PkState) -> Result<(), PkError> {
        if state.names != self.names || state.amounts_nmol.len() != self.x.len() {
            return Err(PkError::OtherDrugs {
                expected: list(self.names.iter().map(String::as_str)),
                found: list(state.names.iter().map(String::as_str)),
            });
        }
        if !state.t_s.is_finite() || state.t_s < 0.0 {
            return Err(PkError::InvalidTime {
                now_s: self.t_s,
                requested_s: state.t_s,
            });
        }
        self.t_s = state.t_s;
        self.x.copy_from_slice(&state.amounts_nmol);
        for dose in &mut self.doses {
            dose.applied = dose.duration_s == 0.0 && dose.start_s <= self.t_s;
        }
        Ok(())
    }

    /// Integrates to `t_s` (s), splitting the interval at every dose start and infusion end
    /// inside it. Every dose starting at or before `t_s` has been applied on return.
    pub fn advance_to(&mut self, t_s: f64) -> Result<(), PkError> {
        if !(t_s.is_finite() && t_s >= self.t_s) {
            return Err(PkError::InvalidTime {
                now_s: self.t_s,
                requested_s: t_s,
            });
        }
        while self.t_s < t_s {
            let k = self.breakpoints.partition_point(|&b| b <= self.t_s);
            let next = self.breakpoints.get(k).map_or(t_s, |&b| b.min(t_s));
            self.update_rates();
            self.step(next - self.t_s);
            self.t_s = next;
            self.apply_due_boluses();
        }
        Ok(())
    }

    /// Total plasma concentration of drug `d`, ng/mL (0 for an index out of range).
    pub fn plasma_ng_per_ml(&self, d: usize) -> f64 {
        self.entries.get(d).map_or(0.0, |e| {
            self.plasma_nm(d) * e.drug.molar_mass_g_per_mol / 1000.0
        })
    }

    /// Total plasma concentration of drug `d`, µM.
    pub fn plasma_um(&self, d: usize) -> f64 {
        self.plasma_nm(d) / 1000.0
    }

    /// Free (unbound) plasma concentration of drug `d`, µM.
    pub fn plasma_free_um(&self, d: usize) -> f64 {
        self.entries
            .get(d)
            .map_or(0.0, |e| e.pk.fraction_unbound_plasma * self.plasma_um(d))
    }

    /// Free brain concentration at the receptors, µM: the effect compartment plus any
    /// i.c.v. dose still in the brain (which is counted as free: an upper bound).
    pub fn brain_free_um(&self, d: usize) -> f64 {
        self.entries.get(d).map_or(0.0, |e| {
            let b = d * N_STATE;
            (self.x[b + EFFECT] + self.x[b + BRAIN_ICV] / e.brain_l) / 1000.0
        })
    }

    /// Total brain tissue concentration, µM (a readout for comparison with tissue
    /// measurements): `brain_plasma_ratio × Ce/(fu·Kp,uu)` — the ratio applied to the
    /// plasma concentration the brain has equilibrated with — plus the i.c.v. depot.
    pub fn brain_total_um(&self, d: usize) -> f64 {
        self.entries.get(d).map_or(0.0, |e| {
            let b = d * N_STATE;
            let equilibrated_plasma_nm = self.x[b + EFFECT]
                / (e.pk.fraction_unbound_plasma * e.pk.unbound_brain_plasma_ratio);
            (e.pk.brain_plasma_ratio * equilibrated_plasma_nm + self.x[b + BRAIN_ICV] / e.brain_l)
                / 1000.0
        })
    }

    /// Amount bookkeeping of drug `d` (all zero for an index out of range).
    pub fn mass_balance(&self, d: usize) -> MassBalance {
        let mut mb = MassBalance {
            administered_nmol: 0.0,
            lost_before_absorption_nmol: 0.0,
            formed_nmol: 0.0,
            eliminated_nmol: 0.0,
            remaining_nmol: 0.0,
        };
        let Some(e) = self.entries.get(d) else {
            return mb;
        };
        for dose in self.doses.iter().filter(|s| s.drug == d) {
            let given = if dose.duration_s > 0.0 {
                dose.nmol * ((self.t_s - dose.start_s) / dose.duration_s).clamp(0.0, 1.0)
            } else if dose.applied {
                dose.nmol
            } else {
                0.0
            };
            mb.administered_nmol += given;
            mb.lost_before_absorption_nmol += given * (1.0 - dose.bioavailability);
        }
        mb.formed_nmol = e
            .parents
            .iter()
            .map(|&(p, f)| f * self.x[p * N_STATE + ELIMINATED])
            .sum();
        let b = d * N_STATE;
        mb.eliminated_nmol = self.x[b + ELIMINATED];
        mb.remaining_nmol = [
            CENTRAL,
            PERIPHERAL,
            DEPOT_IP,
            DEPOT_ORAL,
            DEPOT_NASAL,
            BRAIN_ICV,
        ]
        .iter()
        .map(|&s| self.x[b + s])
        .sum();
        mb
    }

    fn plasma_nm(&self, d: usize) -> f64 {
        self.entries
            .get(d)
            .map_or(0.0, |e| self.x[d * N_STATE + CENTRAL] / e.v1_l)
    }

    fn apply_due_boluses(&mut self) {
        for dose in &mut self.doses {
            if dose.duration_s == 0.0 && !dose.applied && dose.start_s <= self.t_s {
                self.x[dose.drug * N_STATE + dose.state] += dose.bioavailability * dose.nmol;
                dose.applied = true;
            }
        }
    }

    /// Infusion rates over the interval starting now (no breakpoint lies inside it).
    fn update_rates(&mut self) {
        self.rates.iter_mut().for_each(|r| *r = 0.0);
        for dose in &self.doses {
            if dose.duration_s > 0.0
                && dose.start_s <= self.t_s
                && self.t_s < dose.start_s + dose.duration_s
            {
                self.rates[dose.drug] += dose.bioavailability * dose.nmol / dose.duration_s;
            }
        }
    }

    fn step(&mut self, h_s: f64) {
        let n = self.x.len();
        let d = self.rates.len();
        let bits = h_s.to_bits();
        let k = match self.cache.iter().position(|p| p.h_bits == bits) {
            Some(k) => k,
            None => {
                let p = propagator(&self.m, n, d, h_s);
                if self.cache.len() < CACHE_CAPACITY {
                    self.cache.push(p);
                    self.cache.len() - 1
                } else {
                    let k = self.cache_next;
                    self.cache[k] = p;
                    self.cache_next = (k + 1) % CACHE_CAPACITY;
                    k
                }
            }
        };
        let p = &self.cache[k];
        for i in 0..n {
            let row = &p.phi[i * n..(i + 1) * n];
            let mut acc: f64 = row.iter().zip(&self.x).map(|(a, b)| a * b).sum();
            let grow = &p.gamma[i * d..(i + 1) * d];
            acc += grow
                .iter()
                .zip(&self.rates)
                .map(|(a, b)| a * b)
                .sum::<f64>();
            self.scratch[i] = acc;
        }
        std::mem::swap(&mut self.x, &mut self.scratch);
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}

/// The rate matrix `M` (1/s) of all drugs, n × n row-major, `dx/dt = M·x + inputs`.
fn rate_matrix(entries: &[Entry]) -> Vec<f64> {
    let n = entries.len() * N_STATE;
    let mut m = vec![0.0; n * n];
    let per_s = |k_per_min: f64| k_per_min / 60.0;
    for (i, e) in entries.iter().enumerate() {
        let b = i * N_STATE;
        let at = |r: usize, c: usize| (b + r) * n + b + c;
        let p = &e.pk;
        let (k10, k12, k21) = (
            per_s(p.k10_per_min),
            per_s(p.k12_per_min),
            per_s(p.k21_per_min),
        );
        m[at(CENTRAL, CENTRAL)] = -(k10 + k12);
        m[at(CENTRAL, PERIPHERAL)] = k21;
        m[at(PERIPHERAL, CENTRAL)] = k12;
        m[at(PERIPHERAL, PERIPHERAL)] = -k21;
        for (route, a) in &p.routes {
            if let (true, Some(ka)) = (route.needs_rate(), a.ka_per_min) {
                let s = site_state(*route);
                m[at(s, s)] = -per_s(ka);
                m[at(CENTRAL, s)] += per_s(ka);
            }
        }
        let ke0 = per_s(p.ke0_per_min);
        m[at(EFFECT, CENTRAL)] =
            ke0 * p.unbound_brain_plasma_ratio * p.fraction_unbound_plasma / e.v1_l;
        m[at(EFFECT, EFFECT)] = -ke0;
        m[at(ELIMINATED, CENTRAL)] = k10;
        for &(parent, fraction) in &e.parents {
            let k10_parent = per_s(entries[parent].pk.k10_per_min);
            m[(b + CENTRAL) * n + parent * N_STATE + CENTRAL] += fraction * k10_parent;
        }
    }
    m
}

/// `e^{Mh}` and `∫₀ʰ e^{Ms} ds · E` (E selects each drug's central state), from the
/// exponential of the augmented matrix `[[M h, E h], [0, 0]]`.
fn propagator(m: &[f64], n: usize, d: usize, h_s: f64) -> Propagator {
    let size = n + d;
    let mut aug = vec![0.0; size * size];
    for i in 0..n {
        for j in 0..n {
            aug[i * size + j] = m[i * n + j] * h_s;
        }
    }
    for k in 0..d {
        aug[(k * N_STATE + CENTRAL) * size + n + k] = h_s;
    }
    let e = expm(&aug, size);
    let mut phi = vec![0.0; n * n];
    let mut gamma = vec![0.0; n * d];
    for i in 0..n {
        phi[i * n..(i + 1) * n].copy_from_slice(&e[i * size..i * size + n]);
        gamma[i * d..(i + 1) * d].copy_from_slice(&e[i * size + n..(i + 1) * size]);
    }
    Propagator {
        h_bits: h_s.to_bits(),
        phi,
        gamma,
    }
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * m];
    for i in 0..m {
        for k in 0..m {
            let aik = a[i * m + k];
            if aik != 0.0 {
                for j in 0..m {
                    c[i * m + j] += aik * b[k * m + j];
                }
            }
        }
    }
    c
}

/// Matrix exponential by scaling and squaring: scale so the 1-norm is ≤ 0.5, sum the
/// Taylor series to machine precision, square back. Accurate to a few ulps for the
/// well-conditioned, real-negative-spectrum matrices of compartment models.
fn expm(a: &[f64], m: usize) -> Vec<f64> {
    let norm = (0..m)
        .map(|j| (0..m).map(|i| a[i * m + j].abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let mut squarings = 0;
    let mut scale = 1.0;
    // The cap only guards against a non-finite norm (validated parameters never give one).
    while norm * scale > 0.5 && squarings < 1100 {
        scale *= 0.5;
        squarings += 1;
    }
    let b: Vec<f64> = a.iter().map(|v| v * scale).collect();
    let mut result = vec![0.0; m * m];
    for i in 0..m {
        result[i * m + i] = 1.0;
    }
    let mut term = result.clone();
    for k in 1..=30 {
        term = matmul(&term, &b, m);
        let inv_k = 1.0 / f64::from(k);
        let mut largest: f64 = 0.0;
        for (r, t) in result.iter_mut().zip(term.iter_mut()) {
            *t *= inv_k;
            *r += *t;
            largest = largest.max(t.abs());
        }
        if largest < 1e-18 {
            break;
        }
    }
    for _ in 0..squarings {
        result = matmul(&result, &result, m);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Largest value of `read` and its time, sampling every `dt_s` up to `end_s`.
    fn peak_of(
        pk: &mut Pharmacokinetics,
        dt_s: f64,
        end_s: f64,
        read: impl Fn(&Pharmacokinetics) -> f64,
    ) -> (f64, f64) {
        let (mut peak, mut t_peak) = (f64::MIN, 0.0);
        let mut t = 0.0;
        while t < end_s {
            t += dt_s;
            pk.advance_to(t).unwrap();
            let x = read(pk);
            if x > peak {
                (peak, t_peak) = (x, t);
            }
        }
        (peak, t_peak)
    }

    fn library() -> BTreeMap<String, Drug> {
        let texts = crate::drug::SHIPPED;
        texts
            .iter()
            .map(|(n, t)| {
                let d: Drug = toml::from_str(t).unwrap_or_else(|e| panic!("{n}: {e}"));
                ((*n).to_owned(), d)
            })
            .collect()
    }

    fn dose(drug: &str, amount: Amount, route: Route, start_s: f64, duration_s: f64) -> Dose {
        Dose {
            drug: drug.into(),
            amount,
            route,
            start_s,
            duration_s,
        }
    }

    /// The P-01/P-04 protocol: 0.5 mg/kg i.v. over 40 min, 70 kg.
    fn human_infusion() -> Pharmacokinetics {
        Pharmacokinetics::new(
            &library(),
            Species::Human,
            70.0,
            &[dose(
                "ketamine",
                Amount::MgPerKg(0.5),
                Route::IvInfusion,
                0.0,
                2400.0,
            )],
        )
        .unwrap()
    }

    fn within(value: f64, target: f64, rel: f64) -> bool {
        (value - target).abs() <= rel * target.abs()
    }

    #[test]
    fn clements_model_reproduces_the_published_curve() {
        // checks P-04
        let mut pk = human_infusion();
        let k = pk.index("ketamine").unwrap();
        for (t_min, target_ng_per_ml) in [(40.0, 177.0), (80.0, 85.0), (230.0, 36.0)] {
            pk.advance_to(t_min * 60.0).unwrap();
            let c = pk.plasma_ng_per_ml(k);
            assert!(
                within(c, target_ng_per_ml, 0.10),
                "at {t_min} min: {c} ng/mL, target {target_ng_per_ml} ± 10 %"
            );
        }
    }

    #[test]
    fn human_peak_is_in_range_at_the_end_of_the_infusion() {
        // checks P-01
        let mut pk = human_infusion();
        let k = pk.index("ketamine").unwrap();
        let (peak, t_peak) = peak_of(&mut pk, 10.0, 3.0 * 3600.0, |pk| pk.plasma_ng_per_ml(k));
        assert!((70.0..=250.0).contains(&peak), "peak {peak} ng/mL");
        assert!(
            (35.0 * 60.0..=45.0 * 60.0).contains(&t_peak),
            "peak at {} min",
            t_peak / 60.0
        );
        // 0.3–1.05 µM is the same window in molar units.
        let peak_um = peak / 237.7;
        assert!((0.29..=1.06).contains(&peak_um), "{peak_um} µM");
    }

    #[test]
    fn terminal_half_life_is_two_to_four_hours() {
        // checks P-03
        let mut pk = human_infusion();
        let k = pk.index("ketamine").unwrap();
        pk.advance_to(10.0 * 3600.0).unwrap();
        let c1 = pk.plasma_um(k);
        pk.advance_to(12.0 * 3600.0).unwrap();
        let c2 = pk.plasma_um(k);
        let half_life_h = 2.0 * std::f64::consts::LN_2 / (c1 / c2).ln();
        assert!((2.0..=4.0).contains(&half_life_h), "t½ = {half_life_h} h");
        let lib = library();
        let analytic_h = lib["ketamine"].pk[&Species::Human].terminal_half_life_min() / 60.0;
        assert!((half_life_h - analytic_h).abs() < 0.01 * analytic_h);
    }

    #[test]
    fn rat_brain_leads_and_exceeds_plasma() {
        // checks P-11 (soft): brain total : plasma ≈ 6.5 at pseudo-equilibrium, brain peak
        // within minutes of an i.v. bolus.
        let mut pk = Pharmacokinetics::new(
            &library(),
            Species::Rat,
            0.3,
            &[dose(
                "ketamine",
                Amount::MgPerKg(10.0),
                Route::IvBolus,
                0.0,
                0.0,
            )],
        )
        .unwrap();
        let k = pk.index("ketamine").unwrap();
        let (_, t_peak) = peak_of(&mut pk, 5.0, 20.0 * 60.0, |pk| pk.brain_total_um(k));
        assert!(t_peak <= 600.0, "brain peak at {t_peak} s");
        for t_min in [30.0, 60.0] {
            pk.advance_to(t_min * 60.0).unwrap();
            let ratio = pk.brain_total_um(k) / pk.plasma_um(k);
            assert!(within(ratio, 6.5, 0.10), "ratio {ratio} at {t_min} min");
        }
    }

    #[test]
    fn chopping_time_does_not_change_the_result() {
        let lib = library();
        let doses = [
            dose(
                "ketamine",
                Amount::MgPerKg(0.5),
                Route::IvInfusion,
                100.5,
                2400.0,
            ),
            dose(
                "ketamine",
                Amount::MgPerKg(0.2),
                Route::Intranasal,
                1000.25,
                0.0,
            ),
            dose("memantine", Amount::Mg(10.0), Route::Oral, 0.0, 0.0),
        ];
        let mut fine = Pharmacokinetics::new(&lib, Species::Human, 70.0, &doses).unwrap();
        let mut coarse = fine.clone();
        for s in 1..=3600 {
            fine.advance_to(f64::from(s)).unwrap();
        }
        coarse.advance_to(3600.0).unwrap();
        assert_eq!(fine.drug_names(), coarse.drug_names());
        for d in 0..fine.len() {
            for (a, b) in [
                (fine.plasma_um(d), coarse.plasma_um(d)),
                (fine.brain_free_um(d), coarse.brain_free_um(d)),
                (fine.brain_total_um(d), coarse.brain_total_um(d)),
            ] {
                assert!(a > 0.0 && b > 0.0, "{}: {a} {b}", fine.drug_names()[d]);
                assert!(
                    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
                    "{}: {a} vs {b}",
                    fine.drug_names()[d]
                );
            }
        }
    }

    #[test]
    fn mass_is_conserved_with_metabolite_formation() {
        let mut pk = Pharmacokinetics::new(
            &library(),
            Species::Rat,
            0.3,
            &[
                dose(
                    "ketamine",
                    Amount::MgPerKg(10.0),
                    Route::Intraperitoneal,
                    0.0,
                    0.0,
                ),
                dose(
                    "ketamine",
                    Amount::MgPerKg(1.0),
                    Route::IvInfusion,
                    600.0,
                    1200.0,
                ),
            ],
        )
        .unwrap();
        assert_eq!(pk.drug_names(), ["ketamine", "norketamine"]);
        for t in [0.0, 300.0, 1200.0, 3600.0, 6.0 * 3600.0] {
            pk.advance_to(t).unwrap();
            for d in 0..pk.len() {
                let mb = pk.mass_balance(d);
                let scale = mb.administered_nmol + mb.formed_nmol;
                assert!(
                    mb.residual_nmol().abs() <= 1e-9 * scale.max(1.0),
                    "t {t} drug {d}: {mb:?}"
                );
            }
        }
        // Everything given is accounted for: 11 mg/kg × 0.3 kg of ketamine.
        let given = pk.mass_balance(0).administered_nmol;
        assert!(within(given, 3.3e6 / 237.73, 1e-12));
        // The parent's elimination feeds the metabolite at 80 % (molar).
        let formed = pk.mass_balance(1).formed_nmol;
        assert!(within(
            formed,
            0.8 * pk.mass_balance(0).eliminated_nmol,
            1e-12
        ));
    }

    #[test]
    fn short_infusion_approaches_a_bolus() {
        let lib = library();
        let run = |route, duration_s| {
            let mut pk = Pharmacokinetics::new(
                &lib,
                Species::Human,
                70.0,
                &[dose(
                    "ketamine",
                    Amount::MgPerKg(0.5),
                    route,
                    0.0,
                    duration_s,
                )],
            )
            .unwrap();
            pk.advance_to(3600.0).unwrap();
            pk.plasma_um(0)
        };
        let bolus = run(Route::IvBolus, 0.0);
        let infusion = run(Route::IvInfusion, 1.0);
        assert!(within(infusion, bolus, 1e-3), "{infusion} vs {bolus}");
    }

    #[test]
    fn long_infusion_reaches_rate_over_clearance() {
        // Steady state of a constant infusion: Css = R / CL, CL = k10·V1.
        let lib = library();
        let hours = 200.0;
        let total_mg = 1.0 * hours; // 1 mg/h
        let mut pk = Pharmacokinetics::new(
            &lib,
            Species::Human,
            70.0,
            &[dose(
                "ketamine",
                Amount::Mg(total_mg),
                Route::IvInfusion,
                0.0,
                hours * 3600.0,
            )],
        )
        .unwrap();
        pk.advance_to((hours - 1.0) * 3600.0).unwrap();
        let p = &lib["ketamine"].pk[&Species::Human];
        let cl_l_per_min = p.k10_per_min * p.v1_l_per_kg * 70.0;
        let rate_ng_per_min = 1e6 / 60.0;
        let css_ng_per_ml = rate_ng_per_min / cl_l_per_min / 1000.0;
        let c = pk.plasma_ng_per_ml(0);
        assert!(within(c, css_ng_per_ml, 0.01), "{c} vs {css_ng_per_ml}");
        // Free brain equilibrates with free plasma (Kp,uu = 1).
        assert!(within(pk.brain_free_um(0), pk.plasma_free_um(0), 0.01));
    }

    #[test]
    fn metabolite_appears_after_the_parent() {
        let mut pk = Pharmacokinetics::new(
            &library(),
            Species::Rat,
            0.3,
            &[dose(
                "ketamine",
                Amount::MgPerKg(10.0),
                Route::Intraperitoneal,
                0.0,
                0.0,
            )],
        )
        .unwrap();
        let (k, nk) = (
            pk.index("ketamine").unwrap(),
            pk.index("norketamine").unwrap(),
        );
        assert_eq!(pk.plasma_um(nk), 0.0);
        let (mut pk_k, mut pk_nk) = ((0.0, 0.0), (0.0, 0.0));
        for s in 1..=(3 * 60) {
            let t = f64::from(s) * 60.0;
            pk.advance_to(t).unwrap();
            if pk.plasma_um(k) > pk_k.0 {
                pk_k = (pk.plasma_um(k), t);
            }
            if pk.plasma_um(nk) > pk_nk.0 {
                pk_nk = (pk.plasma_um(nk), t);
            }
        }
        assert!(pk_nk.0 > 0.0);
        assert!(
            pk_nk.1 > pk_k.1,
            "norketamine peak {pk_nk:?}, ketamine {pk_k:?}"
        );
    }

    #[test]
    fn a_restored_state_goes_on_exactly_and_keeps_its_given_doses() {
        let doses = |amount: f64| {
            [
                dose(
                    "ketamine",
                    Amount::MgPerKg(10.0),
                    Route::Intraperitoneal,
                    600.0,
                    0.0,
                ),
                dose(
                    "ketamine",
                    Amount::MgPerKg(amount),
                    Route::Intraperitoneal,
                    7200.0,
                    0.0,
                ),
            ]
        };
        let engine = |amount: f64| {
            Pharmacokinetics::new(&library(), Species::Rat, 0.3, &doses(amount)).unwrap()
        };
        let mut whole = engine(10.0);
        whole.advance_to(3600.0).unwrap();
        let saved = whole.state();
        whole.advance_to(10_000.0).unwrap();
        // The same doses: the same amounts, bit for bit.
        let mut resumed = engine(10.0);
        resumed.restore(&saved).unwrap();
        resumed.advance_to(10_000.0).unwrap();
        assert_eq!(resumed.state(), whole.state());
        // A forked arm without the second dose: the first, given before the save, stays
        // given (not given twice), the second never comes.
        let mut fork = engine(0.0);
        fork.restore(&saved).unwrap();
        fork.advance_to(10_000.0).unwrap();
        let k = fork.index("ketamine").unwrap();
        assert!(fork.plasma_um(k) < 0.5 * whole.plasma_um(k));
        let given = fork.mass_balance(k).administered_nmol;
        assert!((given - whole.mass_balance(k).administered_nmol / 2.0).abs() < 1e-9 * given);
        // Another drug list is refused.
        let other = Pharmacokinetics::new(
            &library(),
            Species::Rat,
            0.3,
            &[dose(
                "rapamycin",
                Amount::Nmol(0.2),
                Route::Intracerebroventricular,
                0.0,
                0.0,
            )],
        )
        .unwrap();
        let err = engine(10.0)
            .restore(&other.state())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("rapamycin") && err.contains("ketamine"),
            "{err}"
        );
    }

    #[test]
    fn icv_rapamycin_fills_the_brain_and_inhibits_mtorc1() {
        // Li et al. 2010: 0.2 nmol i.c.v. in rat, 30 min before ketamine.
        let mut pk = Pharmacokinetics::new(
            &library(),
            Species::Rat,
            0.3,
            &[dose(
                "rapamycin",
                Amount::Nmol(0.2),
                Route::Intracerebroventricular,
                0.0,
                0.0,
            )],
        )
        .unwrap();
        let r = pk.index("rapamycin").unwrap();
        pk.advance_to(1800.0).unwrap();
        // 0.2 nmol over the 2 g (2 mL) brain = 100 nM, leaving at ka = 0.00578 /min.
        let expected_um = 0.1 * (-0.00578_f64 * 30.0).exp();
        let c = pk.brain_free_um(r);
        assert!(within(c, expected_um, 0.01), "{c} vs {expected_um}");
        let m = pk.drug(r).unwrap().mtorc1_inhibition.unwrap();
        assert!(m.fraction_inhibited(c) > 0.99);
    }

    #[test]
    fn bad_input_gives_errors_that_name_the_culprit() {
        let lib = library();
        let err = |species, doses: &[Dose]| {
            Pharmacokinetics::new(&lib, species, species.default_body_mass_kg(), doses)
                .unwrap_err()
                .to_string()
        };
        let e = err(
            Species::Rat,
            &[dose("ketamin", Amount::Mg(1.0), Route::IvBolus, 0.0, 0.0)],
        );
        assert!(e.contains("ketamin") && e.contains("ketamine"), "{e}");
        let e = err(
            Species::Human,
            &[dose("mk801", Amount::Mg(1.0), Route::IvBolus, 0.0, 0.0)],
        );
        assert!(
            e.contains("mk801") && e.contains("human") && e.contains("rat"),
            "{e}"
        );
        let e = err(
            Species::Human,
            &[dose(
                "ketamine",
                Amount::Mg(1.0),
                Route::Intracerebroventricular,
                0.0,
                0.0,
            )],
        );
        assert!(
            e.contains("intracerebroventricular") && e.contains("iv_bolus"),
            "{e}"
        );
        let e = err(
            Species::Rat,
            &[dose(
                "ketamine",
                Amount::MgPerKg(-1.0),
                Route::IvBolus,
                0.0,
                0.0,
            )],
        );
        assert!(e.contains("-1") && e.contains("≥ 0"), "{e}");
        let e = err(
            Species::Rat,
            &[dose(
                "ketamine",
                Amount::Mg(1.0),
                Route::IvInfusion,
                0.0,
                0.0,
            )],
        );
        assert!(e.contains("iv_infusion") && e.contains("> 0"), "{e}");
        let e = err(
            Species::Rat,
            &[dose("ketamine", Amount::Mg(1.0), Route::IvBolus, 0.0, 60.0)],
        );
        assert!(
            e.contains("iv_bolus") && e.contains("only iv_infusion"),
            "{e}"
        );
        let e = err(
            Species::Rat,
            &[dose("ketamine", Amount::Mg(1.0), Route::IvBolus, -5.0, 0.0)],
        );
        assert!(e.contains("-5"), "{e}");
        assert!(Pharmacokinetics::new(&lib, Species::Rat, 0.0, &[]).is_err());

        let mut broken = lib.clone();
        broken
            .get_mut("ketamine")
            .unwrap()
            .pk
            .get_mut(&Species::Rat)
            .unwrap()
            .v1_l_per_kg = -1.0;
        let e = Pharmacokinetics::new(
            &broken,
            Species::Rat,
            0.3,
            &[dose("ketamine", Amount::Mg(1.0), Route::IvBolus, 0.0, 0.0)],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("pk.rat.v1_l_per_kg"), "{e}");

        let mut pk = Pharmacokinetics::new(
            &lib,
            Species::Rat,
            0.3,
            &[dose("ketamine", Amount::Mg(1.0), Route::IvBolus, 0.0, 0.0)],
        )
        .unwrap();
        pk.advance_to(10.0).unwrap();
        assert!(pk.advance_to(5.0).is_err());
        assert!(pk.advance_to(f64::NAN).is_err());
        // An index from elsewhere reads as zero rather than panicking.
        assert_eq!(pk.plasma_um(99), 0.0);
    }

    #[test]
    fn doses_are_applied_exactly_at_their_start() {
        let mut pk = Pharmacokinetics::new(
            &library(),
            Species::Rat,
            0.3,
            &[dose(
                "ketamine",
                Amount::MgPerKg(10.0),
                Route::IvBolus,
                600.0,
                0.0,
            )],
        )
        .unwrap();
        pk.advance_to(599.0).unwrap();
        assert_eq!(pk.plasma_um(0), 0.0);
        pk.advance_to(600.0).unwrap();
        // Right after the bolus the whole dose is in V1: 10 mg/kg / 1.7522 L/kg.
        let expected_ng_per_ml = 10.0 / 1.7522 * 1000.0;
        assert!(within(pk.plasma_ng_per_ml(0), expected_ng_per_ml, 1e-12));
    }

    #[test]
    fn doses_deserialize_from_toml() {
        #[derive(Deserialize)]
        struct Doses {
            dose: Vec<Dose>,
        }
        let d: Doses = toml::from_str(
            r#"
            [[dose]]
            drug = "ketamine"
            amount = { mg_per_kg = 0.5 }
            route = "iv_infusion"
            start_s = 0.0
            duration_s = 2400.0
            [[dose]]
            drug = "rapamycin"
            amount = { nmol = 0.2 }
            route = "intracerebroventricular"
            start_s = 0.0
            "#,
        )
        .unwrap();
        assert_eq!(d.dose[0].amount, Amount::MgPerKg(0.5));
        assert_eq!(d.dose[1].route, Route::Intracerebroventricular);
        assert_eq!(d.dose[1].duration_s, 0.0);
    }
}
