//! Times a sequence of game-like steps on a random 7x14 economy: each step is
//! one cached own-tariff gradient (implicit function theorem, burn) and one
//! chord-Newton warm solve after a small tariff move, as in sequential best
//! responses. Prints the median step time and the work counters.
//!
//! `cargo run --release --example game_step_timing`

use std::time::{Duration, Instant};
use trade_model::gradient::GradientCache;
use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::{CpuAutodiff, DeficitTreatment, Payoff, SolverConfig, TradeModel};

fn main() {
    let (n, j) = (7, 14);
    let dev = Default::default();
    let cal = random_calibration(&SyntheticSpec::full(n, j), 0);
    let model =
        TradeModel::new(&cal, DeficitTreatment::Purged, SolverConfig::default()).expect("model");
    let mut t = model.baseline_tariffs();
    let mut eq = model.solve(&t, None).expect("baseline solve");
    let mut cache = GradientCache::new();
    let mut step_times = Vec::new();
    let steps = 1050; // 3 epochs of 7 players x 50 steps
    for s in 0..steps {
        let start = Instant::now();
        let player = (s / 50) % n;
        let (_payoff, g) = cache
            .own_gradient::<CpuAutodiff>(&model, &eq, player, Payoff::RealIncome, &dev)
            .expect("gradient");
        for i in (0..n).filter(|&i| i != player) {
            let gi: f64 = (0..j).map(|k| g[i * j + k]).sum();
            for k in 0..j {
                let v = t.get(player, i, k) + 1e-3 * gi.signum();
                t.set(player, i, k, v.max(0.0));
            }
        }
        eq = cache.solve(&model, &t, &eq).expect("solve");
        step_times.push(start.elapsed());
    }
    step_times.sort();
    let total: Duration = step_times.iter().sum();
    println!(
        "{n}x{j}: {steps} steps, median {:?}/step, total {:?}; {:?}",
        step_times[steps / 2],
        total,
        cache.stats
    );
}
