//! Payoff gradients through the equilibrium by the implicit-function theorem.
//!
//! The equilibrium is the fixed point `x = G(x, t)` of the step map in
//! [`crate::equilibrium`] (log state `x = (ln w^, ln c^, ln X^)`). A payoff
//! `W(x, t)` (ln real income or ln real GDP) then has total derivative
//!
//! `dW/dt = dW/dt|_x + lambda' dG/dt`, where `(I - dG/dx)' lambda = (dW/dx)'`.
//!
//! The map and the payoffs are written once in burn, batch-first (leading
//! batch dimension, baseline constants broadcast from `[1, ...]`), generic over
//! `B: AutodiffBackend`. One batched vector-Jacobian product with identity
//! cotangents gives the whole Jacobian `dG/dx` and every `dW_m/dx`; the adjoint
//! systems share one host-side LU factorisation; one more batched product gives
//! `dW_m/dt` for every requested player m. No tape is kept across solver
//! iterations: only the converged point is differentiated.

use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::baseline::Baseline;
use crate::equilibrium::{anderson_coefficients, Equilibrium};
use crate::error::{ModelError, Result};
use crate::linalg::Lu;
use crate::model::TradeModel;
use crate::outcomes::Payoff;
use crate::tariffs::Tariffs;
use std::collections::VecDeque;

/// Rows of the Jacobian computed per batched backward pass (bounds memory at
/// large N x J: each row is a full copy of the `[N, N, J]` model).
const JACOBIAN_CHUNK_ELEMENTS: usize = 4_000_000;

/// Baseline constants as broadcastable tensors.
struct Constants<B: Backend> {
    n: usize,
    j: usize,
    pi: Tensor<B, 4>,
    ln_t0: Tensor<B, 4>,
    theta: Tensor<B, 4>,
    ln_x0: Tensor<B, 3>,
    va: Tensor<B, 2>,
    va_total: f64,
    deficits: Tensor<B, 2>,
    ln_i0: Tensor<B, 2>,
    alpha: Tensor<B, 3>,
    /// `io_t[r, c, a] = gamma_r^{ac} (1 - beta_r^c)` (transposed for matmul).
    io_t: Tensor<B, 3>,
    /// `cost_io_t[r, c, a] = (1 - beta_r^a) gamma_r^{ca}`.
    cost_io_t: Tensor<B, 3>,
    beta: Tensor<B, 3>,
    psi: Tensor<B, 3>,
    mask: Tensor<B, 3>,
    ln_y0: Tensor<B, 3>,
}

fn tensor<B: Backend, const D: usize>(
    v: Vec<f64>,
    shape: [usize; D],
    dev: &B::Device,
) -> Tensor<B, D> {
    Tensor::from_data(TensorData::new(v, shape), dev)
}

fn to_vec<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f64> {
    t.into_data()
        .convert::<f64>()
        .to_vec::<f64>()
        .unwrap_or_default()
}

impl<B: Backend> Constants<B> {
    fn new(b: &Baseline, deficits: &[f64], dev: &B::Device) -> Self {
        let (n, j) = (b.n, b.j);
        let mut io = vec![0.0; n * j * j];
        let mut cost_io = vec![0.0; n * j * j];
        for r in 0..n {
            for a in 0..j {
                for c in 0..j {
                    // expenditure: X_r^a += gamma_r^{ac} (1 - beta_r^c) Y_r^c
                    io[(r * j + c) * j + a] =
                        b.gamma[(r * j + a) * j + c] * (1.0 - b.beta[r * j + c]);
                    // cost of (r, a): (1 - beta_r^a) gamma_r^{ca} ln P_r^c
                    cost_io[(r * j + c) * j + a] =
                        (1.0 - b.beta[r * j + a]) * b.gamma[(r * j + c) * j + a];
                }
            }
        }
        let mask: Vec<f64> = b
            .output
            .iter()
            .map(|&y| if y > 0.0 { 1.0 } else { 0.0 })
            .collect();
        let ln_y0 = b
            .output
            .iter()
            .map(|&y| if y > 0.0 { y.ln() } else { 0.0 })
            .collect();
        Constants {
            n,
            j,
            pi: tensor(b.trade_shares.clone(), [1, n, n, j], dev),
            ln_t0: tensor(
                b.tariffs.iter().map(|t| (1.0 + t).ln()).collect(),
                [1, n, n, j],
                dev,
            ),
            theta: tensor(b.theta.clone(), [1, 1, 1, j], dev),
            ln_x0: tensor(
                b.expenditure.iter().map(|x| x.ln()).collect(),
                [1, n, j],
                dev,
            ),
            va: tensor(b.value_added.clone(), [1, n], dev),
            va_total: b.value_added.iter().sum(),
            deficits: tensor(deficits.to_vec(), [1, n], dev),
            ln_i0: tensor(b.income.iter().map(|x| x.ln()).collect(), [1, n], dev),
            alpha: tensor(b.alpha.clone(), [1, n, j], dev),
            io_t: tensor(io, [n, j, j], dev),
            cost_io_t: tensor(cost_io, [n, j, j], dev),
            beta: tensor(b.beta.clone(), [1, n, j], dev),
            psi: tensor(b.psi.clone(), [1, 1, j], dev),
            mask: tensor(mask, [1, n, j], dev),
            ln_y0: tensor(ln_y0, [1, n, j], dev),
        }
    }

