//! Stimulation: neurons made to fire at set times (electrical stimulation of afferent
//! fibres, the pre- and postsynaptic spikes of pairing protocols).

use bevy_ecs::prelude::*;

/// Every forced spike of the run, sorted by (step, population, neuron).
#[derive(Resource, Debug, Clone, Default)]
pub struct ForcedSpikes {
    steps: Vec<u64>,
    populations: Vec<u32>,
    neurons: Vec<u32>,
    next: usize,
}

/// The forced spikes of one step.
#[derive(Debug, Clone, Copy)]
pub struct DueSpikes<'a> {
    populations: &'a [u32],
    neurons: &'a [u32],
}

impl DueSpikes<'_> {
    /// Local indices (ascending) of the neurons of population `p` forced now.
    pub fn of_population(&self, p: u32) -> &[u32] {
        let lo = self.populations.partition_point(|&x| x < p);
        let hi = self.populations.partition_point(|&x| x <= p);
        &self.neurons[lo..hi]
    }
}

impl ForcedSpikes {
    /// All forced spikes as (step, population, local neuron); duplicates are merged.
    pub fn new(mut spikes: Vec<(u64, u32, u32)>) -> Self {
        spikes.sort_unstable();
        spikes.dedup();
        Self {
            steps: spikes.iter().map(|s| s.0).collect(),
            populations: spikes.iter().map(|s| s.1).collect(),
            neurons: spikes.iter().map(|s| s.2).collect(),
            next: 0,
        }
    }

    /// The spikes forced at `step`; steps must be asked for in increasing order (spikes of
    /// earlier steps that were never asked for are skipped).
    pub fn due(&mut self, step: u64) -> DueSpikes<'_> {
        let start = self.next + self.steps[self.next..].partition_point(|&s| s < step);
        let end = start + self.steps[start..].partition_point(|&s| s <= step);
        self.next = end;
        DueSpikes {
            populations: &self.populations[start..end],
            neurons: &self.neurons[start..end],
        }
    }

    /// Number of forced spikes in the whole run.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when nothing is forced.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Spike times (ms, from 0) of the standard induction protocols.
pub mod protocols {
    /// `count` spikes at `rate_hz` from `start_ms`.
    pub fn regular(start_ms: f64, rate_hz: f64, count: u32) -> Vec<f64> {
        (0..count)
            .map(|k| start_ms + f64::from(k) * 1000.0 / rate_hz)
            .collect()
    }

    /// `trains` trains of `duration_ms` at `rate_hz`, `interval_ms` apart (onset to onset):
    /// high-frequency tetanus, e.g. 100 Hz for 1 s (Bliss & Lømo 1973; three trains 10 min
    /// apart for late LTP, Frey & Morris 1997).
    pub fn tetanus(
        start_ms: f64,
        rate_hz: f64,
        duration_ms: f64,
        trains: u32,
        interval_ms: f64,
    ) -> Vec<f64> {
        let per_train = (duration_ms * rate_hz / 1000.0).round() as u32;
        (0..trains)
            .flat_map(|t| regular(start_ms + f64::from(t) * interval_ms, rate_hz, per_train))
            .collect()
    }

    /// Theta-burst stimulation: bursts of `spikes_per_burst` at `intra_burst_hz`, repeated
    /// at `burst_rate_hz`, `bursts` per train (Larson & Lynch 1986: 4 at 100 Hz, 5 Hz, 10).
    pub fn theta_burst(
        start_ms: f64,
        bursts: u32,
        burst_rate_hz: f64,
        spikes_per_burst: u32,
        intra_burst_hz: f64,
        trains: u32,
        interval_ms: f64,
    ) -> Vec<f64> {
        let mut times = Vec::new();
        for t in 0..trains {
            for b in 0..bursts {
                let onset =
                    start_ms + f64::from(t) * interval_ms + f64::from(b) * 1000.0 / burst_rate_hz;
                times.extend(regular(onset, intra_burst_hz, spikes_per_burst));
            }
        }
        times
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_spikes_come_out_per_step_and_population() {
        let mut f = ForcedSpikes::new(vec![(5, 1, 3), (5, 0, 2), (5, 1, 1), (9, 0, 0), (5, 1, 1)]);
        assert!(f.due(4).of_population(0).is_empty());
        let now = f.due(5);
        assert_eq!(now.of_population(0), &[2]);
        assert_eq!(now.of_population(1), &[1, 3], "sorted, duplicates merged");
        assert!(f.due(6).of_population(0).is_empty());
        assert_eq!(f.due(9).of_population(0), &[0]);
    }

    #[test]
    fn protocols_have_their_published_timing() {
        assert_eq!(protocols::tetanus(0.0, 100.0, 1000.0, 1, 0.0).len(), 100);
        let tbs = protocols::theta_burst(0.0, 10, 5.0, 4, 100.0, 1, 0.0);
        assert_eq!(tbs.len(), 40);
        assert_eq!(&tbs[..5], &[0.0, 10.0, 20.0, 30.0, 200.0]);
        let lfs = protocols::regular(100.0, 1.0, 900);
        assert_eq!(lfs.len(), 900);
        assert_eq!(*lfs.last().unwrap(), 100.0 + 899_000.0);
    }
}
