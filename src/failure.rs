//! The two ways a command fails, which decide the exit code.

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong (exit code 2): fixing the scenario or the flags helps.
    Input(anyhow::Error),
    /// Something broke inside (exit code 1): a bug, a full disk, a lost thread.
    Internal(anyhow::Error),
}

impl Failure {
    /// An input failure with a message.
    pub fn input(message: impl std::fmt::Display) -> Self {
        Self::Input(anyhow::anyhow!("{message}"))
    }
}

impl From<synaptogen_scenario::ScenarioErrors> for Failure {
    fn from(e: synaptogen_scenario::ScenarioErrors) -> Self {
        Self::Input(anyhow::Error::new(e))
    }
}

impl From<synaptogen_scenario::build::BuildError> for Failure {
    fn from(e: synaptogen_scenario::build::BuildError) -> Self {
        if e.is_input_error() {
            Self::Input(e.into())
        } else {
            Self::Internal(e.into())
        }
    }
}

/// Marks an I/O or engine error as internal, with context.
pub trait Internal<T> {
    /// Wraps the error as [`Failure::Internal`] with `context`.
    fn internal(
        self,
        context: impl std::fmt::Display + Send + Sync + 'static,
    ) -> Result<T, Failure>;
}

impl<T, E: Into<anyhow::Error>> Internal<T> for Result<T, E> {
    fn internal(
        self,
        context: impl std::fmt::Display + Send + Sync + 'static,
    ) -> Result<T, Failure> {
        self.map_err(|e| Failure::Internal(e.into().context(context)))
    }
}
