//! Parameters of the per-neuron signalling model (the scenario's `[signalling]` table).

use serde::{Deserialize, Serialize};

use crate::validate::{Checker, Violation};

/// Time constants, couplings and switches of [`super::Signalling`].
///
/// Every species is a fold over its baseline and relaxes to a target with its own time
/// constant. Targets are power laws of the upstream folds (the S-system approximation of
/// Savageau 1969 J Theor Biol 25:365: a log-linear response around the operating point),
/// so a target is exactly 1 whenever its inputs are; an *elasticity* is the exponent (a 1 %
/// change upstream moves the target by `elasticity` %). Where a fraction of a rate is
/// regulated and the rest is not, the target is `(1 − share) + share · regulated`.
///
/// Most couplings are not pinned by a measurement in the form needed here; their docs say
/// "assumption" and why the value is plausible. Time constants of kinases follow the
/// minutes-scale phosphorylation seen after BDNF or ketamine; those of proteins and
/// structure follow the hours-to-days scales of BIOLOGY.md.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignallingParams {
    /// eEF2 kinase present. `false` models the eEF2K knockout of Autry et al. 2011 (Nature
    /// 475:91) and Nosyreva et al. 2013 (J Neurosci 33:6990): eEF2K and p-eEF2 no longer
    /// read resting NMDA Ca²⁺ and stay at (their own) baseline, so a resting block cannot
    /// de-repress BDNF translation.
    pub eef2k_enabled: bool,
    /// Translation possible. `false` models a translation inhibitor (anisomycin,
    /// cycloheximide: Nosyreva et al. 2013): BDNF and synaptic protein synthesis stop, and
    /// both pools decay with their own time constants (so every protein-driven output falls
    /// below 1 over hours to days, rather than merely not rising).
    pub protein_synthesis_enabled: bool,
    /// BDNF present. `false` models the BDNF knockout (Autry et al. 2011; Nosyreva et al.
    /// 2013): BDNF mRNA and protein are held at 1 (their fold is undefined) and TrkB reads
    /// no BDNF, so TrkB and everything downstream keeps its own baseline unless the
    /// translation inhibitor or rapamycin acts.
    pub bdnf_enabled: bool,
    /// Longest internal sub-step, s. Each first-order variable is advanced exactly for
    /// frozen inputs; sub-steps keep the upstream→downstream coupling accurate when the
    /// caller's step is long (up to 1 h). 30 s: well under the fastest kinase time
    /// constant that matters for outputs (5 min).
    pub max_substep_s: f64,

    // ---- stress --------------------------------------------------------------------
    /// Time constant of the allostatic stress load, days: it low-passes the corticosterone
    /// fold, so daily pulses act through their running mean. Assumption: 1 week of daily
    /// restraint already retracts apical dendrites in rat mPFC (Brown, Henning & Wellman
    /// 2005 Cereb Cortex 15:1714), so the load must build within days.
    pub stress_load_tau_days: f64,
    /// BDNF transcription falls as exp(−gain · (load − 1)). Chronic stress and
    /// corticosterone lower BDNF mRNA by roughly 20–40 % (Smith et al. 1995 J Neurosci
    /// 15:1768; Duman & Monteggia 2006 Biol Psychiatry 59:1116); 0.5 gives −22 % at a load
    /// excess of 0.5 (assumption: a sustained mean corticosterone excess of 0.5–1 fold).
    pub stress_bdnf_mrna_gain: f64,
    /// Spine elimination rises as exp(gain · (load − 1)) (Liu & Aghajanian 2008 PNAS
    /// 105:359; Radley et al. 2004 Neuroscience 125:1). 2.0 is an assumption: with the
    /// adult stable-spine elimination of PL-03 (≈ 0.3 %/day) a loss of 20–40 % within 21
    /// days (SR-01) needs elimination several times higher, and 2.0 gives ×2.7 at a load
    /// excess of 0.5 and ×7.4 at 1.
    pub elimination_stress_gain: f64,
    /// The apical dendrite's length relaxes to exp(−gain · (load − 1)). Repeated stress
    /// shortens apical dendrites of mPFC L2/3–5 pyramids by ≈ 20 % (Radley et al. 2004;
    /// Liu & Aghajanian 2008); 0.3 gives −14 % at a load excess of 0.5 and −26 % at 1
    /// (assumption).
    pub dendrite_stress_gain: f64,
    /// Time constant of apical dendrite retraction and regrowth, days. Retraction reverses
    /// within 3 weeks after stress ends (Radley et al. 2005 Exp Neurol 196:199); 7 days
    /// leaves < 10 % of the atrophy after 21 days (assumption).
    pub dendrite_tau_days: f64,

    // ---- BDNF ----------------------------------------------------------------------
    /// Time constant of BDNF mRNA, h (mean mRNA half-life in mammalian cells ≈ 7–9 h:
    /// Sharova et al. 2009 DNA Res 16:45; Schwanhäusser et al. 2011 Nature 473:337 →
    /// τ ≈ 10 h; assumption for Bdnf specifically).
    pub bdnf_mrna_tau_h: f64,
    /// Largest fractional rise (or fall) of BDNF transcription that AMPK can cause; the
    /// factor is 1 + max · (ampk − 1)/(ampk + 1), bounded in (1 − max, 1 + max). AMPK's
    /// up-regulation of BDNF is partial and qualitative in the review (BIOLOGY.md §4; via
    /// PGC-1α/FNDC5: Wrann et al. 2013 Cell Metab 18:649); 0.2 is an assumption that keeps
    /// it a minor path.
    pub ampk_bdnf_mrna_max: f64,
    /// Time constant of BDNF protein, min. Assumption: Autry et al. 2011 see BDNF protein
    /// up within 30 min of ketamine, which needs a turnover of the order of an hour (a
    /// pool relaxes by 1 − exp(−t/τ) of its new target in time t).
    pub bdnf_tau_min: f64,
    /// Elasticity of BDNF translation to p-eEF2 (rate ∝ p-eEF2^−e). Autry et al. 2011
    /// report a fall of p-eEF2 and a rise of BDNF protein of similar size, so 1
    /// (assumption).
    pub bdnf_eef2_elasticity: f64,
    /// Share of baseline BDNF translation that depends on mTORC1 (through p70S6K and
    /// 4E-BP1 like other dendritic mRNAs: Takei et al. 2004 J Neurosci 24:9760); it reads
    /// the same saturating mTORC1 translation term as synaptic proteins. 0.1 is an
    /// assumption; it closes a positive loop BDNF → TrkB → mTORC1 → BDNF whose gain at
    /// baseline is ≈ 0.1 · 6 · 0.9 · 0.5 ≈ 0.27, and the saturation bounds it far from it.
    pub bdnf_mtor_share: f64,
    /// Share of BDNF protein loss that is activity-dependent release rather than
    /// degradation at baseline activity. Release is regulated (Hartmann et al. 2001 EMBO J
    /// 20:5887; Kuczewski et al. 2009 Mol Neurobiol 39:37); 0.2 is an assumption.
    pub bdnf_release_share: f64,
    /// Elasticity of BDNF release to the activity fold. Release needs depolarisation and
    /// is favoured by bursts (Hartmann et al. 2001), taken as proportional here
    /// (assumption, a simplification of a supralinear dependence).
    pub release_activity_elasticity: f64,

    // ---- eEF2 path -----------------------------------------------------------------
    /// Share of eEF2 kinase activity at rest driven by Ca²⁺ entry through NMDA receptors
    /// opened by spontaneous release (the rest: other Ca²⁺/calmodulin sources). Blocking
    /// NMDA miniature currents lowers p-eEF2 within minutes (Sutton et al. 2007 Neuron
    /// 55:648, where blocking minis removed most of the resting phosphorylation); 0.8 is an
    /// assumption reading "most" as four fifths.
    pub eef2k_nmda_share: f64,
    /// Time constant of eEF2 kinase activity, min (Ca²⁺/calmodulin activation is fast;
    /// assumption).
    pub eef2k_tau_min: f64,
    /// Time constant of p-eEF2, min (dephosphorylation within minutes of blocking minis:
    /// Sutton et al. 2007; assumption).
    pub p_eef2_tau_min: f64,

    // ---- TrkB and kinases ------------------------------------------------------------
    /// Time constant of TrkB activation (released BDNF reaching and phosphorylating TrkB),
    /// min. TrkB, Akt and ERK phosphorylation peak 5–15 min after BDNF application (Ji et
    /// al. 2010 Nat Neurosci 13:302); assumption.
    pub trkb_tau_min: f64,
    /// Time constant of TrkB desensitisation (internalisation and down-regulation after
    /// ligand binding), min. Surface TrkB falls within tens of minutes of BDNF (Haapasalo et
    /// al. 2002 J Biol Chem 277:43160; Sommerfeld et al. 2000 J Biol Chem 275:8982); 30 min
    /// is an assumption.
    pub trkb_desensitisation_tau_min: f64,
    /// Strength of desensitisation: TrkB activation ∝ release / desensitisation^strength,
    /// so a sustained release fold r leaves r^(1 − strength). Ji et al. 2010: an abrupt
    /// BDNF rise gives transient TrkB signalling, sustained BDNF a smaller sustained one;
    /// 0.5 is an assumption (partial adaptation).
    pub trkb_desensitisation_strength: f64,
    /// Elasticity of p-Akt to TrkB activation (PI3K route; assumption 1).
    pub akt_trkb_elasticity: f64,
    /// Elasticity of p-ERK to TrkB activation (Ras–MAPK route; assumption 1).
    pub erk_trkb_elasticity: f64,
    /// Time constant of p-Akt, min (assumption, see `trkb_tau_min`).
    pub akt_tau_min: f64,
    /// Time constant of p-ERK, min (assumption, see `trkb_tau_min`).
    pub erk_tau_min: f64,
    /// Weight of Akt (vs ERK) in mTORC1 activation; mTORC1 ∝ Akt^w · ERK^(1−w). Both
    /// converge on TSC2 (Akt directly, ERK via RSK); Li et al. 2010 Science 329:959 block
    /// the ketamine response with either PI3K or MEK inhibitors. 0.5: equal (assumption).
    pub mtor_akt_weight: f64,
    /// Time constant of p-mTOR (mTORC1 activity), min (assumption).
    pub mtor_tau_min: f64,
    /// Time constant of p-p70S6K, min (assumption).
    pub p70s6k_tau_min: f64,
    /// Time constant of p-4E-BP1, min (assumption).
    pub p4ebp1_tau_min: f64,
    /// Elasticity of p-GSK-3β (Ser9) to p-Akt (Akt phosphorylates Ser9: Cross et al. 1995
    /// Nature 378:785; ketamine raises it in vivo: Beurel et al. 2011 Mol Psychiatry
    /// 16:1068). 1 (assumption).
    pub gsk3b_akt_elasticity: f64,
    /// Time constant of p-GSK-3β, min (assumption).
    pub gsk3b_tau_min: f64,

    // ---- synaptic protein synthesis --------------------------------------------------
    /// Share of baseline synaptic protein synthesis that depends on mTORC1. Rapamycin
    /// blocks induced dendritic translation (Takei et al. 2004; Li et al. 2010) but lowers
    /// global translation only partly (Thoreen et al. 2009 J Biol Chem 284:8023). 0.1 is an
    /// assumption: a small, steeply mTORC1-dependent share (5'TOP-like mRNAs: Thoreen et
    /// al. 2012 Nature 485:109), so that rapamycin alone lowers synthesis by only ≈ 10 %
    /// (Li et al. 2010 see no effect of rapamycin alone on spines) while kinase activation
    /// still raises it.
    pub synthesis_mtor_share: f64,
    /// Elasticity of mTORC1-dependent synthesis to p-p70S6K (→ eIF4B, S6). BDNF raises
    /// dendritic translation of synaptic mRNAs severalfold through mTOR (Takei et al. 2004;
    /// Schratt et al. 2004 J Neurosci 24:7366). 3 with 3 for 4E-BP1 (assumption: the
    /// mTORC1-hypersensitive share responds steeply; a 1.45-fold rise of both kinases
    /// raises it ≈ 5-fold after saturation).
    pub synthesis_p70s6k_elasticity: f64,
    /// Elasticity of mTORC1-dependent synthesis to p-4E-BP1 (→ eIF4E release; assumption,
    /// see above).
    pub synthesis_4ebp1_elasticity: f64,
    /// Largest fold of mTORC1-dependent translation (the power law above saturates
    /// there). Assumption: the translation of mTORC1-hypersensitive (5'TOP-like) mRNAs
    /// spans about an order of magnitude between full inhibition and full activation
    /// (Thoreen et al. 2012 Nature 485:109), so 10.
    pub synthesis_mtor_max_fold: f64,
    /// Time constant of the synaptic protein synthesis rate, h: induced translation outlasts
    /// the kinase burst (LTP's protein-synthesis window ≈ 1–2 h: Frey & Morris 1997 Nature
    /// 385:533; newly made eEF1A sustains translation: Tsokas et al. 2005 J Neurosci
    /// 25:5833). 1 h is an assumption.
    pub synthesis_tau_h: f64,
    /// Time constant of the lumped synaptic protein pool (PSD-95, GluA1, synapsin I), h.
    /// Half-lives differ: GluA1 ≈ 1–2 days (Ehlers 2000 Neuron 28:511), most neuronal
    /// proteins 2–6 days in culture (Cohen et al. 2013 PLoS One 8:e63191; Dörrbaum et al.
    /// 2018 eLife 7:e34202), PSD-95 in cortex 10–16 days in vivo (Bulovaite et al. 2022
    /// Neuron 110:4057). 48 h (half-life 1.4 days) is an assumption at the short end, since
    /// the pool's rise must be visible within hours (S-03) and a longer τ makes it smaller
    /// still.
    pub protein_tau_h: f64,
    /// Share of a synapse's AMPA receptor content renewed from local synthesis over hours:
    /// the target of the AMPA content is `(1 − share) + share · synthesis`. Newly made GluA1
    /// is inserted at synapses within about an hour (Ju et al. 2004 Nat Neurosci 7:244), and
    /// blocking miniature NMDA transmission scales AMPA responses up through local
    /// translation within hours (Sutton et al. 2006 Cell 125:785; Nosyreva et al. 2013).
    /// 0.5 is an assumption.
    pub ampa_synthesis_share: f64,
    /// Time constant of the synaptic AMPA content, h: the fast, functional counterpart of the
    /// slow protein pool (assumption: 1 h, the insertion time above).
    pub ampa_content_tau_h: f64,

    // ---- structural drive ------------------------------------------------------------
    /// Elasticity of spinogenesis to the synaptic protein pool. Assumption and the main
    /// calibration knob: a 1-h activity surge raises the pool by only a few % (it turns over
    /// in days), yet spine formation rises clearly within 24 h (ST-01, ST-03), so formation
    /// must be steeply dependent on protein supply. 10: +0.5 % protein → formation ×1.05,
    /// −5 % (chronic stress) → ×0.6.
    pub spinogenesis_protein_elasticity: f64,
    /// Elasticity of spinogenesis to TrkB activation (BDNF–TrkB–ERK promotes spine growth
    /// directly: Ji et al. 2010; Alonso et al. 2004 Learn Mem 11:172). 0 by default, so
    /// BDNF acts on formation only through TrkB → mTORC1 → protein: the ketamine spine gain
    /// is rapamycin-sensitive (S-04) and absent at 6 h (ST-03), which a direct, fast TrkB
    /// term would violate.
    pub spinogenesis_trkb_elasticity: f64,
    /// Time constant of spinogenesis, h: the delay between the protein rise and new spines.
    /// Moda-Sava et al. 2019 Science 364:eaat8078 see no rise in spine formation within 6 h
    /// of ketamine but a clear one at 12–24 h (ST-03); 8 h (two stages of 4 h, a gamma
    /// delay that keeps the early rise small) is an assumption consistent with that
    /// timeline.
    pub spinogenesis_tau_h: f64,
    /// Elasticity of the head-growth drive to the synaptic protein pool (new PSD-95 and
    /// GluA1 enlarge heads: ST-05, Liu RJ et al. 2013 Neuropsychopharmacology 38:2268).
    /// 2.0: +1 % protein → +2 % target volume (assumption).
    pub enlargement_protein_elasticity: f64,
}

