//! One module per subcommand.

use clap::{Parser, Subcommand};

mod calibrate;
mod counterfactual;
mod info;
mod nash;
mod plot;
mod sweep;

/// Nash equilibria of tariff wars in a multi-sector Eaton-Kortum trade model.
#[derive(Debug, Parser)]
#[command(name = "tariffnash", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a calibration JSON from source tables and mapping files.
    Calibrate(calibrate::CalibrateArgs),
    /// Apply a tariff scenario and report exports, real GDP and welfare per region.
    Counterfactual(counterfactual::CounterfactualArgs),
    /// Print a calibration's regions, sectors, trade shares and tariffs.
    Info(info::InfoArgs),
    /// Draw convergence curves from a run's log.jsonl or a sweep's curves.csv.
    Plot(plot::PlotArgs),
    /// Run a grid of nash runs (learning rates x clipping x annealing x seeds) in parallel.
    Sweep(sweep::SweepArgs),
    /// Play the tariff game to a certified Nash equilibrium.
    Nash(nash::NashArgs),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Calibrate(args) => calibrate::run(args),
        Command::Counterfactual(args) => counterfactual::run(args),
        Command::Info(args) => info::run(args),
        Command::Nash(args) => nash::run(args),
        Command::Plot(args) => plot::run(args),
        Command::Sweep(args) => sweep::run(args),
    }
}
