//! The crate's one error type.

use thiserror::Error;
use trade_model::ModelError;

/// Everything that can go wrong while playing the game.
#[derive(Debug, Error)]
pub enum GameError {
    /// A configuration setting is out of range; `field` names it.
    #[error("config field `{field}`: {problem}")]
    Config {
        /// The setting at fault, e.g. `adam.lr`.
        field: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// The trade model failed (solve, gradient, calibration).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A checkpoint does not fit the model or the config it is resumed with.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// An observer failed (e.g. writing the log).
    #[error("observer: {0}")]
    Observer(String),
}

impl GameError {
    pub(crate) fn config(field: impl Into<String>, problem: impl Into<String>) -> Self {
        GameError::Config {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, GameError>;
