//! The crate's one error type. Every variant names the file, row, field or
//! code at fault so that a bad source or mapping can be fixed from the message.

use thiserror::Error;
use trade_model::ModelError;

/// Everything that can go wrong while reading sources or building a calibration.
#[derive(Debug, Error)]
pub enum DataError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file (mapping) did not parse.
    #[error("{path}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A CSV file is malformed or holds a bad value; `row` is the 1-based line.
    #[error("{path}, line {row}: {problem}")]
    Csv {
        /// The file.
        path: String,
        /// 1-based line number (the header is line 1).
        row: usize,
        /// What is wrong.
        problem: String,
    },
    /// A source table names a code (country, industry, sector) that the
    /// mappings do not cover, or lacks one they need.
    #[error("{path}: code `{code}`: {problem}")]
    Source {
        /// The source file.
        path: String,
        /// The code at fault.
        code: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// A mapping file is inconsistent: a code mapped twice, an unknown code,
    /// a missing parameter.
    #[error("mapping {file}: code `{code}`: {problem}")]
    Mapping {
        /// The mapping file.
        file: String,
        /// The code (country, industry, sector, region) at fault.
        code: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// An importer's sectoral tariff exceeds the independent (GTAP-based)
    /// value by more than the allowed margin and is not listed as an exemption.
    #[error(
        "tariff check: {importer}'s trade-weighted tariff on {sector} is {tariff:.4} but the GTAP-based value is {reference:.4} (excess {:.1} points > {:.1}); switch the sector's tariff_source to \"gtap\" or list an exemption with its reason",
        100.0 * (tariff - reference),
        100.0 * max_excess
    )]
    TariffCheck {
        /// Importing region.
        importer: String,
        /// Model sector.
        sector: String,
        /// Calibration tariff (decimal).
        tariff: f64,
        /// Reference tariff (decimal).
        reference: f64,
        /// Allowed excess (decimal).
        max_excess: f64,
    },
    /// The data cannot be made consistent (e.g. intermediate costs above output).
    #[error("inconsistent data at {at}: {problem}")]
    Inconsistent {
        /// Region/sector at fault.
        at: String,
        /// What is wrong.
        problem: String,
    },
    /// The built calibration failed `Calibration::validate`.
    #[error("built calibration is invalid: {0}")]
    Model(ModelError),
}

impl From<ModelError> for DataError {
    fn from(e: ModelError) -> Self {
        DataError::Model(e)
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, DataError>;

pub(crate) fn io_err(path: &std::path::Path, source: std::io::Error) -> DataError {
    DataError::Io {
        path: path.display().to_string(),
        source,
    }
}
