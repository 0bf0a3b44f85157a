//! The per-step update of a chunk of neurons of one cell type.
//!
//! Two passes over a chunk of up to [`CHUNK`] neurons, whose columns stay in L1 between
//! them: pass 1 consumes the arriving synaptic input, advances conductances and membranes
//! with no data-dependent control flow; pass 2 finds threshold crossings, records spikes and
//! resets. Keeping the rare spike branch out of pass 1 lets it run at full pipeline speed.

use crate::cell_type::{CellType, Environment};
use crate::math::exp;
use crate::neuron::{Integrator, Membrane};
use crate::receptors::{MgBlock, NmdaComponent, decay, decay_factor};

/// Neurons per chunk: the unit of parallel work and of the spike buffers. The hot columns
/// of 512 neurons take ≈ 17 kB (LIF) to ≈ 36 kB (AdEx with three NMDA components), about
/// the 32 kB L1 data cache of the reference machine.
pub const CHUNK: usize = 512;

/// Most NMDA components a cell type can have (GluN2A, GluN2B, GluN2C/D).
pub const MAX_NMDA_COMPONENTS: usize = 3;

/// Constants of one cell type for steps of one `dt`, precomputed once.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Kernel {
    integrator: Integrator,
    dt_ms: f64,
    dt_over_c: f64,
    c_m_pf: f64,
    g_l_ns: f64,
    e_l_mv: f64,
    v_detect_mv: f64,
    v_reset_mv: f64,
    refractory_steps: u16,
    adex: Option<AdexConstants>,
    ampa_decay: f32,
    e_ampa_mv: f64,
    gaba_decay: f32,
    e_gaba_mv: f64,
    nmda: Option<NmdaConstants>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct AdexConstants {
    v_t_mv: f64,
    delta_t_mv: f64,
    /// Largest exponent used: the value at the spike cut-off. Above it the neuron has
    /// spiked anyway; capping keeps exp() finite.
    max_exponent: f64,
    a_ns: f64,
    b_pa: f64,
    w_decay: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct NmdaConstants {
    components: [NmdaComponent; MAX_NMDA_COMPONENTS],
    /// Per component, 1 / its Mg²⁺ dissociation-constant scale (GluN2C/D block less).
    inverse_mg_k_scale: [f32; MAX_NMDA_COMPONENTS],
    n_components: usize,
    e_rev_mv: f64,
    block: MgBlock,
    mg_mm: f64,
}

impl Kernel {
    /// Precomputes the constants of `cell` for steps of `dt_ms`.
    pub fn new(cell: &CellType, env: &Environment, dt_ms: f64, integrator: Integrator) -> Self {
        let m = &cell.membrane;
        let r = &cell.receptors;
        let adex = match m {
            Membrane::Lif(_) => None,
            Membrane::Adex(p) => Some(AdexConstants {
                v_t_mv: p.v_t_mv,
                delta_t_mv: p.delta_t_mv,
                max_exponent: (p.v_spike_mv - p.v_t_mv) / p.delta_t_mv,
                a_ns: p.a_ns,
                b_pa: p.b_pa,
                w_decay: (-dt_ms / p.tau_w_ms).exp(),
            }),
        };
        let nmda = r.nmda.is_active().then(|| {
            let mut components = [NmdaComponent::NONE; MAX_NMDA_COMPONENTS];
            let mut inverse_mg_k_scale = [1.0; MAX_NMDA_COMPONENTS];
            // Subunit-selective antagonists remove their share of the conductance.
            let unblocked = [1.0 - env.glun2a_block, 1.0 - env.glun2b_block, 1.0];
            // Component c is GluN2 class c (2A, 2B, 2C/D), as the drug block and the
            // calcium rule index them; an absent class before a present one keeps a
            // zero-gain slot, absent classes at the end are not stepped.
            let subunits = r.nmda.subunits();
            let n_components = 1 + subunits
                .iter()
                .rposition(|s| s.fraction > 0.0)
                .expect("is_active: some class present");
            for (c, (subunit, open)) in subunits.iter().zip(unblocked).enumerate() {
                if c < n_components && subunit.fraction > 0.0 {
                    components[c] =
                        NmdaComponent::new(subunit, r.nmda.nmda_ampa_ratio * open, dt_ms);
                    inverse_mg_k_scale[c] = (1.0 / subunit.mg_k_scale) as f32;
                }
            }
            NmdaConstants {
                components,
                inverse_mg_k_scale,
                n_components,
                e_rev_mv: r.nmda.e_rev_mv,
                block: r.nmda.mg_block,
                mg_mm: env.mg_mm,
            }
        });
        Self {
            integrator,
            dt_ms,
            dt_over_c: dt_ms / m.c_m_pf(),
            c_m_pf: m.c_m_pf(),
            g_l_ns: m.g_l_ns(),
            e_l_mv: m.e_l_mv(),
            v_detect_mv: m.v_detect_mv(),
            v_reset_mv: m.v_reset_mv(),
            refractory_steps: (m.t_ref_ms() / dt_ms).round() as u16,
            adex,
            ampa_decay: decay_factor(dt_ms, r.ampa.tau_decay_ms),
            e_ampa_mv: r.ampa.e_rev_mv,
            gaba_decay: decay_factor(dt_ms, r.gaba_a.tau_decay_ms),
            e_gaba_mv: r.gaba_a.e_rev_mv,
            nmda,
        }
    }

    /// Number of NMDA components (0 when the cell has no NMDA conductance).
    pub fn n_nmda_components(&self) -> usize {
        self.nmda.as_ref().map_or(0, |n| n.n_components)
    }

    /// True for AdEx cells (which carry an adaptation current).
    pub fn has_adaptation(&self) -> bool {
        self.adex.is_some()
    }

    /// Resting potential, mV.
    pub fn e_l_mv(&self) -> f64 {
        self.e_l_mv
    }

    /// Unblocked NMDA fraction at `v_mv` (1 when the cell has no NMDA).
    pub fn nmda_unblocked(&self, v_mv: f64) -> f64 {
        self.nmda
            .as_ref()
            .map_or(1.0, |n| n.block.unblocked(v_mv, n.mg_mm))
    }

    /// Advances one chunk by one step. `glutamate` and `gaba` hold the input arriving now
    /// and are zeroed; the global indices of neurons that fire are pushed to `spikes`.
    /// `forced` lists neurons made to fire this step (stimulation), as indices from
    /// `forced_offset`, ascending: they spike and reset like any other spike.
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &self,
        s: &mut ChunkState<'_>,
        glutamate: &mut [f32],
        gaba: &mut [f32],
        first: u32,
        spikes: &mut Vec<u32>,
        forced: &[u32],
        forced_offset: u32,
    ) {
        let n = s.v_mv.len();
        debug_assert!(glutamate.len() == n && gaba.len() == n && s.refractory.len() == n);
        spikes.clear();
        self.integrate(s, glutamate, gaba);
        for &f in forced {
            s.v_mv[(f - forced_offset) as usize] = f64::INFINITY;
        }
        // Spikes are rare (≈ 0.2 % of neuron-steps in COBA): test blocks of 16 with one
        // branch-free vector compare and look inside only the blocks that hold a crossing.
        const BLOCK: usize = 16;
        let threshold = self.v_detect_mv;
        for start in (0..n).step_by(BLOCK) {
            let end = (start + BLOCK).min(n);
            if !s.v_mv[start..end]
                .iter()
                .fold(false, |any, &v| any | (v >= threshold))
            {
                continue;
            }
            for i in start..end {
                if s.v_mv[i] >= threshold {
                    spikes.push(first + i as u32);
                    s.v_mv[i] = self.v_reset_mv;
                    s.refractory[i] = self.refractory_steps;
                    if let Some(adex) = &self.adex {
                        s.w_pa[i] += adex.b_pa;
                    }
                }
            }
        }
    }

    /// Pass 1: conductances and membrane, no spike handling. Dispatches once per chunk to
    /// a copy specialised for the cell's receptors, membrane and integrator, so the loop
    /// body holds no test that is the same for every neuron.
    fn integrate(&self, s: &mut ChunkState<'_>, glutamate: &mut [f32], gaba: &mut [f32]) {
        use Integrator::{Euler, ExponentialEuler};
        match (self.nmda.is_some(), self.adex.is_some(), self.integrator) {
            (false, false, Euler) => self.integrate_as::<false, false, false>(s, glutamate, gaba),
            (false, false, ExponentialEuler) => {
                self.integrate_as::<false, false, true>(s, glutamate, gaba)
            }
            (false, true, Euler) => self.integrate_as::<false, true, false>(s, glutamate, gaba),
            (false, true, ExponentialEuler) => {
                self.integrate_as::<false, true, true>(s, glutamate, gaba)
            }
            (true, false, Euler) => self.integrate_as::<true, false, false>(s, glutamate, gaba),
            (true, false, ExponentialEuler) => {
                self.integrate_as::<true, false, true>(s, glutamate, gaba)
            }
            (true, true, Euler) => self.integrate_as::<true, true, false>(s, glutamate, gaba),
            (true, true, ExponentialEuler) => {
                self.integrate_as::<true, true, true>(s, glutamate, gaba)
            }
        }
    }

    fn integrate_as<const NMDA: bool, const ADEX: bool, const EXPONENTIAL: bool>(
        &self,
        s: &mut ChunkState<'_>,
        glutamate: &mut [f32],
        gaba: &mut [f32],
    ) {
        let n = s.v_mv.len();
        // Re-slicing every column to `n` lets the compiler drop per-element bounds checks.
        let (glutamate, gaba) = (&mut glutamate[..n], &mut gaba[..n]);
        let (v_mv, refractory) = (&mut s.v_mv[..n], &mut s.refractory[..n]);
        let (g_ampa_ns, g_gaba_a_ns) = (&mut s.g_ampa_ns[..n], &mut s.g_gaba_a_ns[..n]);
        let i_ext_pa = &s.i_ext_pa[..n];
        let w_pa = if ADEX {
            &mut s.w_pa[..n]
        } else {
            &mut s.w_pa[..0]
        };
        let no_nmda = NmdaConstants {
            components: [NmdaComponent::NONE; MAX_NMDA_COMPONENTS],
            inverse_mg_k_scale: [1.0; MAX_NMDA_COMPONENTS],
            n_components: 0,
            e_rev_mv: 0.0,
            block: MgBlock::default(),
            mg_mm: 0.0,
        };
        let nmda = self.nmda.as_ref().unwrap_or(&no_nmda);
        let no_adex = AdexConstants {
            v_t_mv: 0.0,
            delta_t_mv: 1.0,
            max_exponent: 0.0,
            a_ns: 0.0,
            b_pa: 0.0,
            w_decay: 0.0,
        };
        let adex = self.adex.as_ref().unwrap_or(&no_adex);

        if NMDA {
            // g_nmda = Σ_c g_c · u_c(V) · free_c: each class under its own Mg²⁺ block
            // u_c = 1 / (1 + x / scale_c), x = [Mg²⁺]/K · exp(−s·V) at the start of the step,
            // and the share `free_c` not held by drugs (pharmacology, updated on the slow
            // schedule). One pass computes x; then one plain vectorisable pass per component.
            // Each pass also adds up what the drug-block kinetics need: the open conductance
            // and its Mg²⁺-free part (pharma::block).
            let g_nmda_ns = &mut s.g_nmda_ns[..n];
            let mg_factor = &mut s.nmda_mg_factor[..n];
            let mg_over_k = nmda.mg_mm / nmda.block.k_mm;
            for i in 0..n {
                mg_factor[i] = (mg_over_k * exp(-nmda.block.slope_per_mv * v_mv[i])) as f32;
            }
            g_nmda_ns.fill(0.0);
            for (c, comp) in nmda.components[..nmda.n_components].iter().enumerate() {
                let inverse_scale = nmda.inverse_mg_k_scale[c];
                let rise = &mut s.nmda_rise[c][..n];
                let fall = &mut s.nmda_decay[c][..n];
                let free = &s.nmda_free[c][..n];
                let open = &mut s.nmda_open[c][..n];
                let open_mg_free = &mut s.nmda_open_mg_free[c][..n];
                for i in 0..n {
                    let arriving = glutamate[i] * comp.gain;
                    let (r, d) = (rise[i] + arriving, fall[i] + arriving);
                    let g = d - r;
                    let mg_free = 1.0 / (1.0 + mg_factor[i] * inverse_scale);
                    g_nmda_ns[i] += g * mg_free * free[i];
                    open[i] += g;
                    open_mg_free[i] += g * mg_free;
                    rise[i] = decay(r, comp.rise_factor);
                    fall[i] = decay(d, comp.decay_factor);
                }
            }
        }
        let g_nmda_ns = &s.g_nmda_ns[..if NMDA { n } else { 0 }];

        for i in 0..n {
            let glu = std::mem::take(&mut glutamate[i]);
            let g_ampa = g_ampa_ns[i] + glu;
            let g_gaba = g_gaba_a_ns[i] + std::mem::take(&mut gaba[i]);
            g_ampa_ns[i] = decay(g_ampa, self.ampa_decay);
            g_gaba_a_ns[i] = decay(g_gaba, self.gaba_decay);

            let v = v_mv[i];
            // The membrane equation as C dV/dt = i_drive − g_total · V.
            let (g_ampa, g_gaba) = (f64::from(g_ampa), f64::from(g_gaba));
            let mut g_total = self.g_l_ns + g_ampa + g_gaba;
            let mut i_drive = self.g_l_ns * self.e_l_mv
                + g_ampa * self.e_ampa_mv
                + g_gaba * self.e_gaba_mv
                + i_ext_pa[i];
            if NMDA {
                let g = f64::from(g_nmda_ns[i]);
                g_total += g;
                i_drive += g * nmda.e_rev_mv;
            }
            if ADEX {
                let w = w_pa[i];
                let exponent = ((v - adex.v_t_mv) / adex.delta_t_mv).min(adex.max_exponent);
                i_drive += self.g_l_ns * adex.delta_t_mv * exp(exponent) - w;
                // Adaptation relaxes to a (V − E_L), solved exactly for V held over the step.
                let w_inf = adex.a_ns * (v - self.e_l_mv);
                w_pa[i] = w_inf + (w - w_inf) * adex.w_decay;
            }
            let advanced = if EXPONENTIAL {
                let v_inf = i_drive / g_total;
                v_inf + (v - v_inf) * exp(-self.dt_ms * g_total / self.c_m_pf)
            } else {
                v + self.dt_over_c * (i_drive - g_total * v)
            };
            let left = refractory[i];
            v_mv[i] = if left > 0 { self.v_reset_mv } else { advanced };
            refractory[i] = left.saturating_sub(1);
        }
    }
}

