//! Intracellular signalling per neuron: the BDNF–TrkB–mTORC1 and eEF2 paths from network
//! activity to synaptic protein synthesis and structural drive (BIOLOGY.md §3–6).
//!
//! The model is a cascade of first-order variables, each a *fold over its baseline*
//! (1 = baseline), each relaxing to a target set by the variables upstream of it:
//!
//! ```text
//! corticosterone → stress load ─┬→ apical dendrite length
//!                               ├→ spine elimination
//!   AMPK ─────────┐             ↓
//!                 └────→ BDNF mRNA ─┐
//! resting NMDA Ca²⁺ → eEF2K → p-eEF2 ┴→ BDNF protein ←──────────────┐ (mTORC1 share)
//!                    activity ──────→ release ─→ TrkB (desensitises) │
//!                                                ├→ p-Akt ─┬→ p-GSK-3β (Ser9)
//!                                                └→ p-ERK ─┴→ p-mTOR (rapamycin)
//!                                                              ├→ p-p70S6K ─┐
//!                                                              └→ p-4E-BP1 ─┴→ synthesis
//!   synthesis ─┬→ synaptic protein pool → spinogenesis (two-stage delay), head growth
//!              └→ synaptic AMPA content (GluA1 insertion, hours) → spine AMPA conductance
//! ```
//!
//! Activity drives BDNF *release* (Hartmann et al. 2001 EMBO J 20:5887); released BDNF
//! activates TrkB, and through Akt and ERK, mTORC1 and its targets (Li et al. 2010 Science
//! 329:959). Resting NMDA Ca²⁺ from spontaneous release keeps eEF2 kinase active; blocking
//! it lets eEF2 dephosphorylate and de-represses BDNF translation within ~30 min, without a
//! change in BDNF mRNA (Autry et al. 2011 Nature 475:91; Sutton et al. 2007 Neuron 55:648;
//! Nosyreva et al. 2013 J Neurosci 33:6990). Stress acts through a slow allostatic load
//! that lowers BDNF transcription and drives spine elimination and apical atrophy (Duman &
//! Monteggia 2006; Liu & Aghajanian 2008 PNAS 105:359; Radley et al. 2004, 2005).
//!
//! Simplifications: each species stands for a pool (phosphorylated fraction, protein
//! level) with one time constant; targets are power laws around baseline (see
//! [`SignallingParams`]); p70S6K and 4E-BP1 are equally rapamycin-sensitive, although
//! 4E-BP1 phosphorylation is partly rapamycin-resistant (Choo et al. 2008 PNAS
//! 105:17414); only the transience of the activity input and TrkB desensitisation end
//! the kinase response (no phosphatase feedback, no S6K → IRS-1 loop); PSD-95, GluA1 and
//! synapsin I are one pool.
//!
//! Numerics: within a step the inputs are frozen; each variable is advanced by the exact
//! solution of its linear relaxation toward a target computed from its upstream
//! variables' averages over the sub-step (the upstream ones are already advanced), in
//! upstream→downstream order. Steps longer than `max_substep_s` are cut into equal
//! sub-steps, so the scheme is unconditionally stable and accurate for steps of 1 s to 1 h.
//! The one loop (BDNF → TrkB → mTORC1 → BDNF translation) reads the loop's values at the
//! start of the sub-step. At baseline inputs every target is exactly 1 and so is the state.

mod params;
#[cfg(test)]
mod tests;

pub use params::SignallingParams;

use std::ops::Range;