    /// The step map and payoffs, batched: `x` is `[B or 1, dim]`, `t` is
    /// `[B or 1, N, N, J]`; returns `(G(x, t) [B, dim], W(x, t) [B, N])`.
    fn step(&self, x: Tensor<B, 2>, t: Tensor<B, 4>, kind: Payoff) -> (Tensor<B, 2>, Tensor<B, 2>) {
        let lw = x.clone().narrow(1, 0, self.n);
        let (ln_p, output, revenue) = self.trade(x, t);
        self.rest(ln_p, output, revenue, lw, kind)
    }

    /// Stage A, the part on bilateral `[B, N, N, J]` tensors: from the state
    /// and tariffs to price indices `ln P^` `[B, N, J]`, output `Y'`
    /// `[B, N, J]` and tariff revenue `R'` `[B, N]`. `ln P^_n^j` and `Y'_i^j`
    /// depend on the state only through sector j's `ln c^` and `ln X^`.
    fn trade(
        &self,
        x: Tensor<B, 2>,
        t: Tensor<B, 4>,
    ) -> (Tensor<B, 3>, Tensor<B, 3>, Tensor<B, 2>) {
        let (n, j) = (self.n, self.j);
        let bx = x.dims()[0];
        let bsz = bx.max(t.dims()[0]);
        let lc = x.clone().narrow(1, n, n * j).reshape([bx, 1, n, j]);
        let lx = x.narrow(1, n + n * j, n * j).reshape([bx, n, j]);
        let ln_kappa = t.clone().add_scalar(1.0).log() - self.ln_t0.clone();
        let e = self.pi.clone() * ((ln_kappa + lc) * self.theta.clone()).neg().exp();
        let s = e.clone().sum_dim(2); // [B, N, 1, J]
        let ln_p = s.clone().log().neg() / self.theta.clone(); // [B, N, 1, J]
        let shares = e / s;
        let x_new_level = (lx + self.ln_x0.clone()).exp(); // X' [B, N, J]
        let spend = shares * x_new_level.reshape([bx, n, 1, j]);
        let inv = t.add_scalar(1.0).recip();
        let at_producer = spend.clone() * inv;
        let output = at_producer.clone().sum_dim(1).reshape([bsz, n, j]); // Y'
        let revenue = (spend - at_producer)
            .sum_dim(3)
            .sum_dim(2)
            .reshape([bsz, n]);
        (ln_p.reshape([bsz, n, j]), output, revenue)
    }

