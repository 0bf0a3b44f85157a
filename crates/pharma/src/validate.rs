//! Parameter checks that name the offending key, its value and what is allowed.
//!
//! Shared by every layer above (the models re-export it). Drugs and models know which values
//! make sense (a volume must be positive, a bioavailability lies in [0, 1]); the scenario crate
//! adds which file and which table the key belongs to.

/// One parameter outside its allowed range.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Key path relative to the checked table, e.g. `pk.rat.k10_per_min`.
    pub key: String,
    /// The offending value, as written.
    pub value: String,
    /// What would be accepted.
    pub allowed: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} = {} (allowed: {})",
            self.key, self.value, self.allowed
        )
    }
}

/// Collects violations under a key prefix.
pub struct Checker<'a> {
    prefix: String,
    out: &'a mut Vec<Violation>,
}

impl<'a> Checker<'a> {
    /// A checker that appends to `out`, prefixing keys with `prefix` (may be empty).
    pub fn new(prefix: &str, out: &'a mut Vec<Violation>) -> Self {
        Self {
            prefix: prefix.to_owned(),
            out,
        }
    }

    /// A checker for the sub-table `key`.
    pub fn nested(&mut self, key: &str) -> Checker<'_> {
        Checker {
            prefix: self.path(key),
            out: self.out,
        }
    }

    fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// Records a violation of `key`.
    pub fn fail(&mut self, key: &str, value: impl ToString, allowed: impl ToString) {
        self.out.push(Violation {
            key: self.path(key),
            value: value.to_string(),
            allowed: allowed.to_string(),
        });
    }

    /// `value` must be finite and > 0.
    pub fn positive(&mut self, key: &str, value: f64) {
        if !(value.is_finite() && value > 0.0) {
            self.fail(key, value, "a finite number > 0");
        }
    }

    /// `value` must be finite and ≥ 0.
    pub fn non_negative(&mut self, key: &str, value: f64) {
        if !(value.is_finite() && value >= 0.0) {
            self.fail(key, value, "a finite number ≥ 0");
        }
    }

    /// `value` must be finite.
    pub fn finite(&mut self, key: &str, value: f64) {
        if !value.is_finite() {
            self.fail(key, value, "a finite number");
        }
    }

    /// `value` must lie in `[lo, hi]`.
    pub fn within(&mut self, key: &str, value: f64, lo: f64, hi: f64) {
        if !(value.is_finite() && (lo..=hi).contains(&value)) {
            self.fail(key, value, format!("a number in [{lo}, {hi}]"));
        }
    }
}
