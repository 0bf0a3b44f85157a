//! The progress bar of long runs: model time, spiking windows, wall time, ETA. Silent off a
//! terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

use synaptogen_engine::Progress;

/// Shows progress on stderr when it is a terminal and the user did not ask for quiet.
pub struct ProgressDisplay {
    bar: ProgressBar,
    total_ms: f64,
}

impl ProgressDisplay {
    /// A bar over `steps` steps covering `total_ms` of model time.
    pub fn new(steps: u64, total_ms: f64, quiet: bool) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {msg} · ETA {eta}",
                )
                .expect("valid template"),
            );
            bar
        };
        Self { bar, total_ms }
    }

    /// Updates the bar; `windows` is the number of spiking windows started (0 for a run
    /// without windows).
    pub fn update(&self, p: Progress, windows: u64) {
        self.bar.set_position(p.done_steps);
        let windows = if windows > 0 {
            format!(" · window {windows}")
        } else {
            String::new()
        };
        self.bar.set_message(format!(
            "model time {} / {}{windows}",
            readable_ms(p.model_time_ms),
            readable_ms(self.total_ms)
        ));
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A model time in the unit that suits it (ms, s, min, h, d).
pub fn readable_ms(ms: f64) -> String {
    const UNITS: [(f64, &str); 4] = [
        (86_400_000.0, "d"),
        (3_600_000.0, "h"),
        (60_000.0, "min"),
        (1000.0, "s"),
    ];
    for (scale, unit) in UNITS {
        if ms >= scale {
            return format!("{:.2} {unit}", ms / scale);
        }
    }
    format!("{ms:.1} ms")
}
