//! Morris (1991) elementary effects, with the absolute-mean measure μ* of Campolongo,
//! Cariboni & Saltelli (2007): a screening of which parameters matter, at r·(k + 1) runs.

/// The Morris measures of one parameter for one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisMeasures {
    /// Mean elementary effect μ (signed: effects of opposite sign cancel).
    pub mu: f64,
    /// Mean absolute elementary effect μ*: the importance ranking.
    pub mu_star: f64,
    /// Standard deviation σ of the effects: interactions and non-linearity.
    pub sigma: f64,
    /// Effects that entered (trajectories with both ends present).
    pub effects: usize,
}

/// The measures of each of `k` parameters from a Morris design's unit-cube points (in
/// trajectory order, k + 1 per trajectory) and the metric at each point (`None` where no run
/// gave a value). Effects are per unit of the normalised range: (f(x + Δeᵢ) − f(x)) / Δ.
pub fn measures(k: usize, units: &[Vec<f64>], values: &[Option<f64>]) -> Vec<MorrisMeasures> {
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); k];
    for (trajectory, points) in units.chunks_exact(k + 1).enumerate() {
        for step in 0..k {
            let (a, b) = (&points[step], &points[step + 1]);
            let first = trajectory * (k + 1) + step;
            let (Some(fa), Some(fb)) = (values[first], values[first + 1]) else {
                continue;
            };
            if let Some(i) = (0..k).find(|&i| a[i] != b[i]) {
                effects[i].push((fb - fa) / (b[i] - a[i]));
            }
        }
    }
    effects
        .iter()
        .map(|e| {
            let n = e.len() as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = if e.len() > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                f64::NAN
            };
            MorrisMeasures {
                mu,
                mu_star,
                sigma,
                effects: e.len(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For a linear function every elementary effect of xᵢ is its coefficient: μ = μ* = cᵢ,
    /// σ = 0 — the closed form the measures must reproduce.
    #[test]
    fn linear_functions_give_their_coefficients() {
        let units = vec![
            vec![0.0, 1.0 / 3.0],
            vec![2.0 / 3.0, 1.0 / 3.0],
            vec![2.0 / 3.0, 1.0],
            vec![1.0, 1.0],
            vec![1.0, 1.0 / 3.0],
            vec![1.0 / 3.0, 1.0 / 3.0],
        ];
        let f = |x: &Vec<f64>| Some(3.0 * x[0] - 2.0 * x[1]);
        let values: Vec<Option<f64>> = units.iter().map(f).collect();
        let m = measures(2, &units, &values);
        assert!((m[0].mu - 3.0).abs() < 1e-12 && (m[0].mu_star - 3.0).abs() < 1e-12);
        assert!((m[1].mu + 2.0).abs() < 1e-12 && (m[1].mu_star - 2.0).abs() < 1e-12);
        assert!(m[0].sigma.abs() < 1e-12);
        assert_eq!(m[1].effects, 2);
    }

    /// f = x₀·x₁: effects of x₀ depend on x₁, so σ > 0 shows the interaction, and missing
    /// values drop only the effects they end.
    #[test]
    fn interactions_show_in_sigma_and_gaps_are_skipped() {
        let units = vec![
            vec![0.0, 0.0],
            vec![2.0 / 3.0, 0.0],
            vec![2.0 / 3.0, 2.0 / 3.0],
            vec![1.0 / 3.0, 1.0],
            vec![1.0, 1.0],
            vec![1.0, 1.0 / 3.0],
        ];
        let mut values: Vec<Option<f64>> = units.iter().map(|x| Some(x[0] * x[1])).collect();
        let m = measures(2, &units, &values);
        assert!(m[0].sigma > 0.5, "{m:?}");
        values[5] = None;
        assert_eq!(measures(2, &units, &values)[1].effects, 1);
    }
}
