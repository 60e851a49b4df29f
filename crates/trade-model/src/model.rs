//! [`TradeModel`]: a validated calibration, its (possibly purged) baseline and
//! solver settings; the entry point for solving counterfactuals.
//!
//! Deficits `purged` (Caliendo-Parro 2015, Ossa 2014): the equilibrium at
//! baseline tariffs with `D' = 0` becomes the baseline, and every outcome is
//! measured against it. `fixed`: `D'_n = D_n`.

use serde::{Deserialize, Serialize};

use crate::baseline::{producer_flows, Baseline};
use crate::calibration::Calibration;
use crate::equilibrium::{solve_state, DeficitTreatment, Equilibrium, SolverConfig};
use crate::error::Result;
use crate::outcomes::{payoffs, Outcomes, Payoff, WelfareDecomposition};
use crate::tariffs::Tariffs;

/// A solvable model economy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TradeModel {
    regions: Vec<String>,
    sectors: Vec<String>,
    baseline: Baseline,
    counterfactual_deficits: Vec<f64>,
    treatment: DeficitTreatment,
    config: SolverConfig,
    purge: Option<Equilibrium>,
}

impl TradeModel {
    /// Validates the calibration and builds the baseline (solving the deficit
    /// purge when `treatment` is [`DeficitTreatment::Purged`]).
    pub fn new(
        cal: &Calibration,
        treatment: DeficitTreatment,
        config: SolverConfig,
    ) -> Result<Self> {
        cal.validate()?;
        config.validate()?;
        let raw = Baseline::from_calibration(cal);
        let (baseline, purge) = match treatment {
            DeficitTreatment::Fixed => (raw, None),
            DeficitTreatment::Purged => {
                let zero = vec![0.0; raw.n];
                let eq = solve_state(&raw, &zero, &raw.tariff_profile(), None, &config)?;
                let flows = producer_flows(
                    raw.n,
                    raw.j,
                    &eq.trade_shares,
                    &eq.expenditure,
                    &raw.tariffs,
                );
                let purged = Baseline::from_flows(
                    raw.n,
                    raw.j,
                    &flows,
                    raw.tariffs.clone(),
                    raw.beta.clone(),
                    raw.gamma.clone(),
                    raw.alpha.clone(),
                    zero,
                    raw.theta.clone(),
                    raw.psi.clone(),
                );
                (purged, Some(eq))
            }
        };
        let counterfactual_deficits = baseline.deficits.clone();
        Ok(TradeModel {
            regions: cal.regions.clone(),
            sectors: cal.sectors.clone(),
            baseline,
            counterfactual_deficits,
            treatment,
            config,
            purge,
        })
    }

    /// Region names.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// Sector names.
    pub fn sectors(&self) -> &[String] {
        &self.sectors
    }

    /// Number of regions.
    pub fn n_regions(&self) -> usize {
        self.baseline.n
    }

    /// Number of sectors.
    pub fn n_sectors(&self) -> usize {
        self.baseline.j
    }

    /// The baseline that counterfactuals are measured against.
    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    /// Deficit treatment.
    pub fn deficit_treatment(&self) -> DeficitTreatment {
        self.treatment
    }

    /// The purge equilibrium (against the raw data), if deficits were purged.
    pub fn purge(&self) -> Option<&Equilibrium> {
        self.purge.as_ref()
    }

    /// Solver settings.
    pub fn solver_config(&self) -> &SolverConfig {
        &self.config
    }

    /// Replaces the solver settings (validated).
    pub fn set_solver_config(&mut self, config: SolverConfig) -> Result<()> {
        config.validate()?;
        self.config = config;
        Ok(())
    }

    /// Counterfactual deficits D'.
    pub fn counterfactual_deficits(&self) -> &[f64] {
        &self.counterfactual_deficits
    }

    /// Baseline tariffs.
    pub fn baseline_tariffs(&self) -> Tariffs {
        self.baseline.tariff_profile()
    }

    /// Solves the equilibrium at `tariffs`, warm-started from `warm` if given.
    /// Errors with the residual reached if the tolerance is not met.
    pub fn solve(&self, tariffs: &Tariffs, warm: Option<&Equilibrium>) -> Result<Equilibrium> {
        solve_state(
            &self.baseline,
            &self.counterfactual_deficits,
            tariffs,
            warm.map(|e| e.state.as_slice()),
            &self.config,
        )
    }

    /// Outcomes of an equilibrium against the baseline.
    pub fn outcomes(&self, eq: &Equilibrium) -> Outcomes {
        Outcomes::new(&self.regions, &self.baseline, eq)
    }

    /// Caliendo-Parro terms-of-trade / volume-of-trade welfare decomposition.
    pub fn welfare_decomposition(&self, eq: &Equilibrium) -> WelfareDecomposition {
        WelfareDecomposition::new(&self.regions, &self.baseline, eq)
    }

    /// Every region's payoff at an equilibrium.
    pub fn payoffs(&self, eq: &Equilibrium, kind: Payoff) -> Vec<f64> {
        payoffs(&self.baseline, eq, kind)
    }
}