    /// Stage B, on `[B, N, J]` tensors: from prices, output, revenue and
    /// wages to the new state `G` and the payoffs.
    fn rest(
        &self,
        ln_p3: Tensor<B, 3>,
        output: Tensor<B, 3>,
        revenue: Tensor<B, 2>,
        lw: Tensor<B, 2>,
        kind: Payoff,
    ) -> (Tensor<B, 2>, Tensor<B, 2>) {
        let (n, j) = (self.n, self.j);
        let bsz = output.dims()[0].max(lw.dims()[0]);
        let income = lw.clone().exp() * self.va.clone() + revenue + self.deficits.clone();
        // inter[b, r, a] = sum_c io[r, a, c] Y'[b, r, c]: N batched GEMMs.
        let inter = output
            .clone()
            .swap_dims(0, 1)
            .matmul(self.io_t.clone())
            .swap_dims(0, 1);
        let exp_new = inter + self.alpha.clone() * income.clone().reshape([bsz, n, 1]);
        let out_x = exp_new.log() - self.ln_x0.clone();
        let demand = (self.beta.clone() * output.clone())
            .sum_dim(2)
            .reshape([bsz, n]);
        let total = demand.clone().sum_dim(1); // [B, 1]
        let out_w =
            (demand / total).log() + (self.va.clone().recip().mul_scalar(self.va_total)).log();
        let lw3 = lw.clone().reshape([lw.dims()[0], n, 1]);
        let ln_l = self.mask.clone()
            * ((output + (self.mask.clone().neg().add_scalar(1.0))).log()
                - self.ln_y0.clone()
                - lw3.clone());
        let price_term = ln_p3
            .clone()
            .swap_dims(0, 1)
            .matmul(self.cost_io_t.clone())
            .swap_dims(0, 1);
        let out_c = ln_l * self.psi.clone().neg() + self.beta.clone() * lw3 + price_term;
        let out = Tensor::cat(
            vec![
                out_w,
                out_c.reshape([bsz, n * j]),
                out_x.reshape([bsz, n * j]),
            ],
            1,
        );
        let ln_cpi = (self.alpha.clone() * ln_p3).sum_dim(2).reshape([bsz, n]);
        let payoff = match kind {
            Payoff::RealIncome => income.log() - self.ln_i0.clone() - ln_cpi,
            Payoff::RealGdp => lw - ln_cpi,
        };
        (out, payoff)
    }
}

/// Gradients of players' payoffs with respect to every tariff, at one equilibrium.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PayoffGradients {
    /// The payoff differentiated.
    pub kind: Payoff,
    /// Players (region indices) whose payoffs were differentiated.
    pub players: Vec<usize>,
    /// Their payoffs at the equilibrium.
    pub payoffs: Vec<f64>,
    /// `gradients[k]` = dW_{players[k]} / dt, flat `[N, N, J]` like [`crate::Tariffs`].
    pub gradients: Vec<Vec<f64>>,
    /// Number of regions.
    pub n: usize,
    /// Number of sectors.
    pub j: usize,
}

impl PayoffGradients {
    /// dW_m/dt_{mi}^j of player `players[k]` with respect to its own import
    /// tariffs, flat `[exporter, sector]`.
    pub fn own(&self, k: usize) -> Vec<f64> {
        let m = self.players[k];
        let stride = self.n * self.j;
        self.gradients[k][m * stride..(m + 1) * stride].to_vec()
    }
}

/// The Jacobian of the step map and the payoff derivatives at a point, with the
/// factorised adjoint matrix `I - dG/dx`: reusable for several players.
pub struct Adjoint {
    lu: Lu,
    payoff_state: Vec<Vec<f64>>,
}

impl TradeModel {
    /// Factorises the adjoint system at `eq`: the Jacobian of the step map
    /// by compressed vector-Jacobian products (see [`TradeModel::state_jacobian`])
    /// and a dense LU of `I - dG/dx`.
    pub fn adjoint<B: AutodiffBackend>(
        &self,
        eq: &Equilibrium,
        kind: Payoff,
        device: &B::Device,
    ) -> Result<Adjoint> {
        let dim = eq.state.len();
        let (mut jac, payoff_state) = self.state_jacobian::<B>(eq, kind, device)?;
        // A = I - dG/dx.
        for v in jac.iter_mut() {
            *v = -*v;
        }
        for k in 0..dim {
            jac[k * dim + k] += 1.0;
        }
        let lu = Lu::factor(dim, jac).ok_or_else(|| {
            ModelError::Adjoint("I - dG/dx is singular at this equilibrium".into())
        })?;
        Ok(Adjoint { lu, payoff_state })
    }

