//! # best-response
//!
//! How the tariff game is played: players, strategy spaces, Adam and exact
//! best responses, the Nash loop with its observers and checkpoints, and
//! certification by Nash gaps.
//!
//! - [`config`]: [`NashConfig`], every setting of a run, validated.
//! - [`strategy`]: parameters <-> tariff blocks, bounds, projected gradients.
//! - [`adam`]: projected Adam ascent and clipping (Kingma and Ba, 2015).
//! - [`exact`]: exact best responses by projected BFGS.
//! - [`game`]: [`Game`], the model plus strategies; the one gradient call.
//! - [`nash`]: [`NashSolver`], the loop, stopping rule, certification.
//!
//! ```no_run
//! use best_response::{Control, NashConfig, NashSolver};
//! use trade_model::synthetic::{random_calibration, SyntheticSpec};
//!
//! let cal = random_calibration(&SyntheticSpec::full(3, 2), 1);
//! let cfg = NashConfig { epochs: 5, ..NashConfig::default() };
//! let mut solver = NashSolver::<trade_model::CpuAutodiff>::new(&cal, cfg, Default::default())?;
//! let mut state = solver.initial_state()?;
//! solver.run(&mut state, &mut [], &Control::default())?;
//! let result = solver.finish(&state)?;
//! println!("Nash: {}", result.is_nash());
//! # Ok::<(), best_response::GameError>(())
//! ```

pub mod adam;
pub mod config;
pub mod error;
pub mod exact;
pub mod game;
pub mod nash;
pub mod strategy;

pub use config::{
    AdamConfig, Annealing, CertifyConfig, ClipConfig, ExactConfig, Granularity, Mode, NashConfig,
    Start, StopConfig,
};
pub use error::{GameError, Result};
pub use game::{Counters, Game, Timings};
pub use nash::{
    Certificate, Checkpoint, Control, EpochRecord, NashResult, NashSolver, Observer, RunState,
    StepRecord, StopReason,
};
pub use strategy::StrategySpace;
