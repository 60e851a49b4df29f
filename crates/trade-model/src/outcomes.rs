//! What a counterfactual does to each region, against the model's baseline.
//!
//! With consumer price index `P^_n = prod_j (P^_n^j)^(alpha_n^j)`:
//! - welfare (real income): `W^_n = I^_n / P^_n`;
//! - real GDP excluding tariff revenue: `w^_n / P^_n`;
//! - real GDP including tariff revenue: `[(w^_n VA_n + R'_n) / (VA_n + R_n)] / P^_n`;
//! - exports of i to n at producer prices: `sum_j pi'_ni^j X'_n^j / (1 + t'_ni^j)`.
//!
//! Everything in percent change (100 (x^ - 1)) except levels marked as such.
//!
//! [`WelfareDecomposition`] is Caliendo and Parro's (2015, eq. 9 and their
//! `Welfarelineal.m`) first-order split of the welfare change into terms of
//! trade and volume of trade, with baseline exports E and imports M at
//! producer prices, unit-cost changes c^ and `I_n = w_n L_n + R_n`:
//! `ToT_n = sum_{i,j} [E_ni^j (c^_n^j - 1) - M_ni^j (c^_i^j - 1)] / I_n`,
//! `VoT_n = sum_{i,j} t_ni^j M_ni^j (M^_ni^j - c^_i^j) / I_n`.

use serde::{Deserialize, Serialize};

use crate::baseline::Baseline;
use crate::equilibrium::Equilibrium;

/// What a player maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payoff {
    /// ln W^_n = ln(I^_n / P^_n), real income (welfare).
    #[default]
    RealIncome,
    /// ln(w^_n / P^_n), real GDP excluding tariff revenue.
    RealGdp,
}

/// Outcomes per region, percent changes against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Region names.
    pub regions: Vec<String>,
    /// Welfare (real income) change, %.
    pub welfare: Vec<f64>,
    /// Real GDP excluding tariff revenue, % change.
    pub real_gdp: Vec<f64>,
    /// Real GDP including tariff revenue, % change.
    pub real_gdp_incl_revenue: Vec<f64>,
    /// Consumer price index change, %.
    pub consumer_prices: Vec<f64>,
    /// Nominal wage change, % (numeraire: world value added).
    pub wages: Vec<f64>,
    /// Baseline tariff revenue (level, calibration units).
    pub tariff_revenue_baseline: Vec<f64>,
    /// Counterfactual tariff revenue (level, calibration units).
    pub tariff_revenue: Vec<f64>,
    /// `exports[i][n]`: % change in exports of i to n at producer prices (0 on the diagonal).
    pub exports: Vec<Vec<f64>>,
    /// Total exports of each region at producer prices, % change.
    pub total_exports: Vec<f64>,
}

/// Producer-price flows summed over sectors, `[exporter][importer]`.
fn exports_matrix(n: usize, j: usize, flows: &[f64]) -> Vec<Vec<f64>> {
    let mut e = vec![vec![0.0; n]; n];
    for (k, z) in flows.iter().enumerate() {
        let (importer, exporter) = (k / (n * j), (k / j) % n);
        e[exporter][importer] += z;
    }
    e
}

fn pct(x: f64) -> f64 {
    100.0 * (x - 1.0)
}

impl Outcomes {
    /// Computes the outcomes of `eq` against `base`.
    pub fn new(regions: &[String], base: &Baseline, eq: &Equilibrium) -> Self {
        let n = base.n;
        let cpi = eq.consumer_price(base);
        let e0 = exports_matrix(n, base.j, &base.flows());
        let e1 = exports_matrix(n, base.j, &eq.flows(base));
        let mut exports = vec![vec![0.0; n]; n];
        let mut total_exports = vec![0.0; n];
        for i in 0..n {
            let (mut t0, mut t1) = (0.0, 0.0);
            for m in 0..n {
                if m != i {
                    exports[i][m] = if e0[i][m] > 0.0 {
                        pct(e1[i][m] / e0[i][m])
                    } else {
                        0.0
                    };
                    t0 += e0[i][m];
                    t1 += e1[i][m];
                }
            }
            total_exports[i] = if t0 > 0.0 { pct(t1 / t0) } else { 0.0 };
        }
        Outcomes {
            regions: regions.to_vec(),
            welfare: (0..n)
                .map(|k| pct(eq.income[k] / base.income[k] / cpi[k]))
                .collect(),
            real_gdp: (0..n).map(|k| pct(eq.wage[k] / cpi[k])).collect(),
            real_gdp_incl_revenue: (0..n)
                .map(|k| {
                    let new = eq.wage[k] * base.value_added[k] + eq.revenue[k];
                    pct(new / (base.value_added[k] + base.revenue[k]) / cpi[k])
                })
                .collect(),
            consumer_prices: cpi.iter().map(|&p| pct(p)).collect(),
            wages: eq.wage.iter().map(|&w| pct(w)).collect(),
            tariff_revenue_baseline: base.revenue.clone(),
            tariff_revenue: eq.revenue.clone(),
            exports,
            total_exports,
        }
    }
}

/// Caliendo-Parro first-order welfare decomposition, percent of income.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WelfareDecomposition {
    /// Region names.
    pub regions: Vec<String>,
    /// Terms-of-trade effect, %.
    pub terms_of_trade: Vec<f64>,
    /// Volume-of-trade effect, %.
    pub volume_of_trade: Vec<f64>,
    /// Their sum, CP's reported welfare effect, %.
    pub total: Vec<f64>,
}

impl WelfareDecomposition {
    /// Decomposes the move from `base` to `eq`.
    pub fn new(regions: &[String], base: &Baseline, eq: &Equilibrium) -> Self {
        let (n, j) = (base.n, base.j);
        let flows0 = base.flows();
        let flows1 = eq.flows(base);
        let mut tot = vec![0.0; n];
        let mut vot = vec![0.0; n];
        for a in 0..n {
            let income = base.value_added[a] + base.revenue[a];
            for b in 0..n {
                for s in 0..j {
                    // a's imports from b, and a's exports to b (= b's imports from a).
                    let k_in = (a * n + b) * j + s;
                    let k_out = (b * n + a) * j + s;
                    let imports = flows0[k_in];
                    let exports = flows0[k_out];
                    let c_a = eq.cost[a * j + s];
                    let c_b = eq.cost[b * j + s];
                    tot[a] += exports * (c_a - 1.0) - imports * (c_b - 1.0);
                    if imports > 0.0 {
                        vot[a] += base.tariffs[k_in] * imports * (flows1[k_in] / imports - c_b);
                    }
                }
            }
            tot[a] *= 100.0 / income;
            vot[a] *= 100.0 / income;
        }
        WelfareDecomposition {
            regions: regions.to_vec(),
            total: tot.iter().zip(&vot).map(|(a, b)| a + b).collect(),
            terms_of_trade: tot,
            volume_of_trade: vot,
        }
    }
}

/// Each region's payoff (log change) at an equilibrium.
pub fn payoffs(base: &Baseline, eq: &Equilibrium, kind: Payoff) -> Vec<f64> {
    let cpi = eq.consumer_price(base);
    (0..base.n)
        .map(|k| match kind {
            Payoff::RealIncome => (eq.income[k] / base.income[k]).ln() - cpi[k].ln(),
            Payoff::RealGdp => eq.wage[k].ln() - cpi[k].ln(),
        })
        .collect()
}
