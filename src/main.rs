//! `synaptogen`: the command line of the Synaptogen simulator.
//!
//! Exit codes: 0 success, 2 bad input (scenario, flags), 1 internal failure.

mod checkpoint;
mod cli;
mod commands;
mod compare;
mod csv_sink;
mod failure;
mod output;
mod progress;
mod run_folder;
mod summary;
mod synapse_table;
mod timing;

use clap::Parser;
use std::process::ExitCode;

use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Run(args) => commands::run::run(args),
        cli::Command::Resume(args) => commands::run::resume(args),
        cli::Command::Compare(args) => commands::run::compare(args),
        cli::Command::Report(args) => commands::report::run(&args.run_dir),
        cli::Command::Validate(args) => commands::validate::run(args),
        cli::Command::Sweep(args) => commands::sweep::run(args),
        cli::Command::Analyze(args) => commands::analyze::run(&args.study_dir),
        cli::Command::Bench(args) => commands::bench::run(args),
        cli::Command::List => commands::list::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(e)) => {
            eprintln!("internal error: {e:#}");
            ExitCode::from(1)
        }
    }
}
