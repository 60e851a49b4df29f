//! Prints solve timings on random calibrations (quick check; the criterion
//! benches in `benches/` are the reference).
use std::time::Instant;
use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::{DeficitTreatment, SolverConfig, TradeModel};

fn main() {
    for &(n, j) in &[(7usize, 14usize), (31, 40)] {
        for seed in 0..3 {
            let cal = random_calibration(&SyntheticSpec::full(n, j), seed);
            let t0 = Instant::now();
            let model =
                TradeModel::new(&cal, DeficitTreatment::Purged, SolverConfig::default()).unwrap();
            let purge = t0.elapsed();
            let mut t = model.baseline_tariffs();
            for v in t.as_mut_slice().iter_mut() {
                if *v > 0.0 {
                    *v += 0.1;
                }
            }
            let t1 = Instant::now();
            let eq = model.solve(&t, None).unwrap();
            let cold = t1.elapsed();
            let mut t2t = t.clone();
            for v in t2t.as_mut_slice().iter_mut() {
                if *v > 0.0 {
                    *v *= 1.01;
                }
            }
            let t2 = Instant::now();
            let eq2 = model.solve(&t2t, Some(&eq)).unwrap();
            let warm = t2.elapsed();
            println!("{n}x{j} seed {seed}: purge {:?} ({} it), cold {:?} ({} it, res {:.1e}), warm {:?} ({} it); welfare {:?}",
                purge, model.purge().unwrap().iterations, cold, eq.iterations, eq.residual, warm, eq2.iterations,
                &model.outcomes(&eq).welfare[..3]);
        }
    }
}
