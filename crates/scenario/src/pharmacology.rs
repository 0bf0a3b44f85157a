//! Scenario keys for drugs, stress and long protocols: `[pharmacology]`,
//! `[[interventions]]` and `[simulation.windows]`.
//!
//! Times in these tables are written with their unit, the way protocols are described:
//! `"30min"`, `"2h"`, `"21d"`, `"500ms"`, `"10s"`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use synaptogen_models::pharmacology::{BlockMechanisms, GlutamateParams, PriorWeight};
use synaptogen_models::signalling::SignallingParams;
use synaptogen_pharma::drug::{Drug, Route, Species};

/// A model time or duration written with its unit (`"30min"`), held in ms.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct TimeSpan {
    /// Milliseconds.
    pub ms: f64,
}

/// Units a [`TimeSpan`] may be written in, with their length in ms.
pub const TIME_UNITS: &[(&str, f64)] = &[
    ("ms", 1.0),
    ("s", 1000.0),
    ("min", 60_000.0),
    ("h", 3_600_000.0),
    ("d", 86_400_000.0),
];

impl TimeSpan {
    /// From milliseconds.
    pub fn from_ms(ms: f64) -> Self {
        Self { ms }
    }

    /// Seconds.
    pub fn s(self) -> f64 {
        self.ms / 1000.0
    }

    /// Parses `"30min"`, `"2.5h"`, `"21d"`; the error says what is accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| c.is_ascii_alphabetic())
            .ok_or_else(|| format!("\"{text}\" has no unit; {}", Self::expected()))?;
        let (number, unit) = t.split_at(split);
        let value: f64 = number.trim().parse().map_err(|_| {
            format!(
                "\"{text}\" does not start with a number; {}",
                Self::expected()
            )
        })?;
        let per = TIME_UNITS
            .iter()
            .find(|(u, _)| *u == unit.trim())
            .map(|(_, ms)| *ms)
            .ok_or_else(|| format!("\"{text}\" has an unknown unit; {}", Self::expected()))?;
        if !(value.is_finite() && value >= 0.0) {
            return Err(format!(
                "\"{text}\" is negative or not finite; {}",
                Self::expected()
            ));
        }
        Ok(Self { ms: value * per })
    }

    fn expected() -> &'static str {
        "expected a non-negative number followed by one of ms, s, min, h, d (e.g. \"30min\", \"21d\")"
    }
}

impl fmt::Display for TimeSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The largest unit that divides the value exactly, so the text reads back the same.
        for (unit, per) in TIME_UNITS.iter().rev() {
            let v = self.ms / per;
            if v.fract() == 0.0 && v != 0.0 {
                return write!(f, "{v}{unit}");
            }
        }
        write!(f, "{}ms", self.ms)
    }
}

impl Serialize for TimeSpan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for TimeSpan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `pharmacology.rate_prior`: `"auto"` or a time span.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum RatePrior {
    /// Estimated from the data (empirical Bayes).
    #[default]
    Auto,
    /// Worth this much spiking time.
    Fixed(TimeSpan),
}

impl RatePrior {
    /// The model's setting.
    pub fn weight(self) -> PriorWeight {
        match self {
            Self::Auto => PriorWeight::Estimated,
            Self::Fixed(t) => PriorWeight::Fixed { seconds: t.s() },
        }
    }
}

impl Serialize for RatePrior {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Auto => s.serialize_str("auto"),
            Self::Fixed(t) => t.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for RatePrior {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim() == "auto" {
            return Ok(Self::Auto);
        }
        TimeSpan::parse(&text)
            .map(Self::Fixed)
            .map_err(|e| serde::de::Error::custom(format!("{e}, or \"auto\"")))
    }
}

