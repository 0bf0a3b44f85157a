//! A study's plan: its design points (a value for every parameter) and its runs (a point, a
//! replicate and a seed). The plan is a pure function of the study file, so a resumed or
//! distributed study rebuilds exactly the same one.

use crate::distribution::Distribution;
use crate::sobol_sequence::SobolSequence;
use crate::spec::{Design, SeedPolicy, Study, Values};
use crate::splitmix::{SplitMix, derive_seed};

/// One design point.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The value of each parameter, in the study's parameter order.
    pub values: Vec<toml::Value>,
    /// The point in the unit cube, for designs that sample one (not explicit grids).
    pub unit: Option<Vec<f64>>,
}

/// One run of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedRun {
    /// Run number: point × replicates + replicate.
    pub run: usize,
    /// Design point.
    pub point: usize,
    /// Replicate of the point, from 0.
    pub replicate: u32,
    /// The scenario seed of this run.
    pub seed: u64,
}

/// The points and runs of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Design points.
    pub points: Vec<Point>,
    /// Runs, in run order.
    pub runs: Vec<PlannedRun>,
}

impl Plan {
    /// The plan of `study`.
    pub fn of(study: &Study) -> Self {
        let points = points(study);
        let replicates = study.spec.replicates;
        let runs = (0..points.len())
            .flat_map(|point| {
                (0..replicates).map(move |replicate| PlannedRun {
                    run: point * replicates as usize + replicate as usize,
                    point,
                    replicate,
                    seed: match study.spec.seeds {
                        SeedPolicy::Common => derive_seed(study.spec.seed, &[u64::from(replicate)]),
                        SeedPolicy::PerPoint => {
                            derive_seed(study.spec.seed, &[point as u64, u64::from(replicate)])
                        }
                    },
                })
            })
            .collect();
        Self { points, runs }
    }

    /// The `--set` overrides of a point: the study's own, then each parameter's value.
    pub fn overrides(&self, study: &Study, point: usize) -> Vec<String> {
        let mut set = study.spec.set.clone();
        for (parameter, value) in study.parameters.iter().zip(&self.points[point].values) {
            set.push(format!("{}={value}", parameter.key));
        }
        set
    }
}

fn points(study: &Study) -> Vec<Point> {
    let k = study.parameters.len();
    let seed = study.spec.seed;
    let units: Vec<Vec<f64>> = match study.design {
        Design::Grid => return grid(study),
        Design::Random { points } => {
            let mut u = SplitMix::new(derive_seed(seed, &[u64::MAX, 0]));
            (0..points)
                .map(|_| (0..k).map(|_| u.next_f64()).collect())
                .collect()
        }
        Design::LatinHypercube { points } => {
            let n = points as usize;
            let mut u = SplitMix::new(derive_seed(seed, &[u64::MAX, 1]));
            let strata: Vec<Vec<usize>> = (0..k).map(|_| u.permutation(n)).collect();
            (0..n)
                .map(|i| {
                    (0..k)
                        .map(|d| (strata[d][i] as f64 + u.next_f64()) / n as f64)
                        .collect()
                })
                .collect()
        }
        Design::Sobol { points } => {
            let sequence = SobolSequence::new(k).expect("checked when the study was read");
            (1..=points).map(|i| sequence.point(i)).collect()
        }
        Design::Morris {
            trajectories,
            levels,
        } => morris(
            k,
            trajectories,
            levels,
            &mut SplitMix::new(derive_seed(seed, &[u64::MAX, 2])),
        ),
        Design::Saltelli { base_samples } => saltelli_units(k, base_samples),
    };
    units
        .into_iter()
        .map(|unit| Point {
            values: study
                .parameters
                .iter()
                .zip(&unit)
                .map(|(p, &u)| match &p.values {
                    Values::Drawn { distribution, .. } => {
                        value(distribution.quantile(u), p.integer)
                    }
                    Values::List(_) => unreachable!("explicit values need a grid design"),
                })
                .collect(),
            unit: Some(unit),
        })
        .collect()
}

