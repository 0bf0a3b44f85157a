//! `synaptogen list`: what ships with the binary.

use crate::output::outln;
use synaptogen_scenario::library;

use crate::failure::Failure;

pub fn run() -> Result<(), Failure> {
    outln!("Built-in scenarios (synaptogen run NAME; files in assets/scenarios/):");
    print_entries(library::SCENARIOS);
    outln!("\nBuilt-in cell types (cell_type = \"NAME\"; files in assets/cell_types/):");
    print_entries(library::CELL_TYPES);
    outln!("\nBuilt-in drugs ([[interventions]] drug = \"NAME\"; files in assets/drugs/):");
    print_entries(library::DRUGS);
    Ok(())
}

fn print_entries(entries: &[(&str, &str)]) {
    for (name, text) in entries {
        let description = toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| {
                t.get("description")
                    .and_then(|d| d.as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        outln!("  {name:<24} {description}");
    }
}