/// `[pharmacology]`: the subject, the drug library additions and the model settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PharmacologySpec {
    /// Species of the subject (`human`, `rat`, `mouse`; default `rat`): selects each drug's PK.
    #[serde(default = "default_species")]
    pub species: Species,
    /// Body mass, kg (default: the species' reference mass, `pharma::drug::Species`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_mass_kg: Option<f64>,
    /// Period of `drugs.csv`, `block.csv`, `glutamate.csv`, `signalling.csv` rows
    /// (default `"1min"`; a multiple of `simulation.slow_dt_ms`).
    #[serde(default = "default_record_every")]
    pub record_every: TimeSpan,
    /// End of the baseline that folds and "% of baseline" refer to (default: the first
    /// intervention, or the end of the run without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_until: Option<TimeSpan>,
    /// Start of the baseline (default `"1s"`): the network settles from its initial
    /// conditions first (synchronous bursts for a few hundred ms), which would otherwise
    /// inflate every neuron's baseline rate. Slow intervals starting earlier are left out.
    #[serde(default = "default_baseline_from")]
    pub baseline_from: TimeSpan,
    /// How much the prior counts for in each neuron's rate estimate: `"auto"` (the default)
    /// estimates it from the counts' scatter each interval (empirical Bayes), a time span
    /// fixes it (`"0s"`: each neuron's own count alone). The estimate pools short windows
    /// into each neuron's rate relative to its population without their sampling noise
    /// biasing the signalling cascade (`models::pharmacology::stats`).
    #[serde(default)]
    pub rate_prior: RatePrior,
    /// Mechanisms of preferential interneuron block, each switchable (all on by default).
    #[serde(default)]
    pub mechanisms: BlockMechanisms,
    /// Extracellular glutamate pools.
    #[serde(default)]
    pub glutamate: GlutamateParams,
    /// Intracellular signalling parameters.
    #[serde(default)]
    pub signalling: SignallingParams,
    /// Drugs defined here, added to (or replacing) the shipped library in `assets/drugs/`.
    #[serde(default)]
    pub drugs: BTreeMap<String, Drug>,
}

fn default_species() -> Species {
    Species::Rat
}

fn default_baseline_from() -> TimeSpan {
    TimeSpan::from_ms(1000.0)
}

fn default_record_every() -> TimeSpan {
    TimeSpan::from_ms(60_000.0)
}

impl Default for PharmacologySpec {
    fn default() -> Self {
        Self {
            species: default_species(),
            body_mass_kg: None,
            record_every: default_record_every(),
            baseline_until: None,
            baseline_from: default_baseline_from(),
            rate_prior: RatePrior::default(),
            mechanisms: BlockMechanisms::default(),
            glutamate: GlutamateParams::default(),
            signalling: SignallingParams::default(),
            drugs: BTreeMap::new(),
        }
    }
}

/// `[[interventions]]`: what is done to the subject, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intervention {
    /// A drug dose.
    Dose(DoseSpec),
    /// A drug perfused over a slice at a set concentration (in vitro).
    Bath(BathSpec),
    /// Chronic unpredictable stress.
    ChronicStress(ChronicStressSpec),
    /// A constant raised corticosterone level.
    Corticosterone(CorticosteroneSpec),
}

impl Intervention {
    /// When it starts.
    pub fn start(&self) -> TimeSpan {
        match self {
            Self::Dose(d) => d.at,
            Self::Bath(b) => b.at,
            Self::ChronicStress(s) => s.start,
            Self::Corticosterone(c) => c.start,
        }
    }

    /// When it ends, for interventions that last (an infusion, a bath with a duration,
    /// stress, a corticosterone period); `None` for a bolus or a bath left on.
    pub fn end(&self) -> Option<TimeSpan> {
        let after = |start: TimeSpan, length: Option<TimeSpan>| {
            length.map(|l| TimeSpan::from_ms(start.ms + l.ms))
        };
        match self {
            Self::Dose(d) => after(d.at, d.duration),
            Self::Bath(b) => after(b.at, b.duration),
            Self::ChronicStress(s) => after(
                s.start,
                Some(TimeSpan::from_ms(f64::from(s.days) * 86_400_000.0)),
            ),
            Self::Corticosterone(c) => Some(c.end),
        }
    }

