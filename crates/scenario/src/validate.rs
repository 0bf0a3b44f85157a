//! Semantic checks of a parsed scenario: ranges, references, consistency.
//!
//! Every problem is reported (not just the first), each with its key path; the loader adds
//! the file and line.

use std::collections::BTreeMap;

use synaptogen_engine::ValueDistribution;
use synaptogen_engine::connectivity::ConnectionRule;
use synaptogen_models::neuron::{InitialVariable, Membrane, STATE_VARIABLES};
use synaptogen_models::validate::Violation;
use synaptogen_models::{CellType, Transmitter};

use crate::error::ScenarioError;
use crate::schema::{CompartmentSpec, InputSpec, PlasticitySpec, Scenario};

/// Longest delay a synapse can have, in steps (delays are stored as 16-bit step counts).
const MAX_DELAY_STEPS: f64 = u16::MAX as f64;
/// Longest refractory period, in steps (16-bit counters per neuron).
const MAX_REFRACTORY_STEPS: f64 = u16::MAX as f64;
/// Most synapses one projection can hold (32-bit synapse indices).
const MAX_SYNAPSES_PER_PROJECTION: f64 = u32::MAX as f64;
/// Most expected Poisson events per neuron and step: beyond this a "background" is a DC
/// current in disguise and the count sampler loses precision.
const MAX_POISSON_EVENTS_PER_STEP: f64 = 1e6;

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

    /// `ms` must be a whole number of steps of `dt` (as NEST requires of its times).
    fn whole_steps(&mut self, key: impl Into<String>, ms: f64, dt: f64) {
        if !(ms.is_finite() && dt > 0.0) {
            return;
        }
        let steps = ms / dt;
        if (steps.round() * dt - ms).abs() > 1e-9 * ms.abs().max(1.0) {
            let (below, above) = (steps.floor() * dt, steps.ceil() * dt);
            self.error(
                key,
                ms,
                format!("not a whole number of steps of dt_ms ({dt})"),
                format!("a multiple of dt_ms, e.g. {below:.6} or {above:.6}"),
            );
        }
    }

    /// A period must span at least one step and a whole number of them.
    fn period(&mut self, key: &str, ms: f64, dt: f64) {
        if !(ms.is_finite() && ms >= dt) {
            self.error(
                key,
                ms,
                "unusable period",
                format!("a number ≥ dt_ms ({dt})"),
            );
        }
        self.whole_steps(key, ms, dt);
    }

    /// A period kept by a schedule must be a whole number of that schedule's periods.
    fn multiple_of(&mut self, key: &str, ms: f64, (base_key, base_ms): (&str, f64), why: &str) {
        let n = (ms / base_ms).round();
        if !(n >= 1.0 && (n * base_ms - ms).abs() <= 1e-9 * ms.max(1.0)) {
            self.error(
                key,
                ms,
                why,
                format!("a multiple of {base_key} ({base_ms})"),
            );
        }
    }

    /// Neuron indices must lie in the population and appear once.
    fn neuron_list(&mut self, key: &str, neurons: Option<&[u32]>, size: Option<u32>) {
        let (Some(list), Some(size)) = (neurons, size) else {
            return;
        };
        if let Some((i, &bad)) = list.iter().enumerate().find(|(_, n)| **n >= size) {
            self.error(
                format!("{key}.{i}"),
                bad,
                "no such neuron",
                format!("indices 0..{}", size.saturating_sub(1)),
            );
        }
        let mut sorted = list.to_vec();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            self.error(key, w[0], "a neuron is listed twice", "each index once");
        }
    }

    /// A stimulus's target and selection; returns the number of neurons selected.
    fn stimulus(
        &mut self,
        key: &str,
        target: &str,
        neurons: Option<&[u32]>,
        fraction: Option<f64>,
        s: &Scenario,
    ) -> Option<usize> {
        let size = self.population(&format!("{key}.target"), target, s)?;
        self.neuron_list(&format!("{key}.neurons"), neurons, Some(size));
        if let Some(f) = fraction
            && !(f > 0.0 && f <= 1.0)
        {
            self.error(
                format!("{key}.fraction"),
                f,
                "not a fraction of the population",
                "a number in (0, 1]",
            );
        }
        Some(match (neurons, fraction) {
            (Some(list), _) => list.len(),
            (None, Some(f)) => ((f * f64::from(size)).ceil() as usize).min(size as usize),
            (None, None) => size as usize,
        })
    }

    /// A time ≥ 0 on the step grid.
    fn time(&mut self, key: &str, ms: f64, dt: f64) {
        if !(ms.is_finite() && ms >= 0.0) {
            self.error(key, ms, "unusable time", "a number ≥ 0");
        }
        self.whole_steps(key, ms, dt);
    }

    fn rate(&mut self, key: &str, hz: f64) {
        if !(hz.is_finite() && hz > 0.0) {
            self.error(key, hz, "unusable rate", "a number > 0");
        }
    }

    fn positive_ms(&mut self, key: &str, ms: f64) {
        if !(ms.is_finite() && ms > 0.0) {
            self.error(key, ms, "unusable duration", "a number > 0");
        }
    }

    fn count(&mut self, key: &str, n: u32) {
        if n == 0 {
            self.error(key, n, "nothing to deliver", "an integer ≥ 1");
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
    let dt = simulation(&mut r, s);
    if !s.name.is_empty() && !valid_name(&s.name) {
        r.error(
            "name",
            format!("\"{}\"", s.name),
            "unusable scenario name (it names the output folder)",
            "letters, digits, `_` and `-`",
        );
    }
    for (i, t) in s.targets.iter().enumerate() {
        let key = |k: &str| format!("targets[{i}].{k}");
        if t.id.trim().is_empty() {
            r.error(
                key("id"),
                "\"\"",
                "a target needs an id",
                "a name such as \"ST-01\"",
            );
        }
        match (t.min, t.max) {
            (None, None) => r.error(
                key("min"),
                "absent",
                "a target needs a range",
                "min, max or both",
            ),
            (Some(lo), Some(hi)) if lo > hi || lo.is_nan() || hi.is_nan() => {
                r.error(key("max"), hi, "below min", format!("a number ≥ {lo}"));
            }
            _ => {}
        }
    }
    r.violations("environment", s.environment.violations());
    r.violations("spines", s.spines.violations());
    r.period("spines.census_every_ms", s.spines.census_every_ms, dt);
    r.multiple_of(
        "spines.census_every_ms",
        s.spines.census_every_ms,
        ("simulation.structural_dt_ms", s.simulation.structural_dt_ms),
        "the census is taken on the structural schedule",
    );
    if !(s.simulation.quiet_after_ms.is_finite() && s.simulation.quiet_after_ms >= 0.0) {
        r.error(
            "simulation.quiet_after_ms",
            s.simulation.quiet_after_ms,
            "unusable duration",
            "a number ≥ 0",
        );
    }
    r.whole_steps("simulation.quiet_after_ms", s.simulation.quiet_after_ms, dt);
    for (name, cell) in cells {
        r.violations(&format!("cell_types.{name}"), cell.violations());
        if cell.membrane.t_ref_ms() / dt > MAX_REFRACTORY_STEPS {
            r.error(
                format!("cell_types.{name}.membrane.t_ref_ms"),
                cell.membrane.t_ref_ms(),
                "refractory period too long",
                format!("at most {} ms at dt_ms = {dt}", MAX_REFRACTORY_STEPS * dt),
            );
        }
    }
    populations(&mut r, s, cells);
    projections(&mut r, s, cells, dt);
    inputs(&mut r, s, dt);
    recording(&mut r, s, cells, dt);
    pharmacology(&mut r, s);
    r.errors
}

/// `[pharmacology]`, `[[interventions]]` and `[simulation.windows]`.
fn pharmacology(r: &mut Report<'_>, s: &Scenario) {
    use crate::pharmacology::Intervention;
    use synaptogen_pharma::drug::Route;
    if let Some(w) = &s.simulation.bridging() {
        if let Some(t) = w.tolerance
            && !(t.is_finite() && t > 0.0)
        {
            r.error(
                "simulation.windows.tolerance",
                t,
                "no change would be small enough",
                "a number > 0 (e.g. 0.02)",
            );
        }
        if let Some(dense) = w.dense_every
            && dense.ms > w.every.ms
        {
            r.error(
                "simulation.windows.dense_every",
                dense,
                "dense windows sparser than the others",
                format!("a time ≤ windows.every ({})", w.every),
            );
        }
        if let Some(b) = w.baseline_spiking
            && b.ms <= 0.0
        {
            r.error(
                "simulation.windows.baseline_spiking",
                b,
                "baseline windows without spiking",
                "a time > 0 (e.g. \"6s\")",
            );
        }
        if w.spiking.ms <= 0.0 {
            r.error(
                "simulation.windows.spiking",
                w.spiking,
                "unusable window",
                "a time > 0",
            );
        }
        for (key, t) in [("every", Some(w.every)), ("dense_every", w.dense_every)] {
            let Some(t) = t else { continue };
            r.multiple_of(
                &format!("simulation.windows.{key}"),
                t.ms,
                ("simulation.slow_dt_ms", s.simulation.slow_dt_ms),
                "windows start on the slow schedule",
            );
            if w.spiking.ms > t.ms {
                r.error(
                    "simulation.windows.spiking",
                    w.spiking,
                    "a window longer than its period",
                    format!("a time ≤ windows.{key} ({t})"),
                );
            }
        }
    }
    if s.pharmacology.is_none() && s.interventions.is_empty() {
        return;
    }
    let spec = s.pharmacology.clone().unwrap_or_default();
    let p = "pharmacology";
    if let Some(m) = spec.body_mass_kg
        && !(m.is_finite() && m > 0.0)
    {
        r.error(
            format!("{p}.body_mass_kg"),
            m,
            "unusable body mass",
            "a number > 0",
        );
    }
    let first_intervention_ms = s
        .interventions
        .iter()
        .map(|i| i.start().ms)
        .fold(f64::INFINITY, f64::min);
    // A run that ends within the baseline has nothing to compare with it (folds stay 1);
    // a baseline that ends, at an intervention or `baseline_until`, before it starts does.
    let baseline_end_ms = spec.baseline_until.map_or(first_intervention_ms, |t| t.ms);
    if spec.baseline_from.ms >= baseline_end_ms {
        r.error(
            format!("{p}.baseline_from"),
            spec.baseline_from,
            "the baseline would be empty",
            format!(
                "a time before the baseline's end ({baseline_end_ms} ms: baseline_until, else \
                 the first intervention)"
            ),
        );
    }
    r.multiple_of(
        &format!("{p}.record_every"),
        spec.record_every.ms,
        ("simulation.slow_dt_ms", s.simulation.slow_dt_ms),
        "rows are written on the slow schedule",
    );
    let mut out = Vec::new();
    {
        let mut c = synaptogen_models::validate::Checker::new("", &mut out);
        spec.mechanisms.check(&mut c.nested("mechanisms"));
        spec.glutamate.check(&mut c.nested("glutamate"));
        spec.signalling.check(&mut c.nested("signalling"));
    }
    r.violations(p, out);
    for (name, drug) in &spec.drugs {
        for v in drug.violations() {
            r.error(
                format!("{p}.drugs.{name}.{}", v.key),
                v.value,
                "parameter out of range",
                v.allowed,
            );
        }
    }
    let library = crate::build::drug_names(s);
    for (k, intervention) in s.interventions.iter().enumerate() {
        let key = format!("interventions[{k}]");
        match intervention {
            Intervention::Dose(d) => {
                let Some(drug) = crate::build::drug_named(s, &d.drug) else {
                    r.error(
                        format!("{key}.drug"),
                        format!("\"{}\"", d.drug),
                        "unknown drug",
                        format!(
                            "one of {} (or define it in [pharmacology.drugs])",
                            library.join(", ")
                        ),
                    );
                    continue;
                };
                let amounts = [d.amount_mg_per_kg, d.amount_mg, d.amount_nmol];
                let given: Vec<f64> = amounts.iter().flatten().copied().collect();
                if given.len() != 1 {
                    r.error(
                        format!("{key}.amount_mg_per_kg"),
                        format!("{} amount keys", given.len()),
                        "a dose needs exactly one amount",
                        "one of amount_mg_per_kg, amount_mg, amount_nmol",
                    );
                } else if !(given[0].is_finite() && given[0] >= 0.0) {
                    r.error(
                        format!("{key}.amount"),
                        given[0],
                        "unusable amount",
                        "a number ≥ 0",
                    );
                }
                match drug.pk_for(spec.species) {
                    None => r.error(
                        format!("{key}.drug"),
                        format!("\"{}\"", d.drug),
                        format!(
                            "the drug has no pharmacokinetics for {}",
                            spec.species.name()
                        ),
                        format!(
                            "a drug with [pk.{}] (or change pharmacology.species)",
                            spec.species.name()
                        ),
                    ),
                    Some(pk) if !pk.routes.contains_key(&d.route) => {
                        let allowed: Vec<&str> = pk.routes.keys().map(|r| r.name()).collect();
                        r.error(
                            format!("{key}.route"),
                            format!("\"{}\"", d.route.name()),
                            format!(
                                "{} has no data for this route in {}",
                                d.drug,
                                spec.species.name()
                            ),
                            allowed.join(", "),
                        );
                    }
                    Some(_) => {}
                }
                match (d.route, d.duration) {
                    (Route::IvInfusion, None) => r.error(
                        format!("{key}.duration"),
                        "(missing)",
                        "an infusion needs its duration",
                        "a time > 0, e.g. \"40min\"",
                    ),
                    (Route::IvInfusion, Some(t)) if t.ms <= 0.0 => r.error(
                        format!("{key}.duration"),
                        t,
                        "an infusion needs its duration",
                        "a time > 0, e.g. \"40min\"",
                    ),
                    (Route::IvInfusion, _) | (_, None) => {}
                    (_, Some(t)) => r.error(
                        format!("{key}.duration"),
                        t,
                        "only infusions have a duration",
                        "no duration, or route = \"iv_infusion\"",
                    ),
                }
            }
            Intervention::Bath(b) => {
                if crate::build::drug_named(s, &b.drug).is_none() {
                    r.error(
                        format!("{key}.drug"),
                        format!("\"{}\"", b.drug),
                        "unknown drug",
                        format!(
                            "one of {} (or define it in [pharmacology.drugs])",
                            library.join(", ")
                        ),
                    );
                }
                if !(b.concentration_um.is_finite() && b.concentration_um >= 0.0) {
                    r.error(
                        format!("{key}.concentration_um"),
                        b.concentration_um,
                        "unusable concentration",
                        "a number ≥ 0 (µM)",
                    );
                }
                if let Some(t) = b.duration
                    && t.ms <= 0.0
                {
                    r.error(
                        format!("{key}.duration"),
                        t,
                        "a bath needs a positive duration",
                        "a time > 0, e.g. \"30min\", or no duration (stays to the end)",
                    );
                }
            }
            Intervention::ChronicStress(c) => {
                if !(c.peak_corticosterone_fold.is_finite() && c.peak_corticosterone_fold >= 1.0) {
                    r.error(
                        format!("{key}.peak_corticosterone_fold"),
                        c.peak_corticosterone_fold,
                        "unusable corticosterone level",
                        "a number ≥ 1",
                    );
                }
                if c.stressor.ms * f64::from(c.stressors_per_day) > 86_400_000.0 {
                    r.error(
                        format!("{key}.stressor"),
                        c.stressor,
                        "the stressors do not fit in a day",
                        "stressor × stressors_per_day ≤ 1d",
                    );
                }
            }
            Intervention::Corticosterone(c) => {
                if c.end.ms <= c.start.ms {
                    r.error(
                        format!("{key}.end"),
                        c.end,
                        "ends before it starts",
                        format!("a time after start ({})", c.start),
                    );
                }
                if !(c.fold.is_finite() && c.fold > 0.0) {
                    r.error(
                        format!("{key}.fold"),
                        c.fold,
                        "unusable level",
                        "a number > 0",
                    );
                }
            }
        }
    }
}

/// `[simulation]`; returns a usable dt for the other checks.
fn simulation(r: &mut Report<'_>, s: &Scenario) -> f64 {
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
    r.whole_steps("simulation.duration_ms", sim.duration_ms, dt);
    r.period("simulation.slow_dt_ms", sim.slow_dt_ms, dt);
    r.period("simulation.structural_dt_ms", sim.structural_dt_ms, dt);
    dt
}

fn populations(r: &mut Report<'_>, s: &Scenario, cells: &BTreeMap<String, CellType>) {
    if s.populations.is_empty() {
        r.errors.push(ScenarioError::key(
            r.file,
            "populations",
            "a scenario needs at least one population",
        ));
    }
    let total: u64 = s.populations.values().map(|p| u64::from(p.size)).sum();
    if total > u64::from(u32::MAX) {
        r.error(
            "populations",
            format!("{total} neurons in all"),
            "too many neurons",
            format!("at most {} in all", u32::MAX),
        );
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
                Some(InitialVariable::WAdaptPa) if cell.is_some_and(is_lif) => r.error(
                    &vkey,
                    var,
                    "LIF cells have no adaptation current",
                    "w_adapt_pa only for model = \"adex\"",
                ),
                Some(_) => {
                    r.distribution(&vkey, d);
                }
            }
        }
    }
}

