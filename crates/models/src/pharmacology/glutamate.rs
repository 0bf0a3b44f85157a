//! Extracellular glutamate of a region: release by its glutamatergic cells, uptake by
//! transporters.
//!
//! dG/dt = r·R(t) − (G − G_ambient)/τ_uptake, with R the mean firing rate of the region's
//! glutamatergic neurons. Solved exactly over each slow interval for the interval's rate.
//! Simplification of a spatial diffusion–uptake model (e.g. Rusakov & Kullmann 1998) to one
//! well-mixed pool: it is what magnetic resonance spectroscopy and microdialysis report
//! (Moghaddam et al. 1997 J Neurosci 17:2921; Abdallah et al. 2018; TARGETS.md C-05).

use serde::{Deserialize, Serialize};

use crate::validate::Checker;

/// Parameters of the glutamate pools.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlutamateParams {
    /// Ambient extracellular glutamate without release, µM (≈ 25 nM: Herman & Jahr 2007
    /// J Neurosci 27:9736).
    #[serde(default = "GlutamateParams::default_ambient_um")]
    pub ambient_um: f64,
    /// Release per Hz of mean glutamatergic firing, µM/s per Hz (assumption: chosen so that
    /// release at a few Hz is of the order of the ambient level, as microdialysis baselines
    /// suggest; only ratios to baseline are compared with data).
    #[serde(default = "GlutamateParams::default_release_um_per_s_per_hz")]
    pub release_um_per_s_per_hz: f64,
    /// Clearance time constant of the pool, s (transporter uptake is fast, ms; the
    /// microdialysis/MRS pool turns over in seconds: assumption).
    #[serde(default = "GlutamateParams::default_uptake_tau_s")]
    pub uptake_tau_s: f64,
}

impl Default for GlutamateParams {
    fn default() -> Self {
        Self {
            ambient_um: Self::default_ambient_um(),
            release_um_per_s_per_hz: Self::default_release_um_per_s_per_hz(),
            uptake_tau_s: Self::default_uptake_tau_s(),
        }
    }
}

impl GlutamateParams {
    fn default_ambient_um() -> f64 {
        0.025
    }
    fn default_release_um_per_s_per_hz() -> f64 {
        0.005
    }
    fn default_uptake_tau_s() -> f64 {
        2.0
    }

    /// Every parameter outside its allowed range.
    pub fn check(&self, c: &mut Checker<'_>) {
        c.non_negative("ambient_um", self.ambient_um);
        c.non_negative("release_um_per_s_per_hz", self.release_um_per_s_per_hz);
        c.positive("uptake_tau_s", self.uptake_tau_s);
    }
}

/// The glutamate pool of one region.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RegionGlutamate {
    /// Region name.
    #[serde(deserialize_with = "synaptogen_engine::labels::deserialize")]
    pub name: synaptogen_engine::labels::Label,
    /// Population entries whose neurons release into it.
    pub glutamatergic: Vec<usize>,
    /// Parameters.
    pub params: GlutamateParams,
    /// Current level, µM.
    pub glutamate_um: f64,
    baseline_sum: f64,
    baseline_s: f64,
    baseline_um: f64,
}

impl RegionGlutamate {
    /// A pool at its ambient level.
    pub fn new(name: &'static str, glutamatergic: Vec<usize>, params: GlutamateParams) -> Self {
        Self {
            name,
            glutamatergic,
            params,
            glutamate_um: params.ambient_um,
            baseline_sum: 0.0,
            baseline_s: 0.0,
            baseline_um: f64::NAN,
        }
    }

    /// Advances `dt_s` at mean glutamatergic rate `rate_hz`; while `in_baseline`, the level
    /// counts towards the baseline.
    pub fn advance(&mut self, rate_hz: f64, in_baseline: bool, dt_s: f64) {
        let p = &self.params;
        let steady = p.ambient_um + p.release_um_per_s_per_hz * rate_hz * p.uptake_tau_s;
        self.glutamate_um = steady + (self.glutamate_um - steady) * (-dt_s / p.uptake_tau_s).exp();
        if in_baseline {
            self.baseline_sum += self.glutamate_um * dt_s;
            self.baseline_s += dt_s;
        } else if self.baseline_um.is_nan() {
            self.baseline_um = if self.baseline_s > 0.0 {
                self.baseline_sum / self.baseline_s
            } else {
                self.glutamate_um
            };
        }
    }

    /// Level as % of the pre-intervention baseline (100 during the baseline).
    pub fn percent_of_baseline(&self) -> f64 {
        if self.baseline_um.is_nan() || self.baseline_um <= 0.0 {
            100.0
        } else {
            100.0 * self.glutamate_um / self.baseline_um
        }
    }
}
