//! Chronic stress as a corticosterone time course.
//!
//! Two protocols, as in the literature the targets come from:
//! - **chronic unpredictable stress** (CUS; Li et al. 2011 Biol Psychiatry 69:754: 21 days,
//!   two stressors a day at unpredictable times): each stressor raises plasma corticosterone
//!   towards a peak while it lasts and lets it fall back afterwards;
//! - **corticosterone exposure** (Liu & Aghajanian 2008 PNAS 105:359 used chronic
//!   corticosterone): a constant raised level between two times.
//!
//! The downstream effects (BDNF transcription, spine elimination, dendritic atrophy) live in
//! the signalling model, which integrates corticosterone into a slow stress load.
//!
//! Simplification: corticosterone rises and falls with single exponentials (rise ≈ 15 min,
//! recovery ≈ 60 min after an acute stressor: the restraint-stress time courses reviewed in
//! Spencer & Deak 2017 J Neuroendocrinol 29:e12432); the circadian rhythm is left out.

use serde::{Deserialize, Serialize};

/// Seconds in a day.
pub const DAY_S: f64 = 86_400.0;

/// A stress protocol, in model seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum StressProtocol {
    /// Daily unpredictable stressors.
    ChronicUnpredictable(ChronicUnpredictable),
    /// A constant raised corticosterone level.
    Corticosterone(CorticosteroneExposure),
}

/// Chronic unpredictable stress.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChronicUnpredictable {
    /// Start of the first day, s.
    pub start_s: f64,
    /// Days of stress (21 in Li et al. 2011).
    pub days: u32,
    /// Stressors a day (2 in Li et al. 2011).
    pub stressors_per_day: u32,
    /// Duration of one stressor, s.
    pub stressor_s: f64,
    /// Corticosterone at the peak of a stressor, fold over baseline (acute restraint raises
    /// it ≈ 5–10-fold in rats: Spencer & Deak 2017; 5 is the default).
    pub peak_fold: f64,
    /// Seed of the stressors' times of day (the "unpredictable" part).
    pub seed: u64,
}

/// Constant raised corticosterone.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CorticosteroneExposure {
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Level, fold over baseline.
    pub fold: f64,
}

/// Rise time constant of corticosterone during a stressor, s.
pub const RISE_TAU_S: f64 = 15.0 * 60.0;
/// Recovery time constant after a stressor, s.
pub const RECOVERY_TAU_S: f64 = 60.0 * 60.0;

impl StressProtocol {
    /// Corticosterone at time `t_s`, fold over baseline (1 outside stress).
    pub fn corticosterone_fold(&self, t_s: f64) -> f64 {
        match self {
            Self::Corticosterone(c) => {
                if (c.start_s..c.end_s).contains(&t_s) {
                    c.fold
                } else {
                    1.0
                }
            }
            Self::ChronicUnpredictable(c) => c.corticosterone_fold(t_s),
        }
    }

    /// When the protocol ends, s (the last stressor's end, or the exposure's end).
    pub fn end_s(&self) -> f64 {
        match self {
            Self::Corticosterone(c) => c.end_s,
            Self::ChronicUnpredictable(c) => c.start_s + f64::from(c.days) * DAY_S,
        }
    }
}

impl ChronicUnpredictable {
    /// Onset of stressor `k` of day `day`, s. Stressors of a day fall in equal slots of the
    /// day at a pseudo-random offset inside each slot (deterministic in the seed).
    pub fn onset_s(&self, day: u32, k: u32) -> f64 {
        let per_day = self.stressors_per_day.max(1);
        let slot = DAY_S / f64::from(per_day);
        let room = (slot - self.stressor_s).max(0.0);
        let u = unit_hash(self.seed, u64::from(day) * 1024 + u64::from(k));
        self.start_s + f64::from(day) * DAY_S + f64::from(k) * slot + u * room
    }

    fn corticosterone_fold(&self, t_s: f64) -> f64 {
        if t_s < self.start_s || self.days == 0 {
            return 1.0;
        }
        let day = ((t_s - self.start_s) / DAY_S).floor() as i64;
        let mut excess: f64 = 0.0;
        // Today's stressors and the tails of yesterday's.
        for d in [day - 1, day] {
            if d < 0 || d >= i64::from(self.days) {
                continue;
            }
            for k in 0..self.stressors_per_day {
                let on = self.onset_s(d as u32, k);
                if t_s < on {
                    continue;
                }
                let rise = |dt: f64| 1.0 - (-dt / RISE_TAU_S).exp();
                let level = if t_s < on + self.stressor_s {
                    rise(t_s - on)
                } else {
                    rise(self.stressor_s) * (-(t_s - on - self.stressor_s) / RECOVERY_TAU_S).exp()
                };
                excess = excess.max(level);
            }
        }
        1.0 + (self.peak_fold - 1.0) * excess
    }
}

/// A number in [0, 1) from (seed, index): SplitMix64 (Steele, Lea & Flood 2014), so the
/// schedule is the same on every machine and for every thread count.
fn unit_hash(seed: u64, index: u64) -> f64 {
    let mut z = seed
        .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cus() -> ChronicUnpredictable {
        ChronicUnpredictable {
            start_s: 0.0,
            days: 21,
            stressors_per_day: 2,
            stressor_s: 2.0 * 3600.0,
            peak_fold: 5.0,
            seed: 7,
        }
    }

    #[test]
    fn every_day_of_the_protocol_has_its_stressors_and_none_after() {
        let p = StressProtocol::ChronicUnpredictable(cus());
        let c = cus();
        for day in 0..21 {
            for k in 0..2 {
                let on = c.onset_s(day, k);
                assert!(on >= f64::from(day) * DAY_S && on < f64::from(day + 1) * DAY_S);
                let mid = p.corticosterone_fold(on + 3600.0);
                assert!(mid > 3.0, "day {day} stressor {k}: {mid}");
            }
        }
        // A day after the last stressor ended, corticosterone is back to baseline.
        assert!((p.corticosterone_fold(23.0 * DAY_S) - 1.0).abs() < 1e-9);
        assert_eq!(p.corticosterone_fold(-1.0), 1.0);
    }

    #[test]
    fn stressor_times_differ_between_days_but_not_between_runs() {
        let c = cus();
        let times: Vec<f64> = (0..21)
            .map(|d| c.onset_s(d, 0) - f64::from(d) * DAY_S)
            .collect();
        assert!(times.windows(2).any(|w| (w[0] - w[1]).abs() > 600.0));
        assert_eq!(
            times,
            (0..21)
                .map(|d| cus().onset_s(d, 0) - f64::from(d) * DAY_S)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn constant_exposure_is_raised_only_inside_its_window() {
        let p = StressProtocol::Corticosterone(CorticosteroneExposure {
            start_s: 10.0,
            end_s: 20.0,
            fold: 3.0,
        });
        assert_eq!(p.corticosterone_fold(5.0), 1.0);
        assert_eq!(p.corticosterone_fold(15.0), 3.0);
        assert_eq!(p.corticosterone_fold(20.0), 1.0);
        assert_eq!(p.end_s(), 20.0);
    }
}
