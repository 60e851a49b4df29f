//! `tariffnash counterfactual`: apply a tariff scenario to a calibration and
//! report what it does to each region.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use trade_model::{DeficitTreatment, Scenario, SolverConfig, TradeModel};

use super::info;

/// Arguments of `tariffnash counterfactual`.
#[derive(Debug, Args)]
pub struct CounterfactualArgs {
    /// Scenario JSON: {"description": .., "changes": [{"importer": "USA",
    /// "exporters": "all" | ["CHN", ..], "sectors": "all" | [..],
    /// "except_sectors": [..], "add": points | "set": percent}, ..]}.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Calibration JSON (default: the embedded WIOD 2011 7x14 calibration).
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    /// Deficit treatment: purged (default) or fixed.
    #[arg(long, default_value = "purged", value_parser = parse_deficits)]
    pub deficits: DeficitTreatment,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn parse_deficits(s: &str) -> Result<DeficitTreatment, String> {
    match s {
        "purged" => Ok(DeficitTreatment::Purged),
        "fixed" => Ok(DeficitTreatment::Fixed),
        other => Err(format!(
            "unknown deficit treatment `{other}`: use purged or fixed"
        )),
    }
}

/// The counterfactual's results, percent changes against the baseline.
#[derive(Debug, Serialize)]
pub struct CounterfactualReport {
    /// The scenario's description.
    pub scenario: String,
    /// Region names.
    pub regions: Vec<String>,
    /// Importers whose tariffs changed.
    pub importers: Vec<String>,
    /// `exports_to[k][r]`: % change in exports of region r to `importers[k]`.
    pub exports_to: Vec<Vec<f64>>,
    /// Total exports, % change.
    pub total_exports: Vec<f64>,
    /// Real GDP excluding tariff revenue, % change.
    pub real_gdp: Vec<f64>,
    /// Real GDP including tariff revenue, % change.
    pub real_gdp_incl_revenue: Vec<f64>,
    /// Welfare (real income), % change.
    pub welfare: Vec<f64>,
    /// Solver residual and iterations.
    pub residual: f64,
    /// Fixed-point iterations.
    pub iterations: usize,
}

/// Solves a scenario on a calibration.
pub fn evaluate(model: &TradeModel, scenario: &Scenario) -> anyhow::Result<CounterfactualReport> {
    let (tariffs, touched) = scenario
        .apply(&model.baseline_tariffs(), model.regions(), model.sectors())
        .context("applying the scenario")?;
    let eq = model
        .solve(&tariffs, None)
        .context("solving the counterfactual equilibrium")?;
    let out = model.outcomes(&eq);
    let idx: Vec<usize> = (0..touched.len()).filter(|&k| touched[k]).collect();
    Ok(CounterfactualReport {
        scenario: scenario.description.clone(),
        regions: out.regions.clone(),
        importers: idx.iter().map(|&k| out.regions[k].clone()).collect(),
        exports_to: idx
            .iter()
            .map(|&m| out.exports.iter().map(|row| row[m]).collect())
            .collect(),
        total_exports: out.total_exports,
        real_gdp: out.real_gdp,
        real_gdp_incl_revenue: out.real_gdp_incl_revenue,
        welfare: out.welfare,
        residual: eq.residual,
        iterations: eq.iterations,
    })
}

/// Renders the report as a plain table.
pub fn render(r: &CounterfactualReport) -> String {
    let mut s = String::new();
    if !r.scenario.is_empty() {
        s.push_str(&format!("{}\n\n", r.scenario));
    }
    let mut header = format!("{:<8}", "region");
    for imp in &r.importers {
        header.push_str(&format!(" {:>13}", format!("exports->{imp}")));
    }
    header.push_str(&format!(
        " {:>13} {:>13} {:>13} {:>13}",
        "total exports", "real GDP", "GDP+revenue", "welfare"
    ));
    s.push_str(&header);
    s.push('\n');
    for (k, name) in r.regions.iter().enumerate() {
        let mut line = format!("{name:<8}");
        for (m, imp) in r.importers.iter().enumerate() {
            if imp == name {
                line.push_str(&format!(" {:>13}", "-"));
            } else {
                line.push_str(&format!(" {:>12.2}%", r.exports_to[m][k]));
            }
        }
        line.push_str(&format!(
            " {:>12.2}% {:>12.2}% {:>12.2}% {:>12.2}%",
            r.total_exports[k], r.real_gdp[k], r.real_gdp_incl_revenue[k], r.welfare[k]
        ));
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str(&format!(
        "\n% change against the baseline; exports at producer prices; real GDP = wage / CPI (excl. revenue) and (wage bill + revenue) / CPI; solver residual {:.1e} after {} iterations\n",
        r.residual, r.iterations
    ));
    s
}

/// Runs the command.
pub fn run(args: CounterfactualArgs) -> anyhow::Result<()> {
    let cal = info::load(args.calibration.as_ref())?;
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("reading scenario {}", args.scenario.display()))?;
    let scenario = Scenario::from_json_str(&text)
        .with_context(|| format!("scenario {}", args.scenario.display()))?;
    let model = TradeModel::new(&cal, args.deficits, SolverConfig::default())
        .context("building the model")?;
    let report = evaluate(&model, &scenario)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}
