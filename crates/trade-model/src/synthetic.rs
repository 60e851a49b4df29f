//! Random but internally consistent calibrations, for tests and benchmarks.
//!
//! Draws trade shares pi_ni^j (with home bias), tariffs, beta, gamma, alpha,
//! theta, psi and deficit fractions, then finds the baseline levels that make
//! them an equilibrium: value added VA and expenditure X solve
//! `X_n^j = sum_k gamma_n^{jk} (1-beta_n^k) Y_n^k + alpha_n^j (VA_n + R_n + D_n)`,
//! `Y_i^k = sum_n pi_ni^k X_n^k / (1 + t_ni^k)`, `VA_i = sum_k beta_i^k Y_i^k`,
//! by normalised fixed-point iteration (a positive linear map: power
//! iteration). Flows are then Z = pi X / (1 + t), and deficits and final
//! shares are recomputed from the flows so the accounting identity holds to
//! rounding.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::calibration::Calibration;

/// What kind of random economy to draw.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SyntheticSpec {
    /// Number of regions.
    pub regions: usize,
    /// Number of sectors.
    pub sectors: usize,
    /// Input-output links (beta < 1) or trade only (beta = 1).
    pub input_output: bool,
    /// Draw positive scale elasticities psi (psi*theta < 0.5) or set psi = 0.
    pub scale_economies: bool,
    /// Largest deficit as a fraction of value added (0 for balanced trade).
    pub max_deficit: f64,
    /// Largest baseline tariff.
    pub max_tariff: f64,
}

impl SyntheticSpec {
    /// A full-featured spec: IO links, scale economies, deficits up to 5%, tariffs up to 20%.
    pub fn full(regions: usize, sectors: usize) -> Self {
        SyntheticSpec {
            regions,
            sectors,
            input_output: true,
            scale_economies: true,
            max_deficit: 0.05,
            max_tariff: 0.2,
        }
    }
}

