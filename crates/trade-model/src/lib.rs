//! # trade-model
//!
//! A multi-sector Eaton-Kortum economy with input-output links (Caliendo and
//! Parro, 2015), sectoral external scale economies (Kucheryavyy, Lyn and
//! Rodriguez-Clare, 2023) and tariffs, solved in changes ("exact hat algebra",
//! Dekle, Eaton and Kortum, 2008), with payoffs differentiated with respect to
//! tariffs through the equilibrium by the implicit-function theorem.
//!
//! - [`calibration`]: the baseline data ([`Calibration`]), validated on load.
//! - [`baseline`]: the baseline levels in flat arrays.
//! - [`tariffs`]: tariff profiles.
//! - [`equilibrium`]: the equilibrium in changes and its solver.
//! - [`gradient`]: payoff gradients by the implicit-function theorem (burn).
//! - [`outcomes`]: welfare, real GDP, revenue and exports.
//! - [`scenario`]: named tariff changes ("US +10 points on all, +145 on China").
//! - [`model`]: [`TradeModel`], the entry point.
//! - [`synthetic`]: random consistent calibrations for tests and benchmarks.
//!
//! ```
//! use trade_model::synthetic::{random_calibration, SyntheticSpec};
//! use trade_model::{CpuAutodiff, DeficitTreatment, Payoff, SolverConfig, TradeModel};
//!
//! let cal = random_calibration(&SyntheticSpec::full(3, 2), 1);
//! let model = TradeModel::new(&cal, DeficitTreatment::Purged, SolverConfig::default())?;
//! // Region 0 raises its tariff on region 1 in sector 0 by 10 points.
//! let mut t = model.baseline_tariffs();
//! t.set(0, 1, 0, t.get(0, 1, 0) + 0.10);
//! let eq = model.solve(&t, None)?;
//! assert!(eq.residual <= 1e-12);
//! let welfare = model.outcomes(&eq).welfare; // percent changes, one per region
//! assert_eq!(welfare.len(), 3);
//! // d ln W_0 / d t_{0,1,0} through the equilibrium (implicit-function theorem).
//! let g = model.payoff_gradients::<CpuAutodiff>(&eq, Payoff::RealIncome, &[0], &Default::default())?;
//! assert!(g.gradients[0][t.index(0, 1, 0)].is_finite());
//! # Ok::<(), trade_model::ModelError>(())
//! ```
// Index loops mirror the model's subscripts (n, i, j, s); iterator chains
// would hide them.
#![allow(clippy::needless_range_loop)]

pub mod baseline;
pub mod calibration;
pub mod equilibrium;
pub mod error;
pub mod gradient;
pub mod linalg;
pub mod model;
pub mod outcomes;
pub mod scenario;
pub mod synthetic;
pub mod tariffs;

pub use baseline::Baseline;
pub use calibration::Calibration;
pub use equilibrium::{DeficitTreatment, Equilibrium, SolverConfig};
pub use error::{ModelError, Result};
pub use gradient::{Adjoint, PayoffGradients};
pub use model::TradeModel;
pub use outcomes::{Outcomes, Payoff, WelfareDecomposition};
pub use scenario::Scenario;
pub use tariffs::Tariffs;

/// The CPU default backend for gradients: burn's autodiff over ndarray, f64.
pub type CpuAutodiff = burn::backend::Autodiff<burn_ndarray::NdArray<f64>>;
