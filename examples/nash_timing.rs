//! Times the reference game on the default calibration (WIOD 2011, 7 x 14):
//! bilateral and bilateral-sectoral strategies, 20 epochs x 50 Adam steps x 7
//! players, then certification; prints where the time goes.
//!
//! `cargo run --release --example nash_timing [-- granularity...]`

use std::time::Instant;

use best_response::{Control, Granularity, NashConfig, NashSolver};
use trade_model::{Calibration, CpuAutodiff};

const DEFAULT_CALIBRATION: &str = include_str!("../data/wiod2011-7x14.json");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cal = Calibration::from_json_str(DEFAULT_CALIBRATION)?;
    let which: Vec<String> = std::env::args().skip(1).collect();
    let runs: Vec<Granularity> = if which.is_empty() {
        vec![Granularity::Bilateral, Granularity::BilateralSectoral]
    } else {
        which
            .iter()
            .map(|s| s.parse())
            .collect::<Result<_, String>>()?
    };
    for granularity in runs {
        let cfg = NashConfig {
            granularity,
            ..NashConfig::default()
        };
        let setup = Instant::now();
        let mut solver = NashSolver::<CpuAutodiff>::new(&cal, cfg, Default::default())?;
        let mut state = solver.initial_state()?;
        let setup_s = setup.elapsed().as_secs_f64();
        let t0 = solver.game().timings;
        let clock = Instant::now();
        let stop = solver.run(&mut state, &mut [], &Control::default())?;
        let loop_s = clock.elapsed().as_secs_f64();
        let t1 = solver.game().timings;
        let c1 = solver.game().counters;
        let clock = Instant::now();
        let result = solver.finish(&state)?;
        let cert_s = clock.elapsed().as_secs_f64();
        let t2 = solver.game().timings;
        let c2 = solver.game().counters;
        let cert = result.certificate.as_ref();
        println!(
            "{granularity:?}: {} epochs ({stop:?}), {} steps",
            state.history.len(),
            state.steps
        );
        println!("  setup (model, purge, first solve): {setup_s:.2} s");
        println!(
            "  loop {loop_s:.2} s: solves {:.2} s ({} calls), gradients {:.2} s ({} calls), other {:.2} s",
            t1.solve_s - t0.solve_s,
            c1.solves,
            t1.gradient_s - t0.gradient_s,
            c1.gradients,
            loop_s - (t1.solve_s - t0.solve_s) - (t1.gradient_s - t0.gradient_s)
        );
        println!(
            "  certification {cert_s:.2} s: solves {:.2} s ({} calls), gradients {:.2} s ({} calls)",
            t2.solve_s - t1.solve_s,
            c2.solves - c1.solves,
            t2.gradient_s - t1.gradient_s,
            c2.gradients - c1.gradients
        );
        println!(
            "  total {:.2} s; last epoch max projected gradient {:.2e}; max Nash gap {}% (Nash: {})",
            setup_s + loop_s + cert_s,
            state
                .history
                .last()
                .map_or(f64::NAN, |h| h.max_projected_gradient),
            cert.map_or_else(|| "-".into(), |c| format!("{:.2e}", c.max_gap_pct)),
            result.is_nash()
        );
    }
    Ok(())
}
