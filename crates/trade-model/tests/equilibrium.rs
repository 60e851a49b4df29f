//! Solver invariants (model.md): zero change reproduces the baseline, market
//! clearing and trade balance hold, the real-wage identity holds, the
//! one-sector optimal tariff formula holds, and failures are reported.
#![allow(clippy::needless_range_loop)]

use trade_model::gradient::GradientCache;
use trade_model::linalg::Lu;
use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::{
    Calibration, CpuAutodiff, DeficitTreatment, Equilibrium, ModelError, Payoff, SolverConfig,
    Tariffs, TradeModel,
};

/// Solver tolerance (max log residual) used in these tests.
const TOL: f64 = 1e-12;
/// Level identities (market clearing, trade balance, expenditure) hold to this
/// relative error: a 1e-12 log residual moves levels by about 1e-12 relative,
/// summed over at most a few hundred terms.
const LEVEL_TOL: f64 = 1e-9;

fn models(seed: u64, n: usize, j: usize) -> Vec<TradeModel> {
    let cal = random_calibration(&SyntheticSpec::full(n, j), seed);
    [DeficitTreatment::Purged, DeficitTreatment::Fixed]
        .iter()
        .map(|&d| {
            TradeModel::new(
                &cal,
                d,
                SolverConfig {
                    tolerance: TOL,
                    ..SolverConfig::default()
                },
            )
            .unwrap()
        })
        .collect()
}

fn shocked(model: &TradeModel, seed: u64) -> Tariffs {
    let mut t = model.baseline_tariffs();
    let (n, j) = (model.n_regions(), model.n_sectors());
    for a in 0..n {
        for b in 0..n {
            for s in 0..j {
                if a != b {
                    let k = (a * 31 + b * 17 + s * 7 + seed as usize) % 11;
                    t.set(a, b, s, t.get(a, b, s) * 0.5 + 0.04 * k as f64);
                }
            }
        }
    }
    t
}

#[test]
fn baseline_tariffs_reproduce_the_baseline() {
    for seed in 0..3 {
        for model in models(seed, 5, 4) {
            let eq = model.solve(&model.baseline_tariffs(), None).unwrap();
            for v in eq
                .wage
                .iter()
                .chain(&eq.cost)
                .chain(&eq.price)
                .chain(&eq.labour)
            {
                assert!((v - 1.0).abs() < 1e-12, "hat {v} != 1");
            }
            let b = model.baseline();
            for (x1, x0) in eq.expenditure.iter().zip(&b.expenditure) {
                assert!((x1 / x0 - 1.0).abs() < 1e-12);
            }
            for (p1, p0) in eq.trade_shares.iter().zip(&b.trade_shares) {
                assert!((p1 - p0).abs() < 1e-12);
            }
            let out = model.outcomes(&eq);
            for v in out
                .welfare
                .iter()
                .chain(&out.real_gdp)
                .chain(&out.real_gdp_incl_revenue)
                .chain(&out.total_exports)
            {
                assert!(v.abs() < 1e-10, "outcome {v} should be 0");
            }
        }
    }
}

