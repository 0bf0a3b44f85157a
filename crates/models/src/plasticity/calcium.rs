//! The calcium-based rule of Graupner & Brunel (2012), event-driven, with the NMDA calcium
//! split into its GluN2A and GluN2B parts.
//!
//! Calcium at a synapse is the sum of a presynaptically evoked, NMDA-mediated part (a jump
//! `c_pre` a delay D after each presynaptic spike) and a postsynaptic, back-propagating
//! part (a jump `c_post` at each postsynaptic spike), decaying with τ_Ca. The efficacy
//! obeys (Graupner & Brunel 2012 PNAS 109:3991, noise as corrected in their erratum):
//!
//! τ dρ/dt = −ρ(1−ρ)(ρ*−ρ) + γₚ(1−ρ) Θ[cₚ−θₚ] − γ_d ρ Θ[c_d−θ_d] + σ√τ √(Θ[c_d−θ_d]+Θ[cₚ−θₚ]) η(t)
//!
//! Between events every calcium part decays as one exponential, so the time spent above
//! each threshold is known in closed form and ρ is advanced exactly in each regime: an
//! Ornstein–Uhlenbeck solution while calcium is above a threshold (the cubic term is dropped
//! there, as in Graupner & Brunel's analysis: τ = 150 s ≫ the ~10 ms above threshold;
//! Higgins, Graupner & Brunel 2014 PLoS Comput Biol for the event-based scheme), and the
//! deterministic cubic (RK4) below both.
//!
//! Subunits (TARGETS.md PL-01): the presynaptic part is split into GluN2A and GluN2B
//! calcium by the synapse's GluN2A fraction f. The *hypothesis* decides which part each
//! threshold reads: `neutral` — both read the total (the published rule); `glun2a_ltp` —
//! the LTP threshold reads c_A/f, the LTD threshold c_B/(1−f) (Liu et al. 2004; Massey et
//! al. 2004); `glun2b_ltp` — the reverse. Unblocked, all three give the same calcium;
//! blocking a subunit removes its part, which is how the hypotheses differ.
//!
//! Voltage dependence (a model choice, on by default): the NMDA calcium of a presynaptic
//! spike scales with the Mg²⁺ unblock of the postsynaptic membrane when that calcium
//! arrives, relative to rest, B(V)/B(E_L) — so `c_pre` is the calcium at rest (the
//! condition of the slice data) and depolarisation raises it, the calcium-control
//! mechanism of Shouval, Bear & Cooper (2002). Off, the rule is Graupner & Brunel's.

use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use synaptogen_engine::StableId;
use synaptogen_engine::rng::{StreamId, StreamRng};

use crate::math::exp;
use crate::validate::{Checker, Violation};

/// Which NMDA subunit's calcium each plasticity threshold reads (TARGETS.md PL-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubunitHypothesis {
    /// Both thresholds read the total calcium (Graupner & Brunel 2012).
    #[default]
    Neutral,
    /// GluN2A calcium drives LTP, GluN2B calcium drives LTD (Liu 2004; Massey 2004).
    Glun2aLtp,
    /// The opposite weighting (GluN2B → LTP, GluN2A → LTD; cf. Foster et al. 2010).
    Glun2bLtp,
}

