//! The game on economies with known answers, Adam against exact best
//! responses, and reproducibility (same seed, kill-and-resume).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use best_response::{
    Annealing, Checkpoint, Control, EpochRecord, Granularity, Mode, NashConfig, NashSolver,
    Observer, Start, StepRecord, StopConfig,
};
use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::{Calibration, CpuAutodiff};

type Solver = NashSolver<CpuAutodiff>;

/// Trade elasticity of the two-country economy.
const THETA: f64 = 5.0;

/// Two symmetric countries, one sector, no IO (beta = 1), psi = 0: each buys
/// 80 at home and 20 from the other.
fn symmetric() -> Calibration {
    Calibration {
        description: "symmetric 2x1".into(),
        regions: vec!["A".into(), "B".into()],
        sectors: vec!["goods".into()],
        flows: vec![vec![vec![80.0], vec![20.0]], vec![vec![20.0], vec![80.0]]],
        tariffs: vec![vec![vec![0.0]; 2]; 2],
        va_shares: vec![vec![1.0]; 2],
        io_shares: vec![vec![vec![1.0]]; 2],
        final_shares: vec![vec![1.0]; 2],
        deficits: vec![0.0; 2],
        theta: vec![THETA],
        psi: vec![0.0],
    }
}

fn small() -> Calibration {
    random_calibration(
        &SyntheticSpec {
            regions: 3,
            sectors: 2,
            input_output: true,
            scale_economies: true,
            max_deficit: 0.03,
            max_tariff: 0.1,
        },
        7,
    )
}

fn exact_config() -> NashConfig {
    NashConfig {
        mode: Mode::Exact,
        epochs: 60,
        start: Start::FreeTrade,
        stop: StopConfig {
            gradient_tolerance: 1e-8,
            change_tolerance: 1e-7,
            patience: 1,
        },
        ..NashConfig::default()
    }
}

#[test]
fn symmetric_nash_tariffs_are_equal_and_mutual_best_responses() {
    let mut s = Solver::new(&symmetric(), exact_config(), Default::default()).unwrap();
    let mut state = s.initial_state().unwrap();
    s.run(&mut state, &mut [], &Control::default()).unwrap();
    let r = s.finish(&state).unwrap();
    let (a, b) = (r.params[0][0], r.params[1][0]);
    assert!(a > 0.05 && a < 1.0, "Nash tariff {a}");
    // Best responses stop at a projected gradient of 1e-9; with a payoff
    // curvature of order 1e-2 that leaves tariffs accurate to ~1e-7.
    assert!((a - b).abs() < 1e-6, "asymmetric Nash tariffs {a} vs {b}");
    for h in &state.history {
        eprintln!(
            "{} {:?} {:?}",
            h.epoch, h.projected_gradient, h.tariff_change
        );
    }
    assert_eq!(r.stop, best_response::StopReason::Converged);
    let cert = s.certify(&r.params, None).unwrap();
    for (m, g) in cert.gaps.iter().enumerate() {
        assert!(*g < 1e-8, "player {m} gains {g} by deviating");
        assert!((cert.best_responses[m][0] - r.params[m][0]).abs() < 1e-5);
    }
    assert!(cert.is_nash);
}

#[test]
fn unilateral_best_response_to_free_trade_is_the_optimal_tariff_formula() {
    let mut s = Solver::new(&symmetric(), exact_config(), Default::default()).unwrap();
    let state = s.initial_state().unwrap();
    let (br, eq) = s
        .best_response_at(&state.params, state.equilibrium, 0, &mut |_| Ok(()))
        .unwrap();
    assert!(br.converged);
    // lambda_FF: the partner's (B's) domestic expenditure share at the optimum
    let lambda_ff = eq.trade_shares[3];
    let formula = 1.0 / (THETA * lambda_ff);
    assert!(
        (br.params[0] - formula).abs() < 1e-6 * formula,
        "best response {} vs 1/(theta lambda_FF) = {formula}",
        br.params[0]
    );
}

