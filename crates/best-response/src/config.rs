//! Run settings, serialisable as one JSON file. Defaults reproduce the
//! reference study: bilateral strategies, 20 epochs of 50 Adam steps per
//! player, learning rate 1e-3, clipping by global norm at 10, no annealing.

use serde::{Deserialize, Serialize};
use trade_model::{DeficitTreatment, Payoff, SolverConfig};

use crate::error::{GameError, Result};

/// How finely a player sets its import tariffs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One rate on all partners and sectors.
    Uniform,
    /// One rate per partner (all sectors).
    #[default]
    Bilateral,
    /// One rate per partner and sector.
    BilateralSectoral,
}

impl std::str::FromStr for Granularity {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "uniform" => Ok(Granularity::Uniform),
            "bilateral" => Ok(Granularity::Bilateral),
            "bilateral_sectoral" | "bilateral-sectoral" => Ok(Granularity::BilateralSectoral),
            _ => Err(format!(
                "unknown granularity `{s}` (uniform, bilateral or bilateral_sectoral)"
            )),
        }
    }
}

/// How each player responds within an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// `steps_per_player` projected Adam ascent steps (the reference algorithm).
    #[default]
    Adam,
    /// An exact best response (projected BFGS to tolerance) per turn.
    Exact,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "adam" => Ok(Mode::Adam),
            "exact" => Ok(Mode::Exact),
            _ => Err(format!("unknown mode `{s}` (adam or exact)")),
        }
    }
}

/// Learning-rate schedule. It ticks once per epoch: epoch `e` (from 0) uses
/// `lr(e)` for every step of every player.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Annealing {
    /// `lr(e) = lr`.
    #[default]
    None,
    /// `lr(e) = lr * gamma^floor(e / every)`.
    Step {
        /// Epochs between decays.
        every: usize,
        /// Decay factor in (0, 1].
        gamma: f64,
    },
    /// `lr(e) = min_lr + (lr - min_lr) (1 + cos(pi e / epochs)) / 2`.
    Cosine {
        /// Floor reached after the last epoch.
        min_lr: f64,
    },
    /// `lr(e) = lr * gamma^e`.
    Exponential {
        /// Decay factor in (0, 1].
        gamma: f64,
    },
}

impl Annealing {
    /// The learning rate of epoch `epoch` (from 0) out of `epochs`.
    pub fn lr(&self, lr: f64, epoch: usize, epochs: usize) -> f64 {
        match *self {
            Annealing::None => lr,
            Annealing::Step { every, gamma } => lr * gamma.powi((epoch / every.max(1)) as i32),
            Annealing::Cosine { min_lr } => {
                let x = epoch as f64 / epochs.max(1) as f64;
                min_lr + (lr - min_lr) * 0.5 * (1.0 + (std::f64::consts::PI * x).cos())
            }
            Annealing::Exponential { gamma } => lr * gamma.powi(epoch as i32),
        }
    }
}

/// Where the players start.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Start {
    /// The calibration's applied tariffs (averaged over the entries a
    /// parameter controls when the granularity is coarser).
    #[default]
    Baseline,
    /// Zero tariffs.
    FreeTrade,
    /// The same rate everywhere.
    Uniform {
        /// The rate (decimal).
        rate: f64,
    },
    /// A given profile `[importer][exporter][sector]` (averaged as for `Baseline`).
    Profile {
        /// The tariffs.
        tariffs: Vec<Vec<Vec<f64>>>,
    },
}

/// Adam (Kingma and Ba, 2015) settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdamConfig {
    /// Base learning rate (before annealing).
    pub lr: f64,
    /// First-moment decay.
    pub beta1: f64,
    /// Second-moment decay.
    pub beta2: f64,
    /// Denominator guard; PyTorch's default 1e-8 (burn's is 1e-5).
    pub epsilon: f64,
    /// Reset a player's moments at the start of each of its turns (default:
    /// one optimiser per player kept across epochs).
    pub reset_each_turn: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            reset_each_turn: false,
        }
    }
}

/// Gradient clipping by global (Euclidean) norm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClipConfig {
    /// Clip or not.
    pub enabled: bool,
    /// Largest gradient norm passed to Adam.
    pub max_norm: f64,
}

impl Default for ClipConfig {
    fn default() -> Self {
        ClipConfig {
            enabled: true,
            max_norm: 10.0,
        }
    }
}

