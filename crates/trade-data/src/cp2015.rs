//! The Caliendo and Parro (2015) NAFTA data (tidy tables of the R package
//! `cp2015`, 31 regions x 40 sectors, 1993) as a [`Calibration`], with the
//! baseline (`tariff_bln`) and NAFTA counterfactual (`tariff_cfl`) tariffs.
//!
//! Mapping onto the calibration (psi = 0, CP's thetas):
//! - trade shares `pi_ni^j = (1 + t_ni^j) Z_ni^j / X_n^j` from `trade.csv`
//!   (values at producer prices, `tariff_bln` applied);
//! - `gamma_n^{sj}` = intermediate consumption of s by j (tariff-inclusive, as
//!   the model's input spending is) over its column total; `beta_n^j` = value
//!   added over (value added + intermediate consumption) = CP's `B`;
//! - `alpha_n^j` = final consumption shares (CP's alphas, negative residuals
//!   already clipped to zero and renormalised by CP);
//! - CP's raw tables do not satisfy the accounting identity (the clipped
//!   alphas), so expenditure is recomputed as CP's equilibrium code does:
//!   holding pi, tariffs, alpha, beta, gamma and each region's value added
//!   `w_n L_n` at the data, solve the linear system
//!   `X_n^j = sum_k gamma_n^{jk} (1-beta_n^k) Y_n^k + alpha_n^j F_n`,
//!   `Y_i^k = sum_n pi_ni^k X_n^k / (1 + t_ni^k)`, `sum_k beta_n^k Y_n^k = w_n L_n`
//!   for X and final spending F; flows are then `Z = pi X / (1 + t)` and the
//!   deficits `D_n = F_n - w_n L_n - R_n` (reported against CP's).
//!   With psi = 0 the purged equilibrium depends only on pi, t, alpha, beta,
//!   gamma, theta and `w_n L_n`, all of which equal CP's inputs, so purging
//!   deficits reproduces CP's purged baseline.

use std::collections::BTreeMap;
use std::path::Path;

use trade_model::Calibration;

use crate::build::deficits;
use crate::csv::Table;
use crate::error::{DataError, Result};
use crate::Cube;

/// The CP (2015) calibration with its tariff scenarios and build report.
#[derive(Debug, Clone)]
pub struct Cp2015 {
    /// 31 x 40 calibration at baseline tariffs, identity enforced.
    pub calibration: Calibration,
    /// `tariff_bln`, importer x exporter x sector.
    pub baseline_tariffs: Vec<Vec<Vec<f64>>>,
    /// `tariff_cfl` (NAFTA 2005 tariffs among Canada, Mexico, USA).
    pub counterfactual_tariffs: Vec<Vec<Vec<f64>>>,
    /// What was recomputed and by how much.
    pub report: Vec<String>,
}

/// Iterations allowed for the expenditure solve (it contracts at rate max(1 - beta)).
const MAX_ITERATIONS: usize = 100_000;
/// Relative convergence tolerance of the expenditure solve.
const SOLVE_TOLERANCE: f64 = 1e-14;

fn index_of(names: &[String]) -> BTreeMap<String, usize> {
    names
        .iter()
        .enumerate()
        .map(|(k, n)| (n.clone(), k))
        .collect()
}

fn look(
    map: &BTreeMap<String, usize>,
    t: &Table,
    k: usize,
    col: usize,
    what: &str,
) -> Result<usize> {
    let code = &t.rows[k][col];
    map.get(code).copied().ok_or_else(|| DataError::Source {
        path: t.name(),
        code: code.clone(),
        problem: format!("line {}: unknown {what}", t.line(k)),
    })
}

fn names(dir: &Path, file: &str) -> Result<Vec<String>> {
    let t = Table::read(dir.join(file))?;
    let c = t.column("name")?;
    Ok(t.rows.iter().map(|r| r[c].clone()).collect())
}

/// Builds the CP calibration from the `cp2015` directory; returns the
/// calibration, the baseline and the counterfactual tariffs.
pub fn cp2015_calibration(dir: impl AsRef<Path>) -> Result<(Calibration, Cube, Cube)> {
    let cp = build_cp2015(dir)?;
    Ok((
        cp.calibration,
        cp.baseline_tariffs,
        cp.counterfactual_tariffs,
    ))
}

