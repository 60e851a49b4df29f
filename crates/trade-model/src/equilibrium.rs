//! The equilibrium in changes (exact hat algebra) and its solver.
//!
//! Caliendo and Parro (2015, REStud) with external scale economies. Given new
//! tariffs t' and `kappa^_ni^j = (1 + t'_ni^j) / (1 + t_ni^j)`, the state is
//! `x = (ln w^_i, ln c^_i^j, ln X^_n^j)` (N + 2NJ unknowns) and one step
//! `x -> G(x; t')` evaluates, in order:
//!
//! 1. `P^_n^j = [sum_i pi_ni^j (kappa^_ni^j c^_i^j)^(-theta_j)]^(-1/theta_j)`;
//! 2. `pi'_ni^j = pi_ni^j (kappa^_ni^j c^_i^j / P^_n^j)^(-theta_j)`;
//! 3. `Y'_i^j = sum_n pi'_ni^j X'_n^j / (1 + t'_ni^j)`,
//!    `R'_n = sum_{i,j} t'_ni^j/(1+t'_ni^j) pi'_ni^j X'_n^j`,
//!    `I'_n = w^_n VA_n + R'_n + D'_n`;
//! 4. new expenditure `X'_n^j = sum_k gamma_n^{jk} (1-beta_n^k) Y'_n^k + alpha_n^j I'_n`;
//! 5. new wages from labour-market clearing `w^_i VA_i = sum_j beta_i^j Y'_i^j`,
//!    rescaled to the numeraire `sum_i w^_i VA_i = sum_i VA_i`;
//! 6. sector labour `L^_i^j = (Y'_i^j / Y_i^j) / w^_i` (1 where `Y_i^j = 0`) and new
//!    unit costs `c^_i^j = (L^_i^j)^(-psi_j) (w^_i)^(beta_i^j) prod_s (P^_i^s)^((1-beta_i^j) gamma_i^{sj})`.
//!
//! The equilibrium is the fixed point `x = G(x; t')`. It is found by damped
//! fixed-point iteration with Anderson acceleration (Walker and Ni, 2011) on
//! the log state; the residual reported is `max |G(x) - x|` (log points). The
//! same map, written in burn, gives the implicit-function gradients
//! ([`crate::gradient`]).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::baseline::Baseline;
use crate::error::{ModelError, Result};
use crate::linalg::Lu;
use crate::tariffs::Tariffs;

/// How trade deficits move in the counterfactual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeficitTreatment {
    /// First solve at baseline tariffs with D' = 0 and use that as the
    /// baseline (Ossa 2014; Caliendo-Parro 2015; Lashkaripour 2021).
    #[default]
    Purged,
    /// Keep D'_n = D_n in units of the numeraire (world value added).
    Fixed,
}

/// Settings of the equilibrium solver.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SolverConfig {
    /// Stop when `max |G(x) - x|` (log points) is below this.
    pub tolerance: f64,
    /// Give up (with [`ModelError::NotConverged`]) after this many steps.
    pub max_iterations: usize,
    /// Mixing weight of the plain fixed-point step, in (0, 1].
    pub damping: f64,
    /// Anderson acceleration memory (0 = plain damped iteration).
    pub anderson_memory: usize,
}

impl Default for SolverConfig {
    fn default() -> Self {
        SolverConfig {
            tolerance: 1e-12,
            max_iterations: 2000,
            damping: 0.5,
            anderson_memory: 8,
        }
    }
}

impl SolverConfig {
    /// Checks ranges; the error names the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &str, problem: String| {
            Err(ModelError::Config {
                field: field.into(),
                problem,
            })
        };
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return bad(
                "tolerance",
                format!("must be a positive number, got {}", self.tolerance),
            );
        }
        if self.max_iterations == 0 {
            return bad("max_iterations", "must be at least 1".into());
        }
        if !(self.damping > 0.0 && self.damping <= 1.0) {
            return bad(
                "damping",
                format!("must lie in (0, 1], got {}", self.damping),
            );
        }
        if self.anderson_memory > 50 {
            return bad(
                "anderson_memory",
                format!("must be at most 50, got {}", self.anderson_memory),
            );
        }
        Ok(())
    }
}

