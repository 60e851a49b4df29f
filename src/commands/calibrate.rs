//! `tariffnash calibrate`: build a calibration JSON from source tables and
//! mapping files, print what was adjusted and the tariff comparison.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use trade_data::{build, build::BuildSpec, cp2015::build_cp2015, SourceKind};

/// Kind of source table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// WIOD-layout IO table (intermediate.csv, final.csv, output.csv, final_uses.csv);
    /// needs --tariffs.
    Wiod,
    /// Trade-only tariff cube (trade.csv, sectors.csv, trade_elasticities.csv): beta = 1, no IO.
    Cube,
    /// Trade-only Ossa (2014) GTAP-based data (trade_ijs.csv, tariff_ijs.csv, sigma_s.csv, ...).
    Ossa,
    /// Caliendo-Parro (2015) tidy tables, 31 x 40, as is (no mapping files).
    Cp2015,
}

/// Build a calibration from source tables and mapping files.
#[derive(Debug, Args)]
#[command(
    after_help = "Mapping files are JSON (see data/mappings/ and crates/trade-data/README.md). \
The builder prints every adjustment it made and each importer's trade-weighted tariff by sector \
next to the GTAP-based value, and fails if the sector mapping's tariff check does not hold.

Example (the shipped default):
  tariffnash calibrate --kind wiod --source ../shared/data/wiod2013/2011 \\
    --tariffs ../shared/data/tariffwar_cubes/wiod2011 --gtap ../shared/data/ossa2014 \\
    --gtap-regions data/mappings/regions-ossa-7.json --regions data/mappings/regions-7.json \\
    --sectors data/mappings/sectors-wiod2013-14.json --output data/wiod2011-7x14.json"
)]
pub struct CalibrateArgs {
    /// Kind of source.
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// Source directory: a WIOD year (wiod2013/2011), a tariff cube
    /// (tariffwar_cubes/wiod2014), the Ossa data (ossa2014) or cp2015.
    #[arg(long)]
    pub source: PathBuf,
    /// Country -> region mapping (JSON: regions in order, each with its member
    /// codes; optional aliases). Not used for cp2015.
    #[arg(long, required_if_eq_any = [("kind", "wiod"), ("kind", "cube"), ("kind", "ossa")])]
    pub regions: Option<PathBuf>,
    /// Source industry -> model sector mapping with theta and psi (JSON). For
    /// wiod: WIOD industries and tariff-cube sectors per model sector. Not used for cp2015.
    #[arg(long, required_if_eq_any = [("kind", "wiod"), ("kind", "cube"), ("kind", "ossa")])]
    pub sectors: Option<PathBuf>,
    /// Tariff cube directory (trade.csv, sectors.csv) for wiod builds.
    #[arg(long)]
    pub tariffs: Option<PathBuf>,
    /// Ossa (2014) directory: GTAP-based tariffs for the tariff check and for
    /// sectors whose tariff_source is "gtap".
    #[arg(long, requires = "gtap_regions")]
    pub gtap: Option<PathBuf>,
    /// Region mapping of the Ossa regions onto the calibration's regions.
    #[arg(long)]
    pub gtap_regions: Option<PathBuf>,
    /// Print the tariff comparison but do not enforce the sector mapping's
    /// tariff check (for inspecting a new mapping).
    #[arg(long)]
    pub skip_tariff_check: bool,
    /// Output calibration file (JSON).
    #[arg(long, short)]
    pub output: PathBuf,
}

/// Runs the command.
pub fn run(args: CalibrateArgs) -> anyhow::Result<()> {
    let (cal, report) = if args.kind == Kind::Cp2015 {
        let cp = build_cp2015(&args.source).context("building the Caliendo-Parro calibration")?;
        (cp.calibration, cp.report.join("\n  - "))
    } else {
        let kind = match args.kind {
            Kind::Wiod => SourceKind::Wiod,
            Kind::Cube => SourceKind::Cube,
            _ => SourceKind::Ossa,
        };
        let spec = BuildSpec {
            kind,
            source: args.source.clone(),
            tariffs: args.tariffs.clone(),
            gtap: args.gtap.clone(),
            gtap_regions: args.gtap_regions.clone(),
            regions: args.regions.clone().context("--regions is required")?,
            sectors: args.sectors.clone().context("--sectors is required")?,
            skip_tariff_check: args.skip_tariff_check,
        };
        let (cal, report) = build(&spec).context("building the calibration")?;
        (cal, report.to_string())
    };
    println!("{}", report.trim_end());
    cal.to_json_file(&args.output)
        .with_context(|| format!("writing {}", args.output.display()))?;
    println!(
        "wrote {} ({} regions x {} sectors)",
        args.output.display(),
        cal.n_regions(),
        cal.n_sectors()
    );
    Ok(())
}
