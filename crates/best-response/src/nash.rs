//! The Nash loop (executor), its serialisable state, observers, the stopping
//! rule and certification.
//!
//! **Loop.** Each epoch draws an order of the players from a ChaCha8 RNG
//! seeded by `seed`; in turn, each player either takes `steps_per_player`
//! projected Adam ascent steps on its own parameters with the others fixed
//! ([`crate::adam`]), or plays an exact best response ([`crate::exact`]). The
//! equilibrium of each step is warm-started from the previous one.
//!
//! **Convergence measures** (after each epoch, at the epoch's final profile):
//! player m's projected-gradient norm `||P(p_m + g_m) - p_m||_2` and tariff
//! change `max |p_m(end) - p_m(start)|`. The stopping rule fires when the
//! largest of each is below its tolerance for `patience` consecutive epochs;
//! otherwise the run stops after `epochs`. The profile with the smallest
//! largest projected-gradient norm over epochs is the *best profile seen*.
//!
//! **Certification** (QuantEcon's `is_nash(tol)` idea). Player m's Nash gap
//! (exploitability) at profile t is `g_m = max_{t_m} W_m(t_m, t_-m) - W_m(t)`,
//! the gain from its exact best response to the others (computed from its
//! current strategy, so a local maximum), reported as
//! `100 (exp(g_m) - 1)` percent of real income (of the payoff). The profile
//! is an equilibrium when `max_m` of that is below `gap_tolerance_pct`.
//!
//! **Checkpoints.** [`RunState`] holds everything the loop depends on (epoch,
//! order, position, parameters, Adam moments, RNG state, warm-start
//! equilibrium, history), so a run resumed from a [`Checkpoint`] takes
//! exactly the steps an uninterrupted run takes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use burn::tensor::backend::AutodiffBackend;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trade_model::{Calibration, Equilibrium, Tariffs, TradeModel};

use crate::adam::{clip_global_norm, AdamState};
use crate::config::{Mode, NashConfig, Start};
use crate::error::{GameError, Result};
use crate::exact::{best_response, BestResponse, Iterate};
use crate::game::{Counters, Game, PlayerObjective};
use crate::strategy::{norm2, norm_inf, StrategySpace};

/// Each player's mean strategy parameter (its average tariff rate).
fn mean_params(params: &[Vec<f64>]) -> Vec<f64> {
    params
        .iter()
        .map(|p| p.iter().sum::<f64>() / p.len().max(1) as f64)
        .collect()
}

/// One step of one player (an Adam step, or an exact best-response iteration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Epoch (from 0).
    pub epoch: usize,
    /// Position in the epoch's order (from 0).
    pub turn: usize,
    /// Player (region index).
    pub player: usize,
    /// Step within the turn (from 0).
    pub step: usize,
    /// Every player's payoff where the step's gradient was taken.
    pub payoffs: Vec<f64>,
    /// Euclidean norm of the player's parameter gradient, before clipping.
    pub gradient_norm: f64,
    /// Whether the gradient was clipped.
    pub clipped: bool,
    /// Learning rate (Adam) or accepted line-search step (exact).
    pub lr: f64,
    /// Every player's mean tariff (mean of its strategy parameters) at the
    /// same point as `payoffs`.
    pub mean_tariffs: Vec<f64>,
}

/// Convergence measures after one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch (from 0).
    pub epoch: usize,
    /// The order the players moved in.
    pub order: Vec<usize>,
    /// Learning rate of the epoch.
    pub lr: f64,
    /// Payoffs at the end of the epoch.
    pub payoffs: Vec<f64>,
    /// Per player: projected-gradient norm at the end of the epoch.
    pub projected_gradient: Vec<f64>,
    /// Per player: largest change of a parameter during the epoch.
    pub tariff_change: Vec<f64>,
    /// Largest projected-gradient norm.
    pub max_projected_gradient: f64,
    /// Largest tariff change.
    pub max_tariff_change: f64,
    /// Consecutive epochs meeting the stopping tolerances, this one included.
    pub converged_epochs: usize,
    /// Seconds since the run started (resumed runs include earlier time).
    pub elapsed_s: f64,
    /// Equilibrium solves so far.
    pub solves: u64,
    /// Gradients so far.
    pub gradients: u64,
}

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The stopping rule fired.
    Converged,
    /// The last epoch was played.
    MaxEpochs,
    /// Interrupted (Ctrl-C or a step limit); resumable from a checkpoint.
    Interrupted,
}