/// The exact best response: projected BFGS with backtracking.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExactConfig {
    /// Most quasi-Newton iterations per best response.
    pub max_iterations: usize,
    /// Stop when the projected gradient's largest entry is below this.
    pub gradient_tolerance: f64,
    /// Largest entry of the first (steepest-ascent) step, in tariff units.
    pub initial_step: f64,
    /// Armijo sufficient-increase constant in (0, 1).
    pub armijo: f64,
}

impl Default for ExactConfig {
    fn default() -> Self {
        ExactConfig {
            max_iterations: 200,
            gradient_tolerance: 1e-9,
            initial_step: 0.1,
            armijo: 1e-4,
        }
    }
}

/// The stopping rule, checked after each epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StopConfig {
    /// Largest projected-gradient norm (over players) counted as converged.
    pub gradient_tolerance: f64,
    /// Largest tariff change in the epoch (over players and entries) counted as converged.
    pub change_tolerance: f64,
    /// Stop after this many consecutive converged epochs (0: always run every epoch).
    pub patience: usize,
}

impl Default for StopConfig {
    fn default() -> Self {
        StopConfig {
            gradient_tolerance: 1e-4,
            change_tolerance: 1e-3,
            patience: 2,
        }
    }
}

/// Certification of the returned profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CertifyConfig {
    /// Certify at the end (exact best response per player).
    pub enabled: bool,
    /// Largest Nash gap, in percent of the payoff (real income by default),
    /// for the profile to be called an equilibrium. Default 1e-5 %: payoffs
    /// are flat at a best response (the gap is quadratic in the tariff
    /// error), and on the default calibration a gap of 2e-4 % still left
    /// tariffs 4 points from the equilibrium while gaps below 1e-6 % agree
    /// to a fraction of a point (see experiments/README.md, the sweep).
    pub gap_tolerance_pct: f64,
}

impl Default for CertifyConfig {
    fn default() -> Self {
        CertifyConfig {
            enabled: true,
            gap_tolerance_pct: 1e-5,
        }
    }
}

/// Everything that decides a run. Same config and calibration, same log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NashConfig {
    /// Strategy granularity.
    pub granularity: Granularity,
    /// What players maximise.
    pub payoff: Payoff,
    /// Upper tariff bound (lower bound 0).
    pub t_max: f64,
    /// Adam steps or exact best responses.
    pub mode: Mode,
    /// Most epochs.
    pub epochs: usize,
    /// Adam steps per player per epoch.
    pub steps_per_player: usize,
    /// Seed of the shuffle RNG (ChaCha8).
    pub seed: u64,
    /// Starting profile.
    pub start: Start,
    /// Adam settings.
    pub adam: AdamConfig,
    /// Gradient clipping.
    pub clip: ClipConfig,
    /// Learning-rate schedule (ticks once per epoch).
    pub annealing: Annealing,
    /// Exact best-response settings (exact mode and certification).
    pub exact: ExactConfig,
    /// Stopping rule.
    pub stop: StopConfig,
    /// Certification.
    pub certify: CertifyConfig,
    /// Deficit treatment of the model.
    pub deficits: DeficitTreatment,
    /// Equilibrium solver settings.
    pub solver: SolverConfig,
}

impl Default for NashConfig {
    fn default() -> Self {
        NashConfig {
            granularity: Granularity::Bilateral,
            payoff: Payoff::RealIncome,
            t_max: 10.0,
            mode: Mode::Adam,
            epochs: 20,
            steps_per_player: 50,
            seed: 0,
            start: Start::Baseline,
            adam: AdamConfig::default(),
            clip: ClipConfig::default(),
            annealing: Annealing::None,
            exact: ExactConfig::default(),
            stop: StopConfig::default(),
            certify: CertifyConfig::default(),
            deficits: DeficitTreatment::Purged,
            solver: SolverConfig::default(),
        }
    }
}

fn positive(field: &str, x: f64) -> Result<()> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(GameError::config(
            field,
            format!("must be a positive number, got {x}"),
        ))
    }
}

fn open_unit(field: &str, x: f64) -> Result<()> {
    if x > 0.0 && x < 1.0 {
        Ok(())
    } else {
        Err(GameError::config(
            field,
            format!("must lie in (0, 1), got {x}"),
        ))
    }
}

fn decay(field: &str, x: f64) -> Result<()> {
    if x > 0.0 && x <= 1.0 {
        Ok(())
    } else {
        Err(GameError::config(
            field,
            format!("must lie in (0, 1], got {x}"),
        ))
    }
}