impl Default for SignallingParams {
    fn default() -> Self {
        Self {
            eef2k_enabled: true,
            protein_synthesis_enabled: true,
            bdnf_enabled: true,
            max_substep_s: 30.0,
            stress_load_tau_days: 3.0,
            stress_bdnf_mrna_gain: 0.5,
            elimination_stress_gain: 2.0,
            dendrite_stress_gain: 0.3,
            dendrite_tau_days: 7.0,
            bdnf_mrna_tau_h: 10.0,
            ampk_bdnf_mrna_max: 0.2,
            bdnf_tau_min: 60.0,
            bdnf_eef2_elasticity: 1.0,
            bdnf_mtor_share: 0.1,
            bdnf_release_share: 0.2,
            release_activity_elasticity: 1.0,
            eef2k_nmda_share: 0.8,
            eef2k_tau_min: 1.0,
            p_eef2_tau_min: 5.0,
            trkb_tau_min: 5.0,
            trkb_desensitisation_tau_min: 30.0,
            trkb_desensitisation_strength: 0.5,
            akt_trkb_elasticity: 1.0,
            erk_trkb_elasticity: 1.0,
            akt_tau_min: 5.0,
            erk_tau_min: 5.0,
            mtor_akt_weight: 0.5,
            mtor_tau_min: 10.0,
            p70s6k_tau_min: 10.0,
            p4ebp1_tau_min: 10.0,
            gsk3b_akt_elasticity: 1.0,
            gsk3b_tau_min: 10.0,
            synthesis_mtor_share: 0.1,
            synthesis_p70s6k_elasticity: 3.0,
            synthesis_4ebp1_elasticity: 3.0,
            synthesis_mtor_max_fold: 10.0,
            synthesis_tau_h: 1.0,
            protein_tau_h: 48.0,
            ampa_synthesis_share: 0.5,
            ampa_content_tau_h: 1.0,
            spinogenesis_protein_elasticity: 10.0,
            spinogenesis_trkb_elasticity: 0.0,
            spinogenesis_tau_h: 8.0,
            enlargement_protein_elasticity: 2.0,
        }
    }
}