/// A profile kept because its convergence measure was the best so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestProfile {
    /// Epoch after which it was seen.
    pub epoch: usize,
    /// Its largest projected-gradient norm.
    pub max_projected_gradient: f64,
    /// Every player's parameters.
    pub params: Vec<Vec<f64>>,
}

/// Everything the loop depends on; serialisable for checkpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    /// Current epoch (from 0).
    pub epoch: usize,
    /// This epoch's order (empty until drawn).
    pub order: Vec<usize>,
    /// Position in `order`.
    pub turn: usize,
    /// Step within the current turn.
    pub step: usize,
    /// Every player's parameters.
    pub params: Vec<Vec<f64>>,
    /// Parameters at the start of the epoch.
    pub epoch_start: Vec<Vec<f64>>,
    /// Every player's Adam moments.
    pub adam: Vec<AdamState>,
    /// The shuffle RNG.
    pub rng: ChaCha8Rng,
    /// Equilibrium at `params` (warm start for the next solve).
    pub equilibrium: Equilibrium,
    /// Best profile seen.
    pub best: Option<BestProfile>,
    /// Consecutive converged epochs.
    pub streak: usize,
    /// Steps taken.
    pub steps: u64,
    /// Work counters.
    pub counters: Counters,
    /// Seconds run so far.
    pub elapsed_s: f64,
    /// Convergence measures of finished epochs.
    pub history: Vec<EpochRecord>,
    /// Set once the loop has finished (not on interruption).
    pub finished: Option<StopReason>,
}

/// A resumable snapshot: the config, the players and the state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The run's config.
    pub config: NashConfig,
    /// Region names (checked on resume).
    pub regions: Vec<String>,
    /// The loop state.
    pub state: RunState,
}

/// Receives one record per step and per epoch, and checkpoints.
pub trait Observer {
    /// After each step.
    fn step(&mut self, _record: &StepRecord) -> Result<()> {
        Ok(())
    }
    /// After each epoch.
    fn epoch(&mut self, _record: &EpochRecord) -> Result<()> {
        Ok(())
    }
    /// When a checkpoint is due (every `checkpoint_every` epochs and on interrupt).
    fn checkpoint(&mut self, _checkpoint: &Checkpoint) -> Result<()> {
        Ok(())
    }
}

/// Outside control of a run.
#[derive(Debug, Clone, Default)]
pub struct Control {
    /// Emit a checkpoint after every this many epochs.
    pub checkpoint_every: Option<usize>,
    /// When set (e.g. by a Ctrl-C handler), checkpoint and stop after the current turn.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Stop without a checkpoint after this many steps of this call (simulates a kill).
    pub max_steps: Option<u64>,
}

/// Per-player Nash gaps at a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Payoffs at the profile.
    pub payoffs: Vec<f64>,
    /// Payoffs of each player's best response.
    pub best_response_payoffs: Vec<f64>,
    /// Gaps in payoff units (log points), >= 0.
    pub gaps: Vec<f64>,
    /// Gaps in percent of real income (of the payoff): `100 (exp(gap) - 1)`.
    pub gaps_pct: Vec<f64>,
    /// Each player's best-response parameters.
    pub best_responses: Vec<Vec<f64>>,
    /// Whether each best response met the gradient tolerance.
    pub best_response_converged: Vec<bool>,
    /// Largest gap, %.
    pub max_gap_pct: f64,
    /// Tolerance, %.
    pub tolerance_pct: f64,
    /// `max_gap_pct <= tolerance_pct`.
    pub is_nash: bool,
}

/// What a finished run returns: the best profile seen, certified.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NashResult {
    /// Why the loop stopped.
    pub stop: StopReason,
    /// Epochs played.
    pub epochs: usize,
    /// Epoch after which the returned profile was seen.
    pub best_epoch: usize,
    /// The returned profile's parameters.
    pub params: Vec<Vec<f64>>,
    /// The returned profile's tariffs.
    pub tariffs: Tariffs,
    /// Its equilibrium.
    pub equilibrium: Equilibrium,
    /// Payoffs there.
    pub payoffs: Vec<f64>,
    /// Its certificate (if certification is enabled).
    pub certificate: Option<Certificate>,
    /// Seconds, including certification.
    pub elapsed_s: f64,
    /// Work counters, including certification.
    pub counters: Counters,
}