impl NashConfig {
    /// Checks every setting once, before any work; the error names the field.
    pub fn validate(&self) -> Result<()> {
        positive("t_max", self.t_max)?;
        if self.epochs == 0 {
            return Err(GameError::config("epochs", "must be at least 1"));
        }
        if self.mode == Mode::Adam && self.steps_per_player == 0 {
            return Err(GameError::config(
                "steps_per_player",
                "must be at least 1 in adam mode",
            ));
        }
        positive("adam.lr", self.adam.lr)?;
        if !(0.0..1.0).contains(&self.adam.beta1) {
            return Err(GameError::config(
                "adam.beta1",
                format!("must lie in [0, 1), got {}", self.adam.beta1),
            ));
        }
        if !(0.0..1.0).contains(&self.adam.beta2) {
            return Err(GameError::config(
                "adam.beta2",
                format!("must lie in [0, 1), got {}", self.adam.beta2),
            ));
        }
        positive("adam.epsilon", self.adam.epsilon)?;
        if self.clip.enabled {
            positive("clip.max_norm", self.clip.max_norm)?;
        }
        match self.annealing {
            Annealing::None => {}
            Annealing::Step { every, gamma } => {
                if every == 0 {
                    return Err(GameError::config("annealing.every", "must be at least 1"));
                }
                decay("annealing.gamma", gamma)?;
            }
            Annealing::Cosine { min_lr } => {
                if !(min_lr.is_finite() && min_lr >= 0.0 && min_lr <= self.adam.lr) {
                    return Err(GameError::config(
                        "annealing.min_lr",
                        format!("must lie in [0, adam.lr = {}], got {min_lr}", self.adam.lr),
                    ));
                }
            }
            Annealing::Exponential { gamma } => decay("annealing.gamma", gamma)?,
        }
        match &self.start {
            Start::Uniform { rate } if !(rate.is_finite() && *rate >= 0.0) => {
                return Err(GameError::config(
                    "start.rate",
                    format!("must be a non-negative number, got {rate}"),
                ));
            }
            Start::Profile { tariffs } => {
                if let Some(v) = tariffs.iter().flatten().flatten().find(|v| !v.is_finite()) {
                    return Err(GameError::config(
                        "start.tariffs",
                        format!("{v} is not a finite number"),
                    ));
                }
            }
            _ => {}
        }
        if self.exact.max_iterations == 0 {
            return Err(GameError::config(
                "exact.max_iterations",
                "must be at least 1",
            ));
        }
        positive("exact.gradient_tolerance", self.exact.gradient_tolerance)?;
        positive("exact.initial_step", self.exact.initial_step)?;
        open_unit("exact.armijo", self.exact.armijo)?;
        positive("stop.gradient_tolerance", self.stop.gradient_tolerance)?;
        positive("stop.change_tolerance", self.stop.change_tolerance)?;
        positive("certify.gap_tolerance_pct", self.certify.gap_tolerance_pct)?;
        self.solver.validate().map_err(|e| match e {
            trade_model::ModelError::Config { field, problem } => {
                GameError::config(format!("solver.{field}"), problem)
            }
            other => GameError::Model(other),
        })
    }

    /// Reads a config from JSON (missing fields take their defaults) and validates it.
    pub fn from_json_str(text: &str) -> Result<Self> {
        let cfg: NashConfig =
            serde_json::from_str(text).map_err(|e| GameError::config("<json>", e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_tick_per_epoch() {
        let lr = 1e-2;
        assert_eq!(Annealing::None.lr(lr, 7, 20), lr);
        let step = Annealing::Step {
            every: 5,
            gamma: 0.5,
        };
        assert_eq!(step.lr(lr, 4, 20), lr);
        assert_eq!(step.lr(lr, 5, 20), lr * 0.5);
        let cos = Annealing::Cosine { min_lr: 1e-3 };
        assert!((cos.lr(lr, 0, 20) - lr).abs() < 1e-15);
        assert!((cos.lr(lr, 10, 20) - 5.5e-3).abs() < 1e-15);
        let exp = Annealing::Exponential { gamma: 0.9 };
        assert!((exp.lr(lr, 2, 20) - lr * 0.81).abs() < 1e-15);
    }

    #[test]
    fn defaults_are_the_reference_settings_and_round_trip() {
        let c = NashConfig::default();
        assert_eq!((c.epochs, c.steps_per_player), (20, 50));
        assert_eq!((c.adam.lr, c.adam.epsilon), (1e-3, 1e-8));
        assert!(c.clip.enabled && c.clip.max_norm == 10.0);
        assert_eq!(c.granularity, Granularity::Bilateral);
        assert_eq!(c.annealing, Annealing::None);
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(NashConfig::from_json_str(&text).unwrap(), c);
    }
}