impl SignallingParams {
    /// Appends every parameter outside its allowed range to `c`.
    pub fn check(&self, c: &mut Checker<'_>) {
        c.within("max_substep_s", self.max_substep_s, 0.01, 3600.0);
        c.within(
            "synthesis_mtor_max_fold",
            self.synthesis_mtor_max_fold,
            1.0,
            100.0,
        );
        for (key, v) in [
            ("stress_load_tau_days", self.stress_load_tau_days),
            ("dendrite_tau_days", self.dendrite_tau_days),
            ("bdnf_mrna_tau_h", self.bdnf_mrna_tau_h),
            ("bdnf_tau_min", self.bdnf_tau_min),
            ("eef2k_tau_min", self.eef2k_tau_min),
            ("p_eef2_tau_min", self.p_eef2_tau_min),
            ("trkb_tau_min", self.trkb_tau_min),
            (
                "trkb_desensitisation_tau_min",
                self.trkb_desensitisation_tau_min,
            ),
            ("akt_tau_min", self.akt_tau_min),
            ("erk_tau_min", self.erk_tau_min),
            ("mtor_tau_min", self.mtor_tau_min),
            ("p70s6k_tau_min", self.p70s6k_tau_min),
            ("p4ebp1_tau_min", self.p4ebp1_tau_min),
            ("gsk3b_tau_min", self.gsk3b_tau_min),
            ("synthesis_tau_h", self.synthesis_tau_h),
            ("protein_tau_h", self.protein_tau_h),
            ("ampa_content_tau_h", self.ampa_content_tau_h),
            ("spinogenesis_tau_h", self.spinogenesis_tau_h),
        ] {
            c.positive(key, v);
        }
        // Gains and elasticities: a sign flip would invert the biology, and very large
        // values overflow the power laws, so they are bounded.
        for (key, v) in [
            ("stress_bdnf_mrna_gain", self.stress_bdnf_mrna_gain),
            ("elimination_stress_gain", self.elimination_stress_gain),
            ("dendrite_stress_gain", self.dendrite_stress_gain),
            ("bdnf_eef2_elasticity", self.bdnf_eef2_elasticity),
            (
                "release_activity_elasticity",
                self.release_activity_elasticity,
            ),
            ("akt_trkb_elasticity", self.akt_trkb_elasticity),
            ("erk_trkb_elasticity", self.erk_trkb_elasticity),
            ("gsk3b_akt_elasticity", self.gsk3b_akt_elasticity),
            (
                "synthesis_p70s6k_elasticity",
                self.synthesis_p70s6k_elasticity,
            ),
            (
                "synthesis_4ebp1_elasticity",
                self.synthesis_4ebp1_elasticity,
            ),
            (
                "spinogenesis_protein_elasticity",
                self.spinogenesis_protein_elasticity,
            ),
            (
                "spinogenesis_trkb_elasticity",
                self.spinogenesis_trkb_elasticity,
            ),
            (
                "enlargement_protein_elasticity",
                self.enlargement_protein_elasticity,
            ),
        ] {
            c.within(key, v, 0.0, 20.0);
        }
        for (key, v) in [
            ("ampk_bdnf_mrna_max", self.ampk_bdnf_mrna_max),
            ("bdnf_mtor_share", self.bdnf_mtor_share),
            ("bdnf_release_share", self.bdnf_release_share),
            ("eef2k_nmda_share", self.eef2k_nmda_share),
            (
                "trkb_desensitisation_strength",
                self.trkb_desensitisation_strength,
            ),
            ("mtor_akt_weight", self.mtor_akt_weight),
            ("synthesis_mtor_share", self.synthesis_mtor_share),
            ("ampa_synthesis_share", self.ampa_synthesis_share),
        ] {
            c.within(key, v, 0.0, 1.0);
        }
    }

    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(&mut Checker::new("", &mut out));
        out
    }
}
