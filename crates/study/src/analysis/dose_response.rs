//! Dose–response summaries: a four-parameter Hill (sigmoid Emax) curve fitted to a metric
//! along the study's dose parameter, y = E₀ + E_max·dⁿ / (EC50ⁿ + dⁿ) (Hill 1910; Holford &
//! Sheiner 1981).
//!
//! For a given EC50 and n the curve is linear in E₀ and E_max, which are then solved by
//! least squares; EC50 and n are found by a search over a log-spaced grid, refined three
//! times around the best point. This "variable projection" fit needs no starting guess and
//! cannot diverge, which matters when a study's metric barely responds.

/// A fitted Hill curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HillFit {
    /// Response without drug.
    pub e0: f64,
    /// Maximal change from E₀ (negative for an inhibition).
    pub emax: f64,
    /// Dose of half-maximal change, in the dose's unit.
    pub ec50: f64,
    /// Hill coefficient n.
    pub hill: f64,
    /// Coefficient of determination of the fit.
    pub r_squared: f64,
}

/// Hill coefficients searched.
const HILL_RANGE: (f64, f64) = (0.3, 6.0);

/// Fits `(dose, response)` pairs. `None` when fewer than four distinct doses (one of them
/// may be 0) or no variation leave the curve undetermined.
pub fn fit(data: &[(f64, f64)]) -> Option<HillFit> {
    let mut doses: Vec<f64> = data.iter().map(|d| d.0).collect();
    doses.sort_by(f64::total_cmp);
    doses.dedup();
    let positive: Vec<f64> = doses.iter().copied().filter(|&d| d > 0.0).collect();
    if doses.len() < 4 || positive.is_empty() {
        return None;
    }
    let mean_y = data.iter().map(|d| d.1).sum::<f64>() / data.len() as f64;
    let total: f64 = data.iter().map(|d| (d.1 - mean_y).powi(2)).sum();
    if total <= 0.0 {
        return None;
    }
    let (low, high) = (
        positive[0].log10() - 1.0,
        positive[positive.len() - 1].log10() + 1.0,
    );
    // (sse, log10 EC50, ln n, E0, Emax) of the best curve so far.
    let mut best: Option<(f64, f64, f64, f64, f64)> = None;
    let consider = |best: &mut Option<(f64, f64, f64, f64, f64)>, log_ec50: f64, log_n: f64| {
        if let Some((sse, e0, emax)) = linear_part(data, 10f64.powf(log_ec50), log_n.exp())
            && best.is_none_or(|b| sse < b.0)
        {
            *best = Some((sse, log_ec50, log_n, e0, emax));
        }
    };
    let (n_low, n_high) = (HILL_RANGE.0.ln(), HILL_RANGE.1.ln());
    for i in 0..=80 {
        for j in 0..=40 {
            consider(
                &mut best,
                low + (high - low) * f64::from(i) / 80.0,
                n_low + (n_high - n_low) * f64::from(j) / 40.0,
            );
        }
    }
    let (mut span_ec50, mut span_n) = ((high - low) / 80.0, (n_high - n_low) / 40.0);
    for _ in 0..3 {
        let (_, c, m, _, _) = best?;
        for i in -10..=10 {
            for j in -10..=10 {
                consider(
                    &mut best,
                    (c + span_ec50 * f64::from(i) / 10.0).clamp(low, high),
                    (m + span_n * f64::from(j) / 10.0).clamp(n_low, n_high),
                );
            }
        }
        span_ec50 /= 5.0;
        span_n /= 5.0;
    }
    let (sse, log_ec50, log_n, e0, emax) = best?;
    Some(HillFit {
        e0,
        emax,
        ec50: 10f64.powf(log_ec50),
        hill: log_n.exp(),
        r_squared: 1.0 - sse / total,
    })
}

/// For fixed EC50 and n: the least-squares E₀ and E_max and the residual sum of squares.
fn linear_part(data: &[(f64, f64)], ec50: f64, n: f64) -> Option<(f64, f64, f64)> {
    let h = |d: f64| {
        if d <= 0.0 {
            0.0
        } else {
            1.0 / (1.0 + (ec50 / d).powf(n))
        }
    };
    let count = data.len() as f64;
    let mean_h = data.iter().map(|d| h(d.0)).sum::<f64>() / count;
    let mean_y = data.iter().map(|d| d.1).sum::<f64>() / count;
    let (mut cov, mut var) = (0.0, 0.0);
    for &(d, y) in data {
        let dh = h(d) - mean_h;
        cov += dh * (y - mean_y);
        var += dh * dh;
    }
    if var < 1e-12 * count {
        return None;
    }
    let emax = cov / var;
    let e0 = mean_y - emax * mean_h;
    let sse = data
        .iter()
        .map(|&(d, y)| (y - e0 - emax * h(d)).powi(2))
        .sum();
    Some((sse, e0, emax))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hill(d: f64) -> f64 {
        2.0 + 5.0 * d.powf(1.5) / (10f64.powf(1.5) + d.powf(1.5))
    }

    #[test]
    fn an_exact_hill_curve_is_recovered() {
        let data: Vec<(f64, f64)> = [0.0, 1.0, 3.0, 10.0, 30.0, 100.0, 200.0]
            .iter()
            .map(|&d| (d, hill(d)))
            .collect();
        let f = fit(&data).unwrap();
        assert!((f.ec50 / 10.0 - 1.0).abs() < 0.01, "{f:?}");
        assert!((f.hill / 1.5 - 1.0).abs() < 0.01, "{f:?}");
        assert!(
            (f.e0 - 2.0).abs() < 0.01 && (f.emax - 5.0).abs() < 0.02,
            "{f:?}"
        );
        assert!(f.r_squared > 0.9999);
    }

    #[test]
    fn an_inhibition_with_replicate_noise_is_fitted() {
        let mut data = Vec::new();
        for (i, d) in [0.0, 0.3, 1.0, 3.0, 10.0, 30.0].iter().enumerate() {
            for r in [-1.0, 1.0] {
                let noise = 0.02 * r * (1.0 + i as f64 % 2.0);
                data.push((*d, 1.0 - 0.8 / (1.0 + 2.0 / d) + noise));
            }
        }
        let f = fit(&data).unwrap();
        assert!(f.emax < 0.0 && (f.ec50 / 2.0 - 1.0).abs() < 0.15, "{f:?}");
    }

    #[test]
    fn too_few_doses_or_no_response_give_no_fit() {
        assert!(fit(&[(0.0, 1.0), (1.0, 2.0), (10.0, 3.0)]).is_none());
        assert!(fit(&[(0.0, 1.0), (1.0, 1.0), (3.0, 1.0), (10.0, 1.0)]).is_none());
    }
}
