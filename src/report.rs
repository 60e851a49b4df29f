//! What a finished game run reports: `equilibrium.json` and the summary table.

use best_response::{NashConfig, NashResult, StopReason};
use serde::Serialize;
use trade_model::{Outcomes, TradeModel};

/// The contents of `DIR/equilibrium.json`.
#[derive(Debug, Serialize)]
pub struct EquilibriumReport {
    /// Where the calibration came from.
    pub calibration: String,
    /// Players.
    pub regions: Vec<String>,
    /// Sectors.
    pub sectors: Vec<String>,
    /// `tariffs[importer][exporter][sector]` of the returned profile (decimal).
    pub tariffs: Vec<Vec<Vec<f64>>>,
    /// Each player's strategy parameters.
    pub parameters: Vec<Vec<f64>>,
    /// Payoffs (ln W^ or ln real GDP) per player.
    pub payoffs: Vec<f64>,
    /// Welfare, real GDP excl./incl. revenue and exports, % against the baseline.
    pub outcomes: Outcomes,
    /// Nash gap per player, % of real income (null when not certified).
    pub nash_gaps_pct: Option<Vec<f64>>,
    /// Largest gap, %.
    pub max_gap_pct: Option<f64>,
    /// Gap tolerance, %.
    pub gap_tolerance_pct: f64,
    /// Certified: every gap within tolerance.
    pub is_nash: bool,
    /// Whether the stopping rule fired (rather than the epoch limit).
    pub converged: bool,
    /// Why the loop stopped.
    pub stop: StopReason,
    /// Epochs played.
    pub epochs: usize,
    /// Epoch whose profile is returned (the best seen).
    pub best_epoch: usize,
    /// Seconds, including certification.
    pub elapsed_s: f64,
    /// Equilibrium solves.
    pub solves: u64,
    /// Payoff gradients.
    pub gradients: u64,
}

impl EquilibriumReport {
    /// Assembles the report.
    pub fn new(
        model: &TradeModel,
        cfg: &NashConfig,
        result: &NashResult,
        calibration: String,
    ) -> Self {
        let cert = result.certificate.as_ref();
        EquilibriumReport {
            calibration,
            regions: model.regions().to_vec(),
            sectors: model.sectors().to_vec(),
            tariffs: result.tariffs.to_nested(),
            parameters: result.params.clone(),
            payoffs: result.payoffs.clone(),
            outcomes: model.outcomes(&result.equilibrium),
            nash_gaps_pct: cert.map(|c| c.gaps_pct.clone()),
            max_gap_pct: cert.map(|c| c.max_gap_pct),
            gap_tolerance_pct: cfg.certify.gap_tolerance_pct,
            is_nash: result.is_nash(),
            converged: result.stop == StopReason::Converged,
            stop: result.stop,
            epochs: result.epochs,
            best_epoch: result.best_epoch,
            elapsed_s: result.elapsed_s,
            solves: result.counters.solves,
            gradients: result.counters.gradients,
        }
    }

    /// The plain-text summary: per-region table, tariff matrix, verdict.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let n = self.regions.len();
        let mut s = String::new();
        let w = self
            .regions
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(3)
            .max(6);
        let _ = writeln!(
            s,
            "{:w$}  {:>9}  {:>9}  {:>9}  {:>11}  {:>9}  {:>10}",
            "region", "tariff %", "welfare %", "rGDP %", "rGDP+rev %", "exports %", "Nash gap %"
        );
        for m in 0..n {
            let own: Vec<f64> = (0..n)
                .filter(|&i| i != m)
                .flat_map(|i| self.tariffs[m][i].iter().copied())
                .collect();
            let mean = 100.0 * own.iter().sum::<f64>() / own.len().max(1) as f64;
            let gap = self
                .nash_gaps_pct
                .as_ref()
                .map_or_else(|| "-".to_string(), |g| format!("{:.2e}", g[m]));
            let o = &self.outcomes;
            let _ = writeln!(
                s,
                "{:w$}  {:>9.2}  {:>9.3}  {:>9.3}  {:>11.3}  {:>9.2}  {:>10}",
                self.regions[m],
                mean,
                o.welfare[m],
                o.real_gdp[m],
                o.real_gdp_incl_revenue[m],
                o.total_exports[m],
                gap
            );
        }
        let _ = writeln!(s, "\nmean tariff %, importer (row) on exporter (column):");
        let _ = write!(s, "{:w$}", "");
        for r in &self.regions {
            let _ = write!(s, "  {r:>7}");
        }
        let _ = writeln!(s);
        for m in 0..n {
            let _ = write!(s, "{:w$}", self.regions[m]);
            for i in 0..n {
                let v = &self.tariffs[m][i];
                let mean = 100.0 * v.iter().sum::<f64>() / v.len().max(1) as f64;
                if i == m {
                    let _ = write!(s, "  {:>7}", "-");
                } else {
                    let _ = write!(s, "  {mean:>7.2}");
                }
            }
            let _ = writeln!(s);
        }
        let stop = match self.stop {
            StopReason::Converged => "stopping rule met",
            StopReason::MaxEpochs => "epoch limit reached (stopping rule not met)",
            StopReason::Interrupted => "interrupted",
        };
        let _ = writeln!(
            s,
            "\n{} epochs ({stop}); profile of epoch {}; {:.1} s, {} solves, {} gradients",
            self.epochs,
            self.best_epoch + 1,
            self.elapsed_s,
            self.solves,
            self.gradients
        );
        let verdict = match (self.max_gap_pct, self.is_nash) {
            (Some(g), true) => format!(
                "certified Nash equilibrium: largest gap {g:.2e}% <= tolerance {:.1e}%",
                self.gap_tolerance_pct
            ),
            (Some(g), false) => format!(
                "NOT an equilibrium: largest Nash gap {g:.2e}% > tolerance {:.1e}%",
                self.gap_tolerance_pct
            ),
            (None, _) => "not certified (certification disabled)".to_string(),
        };
        let _ = writeln!(s, "{verdict}");
        s
    }
}