/// Mutable views of one chunk's state columns (structure of arrays).
pub struct ChunkState<'a> {
    /// Membrane potential, mV.
    pub v_mv: &'a mut [f64],
    /// AdEx adaptation current, pA (empty for LIF cells).
    pub w_pa: &'a mut [f64],
    /// Steps of refractoriness left.
    pub refractory: &'a mut [u16],
    /// AMPA conductance, nS.
    pub g_ampa_ns: &'a mut [f32],
    /// GABA-A conductance, nS.
    pub g_gaba_a_ns: &'a mut [f32],
    /// Rising exponential of each active NMDA component, nS.
    pub nmda_rise: [&'a mut [f32]; MAX_NMDA_COMPONENTS],
    /// Decaying exponential of each active NMDA component, nS.
    pub nmda_decay: [&'a mut [f32]; MAX_NMDA_COMPONENTS],
    /// Total open NMDA conductance in the current step, after the Mg²⁺ and drug blocks,
    /// nS (empty without NMDA).
    pub g_nmda_ns: &'a mut [f32],
    /// Scratch: [Mg²⁺]/K·exp(−s·V) of the current step (empty without NMDA).
    pub nmda_mg_factor: &'a mut [f32],
    /// Share of each component's receptors not held by drugs, in [0, 1].
    pub nmda_free: [&'a [f32]; MAX_NMDA_COMPONENTS],
    /// Each component's conductance before any block, summed over the steps since the
    /// pharmacology last read it, nS·step.
    pub nmda_open: [&'a mut [f32]; MAX_NMDA_COMPONENTS],
    /// The same sum weighted by the Mg²⁺-free fraction, nS·step.
    pub nmda_open_mg_free: [&'a mut [f32]; MAX_NMDA_COMPONENTS],
    /// Injected current, pA.
    pub i_ext_pa: &'a mut [f64],
}

fn split<T>(s: &mut [T], mid: usize) -> (&mut [T], &mut [T]) {
    if s.is_empty() {
        (&mut [], &mut [])
    } else {
        s.split_at_mut(mid)
    }
}

type NmdaColumns<'a> = [&'a mut [f32]; MAX_NMDA_COMPONENTS];
type NmdaReadColumns<'a> = [&'a [f32]; MAX_NMDA_COMPONENTS];

fn split_read<'a>(
    cols: NmdaReadColumns<'a>,
    mid: usize,
) -> (NmdaReadColumns<'a>, NmdaReadColumns<'a>) {
    let halves = |x: &'a [f32]| {
        if x.is_empty() {
            (x, x)
        } else {
            x.split_at(mid)
        }
    };
    let [a, b, c] = cols;
    let ((a0, a1), (b0, b1), (c0, c1)) = (halves(a), halves(b), halves(c));
    ([a0, b0, c0], [a1, b1, c1])
}