    /// One line for legends and reports (`ketamine 10 mg/kg intraperitoneal`).
    pub fn describe(&self) -> String {
        match self {
            Self::Dose(d) => {
                let amount = match (d.amount_mg_per_kg, d.amount_mg, d.amount_nmol) {
                    (Some(a), _, _) => format!("{a} mg/kg"),
                    (_, Some(a), _) => format!("{a} mg"),
                    (_, _, Some(a)) => format!("{a} nmol"),
                    _ => String::new(),
                };
                format!("{} {amount} {}", d.drug, d.route)
            }
            Self::Bath(b) => format!("{} bath {} µM", b.drug, b.concentration_um),
            Self::ChronicStress(s) => format!("chronic stress, {} d", s.days),
            Self::Corticosterone(c) => format!("corticosterone ×{}", c.fold),
        }
    }
}

/// `kind = "dose"`. Exactly one amount key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoseSpec {
    /// Drug name (`synaptogen list` shows the library).
    pub drug: String,
    /// Amount per body mass, mg/kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_mg_per_kg: Option<f64>,
    /// Amount, mg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_mg: Option<f64>,
    /// Amount, nmol (intracerebroventricular doses are given so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_nmol: Option<f64>,
    /// Route: `iv_bolus`, `iv_infusion`, `intraperitoneal`, `oral`, `intranasal`,
    /// `intracerebroventricular`.
    pub route: Route,
    /// When the dose starts.
    pub at: TimeSpan,
    /// Infusion duration (`iv_infusion` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<TimeSpan>,
}

/// `kind = "bath"`: a drug perfused over a slice at a set concentration, as in slice
/// experiments (Autry et al. 2011; Nosyreva et al. 2013). The drug needs no
/// pharmacokinetics (`pharma::bath`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BathSpec {
    /// Drug name (`synaptogen list` shows the library).
    pub drug: String,
    /// Concentration at the receptors, µM.
    pub concentration_um: f64,
    /// Start of perfusion.
    pub at: TimeSpan,
    /// How long it stays before washout (default: to the end of the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<TimeSpan>,
}

/// `kind = "chronic_stress"`: chronic unpredictable stress (Li et al. 2011: 21 days, two
/// stressors a day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChronicStressSpec {
    /// Start of the first day.
    pub start: TimeSpan,
    /// Days (default 21).
    #[serde(default = "default_days")]
    pub days: u32,
    /// Stressors a day (default 2).
    #[serde(default = "default_per_day")]
    pub stressors_per_day: u32,
    /// Duration of one stressor (default `"2h"`).
    #[serde(default = "default_stressor")]
    pub stressor: TimeSpan,
    /// Corticosterone at a stressor's peak, fold over baseline (default 5: acute restraint
    /// raises it 5–10-fold in rats, Spencer & Deak 2017).
    #[serde(default = "default_peak_fold")]
    pub peak_corticosterone_fold: f64,
}

fn default_days() -> u32 {
    21
}
fn default_per_day() -> u32 {
    2
}
fn default_stressor() -> TimeSpan {
    TimeSpan::from_ms(2.0 * 3_600_000.0)
}
fn default_peak_fold() -> f64 {
    5.0
}

/// `kind = "corticosterone"`: a constant raised level (Liu & Aghajanian 2008).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorticosteroneSpec {
    /// Start.
    pub start: TimeSpan,
    /// End.
    pub end: TimeSpan,
    /// Level, fold over baseline.
    pub fold: f64,
}