fn check_levels(model: &TradeModel, eq: &Equilibrium) {
    let b = model.baseline();
    let (n, j) = (b.n, b.j);
    let t = eq.tariffs.as_slice();
    let world: f64 = b.value_added.iter().sum();
    // Numeraire.
    let va_new: f64 = (0..n).map(|i| eq.wage[i] * b.value_added[i]).sum();
    assert!((va_new / world - 1.0).abs() < LEVEL_TOL);
    for i in 0..n {
        // Labour-market clearing: sum_j beta Y' = w^ w L.
        let demand: f64 = (0..j)
            .map(|s| b.beta[i * j + s] * eq.output[i * j + s])
            .sum();
        let supply = eq.wage[i] * b.value_added[i];
        assert!(
            (demand / supply - 1.0).abs() < LEVEL_TOL,
            "labour market {i}: {demand} vs {supply}"
        );
        // Trade balance: imports - exports at producer prices = D'.
        let mut imports = 0.0;
        let mut exports = 0.0;
        for m in 0..n {
            for s in 0..j {
                let k_in = (i * n + m) * j + s;
                let k_out = (m * n + i) * j + s;
                imports += eq.trade_shares[k_in] * eq.expenditure[i * j + s] / (1.0 + t[k_in]);
                exports += eq.trade_shares[k_out] * eq.expenditure[m * j + s] / (1.0 + t[k_out]);
            }
        }
        assert!(
            ((imports - exports) - eq.deficits[i]).abs() < LEVEL_TOL * world,
            "trade balance {i}"
        );
        // Goods markets: Y' = sum_n pi' X' / (1 + t').
        for s in 0..j {
            let sales: f64 = (0..n)
                .map(|m| {
                    let k = (m * n + i) * j + s;
                    eq.trade_shares[k] * eq.expenditure[m * j + s] / (1.0 + t[k])
                })
                .sum();
            assert!((sales - eq.output[i * j + s]).abs() < LEVEL_TOL * world);
        }
        // Expenditure: X' = sum_k gamma (1-beta) Y' + alpha I'.
        for s in 0..j {
            let inter: f64 = (0..j)
                .map(|k| {
                    b.gamma[(i * j + s) * j + k] * (1.0 - b.beta[i * j + k]) * eq.output[i * j + k]
                })
                .sum();
            let rhs = inter + b.alpha[i * j + s] * eq.income[i];
            assert!((rhs / eq.expenditure[i * j + s] - 1.0).abs() < LEVEL_TOL);
        }
        // Shares sum to one.
        for s in 0..j {
            let tot: f64 = (0..n).map(|m| eq.trade_shares[(i * n + m) * j + s]).sum();
            assert!((tot - 1.0).abs() < 1e-13);
        }
    }
}

#[test]
fn market_clearing_and_trade_balance_hold() {
    for seed in 0..4 {
        for model in models(seed, 6, 5) {
            let t = shocked(&model, seed);
            let eq = model.solve(&t, None).unwrap();
            assert!(eq.residual <= TOL);
            check_levels(&model, &eq);
        }
    }
}

#[test]
fn purged_baseline_has_balanced_trade() {
    let model = &models(3, 5, 3)[0];
    let purge = model
        .purge()
        .expect("purged model keeps its purge equilibrium");
    assert!(purge.residual <= TOL);
    assert!(model.baseline().deficits.iter().all(|&d| d == 0.0));
    let eq = model.solve(&model.baseline_tariffs(), None).unwrap();
    check_levels(model, &eq);
}

#[test]
fn real_wage_identity_holds() {
    for seed in 0..4 {
        for model in models(seed, 5, 4) {
            let b = model.baseline();
            let (n, j) = (b.n, b.j);
            let eq = model.solve(&shocked(&model, seed), None).unwrap();
            let cpi = eq.consumer_price(b);
            for c in 0..n {
                // B[j][s] = (1 - beta_c^j) gamma_c^{sj}; solve (I - B)' y = alpha.
                let mut a = vec![0.0; j * j];
                for r in 0..j {
                    for s in 0..j {
                        a[r * j + s] = if r == s { 1.0 } else { 0.0 }
                            - (1.0 - b.beta[c * j + r]) * b.gamma[(c * j + s) * j + r];
                    }
                }
                let lu = Lu::factor(j, a).unwrap();
                let y = lu.solve_transpose(&b.alpha[c * j..(c + 1) * j]);
                let rhs: f64 = -(0..j)
                    .map(|s| {
                        let k = (c * n + c) * j + s;
                        let d = (eq.trade_shares[k] / b.trade_shares[k]).ln() / b.theta[s]
                            - b.psi[s] * eq.labour[c * j + s].ln();
                        y[s] * d
                    })
                    .sum::<f64>();
                let lhs = (eq.wage[c] / cpi[c]).ln();
                assert!((lhs - rhs).abs() < 1e-10, "region {c}: {lhs} vs {rhs}");
            }
        }
    }
}

