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
    /// Model time the axis counts from, ms (0, or the start of a zoom).
    pub origin_ms: f64,
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
            origin_ms: 0.0,
        }
    }

    /// An axis over `span_ms` in seconds from its start, whatever its length (a zoom into
    /// one second of a run of days).
    pub fn seconds_from_start(span_ms: (f64, f64)) -> Self {
        Self {
            unit: UNITS[1],
            origin_ms: span_ms.0,
            ..Self::for_span(span_ms)
        }
    }

    /// `t_ms` in the axis unit, from the origin.
    pub fn at(&self, t_ms: f64) -> f64 {
        (t_ms - self.origin_ms) / self.unit.ms
    }

    /// Start and end in the axis unit.
    pub fn range(&self) -> std::ops::Range<f64> {
        self.at(self.span_ms.0)..self.at(self.span_ms.1)
    }

    /// Axis title, with its unit.
    pub fn label(&self) -> String {
        if self.origin_ms == 0.0 {
            return format!("model time ({})", self.unit.name);
        }
        let origin = UNITS
            .iter()
            .rev()
            .find(|u| self.origin_ms >= u.ms)
            .copied()
            .unwrap_or(UNITS[0]);
        format!(
            "time after {:.4} {} ({})",
            self.origin_ms / origin.ms,
            origin.name,
            self.unit.name
        )
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
        let zoom = TimeAxis::seconds_from_start((2.0 * 86_400_000.0, 2.0 * 86_400_000.0 + 1000.0));
        assert_eq!(zoom.at(2.0 * 86_400_000.0 + 500.0), 0.5);
        assert_eq!(zoom.label(), "time after 2.0000 d (s)");
    }
}
