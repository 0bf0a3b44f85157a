//! Membrane models: conductance-based leaky and adaptive exponential integrate-and-fire.

use serde::{Deserialize, Serialize};

use crate::validate::Checker;

/// The membrane equation of a cell type, chosen by `model = "lif"` or `model = "adex"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Membrane {
    /// Leaky integrate-and-fire with conductance synapses (Vogels & Abbott 2005):
    /// C dV/dt = g_L (E_L − V) + Σ g_x (E_x − V) + I_ext; at V ≥ V_th: spike, V ← V_reset,
    /// clamped there for t_ref.
    Lif(LifParams),
    /// Adaptive exponential integrate-and-fire (Brette & Gerstner 2005 J Neurophysiol 94:3637):
    /// C dV/dt = g_L (E_L − V) + g_L Δ_T exp((V − V_T)/Δ_T) − w + Σ g_x (E_x − V) + I_ext,
    /// τ_w dw/dt = a (V − E_L) − w; at V ≥ V_spike: spike, V ← V_reset, w ← w + b.
    Adex(AdexParams),
}

/// Parameters of [`Membrane::Lif`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifParams {
    /// Membrane capacitance, pF.
    pub c_m_pf: f64,
    /// Leak conductance, nS.
    pub g_l_ns: f64,
    /// Leak reversal (resting) potential, mV.
    pub e_l_mv: f64,
    /// Spike threshold, mV.
    pub v_th_mv: f64,
    /// Reset potential, mV.
    pub v_reset_mv: f64,
    /// Absolute refractory period, ms (V clamped at reset).
    pub t_ref_ms: f64,
}

/// Parameters of [`Membrane::Adex`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdexParams {
    /// Membrane capacitance, pF.
    pub c_m_pf: f64,
    /// Leak conductance, nS.
    pub g_l_ns: f64,
    /// Leak reversal potential, mV.
    pub e_l_mv: f64,
    /// Threshold of the exponential term (V_T), mV.
    pub v_t_mv: f64,
    /// Slope factor Δ_T, mV.
    pub delta_t_mv: f64,
    /// Spike cut-off: crossing it is a spike, mV.
    pub v_spike_mv: f64,
    /// Reset potential, mV.
    pub v_reset_mv: f64,
    /// Absolute refractory period, ms.
    pub t_ref_ms: f64,
    /// Subthreshold adaptation conductance a, nS.
    pub a_ns: f64,
    /// Spike-triggered adaptation increment b, pA.
    pub b_pa: f64,
    /// Adaptation time constant τ_w, ms.
    pub tau_w_ms: f64,
}

impl Membrane {
    /// Capacitance, pF.
    pub fn c_m_pf(&self) -> f64 {
        match self {
            Self::Lif(p) => p.c_m_pf,
            Self::Adex(p) => p.c_m_pf,
        }
    }

    /// Leak conductance, nS.
    pub fn g_l_ns(&self) -> f64 {
        match self {
            Self::Lif(p) => p.g_l_ns,
            Self::Adex(p) => p.g_l_ns,
        }
    }

    /// Resting potential, mV.
    pub fn e_l_mv(&self) -> f64 {
        match self {
            Self::Lif(p) => p.e_l_mv,
            Self::Adex(p) => p.e_l_mv,
        }
    }

    /// Reset potential, mV.
    pub fn v_reset_mv(&self) -> f64 {
        match self {
            Self::Lif(p) => p.v_reset_mv,
            Self::Adex(p) => p.v_reset_mv,
        }
    }

    /// Refractory period, ms.
    pub fn t_ref_ms(&self) -> f64 {
        match self {
            Self::Lif(p) => p.t_ref_ms,
            Self::Adex(p) => p.t_ref_ms,
        }
    }

    /// The potential whose crossing counts as a spike, mV.
    pub fn v_detect_mv(&self) -> f64 {
        match self {
            Self::Lif(p) => p.v_th_mv,
            Self::Adex(p) => p.v_spike_mv,
        }
    }

    pub(crate) fn check(&self, c: &mut Checker<'_>) {
        c.positive("c_m_pf", self.c_m_pf());
        c.positive("g_l_ns", self.g_l_ns());
        c.finite("e_l_mv", self.e_l_mv());
        c.finite("v_reset_mv", self.v_reset_mv());
        c.non_negative("t_ref_ms", self.t_ref_ms());
        let detect = self.v_detect_mv();
        match self {
            Self::Lif(p) => c.finite("v_th_mv", p.v_th_mv),
            Self::Adex(p) => {
                c.finite("v_t_mv", p.v_t_mv);
                c.positive("delta_t_mv", p.delta_t_mv);
                c.finite("v_spike_mv", p.v_spike_mv);
                c.finite("a_ns", p.a_ns);
                c.finite("b_pa", p.b_pa);
                c.positive("tau_w_ms", p.tau_w_ms);
                if p.v_spike_mv <= p.v_t_mv {
                    c.fail(
                        "v_spike_mv",
                        p.v_spike_mv,
                        format!("a cut-off above v_t_mv ({})", p.v_t_mv),
                    );
                }
            }
        }
        if self.v_reset_mv() >= detect {
            let key = match self {
                Self::Lif(_) => "v_th_mv",
                Self::Adex(_) => "v_spike_mv",
            };
            c.fail(
                "v_reset_mv",
                self.v_reset_mv(),
                format!("a reset below {key} ({detect})"),
            );
        }
    }
}

/// How the membrane equation is advanced over one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Integrator {
    /// Exponential (conditionally linear) Euler: with conductances held over the step the
    /// membrane equation is linear, V∞ = Σ g_x E_x / Σ g_x and τ = C / Σ g_x, and is solved
    /// exactly. Unconditionally stable; exact for constant input (Brian2's
    /// `exponential_euler`; Rotter & Diesmann 1999 for the linear case). The default.
    #[default]
    ExponentialEuler,
    /// Forward Euler, V ← V + dt·dV/dt: the scheme of Brian2's COBA benchmark
    /// (`method='euler'`, ../shared/anchors/model_spec.py). Cheaper; stable only for
    /// dt < 2 C / Σ g.
    Euler,
}