fn split_all(cols: NmdaColumns<'_>, mid: usize) -> (NmdaColumns<'_>, NmdaColumns<'_>) {
    let [a, b, c] = cols;
    let (a0, a1) = split(a, mid);
    let (b0, b1) = split(b, mid);
    let (c0, c1) = split(c, mid);
    ([a0, b0, c0], [a1, b1, c1])
}

impl<'a> ChunkState<'a> {
    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.v_mv.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.v_mv.is_empty()
    }

    /// The columns of neurons `range`, borrowed (columns a cell type does not use stay
    /// empty). Cheaper than [`ChunkState::split_at`] for walking chunks in order: nothing is
    /// moved but the new view.
    pub fn sub(&mut self, range: std::ops::Range<usize>) -> ChunkState<'_> {
        fn part<T>(s: &mut [T], range: std::ops::Range<usize>) -> &mut [T] {
            if s.is_empty() { s } else { &mut s[range] }
        }
        let r = || range.clone();
        ChunkState {
            v_mv: &mut self.v_mv[r()],
            w_pa: part(self.w_pa, r()),
            refractory: &mut self.refractory[r()],
            g_ampa_ns: &mut self.g_ampa_ns[r()],
            g_gaba_a_ns: &mut self.g_gaba_a_ns[r()],
            nmda_rise: self.nmda_rise.each_mut().map(|c| part(c, r())),
            nmda_decay: self.nmda_decay.each_mut().map(|c| part(c, r())),
            g_nmda_ns: part(self.g_nmda_ns, r()),
            nmda_mg_factor: part(self.nmda_mg_factor, r()),
            nmda_free: self
                .nmda_free
                .map(|c| if c.is_empty() { c } else { &c[r()] }),
            nmda_open: self.nmda_open.each_mut().map(|c| part(c, r())),
            nmda_open_mg_free: self.nmda_open_mg_free.each_mut().map(|c| part(c, r())),
            i_ext_pa: &mut self.i_ext_pa[r()],
        }
    }

    /// Splits into neurons `[0, mid)` and `[mid, len)`.
    pub fn split_at(self, mid: usize) -> (Self, Self) {
        let (v0, v1) = split(self.v_mv, mid);
        let (w0, w1) = split(self.w_pa, mid);
        let (r0, r1) = split(self.refractory, mid);
        let (a0, a1) = split(self.g_ampa_ns, mid);
        let (g0, g1) = split(self.g_gaba_a_ns, mid);
        let (nr0, nr1) = split_all(self.nmda_rise, mid);
        let (nd0, nd1) = split_all(self.nmda_decay, mid);
        let (gn0, gn1) = split(self.g_nmda_ns, mid);
        let (mg0, mg1) = split(self.nmda_mg_factor, mid);
        let (fr0, fr1) = split_read(self.nmda_free, mid);
        let (op0, op1) = split_all(self.nmda_open, mid);
        let (om0, om1) = split_all(self.nmda_open_mg_free, mid);
        let (i0, i1) = split(self.i_ext_pa, mid);
        (
            ChunkState {
                v_mv: v0,
                w_pa: w0,
                refractory: r0,
                g_ampa_ns: a0,
                g_gaba_a_ns: g0,
                nmda_rise: nr0,
                nmda_decay: nd0,
                g_nmda_ns: gn0,
                nmda_mg_factor: mg0,
                nmda_free: fr0,
                nmda_open: op0,
                nmda_open_mg_free: om0,
                i_ext_pa: i0,
            },
            ChunkState {
                v_mv: v1,
                w_pa: w1,
                refractory: r1,
                g_ampa_ns: a1,
                g_gaba_a_ns: g1,
                nmda_rise: nr1,
                nmda_decay: nd1,
                g_nmda_ns: gn1,
                nmda_mg_factor: mg1,
                nmda_free: fr1,
                nmda_open: op1,
                nmda_open_mg_free: om1,
                i_ext_pa: i1,
            },
        )
    }
}