    /// `dG/dx` (row-major, `dim x dim`) and every `dW_m/dx` at `eq`.
    ///
    /// The step map is `G = rest(trade(x, t), ln w^)`: `trade` works on
    /// bilateral `[N, N, J]` tensors and is expensive, `rest` works on
    /// `[N, J]` tensors. `trade`'s outputs `ln P^_n^j` and `Y'_n^j` depend on
    /// the state only through sector j's `ln c^` and `ln X^`, so one VJP
    /// whose cotangent covers all sectors of region n gives all J rows of
    /// region n at once (a column colouring by sector): 3N batched VJPs
    /// (`ln P^`, `Y'`, `R'`) for the Jacobian of `trade`. `rest` is local to
    /// each region but for the wage normalisation, so N + 2J + 1 VJPs give
    /// its Jacobian. A sparse product on the host assembles `dG/dx`.
    pub fn state_jacobian<B: AutodiffBackend>(
        &self,
        eq: &Equilibrium,
        kind: Payoff,
        device: &B::Device,
    ) -> Result<(Vec<f64>, Vec<Vec<f64>>)> {
        let base = self.baseline();
        let (n, j) = (base.n, base.j);
        let nj = n * j;
        let dim = eq.state.len();
        let c = Constants::<B>::new(base, self.counterfactual_deficits(), device);
        let t = tensor::<B, 4>(eq.tariffs.as_slice().to_vec(), [1, n, n, j], device);
        let no_grad = |what: &str| ModelError::Adjoint(format!("no gradient for {what}"));

        // Jacobian of `trade`, compressed by sector.
        let rows_a = 3 * n;
        let x = tensor::<B, 2>(eq.state.clone(), [1, dim], device)
            .repeat_dim(0, rows_a)
            .require_grad();
        let (ln_p, output, revenue) = c.trade(x.clone(), t);
        let mut c1 = vec![0.0; rows_a * nj];
        let mut c2 = vec![0.0; rows_a * nj];
        let mut c3 = vec![0.0; rows_a * n];
        for r in 0..n {
            for s in 0..j {
                c1[r * nj + r * j + s] = 1.0;
                c2[(n + r) * nj + r * j + s] = 1.0;
            }
            c3[(2 * n + r) * n + r] = 1.0;
        }
        let loss = (ln_p * tensor::<B, 3>(c1, [rows_a, n, j], device)).sum()
            + (output * tensor::<B, 3>(c2, [rows_a, n, j], device)).sum()
            + (revenue * tensor::<B, 2>(c3, [rows_a, n], device)).sum();
        let grads = loss.backward();
        let ga = to_vec(x.grad(&grads).ok_or_else(|| no_grad("the state"))?);

        // Jacobian of `rest` at the equilibrium's prices, output, revenue and
        // wages, compressed by region: every output of `rest` except the
        // wage rows reads only its own region's inputs, so the rows
        // `ln c^_r^a` (all r), `ln X^_r^a` (all r) and the payoffs (all r)
        // share one VJP each; the N wage rows (normalised by world demand)
        // get one each. N + 2J + 1 rows instead of N + 2NJ + N.
        let ln_p0: Vec<f64> = eq.price.iter().map(|p| p.ln()).collect();
        let rows_b = n + 2 * j + 1;
        let leaf3 = |v: &[f64]| {
            tensor::<B, 3>(v.to_vec(), [1, n, j], device)
                .repeat_dim(0, rows_b)
                .require_grad()
        };
        let leaf2 = |v: &[f64]| {
            tensor::<B, 2>(v.to_vec(), [1, n], device)
                .repeat_dim(0, rows_b)
                .require_grad()
        };
        let (lp, y, r, lw) = (
            leaf3(&ln_p0),
            leaf3(&eq.output),
            leaf2(&eq.revenue),
            leaf2(&eq.state[..n]),
        );
        let (out, pay) = c.rest(lp.clone(), y.clone(), r.clone(), lw.clone(), kind);
        let mut cot_g = vec![0.0; rows_b * dim];
        let mut cot_w = vec![0.0; rows_b * n];
        for g in 0..n {
            cot_g[g * dim + g] = 1.0;
        }
        for a in 0..j {
            for m in 0..n {
                cot_g[(n + a) * dim + n + m * j + a] = 1.0;
                cot_g[(n + j + a) * dim + n + nj + m * j + a] = 1.0;
            }
        }
        for m in 0..n {
            cot_w[(n + 2 * j) * n + m] = 1.0;
        }
        let loss = (out * tensor::<B, 2>(cot_g, [rows_b, dim], device)).sum()
            + (pay * tensor::<B, 2>(cot_w, [rows_b, n], device)).sum();
        let grads = loss.backward();
        let b_p = to_vec(lp.grad(&grads).ok_or_else(|| no_grad("prices"))?);
        let b_y = to_vec(y.grad(&grads).ok_or_else(|| no_grad("output"))?);
        let b_r = to_vec(r.grad(&grads).ok_or_else(|| no_grad("revenue"))?);
        let b_w = to_vec(lw.grad(&grads).ok_or_else(|| no_grad("wages"))?);

        // Chain rule on the host: row = sum over `rest`'s inputs of
        // d(out)/d(input) times the `trade` Jacobian row of that input.
        // `regions` limits the inputs to those of one region.
        let accumulate = |row: &mut [f64], k: usize, regions: std::ops::Range<usize>| {
            for m in regions {
                row[m] += b_w[k * n + m];
                let w = b_r[k * n + m];
                if w != 0.0 {
                    let src = &ga[(2 * n + m) * dim..(2 * n + m + 1) * dim];
                    row.iter_mut().zip(src).for_each(|(a, b)| *a += w * b);
                }
                let gp = &ga[m * dim..(m + 1) * dim];
                let gy = &ga[(n + m) * dim..(n + m + 1) * dim];
                for s in 0..j {
                    let (wp, wy) = (b_p[k * nj + m * j + s], b_y[k * nj + m * j + s]);
                    if wp == 0.0 && wy == 0.0 {
                        continue;
                    }
                    for i in 0..n {
                        for col in [n + i * j + s, n + nj + i * j + s] {
                            row[col] += wp * gp[col] + wy * gy[col];
                        }
                    }
                }
            }
        };
        let mut jac = vec![0.0; dim * dim];
        let mut payoff_state = vec![vec![0.0; dim]; n];
        for g in 0..n {
            accumulate(&mut jac[g * dim..(g + 1) * dim], g, 0..n);
        }
        for a in 0..j {
            for m in 0..n {
                let o = n + m * j + a;
                accumulate(&mut jac[o * dim..(o + 1) * dim], n + a, m..m + 1);
                let o = n + nj + m * j + a;
                accumulate(&mut jac[o * dim..(o + 1) * dim], n + j + a, m..m + 1);
            }
        }
        for (m, row) in payoff_state.iter_mut().enumerate() {
            accumulate(row, n + 2 * j, m..m + 1);
        }
        Ok((jac, payoff_state))
    }