/// Parameters of the calcium rule. Defaults: the "DP" set of Graupner & Brunel (2012), as
/// in the authors' code (mgraupe/CalciumBasedPlasticityModel, synapticChange.py).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalciumParams {
    /// Calcium decay, ms (20).
    #[serde(default = "defaults::tau_ca_ms")]
    pub tau_ca_ms: f64,
    /// Presynaptically evoked calcium per spike, at rest (1.0).
    #[serde(default = "defaults::c_pre")]
    pub c_pre: f64,
    /// Postsynaptically evoked calcium per spike (2.0).
    #[serde(default = "defaults::c_post")]
    pub c_post: f64,
    /// Depression threshold (1.0).
    #[serde(default = "defaults::theta_d")]
    pub theta_d: f64,
    /// Potentiation threshold (1.3).
    #[serde(default = "defaults::theta_p")]
    pub theta_p: f64,
    /// Depression rate (200).
    #[serde(default = "defaults::gamma_d")]
    pub gamma_d: f64,
    /// Potentiation rate (321.808).
    #[serde(default = "defaults::gamma_p")]
    pub gamma_p: f64,
    /// Noise amplitude (2.8284).
    #[serde(default = "defaults::sigma")]
    pub sigma: f64,
    /// Time constant of ρ, s (150).
    #[serde(default = "defaults::tau_rho_s")]
    pub tau_rho_s: f64,
    /// Unstable fixed point between the DOWN (0) and UP (1) states (0.5).
    #[serde(default = "defaults::rho_star")]
    pub rho_star: f64,
    /// Delay of the presynaptic calcium after the spike, ms (13.7).
    #[serde(default = "defaults::delay_ms")]
    pub delay_ms: f64,
    /// Ratio of UP to DOWN weight, b = w₁/w₀ (5).
    #[serde(default = "defaults::b")]
    pub b: f64,
    /// Fraction of synapses starting UP (Graupner & Brunel: β = 0.5 start DOWN).
    #[serde(default = "defaults::initial_up_fraction")]
    pub initial_up_fraction: f64,
    /// Which subunit's calcium each threshold reads.
    #[serde(default)]
    pub hypothesis: SubunitHypothesis,
    /// Scale the presynaptic calcium with the postsynaptic Mg²⁺ unblock (see module doc).
    #[serde(default = "defaults::voltage_dependence")]
    pub voltage_dependence: bool,
}

mod defaults {
    pub fn tau_ca_ms() -> f64 {
        20.0
    }
    pub fn c_pre() -> f64 {
        1.0
    }
    pub fn c_post() -> f64 {
        2.0
    }
    pub fn theta_d() -> f64 {
        1.0
    }
    pub fn theta_p() -> f64 {
        1.3
    }
    pub fn gamma_d() -> f64 {
        200.0
    }
    pub fn gamma_p() -> f64 {
        321.808
    }
    pub fn sigma() -> f64 {
        2.8284
    }
    pub fn tau_rho_s() -> f64 {
        150.0
    }
    pub fn rho_star() -> f64 {
        0.5
    }
    pub fn delay_ms() -> f64 {
        13.7
    }
    pub fn b() -> f64 {
        5.0
    }
    pub fn initial_up_fraction() -> f64 {
        0.5
    }
    pub fn voltage_dependence() -> bool {
        true
    }
}

impl Default for CalciumParams {
    fn default() -> Self {
        Self {
            tau_ca_ms: defaults::tau_ca_ms(),
            c_pre: defaults::c_pre(),
            c_post: defaults::c_post(),
            theta_d: defaults::theta_d(),
            theta_p: defaults::theta_p(),
            gamma_d: defaults::gamma_d(),
            gamma_p: defaults::gamma_p(),
            sigma: defaults::sigma(),
            tau_rho_s: defaults::tau_rho_s(),
            rho_star: defaults::rho_star(),
            delay_ms: defaults::delay_ms(),
            b: defaults::b(),
            initial_up_fraction: defaults::initial_up_fraction(),
            hypothesis: SubunitHypothesis::Neutral,
            voltage_dependence: defaults::voltage_dependence(),
        }
    }
}

impl CalciumParams {
    /// Every parameter outside its allowed range.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut c = Checker::new("", &mut out);
        c.positive("tau_ca_ms", self.tau_ca_ms);
        c.non_negative("c_pre", self.c_pre);
        c.non_negative("c_post", self.c_post);
        c.positive("theta_d", self.theta_d);
        c.positive("theta_p", self.theta_p);
        c.non_negative("gamma_d", self.gamma_d);
        c.non_negative("gamma_p", self.gamma_p);
        c.non_negative("sigma", self.sigma);
        c.positive("tau_rho_s", self.tau_rho_s);
        c.within("rho_star", self.rho_star, 0.0, 1.0);
        // The presynaptic calcium delay is milliseconds (13.7 and 4.6–18.8 in Graupner &
        // Brunel 2012); its queue is sized for it, so it is bounded.
        c.within("delay_ms", self.delay_ms, 0.0, 100.0);
        c.positive("b", self.b);
        c.within("initial_up_fraction", self.initial_up_fraction, 0.0, 1.0);
        out
    }
}

