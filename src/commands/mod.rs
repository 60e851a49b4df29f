//! One module per subcommand.

use clap::{Parser, Subcommand};

/// Nash equilibria of tariff wars in a multi-sector Eaton-Kortum trade model.
#[derive(Debug, Parser)]
#[command(name = "tariffnash", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {}
}