    /// `dG/dx` and `dW/dx` by one dense batched VJP of the whole step map
    /// (N + 2NJ + N rows): the reference for [`TradeModel::state_jacobian`].
    pub fn state_jacobian_dense<B: AutodiffBackend>(
        &self,
        eq: &Equilibrium,
        kind: Payoff,
        device: &B::Device,
    ) -> Result<(Vec<f64>, Vec<Vec<f64>>)> {
        let base = self.baseline();
        let (n, j) = (base.n, base.j);
        let dim = eq.state.len();
        let c = Constants::<B>::new(base, self.counterfactual_deficits(), device);
        let t = tensor::<B, 4>(eq.tariffs.as_slice().to_vec(), [1, n, n, j], device);
        let rows_total = dim + n;
        let chunk = (JACOBIAN_CHUNK_ELEMENTS / (n * n * j)).clamp(1, rows_total);
        let mut jac = vec![0.0; dim * dim];
        let mut payoff_state = vec![vec![0.0; dim]; n];
        let mut start = 0;
        while start < rows_total {
            let rows = chunk.min(rows_total - start);
            let x = tensor::<B, 2>(eq.state.clone(), [1, dim], device)
                .repeat_dim(0, rows)
                .require_grad();
            let mut cot_g = vec![0.0; rows * dim];
            let mut cot_w = vec![0.0; rows * n];
            for r in 0..rows {
                let g = start + r;
                if g < dim {
                    cot_g[r * dim + g] = 1.0;
                } else {
                    cot_w[r * n + (g - dim)] = 1.0;
                }
            }
            let (out, pay) = c.step(x.clone(), t.clone(), kind);
            let loss = (out * tensor::<B, 2>(cot_g, [rows, dim], device)).sum()
                + (pay * tensor::<B, 2>(cot_w, [rows, n], device)).sum();
            let grads = loss.backward();
            let g = x
                .grad(&grads)
                .ok_or_else(|| ModelError::Adjoint("no gradient for the state".into()))?;
            let g = to_vec(g);
            for r in 0..rows {
                let row = start + r;
                let src = &g[r * dim..(r + 1) * dim];
                if row < dim {
                    jac[row * dim..(row + 1) * dim].copy_from_slice(src);
                } else {
                    payoff_state[row - dim].copy_from_slice(src);
                }
            }
            start += rows;
        }
        Ok((jac, payoff_state))
    }