impl NashResult {
    /// Certified as an equilibrium within the configured tolerance.
    pub fn is_nash(&self) -> bool {
        self.certificate.as_ref().is_some_and(|c| c.is_nash)
    }
}

/// Plays the game: owns the [`Game`] and the config.
pub struct NashSolver<B: AutodiffBackend> {
    game: Game<B>,
    config: NashConfig,
}

impl<B: AutodiffBackend> NashSolver<B> {
    /// Validates `config`, builds the model on `cal`.
    pub fn new(cal: &Calibration, config: NashConfig, device: B::Device) -> Result<Self> {
        config.validate()?;
        let model = TradeModel::new(cal, config.deficits, config.solver)?;
        Self::from_model(model, config, device)
    }

    /// Like [`NashSolver::new`] with a model already built (its deficit
    /// treatment and solver settings are kept).
    pub fn from_model(model: TradeModel, config: NashConfig, device: B::Device) -> Result<Self> {
        config.validate()?;
        let n = model.n_regions();
        if n < 2 {
            return Err(GameError::config(
                "calibration",
                "a game needs at least 2 regions",
            ));
        }
        let space = StrategySpace {
            n,
            j: model.n_sectors(),
            granularity: config.granularity,
            t_max: config.t_max,
        };
        if let Start::Profile { tariffs } = &config.start {
            let t = Tariffs::from_nested(tariffs)
                .map_err(|e| GameError::config("start.tariffs", e.to_string()))?;
            if t.n_regions() != n || t.n_sectors() != space.j {
                return Err(GameError::config(
                    "start.tariffs",
                    format!(
                        "is {}x{}x{} but the calibration has {n} regions and {} sectors",
                        t.n_regions(),
                        t.n_regions(),
                        t.n_sectors(),
                        space.j
                    ),
                ));
            }
        }
        let game = Game::new(model, space, config.payoff, device);
        Ok(NashSolver { game, config })
    }

    /// The game.
    pub fn game(&self) -> &Game<B> {
        &self.game
    }

    /// The config.
    pub fn config(&self) -> &NashConfig {
        &self.config
    }

    /// The state before the first step: parameters from `start`, fresh Adam
    /// moments and RNG, the equilibrium solved.
    pub fn initial_state(&mut self) -> Result<RunState> {
        let space = *self.game.space();
        let (n, j) = (space.n, space.j);
        let t0 = match &self.config.start {
            Start::Baseline => self.game.model().baseline_tariffs(),
            Start::FreeTrade => Tariffs::zeros(n, j),
            Start::Uniform { rate } => {
                let mut t = Tariffs::zeros(n, j);
                for m in 0..n {
                    space.write(&vec![*rate; space.dim()], m, &mut t);
                }
                t
            }
            Start::Profile { tariffs } => Tariffs::from_nested(tariffs)
                .map_err(|e| GameError::config("start.tariffs", e.to_string()))?,
        };
        let params: Vec<Vec<f64>> = (0..n).map(|m| space.params_from(&t0, m)).collect();
        self.game.counters = Counters::default();
        let eq = self.game.solve(&space.profile(&params), None)?;
        Ok(RunState {
            epoch: 0,
            order: Vec::new(),
            turn: 0,
            step: 0,
            epoch_start: params.clone(),
            adam: (0..n).map(|_| AdamState::new(space.dim())).collect(),
            params,
            rng: ChaCha8Rng::seed_from_u64(self.config.seed),
            equilibrium: eq,
            best: None,
            streak: 0,
            steps: 0,
            counters: self.game.counters,
            elapsed_s: 0.0,
            history: Vec::new(),
            finished: None,
        })
    }

    /// A checkpoint of `state` under this solver's config.
    pub fn checkpoint(&self, state: &RunState) -> Checkpoint {
        Checkpoint {
            config: self.config.clone(),
            regions: self.game.model().regions().to_vec(),
            state: state.clone(),
        }
    }