/// Builds the CP calibration with its report (see the module docs).
pub fn build_cp2015(dir: impl AsRef<Path>) -> Result<Cp2015> {
    let dir = dir.as_ref();
    let regions = names(dir, "regions.csv")?;
    let sectors = names(dir, "sectors.csv")?;
    let (nr, ns) = (regions.len(), sectors.len());
    let ri = index_of(&regions);
    let si = index_of(&sectors);

    let th = Table::read(dir.join("theta.csv"))?;
    let (cs, cv) = (th.column("sector")?, th.column("value")?);
    let mut theta = vec![f64::NAN; ns];
    for k in 0..th.rows.len() {
        theta[look(&si, &th, k, cs, "sector")?] = th.number(k, cv)?;
    }
    if let Some(j) = theta.iter().position(|v| v.is_nan()) {
        return Err(DataError::Source {
            path: th.name(),
            code: sectors[j].clone(),
            problem: "sector has no theta".into(),
        });
    }

    let tr = Table::read(dir.join("trade.csv"))?;
    let (c_s, c_e, c_i, c_v, c_t, c_b, c_c) = (
        tr.column("sector")?,
        tr.column("exporter")?,
        tr.column("importer")?,
        tr.column("value")?,
        tr.column("tariff")?,
        tr.column("tariff_bln")?,
        tr.column("tariff_cfl")?,
    );
    let mut z = vec![vec![vec![0.0; ns]; nr]; nr];
    let mut t = z.clone();
    let mut tcf = z.clone();
    let mut tariff_differs = 0;
    for k in 0..tr.rows.len() {
        let j = look(&si, &tr, k, c_s, "sector")?;
        let i = look(&ri, &tr, k, c_e, "exporter")?;
        let n = look(&ri, &tr, k, c_i, "importer")?;
        let (v, t0, tb, tc) = (
            tr.number(k, c_v)?,
            tr.number(k, c_t)?,
            tr.number(k, c_b)?,
            tr.number(k, c_c)?,
        );
        if v < 0.0 || tb < 0.0 || tc < 0.0 {
            return Err(tr.error(k, "negative value or tariff"));
        }
        if t0 != tb {
            tariff_differs += 1;
        }
        z[n][i][j] = v;
        if n != i {
            t[n][i][j] = tb;
            tcf[n][i][j] = tc;
        }
    }

    let ic_t = Table::read(dir.join("intermediate_consumption.csv"))?;
    let (a_in, a_s, a_r, a_v) = (
        ic_t.column("input")?,
        ic_t.column("sector")?,
        ic_t.column("region")?,
        ic_t.column("value")?,
    );
    let mut ic = vec![vec![vec![0.0; ns]; ns]; nr];
    for k in 0..ic_t.rows.len() {
        let s = look(&si, &ic_t, k, a_in, "input sector")?;
        let j = look(&si, &ic_t, k, a_s, "sector")?;
        let n = look(&ri, &ic_t, k, a_r, "region")?;
        ic[n][s][j] += ic_t.number(k, a_v)?;
    }
    let mut va = vec![vec![0.0; ns]; nr];
    let va_t = Table::read(dir.join("value_added.csv"))?;
    let (b_s, b_r, b_v) = (
        va_t.column("sector")?,
        va_t.column("region")?,
        va_t.column("value")?,
    );
    for k in 0..va_t.rows.len() {
        let j = look(&si, &va_t, k, b_s, "sector")?;
        let n = look(&ri, &va_t, k, b_r, "region")?;
        va[n][j] += va_t.number(k, b_v)?;
    }
    let mut fc = vec![vec![0.0; ns]; nr];
    let fc_t = Table::read(dir.join("final_consumption.csv"))?;
    let (f_s, f_r, f_v) = (
        fc_t.column("sector")?,
        fc_t.column("region")?,
        fc_t.column("value")?,
    );
    for k in 0..fc_t.rows.len() {
        let j = look(&si, &fc_t, k, f_s, "sector")?;
        let n = look(&ri, &fc_t, k, f_r, "region")?;
        fc[n][j] += fc_t.number(k, f_v)?;
    }
    let d_t = Table::read(dir.join("deficit.csv"))?;
    let (d_r, d_v) = (d_t.column("region")?, d_t.column("D")?);
    let mut d_data = vec![0.0; nr];
    for k in 0..d_t.rows.len() {
        d_data[look(&ri, &d_t, k, d_r, "region")?] = d_t.number(k, d_v)?;
    }

    // Shares.
    let mut report = Vec::new();
    if tariff_differs > 0 {
        report.push(format!(
            "{tariff_differs} trade rows have tariff != tariff_bln; tariff_bln used"
        ));
    }
    let x_data: Vec<Vec<f64>> = (0..nr)
        .map(|n| {
            (0..ns)
                .map(|j| (0..nr).map(|i| (1.0 + t[n][i][j]) * z[n][i][j]).sum())
                .collect()
        })
        .collect();
    let mut pi = vec![vec![vec![0.0; ns]; nr]; nr];
    for n in 0..nr {
        for j in 0..ns {
            if x_data[n][j] <= 0.0 {
                return Err(DataError::Inconsistent {
                    at: format!("{} {}", regions[n], sectors[j]),
                    problem: "no expenditure in trade.csv".into(),
                });
            }
            for i in 0..nr {
                pi[n][i][j] = (1.0 + t[n][i][j]) * z[n][i][j] / x_data[n][j];
            }
        }
    }
    let mut beta = vec![vec![1.0; ns]; nr];
    let mut gamma = vec![vec![vec![0.0; ns]; ns]; nr];
    let (mut neg_count, mut neg_sum, mut ic_sum) = (0usize, 0.0, 0.0);
    for n in 0..nr {
        for j in 0..ns {
            let tot: f64 = (0..ns).map(|s| ic[n][s][j]).sum();
            if va[n][j] + tot > 0.0 {
                beta[n][j] = va[n][j] / (va[n][j] + tot);
            }
            ic_sum += tot;
            // CP's IO coefficients have a few small negatives: beta keeps CP's
            // value, the input mix drops them and renormalises.
            for s in 0..ns {
                if ic[n][s][j] < 0.0 {
                    neg_count += 1;
                    neg_sum += ic[n][s][j];
                    ic[n][s][j] = 0.0;
                }
            }
            let tot: f64 = (0..ns).map(|s| ic[n][s][j]).sum();
            if beta[n][j] <= 0.0 {
                return Err(DataError::Inconsistent {
                    at: format!("{} {}", regions[n], sectors[j]),
                    problem: "no value added".into(),
                });
            }
            for s in 0..ns {
                gamma[n][s][j] = if tot > 0.0 {
                    ic[n][s][j] / tot
                } else if s == j {
                    1.0
                } else {
                    0.0
                };
            }
        }
    }
    if neg_count > 0 {
        report.push(format!(
            "{neg_count} negative intermediate-consumption entries (sum {neg_sum:.4e}, {:.2e} of all intermediate consumption) dropped from the input shares gamma; beta keeps CP's value",
            -neg_sum / ic_sum
        ));
    }
    let alpha: Vec<Vec<f64>> = fc
        .iter()
        .map(|row| {
            let tot: f64 = row.iter().sum();
            row.iter().map(|v| v / tot).collect()
        })
        .collect();
    let wl: Vec<f64> = va.iter().map(|row| row.iter().sum()).collect();

    // Expenditure solve: X = L(F), then F from value added.
    let sys = System {
        nr,
        ns,
        pi: &pi,
        t: &t,
        beta: &beta,
        gamma: &gamma,
        alpha: &alpha,
    };
    let mut m = vec![vec![0.0; nr]; nr];
    let mut iters = 0;
    for mcol in 0..nr {
        let mut f = vec![0.0; nr];
        f[mcol] = 1.0;
        let (x, it) = sys.solve_x(&f)?;
        iters = iters.max(it);
        let v = sys.value_added(&x);
        for n in 0..nr {
            m[n][mcol] = v[n];
        }
    }
    let flat: Vec<f64> = m.into_iter().flatten().collect();
    let f = trade_model::linalg::Lu::factor(nr, flat)
        .map(|lu| lu.solve(&wl))
        .ok_or_else(|| DataError::Inconsistent {
            at: "cp2015".into(),
            problem: "value-added system is singular".into(),
        })?;
    let (x, _) = sys.solve_x(&f)?;
    let mut flows = vec![vec![vec![0.0; ns]; nr]; nr];
    for n in 0..nr {
        for i in 0..nr {
            for j in 0..ns {
                flows[n][i][j] = pi[n][i][j] * x[n][j] / (1.0 + t[n][i][j]);
            }
        }
    }
    let deficits = deficits(&flows);
    let mut max_dx: f64 = 0.0;
    let (mut x_tot, mut xd_tot) = (0.0, 0.0);
    for n in 0..nr {
        for j in 0..ns {
            max_dx = max_dx.max((x[n][j] - x_data[n][j]).abs() / x_data[n].iter().sum::<f64>());
            x_tot += x[n][j];
            xd_tot += x_data[n][j];
        }
    }
    let wsum: f64 = wl.iter().sum();
    let max_dd = (0..nr)
        .map(|n| (deficits[n] - d_data[n]).abs() / wl[n])
        .fold(0.0, f64::max);
    report.push(format!(
        "expenditure recomputed with value added, trade shares, tariffs, alpha, beta, gamma held at CP's data ({iters} iterations per column): world expenditure {:+.3}%, largest cell change {:.3}% of its region's total",
        100.0 * (x_tot / xd_tot - 1.0),
        100.0 * max_dx
    ));
    report.push(format!(
        "implied deficits vs CP's: largest gap {:.3}% of the region's value added (world value added {wsum:.4e})",
        100.0 * max_dd
    ));
    let zero_alpha = alpha.iter().flatten().filter(|&&a| a == 0.0).count();
    report.push(format!(
        "{zero_alpha} final-demand shares are zero (CP clipped negative residuals)"
    ));

    let calibration = Calibration {
        description: format!(
            "Caliendo and Parro (2015) NAFTA data, 1993, 31 regions x 40 sectors (R package cp2015), psi = 0. {}",
            report.join("; ")
        ),
        regions,
        sectors,
        flows,
        tariffs: t.clone(),
        va_shares: beta,
        io_shares: gamma,
        final_shares: alpha,
        deficits,
        theta,
        psi: vec![0.0; ns],
    };
    calibration.validate()?;
    Ok(Cp2015 {
        calibration,
        baseline_tariffs: t,
        counterfactual_tariffs: tcf,
        report,
    })
}