    /// Gradients of the payoffs of `players` with respect to all tariffs at `eq`.
    pub fn payoff_gradients<B: AutodiffBackend>(
        &self,
        eq: &Equilibrium,
        kind: Payoff,
        players: &[usize],
        device: &B::Device,
    ) -> Result<PayoffGradients> {
        let adj = self.adjoint::<B>(eq, kind, device)?;
        self.payoff_gradients_with::<B>(&adj, eq, kind, players, device)
    }

    /// Like [`TradeModel::payoff_gradients`] with an adjoint factorised at `eq`.
    pub fn payoff_gradients_with<B: AutodiffBackend>(
        &self,
        adjoint: &Adjoint,
        eq: &Equilibrium,
        kind: Payoff,
        players: &[usize],
        device: &B::Device,
    ) -> Result<PayoffGradients> {
        let base = self.baseline();
        let (n, j) = (base.n, base.j);
        let dim = eq.state.len();
        for &m in players {
            if m >= n {
                return Err(ModelError::Config {
                    field: "players".into(),
                    problem: format!("player index {m} out of range (there are {n} regions)"),
                });
            }
        }
        if players.is_empty() {
            return Ok(PayoffGradients {
                kind,
                players: vec![],
                payoffs: vec![],
                gradients: vec![],
                n,
                j,
            });
        }
        let p = players.len();
        let mut lambdas = Vec::with_capacity(p * dim);
        let mut onehot = vec![0.0; p * n];
        for (k, &m) in players.iter().enumerate() {
            lambdas.extend(adjoint.lu.solve_transpose(&adjoint.payoff_state[m]));
            onehot[k * n + m] = 1.0;
        }
        if lambdas.iter().any(|v| !v.is_finite()) {
            return Err(ModelError::Adjoint("adjoint solution is not finite".into()));
        }
        let c = Constants::<B>::new(base, self.counterfactual_deficits(), device);
        let x = tensor::<B, 2>(eq.state.clone(), [1, dim], device);
        let t = tensor::<B, 4>(eq.tariffs.as_slice().to_vec(), [1, n, n, j], device)
            .repeat_dim(0, p)
            .require_grad();
        let (out, pay) = c.step(x, t.clone(), kind);
        let pay_values = to_vec(pay.clone().inner());
        let loss = (out * tensor::<B, 2>(lambdas, [p, dim], device)).sum()
            + (pay * tensor::<B, 2>(onehot, [p, n], device)).sum();
        let grads = loss.backward();
        let g = t
            .grad(&grads)
            .ok_or_else(|| ModelError::Adjoint("no gradient for the tariffs".into()))?;
        let g = to_vec(g);
        let stride = n * n * j;
        Ok(PayoffGradients {
            kind,
            players: players.to_vec(),
            payoffs: players
                .iter()
                .enumerate()
                .map(|(k, &m)| pay_values[k * n + m])
                .collect(),
            gradients: (0..p)
                .map(|k| g[k * stride..(k + 1) * stride].to_vec())
                .collect(),
            n,
            j,
        })
    }
}

/// Counters of a [`GradientCache`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheStats {
    /// Full Jacobian evaluations and factorisations.
    pub factorisations: usize,
    /// Single vector-Jacobian products (one per refinement step).
    pub vjps: usize,
    /// Gradients returned.
    pub gradients: usize,
    /// Equilibria solved by cached chord-Newton steps.
    pub chord_solves: usize,
    /// Equilibria that fell back to the Anderson solver.
    pub fallback_solves: usize,
}

/// One player's gradient at a time, fast, for sequential best responses.
///
/// Keeps the LU factors of `I - dG/dx` from the last point where they were
/// computed and solves the adjoint system at a new, nearby equilibrium by
/// preconditioned iterative refinement: `lambda <- lambda + A_old^{-T} r`,
/// `r = dG/dx' lambda + dW/dx' - lambda`, where one burn vector-Jacobian
/// product (batch 1) gives `dG/dx' lambda + dW/dx'` and, in the same pass,
/// `dW/dt|_x + lambda' dG/dt`. It stops when `max|r| <= tol (1 + max|lambda|)`
/// and refactorises when refinement stalls, so every gradient it returns is
/// the implicit-function gradient to that tolerance.
pub struct GradientCache {
    adjoint: Option<(Adjoint, Payoff)>,
    lambdas: Vec<Option<Vec<f64>>>,
    previous: Vec<Option<Vec<f64>>>,
    /// Refinement tolerance on the adjoint residual (default 1e-11).
    pub tolerance: f64,
    /// Refinement steps before refactorising (default 6).
    pub max_refinements: usize,
    /// Work counters.
    pub stats: CacheStats,
}

