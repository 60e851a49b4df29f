//! # trade-data
//!
//! Reads public source tables and builds validated [`Calibration`]s for the
//! trade model:
//! - [`wiod`]: a WIOD-layout multi-region input-output table (Timmer et al., 2015);
//! - [`trade`]: bilateral sectoral trade with tariffs (the `tariffwar` cubes of
//!   Lashkaripour, 2021; the GTAP-based data of Ossa, 2014), and their
//!   aggregation (flows add up, tariffs are trade-weighted, within-region trade
//!   becomes domestic and untaxed);
//! - [`mapping`]: country -> region and industry -> sector mappings with theta
//!   and psi, as JSON data;
//! - [`build`]: the builder (derives beta, gamma, alpha and deficits so that the
//!   accounting identity holds, checks tariffs against GTAP, reports every
//!   adjustment);
//! - [`cp2015`]: the Caliendo-Parro (2015) NAFTA data as a 31 x 40 calibration
//!   with its baseline and counterfactual tariffs.
//!
//! [`Calibration`]: trade_model::Calibration

// Index loops mirror the model's subscripts (n, i, j, k); iterator chains would obscure them.
#![allow(clippy::needless_range_loop)]

/// An importer x exporter x sector array (`[n][i][j]`), as in `Calibration::tariffs`.
pub type Cube = Vec<Vec<Vec<f64>>>;

pub mod build;
pub mod cp2015;
pub mod csv;
pub mod error;
pub mod mapping;
pub mod trade;
pub mod wiod;

pub use build::{build, shipped_specs, BuildReport, BuildSpec, SourceKind, TariffTable};
pub use cp2015::{cp2015_calibration, Cp2015};
pub use error::{DataError, Result};
pub use mapping::{RegionMapping, SectorMapping};

use std::path::{Path, PathBuf};

/// Environment variable naming the source-data directory (`shared/data`).
pub const DATA_ENV: &str = "TARIFFNASH_DATA";

/// Finds the source-data directory: `$TARIFFNASH_DATA` if set, else the first
/// `shared/data` beside `start` or one of its ancestors. `None` if absent.
pub fn find_data_dir(start: &Path) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(DATA_ENV) {
        let p = PathBuf::from(p);
        return p.is_dir().then_some(p);
    }
    start
        .ancestors()
        .map(|a| a.join("shared").join("data"))
        .find(|p| p.is_dir())
}
