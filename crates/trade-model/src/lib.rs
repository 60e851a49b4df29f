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