impl Default for GradientCache {
    fn default() -> Self {
        Self::new()
    }
}

impl GradientCache {
    /// An empty cache (the first gradient factorises).
    pub fn new() -> Self {
        GradientCache {
            adjoint: None,
            lambdas: Vec::new(),
            previous: Vec::new(),
            tolerance: 1e-11,
            max_refinements: 6,
            stats: CacheStats::default(),
        }
    }

    /// Forgets the factorisation (e.g. after a large jump in tariffs).
    pub fn clear(&mut self) {
        self.adjoint = None;
        self.lambdas.clear();
        self.previous.clear();
    }

    /// Payoff of `player` and its gradient with respect to the player's own
    /// import tariffs `t[player][i][j]`, flat `[exporter * J + sector]`.
    pub fn own_gradient<B: AutodiffBackend>(
        &mut self,
        model: &TradeModel,
        eq: &Equilibrium,
        player: usize,
        kind: Payoff,
        device: &B::Device,
    ) -> Result<(f64, Vec<f64>)> {
        let (payoff, full) = self.gradient::<B>(model, eq, player, kind, device)?;
        let stride = model.n_regions() * model.n_sectors();
        Ok((
            payoff,
            full[player * stride..(player + 1) * stride].to_vec(),
        ))
    }

    /// Payoff of `player` and its gradient with respect to all tariffs, flat `[N, N, J]`.
    pub fn gradient<B: AutodiffBackend>(
        &mut self,
        model: &TradeModel,
        eq: &Equilibrium,
        player: usize,
        kind: Payoff,
        device: &B::Device,
    ) -> Result<(f64, Vec<f64>)> {
        let n = model.n_regions();
        if player >= n {
            return Err(ModelError::Config {
                field: "player".into(),
                problem: format!("player index {player} out of range (there are {n} regions)"),
            });
        }
        let dim = eq.state.len();
        let stale = match &self.adjoint {
            Some((adj, k)) => *k != kind || adj.lu.dim() != dim,
            None => true,
        };
        if stale {
            self.refactor::<B>(model, eq, kind, device)?;
        }
        if self.lambdas.len() != n {
            self.lambdas = vec![None; n];
            self.previous = vec![None; n];
        }
        for attempt in 0..2 {
            let (adj, _) = self
                .adjoint
                .as_ref()
                .ok_or_else(|| ModelError::Adjoint("no factorisation".into()))?;
            // Start from the last adjoint of this player, extrapolated
            // linearly along its path (consecutive steps move it smoothly).
            let last = self.lambdas[player].take();
            let before = self.previous[player].take();
            let mut lambda = match (&last, &before) {
                (Some(l), Some(p)) if l.len() == dim && p.len() == dim => {
                    l.iter().zip(p).map(|(a, b)| 2.0 * a - b).collect()
                }
                (Some(l), _) if l.len() == dim => l.clone(),
                _ => adj.lu.solve_transpose(&adj.payoff_state[player]),
            };
            // Preconditioned refinement f = A_old^{-T} r, accelerated by
            // Anderson mixing (equivalent to GMRES on this linear problem).
            let mut previous = f64::INFINITY;
            let mut hist_l: VecDeque<Vec<f64>> = VecDeque::new();
            let mut hist_f: VecDeque<Vec<f64>> = VecDeque::new();
            let mut last_step: Option<(Vec<f64>, Vec<f64>)> = None;
            for _ in 0..=self.max_refinements {
                let (gx, gt, payoff) = vjp::<B>(model, eq, &lambda, player, kind, device)?;
                self.stats.vjps += 1;
                let r: Vec<f64> = gx.iter().zip(&lambda).map(|(a, b)| a - b).collect();
                let rnorm = r.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
                let lnorm = lambda.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
                if rnorm <= self.tolerance * (1.0 + lnorm) {
                    self.previous[player] = last;
                    self.lambdas[player] = Some(lambda);
                    self.stats.gradients += 1;
                    return Ok((payoff, gt));
                }
                if !rnorm.is_finite() || rnorm > 0.5 * previous {
                    break; // stalled: refactorise
                }
                previous = rnorm;
                let f = adj.lu.solve_transpose(&r);
                if let Some((l0, f0)) = last_step.take() {
                    hist_l.push_back(lambda.iter().zip(&l0).map(|(a, b)| a - b).collect());
                    hist_f.push_back(f.iter().zip(&f0).map(|(a, b)| a - b).collect());
                }
                let mut next: Vec<f64> = lambda.iter().zip(&f).map(|(a, b)| a + b).collect();
                if !hist_f.is_empty() {
                    if let Some(coef) = anderson_coefficients(&hist_f, &f) {
                        for (h, c) in coef.iter().enumerate() {
                            for (k, v) in next.iter_mut().enumerate() {
                                *v -= c * (hist_l[h][k] + hist_f[h][k]);
                            }
                        }
                    }
                }
                last_step = Some((lambda, f));
                lambda = next;
            }
            if attempt == 0 {
                self.refactor::<B>(model, eq, kind, device)?;
            }
        }
        Err(ModelError::Adjoint(
            "iterative refinement of the adjoint did not converge even after refactorising".into(),
        ))
    }

