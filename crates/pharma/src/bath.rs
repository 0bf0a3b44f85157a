//! Bath application: a drug perfused over a brain slice at a set concentration.
//!
//! In vitro there is no pharmacokinetics: the experimenter sets the concentration at the
//! receptors. Simplification: the bath concentration is reached at the moment of
//! application and gone at washout (in practice perfusion equilibrates a slice in a few
//! minutes), and the drug is free (no tissue binding).

use serde::{Deserialize, Serialize};

/// One bath application of a drug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BathApplication {
    /// Library name of the drug.
    pub drug: String,
    /// Concentration at the receptors, µM.
    pub concentration_um: f64,
    /// Start of perfusion, s of model time.
    pub start_s: f64,
    /// Washout, s of model time (`None`: the drug stays to the end).
    pub end_s: Option<f64>,
}

impl BathApplication {
    /// Concentration this application sets at model time `t_s`, µM.
    pub fn concentration_at_um(&self, t_s: f64) -> f64 {
        let on = t_s >= self.start_s && self.end_s.is_none_or(|end| t_s < end);
        if on { self.concentration_um } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bath_holds_its_concentration_from_application_to_washout() {
        let bath = BathApplication {
            drug: "d_ap5".into(),
            concentration_um: 50.0,
            start_s: 600.0,
            end_s: Some(1200.0),
        };
        assert_eq!(bath.concentration_at_um(599.9), 0.0);
        assert_eq!(bath.concentration_at_um(600.0), 50.0);
        assert_eq!(bath.concentration_at_um(1199.9), 50.0);
        assert_eq!(bath.concentration_at_um(1200.0), 0.0);
        let stays = BathApplication {
            end_s: None,
            ..bath
        };
        assert_eq!(stays.concentration_at_um(1e9), 50.0);
    }
}
