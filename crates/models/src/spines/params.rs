//! Parameters of spine structure and turnover (the scenario's `[spines]` table).

use serde::{Deserialize, Serialize};

use crate::validate::{Checker, Violation};

/// How spines are sized, born, mature, are eliminated and consolidate.
///
/// Turnover is a birth–death process per µm of (modelled) dendrite: new spines are born
/// nascent and small; a nascent spine matures at a baseline rate (ongoing experience) or at
/// once when a potentiation of it is consolidated; nascent spines are eliminated fast,
/// stable ones slowly, smaller ones more often (rate ∝ (V/V_median)^−κ, normalised so the
/// population mean rate is the stated one). Head volumes follow an Ornstein–Uhlenbeck
/// process on log V, whose stationary law is the lognormal of PL-05 — the multiplicative
/// dynamics found by Loewenstein, Kuras & Rumpel (2011). Defaults are chosen so that at
/// 1 spine/µm the adult turnover of PL-03 holds in steady state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpineParams {
    /// Initial density on every spiny compartment, spines per µm (PL-06: ≈ 1/µm in mPFC L5
    /// apical tufts). The modelled dendrite of a neuron is as long as its initial spines
    /// need at this density.
    pub density_per_um: f64,
    /// Median head volume, µm³ (PL-05: lognormal-like over 0.01–0.8 µm³; Harris et al. 1992).
    pub median_volume_um3: f64,
    /// Standard deviation of ln V (0.8: 95 % of spines within 0.02–0.48 µm³ at median 0.1).
    pub log_volume_sd: f64,
    /// Median volume of a newborn spine, µm³ (thin spines ≈ 0.03 µm³, PL-05).
    pub nascent_median_volume_um3: f64,
    /// Relaxation time of ln V, days (multiplicative fluctuations over days: Loewenstein et
    /// al. 2011; Yasumatsu et al. 2008; the value is an assumption).
    pub fluctuation_days: f64,
    /// Births per µm per day (0.0048 balances the eliminations below at 1/µm).
    pub formation_per_um_per_day: f64,
    /// Elimination rate of stable spines, per day (PL-03: 3–5 % over two weeks → 4 %/14 d).
    pub elimination_stable_per_day: f64,
    /// Elimination rate of nascent spines, per day (new spines are mostly transient within
    /// days: Holtmaat et al. 2005; the value is an assumption).
    pub elimination_nascent_per_day: f64,
    /// Baseline maturation rate of nascent spines, per day (with the nascent elimination,
    /// 60 % of new spines persist; Holtmaat et al. 2005: 54–73 % in adults).
    pub maturation_per_day: f64,
    /// κ of the size dependence of elimination (small spines are lost more often: Yasumatsu
    /// et al. 2008; the value is an assumption).
    pub size_exponent: f64,
    /// Efficacy change from the consolidated state that tags a spine (0.5: crossing ρ* of
    /// the calcium rule).
    pub tag_threshold: f64,
    /// How long a tag waits for protein, min (synaptic tags last 1–2 h: Frey & Morris 1997).
    pub tag_lifetime_min: f64,
    /// Protein available without induced synthesis, 0–1 (set by signalling once the
    /// pharmacology model exists; 0 means only strong induction consolidates).
    pub protein_baseline: f64,
    /// Fraction of a neuron's spines carrying LTP tags that triggers protein synthesis
    /// there (strong induction tags many synapses at once; scattered noise-driven tags do
    /// not trigger; an assumption in the spirit of Clopath et al. 2008).
    pub protein_trigger_fraction: f64,
    /// How long triggered protein stays available, min (≈ 1 h: Frey & Morris 1997).
    pub protein_duration_min: f64,
    /// Protein level at which tagged spines capture it and consolidate.
    pub capture_threshold: f64,
    /// Relative weight change of a spine per unit of early efficacy change: a full early
    /// potentiation (ρ 0 → 1) raises the weight by this fraction, a full depression lowers it
    /// as much (0.5: early LTP of ≈ +50 %, Bliss & Collingridge 1993; an assumption).
    pub early_gain: f64,
    /// Back-propagating action potential calcium per compartment relative to proximal
    /// dendrites (it attenuates along the apical dendrite: Stuart & Sakmann 1994; values
    /// are assumptions).
    pub bap_basal: f64,
    /// See `bap_basal`.
    pub bap_apical_tuft: f64,
    /// Period of the census (`census.csv`, size histograms), ms.
    pub census_every_ms: f64,
    /// Spontaneous release rate per synapse, Hz: with the spines per neuron it gives the
    /// simulated mEPSC frequency of `mepsc.csv` (≈ 0.01–0.02 Hz per bouton: Murthy & Stevens
    /// 1999 Nature 392:497; Sara et al. 2005 Neuron 45:563; 0.01 used).
    pub mini_rate_per_synapse_hz: f64,
}