#[test]
fn parameter_gradients_match_finite_differences() {
    // Relative error allowed: central differences at h = 1e-5 are accurate to ~1e-8.
    const TOL: f64 = 1e-6;
    for granularity in [Granularity::Uniform, Granularity::Bilateral] {
        let cfg = NashConfig {
            granularity,
            ..NashConfig::default()
        };
        let mut s = Solver::new(&small(), cfg, Default::default()).unwrap();
        let state = s.initial_state().unwrap();
        let space = *s.game().space();
        for m in 0..space.n {
            let (_, g) = s
                .game()
                .model()
                .payoff_gradients::<CpuAutodiff>(
                    &state.equilibrium,
                    Default::default(),
                    &[m],
                    &Default::default(),
                )
                .map(|pg| (pg.payoffs[0], space.reduce_gradient(m, &pg.own(0))))
                .unwrap();
            for k in 0..space.dim() {
                let h = 1e-5;
                let eval = |d: f64| {
                    let mut p = state.params.clone();
                    p[m][k] += d;
                    let eq = s.game().model().solve(&space.profile(&p), None).unwrap();
                    s.game().model().payoffs(&eq, Default::default())[m]
                };
                let fd = (eval(h) - eval(-h)) / (2.0 * h);
                assert!(
                    (g[k] - fd).abs() <= TOL * (1e-3 + fd.abs()),
                    "{granularity:?} player {m} param {k}: {} vs {fd}",
                    g[k]
                );
            }
        }
    }
}

#[test]
fn adam_and_exact_best_responses_reach_the_same_equilibrium() {
    // Adam with a decaying learning rate ends within about lr_final of the
    // equilibrium; 2e-3 in tariff units is well above that and far below the
    // distance between the start (baseline) and the equilibrium.
    const TOL: f64 = 2e-3;
    let cal = small();
    let mut exact = Solver::new(&cal, exact_config(), Default::default()).unwrap();
    let mut st = exact.initial_state().unwrap();
    exact.run(&mut st, &mut [], &Control::default()).unwrap();
    let e = exact.finish(&st).unwrap();
    assert!(e.is_nash(), "{:?}", e.certificate);
    let cfg = NashConfig {
        epochs: 60,
        steps_per_player: 50,
        adam: best_response::AdamConfig {
            lr: 1e-2,
            ..Default::default()
        },
        annealing: Annealing::Exponential { gamma: 0.9 },
        ..NashConfig::default()
    };
    let mut adam = Solver::new(&cal, cfg, Default::default()).unwrap();
    let mut st = adam.initial_state().unwrap();
    adam.run(&mut st, &mut [], &Control::default()).unwrap();
    let a = adam.finish(&st).unwrap();
    let diff = a.tariffs.max_abs_diff(&e.tariffs);
    assert!(
        diff < TOL,
        "Adam vs exact: {diff}\n{:?}\n{:?}",
        a.params,
        e.params
    );
    assert!(a.is_nash(), "{:?}", a.certificate);
}

/// Records every step and epoch as JSON (timings removed), and the checkpoints.
#[derive(Default)]
struct Recorder {
    lines: Vec<String>,
    checkpoints: Vec<(usize, String)>,
    interrupt_after: Option<(usize, Arc<AtomicBool>)>,
}

impl Observer for Recorder {
    fn step(&mut self, r: &StepRecord) -> best_response::Result<()> {
        self.lines.push(serde_json::to_string(r).unwrap());
        if let Some((k, flag)) = &self.interrupt_after {
            if self.lines.len() == *k {
                flag.store(true, Ordering::SeqCst);
            }
        }
        Ok(())
    }
    fn epoch(&mut self, r: &EpochRecord) -> best_response::Result<()> {
        let mut v = serde_json::to_value(r).unwrap();
        v.as_object_mut().unwrap().remove("elapsed_s");
        self.lines.push(v.to_string());
        Ok(())
    }
    fn checkpoint(&mut self, c: &Checkpoint) -> best_response::Result<()> {
        self.checkpoints
            .push((self.lines.len(), serde_json::to_string(c).unwrap()));
        Ok(())
    }
}