/// Two countries, one sector, no IO, psi = 0, balanced trade.
fn two_by_one(theta: f64) -> Calibration {
    let flows = vec![vec![vec![100.0], vec![20.0]], vec![vec![20.0], vec![300.0]]];
    Calibration {
        description: "2x1 test economy".into(),
        regions: vec!["Home".into(), "Foreign".into()],
        sectors: vec!["goods".into()],
        flows,
        tariffs: vec![vec![vec![0.0]; 2]; 2],
        va_shares: vec![vec![1.0]; 2],
        io_shares: vec![vec![vec![1.0]]; 2],
        final_shares: vec![vec![1.0]; 2],
        deficits: vec![0.0; 2],
        theta: vec![theta],
        psi: vec![0.0],
    }
}

#[test]
fn optimal_tariff_matches_the_inverse_export_supply_elasticity() {
    let dev = Default::default();
    for theta in [2.0, 4.0, 8.0] {
        let cfg = SolverConfig {
            tolerance: 1e-14,
            max_iterations: 10_000,
            ..SolverConfig::default()
        };
        let model = TradeModel::new(&two_by_one(theta), DeficitTreatment::Purged, cfg).unwrap();
        let grad = |t: f64| {
            let mut tar = Tariffs::zeros(2, 1);
            tar.set(0, 1, 0, t);
            let eq = model.solve(&tar, None).unwrap();
            let g = model
                .payoff_gradients::<CpuAutodiff>(&eq, Payoff::RealIncome, &[0], &dev)
                .unwrap();
            (g.gradients[0][tar.index(0, 1, 0)], eq)
        };
        // Bisection on the sign of dW/dt: positive at 0 (terms-of-trade gain), negative at 2.
        let (mut lo, mut hi) = (0.0, 2.0);
        assert!(grad(lo).0 > 0.0 && grad(hi).0 < 0.0);
        while hi - lo > 1e-11 {
            let mid = 0.5 * (lo + hi);
            if grad(mid).0 > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let t_star = 0.5 * (lo + hi);
        let (_, eq) = grad(t_star);
        let lambda_ff = eq.trade_shares[3]; // Foreign's own share, index (1*2+1)*1+0
        let formula = 1.0 / (theta * lambda_ff);
        assert!(
            (t_star - formula).abs() < 1e-6,
            "theta {theta}: t* {t_star} vs 1/(theta lambda_FF) {formula}"
        );
    }
}

#[test]
fn non_convergence_is_an_error_with_the_residual() {
    let cal = random_calibration(&SyntheticSpec::full(4, 3), 1);
    let model = TradeModel::new(
        &cal,
        DeficitTreatment::Fixed,
        SolverConfig {
            max_iterations: 3,
            ..SolverConfig::default()
        },
    )
    .unwrap();
    let t = shocked(&model, 0);
    match model.solve(&t, None) {
        Err(ModelError::NotConverged {
            residual,
            iterations,
            ..
        }) => {
            assert!(residual > 1e-12 && residual.is_finite());
            assert_eq!(iterations, 3);
        }
        other => panic!("expected NotConverged, got {other:?}"),
    }
}

#[test]
fn bad_tariffs_are_rejected_by_name() {
    let model = &models(0, 3, 2)[1];
    let mut t = model.baseline_tariffs();
    t.set(1, 2, 0, f64::NAN);
    let err = model.solve(&t, None).unwrap_err();
    assert!(err.to_string().contains("[1][2][0]"), "{err}");
    let t = Tariffs::zeros(4, 2);
    assert!(model
        .solve(&t, None)
        .unwrap_err()
        .to_string()
        .contains("shape"));
}

#[test]
fn warm_start_and_chord_solves_agree_with_cold_solves() {
    let dev = Default::default();
    for model in models(5, 5, 4) {
        let t = shocked(&model, 1);
        let eq = model.solve(&t, None).unwrap();
        let mut t2 = t.clone();
        for v in t2.as_mut_slice().iter_mut() {
            *v *= 1.01;
        }
        let cold = model.solve(&t2, None).unwrap();
        let warm = model.solve(&t2, Some(&eq)).unwrap();
        let mut cache = GradientCache::new();
        cache
            .own_gradient::<CpuAutodiff>(&model, &eq, 0, Payoff::RealIncome, &dev)
            .unwrap();
        let chord = cache.solve(&model, &t2, &eq).unwrap();
        assert_eq!(cache.stats.chord_solves, 1);
        for k in 0..cold.state.len() {
            assert!((cold.state[k] - warm.state[k]).abs() < 1e-10);
            assert!((cold.state[k] - chord.state[k]).abs() < 1e-10);
        }
        assert!(chord.residual <= TOL);
    }
}

#[test]
fn cached_gradients_equal_full_gradients() {
    let dev = Default::default();
    for model in models(8, 4, 3) {
        let mut t = shocked(&model, 2);
        let mut cache = GradientCache::new();
        let mut eq = model.solve(&t, None).unwrap();
        for step in 0..12 {
            let player = step % 4;
            let (payoff, own) = cache
                .own_gradient::<CpuAutodiff>(&model, &eq, player, Payoff::RealIncome, &dev)
                .unwrap();
            let full = model
                .payoff_gradients::<CpuAutodiff>(&eq, Payoff::RealIncome, &[player], &dev)
                .unwrap();
            assert!((payoff - full.payoffs[0]).abs() < 1e-14);
            let reference = full.own(0);
            let scale = reference.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            for (a, b) in own.iter().zip(&reference) {
                assert!((a - b).abs() < 1e-8 * scale, "{a} vs {b}");
            }
            for (a, b, s) in [(player, (player + 1) % 4, 0), ((player + 2) % 4, player, 2)] {
                t.set(a, b, s, t.get(a, b, s) + 0.003);
            }
            t.check().unwrap();
            eq = cache.solve(&model, &t, &eq).unwrap();
        }
        assert!(
            cache.stats.factorisations < 12,
            "the factorisation should be reused"
        );
    }
}

#[test]
fn welfare_decomposition_is_exact_to_first_order() {
    // CP's ToT + VoT is the first-order welfare change (psi = 0, no deficits):
    // for a tariff change of size h its gap to the exact change is O(h^2).
    let spec = SyntheticSpec {
        scale_economies: false,
        ..SyntheticSpec::full(4, 3)
    };
    let cal = random_calibration(&spec, 4);
    let model = TradeModel::new(
        &cal,
        DeficitTreatment::Purged,
        SolverConfig {
            tolerance: 1e-14,
            ..SolverConfig::default()
        },
    )
    .unwrap();
    let gap = |h: f64| {
        let mut t = model.baseline_tariffs();
        for (a, b, s) in [(0, 1, 0), (0, 2, 1), (1, 3, 2), (3, 0, 0)] {
            t.set(a, b, s, t.get(a, b, s) + h);
        }
        let eq = model.solve(&t, None).unwrap();
        let dec = model.welfare_decomposition(&eq);
        let exact = model.outcomes(&eq).welfare;
        (0..4)
            .map(|n| (dec.total[n] - exact[n]).abs())
            .fold(0.0, f64::max)
    };
    let (g1, g2) = (gap(1e-3), gap(2e-3));
    assert!(g1 < 1e-4, "gap {g1} at h = 1e-3 (percent points)");
    // Quadratic: doubling h multiplies the gap by about 4.
    assert!(g2 / g1 > 3.0 && g2 / g1 < 5.0, "gap ratio {}", g2 / g1);
}