/// Every combination, the first parameter varying slowest.
fn grid(study: &Study) -> Vec<Point> {
    let axes: Vec<Vec<(toml::Value, Option<f64>)>> = study
        .parameters
        .iter()
        .map(|p| match &p.values {
            Values::List(list) => list.iter().map(|v| (v.clone(), None)).collect(),
            Values::Drawn {
                distribution,
                steps,
            } => {
                let steps = steps.expect("checked when the study was read");
                (0..steps)
                    .map(|j| {
                        let u = f64::from(j) / f64::from(steps - 1);
                        (value(distribution.quantile(u), p.integer), Some(u))
                    })
                    .collect()
            }
        })
        .collect();
    let total: usize = axes.iter().map(Vec::len).product();
    (0..total)
        .map(|mut index| {
            let mut chosen = vec![0; axes.len()];
            for (d, axis) in axes.iter().enumerate().rev() {
                chosen[d] = index % axis.len();
                index /= axis.len();
            }
            let picked: Vec<&(toml::Value, Option<f64>)> =
                chosen.iter().zip(&axes).map(|(&i, a)| &a[i]).collect();
            Point {
                values: picked.iter().map(|(v, _)| v.clone()).collect(),
                unit: picked.iter().map(|(_, u)| *u).collect(),
            }
        })
        .collect()
}

/// Morris (1991) trajectories: a random start on the `levels`-level grid, then one step of
/// ±Δ, Δ = levels / (2 (levels − 1)), in each parameter in a random order. The step goes up
/// from the lower half of the grid and down from the upper half, so every step stays in
/// [0, 1] and both directions are equally likely.
fn morris(k: usize, trajectories: u32, levels: u32, u: &mut SplitMix) -> Vec<Vec<f64>> {
    let top = f64::from(levels - 1);
    let delta = morris_delta(levels);
    let mut points = Vec::with_capacity(trajectories as usize * (k + 1));
    for _ in 0..trajectories {
        let mut x: Vec<f64> = (0..k)
            .map(|_| u.below(levels as usize) as f64 / top)
            .collect();
        points.push(x.clone());
        for i in u.permutation(k) {
            x[i] = if x[i] + delta <= 1.0 + 1e-12 {
                x[i] + delta
            } else {
                x[i] - delta
            };
            points.push(x.clone());
        }
    }
    points
}

/// The Morris step in the unit cube.
pub fn morris_delta(levels: u32) -> f64 {
    f64::from(levels) / (2.0 * f64::from(levels - 1))
}

/// Saltelli (2010) sampling: base matrices A and B from one 2k-dimensional Sobol' sequence
/// (origin skipped); for each row j the points A_j, A_j with column i from B_j (i = 1..k),
/// and B_j.
pub(crate) fn saltelli_units(k: usize, base_samples: u32) -> Vec<Vec<f64>> {
    let sequence = SobolSequence::new(2 * k).expect("checked when the study was read");
    let mut points = Vec::with_capacity(base_samples as usize * (k + 2));
    for j in 1..=base_samples {
        let row = sequence.point(j);
        let (a, b) = row.split_at(k);
        points.push(a.to_vec());
        for i in 0..k {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            points.push(ab);
        }
        points.push(b.to_vec());
    }
    points
}

/// A drawn value as the scenario takes it.
fn value(x: f64, integer: bool) -> toml::Value {
    if integer {
        toml::Value::Integer(x.round() as i64)
    } else {
        toml::Value::Float(x)
    }
}