fn repro_config(seed: u64) -> NashConfig {
    NashConfig {
        epochs: 4,
        steps_per_player: 6,
        seed,
        stop: StopConfig {
            patience: 0,
            ..Default::default()
        },
        ..NashConfig::default()
    }
}

fn full_run(seed: u64) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut s = Solver::new(&small(), repro_config(seed), Default::default()).unwrap();
    let mut st = s.initial_state().unwrap();
    let mut rec = Recorder::default();
    s.run(&mut st, &mut [&mut rec], &Control::default())
        .unwrap();
    (rec.lines, st.params)
}

#[test]
fn same_seed_same_log() {
    let (a, pa) = full_run(3);
    let (b, pb) = full_run(3);
    assert_eq!(a, b);
    assert_eq!(pa, pb);
    let (c, _) = full_run(4);
    assert_ne!(a, c, "a different seed should shuffle differently");
}

fn resume_from(cp: &str, control: &Control) -> (Vec<String>, Vec<Vec<f64>>) {
    let cp: Checkpoint = serde_json::from_str(cp).unwrap();
    let mut s = Solver::new(&small(), cp.config.clone(), Default::default()).unwrap();
    let mut st = s.resume(cp).unwrap();
    let mut rec = Recorder::default();
    s.run(&mut st, &mut [&mut rec], control).unwrap();
    (rec.lines, st.params)
}

#[test]
fn killed_run_resumes_from_its_last_checkpoint_and_ends_identically() {
    let (full, params) = full_run(11);
    let mut s = Solver::new(&small(), repro_config(11), Default::default()).unwrap();
    let mut st = s.initial_state().unwrap();
    let mut rec = Recorder::default();
    let control = Control {
        checkpoint_every: Some(1),
        max_steps: Some(40), // mid-way through epoch 1 (3 players x 6 steps per epoch)
        ..Default::default()
    };
    s.run(&mut st, &mut [&mut rec], &control).unwrap();
    let (at, cp) = rec.checkpoints.last().cloned().expect("a checkpoint");
    assert!(
        at < rec.lines.len(),
        "the kill should come after the checkpoint"
    );
    let (rest, resumed) = resume_from(&cp, &Control::default());
    let mut joined = rec.lines[..at].to_vec();
    joined.extend(rest);
    assert_eq!(joined, full);
    assert_eq!(resumed, params);
}

#[test]
fn interrupted_run_checkpoints_mid_epoch_and_ends_identically() {
    let (full, params) = full_run(5);
    let mut s = Solver::new(&small(), repro_config(5), Default::default()).unwrap();
    let mut st = s.initial_state().unwrap();
    let flag = Arc::new(AtomicBool::new(false));
    let mut rec = Recorder {
        interrupt_after: Some((29, flag.clone())),
        ..Default::default()
    };
    let control = Control {
        interrupt: Some(flag),
        ..Default::default()
    };
    let reason = s.run(&mut st, &mut [&mut rec], &control).unwrap();
    assert_eq!(reason, best_response::StopReason::Interrupted);
    let (at, cp) = rec
        .checkpoints
        .last()
        .cloned()
        .expect("a checkpoint on interrupt");
    assert_eq!(at, rec.lines.len());
    let (rest, resumed) = resume_from(&cp, &Control::default());
    let mut joined = rec.lines.clone();
    joined.extend(rest);
    assert_eq!(joined, full);
    assert_eq!(resumed, params);
}

#[test]
fn config_errors_name_the_field() {
    let bad = NashConfig {
        adam: best_response::AdamConfig {
            lr: -1.0,
            ..Default::default()
        },
        ..NashConfig::default()
    };
    let err = bad.validate().unwrap_err().to_string();
    assert!(err.contains("adam.lr"), "{err}");
    let err = NashConfig::from_json_str(r#"{"epochs": 0}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("epochs"), "{err}");
    let err = NashConfig::from_json_str(r#"{"epocs": 3}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("epocs"), "{err}");
    let cfg = NashConfig::from_json_str(r#"{"granularity": "bilateral_sectoral"}"#).unwrap();
    assert_eq!(cfg.granularity, Granularity::BilateralSectoral);
    assert_eq!(cfg.epochs, 20);
}