fn is_lif(cell: &CellType) -> bool {
    matches!(cell.membrane, Membrane::Lif(_))
}

fn projections(r: &mut Report<'_>, s: &Scenario, cells: &BTreeMap<String, CellType>, dt: f64) {
    for (name, p) in &s.projections {
        let key = format!("projections.{name}");
        let n_sources = r.population(&format!("{key}.source"), &p.source, s);
        let n_targets = r.population(&format!("{key}.target"), &p.target, s);
        let expected_synapses = match p.connectivity {
            ConnectionRule::PairwiseBernoulli { p: prob } => {
                if !(0.0..=1.0).contains(&prob) {
                    r.error(
                        format!("{key}.connectivity.p"),
                        prob,
                        "not a probability",
                        "a number in [0, 1]",
                    );
                }
                prob * f64::from(n_sources.unwrap_or(0)) * f64::from(n_targets.unwrap_or(0))
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
                f64::from(k) * f64::from(n_targets.unwrap_or(0))
            }
            ConnectionRule::OneToOne => {
                if let (Some(a), Some(b)) = (n_sources, n_targets)
                    && a != b
                {
                    r.error(
                        format!("{key}.connectivity"),
                        format!("{a} sources, {b} targets"),
                        "one_to_one needs equal population sizes",
                        "source and target of the same size",
                    );
                }
                f64::from(n_targets.unwrap_or(0))
            }
        };
        if expected_synapses > MAX_SYNAPSES_PER_PROJECTION {
            r.error(
                format!("{key}.connectivity"),
                format!("≈ {expected_synapses:.3e} synapses"),
                "too many synapses for one projection",
                format!("at most {MAX_SYNAPSES_PER_PROJECTION:.3e}; split the projection"),
            );
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
        let cell = |pop: &str| s.populations.get(pop).and_then(|x| cells.get(&x.cell_type));
        let glutamatergic =
            cell(&p.source).is_some_and(|c| c.transmitter == Transmitter::Glutamate);
        let spiny = glutamatergic && cell(&p.target).is_some_and(|c| c.dendrites.is_some());
        if spiny && !matches!(p.weight_ns, ValueDistribution::Constant(w) if w > 0.0) {
            r.error(
                format!("{key}.weight_ns"),
                format!("{:?}", p.weight_ns),
                "onto spines the weight is that of a median-sized spine; spine sizes supply the spread",
                "a number > 0",
            );
        }
        if !spiny && p.compartment != CompartmentSpec::Any {
            r.error(
                format!("{key}.compartment"),
                format!("{:?}", p.compartment),
                "compartments exist only for glutamatergic projections onto spiny cells",
                "\"any\" (or make the target a cell type with [dendrites])",
            );
        }
        if let Some(h) = &p.homeostasis {
            r.violations(&format!("{key}.homeostasis"), h.violations());
        }
        let Some(plasticity) = &p.plasticity else {
            continue;
        };
        let pkey = format!("{key}.plasticity");
        if !glutamatergic {
            r.error(
                &pkey,
                format!("{plasticity:?}"),
                "the plasticity rules are defined for glutamatergic synapses",
                "a projection whose source releases glutamate",
            );
        }
        let weight_bounds = |lo: f64, hi: f64, r: &mut Report<'_>| {
            let within = p.weight_ns.lower_bound().is_some_and(|x| x >= lo)
                && p.weight_ns.upper_bound().is_some_and(|x| x <= hi);
            if !within {
                r.error(
                    format!("{key}.weight_ns"),
                    format!("{:?}", p.weight_ns),
                    "initial weights outside the STDP bounds",
                    format!("weights within [w_min_ns, w_max_ns] = [{lo}, {hi}] (set `min`/`max`)"),
                );
            }
        };
        match plasticity {
            PlasticitySpec::StdpPair(params) => {
                r.violations(&pkey, params.violations());
                if spiny {
                    r.error(
                        &pkey,
                        "stdp_pair",
                        "stdp_pair works on weights in nS with fixed bounds; spine weights follow spine size",
                        "rule = \"stdp_triplet\" or \"calcium\" on spines",
                    );
                } else {
                    weight_bounds(params.w_min_ns, params.w_max_ns, r);
                }
            }
            PlasticitySpec::StdpTriplet(spec) => {
                r.violations(&pkey, spec.params().violations());
                match (spec.w_min_ns, spec.w_max_ns, spiny) {
                    (None, None, true) => {}
                    (_, _, true) => r.error(
                        format!("{pkey}.w_max_ns"),
                        format!("{:?}", spec.w_max_ns),
                        "spine weights follow spine size and efficacy; weight bounds do not apply",
                        "no w_min_ns / w_max_ns on projections onto spines",
                    ),
                    (Some(lo), Some(hi), false) if lo >= 0.0 && hi > lo => weight_bounds(lo, hi, r),
                    (lo, hi, false) => r.error(
                        format!("{pkey}.w_max_ns"),
                        format!("w_min_ns {lo:?}, w_max_ns {hi:?}"),
                        "plain synapses need weight bounds",
                        "0 ≤ w_min_ns < w_max_ns",
                    ),
                }
            }
            PlasticitySpec::Calcium(params) => r.violations(&pkey, params.violations()),
        }
    }
}

