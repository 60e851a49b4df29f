//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong in the trade model.
#[derive(Debug, Error)]
pub enum ModelError {
    /// A calibration field is malformed; `field` names it (with an index where useful).
    #[error("calibration field `{field}`: {problem}")]
    Calibration {
        /// The field (and index) at fault, e.g. `flows[2][0][5]`.
        field: String,
        /// What is wrong and, where possible, how to fix it.
        problem: String,
    },
    /// A tariff profile passed to the solver is malformed.
    #[error("tariffs `{field}`: {problem}")]
    Tariffs {
        /// The entry at fault, e.g. `tariffs[CHN][USA][food]`.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The equilibrium solver stopped before reaching its tolerance.
    #[error(
        "equilibrium solver did not converge: residual {residual:.3e} > tolerance {tolerance:.1e} after {iterations} iterations"
    )]
    NotConverged {
        /// Largest residual reached (max-norm of the log fixed-point residual).
        residual: f64,
        /// The tolerance asked for.
        tolerance: f64,
        /// Iterations used.
        iterations: usize,
    },
    /// A solver setting is out of range.
    #[error("solver setting `{field}`: {problem}")]
    Config {
        /// The setting at fault.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The adjoint (implicit-function) system could not be solved.
    #[error("adjoint system is singular or ill-conditioned: {0}")]
    Adjoint(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file did not parse.
    #[error("{path}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
}

impl ModelError {
    pub(crate) fn calib(field: impl Into<String>, problem: impl Into<String>) -> Self {
        ModelError::Calibration {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, ModelError>;