    /// Checks that `cp` fits this solver (same config and players) and returns its state.
    pub fn resume(&self, cp: Checkpoint) -> Result<RunState> {
        if cp.config != self.config {
            return Err(GameError::Checkpoint(
                "its config differs from this run's; resume with the checkpoint's config".into(),
            ));
        }
        if cp.regions != self.game.model().regions() {
            return Err(GameError::Checkpoint(format!(
                "it was written for regions {:?}, the calibration has {:?}",
                cp.regions,
                self.game.model().regions()
            )));
        }
        let dim = self.game.space().dim();
        let n = self.game.space().n;
        let s = &cp.state;
        if s.params.len() != n || s.params.iter().any(|p| p.len() != dim) || s.adam.len() != n {
            return Err(GameError::Checkpoint(
                "parameter shapes do not match the strategy space".into(),
            ));
        }
        Ok(cp.state)
    }

    /// Runs the loop from `state` until it finishes or is interrupted.
    pub fn run(
        &mut self,
        state: &mut RunState,
        observers: &mut [&mut dyn Observer],
        control: &Control,
    ) -> Result<StopReason> {
        if let Some(reason) = state.finished {
            return Ok(reason);
        }
        let clock = Instant::now();
        let elapsed0 = state.elapsed_s;
        self.game.counters = state.counters;
        let n = self.game.space().n;
        let mut steps_here = 0u64;
        let cfg = self.config.clone();
        while state.epoch < cfg.epochs {
            if state.order.is_empty() {
                let mut order: Vec<usize> = (0..n).collect();
                order.shuffle(&mut state.rng);
                state.order = order;
                state.turn = 0;
                state.step = 0;
                state.epoch_start = state.params.clone();
            }
            let lr = cfg.annealing.lr(cfg.adam.lr, state.epoch, cfg.epochs);
            while state.turn < n {
                let player = state.order[state.turn];
                if state.step == 0 {
                    self.game.reset_cache();
                }
                match cfg.mode {
                    Mode::Adam => {
                        if state.step == 0 && cfg.adam.reset_each_turn {
                            state.adam[player] = AdamState::new(self.game.space().dim());
                        }
                        while state.step < cfg.steps_per_player {
                            self.adam_step(state, player, lr, observers)?;
                            state.step += 1;
                            state.steps += 1;
                            steps_here += 1;
                            let last = state.step == cfg.steps_per_player;
                            if let Some(r) = self.pause(
                                state, control, steps_here, last, elapsed0, &clock, observers,
                            )? {
                                return Ok(r);
                            }
                        }
                    }
                    Mode::Exact => {
                        let k = self.exact_turn(state, player, observers)?;
                        state.steps += k as u64;
                        steps_here += k as u64;
                        if let Some(r) = self.pause(
                            state, control, steps_here, true, elapsed0, &clock, observers,
                        )? {
                            return Ok(r);
                        }
                    }
                }
                state.turn += 1;
                state.step = 0;
            }
            // end of epoch: convergence measures at the final profile
            let space = *self.game.space();
            self.game.reset_cache();
            let mut pg = vec![0.0; n];
            for (m, v) in pg.iter_mut().enumerate() {
                let (_, g) = self.game.strategy_gradient(&state.equilibrium, m)?;
                *v = norm2(&space.projected_gradient(&state.params[m], &g));
            }
            let change: Vec<f64> = (0..n)
                .map(|m| {
                    let d: Vec<f64> = state.params[m]
                        .iter()
                        .zip(&state.epoch_start[m])
                        .map(|(a, b)| a - b)
                        .collect();
                    norm_inf(&d)
                })
                .collect();
            let max_pg = pg.iter().fold(0.0, |a: f64, &b| a.max(b));
            let max_change = change.iter().fold(0.0, |a: f64, &b| a.max(b));
            if max_pg < cfg.stop.gradient_tolerance && max_change < cfg.stop.change_tolerance {
                state.streak += 1;
            } else {
                state.streak = 0;
            }
            if state
                .best
                .as_ref()
                .is_none_or(|b| max_pg < b.max_projected_gradient)
            {
                state.best = Some(BestProfile {
                    epoch: state.epoch,
                    max_projected_gradient: max_pg,
                    params: state.params.clone(),
                });
            }
            state.counters = self.game.counters;
            state.elapsed_s = elapsed0 + clock.elapsed().as_secs_f64();
            let record = EpochRecord {
                epoch: state.epoch,
                order: state.order.clone(),
                lr,
                payoffs: self.game.payoffs(&state.equilibrium),
                projected_gradient: pg,
                tariff_change: change,
                max_projected_gradient: max_pg,
                max_tariff_change: max_change,
                converged_epochs: state.streak,
                elapsed_s: state.elapsed_s,
                solves: state.counters.solves,
                gradients: state.counters.gradients,
            };
            for o in observers.iter_mut() {
                o.epoch(&record)?;
            }
            state.history.push(record);
            state.epoch += 1;
            state.order.clear();
            state.turn = 0;
            state.step = 0;
            if cfg.stop.patience > 0 && state.streak >= cfg.stop.patience {
                state.finished = Some(StopReason::Converged);
                break;
            }
            if let Some(every) = control.checkpoint_every {
                if every > 0 && state.epoch.is_multiple_of(every) && state.epoch < cfg.epochs {
                    let cp = self.checkpoint(state);
                    for o in observers.iter_mut() {
                        o.checkpoint(&cp)?;
                    }
                }
            }
        }
        let reason = state.finished.unwrap_or(StopReason::MaxEpochs);
        state.finished = Some(reason);
        state.counters = self.game.counters;
        state.elapsed_s = elapsed0 + clock.elapsed().as_secs_f64();
        Ok(reason)
    }