fn inputs(r: &mut Report<'_>, s: &Scenario, dt: f64) {
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
                let per_step = p.n_sources * p.rate_hz * dt * 1e-3;
                if (per_step.is_nan() || per_step > MAX_POISSON_EVENTS_PER_STEP)
                    && p.rate_hz.is_finite()
                {
                    r.error(
                        format!("{key}.rate_hz"),
                        p.rate_hz,
                        format!("n_sources · rate_hz gives {per_step:.3e} events per neuron and step"),
                        format!("at most {MAX_POISSON_EVENTS_PER_STEP:e} per step (use a dc input for a constant drive)"),
                    );
                }
            }
            InputSpec::Dc(d) => {
                let size = r.population(&format!("{key}.target"), &d.target, s);
                r.neuron_list(&format!("{key}.neurons"), d.neurons.as_deref(), size);
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
                r.whole_steps(format!("{key}.start_ms"), d.start_ms, dt);
                if let Some(stop) = d.stop_ms {
                    if !(stop.is_finite() && stop > d.start_ms) {
                        r.error(
                            format!("{key}.stop_ms"),
                            stop,
                            "ends before it starts",
                            format!("a time > start_ms ({})", d.start_ms),
                        );
                    }
                    r.whole_steps(format!("{key}.stop_ms"), stop, dt);
                }
            }
            InputSpec::Step(st) => {
                let size = r.population(&format!("{key}.target"), &st.target, s);
                r.neuron_list(&format!("{key}.neurons"), st.neurons.as_deref(), size);
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
                for (i, &t) in st.times_ms.iter().enumerate() {
                    r.whole_steps(format!("{key}.times_ms.{i}"), t, dt);
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
            InputSpec::Spikes(x) => {
                r.stimulus(&key, &x.target, x.neurons.as_deref(), x.fraction, s);
                if x.times_ms.is_empty() {
                    r.error(
                        format!("{key}.times_ms"),
                        "[]",
                        "no spike time",
                        "at least one time",
                    );
                }
                for (i, &t) in x.times_ms.iter().enumerate() {
                    r.time(&format!("{key}.times_ms.{i}"), t, dt);
                }
            }
            InputSpec::Tetanus(x) => {
                r.stimulus(&key, &x.target, x.neurons.as_deref(), x.fraction, s);
                r.time(&format!("{key}.start_ms"), x.start_ms, dt);
                r.rate(&format!("{key}.rate_hz"), x.rate_hz);
                r.positive_ms(&format!("{key}.duration_ms"), x.duration_ms);
                r.count(&format!("{key}.trains"), x.trains);
                r.positive_ms(&format!("{key}.train_interval_ms"), x.train_interval_ms);
            }
            InputSpec::ThetaBurst(x) => {
                r.stimulus(&key, &x.target, x.neurons.as_deref(), x.fraction, s);
                r.time(&format!("{key}.start_ms"), x.start_ms, dt);
                r.count(&format!("{key}.bursts"), x.bursts);
                r.rate(&format!("{key}.burst_rate_hz"), x.burst_rate_hz);
                r.count(&format!("{key}.spikes_per_burst"), x.spikes_per_burst);
                r.rate(&format!("{key}.intra_burst_hz"), x.intra_burst_hz);
                r.count(&format!("{key}.trains"), x.trains);
                r.positive_ms(&format!("{key}.train_interval_ms"), x.train_interval_ms);
            }
            InputSpec::Lfs(x) => {
                r.stimulus(&key, &x.target, x.neurons.as_deref(), x.fraction, s);
                r.time(&format!("{key}.start_ms"), x.start_ms, dt);
                r.rate(&format!("{key}.rate_hz"), x.rate_hz);
                r.count(&format!("{key}.pulses"), x.pulses);
            }
            InputSpec::Pairing(x) => {
                let pre = r.stimulus(&key, &x.target, x.neurons.as_deref(), x.fraction, s);
                let post_key = format!("{key}.post");
                let post = r.stimulus(
                    &post_key,
                    &x.post_target,
                    x.post_neurons.as_deref(),
                    None,
                    s,
                );
                r.time(&format!("{key}.start_ms"), x.start_ms, dt);
                r.rate(&format!("{key}.rate_hz"), x.rate_hz);
                r.count(&format!("{key}.pairs"), x.pairs);
                let dts = x.dt_ms.values();
                if dts.is_empty() {
                    r.error(
                        format!("{key}.dt_ms"),
                        "[]",
                        "no interval",
                        "a number or a non-empty list",
                    );
                }
                for (i, &d) in dts.iter().enumerate() {
                    if !d.is_finite() || (d.abs() * x.rate_hz / 1000.0) >= 1.0 {
                        r.error(
                            format!("{key}.dt_ms.{i}"),
                            d,
                            "the interval overlaps the next pair",
                            format!("|Δt| < 1000/rate_hz = {} ms", 1000.0 / x.rate_hz),
                        );
                    }
                    r.whole_steps(format!("{key}.dt_ms.{i}"), d, dt);
                }
                for (who, n, k) in [("neurons", pre, &key), ("post_neurons", post, &post_key)] {
                    if let Some(n) = n
                        && !dts.is_empty()
                        && n % dts.len() != 0
                    {
                        r.error(
                            format!("{k}.{who}"),
                            format!("{n} neurons"),
                            format!(
                                "{n} neurons do not split into {} equal blocks (one per Δt)",
                                dts.len()
                            ),
                            format!("a multiple of {} neurons", dts.len()),
                        );
                    }
                }
            }
        }
    }
}

