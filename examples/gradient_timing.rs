//! Prints gradient timings on random calibrations (criterion benches are the reference).
use std::time::Instant;
use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::{CpuAutodiff, DeficitTreatment, Payoff, SolverConfig, TradeModel};

fn main() {
    let dev = Default::default();
    let sizes: Vec<(usize, usize)> = std::env::args()
        .nth(1)
        .map_or(vec![(7, 14), (31, 40)], |_| vec![(7, 14)]);
    for (n, j) in sizes {
        let cal = random_calibration(&SyntheticSpec::full(n, j), 0);
        let model =
            TradeModel::new(&cal, DeficitTreatment::Purged, SolverConfig::default()).unwrap();
        let eq = model.solve(&model.baseline_tariffs(), None).unwrap();
        let players: Vec<usize> = (0..n).collect();
        for _ in 0..3 {
            let t0 = Instant::now();
            let adj = model
                .adjoint::<CpuAutodiff>(&eq, Payoff::RealIncome, &dev)
                .unwrap();
            let ta = t0.elapsed();
            let t1 = Instant::now();
            let _g = model
                .payoff_gradients_with::<CpuAutodiff>(&adj, &eq, Payoff::RealIncome, &players, &dev)
                .unwrap();
            let tb = t1.elapsed();
            let t2 = Instant::now();
            let _g = model
                .payoff_gradients_with::<CpuAutodiff>(&adj, &eq, Payoff::RealIncome, &[0], &dev)
                .unwrap();
            println!("{n}x{j}: adjoint (jacobian+LU) {ta:?}, tariff pass all players {tb:?}, one player {:?}", t2.elapsed());
        }
    }
}
