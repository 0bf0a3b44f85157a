//! The spine systems: consolidation on the slow schedule, remodelling on the structural one.

use bevy_ecs::prelude::*;

use synaptogen_engine::monitors::TableMonitor;
use synaptogen_engine::{ScheduleRates, SimClock, SynapseGroups};

use super::SpineSlot;
use super::consolidation::{ConsolidationEvent, TagCounts, capture_or_decay, tag_spines};
use super::structural::{Spines, draw_structural_changes, log_event};
use crate::plasticity::PlasticProjections;

/// Slow schedule: tags, protein triggers and capture for every spiny projection. The
/// trigger counts a neuron's tags over all its projections, so every projection is tagged
/// before any captures.
pub fn consolidate_spines(
    clock: Res<SimClock>,
    mut spines: ResMut<Spines>,
    mut plastic: ResMut<PlasticProjections>,
    mut groups: ResMut<SynapseGroups>,
    mut tables: ResMut<TableMonitor>,
) {
    let step = clock.step();
    let spines = &mut *spines;
    let params = spines.params;
    let events = spines.tables.events;
    // Signalling's AMPA content reaches the transmitted weights first, so that capture
    // and the census see them.
    for sp in &spines.projections {
        let p = &mut plastic.list[sp.plastic];
        let drive = &spines.targets[sp.target].drive;
        let mut changed = false;
        for (content, d) in p.ampa_content.iter_mut().zip(drive) {
            changed |= *content != d.ampa_content;
            *content = d.ampa_content;
        }
        if changed {
            // Efficacies are current: `catch_up_efficacies` runs first on this schedule.
            p.write_all_weights(groups.group_mut(p.group));
        }
    }
    for target in &mut spines.targets {
        let mut counts = TagCounts::new(target.lengths_um.len());
        for &sp_index in &target.projections {
            let p = &mut plastic.list[spines.projections[sp_index].plastic];
            tag_spines(p, &groups.groups()[p.group], &params, step, &mut counts);
        }
        counts.trigger(&mut target.protein, &params, step);
    }
    let mut happened = Vec::new();
    for sp in &spines.projections {
        let p = &mut plastic.list[sp.plastic];
        if p.rule.is_none() {
            continue;
        }
        let group = groups.group_mut(p.group);
        happened.clear();
        capture_or_decay(
            p,
            group,
            &spines.targets[sp.target].protein,
            &params,
            step,
            spines.dt_ms,
            |k, e| happened.push((k, e)),
        );
        let Some(cols) = p.spines.as_ref() else {
            continue;
        };
        for &(k, e) in &happened {
            let name = match e {
                ConsolidationEvent::Consolidated => "consolidated",
                ConsolidationEvent::Matured => "matured",
                ConsolidationEvent::TagExpired => "tag_expired",
            };
            log_event(
                &mut tables,
                events,
                step,
                name,
                (
                    cols.id[k],
                    sp.name,
                    group.targets()[k],
                    sp.source_start + group.source_of(k),
                    cols.compartment[k],
                    cols.volume_um3[k],
                ),
            );
        }
    }
}

/// Structural schedule: fluctuations, maturation, elimination, formation, rewiring; a
/// census when one is due.
#[allow(clippy::too_many_arguments)] // a bevy system: one parameter per resource it touches
pub fn remodel_spines(
    mut commands: Commands,
    clock: Res<SimClock>,
    rates: Res<ScheduleRates>,
    mut spines: ResMut<Spines>,
    mut plastic: ResMut<PlasticProjections>,
    mut groups: ResMut<SynapseGroups>,
    mut slots: Query<&mut SpineSlot>,
    mut tables: ResMut<TableMonitor>,
) {
    let step = clock.step();
    let dt_days = rates.structural_every_steps as f64 * clock.dt_ms() / 86_400_000.0;
    draw_structural_changes(
        &mut spines,
        &mut plastic.list,
        &mut groups,
        &mut commands,
        &mut slots,
        &mut tables,
        step,
        dt_days,
    );
    // The census describes the state at the end of this step.
    if (step + 1).is_multiple_of(spines.census_every_steps) {
        spines.census(step + 1, &plastic.list, &groups, &mut tables);
    }
}
