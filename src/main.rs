//! `tariffnash`: Nash equilibria of tariff wars in a quantitative trade model.
//!
//! Thin entry point: parse arguments, run the command, print errors with their
//! chain and exit non-zero.

use clap::Parser;

mod commands;
mod log;
mod progress;
mod report;

fn main() {
    let cli = commands::Cli::parse();
    if let Err(err) = commands::run(cli) {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}