fn recording(r: &mut Report<'_>, s: &Scenario, cells: &BTreeMap<String, CellType>, dt: f64) {
    let rec = &s.recording;
    if let Some(list) = &rec.spikes {
        for (i, name) in list.iter().enumerate() {
            r.population(&format!("recording.spikes.{i}"), name, s);
        }
    }
    r.period("recording.rate_bin_ms", rec.rate_bin_ms, dt);
    r.period("recording.state_every_ms", rec.state_every_ms, dt);
    if let Some(every) = rec.weights_every_ms {
        r.period("recording.weights_every_ms", every, dt);
        r.multiple_of(
            "recording.weights_every_ms",
            every,
            ("simulation.slow_dt_ms", s.simulation.slow_dt_ms),
            "weights are recorded on the slow schedule",
        );
    }
    for (i, name) in rec.synapses_at_end.iter().enumerate() {
        if !s.projections.contains_key(name) {
            r.error(
                format!("recording.synapses_at_end.{i}"),
                format!("\"{name}\""),
                "no projection of that name",
                names(s.projections.keys()),
            );
        }
    }
    for (i, probe) in rec.state.iter().enumerate() {
        let key = format!("recording.state.{i}");
        let size = r.population(&format!("{key}.population"), &probe.population, s);
        r.neuron_list(&format!("{key}.neurons"), Some(&probe.neurons), size);
        let cell = s
            .populations
            .get(&probe.population)
            .and_then(|p| cells.get(&p.cell_type));
        for (j, var) in probe.variables.iter().enumerate() {
            if !STATE_VARIABLES.contains(&var.as_str()) {
                r.error(
                    format!("{key}.variables.{j}"),
                    format!("\"{var}\""),
                    "unknown state variable",
                    STATE_VARIABLES.join(", "),
                );
            } else if var == "w_adapt_pa" && cell.is_some_and(is_lif) {
                r.error(
                    format!("{key}.variables.{j}"),
                    format!("\"{var}\""),
                    "LIF cells have no adaptation current",
                    "w_adapt_pa only for model = \"adex\"",
                );
            }
        }
    }
}
