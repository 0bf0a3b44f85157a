//! The distributions a swept parameter is drawn from, mapped from the unit interval by their
//! quantile function so that every design (random, Latin hypercube, Sobol', Morris,
//! Saltelli) works in the unit cube and only the last step knows the parameter's scale.

/// A parameter's distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Uniform in the logarithm on [min, max] (both > 0): doses, rate constants.
    LogUniform {
        /// Lower bound, > 0.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Log-normal: the usual model of inter-individual variation in pharmacokinetic
    /// parameters (Sheiner & Beal 1980).
    LogNormal {
        /// Median (the geometric mean).
        median: f64,
        /// Standard deviation of the natural log (≈ the coefficient of variation when small).
        sigma_log: f64,
    },
}

impl Distribution {
    /// The value at quantile `u` in (0, 1) (bounded distributions also accept 0 and 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            // The ends exactly, so grids list the bounds as written.
            Self::Uniform { max, .. } | Self::LogUniform { max, .. } if u == 1.0 => max,
            Self::Uniform { min, max } => min + u * (max - min),
            Self::LogUniform { min, max } => min * (max / min).powf(u),
            Self::Normal { mean, sd } => mean + sd * standard_normal_quantile(u),
            Self::LogNormal { median, sigma_log } => {
                median * (sigma_log * standard_normal_quantile(u)).exp()
            }
        }
    }

    /// True when the distribution has finite bounds (needed by grids and Morris designs,
    /// which use the ends of the range).
    pub fn is_bounded(&self) -> bool {
        matches!(self, Self::Uniform { .. } | Self::LogUniform { .. })
    }
}

/// Φ(z), the standard normal distribution function.
pub fn standard_normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(u) by bisection on [`standard_normal_cdf`]: slower than a rational approximation but
/// accurate to the last bits, and a study draws at most a few hundred thousand values.
pub fn standard_normal_quantile(u: f64) -> f64 {
    if u <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if u >= 1.0 {
        return f64::INFINITY;
    }
    let (mut low, mut high) = (-40.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid == low || mid == high {
            break;
        }
        if standard_normal_cdf(mid) < u {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// The complementary error function: its Maclaurin series near 0 and Laplace's continued
/// fraction in the tails (Abramowitz & Stegun 1964, 7.1.5 and 7.1.14), each where it
/// converges to full double precision.
pub fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        // erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)); terms stay below e^(x²) ≈ 55.
        let mut term = x;
        let mut sum = x;
        let x2 = x * x;
        for n in 1..200 {
            term *= -x2 / n as f64;
            let add = term / (2 * n + 1) as f64;
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        1.0 - sum * 2.0 / std::f64::consts::PI.sqrt()
    } else {
        // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from
        // the tail; 80 levels converge for x ≥ 2.
        let mut t = x;
        for n in (1..=80).rev() {
            t = x + (n as f64 / 2.0) / t;
        }
        (-x * x).exp() / std::f64::consts::PI.sqrt() / t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values of the normal distribution (Abramowitz & Stegun 1964, table 26.1 and
    /// 26.5): Φ(1) = 0.841344746068543, Φ⁻¹(0.975) = 1.959963984540054, Φ⁻¹(0.999) =
    /// 3.090232306167814.
    #[test]
    fn normal_distribution_matches_tables() {
        assert!((standard_normal_cdf(1.0) - 0.841_344_746_068_543).abs() < 1e-14);
        assert!((standard_normal_cdf(-3.0) - 0.001_349_898_031_630_095).abs() < 1e-15);
        assert!((standard_normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((standard_normal_quantile(0.999) - 3.090_232_306_167_814).abs() < 1e-12);
        assert!(standard_normal_quantile(0.5).abs() < 1e-15);
        assert!((erfc(2.0) - 0.004_677_734_981_047_266).abs() < 1e-16);
    }

    #[test]
    fn quantiles_span_their_ranges() {
        let log = Distribution::LogUniform {
            min: 1.0,
            max: 100.0,
        };
        assert!((log.quantile(0.5) - 10.0).abs() < 1e-12);
        let lognormal = Distribution::LogNormal {
            median: 3.0,
            sigma_log: 0.3,
        };
        assert!((lognormal.quantile(0.5) - 3.0).abs() < 1e-12);
        assert!(!lognormal.is_bounded());
    }
}
