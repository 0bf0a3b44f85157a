//! External drive: Poisson background and injected currents.

mod current;
mod poisson;

pub use current::{CurrentChange, CurrentSchedule, apply_current_changes};
pub use poisson::{PoissonInput, PoissonInputs, PoissonTrains, drive_poisson_inputs};