    /// After a step: stops at the step limit (without a checkpoint, as a
    /// kill would); at the end of a turn, when the interrupt flag is set,
    /// checkpoints and stops. (Checkpoints are only taken where the gradient
    /// cache has just been reset: see [`Game`].)
    #[allow(clippy::too_many_arguments)]
    fn pause(
        &self,
        state: &mut RunState,
        control: &Control,
        steps_here: u64,
        turn_done: bool,
        elapsed0: f64,
        clock: &Instant,
        observers: &mut [&mut dyn Observer],
    ) -> Result<Option<StopReason>> {
        let killed = control.max_steps.is_some_and(|k| steps_here >= k);
        let interrupted = turn_done
            && control
                .interrupt
                .as_ref()
                .is_some_and(|f| f.load(Ordering::SeqCst));
        if !(killed || interrupted) {
            return Ok(None);
        }
        state.counters = self.game.counters;
        state.elapsed_s = elapsed0 + clock.elapsed().as_secs_f64();
        if interrupted {
            if state.step > 0 {
                // the turn is over: move to the next one before saving
                state.turn += 1;
                state.step = 0;
            }
            let cp = self.checkpoint(state);
            for o in observers.iter_mut() {
                o.checkpoint(&cp)?;
            }
        }
        Ok(Some(StopReason::Interrupted))
    }

    fn adam_step(
        &mut self,
        state: &mut RunState,
        player: usize,
        lr: f64,
        observers: &mut [&mut dyn Observer],
    ) -> Result<()> {
        let space = *self.game.space();
        let payoffs = self.game.payoffs(&state.equilibrium);
        let mean_tariffs = mean_params(&state.params);
        let (_, mut g) = self.game.strategy_gradient(&state.equilibrium, player)?;
        let (norm, clipped) = if self.config.clip.enabled {
            clip_global_norm(&mut g, self.config.clip.max_norm)
        } else {
            (norm2(&g), false)
        };
        let d = state.adam[player].step(&self.config.adam, lr, &g);
        let p = &mut state.params[player];
        for (x, dx) in p.iter_mut().zip(&d) {
            *x += dx;
        }
        space.project(p);
        let t = space.profile(&state.params);
        state.equilibrium = self.game.solve(&t, Some(&state.equilibrium))?;
        let record = StepRecord {
            epoch: state.epoch,
            turn: state.turn,
            player,
            step: state.step,
            payoffs,
            gradient_norm: norm,
            clipped,
            lr,
            mean_tariffs,
        };
        for o in observers.iter_mut() {
            o.step(&record)?;
        }
        Ok(())
    }

