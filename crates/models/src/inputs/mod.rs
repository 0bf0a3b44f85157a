//! External drive: Poisson background, injected currents and stimulation.

mod current;
mod poisson;
mod stimulus;

pub use current::{CurrentChange, CurrentSchedule, apply_current_changes};
pub use poisson::{PoissonInput, PoissonInputs, PoissonTrains, drive_poisson_inputs};
pub use stimulus::{DueSpikes, ForcedSpikes, protocols};
