//! Implicit-function gradients against central finite differences of the
//! plain-array solver.
#![allow(clippy::needless_range_loop)]

use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::{DeficitTreatment, Payoff, SolverConfig, Tariffs, TradeModel};

type A = trade_model::CpuAutodiff;

/// Forward solves for finite differences are run to this log residual, so
/// that solver error over the step (~1e-14 / 1e-3) is far below the check.
const FD_SOLVE_TOL: f64 = 1e-14;
/// Finite-difference step in tariff units; Richardson extrapolation over h, h/2
/// removes the O(h^2) truncation term.
const FD_STEP: f64 = 1e-3;
/// Required relative agreement (issue 2).
const REL_TOL: f64 = 1e-6;

fn richardson(model: &TradeModel, t: &Tariffs, k: usize, player: usize, kind: Payoff) -> f64 {
    let f = |h: f64| {
        let mut tp = t.clone();
        tp.as_mut_slice()[k] += h;
        let eq = model.solve(&tp, None).unwrap();
        model.payoffs(&eq, kind)[player]
    };
    let d = |h: f64| (f(h) - f(-h)) / (2.0 * h);
    (4.0 * d(FD_STEP / 2.0) - d(FD_STEP)) / 3.0
}

fn check(seed: u64, n: usize, j: usize, treatment: DeficitTreatment, kind: Payoff) -> f64 {
    let cal = random_calibration(&SyntheticSpec::full(n, j), seed);
    let cfg = SolverConfig {
        tolerance: FD_SOLVE_TOL,
        max_iterations: 5000,
        ..SolverConfig::default()
    };
    let model = TradeModel::new(&cal, treatment, cfg).unwrap();
    let mut t = model.baseline_tariffs();
    for (k, v) in t.as_mut_slice().iter_mut().enumerate() {
        if *v > 0.0 || (k % 3 == 1 && !(k / j).is_multiple_of(n + 1)) {
            *v += 0.05 + 0.01 * (k % 7) as f64;
        }
    }
    t.check().unwrap();
    let eq = model.solve(&t, None).unwrap();
    let dev = Default::default();
    let players: Vec<usize> = (0..n).collect();
    let g = model
        .payoff_gradients::<A>(&eq, kind, &players, &dev)
        .unwrap();
    let mut worst: f64 = 0.0;
    for &player in &[0, n - 1] {
        let grad = &g.gradients[player];
        let scale = grad.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        // a few own tariffs and a few others' tariffs
        let picks = [
            (player, (player + 1) % n, 0),
            (player, (player + n - 1) % n, j - 1),
            ((player + 1) % n, player, j / 2),
        ];
        for &(a, b, s) in &picks {
            let k = t.index(a, b, s);
            let fd = richardson(&model, &t, k, player, kind);
            let err = (fd - grad[k]).abs() / grad[k].abs().max(1e-3 * scale);
            println!("seed {seed} player {player} t[{a}][{b}][{s}]: ift {:.12e} fd {:.12e} rel {err:.2e}", grad[k], fd);
            worst = worst.max(err);
        }
    }
    worst
}

#[test]
fn real_income_gradients_match_finite_differences() {
    for seed in 0..3 {
        let err = check(seed, 4, 3, DeficitTreatment::Purged, Payoff::RealIncome);
        assert!(err < REL_TOL, "seed {seed}: relative error {err:e}");
    }
}

#[test]
fn real_gdp_gradients_match_finite_differences_with_fixed_deficits() {
    for seed in 10..12 {
        let err = check(seed, 3, 4, DeficitTreatment::Fixed, Payoff::RealGdp);
        assert!(err < REL_TOL, "seed {seed}: relative error {err:e}");
    }
}

#[test]
fn compressed_jacobian_equals_the_dense_one() {
    let dev = Default::default();
    for (seed, n, j) in [(3, 4, 3), (4, 5, 6)] {
        let cal = random_calibration(&SyntheticSpec::full(n, j), seed);
        let model =
            TradeModel::new(&cal, DeficitTreatment::Fixed, SolverConfig::default()).unwrap();
        let mut t = model.baseline_tariffs();
        t.set(0, 1, 0, 0.3);
        t.set(n - 1, 0, j - 1, 0.7);
        let eq = model.solve(&t, None).unwrap();
        for kind in [Payoff::RealIncome, Payoff::RealGdp] {
            let (a, pa) = model.state_jacobian::<A>(&eq, kind, &dev).unwrap();
            let (b, pb) = model.state_jacobian_dense::<A>(&eq, kind, &dev).unwrap();
            let scale = b.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            let err = a
                .iter()
                .zip(&b)
                .fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()));
            assert!(
                err <= 1e-12 * scale,
                "dG/dx differs by {err:e} (scale {scale:e})"
            );
            for (ra, rb) in pa.iter().zip(&pb) {
                for (x, y) in ra.iter().zip(rb) {
                    assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "dW/dx {x} vs {y}");
                }
            }
        }
    }
}