/// The parts of calcium at a synapse at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalciumParts {
    /// Presynaptic calcium through GluN2A-containing receptors.
    pub glun2a: f64,
    /// Presynaptic calcium through GluN2B-containing receptors.
    pub glun2b: f64,
    /// Postsynaptic (back-propagating action potential) calcium at this synapse.
    pub post: f64,
}

/// Advances efficacies under the calcium rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CalciumRule {
    p: CalciumParams,
    tau_rho_ms: f64,
    stream: StreamId,
    seed: u64,
}

impl CalciumRule {
    /// The rule with `params`, its noise drawn from the stream "calcium/<projection>".
    pub fn new(params: CalciumParams, projection: &str, seed: u64) -> Self {
        Self {
            p: params,
            tau_rho_ms: params.tau_rho_s * 1000.0,
            stream: StreamId::named(&format!("calcium/{projection}")),
            seed,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &CalciumParams {
        &self.p
    }

    /// The calcium the LTP and LTD thresholds read, for a synapse of GluN2A fraction `f_a`.
    #[inline]
    pub fn readouts(&self, c: CalciumParts, f_a: f64) -> (f64, f64) {
        let per = |part: f64, fraction: f64| if fraction > 0.0 { part / fraction } else { 0.0 };
        let (a, b) = (per(c.glun2a, f_a), per(c.glun2b, 1.0 - f_a));
        match self.p.hypothesis {
            SubunitHypothesis::Neutral => {
                let total = c.glun2a + c.glun2b + c.post;
                (total, total)
            }
            SubunitHypothesis::Glun2aLtp => (a + c.post, b + c.post),
            SubunitHypothesis::Glun2bLtp => (b + c.post, a + c.post),
        }
    }

    /// ρ after `duration_ms` of free calcium decay from readouts (`c_p`, `c_d`), starting at
    /// `rho`. `noise_key` and `step` key the noise stream (drawn only while calcium is above
    /// a threshold).
    pub fn advance(
        &self,
        rho: f64,
        c_p: f64,
        c_d: f64,
        duration_ms: f64,
        noise_key: u64,
        step: u64,
    ) -> f64 {
        if duration_ms <= 0.0 {
            return rho;
        }
        let p = &self.p;
        let above = |c: f64, theta: f64| {
            if c >= theta && c > 0.0 {
                (p.tau_ca_ms * (c / theta).ln()).min(duration_ms)
            } else {
                0.0
            }
        };
        let (t_p, t_d) = (above(c_p, p.theta_p), above(c_d, p.theta_d));
        let both = t_p.min(t_d);
        let one = t_p.max(t_d);
        let mut rho = rho;
        let mut rng = None;
        let normal = |rng: &mut Option<StreamRng>| {
            let r = rng.get_or_insert_with(|| {
                StreamRng::new(self.seed, self.stream, StableId(noise_key), step)
            });
            let z: f64 = StandardNormal.sample(r);
            z
        };
        if both > 0.0 {
            rho = self.ou(rho, p.gamma_p, p.gamma_d, 2.0, both, normal(&mut rng));
        }
        if one > both {
            let (gp, gd) = if t_p > t_d {
                (p.gamma_p, 0.0)
            } else {
                (0.0, p.gamma_d)
            };
            rho = self.ou(rho, gp, gd, 1.0, one - both, normal(&mut rng));
        }
        // ρ is not clipped: noise can carry it a little beyond 0 or 1, and the cubic term
        // brings it back (clipping would bias the mean of synapses resting at a bound).
        if duration_ms > one {
            rho = self.drift(rho, duration_ms - one);
        }
        rho
    }

    /// Exact solution of the linear regime τ dρ/dt = γₚ(1−ρ) − γ_d ρ + σ√τ √n η over
    /// `t_ms` (n thresholds crossed), with a standard normal `z`.
    fn ou(&self, rho: f64, gamma_p: f64, gamma_d: f64, n_active: f64, t_ms: f64, z: f64) -> f64 {
        let diffusion = self.p.sigma * self.p.sigma * n_active / self.tau_rho_ms;
        if gamma_p + gamma_d <= 0.0 {
            // No restoring rate (a γ of 0): pure diffusion.
            return rho + (diffusion * t_ms).sqrt() * z;
        }
        let rate = (gamma_p + gamma_d) / self.tau_rho_ms;
        let target = gamma_p / (gamma_p + gamma_d);
        let decay = exp(-rate * t_ms);
        let mean = target + (rho - target) * decay;
        // Diffusion σ²·n/τ; variance of the OU transition (σ²n/τ)(1 − e^{−2kt})/(2k).
        let var = diffusion * (1.0 - decay * decay) / (2.0 * rate);
        mean + var.sqrt() * z
    }

    /// The deterministic bistable drift τ dρ/dt = −ρ(1−ρ)(ρ*−ρ) over `t_ms`: RK4 with steps
    /// of at most τ/20. A synapse within 10⁻⁹ of its attractor (0 below ρ*, 1 above) stops
    /// there: the rest of the stretch moves it less than that, and long quiet stretches cost
    /// nothing for the many synapses that have settled.
    pub fn drift(&self, rho: f64, t_ms: f64) -> f64 {
        const SETTLED: f64 = 1e-9;
        let star = self.p.rho_star;
        let attractor = if rho > star {
            1.0
        } else if rho < star {
            0.0
        } else {
            return star;
        };
        let f = |r: f64| -r * (1.0 - r) * (star - r) / self.tau_rho_ms;
        let n = (t_ms / (self.tau_rho_ms / 20.0)).ceil().max(1.0) as u64;
        let h = t_ms / n as f64;
        let mut r = rho;
        for _ in 0..n {
            if (r - attractor).abs() < SETTLED {
                return attractor;
            }
            let k1 = f(r);
            let k2 = f(r + 0.5 * h * k1);
            let k3 = f(r + 0.5 * h * k2);
            let k4 = f(r + h * k3);
            r += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(sigma: f64) -> CalciumRule {
        CalciumRule::new(
            CalciumParams {
                sigma,
                ..CalciumParams::default()
            },
            "t",
            1,
        )
    }

    #[test]
    fn a_lone_post_spike_balances_potentiation_and_depression() {
        // DP set: c = 2 decays through θₚ = 1.3 after τ ln(2/1.3) and θ_d = 1 after τ ln 2;
        // γₚ was chosen so the two cancel at ρ = 1/2 (Graupner & Brunel 2012).
        let r = rule(0.0);
        let after = r.advance(0.5, 2.0, 2.0, 100.0, 0, 0);
        assert!((after - 0.5).abs() < 1e-3, "{after}");
        // Potentiation while both thresholds are crossed, depression below θₚ.
        let short = r.advance(0.5, 2.0, 2.0, 5.0, 0, 0);
        assert!(short > 0.5);
    }

    #[test]
    fn calcium_below_both_thresholds_leaves_only_the_bistable_drift() {
        let r = rule(2.8284);
        assert_eq!(r.advance(0.3, 0.9, 0.9, 0.0, 0, 0), 0.3);
        let drifted = r.advance(0.3, 0.9, 0.9, 10_000.0, 0, 0);
        assert!(drifted < 0.3, "towards DOWN");
        assert_eq!(
            r.advance(0.51, 0.0, 0.0, 1e9, 0, 0),
            1.0,
            "long gaps reach the attractor"
        );
    }

    #[test]
    fn the_drift_follows_the_closed_form_of_the_cubic() {
        // With ρ* = 1/2, τ dρ/dt = ρ(1−ρ)(ρ−½) integrates to
        // G(ρ) = 2 ln((ρ−½)² / (ρ(1−ρ))) = G(ρ₀) + t/τ (partial fractions).
        let r = rule(0.0);
        let g = |x: f64| 2.0 * ((x - 0.5).powi(2) / (x * (1.0 - x))).ln();
        let tau_ms = 150_000.0;
        // Near the unstable point the drift is slow: after 21 τ a synapse that started 10⁻³
        // above ρ* is on its way up, not at the attractor.
        for (rho0, t_ms) in [
            (0.501, 21.0 * tau_ms),
            (0.3, 2.0 * tau_ms),
            (0.7, 5.0 * tau_ms),
        ] {
            let rho = r.drift(rho0, t_ms);
            assert!(rho > 0.0 && rho < 1.0, "{rho0} → {rho}");
            let elapsed = g(rho) - g(rho0);
            assert!(
                (elapsed - t_ms / tau_ms).abs() < 1e-6 * (t_ms / tau_ms),
                "{rho0} over {t_ms} ms: {elapsed} τ elapsed"
            );
        }
    }

    #[test]
    fn a_zero_rate_leaves_pure_diffusion() {
        // γ_d = 0: calcium between θ_d and θₚ gives no restoring rate, only noise.
        let r = CalciumRule::new(
            CalciumParams {
                gamma_d: 0.0,
                ..CalciumParams::default()
            },
            "t",
            1,
        );
        let rho = r.advance(0.3, 1.2, 1.2, 3.0, 7, 1);
        assert!(rho.is_finite() && rho != 0.3, "{rho}");
        let quiet = CalciumRule::new(
            CalciumParams {
                gamma_d: 0.0,
                sigma: 0.0,
                ..CalciumParams::default()
            },
            "t",
            1,
        );
        // Without noise ρ stands still above θ_d (τ_Ca ln 1.2 = 3.65 ms), then drifts.
        assert_eq!(quiet.advance(0.3, 1.2, 1.2, 3.0, 7, 1), 0.3);
        let expected = quiet.drift(0.3, 10.0 - 20.0 * 1.2f64.ln());
        assert_eq!(quiet.advance(0.3, 1.2, 1.2, 10.0, 7, 1), expected);
    }

    #[test]
    fn the_ou_step_has_the_closed_form_mean_and_variance() {
        let r = rule(2.8284);
        let n = 20_000;
        // 2 ms: calcium 1.5 stays above both thresholds throughout (θₚ is crossed after
        // τ_Ca ln(1.5/1.3) = 2.86 ms), so the whole interval is one OU regime.
        let xs: Vec<f64> = (0..n)
            .map(|k| r.advance(0.5, 1.5, 1.5, 2.0, k, 3))
            .collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n as u32);
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n as u32);
        // Both thresholds: k = (γₚ+γ_d)/τ, target γₚ/(γₚ+γ_d), over t = 2 ms.
        let t: f64 = 2.0;
        let k: f64 = (321.808 + 200.0) / 150_000.0;
        let target = 321.808 / 521.808;
        let expected_mean = target + (0.5 - target) * (-k * t).exp();
        let diffusion = 2.8284f64.powi(2) * 2.0 / 150_000.0;
        let expected_var = diffusion * (1.0 - (-2.0 * k * t).exp()) / (2.0 * k);
        assert!((mean - expected_mean).abs() < 5.0 * (expected_var / f64::from(n as u32)).sqrt());
        assert!(
            (var / expected_var - 1.0).abs() < 0.05,
            "{var} vs {expected_var}"
        );
    }

    #[test]
    fn hypotheses_read_the_subunit_parts_and_agree_when_unblocked() {
        let parts = CalciumParts {
            glun2a: 0.4,
            glun2b: 0.6,
            post: 0.5,
        };
        let f_a = 0.4;
        for h in [
            SubunitHypothesis::Neutral,
            SubunitHypothesis::Glun2aLtp,
            SubunitHypothesis::Glun2bLtp,
        ] {
            let r = CalciumRule::new(
                CalciumParams {
                    hypothesis: h,
                    ..CalciumParams::default()
                },
                "t",
                1,
            );
            let (cp, cd) = r.readouts(parts, f_a);
            assert!(
                (cp - 1.5).abs() < 1e-12 && (cd - 1.5).abs() < 1e-12,
                "{h:?}"
            );
        }
        // GluN2B blocked: under "2A → LTP" the LTD readout loses its presynaptic part.
        let blocked = CalciumParts {
            glun2b: 0.0,
            ..parts
        };
        let r = CalciumRule::new(
            CalciumParams {
                hypothesis: SubunitHypothesis::Glun2aLtp,
                ..CalciumParams::default()
            },
            "t",
            1,
        );
        let (cp, cd) = r.readouts(blocked, f_a);
        assert!((cp - 1.5).abs() < 1e-12 && (cd - 0.5).abs() < 1e-12);
        let r = CalciumRule::new(
            CalciumParams {
                hypothesis: SubunitHypothesis::Glun2bLtp,
                ..CalciumParams::default()
            },
            "t",
            1,
        );
        let (cp, cd) = r.readouts(blocked, f_a);
        assert!((cp - 0.5).abs() < 1e-12 && (cd - 1.5).abs() < 1e-12);
    }
}