/// The linear expenditure system at fixed shares.
struct System<'a> {
    nr: usize,
    ns: usize,
    pi: &'a [Vec<Vec<f64>>],
    t: &'a [Vec<Vec<f64>>],
    beta: &'a [Vec<f64>],
    gamma: &'a [Vec<Vec<f64>>],
    alpha: &'a [Vec<f64>],
}

impl System<'_> {
    /// Y_i^k = sum_n pi_ni^k X_n^k / (1 + t_ni^k).
    fn output(&self, x: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let mut y = vec![vec![0.0; self.ns]; self.nr];
        for n in 0..self.nr {
            for (i, yi) in y.iter_mut().enumerate() {
                for (k, yik) in yi.iter_mut().enumerate() {
                    *yik += self.pi[n][i][k] * x[n][k] / (1.0 + self.t[n][i][k]);
                }
            }
        }
        y
    }

    fn value_added(&self, x: &[Vec<f64>]) -> Vec<f64> {
        let y = self.output(x);
        (0..self.nr)
            .map(|n| (0..self.ns).map(|k| self.beta[n][k] * y[n][k]).sum())
            .collect()
    }

    /// Solves X = sum_k gamma (1 - beta) Y(X) + alpha F by fixed-point iteration.
    fn solve_x(&self, f: &[f64]) -> Result<(Vec<Vec<f64>>, usize)> {
        let base: Vec<Vec<f64>> = (0..self.nr)
            .map(|n| self.alpha[n].iter().map(|a| a * f[n]).collect())
            .collect();
        let mut x = base.clone();
        for it in 1..=MAX_ITERATIONS {
            let y = self.output(&x);
            let mut change: f64 = 0.0;
            let mut scale: f64 = 0.0;
            for n in 0..self.nr {
                for j in 0..self.ns {
                    let mut v = base[n][j];
                    for k in 0..self.ns {
                        v += self.gamma[n][j][k] * (1.0 - self.beta[n][k]) * y[n][k];
                    }
                    change = change.max((v - x[n][j]).abs());
                    scale = scale.max(v.abs());
                    x[n][j] = v;
                }
            }
            if change <= SOLVE_TOLERANCE * scale {
                return Ok((x, it));
            }
        }
        Err(DataError::Inconsistent {
            at: "cp2015".into(),
            problem: format!("expenditure system did not converge in {MAX_ITERATIONS} iterations"),
        })
    }
}