/// A solved counterfactual equilibrium: changes (hats) and new levels.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Equilibrium {
    /// The tariffs t' it solves for.
    pub tariffs: Tariffs,
    /// The log state `(ln w^, ln c^, ln X^)`, usable as a warm start.
    pub state: Vec<f64>,
    /// Wage changes w^_i.
    pub wage: Vec<f64>,
    /// Unit-cost changes c^_i^j.
    pub cost: Vec<f64>,
    /// Sector price-index changes P^_n^j.
    pub price: Vec<f64>,
    /// Sector labour changes L^_i^j.
    pub labour: Vec<f64>,
    /// New trade shares pi'_ni^j.
    pub trade_shares: Vec<f64>,
    /// New expenditure X'_n^j.
    pub expenditure: Vec<f64>,
    /// New gross output Y'_i^j.
    pub output: Vec<f64>,
    /// New tariff revenue R'_n.
    pub revenue: Vec<f64>,
    /// New income I'_n = w^_n VA_n + R'_n + D'_n.
    pub income: Vec<f64>,
    /// New deficits D'_n.
    pub deficits: Vec<f64>,
    /// Final residual `max |G(x) - x|`.
    pub residual: f64,
    /// Fixed-point steps used.
    pub iterations: usize,
}

impl Equilibrium {
    /// New flows at producer prices `Z'_ni^j = pi'_ni^j X'_n^j / (1 + t'_ni^j)`.
    pub fn flows(&self, base: &Baseline) -> Vec<f64> {
        crate::baseline::producer_flows(
            base.n,
            base.j,
            &self.trade_shares,
            &self.expenditure,
            self.tariffs.as_slice(),
        )
    }

    /// Consumer price index change `P^_n = prod_j (P^_n^j)^(alpha_n^j)`.
    pub fn consumer_price(&self, base: &Baseline) -> Vec<f64> {
        (0..base.n)
            .map(|n| {
                (0..base.j)
                    .map(|j| base.alpha[n * base.j + j] * self.price[n * base.j + j].ln())
                    .sum::<f64>()
                    .exp()
            })
            .collect()
    }
}

/// Per-tariff constants and scratch buffers for evaluating the step map.
pub(crate) struct StepMap<'a> {
    base: &'a Baseline,
    deficits: &'a [f64],
    ln_kappa: Vec<f64>,
    inv_factor: Vec<f64>,
    rev_share: Vec<f64>,
    ln_pi: Vec<f64>,
    // scratch
    pub(crate) ln_price: Vec<f64>,
    pub(crate) shares: Vec<f64>,
    pub(crate) exp_new: Vec<f64>,
    pub(crate) output: Vec<f64>,
    pub(crate) revenue: Vec<f64>,
    pub(crate) income: Vec<f64>,
    pub(crate) ln_labour: Vec<f64>,
}

impl<'a> StepMap<'a> {
    pub(crate) fn new(base: &'a Baseline, deficits: &'a [f64], tariffs: &Tariffs) -> Self {
        let t = tariffs.as_slice();
        let ln_kappa = t
            .iter()
            .zip(&base.tariffs)
            .map(|(a, b)| (1.0 + a).ln() - (1.0 + b).ln())
            .collect();
        let inv_factor = t.iter().map(|a| 1.0 / (1.0 + a)).collect();
        let rev_share = t.iter().map(|a| a / (1.0 + a)).collect();
        let ln_pi = base
            .trade_shares
            .iter()
            .map(|&p| if p > 0.0 { p.ln() } else { f64::NEG_INFINITY })
            .collect();
        let (n, j) = (base.n, base.j);
        StepMap {
            base,
            deficits,
            ln_kappa,
            inv_factor,
            rev_share,
            ln_pi,
            ln_price: vec![0.0; n * j],
            shares: vec![0.0; n * n * j],
            exp_new: vec![0.0; n * j],
            output: vec![0.0; n * j],
            revenue: vec![0.0; n],
            income: vec![0.0; n],
            ln_labour: vec![0.0; n * j],
        }
    }

