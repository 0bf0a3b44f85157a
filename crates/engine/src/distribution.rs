//! Distributions of per-synapse and per-neuron values (weights, delays, initial states).

use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal, Uniform};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A value that is either fixed or drawn per item (synapse, neuron) from a distribution.
///
/// Written in a scenario as a plain number (`weight_ns = 6.0`) or as a table naming the
/// distribution (`weight_ns = { dist = "normal", mean = 1.0, sd = 0.2, min = 0.0 }`).
/// `min`/`max` clip each draw (as Brette et al. 2007 clip initial conductances at 0).
#[derive(Debug, Clone, PartialEq)]
pub enum ValueDistribution {
    /// Always the same value.
    Constant(f64),
    /// Gaussian with the given mean and standard deviation, optionally clipped.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        sd: f64,
        /// Lower clipping bound.
        min: Option<f64>,
        /// Upper clipping bound.
        max: Option<f64>,
    },
    /// Lognormal given by the mean and standard deviation *of the value itself* (not of its
    /// logarithm), optionally clipped. Synaptic weights are lognormal-like (Song et al. 2005).
    LogNormal {
        /// Mean of the value (> 0).
        mean: f64,
        /// Standard deviation of the value (≥ 0).
        sd: f64,
        /// Lower clipping bound.
        min: Option<f64>,
        /// Upper clipping bound.
        max: Option<f64>,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end (≥ low).
        high: f64,
    },
}

impl ValueDistribution {
    /// Why the parameters are unusable, if they are.
    pub fn check(&self) -> Result<(), String> {
        let finite = |name: &str, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(format!("`{name}` must be a finite number, got {v}"))
            }
        };
        let bounds = |min: Option<f64>, max: Option<f64>| {
            if let Some(lo) = min {
                finite("min", lo)?;
            }
            if let Some(hi) = max {
                finite("max", hi)?;
            }
            match (min, max) {
                (Some(lo), Some(hi)) if lo > hi => {
                    Err(format!("`min` ({lo}) must not exceed `max` ({hi})"))
                }
                _ => Ok(()),
            }
        };
        match *self {
            Self::Constant(v) => finite("value", v),
            Self::Normal { mean, sd, min, max } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if sd < 0.0 {
                    return Err(format!("`sd` must be ≥ 0, got {sd}"));
                }
                bounds(min, max)
            }
            Self::LogNormal { mean, sd, min, max } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if mean <= 0.0 {
                    return Err(format!("a lognormal needs `mean` > 0, got {mean}"));
                }
                if sd < 0.0 {
                    return Err(format!("`sd` must be ≥ 0, got {sd}"));
                }
                if !(sd / mean).powi(2).is_finite() {
                    return Err(format!("`sd` / `mean` ({sd} / {mean}) is too large"));
                }
                bounds(min, max)
            }
            Self::Uniform { low, high } => {
                finite("low", low)?;
                finite("high", high)?;
                if high < low {
                    return Err(format!("`high` ({high}) must be ≥ `low` ({low})"));
                }
                if !(high - low).is_finite() {
                    return Err(format!("the range [{low}, {high}) is too wide to sample"));
                }
                Ok(())
            }
        }
    }

    /// The smallest value a draw can take (`None`: unbounded below).
    pub fn lower_bound(&self) -> Option<f64> {
        match *self {
            Self::Constant(v) => Some(v),
            Self::Normal { min, .. } => min,
            Self::LogNormal { min, .. } => Some(min.unwrap_or(0.0).max(0.0)),
            Self::Uniform { low, .. } => Some(low),
        }
    }

    /// The largest value a draw can take (`None`: unbounded above).
    pub fn upper_bound(&self) -> Option<f64> {
        match *self {
            Self::Constant(v) => Some(v),
            Self::Normal { max, .. } | Self::LogNormal { max, .. } => max,
            Self::Uniform { high, .. } => Some(high),
        }
    }

    /// A sampler for these parameters, which must have passed [`check`](Self::check).
    pub fn sampler(&self) -> Sampler {
        let clip = |min: Option<f64>, max: Option<f64>| {
            (
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
            )
        };
        match *self {
            Self::Constant(v) => Sampler::Constant(v),
            Self::Normal { mean, sd, min, max } => {
                let (lo, hi) = clip(min, max);
                Sampler::Normal(Normal::new(mean, sd).expect("checked"), lo, hi)
            }
            Self::LogNormal { mean, sd, min, max } => {
                // Moments of the value → parameters of its logarithm.
                let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                let (lo, hi) = clip(min, max);
                Sampler::LogNormal(LogNormal::new(mu, sigma2.sqrt()).expect("checked"), lo, hi)
            }
            Self::Uniform { low, high } if low == high => Sampler::Constant(low),
            Self::Uniform { low, high } => {
                Sampler::Uniform(Uniform::new(low, high).expect("checked"))
            }
        }
    }
}