/// A signalling species, each stored as a fold over its baseline. The order is the update
/// order (upstream before downstream) and the column order of recorded tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Species {
    /// Allostatic stress load: the corticosterone fold low-passed over days.
    StressLoad,
    /// Apical dendrite length (atrophies under stress load, regrows after).
    DendriteLength,
    /// BDNF mRNA (transcription; lowered by stress load, raised a little by AMPK).
    BdnfMrna,
    /// eEF2 kinase activity (Ca²⁺/calmodulin from resting NMDA Ca²⁺ entry).
    Eef2k,
    /// Phosphorylated eEF2 (Thr56), which represses BDNF translation.
    PEef2,
    /// BDNF protein (intracellular stock available for release).
    Bdnf,
    /// TrkB desensitisation (internalisation / down-regulation), tracking BDNF release.
    TrkbDesensitisation,
    /// TrkB activation by released BDNF.
    TrkB,
    /// Phosphorylated Akt.
    PAkt,
    /// Phosphorylated ERK.
    PErk,
    /// GSK-3β phosphorylated at Ser9 (inhibited) by Akt.
    PGsk3b,
    /// Phosphorylated mTOR: mTORC1 activity.
    PMtor,
    /// Phosphorylated p70S6K (→ eIF4B, S6).
    PP70s6k,
    /// Phosphorylated 4E-BP1 (releases eIF4E).
    P4ebp1,
    /// Synaptic protein synthesis rate.
    Synthesis,
    /// Synaptic protein pool (PSD-95, GluA1, synapsin I lumped).
    Protein,
    /// Synaptic AMPA receptor content: scales every spine's AMPA conductance (the fast,
    /// functional route from local synthesis to transmission).
    AmpaContent,
    /// First stage of the spinogenesis delay (protein supply being turned into spine
    /// precursors).
    SpinogenesisDrive,
    /// Spinogenesis: the spine formation rate multiplier (second stage of the delay).
    Spinogenesis,
}

impl Species {
    /// Number of species.
    pub const COUNT: usize = 19;

    /// Every species in update (and column) order.
    pub const ALL: [Species; Species::COUNT] = [
        Species::StressLoad,
        Species::DendriteLength,
        Species::BdnfMrna,
        Species::Eef2k,
        Species::PEef2,
        Species::Bdnf,
        Species::TrkbDesensitisation,
        Species::TrkB,
        Species::PAkt,
        Species::PErk,
        Species::PGsk3b,
        Species::PMtor,
        Species::PP70s6k,
        Species::P4ebp1,
        Species::Synthesis,
        Species::Protein,
        Species::AmpaContent,
        Species::SpinogenesisDrive,
        Species::Spinogenesis,
    ];

    /// Stable snake_case name, used as a CSV column name.
    pub fn name(self) -> &'static str {
        match self {
            Species::StressLoad => "stress_load",
            Species::DendriteLength => "dendrite_length",
            Species::BdnfMrna => "bdnf_mrna",
            Species::Eef2k => "eef2k",
            Species::PEef2 => "p_eef2",
            Species::Bdnf => "bdnf",
            Species::TrkbDesensitisation => "trkb_desensitisation",
            Species::TrkB => "trkb",
            Species::PAkt => "p_akt",
            Species::PErk => "p_erk",
            Species::PGsk3b => "p_gsk3b",
            Species::PMtor => "p_mtor",
            Species::PP70s6k => "p_p70s6k",
            Species::P4ebp1 => "p_4ebp1",
            Species::Synthesis => "synthesis",
            Species::Protein => "protein",
            Species::AmpaContent => "ampa_content",
            Species::SpinogenesisDrive => "spinogenesis_drive",
            Species::Spinogenesis => "spinogenesis",
        }
    }

    /// Position in [`Species::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What the network gives signalling for one step. Folds over baseline; values are
/// clamped to [0, 1000] (NaN counts as 0), `mtorc1_inhibition` to [0, 1]. A per-neuron
/// slice shorter than the modelled set leaves the missing neurons at baseline input.
#[derive(Debug, Clone, Copy)]
pub struct SignallingInputs<'a> {
    /// AMPA-driven depolarisation / firing rate per neuron: drives BDNF release.
    pub activity_fold: &'a [f32],
    /// Ca²⁺ entry through NMDA receptors at rest (NMDA-mEPSCs) per neuron: drives eEF2K.
    /// Falls when ketamine blocks NMDA receptors.
    pub resting_nmda_fold: &'a [f32],
    /// Fraction of mTORC1 activity blocked (rapamycin), same for every neuron.
    pub mtorc1_inhibition: f64,
    /// Corticosterone: drives the stress load.
    pub corticosterone_fold: f64,
    /// AMPK activity: a small rise of BDNF transcription.
    pub ampk_fold: f64,
}