    /// Evaluates `G(x)` into `out` (same layout as `x`), filling the scratch
    /// buffers with prices, shares, output, revenue and income at `x`.
    pub(crate) fn apply(&mut self, x: &[f64], out: &mut [f64]) {
        let b = self.base;
        let (nn, jj) = (b.n, b.j);
        let lw = &x[..nn];
        let lc = &x[nn..nn + nn * jj];
        let lx = &x[nn + nn * jj..];
        // 1-2: prices and shares (log-sum-exp over exporters).
        for n in 0..nn {
            for j in 0..jj {
                let th = b.theta[j];
                let mut m = f64::NEG_INFINITY;
                for i in 0..nn {
                    let k = (n * nn + i) * jj + j;
                    let a = self.ln_pi[k] - th * (self.ln_kappa[k] + lc[i * jj + j]);
                    self.shares[k] = a;
                    if a > m {
                        m = a;
                    }
                }
                let mut s = 0.0;
                for i in 0..nn {
                    let k = (n * nn + i) * jj + j;
                    let e = (self.shares[k] - m).exp();
                    self.shares[k] = e;
                    s += e;
                }
                let ln_s = m + s.ln();
                self.ln_price[n * jj + j] = -ln_s / th;
                let inv = 1.0 / s;
                for i in 0..nn {
                    self.shares[(n * nn + i) * jj + j] *= inv;
                }
            }
        }
        // 3: output, revenue, income.
        self.output.iter_mut().for_each(|v| *v = 0.0);
        for n in 0..nn {
            let mut rev = 0.0;
            for i in 0..nn {
                for j in 0..jj {
                    let k = (n * nn + i) * jj + j;
                    let spend = self.shares[k] * b.expenditure[n * jj + j] * lx[n * jj + j].exp();
                    self.output[i * jj + j] += spend * self.inv_factor[k];
                    rev += spend * self.rev_share[k];
                }
            }
            self.revenue[n] = rev;
            self.income[n] = lw[n].exp() * b.value_added[n] + rev + self.deficits[n];
        }
        // 4: expenditure.
        for n in 0..nn {
            for j in 0..jj {
                let mut v = b.alpha[n * jj + j] * self.income[n];
                for k in 0..jj {
                    v += b.gamma[(n * jj + j) * jj + k]
                        * (1.0 - b.beta[n * jj + k])
                        * self.output[n * jj + k];
                }
                self.exp_new[n * jj + j] = v;
                out[nn + nn * jj + n * jj + j] = (v / b.expenditure[n * jj + j]).ln();
            }
        }
        // 5: wages.
        let mut demand_total = 0.0;
        let va_total: f64 = b.value_added.iter().sum();
        for i in 0..nn {
            let d: f64 = (0..jj)
                .map(|j| b.beta[i * jj + j] * self.output[i * jj + j])
                .sum();
            out[i] = d;
            demand_total += d;
        }
        let scale = va_total / demand_total;
        for i in 0..nn {
            out[i] = (out[i] * scale / b.value_added[i]).ln();
        }
        // 6: labour and costs.
        for i in 0..nn {
            for j in 0..jj {
                let y0 = b.output[i * jj + j];
                let ll = if y0 > 0.0 {
                    (self.output[i * jj + j] / y0).ln() - lw[i]
                } else {
                    0.0
                };
                self.ln_labour[i * jj + j] = ll;
                let beta = b.beta[i * jj + j];
                let mut v = -b.psi[j] * ll + beta * lw[i];
                let mut ip = 0.0;
                for s in 0..jj {
                    ip += b.gamma[(i * jj + s) * jj + j] * self.ln_price[i * jj + s];
                }
                v += (1.0 - beta) * ip;
                out[nn + i * jj + j] = v;
            }
        }
    }