    /// Solves the equilibrium at `tariffs` from `warm` by chord-Newton steps
    /// `x <- x + A_old^{-1} (G(x) - x)` with the cached factorisation of
    /// `A = I - dG/dx`; falls back to [`TradeModel::solve`] (Anderson) when
    /// there is no factorisation or the chord steps stall. Same tolerance and
    /// residual definition as [`TradeModel::solve`].
    pub fn solve(
        &mut self,
        model: &TradeModel,
        tariffs: &Tariffs,
        warm: &Equilibrium,
    ) -> Result<Equilibrium> {
        if let Some((adj, _)) = &self.adjoint {
            if adj.lu.dim() == warm.state.len() {
                if let Some(eq) =
                    crate::equilibrium::solve_chord(model, tariffs, &warm.state, &adj.lu)?
                {
                    self.stats.chord_solves += 1;
                    return Ok(eq);
                }
            }
        }
        self.stats.fallback_solves += 1;
        model.solve(tariffs, Some(warm))
    }

    fn refactor<B: AutodiffBackend>(
        &mut self,
        model: &TradeModel,
        eq: &Equilibrium,
        kind: Payoff,
        device: &B::Device,
    ) -> Result<()> {
        let adj = model.adjoint::<B>(eq, kind, device)?;
        self.stats.factorisations += 1;
        self.adjoint = Some((adj, kind));
        self.lambdas = vec![None; model.n_regions()];
        self.previous = vec![None; model.n_regions()];
        Ok(())
    }
}

/// One vector-Jacobian product at `eq` with cotangent `(lambda, e_player)` on
/// `(G, W)`: returns `(dG/dx' lambda + dW_m/dx', dW_m/dt|_x + lambda' dG/dt, W_m)`.
fn vjp<B: AutodiffBackend>(
    model: &TradeModel,
    eq: &Equilibrium,
    lambda: &[f64],
    player: usize,
    kind: Payoff,
    device: &B::Device,
) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let base = model.baseline();
    let (n, j) = (base.n, base.j);
    let dim = eq.state.len();
    let c = Constants::<B>::new(base, model.counterfactual_deficits(), device);
    let x = tensor::<B, 2>(eq.state.clone(), [1, dim], device).require_grad();
    let t = tensor::<B, 4>(eq.tariffs.as_slice().to_vec(), [1, n, n, j], device).require_grad();
    let (out, pay) = c.step(x.clone(), t.clone(), kind);
    let mut onehot = vec![0.0; n];
    onehot[player] = 1.0;
    let pay_m = (pay * tensor::<B, 2>(onehot, [1, n], device)).sum();
    let payoff = to_vec(pay_m.clone().inner())
        .first()
        .copied()
        .unwrap_or(f64::NAN);
    let loss = (out * tensor::<B, 2>(lambda.to_vec(), [1, dim], device)).sum() + pay_m;
    let grads = loss.backward();
    let gx = x
        .grad(&grads)
        .ok_or_else(|| ModelError::Adjoint("no gradient for the state".into()))?;
    let gt = t
        .grad(&grads)
        .ok_or_else(|| ModelError::Adjoint("no gradient for the tariffs".into()))?;
    Ok((to_vec(gx), to_vec(gt), payoff))
}
