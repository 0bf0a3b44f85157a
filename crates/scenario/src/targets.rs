//! `[[targets]]`: published results a scenario is checked against. Each names the claim,
//! its source, the readout that tests it (a metric as study files write them:
//! `assets/sweeps/README.md`) and the range it must fall in. The report of a run of the
//! scenario tables each target with the run's value; the scenario crate only keeps them
//! (reading a metric is `synaptogen-study`'s).

use serde::{Deserialize, Serialize};

/// One validation target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Its id (`ST-01`, as in the science's target list).
    pub id: String,
    /// What the literature reports, in words.
    pub claim: String,
    /// Where it is reported (paper, year).
    pub source: String,
    /// The readout: a study metric without `name` (`summary = "…"`, or `table`, `column`,
    /// `where`, `at` / `between` + `statistic`, `combine`, `relative_to`).
    pub metric: toml::Table,
    /// Lowest value that meets the target (inclusive); absent: no lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Highest value that meets the target (inclusive); absent: no upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Target {
    /// The allowed range as text (`≥ 1.15`, `0.6 to 0.8`).
    pub fn range(&self) -> String {
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
            (Some(lo), None) => format!("≥ {lo}"),
            (None, Some(hi)) => format!("≤ {hi}"),
            (None, None) => "any".into(),
        }
    }

    /// True when `value` lies in the range.
    pub fn met_by(&self, value: f64) -> bool {
        self.min.is_none_or(|lo| value >= lo) && self.max.is_none_or(|hi| value <= hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive_and_open_ended() {
        let mut t = Target {
            id: "X".into(),
            claim: String::new(),
            source: String::new(),
            metric: toml::Table::new(),
            min: Some(1.0),
            max: Some(2.0),
        };
        assert!(t.met_by(1.0) && t.met_by(2.0) && !t.met_by(2.01));
        assert_eq!(t.range(), "1 to 2");
        t.max = None;
        assert!(t.met_by(1e9) && !t.met_by(0.5));
        assert_eq!(t.range(), "≥ 1");
    }
}