    /// Builds the full [`Equilibrium`] record at a converged state.
    pub(crate) fn record(
        &mut self,
        tariffs: &Tariffs,
        x: Vec<f64>,
        residual: f64,
        iterations: usize,
    ) -> Equilibrium {
        let mut out = vec![0.0; x.len()];
        self.apply(&x, &mut out);
        // `apply` has just filled output, revenue and income at `x`.
        let b = self.base;
        let (nn, jj) = (b.n, b.j);
        let expenditure: Vec<f64> = (0..nn * jj)
            .map(|k| b.expenditure[k] * x[nn + nn * jj + k].exp())
            .collect();
        let wage: Vec<f64> = x[..nn].iter().map(|v| v.exp()).collect();
        let (output, revenue, income) = (
            self.output.clone(),
            self.revenue.clone(),
            self.income.clone(),
        );
        Equilibrium {
            tariffs: tariffs.clone(),
            wage,
            cost: x[nn..nn + nn * jj].iter().map(|v| v.exp()).collect(),
            price: self.ln_price.iter().map(|v| v.exp()).collect(),
            labour: self.ln_labour.iter().map(|v| v.exp()).collect(),
            trade_shares: self.shares.clone(),
            expenditure,
            output,
            revenue,
            income,
            deficits: self.deficits.to_vec(),
            residual,
            iterations,
            state: x,
        }
    }
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0_f64, |m, x| {
        if x.is_nan() {
            f64::INFINITY
        } else {
            m.max(x.abs())
        }
    })
}

/// Solves `x = G(x; t')` from `start` (zeros = the baseline) by damped
/// fixed-point iteration with Anderson acceleration.
pub(crate) fn solve_state(
    base: &Baseline,
    deficits: &[f64],
    tariffs: &Tariffs,
    start: Option<&[f64]>,
    config: &SolverConfig,
) -> Result<Equilibrium> {
    config.validate()?;
    tariffs.check()?;
    if tariffs.n_regions() != base.n || tariffs.n_sectors() != base.j {
        return Err(ModelError::Tariffs {
            field: "shape".into(),
            problem: format!(
                "tariffs are {} regions x {} sectors but the calibration has {} x {}",
                tariffs.n_regions(),
                tariffs.n_sectors(),
                base.n,
                base.j
            ),
        });
    }
    let dim = base.n + 2 * base.n * base.j;
    let mut map = StepMap::new(base, deficits, tariffs);
    let mut x: Vec<f64> = match start {
        Some(s) if s.len() == dim && s.iter().all(|v| v.is_finite()) => s.to_vec(),
        _ => vec![0.0; dim],
    };
    let mut g = vec![0.0; dim];
    map.apply(&x, &mut g);
    let mut f: Vec<f64> = g.iter().zip(&x).map(|(a, b)| a - b).collect();
    let mut res = max_abs(&f);
    let beta = config.damping;
    let mem = config.anderson_memory;
    let mut dxs: VecDeque<Vec<f64>> = VecDeque::with_capacity(mem);
    let mut dfs: VecDeque<Vec<f64>> = VecDeque::with_capacity(mem);
    let mut best = (res, x.clone());
    let mut it = 0;
    while res > config.tolerance {
        if it >= config.max_iterations {
            return Err(ModelError::NotConverged {
                residual: best.0,
                tolerance: config.tolerance,
                iterations: it,
            });
        }
        it += 1;
        let mut x_new: Vec<f64> = x.iter().zip(&f).map(|(a, b)| a + beta * b).collect();
        if !dfs.is_empty() {
            if let Some(coef) = anderson_coefficients(&dfs, &f) {
                for (l, c) in coef.iter().enumerate() {
                    for k in 0..dim {
                        x_new[k] -= c * (dxs[l][k] + beta * dfs[l][k]);
                    }
                }
            }
        }
        map.apply(&x_new, &mut g);
        let mut f_new: Vec<f64> = g.iter().zip(&x_new).map(|(a, b)| a - b).collect();
        let mut res_new = max_abs(&f_new);
        if !res_new.is_finite() || res_new > 100.0 * best.0.max(config.tolerance) {
            // Safeguard: restart from the best point with a plain damped step.
            dxs.clear();
            dfs.clear();
            x = best.1.clone();
            map.apply(&x, &mut g);
            f = g.iter().zip(&x).map(|(a, b)| a - b).collect();
            x_new = x.iter().zip(&f).map(|(a, b)| a + beta * b).collect();
            map.apply(&x_new, &mut g);
            f_new = g.iter().zip(&x_new).map(|(a, b)| a - b).collect();
            res_new = max_abs(&f_new);
            if !res_new.is_finite() {
                return Err(ModelError::NotConverged {
                    residual: best.0,
                    tolerance: config.tolerance,
                    iterations: it,
                });
            }
        }
        if mem > 0 {
            if dxs.len() == mem {
                dxs.pop_front();
                dfs.pop_front();
            }
            dxs.push_back(x_new.iter().zip(&x).map(|(a, b)| a - b).collect());
            dfs.push_back(f_new.iter().zip(&f).map(|(a, b)| a - b).collect());
        }
        x = x_new;
        f = f_new;
        res = res_new;
        if res < best.0 {
            best = (res, x.clone());
        }
    }
    Ok(map.record(tariffs, x, res, it))
}