/// `[simulation.windows]`: the bridged mode (DESIGN.md, "Time scales") — spiking only in
/// windows, with the slow and structural systems carrying on between them from the last
/// window's activity, for protocols of hours to weeks.
///
/// Windows come every `dense_every` before the first intervention (the baseline) and for
/// `dense_for` after each intervention starts; a window always starts at an intervention.
/// Elsewhere they come every `every` — or, with `tolerance`, adaptively: the period starts at
/// `dense_every` at each intervention and after each window doubles (up to `every`) while
/// the drive the slow systems hand the network (each population's mean NMDA block and AMPA
/// content) changed by less than `tolerance / 2` since the previous window, and halves
/// (down to `dense_every`) when it changed by more than `tolerance` — the step-size control
/// of ODE solvers, applied to the stretches the held activity must bridge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    /// Spiking time per window.
    pub spiking: TimeSpan,
    /// Period of the windows (window start to window start); the longest with `tolerance`.
    pub every: TimeSpan,
    /// Period of the windows in the baseline and after an intervention (default: `every`);
    /// the shortest with `tolerance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dense_every: Option<TimeSpan>,
    /// How long after each intervention the period stays at `dense_every` (default `"3h"`,
    /// or `"0s"` with `tolerance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dense_for: Option<TimeSpan>,
    /// Largest change of the network's drive (NMDA block as a fraction, AMPA content as a
    /// fold) between two windows before the period halves; absent: fixed periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// Spiking time of each window before the first intervention (default: the longer of
    /// `spiking` and a tenth of `dense_every`, at most `"6s"`). The baseline is the
    /// denominator of every activity fold for the rest of the run, so its sampling noise
    /// never averages out, and a fold amplifies the error of a cell nearly silent at
    /// baseline: with 1-s windows every minute the 2-hour comparison of issue 5 put the PV
    /// cells' p-mTOR 25 % above the full run's, with 6-s windows every readout was within
    /// 7 %. The default keeps that 10 % duty cycle: baseline windows every 10 s need no more
    /// than 1 s each, since the per-neuron estimates pool them. Ten 6-s windows resolve a
    /// 0.2-Hz cell's baseline to about ±30 %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_spiking: Option<TimeSpan>,
}

impl WindowSpec {
    /// The windows of `mode = "bridged"` without a `windows` table: 1-s windows, every minute
    /// in the baseline and while the drive changes, at most 1 h apart, tolerance 0.02 (two
    /// points of NMDA block, 2 % of AMPA content; the 2-hour ketamine comparison of issue 5
    /// measures what it costs).
    pub fn default_bridged() -> Self {
        Self {
            spiking: TimeSpan::from_ms(1_000.0),
            every: TimeSpan::from_ms(3_600_000.0),
            dense_every: Some(TimeSpan::from_ms(60_000.0)),
            dense_for: None,
            tolerance: Some(0.02),
            baseline_spiking: None,
        }
    }

    /// Spiking time of each baseline window, default filled in.
    pub fn baseline_spiking(&self) -> TimeSpan {
        let dense_ms = self.dense_every.unwrap_or(self.every).ms;
        let duty_cycle_ms = (BASELINE_DUTY_CYCLE * dense_ms).min(MAX_DEFAULT_BASELINE_SPIKING_MS);
        self.baseline_spiking
            .unwrap_or(TimeSpan::from_ms(self.spiking.ms.max(duty_cycle_ms)))
    }

    /// The dense stretch after each intervention, default filled in.
    pub fn dense_for(&self) -> TimeSpan {
        self.dense_for.unwrap_or(if self.tolerance.is_some() {
            TimeSpan::from_ms(0.0)
        } else {
            default_dense_for()
        })
    }
}

/// Share of the baseline's dense period a baseline window spikes by default, and the longest
/// default baseline window, ms (see `WindowSpec::baseline_spiking`).
const BASELINE_DUTY_CYCLE: f64 = 0.1;
const MAX_DEFAULT_BASELINE_SPIKING_MS: f64 = 6_000.0;

fn default_dense_for() -> TimeSpan {
    TimeSpan::from_ms(3.0 * 3_600_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default baseline window keeps a 10 % duty cycle of the dense period, between
    /// `spiking` and 6 s; a value given wins.
    #[test]
    fn baseline_windows_default_to_a_tenth_of_the_dense_period() {
        let mut w = WindowSpec::default_bridged();
        assert_eq!(w.baseline_spiking().ms, 6_000.0, "1-min dense windows");
        w.dense_every = Some(TimeSpan::from_ms(10_000.0));
        assert_eq!(w.baseline_spiking().ms, 1_000.0, "10-s windows: `spiking`");
        w.dense_every = Some(TimeSpan::from_ms(30_000.0));
        assert_eq!(w.baseline_spiking().ms, 3_000.0);
        w.dense_every = None;
        assert_eq!(
            w.baseline_spiking().ms,
            6_000.0,
            "hourly windows: at most 6 s"
        );
        w.baseline_spiking = Some(TimeSpan::from_ms(250.0));
        assert_eq!(w.baseline_spiking().ms, 250.0);
    }
}