impl SignallingInputs<'_> {
    /// Baseline inputs for every neuron (empty slices read as baseline).
    pub const BASELINE: SignallingInputs<'static> = SignallingInputs {
        activity_fold: &[],
        resting_nmda_fold: &[],
        mtorc1_inhibition: 0.0,
        corticosterone_fold: 1.0,
        ampk_fold: 1.0,
    };
}

/// Multipliers signalling applies to a neuron's structural rules. All are 1 at baseline
/// and monotone in the species they read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpineDrive {
    /// Spine formation rate multiplier: the spinogenesis species (BDNF–TrkB and the
    /// synaptic protein pool, delayed by hours; ST-03).
    pub formation_fold: f64,
    /// Spine elimination rate multiplier: exp(gain · (stress load − 1)); ketamine leaves it
    /// unchanged (ST-02).
    pub elimination_fold: f64,
    /// Head-growth drive: protein pool ^ elasticity (ST-05).
    pub enlargement_fold: f64,
    /// Apical dendrite length multiplier (stress atrophy, recovery; SR-02).
    pub dendrite_length_fold: f64,
    /// Multiplier of every spine's AMPA conductance (S-08).
    pub ampa_content_fold: f64,
}

impl SpineDrive {
    /// No change to any structural rule.
    pub const BASELINE: SpineDrive = SpineDrive {
        formation_fold: 1.0,
        elimination_fold: 1.0,
        enlargement_fold: 1.0,
        dendrite_length_fold: 1.0,
        ampa_content_fold: 1.0,
    };
}

impl From<SpineDrive> for crate::spines::SpineDrive {
    fn from(d: SpineDrive) -> Self {
        Self {
            formation: d.formation_fold as f32,
            elimination: d.elimination_fold as f32,
            enlargement: d.enlargement_fold as f32,
            dendrite_length: d.dendrite_length_fold as f32,
            ampa_content: d.ampa_content_fold as f32,
        }
    }
}

/// Per-neuron signalling state, one column per species (structure of arrays).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Signalling {
    state: [Vec<f64>; Species::COUNT],
}

/// Largest input fold accepted; larger values are clamped.
const MAX_INPUT_FOLD: f64 = 1000.0;
/// Floor of p-eEF2 in the translation de-repression term (p-eEF2^−e): de-repression
/// saturates once eEF2 is almost fully dephosphorylated.
const MIN_P_EEF2: f64 = 0.05;
/// Floor of the desensitisation variable where it divides TrkB activation.
const MIN_DESENSITISATION: f64 = 1e-3;
/// Bound on the argument of the exponential stress responses.
const MAX_EXP_ARG: f64 = 50.0;

fn clamp_fold(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, MAX_INPUT_FOLD)
    }
}

fn input_at(slice: &[f32], i: usize) -> f64 {
    clamp_fold(slice.get(i).map_or(1.0, |&v| f64::from(v)))
}

fn exp_fold(arg: f64) -> f64 {
    arg.clamp(-MAX_EXP_ARG, MAX_EXP_ARG).exp()
}

/// Exact solution of dx/dt = (target − x)/τ over a sub-step whose decay factor is
/// `decay` = exp(−h/τ).
#[inline(always)]
fn relax(x: f64, target: f64, decay: f64) -> f64 {
    target + (x - target) * decay
}