/// Draws a random consistent calibration; the same seed gives the same economy.
pub fn random_calibration(spec: &SyntheticSpec, seed: u64) -> Calibration {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (nr, ns) = (spec.regions, spec.sectors);
    let theta: Vec<f64> = (0..ns).map(|_| rng.random_range(2.0..9.0)).collect();
    let psi: Vec<f64> = theta
        .iter()
        .map(|&th| {
            if spec.scale_economies {
                rng.random_range(0.05..0.45) / th
            } else {
                0.0
            }
        })
        .collect();
    let mut pi = vec![vec![vec![0.0; ns]; nr]; nr];
    let mut tariffs = vec![vec![vec![0.0; ns]; nr]; nr];
    for n in 0..nr {
        for j in 0..ns {
            let mut tot = 0.0;
            for i in 0..nr {
                let w = if i == n {
                    rng.random_range(2.0..6.0) * nr as f64 / 2.0
                } else {
                    rng.random_range(0.05..1.0)
                };
                pi[n][i][j] = w;
                tot += w;
                if i != n {
                    tariffs[n][i][j] = rng.random_range(0.0..=spec.max_tariff);
                }
            }
            for row in pi[n].iter_mut() {
                row[j] /= tot;
            }
        }
    }
    let beta: Vec<Vec<f64>> = (0..nr)
        .map(|_| {
            (0..ns)
                .map(|_| {
                    if spec.input_output {
                        rng.random_range(0.3..0.7)
                    } else {
                        1.0
                    }
                })
                .collect()
        })
        .collect();
    let mut gamma = vec![vec![vec![0.0; ns]; ns]; nr];
    for g in gamma.iter_mut() {
        for j in 0..ns {
            let w: Vec<f64> = (0..ns)
                .map(|s| rng.random_range(0.1..1.0) * if s == j { 3.0 } else { 1.0 })
                .collect();
            let tot: f64 = w.iter().sum();
            for s in 0..ns {
                g[s][j] = w[s] / tot;
            }
        }
    }
    let alpha: Vec<Vec<f64>> = (0..nr)
        .map(|_| {
            let w: Vec<f64> = (0..ns).map(|_| rng.random_range(0.2..1.0)).collect();
            let tot: f64 = w.iter().sum();
            w.into_iter().map(|x| x / tot).collect()
        })
        .collect();
    let mut dfrac: Vec<f64> = (0..nr)
        .map(|_| rng.random_range(-1.0..1.0) * spec.max_deficit)
        .collect();
    let mean = dfrac.iter().sum::<f64>() / nr as f64;
    dfrac.iter_mut().for_each(|d| *d -= mean);

    // Fixed point for levels.
    let mut va = vec![1.0; nr];
    let mut x = vec![vec![1.0; ns]; nr];
    for _ in 0..20_000 {
        let scale: f64 = va.iter().sum::<f64>() / nr as f64;
        let mut y = vec![vec![0.0; ns]; nr];
        let mut rev = vec![0.0; nr];
        for n in 0..nr {
            for i in 0..nr {
                for j in 0..ns {
                    let t = tariffs[n][i][j];
                    y[i][j] += pi[n][i][j] * x[n][j] / (1.0 + t);
                    rev[n] += t / (1.0 + t) * pi[n][i][j] * x[n][j];
                }
            }
        }
        let mut new_x = vec![vec![0.0; ns]; nr];
        let mut change: f64 = 0.0;
        for n in 0..nr {
            let income = va[n] + rev[n] + dfrac[n] * scale;
            for j in 0..ns {
                let inter: f64 = (0..ns)
                    .map(|k| gamma[n][j][k] * (1.0 - beta[n][k]) * y[n][k])
                    .sum();
                new_x[n][j] = inter + alpha[n][j] * income;
            }
        }
        let new_va: Vec<f64> = (0..nr)
            .map(|i| (0..ns).map(|j| beta[i][j] * y[i][j]).sum())
            .collect();
        let norm = nr as f64 / new_va.iter().sum::<f64>();
        for n in 0..nr {
            let v = new_va[n] * norm;
            change = change.max((v / va[n]).ln().abs());
            va[n] = v;
            for j in 0..ns {
                let v = new_x[n][j] * norm;
                change = change.max((v / x[n][j]).ln().abs());
                x[n][j] = v;
            }
        }
        if change < 1e-15 {
            break;
        }
    }
    let mut flows = vec![vec![vec![0.0; ns]; nr]; nr];
    for n in 0..nr {
        for i in 0..nr {
            for j in 0..ns {
                flows[n][i][j] = 1000.0 * pi[n][i][j] * x[n][j] / (1.0 + tariffs[n][i][j]);
            }
        }
    }
    let mut cal = Calibration {
        description: format!("synthetic {nr}x{ns} economy, seed {seed}"),
        regions: (0..nr).map(|n| format!("R{n}")).collect(),
        sectors: (0..ns).map(|j| format!("S{j}")).collect(),
        flows,
        tariffs,
        va_shares: beta,
        io_shares: gamma,
        final_shares: alpha,
        deficits: vec![0.0; nr],
        theta,
        psi,
    };
    make_consistent(&mut cal);
    cal
}

/// Recomputes deficits from the flows (imports - exports) and final-demand
/// shares from the accounting identity. Used after drawing or editing flows.
fn make_consistent(cal: &mut Calibration) {
    let (nr, ns) = (cal.n_regions(), cal.n_sectors());
    for n in 0..nr {
        let imports: f64 = (0..nr).flat_map(|i| cal.flows[n][i].iter()).sum();
        let exports: f64 = (0..nr).flat_map(|m| cal.flows[m][n].iter()).sum();
        cal.deficits[n] = imports - exports;
    }
    let mean = cal.deficits.iter().sum::<f64>() / nr as f64;
    cal.deficits.iter_mut().for_each(|d| *d -= mean);
    let y = cal.gross_output();
    let x = cal.expenditure();
    let r = cal.tariff_revenue();
    let va = cal.value_added();
    for n in 0..nr {
        let income = va[n] + r[n] + cal.deficits[n];
        let mut alpha: Vec<f64> = (0..ns)
            .map(|j| {
                let inter: f64 = (0..ns)
                    .map(|k| cal.io_shares[n][j][k] * (1.0 - cal.va_shares[n][k]) * y[n][k])
                    .sum();
                (x[n][j] - inter) / income
            })
            .collect();
        let tot: f64 = alpha.iter().sum();
        alpha.iter_mut().for_each(|a| *a /= tot);
        cal.final_shares[n] = alpha;
    }
}
