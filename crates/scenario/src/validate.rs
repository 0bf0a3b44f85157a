//! Semantic checks of a parsed scenario: ranges, references, consistency.
//!
//! Every problem is reported (not just the first), each with its key path; the loader adds
//! the file and line.

use std::collections::BTreeMap;

use synaptogen_engine::ValueDistribution;
use synaptogen_engine::connectivity::ConnectionRule;
use synaptogen_models::CellType;
use synaptogen_models::neuron::{InitialVariable, Membrane, STATE_VARIABLES};
use synaptogen_models::validate::Violation;

use crate::error::ScenarioError;
use crate::schema::{InputSpec, PlasticitySpec, Scenario};

/// Longest delay a synapse can have, in steps (delays are stored as 16-bit step counts).
const MAX_DELAY_STEPS: f64 = u16::MAX as f64;

struct Report<'a> {
    file: &'a str,
    errors: Vec<ScenarioError>,
}

impl Report<'_> {
    fn error(
        &mut self,
        key: impl Into<String>,
        value: impl std::fmt::Display,
        message: impl Into<String>,
        allowed: impl Into<String>,
    ) {
        self.errors.push(
            ScenarioError::key(self.file, key, message)
                .with_value(value)
                .with_allowed(allowed),
        );
    }

    fn violations(&mut self, prefix: &str, violations: Vec<Violation>) {
        for v in violations {
            let key = if prefix.is_empty() {
                v.key
            } else {
                format!("{prefix}.{}", v.key)
            };
            self.error(key, v.value, "out of range", v.allowed);
        }
    }

    fn distribution(&mut self, key: &str, d: &ValueDistribution) -> bool {
        match d.check() {
            Ok(()) => true,
            Err(message) => {
                self.errors
                    .push(ScenarioError::key(self.file, key, message));
                false
            }
        }
    }

    fn population(&mut self, key: &str, name: &str, s: &Scenario) -> Option<u32> {
        let size = s.populations.get(name).map(|p| p.size);
        if size.is_none() {
            self.error(
                key,
                format!("\"{name}\""),
                "no population of that name",
                names(s.populations.keys()),
            );
        }
        size
    }
}

