//! # trade-model
//!
//! A multi-sector Eaton-Kortum economy with input-output links (Caliendo and
//! Parro, 2015), sectoral external scale economies (Kucheryavyy, Lyn and
//! Rodriguez-Clare, 2023) and tariffs, solved in changes ("exact hat algebra",
//! Dekle, Eaton and Kortum, 2008), with payoffs differentiated with respect to
//! tariffs through the equilibrium by the implicit-function theorem.
//!
//! - [`calibration`]: the baseline data ([`Calibration`]), validated on load.
//! - [`synthetic`]: random consistent calibrations for tests and benchmarks.
pub mod calibration;
pub mod error;
pub mod synthetic;

pub use calibration::Calibration;
pub use error::{ModelError, Result};
