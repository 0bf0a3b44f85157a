//! Time axes in the unit a run's length asks for: milliseconds for a second of spiking,
//! days for a 28-day protocol.

/// A unit of model time for axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeUnit {
    /// Short name on the axis (`min`).
    pub name: &'static str,
    /// Length, ms.
    pub ms: f64,
}

const UNITS: [TimeUnit; 5] = [
    TimeUnit {
        name: "ms",
        ms: 1.0,
    },
    TimeUnit { name: "s", ms: 1e3 },
    TimeUnit {
        name: "min",
        ms: 6e4,
    },
    TimeUnit {
        name: "h",
        ms: 3.6e6,
    },
    TimeUnit {
        name: "d",
        ms: 8.64e7,
    },
];

/// The x axis of every time-course figure of one report: same span and unit throughout, so
/// figures line up when read one under another.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeAxis {
    /// Unit of the axis.
    pub unit: TimeUnit,
    /// Start and end, ms.
    pub span_ms: (f64, f64),
}

impl TimeAxis {
    /// The axis for a run spanning `span_ms`: the largest unit the span holds at least two of.
    pub fn for_span(span_ms: (f64, f64)) -> Self {
        let length = (span_ms.1 - span_ms.0).max(0.0);
        let unit = UNITS
            .iter()
            .rev()
            .find(|u| length >= 2.0 * u.ms)
            .copied()
            .unwrap_or(UNITS[0]);
        let end = if span_ms.1 > span_ms.0 {
            span_ms.1
        } else {
            span_ms.0 + 1.0
        };
        Self {
            unit,
            span_ms: (span_ms.0, end),
        }
    }

    /// An axis over `span_ms` in seconds, whatever its length (zooms into one second).
    pub fn seconds(span_ms: (f64, f64)) -> Self {
        Self {
            unit: UNITS[1],
            ..Self::for_span(span_ms)
        }
    }

    /// `t_ms` in the axis unit.
    pub fn at(&self, t_ms: f64) -> f64 {
        t_ms / self.unit.ms
    }

    /// Start and end in the axis unit.
    pub fn range(&self) -> std::ops::Range<f64> {
        self.at(self.span_ms.0)..self.at(self.span_ms.1)
    }

    /// Axis title, with its unit.
    pub fn label(&self) -> String {
        format!("model time ({})", self.unit.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_follows_the_run_length() {
        let unit = |ms: f64| TimeAxis::for_span((0.0, ms)).unit.name;
        assert_eq!(unit(500.0), "ms");
        assert_eq!(unit(10_000.0), "s");
        assert_eq!(unit(30.0 * 60_000.0), "min");
        assert_eq!(unit(7_800_000.0), "h");
        assert_eq!(unit(29.0 * 86_400_000.0), "d");
        let axis = TimeAxis::for_span((0.0, 7_200_000.0));
        assert_eq!(axis.at(3_600_000.0), 1.0);
        assert_eq!(axis.label(), "model time (h)");
    }
}
