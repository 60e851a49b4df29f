//! Criterion benches of the game's hot paths on random calibrations: one
//! Adam epoch (N players x 10 steps, bilateral) and one exact best response
//! from the baseline, at two sizes.
//!
//! `cargo bench -p best-response --bench epoch`

use best_response::{Control, NashConfig, NashSolver, StopConfig};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::CpuAutodiff;

fn solver(n: usize, j: usize) -> NashSolver<CpuAutodiff> {
    let cal = random_calibration(&SyntheticSpec::full(n, j), 0);
    let cfg = NashConfig {
        epochs: 1,
        steps_per_player: 10,
        stop: StopConfig {
            patience: 0,
            ..Default::default()
        },
        ..NashConfig::default()
    };
    NashSolver::new(&cal, cfg, Default::default()).unwrap()
}

fn game(c: &mut Criterion) {
    let mut g = c.benchmark_group("game");
    g.sample_size(10);
    for (n, j) in [(3, 4), (7, 14)] {
        let id = format!("{n}x{j}");
        let mut s = solver(n, j);
        let start = s.initial_state().unwrap();
        g.bench_function(BenchmarkId::new("adam_epoch_10_steps", &id), |b| {
            b.iter(|| {
                let mut st = start.clone();
                s.run(&mut st, &mut [], &Control::default()).unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("exact_best_response", &id), |b| {
            b.iter(|| {
                s.best_response_at(&start.params, start.equilibrium.clone(), 0, &mut |_| Ok(()))
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, game);
criterion_main!(benches);