/// A prepared [`ValueDistribution`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Sampler {
    /// Fixed value.
    Constant(f64),
    /// Clipped Gaussian.
    Normal(Normal<f64>, f64, f64),
    /// Clipped lognormal.
    LogNormal(LogNormal<f64>, f64, f64),
    /// Uniform.
    Uniform(Uniform<f64>),
}

impl Sampler {
    /// One draw. A constant draws no random number, so it does not shift the stream.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Self::Constant(v) => *v,
            Self::Normal(d, lo, hi) => d.sample(rng).clamp(*lo, *hi),
            Self::LogNormal(d, lo, hi) => d.sample(rng).clamp(*lo, *hi),
            Self::Uniform(d) => d.sample(rng),
        }
    }
}

/// The table form, tagged by `dist`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
enum Tagged {
    Constant {
        value: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    LogNormal {
        mean: f64,
        sd: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    Uniform {
        low: f64,
        high: f64,
    },
}

impl Serialize for ValueDistribution {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let tagged = match *self {
            Self::Constant(v) => return serializer.serialize_f64(v),
            Self::Normal { mean, sd, min, max } => Tagged::Normal { mean, sd, min, max },
            Self::LogNormal { mean, sd, min, max } => Tagged::LogNormal { mean, sd, min, max },
            Self::Uniform { low, high } => Tagged::Uniform { low, high },
        };
        tagged.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ValueDistribution {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueOrTable;

        impl<'de> Visitor<'de> for ValueOrTable {
            type Value = ValueDistribution;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, or a table with dist = \"normal\" | \"lognormal\" | \"uniform\" | \"constant\"",
                )
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(ValueDistribution::Constant(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(ValueDistribution::Constant(v as f64))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(ValueDistribution::Constant(v as f64))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let tagged = Tagged::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(match tagged {
                    Tagged::Constant { value } => ValueDistribution::Constant(value),
                    Tagged::Normal { mean, sd, min, max } => {
                        ValueDistribution::Normal { mean, sd, min, max }
                    }
                    Tagged::LogNormal { mean, sd, min, max } => {
                        ValueDistribution::LogNormal { mean, sd, min, max }
                    }
                    Tagged::Uniform { low, high } => ValueDistribution::Uniform { low, high },
                })
            }
        }

        deserializer.deserialize_any(ValueOrTable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StableId;
    use crate::rng::{StreamId, StreamRng};

    fn moments(d: &ValueDistribution, n: usize) -> (f64, f64) {
        let s = d.sampler();
        let mut rng = StreamRng::new(3, StreamId::named("dist"), StableId(1), 0);
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        (mean, var.sqrt())
    }

    #[test]
    fn lognormal_has_the_requested_mean_and_sd() {
        let (m, s) = moments(
            &ValueDistribution::LogNormal {
                mean: 2.0,
                sd: 0.5,
                min: None,
                max: None,
            },
            200_000,
        );
        assert!((m - 2.0).abs() < 0.01, "mean {m}");
        assert!((s - 0.5).abs() < 0.01, "sd {s}");
    }

    #[test]
    fn clipping_bounds_every_draw() {
        let d = ValueDistribution::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(-0.5),
            max: Some(0.25),
        };
        let s = d.sampler();
        let mut rng = StreamRng::new(3, StreamId::named("clip"), StableId(1), 0);
        for _ in 0..10_000 {
            let x = s.sample(&mut rng);
            assert!((-0.5..=0.25).contains(&x));
        }
    }

    #[test]
    fn non_finite_bounds_and_ranges_are_refused() {
        let nan_min = ValueDistribution::Normal {
            mean: 1.0,
            sd: 0.1,
            min: Some(f64::NAN),
            max: None,
        };
        assert!(nan_min.check().unwrap_err().contains("`min`"));
        let wide = ValueDistribution::Uniform {
            low: -1.7e308,
            high: 1.7e308,
        };
        assert!(wide.check().unwrap_err().contains("too wide"));
    }

    #[test]
    fn bad_parameters_are_explained() {
        let bad = ValueDistribution::Normal {
            mean: 1.0,
            sd: -1.0,
            min: None,
            max: None,
        };
        assert!(bad.check().unwrap_err().contains("sd"));
        let bad = ValueDistribution::Uniform {
            low: 2.0,
            high: 1.0,
        };
        assert!(bad.check().unwrap_err().contains("high"));
    }
}