/// The distribution of a drawn parameter (for analyses that need its scale).
pub fn distribution_of(study: &Study, parameter: usize) -> Option<Distribution> {
    match study.parameters[parameter].values {
        Values::Drawn { distribution, .. } => Some(distribution),
        Values::List(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn study(design: &str, parameters: &str) -> Study {
        let text = format!(
            "schema_version = 1\nname = \"t\"\nscenario = \"pfc_baseline\"\nreplicates = 2\n\
             seed = 7\n[design]\n{design}\n{parameters}\n[[metrics]]\nname = \"m\"\n\
             summary = \"activity.mean_rate_hz\"\n"
        );
        Study::parse("t.toml", &text, PathBuf::from(".")).unwrap()
    }

    const TWO_UNIFORM: &str = "[[parameters]]\nkey = \"a\"\ndistribution = \"uniform\"\n\
        min = 0.0\nmax = 10.0\n[[parameters]]\nkey = \"b\"\ndistribution = \"log_uniform\"\n\
        min = 1.0\nmax = 100.0\n";

    #[test]
    fn grids_cover_every_combination_first_parameter_slowest() {
        let s = study(
            "kind = \"grid\"",
            "[[parameters]]\nkey = \"a\"\nvalues = [0, 10]\n[[parameters]]\nkey = \"b\"\n\
             distribution = \"log_uniform\"\nmin = 1.0\nmax = 100.0\nsteps = 3\n",
        );
        let plan = Plan::of(&s);
        let got: Vec<String> = plan
            .points
            .iter()
            .map(|p| format!("{}/{}", p.values[0], p.values[1]))
            .collect();
        assert_eq!(
            got,
            [
                "0/1.0", "0/10.0", "0/100.0", "10/1.0", "10/10.0", "10/100.0"
            ]
        );
        assert_eq!(plan.runs.len(), 12);
        assert_eq!(plan.overrides(&s, 4), ["a=10", "b=10.0"]);
    }

    #[test]
    fn common_seeds_repeat_across_points_and_per_point_seeds_do_not() {
        let s = study(
            "kind = \"grid\"",
            "[[parameters]]\nkey = \"a\"\nvalues = [1, 2]\n",
        );
        let plan = Plan::of(&s);
        assert_eq!(plan.runs[0].seed, plan.runs[2].seed);
        assert_ne!(plan.runs[0].seed, plan.runs[1].seed);
        let mut s = s;
        s.spec.seeds = SeedPolicy::PerPoint;
        let plan = Plan::of(&s);
        assert_ne!(plan.runs[0].seed, plan.runs[2].seed);
        assert!(plan.runs.iter().all(|r| r.seed <= i64::MAX as u64));
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum() {
        let s = study("kind = \"latin_hypercube\"\npoints = 20", TWO_UNIFORM);
        let plan = Plan::of(&s);
        for d in 0..2 {
            let mut strata: Vec<usize> = plan
                .points
                .iter()
                .map(|p| (p.unit.as_ref().unwrap()[d] * 20.0) as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..20).collect::<Vec<_>>());
        }
        assert_eq!(
            plan,
            Plan::of(&s),
            "the plan is a pure function of the study"
        );
    }

    #[test]
    fn morris_steps_change_one_parameter_by_delta() {
        let s = study("kind = \"morris\"\ntrajectories = 5", TWO_UNIFORM);
        let plan = Plan::of(&s);
        assert_eq!(plan.points.len(), 5 * 3);
        let delta = morris_delta(4);
        for t in 0..5 {
            for step in 0..2 {
                let a = plan.points[t * 3 + step].unit.as_ref().unwrap();
                let b = plan.points[t * 3 + step + 1].unit.as_ref().unwrap();
                let changed: Vec<f64> = a
                    .iter()
                    .zip(b)
                    .map(|(x, y)| y - x)
                    .filter(|d| *d != 0.0)
                    .collect();
                assert_eq!(changed.len(), 1);
                assert!((changed[0].abs() - delta).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn saltelli_blocks_mix_a_and_b_one_column_at_a_time() {
        let s = study("kind = \"saltelli\"\nbase_samples = 4", TWO_UNIFORM);
        let plan = Plan::of(&s);
        assert_eq!(plan.points.len(), 4 * 4);
        let unit = |i: usize| plan.points[i].unit.clone().unwrap();
        let (a, ab0, ab1, b) = (unit(4), unit(5), unit(6), unit(7));
        assert_eq!(ab0, vec![b[0], a[1]]);
        assert_eq!(ab1, vec![a[0], b[1]]);
        let value = |i: usize, d: usize| plan.points[i].values[d].as_float().unwrap();
        assert!((0.0..=10.0).contains(&value(5, 0)));
        assert!((1.0..=100.0).contains(&value(5, 1)));
    }
}