impl Signalling {
    /// `n_neurons` neurons, every species at baseline (1).
    pub fn at_baseline(n_neurons: usize) -> Self {
        Self {
            state: std::array::from_fn(|_| vec![1.0; n_neurons]),
        }
    }

    /// Number of neurons modelled.
    pub fn len(&self) -> usize {
        self.state[0].len()
    }

    /// Whether no neuron is modelled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One species for every neuron.
    pub fn species(&self, s: Species) -> &[f64] {
        &self.state[s.index()]
    }

    /// Mean of `s` over the neurons in `range`; NaN if the range is empty or out of bounds.
    pub fn mean(&self, s: Species, range: Range<usize>) -> f64 {
        match self.state[s.index()].get(range) {
            Some(v) if !v.is_empty() => v.iter().sum::<f64>() / v.len() as f64,
            _ => f64::NAN,
        }
    }

    /// Structural multipliers for neuron `i`. Panics if `i ≥ len()`.
    pub fn spine_drive(&self, params: &SignallingParams, i: usize) -> SpineDrive {
        let load = self.state[Species::StressLoad.index()][i];
        let protein = self.state[Species::Protein.index()][i];
        SpineDrive {
            formation_fold: self.state[Species::Spinogenesis.index()][i],
            elimination_fold: exp_fold(params.elimination_stress_gain * (load - 1.0)),
            enlargement_fold: protein.pow_elastic(params.enlargement_protein_elasticity),
            dendrite_length_fold: self.state[Species::DendriteLength.index()][i],
            ampa_content_fold: self.state[Species::AmpaContent.index()][i],
        }
    }

