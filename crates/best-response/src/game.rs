//! The game: a model, the players' strategy space and payoff, and the one
//! place where payoff gradients are asked for.

use burn::tensor::backend::AutodiffBackend;
use serde::{Deserialize, Serialize};
use trade_model::gradient::GradientCache;
use trade_model::{Equilibrium, Payoff, Tariffs, TradeModel};

use crate::error::Result;
use crate::exact::Objective;
use crate::strategy::StrategySpace;

/// Work done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Equilibrium solves.
    pub solves: u64,
    /// Payoff gradients (one player each).
    pub gradients: u64,
}

/// Wall-clock seconds spent in the model (not checkpointed: timings only).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// In equilibrium solves.
    pub solve_s: f64,
    /// In gradients.
    pub gradient_s: f64,
}

/// A tariff game on a model economy, generic over the autodiff backend that
/// computes gradients.
///
/// Solves and gradients go through a [`GradientCache`] (one Jacobian
/// factorisation reused across nearby points: chord-Newton solves and refined
/// adjoints, exact to the solver tolerance). Its results depend on its history
/// in the last bits, so the loop calls [`Game::reset_cache`] at every point
/// where a checkpoint can be taken: a resumed run then repeats the
/// uninterrupted one bit for bit.
pub struct Game<B: AutodiffBackend> {
    model: TradeModel,
    space: StrategySpace,
    payoff: Payoff,
    device: B::Device,
    cache: GradientCache,
    /// Work counters.
    pub counters: Counters,
    /// Time spent in the model.
    pub timings: Timings,
}

impl<B: AutodiffBackend> Game<B> {
    /// A game on `model` with the given strategies and payoff.
    pub fn new(model: TradeModel, space: StrategySpace, payoff: Payoff, device: B::Device) -> Self {
        Game {
            model,
            space,
            payoff,
            device,
            cache: GradientCache::new(),
            counters: Counters::default(),
            timings: Timings::default(),
        }
    }

    /// The model.
    pub fn model(&self) -> &TradeModel {
        &self.model
    }

    /// The strategy space.
    pub fn space(&self) -> &StrategySpace {
        &self.space
    }

    /// The payoff players maximise.
    pub fn payoff_kind(&self) -> Payoff {
        self.payoff
    }

    /// Forgets the cached factorisation.
    pub fn reset_cache(&mut self) {
        self.cache.clear();
    }

    /// Solves the equilibrium at `t`, warm-started from `warm`.
    pub fn solve(&mut self, t: &Tariffs, warm: Option<&Equilibrium>) -> Result<Equilibrium> {
        self.counters.solves += 1;
        let clock = std::time::Instant::now();
        let eq = match warm {
            Some(w) => self.cache.solve(&self.model, t, w),
            None => self.model.solve(t, None),
        };
        self.timings.solve_s += clock.elapsed().as_secs_f64();
        Ok(eq?)
    }

    /// Every player's payoff at `eq`.
    pub fn payoffs(&self, eq: &Equilibrium) -> Vec<f64> {
        self.model.payoffs(eq, self.payoff)
    }

    /// `player`'s payoff and its gradient with respect to its own tariffs
    /// `t[player][i][j]`, flat `[i * J + j]`. Every gradient of the crate goes
    /// through here.
    pub fn tariff_gradient(&mut self, eq: &Equilibrium, player: usize) -> Result<(f64, Vec<f64>)> {
        self.counters.gradients += 1;
        let clock = std::time::Instant::now();
        let g = self
            .cache
            .own_gradient::<B>(&self.model, eq, player, self.payoff, &self.device);
        self.timings.gradient_s += clock.elapsed().as_secs_f64();
        Ok(g?)
    }

    /// `player`'s payoff and its gradient with respect to its strategy parameters.
    pub fn strategy_gradient(
        &mut self,
        eq: &Equilibrium,
        player: usize,
    ) -> Result<(f64, Vec<f64>)> {
        let (w, g) = self.tariff_gradient(eq, player)?;
        Ok((w, self.space.reduce_gradient(player, &g)))
    }
}

/// One player's payoff as a function of its parameters, the others fixed.
/// Remembers the last equilibrium for warm starts and for reuse.
pub struct PlayerObjective<'a, B: AutodiffBackend> {
    game: &'a mut Game<B>,
    player: usize,
    tariffs: Tariffs,
    last: Equilibrium,
    last_params: Option<Vec<f64>>,
}

impl<'a, B: AutodiffBackend> PlayerObjective<'a, B> {
    /// `player`'s objective at profile `tariffs`, whose equilibrium is `eq`
    /// and whose parameters for `player` are `params`.
    pub fn new(
        game: &'a mut Game<B>,
        player: usize,
        tariffs: Tariffs,
        eq: Equilibrium,
        params: &[f64],
    ) -> Self {
        PlayerObjective {
            game,
            player,
            tariffs,
            last: eq,
            last_params: Some(params.to_vec()),
        }
    }

    fn solve_at(&mut self, p: &[f64]) -> Result<()> {
        if self.last_params.as_deref() == Some(p) {
            return Ok(());
        }
        self.game.space.write(p, self.player, &mut self.tariffs);
        let eq = self.game.solve(&self.tariffs, Some(&self.last))?;
        self.last = eq;
        self.last_params = Some(p.to_vec());
        Ok(())
    }

    /// Solves at `p` (if not already there) and returns the equilibrium.
    pub fn into_equilibrium(mut self, p: &[f64]) -> Result<Equilibrium> {
        self.solve_at(p)?;
        Ok(self.last)
    }
}

impl<B: AutodiffBackend> Objective for PlayerObjective<'_, B> {
    fn value(&mut self, p: &[f64]) -> Result<f64> {
        self.solve_at(p)?;
        Ok(self.game.payoffs(&self.last)[self.player])
    }

    fn value_gradient(&mut self, p: &[f64]) -> Result<(f64, Vec<f64>)> {
        self.solve_at(p)?;
        self.game.strategy_gradient(&self.last, self.player)
    }

    fn all_payoffs(&self) -> Vec<f64> {
        self.game.payoffs(&self.last)
    }
}