    /// One exact best response of `player`; returns the iterations taken.
    fn exact_turn(
        &mut self,
        state: &mut RunState,
        player: usize,
        observers: &mut [&mut dyn Observer],
    ) -> Result<usize> {
        let (epoch, turn) = (state.epoch, state.turn);
        let mut records = Vec::new();
        let others = mean_params(&state.params);
        let (br, eq) = self.best_response_at(
            &state.params,
            state.equilibrium.clone(),
            player,
            &mut |it: &Iterate| {
                records.push(StepRecord {
                    epoch,
                    turn,
                    player,
                    step: it.iteration - 1,
                    payoffs: it.payoffs.clone(),
                    gradient_norm: it.gradient_norm,
                    clipped: false,
                    lr: it.step,
                    mean_tariffs: others
                        .iter()
                        .enumerate()
                        .map(|(m, &v)| if m == player { it.mean_param } else { v })
                        .collect(),
                });
                Ok(())
            },
        )?;
        for r in &records {
            for o in observers.iter_mut() {
                o.step(r)?;
            }
        }
        state.params[player] = br.params;
        state.equilibrium = eq;
        Ok(br.iterations)
    }

    /// `player`'s exact best response to `params` (whose equilibrium is `eq`),
    /// started from its current parameters; returns it with its equilibrium.
    pub fn best_response_at(
        &mut self,
        params: &[Vec<f64>],
        eq: Equilibrium,
        player: usize,
        on_iterate: &mut dyn FnMut(&Iterate) -> Result<()>,
    ) -> Result<(BestResponse, Equilibrium)> {
        let space = *self.game.space();
        let cfg = self.config.exact;
        let t = space.profile(params);
        self.game.reset_cache();
        let mut obj = PlayerObjective::new(&mut self.game, player, t, eq, &params[player]);
        let br = best_response(&mut obj, &space, &params[player], &cfg, on_iterate)?;
        let eq = obj.into_equilibrium(&br.params)?;
        Ok((br, eq))
    }

    /// Every player's Nash gap at `params` (see the module docs).
    pub fn certify(
        &mut self,
        params: &[Vec<f64>],
        warm: Option<&Equilibrium>,
    ) -> Result<Certificate> {
        let space = *self.game.space();
        let eq = self.game.solve(&space.profile(params), warm)?;
        let payoffs = self.game.payoffs(&eq);
        let mut cert = Certificate {
            payoffs: payoffs.clone(),
            best_response_payoffs: Vec::new(),
            gaps: Vec::new(),
            gaps_pct: Vec::new(),
            best_responses: Vec::new(),
            best_response_converged: Vec::new(),
            max_gap_pct: 0.0,
            tolerance_pct: self.config.certify.gap_tolerance_pct,
            is_nash: false,
        };
        for (m, &w) in payoffs.iter().enumerate() {
            let (br, _) = self.best_response_at(params, eq.clone(), m, &mut |_| Ok(()))?;
            let gap = (br.payoff - w).max(0.0);
            cert.best_response_payoffs.push(br.payoff);
            cert.gaps.push(gap);
            cert.gaps_pct.push(100.0 * gap.exp_m1());
            cert.best_responses.push(br.params);
            cert.best_response_converged.push(br.converged);
        }
        cert.max_gap_pct = cert.gaps_pct.iter().fold(0.0, |a: f64, &b| a.max(b));
        cert.is_nash = cert.max_gap_pct <= cert.tolerance_pct;
        Ok(cert)
    }

    /// The best profile seen, solved and (if enabled) certified.
    pub fn finish(&mut self, state: &RunState) -> Result<NashResult> {
        let clock = Instant::now();
        self.game.counters = state.counters;
        self.game.reset_cache();
        let (best_epoch, params) = match &state.best {
            Some(b) => (b.epoch, b.params.clone()),
            None => (0, state.params.clone()),
        };
        let space = *self.game.space();
        let tariffs = space.profile(&params);
        let equilibrium = self.game.solve(&tariffs, Some(&state.equilibrium))?;
        let payoffs = self.game.payoffs(&equilibrium);
        let certificate = if self.config.certify.enabled {
            Some(self.certify(&params, Some(&equilibrium))?)
        } else {
            None
        };
        Ok(NashResult {
            stop: state.finished.unwrap_or(StopReason::Interrupted),
            epochs: state.history.len(),
            best_epoch,
            params,
            tariffs,
            equilibrium,
            payoffs,
            certificate,
            elapsed_s: state.elapsed_s + clock.elapsed().as_secs_f64(),
            counters: self.game.counters,
        })
    }
}