/// Chord-Newton solve with a fixed factorisation of `I - dG/dx` from a
/// nearby point. Returns `Ok(None)` when the steps stall (contraction worse
/// than one half) so the caller can fall back to the Anderson solver.
pub(crate) fn solve_chord(
    model: &crate::model::TradeModel,
    tariffs: &Tariffs,
    start: &[f64],
    lu: &Lu,
) -> Result<Option<Equilibrium>> {
    let base = model.baseline();
    let config = model.solver_config();
    tariffs.check()?;
    if tariffs.n_regions() != base.n || tariffs.n_sectors() != base.j || start.len() != lu.dim() {
        return Ok(None);
    }
    let dim = start.len();
    let mut map = StepMap::new(base, model.counterfactual_deficits(), tariffs);
    let mut x = start.to_vec();
    let mut g = vec![0.0; dim];
    let mut previous = f64::INFINITY;
    for it in 0..30 {
        map.apply(&x, &mut g);
        let f: Vec<f64> = g.iter().zip(&x).map(|(a, b)| a - b).collect();
        let res = max_abs(&f);
        if res <= config.tolerance {
            return Ok(Some(map.record(tariffs, x, res, it)));
        }
        if !res.is_finite() || res > 0.5 * previous {
            return Ok(None);
        }
        previous = res;
        let dx = lu.solve(&f);
        x.iter_mut().zip(&dx).for_each(|(a, d)| *a += d);
    }
    Ok(None)
}

/// Least-squares weights `argmin_c ||f - sum_l c_l dF_l||` by regularised
/// normal equations.
pub(crate) fn anderson_coefficients(dfs: &VecDeque<Vec<f64>>, f: &[f64]) -> Option<Vec<f64>> {
    let m = dfs.len();
    let mut a = vec![0.0; m * m];
    let mut rhs = vec![0.0; m];
    for p in 0..m {
        for q in p..m {
            let v: f64 = dfs[p].iter().zip(&dfs[q]).map(|(x, y)| x * y).sum();
            a[p * m + q] = v;
            a[q * m + p] = v;
        }
        rhs[p] = dfs[p].iter().zip(f).map(|(x, y)| x * y).sum();
    }
    let trace: f64 = (0..m).map(|p| a[p * m + p]).sum();
    if !(trace > 0.0 && trace.is_finite()) {
        return None;
    }
    for p in 0..m {
        a[p * m + p] += 1e-12 * trace;
    }
    let lu = Lu::factor(m, a)?;
    let c = lu.solve(&rhs);
    c.iter().all(|v| v.is_finite()).then_some(c)
}