impl Default for SpineParams {
    fn default() -> Self {
        Self {
            density_per_um: 1.0,
            median_volume_um3: 0.1,
            log_volume_sd: 0.8,
            nascent_median_volume_um3: 0.03,
            fluctuation_days: 5.0,
            formation_per_um_per_day: 0.0048,
            elimination_stable_per_day: 0.0029,
            elimination_nascent_per_day: 0.25,
            maturation_per_day: 0.375,
            size_exponent: 0.5,
            tag_threshold: 0.5,
            tag_lifetime_min: 90.0,
            protein_baseline: 0.0,
            protein_trigger_fraction: 0.25,
            protein_duration_min: 60.0,
            capture_threshold: 0.5,
            early_gain: 0.5,
            bap_basal: 1.0,
            bap_apical_tuft: 0.5,
            census_every_ms: 3_600_000.0,
            mini_rate_per_synapse_hz: 0.01,
        }
    }
}

impl SpineParams {
    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        c.positive("density_per_um", self.density_per_um);
        c.positive("median_volume_um3", self.median_volume_um3);
        c.non_negative("log_volume_sd", self.log_volume_sd);
        c.positive("nascent_median_volume_um3", self.nascent_median_volume_um3);
        c.positive("fluctuation_days", self.fluctuation_days);
        for (key, v) in [
            ("formation_per_um_per_day", self.formation_per_um_per_day),
            (
                "elimination_stable_per_day",
                self.elimination_stable_per_day,
            ),
            (
                "elimination_nascent_per_day",
                self.elimination_nascent_per_day,
            ),
            ("maturation_per_day", self.maturation_per_day),
            ("size_exponent", self.size_exponent),
            ("protein_duration_min", self.protein_duration_min),
            ("bap_basal", self.bap_basal),
            ("bap_apical_tuft", self.bap_apical_tuft),
            ("mini_rate_per_synapse_hz", self.mini_rate_per_synapse_hz),
        ] {
            c.non_negative(key, v);
        }
        c.within("tag_threshold", self.tag_threshold, 0.0, 1.0);
        c.positive("tag_lifetime_min", self.tag_lifetime_min);
        c.within("protein_baseline", self.protein_baseline, 0.0, 1.0);
        c.within(
            "protein_trigger_fraction",
            self.protein_trigger_fraction,
            0.0,
            1.0,
        );
        c.within("capture_threshold", self.capture_threshold, 0.0, 1.0);
        c.within("early_gain", self.early_gain, 0.0, 1.0);
        c.positive("census_every_ms", self.census_every_ms);
        out
    }

    /// Relative bAP calcium in `compartment`.
    pub fn bap(&self, compartment: super::Compartment) -> f32 {
        match compartment {
            super::Compartment::Proximal => 1.0,
            super::Compartment::Basal => self.bap_basal as f32,
            super::Compartment::ApicalTuft => self.bap_apical_tuft as f32,
        }
    }

    /// Elimination rate per day of a spine of `volume_um3` (`mature` or nascent): the stated
    /// rate times (V/V_median)^−κ / E[(V/V_median)^−κ], the normaliser being that of the
    /// stationary lognormal, exp(κ²σ²/2).
    pub fn elimination_per_day(&self, volume_um3: f64, mature: bool) -> f64 {
        let base = if mature {
            self.elimination_stable_per_day
        } else {
            self.elimination_nascent_per_day
        };
        let k = self.size_exponent;
        let normaliser = (k * k * self.log_volume_sd * self.log_volume_sd / 2.0).exp();
        base * (volume_um3 / self.median_volume_um3).powf(-k) / normaliser
    }
}
