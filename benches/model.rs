//! Criterion benches of the model's hot paths on random calibrations:
//! a cold solve, a warm solve after a 1% tariff change, the gradients of all
//! players (Jacobian by batched VJP + LU + one batched VJP), and one cached
//! own-tariff gradient plus chord solve (the step of a sequential game).
//!
//! `cargo bench --bench model`; `cargo bench --bench model -- 7x14` for the
//! small size only (the 31x40 all-player gradient takes ~10 s an iteration).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use trade_model::gradient::GradientCache;
use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::{CpuAutodiff, DeficitTreatment, Payoff, SolverConfig, Tariffs, TradeModel};

fn setup(n: usize, j: usize) -> (TradeModel, Tariffs, Tariffs) {
    let cal = random_calibration(&SyntheticSpec::full(n, j), 0);
    let model = TradeModel::new(&cal, DeficitTreatment::Purged, SolverConfig::default()).unwrap();
    let t = model.baseline_tariffs();
    let mut t2 = t.clone();
    t2.as_mut_slice().iter_mut().for_each(|v| *v *= 1.01);
    (model, t, t2)
}

fn solves(c: &mut Criterion) {
    let mut g = c.benchmark_group("solve");
    for (n, j) in [(7, 14), (31, 40)] {
        let (model, t, t2) = setup(n, j);
        let mut shocked = t.clone();
        shocked
            .as_mut_slice()
            .iter_mut()
            .for_each(|v| *v += if *v > 0.0 { 0.1 } else { 0.0 });
        let id = format!("{n}x{j}");
        g.bench_function(BenchmarkId::new("cold", &id), |b| {
            b.iter(|| model.solve(black_box(&shocked), None).unwrap())
        });
        let eq = model.solve(&t, None).unwrap();
        g.bench_function(BenchmarkId::new("warm_1pct", &id), |b| {
            b.iter(|| model.solve(black_box(&t2), Some(&eq)).unwrap())
        });
    }
    g.finish();
}

fn gradients(c: &mut Criterion) {
    let dev = Default::default();
    let mut g = c.benchmark_group("gradient");
    g.sample_size(10);
    for (n, j) in [(7, 14), (31, 40)] {
        let (model, t, t2) = setup(n, j);
        let eq = model.solve(&t, None).unwrap();
        let players: Vec<usize> = (0..n).collect();
        let id = format!("{n}x{j}");
        g.bench_function(BenchmarkId::new("all_players", &id), |b| {
            b.iter(|| {
                model
                    .payoff_gradients::<CpuAutodiff>(&eq, Payoff::RealIncome, &players, &dev)
                    .unwrap()
            })
        });
        if n == 7 {
            // A game step: chord solve after a 1% change + cached own gradient.
            let mut cache = GradientCache::new();
            cache
                .own_gradient::<CpuAutodiff>(&model, &eq, 0, Payoff::RealIncome, &dev)
                .unwrap();
            g.bench_function(BenchmarkId::new("cached_step", &id), |b| {
                b.iter(|| {
                    let e = cache.solve(&model, &t2, &eq).unwrap();
                    cache
                        .own_gradient::<CpuAutodiff>(&model, &e, 0, Payoff::RealIncome, &dev)
                        .unwrap()
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, solves, gradients);
criterion_main!(benches);
