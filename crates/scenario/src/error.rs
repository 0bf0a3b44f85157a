//! Scenario errors: which file, which key (and line), which value, what is allowed.

use std::fmt;

/// One problem with a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The file (or `<built-in NAME>`) the scenario came from.
    pub file: String,
    /// Dotted key path, e.g. `projections.pyr_to_pv.connectivity.p`.
    pub key: Option<String>,
    /// 1-based line of the key in the file, when it is written there.
    pub line: Option<usize>,
    /// Where the value came from when not from the file (`--set KEY=VALUE`, a built-in cell
    /// type).
    pub origin: Option<String>,
    /// The offending value.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What would be accepted.
    pub allowed: Option<String>,
}

impl ScenarioError {
    /// An error about the file as a whole.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            key: None,
            line: None,
            origin: None,
            value: None,
            message: message.into(),
            allowed: None,
        }
    }

    /// An error about `key`.
    pub fn key(file: &str, key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: Some(key.into()),
            ..Self::file(file, message)
        }
    }

    /// Adds the offending value.
    pub fn with_value(mut self, value: impl fmt::Display) -> Self {
        self.value = Some(value.to_string());
        self
    }

    /// Adds what is allowed.
    pub fn with_allowed(mut self, allowed: impl Into<String>) -> Self {
        self.allowed = Some(allowed.into());
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        if let Some(origin) = &self.origin {
            write!(f, " (from {origin})")?;
        }
        if let Some(value) = &self.value {
            write!(f, ": value {value}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(allowed) = &self.allowed {
            write!(f, "; allowed: {allowed}")?;
        }
        Ok(())
    }
}

/// Every problem found in a scenario (validation reports them all at once).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl From<ScenarioError> for ScenarioErrors {
    fn from(e: ScenarioError) -> Self {
        Self(vec![e])
    }
}