    /// Advances every neuron by `dt_s` seconds with `inputs` held constant. Does nothing
    /// for a non-positive or non-finite `dt_s`. Does not allocate.
    pub fn step(&mut self, params: &SignallingParams, inputs: &SignallingInputs<'_>, dt_s: f64) {
        if !(dt_s.is_finite() && dt_s > 0.0) || self.is_empty() {
            return;
        }
        let p = params;
        let max_sub = if p.max_substep_s.is_finite() && p.max_substep_s > 0.0 {
            p.max_substep_s
        } else {
            dt_s
        };
        let n_sub = (dt_s / max_sub).ceil().max(1.0) as usize;
        let h = dt_s / n_sub as f64;

        use Species as S;
        let tau_s = |s: Species| -> f64 {
            match s {
                S::StressLoad => p.stress_load_tau_days * 86_400.0,
                S::DendriteLength => p.dendrite_tau_days * 86_400.0,
                S::BdnfMrna => p.bdnf_mrna_tau_h * 3600.0,
                S::Eef2k => p.eef2k_tau_min * 60.0,
                S::PEef2 => p.p_eef2_tau_min * 60.0,
                S::Bdnf => p.bdnf_tau_min * 60.0,
                S::TrkbDesensitisation => p.trkb_desensitisation_tau_min * 60.0,
                S::TrkB => p.trkb_tau_min * 60.0,
                S::PAkt => p.akt_tau_min * 60.0,
                S::PErk => p.erk_tau_min * 60.0,
                S::PGsk3b => p.gsk3b_tau_min * 60.0,
                S::PMtor => p.mtor_tau_min * 60.0,
                S::PP70s6k => p.p70s6k_tau_min * 60.0,
                S::P4ebp1 => p.p4ebp1_tau_min * 60.0,
                S::Synthesis => p.synthesis_tau_h * 3600.0,
                S::Protein => p.protein_tau_h * 3600.0,
                S::AmpaContent => p.ampa_content_tau_h * 3600.0,
                // Two stages of half the mean delay each (a gamma-distributed delay).
                S::SpinogenesisDrive | S::Spinogenesis => p.spinogenesis_tau_h * 1800.0,
            }
        };
        // Decay factor per species over one sub-step; a non-positive τ (rejected by
        // validation) relaxes at once.
        let decay: [f64; Species::COUNT] = Species::ALL.map(|s| {
            let tau = tau_s(s);
            if tau > 0.0 { (-h / tau).exp() } else { 0.0 }
        });
        let bdnf_tau_s = tau_s(S::Bdnf);

        let inhibition = if inputs.mtorc1_inhibition.is_nan() {
            0.0
        } else {
            inputs.mtorc1_inhibition.clamp(0.0, 1.0)
        };
        let cort = clamp_fold(inputs.corticosterone_fold);
        let ampk = clamp_fold(inputs.ampk_fold);
        let ampk_factor = 1.0 + p.ampk_bdnf_mrna_max * (ampk - 1.0) / (ampk + 1.0);

        // mTORC1-dependent translation (p70S6K → eIF4B, 4E-BP1 → eIF4E): a power law of
        // the two kinases, saturating at `synthesis_mtor_max_fold` (m = (1 + K) y / (K + y),
        // exactly 1 at y = 1).
        let k_sat = (p.synthesis_mtor_max_fold - 1.0).max(0.0);
        let mtor_translation = |s6k: f64, bp1: f64| -> f64 {
            let y = s6k.max(0.0).pow_elastic(p.synthesis_p70s6k_elasticity)
                * bp1.max(0.0).pow_elastic(p.synthesis_4ebp1_elasticity);
            if k_sat > 0.0 {
                (1.0 + k_sat) * y / (k_sat + y)
            } else {
                1.0
            }
        };

        for i in 0..self.len() {
            let activity = input_at(inputs.activity_fold, i);
            let resting_nmda = input_at(inputs.resting_nmda_fold, i);
            let release_activity = activity.pow_elastic(p.release_activity_elasticity);
            // BDNF protein is lost by degradation and by release, so its relaxation rate
            // depends on activity: dB/dt = (production − B · loss)/τ.
            let bdnf_loss = 1.0 + p.bdnf_release_share * (release_activity - 1.0);
            let bdnf_decay = if bdnf_tau_s > 0.0 {
                (-h * bdnf_loss / bdnf_tau_s).exp()
            } else {
                0.0
            };

            let mut x: [f64; Species::COUNT] = std::array::from_fn(|k| self.state[k][i]);
            for _ in 0..n_sub {
                let old = x;
                let mid =
                    |x: &[f64; Species::COUNT], s: Species| 0.5 * (old[s as usize] + x[s as usize]);
                let advance = |x: &mut [f64; Species::COUNT], s: Species, target: f64| {
                    x[s as usize] = relax(x[s as usize], target, decay[s as usize]);
                };

                // Stress.
                advance(&mut x, S::StressLoad, cort);
                let load = mid(&x, S::StressLoad) - 1.0;
                advance(
                    &mut x,
                    S::DendriteLength,
                    exp_fold(-p.dendrite_stress_gain * load),
                );

                // BDNF transcription.
                let mrna_target = if p.bdnf_enabled {
                    exp_fold(-p.stress_bdnf_mrna_gain * load) * ampk_factor
                } else {
                    1.0
                };
                advance(&mut x, S::BdnfMrna, mrna_target);

                // Resting NMDA Ca²⁺ → eEF2K → p-eEF2.
                let eef2k_target = if p.eef2k_enabled {
                    1.0 + p.eef2k_nmda_share * (resting_nmda - 1.0)
                } else {
                    1.0
                };
                advance(&mut x, S::Eef2k, eef2k_target);
                let p_eef2_target = if p.eef2k_enabled {
                    mid(&x, S::Eef2k)
                } else {
                    1.0
                };
                advance(&mut x, S::PEef2, p_eef2_target);

                // BDNF protein: translation ∝ mRNA × eEF2 de-repression × mTORC1 share.
                if p.bdnf_enabled {
                    let production = if p.protein_synthesis_enabled {
                        let derepression = mid(&x, S::PEef2)
                            .max(MIN_P_EEF2)
                            .pow_elastic(-p.bdnf_eef2_elasticity);
                        let mtor =
                            mtor_translation(old[S::PP70s6k as usize], old[S::P4ebp1 as usize]);
                        mid(&x, S::BdnfMrna)
                            * derepression
                            * (1.0 + p.bdnf_mtor_share * (mtor - 1.0))
                    } else {
                        0.0
                    };
                    let b = S::Bdnf as usize;
                    x[b] = relax(x[b], production / bdnf_loss, bdnf_decay);
                } else {
                    x[S::Bdnf as usize] = 1.0;
                }

                // Release → TrkB, with desensitisation.
                let release = if p.bdnf_enabled {
                    release_activity * mid(&x, S::Bdnf)
                } else {
                    1.0
                };
                advance(&mut x, S::TrkbDesensitisation, release);
                let desensitisation = mid(&x, S::TrkbDesensitisation).max(MIN_DESENSITISATION);
                advance(
                    &mut x,
                    S::TrkB,
                    release * desensitisation.pow_elastic(-p.trkb_desensitisation_strength),
                );

                // Kinases.
                let trkb = mid(&x, S::TrkB);
                advance(&mut x, S::PAkt, trkb.pow_elastic(p.akt_trkb_elasticity));
                advance(&mut x, S::PErk, trkb.pow_elastic(p.erk_trkb_elasticity));
                let akt = mid(&x, S::PAkt);
                let erk = mid(&x, S::PErk);
                advance(&mut x, S::PGsk3b, akt.pow_elastic(p.gsk3b_akt_elasticity));
                let mtor_target = akt.pow_elastic(p.mtor_akt_weight)
                    * erk.pow_elastic(1.0 - p.mtor_akt_weight)
                    * (1.0 - inhibition);
                advance(&mut x, S::PMtor, mtor_target);
                let mtor = mid(&x, S::PMtor);
                advance(&mut x, S::PP70s6k, mtor);
                advance(&mut x, S::P4ebp1, mtor);

                // Synaptic protein synthesis and pool.
                let synthesis_target = if p.protein_synthesis_enabled {
                    let m = mtor_translation(mid(&x, S::PP70s6k), mid(&x, S::P4ebp1));
                    1.0 + p.synthesis_mtor_share * (m - 1.0)
                } else {
                    0.0
                };
                advance(&mut x, S::Synthesis, synthesis_target);
                let synthesis = mid(&x, S::Synthesis);
                advance(&mut x, S::Protein, synthesis);
                advance(
                    &mut x,
                    S::AmpaContent,
                    1.0 + p.ampa_synthesis_share * (synthesis - 1.0),
                );

                // Spinogenesis: protein supply and TrkB, delayed by hours.
                let spino_target = mid(&x, S::Protein)
                    .max(0.0)
                    .pow_elastic(p.spinogenesis_protein_elasticity)
                    * mid(&x, S::TrkB)
                        .max(0.0)
                        .pow_elastic(p.spinogenesis_trkb_elasticity);
                advance(&mut x, S::SpinogenesisDrive, spino_target);
                let drive = mid(&x, S::SpinogenesisDrive);
                advance(&mut x, S::Spinogenesis, drive);
            }
            for (k, v) in x.into_iter().enumerate() {
                self.state[k][i] = v;
            }
        }
    }
}

/// `x^e` with the common elasticities (0, 1, 2, −1) done without `powf`, which dominated the
/// slow schedule's profile (perf, ketamine_rat_10mgkg: 26 % of the run in `pow`).
trait PowElastic {
    fn pow_elastic(self, e: f64) -> f64;
}

impl PowElastic for f64 {
    #[inline]
    fn pow_elastic(self, e: f64) -> f64 {
        if e == 1.0 {
            self
        } else if e == 0.0 {
            1.0
        } else if e == 2.0 {
            self * self
        } else if e == -1.0 {
            1.0 / self
        } else {
            self.powf(e)
        }
    }
}