fn names<'a>(it: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<&str> = it.map(String::as_str).collect();
    if v.is_empty() {
        "(none defined)".to_owned()
    } else {
        v.join(", ")
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// All semantic problems of `s`, whose cell types resolved to `cells`.
pub fn validate(
    file: &str,
    s: &Scenario,
    cells: &BTreeMap<String, CellType>,
) -> Vec<ScenarioError> {
    let mut r = Report {
        file,
        errors: Vec::new(),
    };
    let sim = &s.simulation;
    if !(sim.dt_ms.is_finite() && sim.dt_ms > 0.0 && sim.dt_ms <= 1.0) {
        r.error(
            "simulation.dt_ms",
            sim.dt_ms,
            "unusable step",
            "a number in (0, 1] ms",
        );
    }
    let dt = if sim.dt_ms > 0.0 && sim.dt_ms.is_finite() {
        sim.dt_ms
    } else {
        0.1
    };
    if !(sim.duration_ms.is_finite() && sim.duration_ms >= dt) {
        r.error(
            "simulation.duration_ms",
            sim.duration_ms,
            "unusable duration",
            format!("a number ≥ dt_ms ({dt})"),
        );
    }
    for (key, v) in [
        ("simulation.slow_dt_ms", sim.slow_dt_ms),
        ("simulation.structural_dt_ms", sim.structural_dt_ms),
    ] {
        if !(v.is_finite() && v >= dt) {
            r.error(
                key,
                v,
                "unusable period",
                format!("a number ≥ dt_ms ({dt})"),
            );
        }
    }
    r.violations("environment", s.environment.violations());

    for (name, cell) in cells {
        r.violations(&format!("cell_types.{name}"), cell.violations());
    }

    if s.populations.is_empty() {
        r.errors.push(ScenarioError::key(
            file,
            "populations",
            "a scenario needs at least one population",
        ));
    }
    for (name, p) in &s.populations {
        let key = format!("populations.{name}");
        if !valid_name(name) {
            r.error(
                &key,
                format!("\"{name}\""),
                "unusable population name",
                "letters, digits, `_` and `-`",
            );
        }
        if p.size == 0 {
            r.error(
                format!("{key}.size"),
                0,
                "a population needs neurons",
                "an integer ≥ 1",
            );
        }
        let cell = cells.get(&p.cell_type);
        for (var, d) in &p.initial {
            let vkey = format!("{key}.initial.{var}");
            match InitialVariable::named(var) {
                None => r.error(
                    &vkey,
                    var,
                    "not a state variable that can be initialised",
                    InitialVariable::ALL
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Some(InitialVariable::WAdaptPa)
                    if cell.is_some_and(|c| matches!(c.membrane, Membrane::Lif(_))) =>
                {
                    r.error(
                        &vkey,
                        var,
                        "LIF cells have no adaptation current",
                        "w_adapt_pa only for model = \"adex\"",
                    )
                }
                Some(_) => {
                    r.distribution(&vkey, d);
                }
            }
        }
    }

    for (name, p) in &s.projections {
        let key = format!("projections.{name}");
        let n_sources = r.population(&format!("{key}.source"), &p.source, s);
        r.population(&format!("{key}.target"), &p.target, s);
        match p.connectivity {
            ConnectionRule::PairwiseBernoulli { p: prob } => {
                if !(0.0..=1.0).contains(&prob) {
                    r.error(
                        format!("{key}.connectivity.p"),
                        prob,
                        "not a probability",
                        "a number in [0, 1]",
                    );
                }
            }
            ConnectionRule::FixedInDegree { k } => {
                if let Some(n) = n_sources {
                    let pool = if p.source == p.target && !p.autapses {
                        n.saturating_sub(1)
                    } else {
                        n
                    };
                    if !p.multapses && k > pool {
                        r.error(
                            format!("{key}.connectivity.k"),
                            k,
                            format!("more distinct sources than `{}` offers", p.source),
                            format!("an integer ≤ {pool}, or multapses = true"),
                        );
                    }
                    if p.multapses && k > 0 && pool == 0 {
                        r.error(
                            format!("{key}.connectivity.k"),
                            k,
                            "no source to draw from",
                            "0",
                        );
                    }
                }
            }
        }
        if r.distribution(&format!("{key}.weight_ns"), &p.weight_ns)
            && p.weight_ns.lower_bound().is_none_or(|lo| lo < 0.0)
        {
            r.error(
                format!("{key}.weight_ns"),
                format!("{:?}", p.weight_ns),
                "can draw a negative conductance",
                "a distribution bounded below by 0 (add `min = 0.0`)",
            );
        }
        if r.distribution(&format!("{key}.delay_ms"), &p.delay_ms) {
            let max_ms = MAX_DELAY_STEPS * dt;
            let ok = p.delay_ms.lower_bound().is_some_and(|lo| lo >= 0.0)
                && p.delay_ms.upper_bound().is_some_and(|hi| hi <= max_ms);
            if !ok {
                r.error(
                    format!("{key}.delay_ms"),
                    format!("{:?}", p.delay_ms),
                    "delays must be bounded",
                    format!("values in [0, {max_ms}] ms (set `min` and `max`); below one step they round up to dt_ms"),
                );
            }
        }
        if let Some(PlasticitySpec::StdpPair(params)) = &p.plasticity {
            r.violations(&format!("{key}.plasticity"), params.violations());
            if let Some(source) = s
                .populations
                .get(&p.source)
                .and_then(|pop| cells.get(&pop.cell_type))
                && source.transmitter != synaptogen_models::Transmitter::Glutamate
            {
                r.error(
                    format!("{key}.plasticity"),
                    "stdp_pair",
                    "STDP is defined for glutamatergic projections",
                    "a projection whose source releases glutamate",
                );
            }
        }
    }

    for (name, input) in &s.inputs {
        let key = format!("inputs.{name}");
        match input {
            InputSpec::Poisson(p) => {
                r.population(&format!("{key}.target"), &p.target, s);
                if !(p.rate_hz.is_finite() && p.rate_hz >= 0.0) {
                    r.error(
                        format!("{key}.rate_hz"),
                        p.rate_hz,
                        "unusable rate",
                        "a number ≥ 0",
                    );
                }
                if !(p.n_sources.is_finite() && p.n_sources > 0.0) {
                    r.error(
                        format!("{key}.n_sources"),
                        p.n_sources,
                        "unusable count",
                        "a number > 0",
                    );
                }
                if !(p.weight_ns.is_finite() && p.weight_ns >= 0.0) {
                    r.error(
                        format!("{key}.weight_ns"),
                        p.weight_ns,
                        "unusable weight",
                        "a number ≥ 0",
                    );
                }
            }
            InputSpec::Dc(d) => {
                let size = r.population(&format!("{key}.target"), &d.target, s);
                neuron_list(
                    &mut r,
                    &format!("{key}.neurons"),
                    d.neurons.as_deref(),
                    size,
                );
                if !d.amplitude_pa.is_finite() {
                    r.error(
                        format!("{key}.amplitude_pa"),
                        d.amplitude_pa,
                        "unusable current",
                        "a finite number",
                    );
                }
                if !(d.start_ms.is_finite() && d.start_ms >= 0.0) {
                    r.error(
                        format!("{key}.start_ms"),
                        d.start_ms,
                        "unusable time",
                        "a number ≥ 0",
                    );
                }
                if let Some(stop) = d.stop_ms
                    && !(stop.is_finite() && stop > d.start_ms)
                {
                    r.error(
                        format!("{key}.stop_ms"),
                        stop,
                        "ends before it starts",
                        format!("a time > start_ms ({})", d.start_ms),
                    );
                }
            }
            InputSpec::Step(st) => {
                let size = r.population(&format!("{key}.target"), &st.target, s);
                neuron_list(
                    &mut r,
                    &format!("{key}.neurons"),
                    st.neurons.as_deref(),
                    size,
                );
                if st.times_ms.len() != st.amplitudes_pa.len() {
                    r.error(
                        format!("{key}.amplitudes_pa"),
                        format!("{} values", st.amplitudes_pa.len()),
                        "one amplitude per time",
                        format!("{} values, as times_ms", st.times_ms.len()),
                    );
                }
                if st.times_ms.iter().any(|t| !(t.is_finite() && *t >= 0.0))
                    || st.times_ms.windows(2).any(|w| w[1] <= w[0])
                {
                    r.error(
                        format!("{key}.times_ms"),
                        format!("{:?}", st.times_ms),
                        "times must increase",
                        "increasing times ≥ 0",
                    );
                }
                if st.amplitudes_pa.iter().any(|a| !a.is_finite()) {
                    r.error(
                        format!("{key}.amplitudes_pa"),
                        format!("{:?}", st.amplitudes_pa),
                        "unusable current",
                        "finite numbers",
                    );
                }
            }
        }
    }

    let rec = &s.recording;
    if let Some(list) = &rec.spikes {
        for (i, name) in list.iter().enumerate() {
            r.population(&format!("recording.spikes.{i}"), name, s);
        }
    }
    if !(rec.rate_bin_ms.is_finite() && rec.rate_bin_ms >= dt) {
        r.error(
            "recording.rate_bin_ms",
            rec.rate_bin_ms,
            "unusable bin",
            format!("a number ≥ dt_ms ({dt})"),
        );
    }
    if !(rec.state_every_ms.is_finite() && rec.state_every_ms >= dt) {
        r.error(
            "recording.state_every_ms",
            rec.state_every_ms,
            "unusable period",
            format!("a number ≥ dt_ms ({dt})"),
        );
    }
    for (i, probe) in rec.state.iter().enumerate() {
        let key = format!("recording.state.{i}");
        let size = r.population(&format!("{key}.population"), &probe.population, s);
        neuron_list(
            &mut r,
            &format!("{key}.neurons"),
            Some(&probe.neurons),
            size,
        );
        for (j, var) in probe.variables.iter().enumerate() {
            if !STATE_VARIABLES.contains(&var.as_str()) {
                r.error(
                    format!("{key}.variables.{j}"),
                    format!("\"{var}\""),
                    "unknown state variable",
                    STATE_VARIABLES.join(", "),
                );
            }
        }
    }
    r.errors
}

fn neuron_list(r: &mut Report<'_>, key: &str, neurons: Option<&[u32]>, size: Option<u32>) {
    if let (Some(list), Some(size)) = (neurons, size)
        && let Some((i, &bad)) = list.iter().enumerate().find(|(_, n)| **n >= size)
    {
        r.error(
            format!("{key}.{i}"),
            bad,
            "no such neuron",
            format!("indices 0..{}", size.saturating_sub(1)),
        );
    }
}
