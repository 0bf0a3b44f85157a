//! `synapses.csv`: every synapse of chosen projections at the end of a run.

use std::io::Write;
use std::path::Path;

use synaptogen_engine::SynapseGroups;
use synaptogen_models::plasticity::PlasticProjections;
use synaptogen_scenario::Built;

use crate::failure::{Failure, Internal};

/// Columns: projection, presynaptic and postsynaptic neuron ids, weight, efficacy and
/// consolidated efficacy (empty for static synapses; the initial state of plain calcium-rule
/// synapses), and for spines their id, compartment, head volume and maturity.
const HEADER: &str = "projection,presynaptic,postsynaptic,weight_ns,efficacy,home_efficacy,spine_id,compartment,volume_um3,mature";

/// Writes the synapses of `projections` (names) to `path`, after
/// [`Built::settle_plasticity`].
pub fn write(path: &Path, built: &Built, projections: &[String]) -> Result<(), Failure> {
    let world = &built.simulation.world;
    let groups = world.resource::<SynapseGroups>();
    let plastic = world.get_resource::<PlasticProjections>();
    let mut out =
        std::io::BufWriter::new(std::fs::File::create(path).internal("cannot write synapses.csv")?);
    let mut body = || -> std::io::Result<()> {
        writeln!(out, "{HEADER}")?;
        for name in projections {
            let Some(group) = groups.groups().iter().find(|g| &g.name == name) else {
                continue;
            };
            let p = plastic.and_then(|pl| pl.list.iter().find(|p| &p.name == name));
            for k in 0..group.len() {
                write!(
                    out,
                    "{name},{},{},{}",
                    group.source_start() + group.source_of(k),
                    group.targets()[k],
                    group.weights()[k]
                )?;
                match p {
                    Some(p) => {
                        write!(out, ",{}", p.efficacy[k])?;
                        match p.home.get(k) {
                            Some(h) => write!(out, ",{h}")?,
                            None => write!(out, ",")?,
                        }
                    }
                    None => write!(out, ",,")?,
                }
                match p.and_then(|p| p.spines.as_ref()) {
                    Some(s) => writeln!(
                        out,
                        ",{},{},{},{}",
                        s.id[k],
                        s.compartment[k].name(),
                        s.volume_um3[k],
                        s.mature[k]
                    )?,
                    None => writeln!(out, ",,,,")?,
                }
            }
        }
        out.flush()
    };
    body().internal("cannot write synapses.csv")
}
