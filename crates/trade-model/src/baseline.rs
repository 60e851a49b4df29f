//! The baseline economy in flat arrays: the levels that exact hat algebra
//! scales (Dekle, Eaton and Kortum, 2008; Caliendo and Parro, 2015).
//!
//! From a validated [`Calibration`]: expenditure `X_n^j = sum_i (1+t_ni^j) Z_ni^j`,
//! trade shares `pi_ni^j = (1+t_ni^j) Z_ni^j / X_n^j`, gross output
//! `Y_i^j = sum_n Z_ni^j`, value added `VA_i = w_i L_i = sum_j beta_i^j Y_i^j`,
//! tariff revenue `R_n`, deficits `D_n` and income `I_n = VA_n + R_n + D_n`.
//!
//! Layout: region-sector arrays at `i * J + j`; bilateral arrays at
//! `(n * N + i) * J + j`; `gamma` at `(n * J + s) * J + j` (input s, user j).

use serde::{Deserialize, Serialize};

use crate::calibration::Calibration;
use crate::tariffs::Tariffs;

/// Baseline levels and parameters, flat. Built once per model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    /// Number of regions N.
    pub n: usize,
    /// Number of sectors J.
    pub j: usize,
    /// Baseline tariffs t_ni^j.
    pub tariffs: Vec<f64>,
    /// Trade shares pi_ni^j (tariff-inclusive expenditure shares).
    pub trade_shares: Vec<f64>,
    /// Expenditure X_n^j at consumer prices.
    pub expenditure: Vec<f64>,
    /// Gross output Y_i^j at producer prices.
    pub output: Vec<f64>,
    /// Value added w_i L_i.
    pub value_added: Vec<f64>,
    /// Tariff revenue R_n.
    pub revenue: Vec<f64>,
    /// Deficits D_n.
    pub deficits: Vec<f64>,
    /// Income I_n = VA_n + R_n + D_n.
    pub income: Vec<f64>,
    /// beta_i^j.
    pub beta: Vec<f64>,
    /// gamma_n^{sj}.
    pub gamma: Vec<f64>,
    /// alpha_n^j.
    pub alpha: Vec<f64>,
    /// theta_j.
    pub theta: Vec<f64>,
    /// psi_j.
    pub psi: Vec<f64>,
}

impl Baseline {
    /// Flattens a calibration (which must already be validated).
    pub fn from_calibration(cal: &Calibration) -> Self {
        let (n, j) = (cal.n_regions(), cal.n_sectors());
        let mut tariffs = vec![0.0; n * n * j];
        let mut flows = vec![0.0; n * n * j];
        for a in 0..n {
            for b in 0..n {
                for s in 0..j {
                    tariffs[(a * n + b) * j + s] = cal.tariffs[a][b][s];
                    flows[(a * n + b) * j + s] = cal.flows[a][b][s];
                }
            }
        }
        let beta: Vec<f64> = cal.va_shares.iter().flatten().copied().collect();
        let alpha: Vec<f64> = cal.final_shares.iter().flatten().copied().collect();
        let gamma: Vec<f64> = cal.io_shares.iter().flatten().flatten().copied().collect();
        Self::from_flows(
            n,
            j,
            &flows,
            tariffs,
            beta,
            gamma,
            alpha,
            cal.deficits.clone(),
            cal.theta.clone(),
            cal.psi.clone(),
        )
    }

    /// Builds the levels from flows at producer prices.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_flows(
        n: usize,
        j: usize,
        flows: &[f64],
        tariffs: Vec<f64>,
        beta: Vec<f64>,
        gamma: Vec<f64>,
        alpha: Vec<f64>,
        deficits: Vec<f64>,
        theta: Vec<f64>,
        psi: Vec<f64>,
    ) -> Self {
        let mut expenditure = vec![0.0; n * j];
        let mut output = vec![0.0; n * j];
        let mut revenue = vec![0.0; n];
        for a in 0..n {
            for b in 0..n {
                for s in 0..j {
                    let k = (a * n + b) * j + s;
                    expenditure[a * j + s] += (1.0 + tariffs[k]) * flows[k];
                    output[b * j + s] += flows[k];
                    revenue[a] += tariffs[k] * flows[k];
                }
            }
        }
        let mut trade_shares = vec![0.0; n * n * j];
        for a in 0..n {
            for b in 0..n {
                for s in 0..j {
                    let k = (a * n + b) * j + s;
                    trade_shares[k] = (1.0 + tariffs[k]) * flows[k] / expenditure[a * j + s];
                }
            }
        }
        let value_added: Vec<f64> = (0..n)
            .map(|a| (0..j).map(|s| beta[a * j + s] * output[a * j + s]).sum())
            .collect();
        let income = (0..n)
            .map(|a| value_added[a] + revenue[a] + deficits[a])
            .collect();
        Baseline {
            n,
            j,
            tariffs,
            trade_shares,
            expenditure,
            output,
            value_added,
            revenue,
            deficits,
            income,
            beta,
            gamma,
            alpha,
            theta,
            psi,
        }
    }

    /// Baseline tariffs as a [`Tariffs`] profile.
    pub fn tariff_profile(&self) -> Tariffs {
        Tariffs::from_flat_unchecked(self.n, self.j, self.tariffs.clone())
    }

    /// Flows at producer prices Z_ni^j = pi_ni^j X_n^j / (1 + t_ni^j).
    pub fn flows(&self) -> Vec<f64> {
        producer_flows(
            self.n,
            self.j,
            &self.trade_shares,
            &self.expenditure,
            &self.tariffs,
        )
    }
}

/// Flows at producer prices `Z_ni^j = pi_ni^j X_n^j / (1 + t_ni^j)` from
/// shares `[N, N, J]`, expenditure `[N, J]` and tariffs `[N, N, J]`.
pub(crate) fn producer_flows(
    n: usize,
    j: usize,
    shares: &[f64],
    expenditure: &[f64],
    tariffs: &[f64],
) -> Vec<f64> {
    (0..n * n * j)
        .map(|k| shares[k] * expenditure[(k / (n * j)) * j + k % j] / (1.0 + tariffs[k]))
        .collect()
}
