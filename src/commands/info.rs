//! `tariffnash info`: print a calibration's regions, sectors, trade shares and
//! tariffs as readable tables (the embedded default when no file is given).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use trade_model::Calibration;

/// The default calibration (WIOD 2013 release, 2011; 7 regions x 14 sectors).
pub const DEFAULT_CALIBRATION: &str = include_str!("../../data/wiod2011-7x14.json");

/// Print a calibration's regions, sectors, trade shares and tariffs.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Calibration JSON file; without it, the embedded default
    /// (data/wiod2011-7x14.json).
    #[arg(long)]
    pub calibration: Option<PathBuf>,
}

/// Loads the calibration named, or the embedded default.
pub fn load(path: Option<&PathBuf>) -> anyhow::Result<Calibration> {
    match path {
        Some(p) => {
            Calibration::from_json_file(p).with_context(|| format!("loading {}", p.display()))
        }
        None => Calibration::from_json_str(DEFAULT_CALIBRATION)
            .context("loading the embedded default calibration"),
    }
}

/// Runs the command.
pub fn run(args: InfoArgs) -> anyhow::Result<()> {
    let cal = load(args.calibration.as_ref())?;
    print!("{}", render(&cal));
    Ok(())
}

/// The tables as text.
pub fn render(cal: &Calibration) -> String {
    let (nr, ns) = (cal.n_regions(), cal.n_sectors());
    let y = cal.gross_output();
    let x = cal.expenditure();
    let va = cal.value_added();
    let rev = cal.tariff_revenue();
    let world_va: f64 = va.iter().sum();
    let world_y: f64 = y.iter().flatten().sum();
    let mut s = String::new();
    if !cal.description.is_empty() {
        s += &format!("{}\n\n", cal.description);
    }
    s += &format!("{} regions x {} sectors\n\n", nr, ns);

    s += "Regions (value added and deficit in % of world value added; shares in % of own expenditure)\n";
    s += &format!(
        "{:8} {:>10} {:>10} {:>12} {:>12} {:>12}\n",
        "region", "VA share", "deficit", "import share", "tariff rev", "mean tariff"
    );
    for n in 0..nr {
        let tot_x: f64 = x[n].iter().sum();
        let imports: f64 = (0..nr)
            .filter(|&i| i != n)
            .flat_map(|i| cal.flows[n][i].iter())
            .sum();
        let mean_t = if imports > 0.0 { rev[n] / imports } else { 0.0 };
        s += &format!(
            "{:8} {:>10.2} {:>10.2} {:>12.2} {:>12.2} {:>12.2}\n",
            cal.regions[n],
            100.0 * va[n] / world_va,
            100.0 * cal.deficits[n] / world_va,
            100.0 * imports / tot_x,
            100.0 * rev[n] / tot_x,
            100.0 * mean_t
        );
    }

    s += "\nSectors (output share of world gross output, %)\n";
    let w = cal
        .sectors
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(6)
        .max(6);
    s += &format!(
        "{:w$} {:>8} {:>8} {:>10} {:>12}\n",
        "sector", "theta", "psi", "psi*theta", "output share"
    );
    for j in 0..ns {
        let yj: f64 = y.iter().map(|yi| yi[j]).sum();
        s += &format!(
            "{:w$} {:>8.3} {:>8.4} {:>10.3} {:>12.2}\n",
            cal.sectors[j],
            cal.theta[j],
            cal.psi[j],
            cal.psi[j] * cal.theta[j],
            100.0 * yj / world_y
        );
    }

    s += "\nTrade shares, all sectors: % of importer's purchases (rows) from each exporter (columns)\n";
    s += &format!("{:8}", "imp\\exp");
    for r in &cal.regions {
        s += &format!(" {r:>7}");
    }
    s += "\n";
    for n in 0..nr {
        let tot: f64 = cal.flows[n].iter().flatten().sum();
        s += &format!("{:8}", cal.regions[n]);
        for i in 0..nr {
            let v: f64 = cal.flows[n][i].iter().sum();
            s += &format!(" {:>7.2}", 100.0 * v / tot);
        }
        s += "\n";
    }

    s += "\nTariffs: importer's trade-weighted tariff by sector, % (columns: importers)\n";
    s += &format!("{:w$}", "sector");
    for r in &cal.regions {
        s += &format!(" {r:>7}");
    }
    s += "\n";
    for j in 0..ns {
        s += &format!("{:w$}", cal.sectors[j]);
        for n in 0..nr {
            let (mut num, mut den) = (0.0, 0.0);
            for i in (0..nr).filter(|&i| i != n) {
                num += cal.tariffs[n][i][j] * cal.flows[n][i][j];
                den += cal.flows[n][i][j];
            }
            let t = if den > 0.0 { num / den } else { 0.0 };
            s += &format!(" {:>7.2}", 100.0 * t);
        }
        s += "\n";
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_calibration_loads_and_renders() {
        let cal = load(None).unwrap();
        assert_eq!(
            cal.regions,
            ["BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA"]
        );
        let text = render(&cal);
        assert!(text.contains("Trade shares") && text.contains("electrical_optical"));
    }
}
