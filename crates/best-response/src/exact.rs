//! Exact best responses: projected BFGS with backtracking on a box.
//!
//! A player maximises `f(p)` over `p in [0, t_max]^d`. Each iteration
//! (Bertsekas, 1982, "Projected Newton methods for optimization problems with
//! simple constraints"; Kelley, 1999, "Iterative Methods for Optimization",
//! section 5.5) splits the variables into an epsilon-active set (at a bound
//! with the gradient pushing outwards, epsilon = min(1e-8, ||g_P||)) and a
//! free set, takes the quasi-Newton direction `d_F = H_FF g_F` on the free
//! variables (`d = 0` on the active ones), and backtracks on the projected
//! arc `p(a) = P(p + a d)` until the Armijo condition
//! `f(p(a)) >= f(p) + c g'(p(a) - p)` holds. `H` approximates the inverse
//! Hessian of `-f` by BFGS updates with `s = p+ - p`, `y = g - g+`, skipped
//! when `s'y` is not positive, and scaled by `s'y / y'y` before the first
//! update (Nocedal and Wright, 2006, eq. 6.20); before the first update the
//! step is Newton's along the free gradient, with the curvature from a
//! finite difference of gradients (one extra gradient). It stops when the projected
//! gradient `P(p + g) - p` has every entry below tolerance, or when the line
//! search cannot increase `f` any more (the payoff is flat to rounding).

use crate::config::ExactConfig;
use crate::error::{GameError, Result};
use crate::strategy::{norm_inf, StrategySpace};
use trade_model::ModelError;

/// A payoff to maximise over one player's parameters.
pub trait Objective {
    /// The payoff at `p`.
    fn value(&mut self, p: &[f64]) -> Result<f64>;
    /// The payoff and its parameter gradient at `p`.
    fn value_gradient(&mut self, p: &[f64]) -> Result<(f64, Vec<f64>)>;
    /// Every player's payoff at the last point evaluated (for logging).
    fn all_payoffs(&self) -> Vec<f64> {
        Vec::new()
    }
}

/// One accepted iterate.
#[derive(Debug, Clone, PartialEq)]
pub struct Iterate {
    /// Iteration (from 1).
    pub iteration: usize,
    /// Payoff after the step.
    pub payoff: f64,
    /// Every player's payoff after the step (if the objective knows them).
    pub payoffs: Vec<f64>,
    /// Euclidean norm of the gradient after the step.
    pub gradient_norm: f64,
    /// Largest entry of the projected gradient after the step.
    pub projected_gradient: f64,
    /// Accepted step length along the quasi-Newton direction.
    pub step: f64,
    /// Mean of the player's parameters (tariff rates) after the step.
    pub mean_param: f64,
}

/// The result of one best response.
#[derive(Debug, Clone, PartialEq)]
pub struct BestResponse {
    /// The maximiser found.
    pub params: Vec<f64>,
    /// Its payoff.
    pub payoff: f64,
    /// The payoff at the start.
    pub start_payoff: f64,
    /// Largest entry of the projected gradient at the end.
    pub projected_gradient: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Whether the gradient tolerance was met (otherwise the line search stalled
    /// or the iteration limit was hit).
    pub converged: bool,
}

/// Maximises `f` over the box from `start` (projected first).
pub fn best_response(
    f: &mut dyn Objective,
    space: &StrategySpace,
    start: &[f64],
    cfg: &ExactConfig,
    on_iterate: &mut dyn FnMut(&Iterate) -> Result<()>,
) -> Result<BestResponse> {
    let d = start.len();
    let mut p = start.to_vec();
    space.project(&mut p);
    let (mut fx, mut g) = f.value_gradient(&p)?;
    let start_payoff = fx;
    let mut h: Vec<f64> = identity(d);
    let mut scaled = false;
    let mut pg = norm_inf(&space.projected_gradient(&p, &g));
    let mut iterations = 0;
    while pg >= cfg.gradient_tolerance && iterations < cfg.max_iterations {
        let eps = pg.min(1e-8);
        let free: Vec<bool> = (0..d)
            .map(|k| !((p[k] <= eps && g[k] < 0.0) || (p[k] >= space.t_max - eps && g[k] > 0.0)))
            .collect();
        let mut dir = vec![0.0; d];
        for a in (0..d).filter(|&a| free[a]) {
            dir[a] = (0..d)
                .filter(|&b| free[b])
                .map(|b| h[a * d + b] * g[b])
                .sum();
        }
        let mut slope: f64 = dir.iter().zip(&g).map(|(a, b)| a * b).sum();
        if !scaled || slope <= 0.0 {
            // No curvature yet: a Newton step along the free gradient, with the
            // curvature from a finite difference of gradients, capped at
            // `initial_step` (a fixed first step would overshoot near the
            // optimum, where payoff differences drown in solver rounding).
            let gf: Vec<f64> = (0..d).map(|a| if free[a] { g[a] } else { 0.0 }).collect();
            let gmax = norm_inf(&gf);
            if gmax == 0.0 {
                break;
            }
            let curvature = probe_curvature(f, space, &p, &g, &gf)?;
            let mut step = match curvature {
                Some(c) => 1.0 / c,
                None => f64::INFINITY,
            };
            step = step.min(cfg.initial_step / gmax);
            h = identity(d);
            if let Some(c) = curvature {
                h.iter_mut().for_each(|v| *v /= c);
            }
            scaled = curvature.is_some();
            for a in 0..d {
                dir[a] = step * gf[a];
            }
            slope = dir.iter().zip(&g).map(|(a, b)| a * b).sum();
        }
        if slope <= 0.0 {
            break;
        }
        let mut alpha = 1.0;
        let mut accepted = None;
        for _ in 0..50 {
            let mut q: Vec<f64> = p.iter().zip(&dir).map(|(x, s)| x + alpha * s).collect();
            space.project(&mut q);
            let lin: f64 = q
                .iter()
                .zip(&p)
                .zip(&g)
                .map(|((a, b), c)| (a - b) * c)
                .sum();
            if lin <= 0.0 {
                break;
            }
            let fq = match f.value(&q) {
                Ok(v) => v,
                Err(e) if unsolvable(&e) => {
                    alpha *= 0.5;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if fq >= fx + cfg.armijo * lin {
                accepted = Some(q);
                break;
            }
            alpha *= 0.5;
        }
        let Some(q) = accepted else { break };
        let (fq, gq) = f.value_gradient(&q)?;
        let s: Vec<f64> = q.iter().zip(&p).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g.iter().zip(&gq).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        let yy: f64 = y.iter().map(|a| a * a).sum();
        if sy > 1e-14 * yy.sqrt() * s.iter().map(|a| a * a).sum::<f64>().sqrt() {
            if !scaled {
                let gamma = sy / yy;
                h.iter_mut().for_each(|v| *v *= gamma);
                scaled = true;
            }
            bfgs_update(&mut h, &s, &y, sy);
        }
        p = q;
        fx = fq;
        g = gq;
        pg = norm_inf(&space.projected_gradient(&p, &g));
        iterations += 1;
        on_iterate(&Iterate {
            iteration: iterations,
            payoff: fx,
            payoffs: f.all_payoffs(),
            gradient_norm: crate::strategy::norm2(&g),
            projected_gradient: pg,
            step: alpha,
            mean_param: p.iter().sum::<f64>() / p.len().max(1) as f64,
        })?;
    }
    Ok(BestResponse {
        params: p,
        payoff: fx,
        start_payoff,
        projected_gradient: pg,
        iterations,
        converged: pg < cfg.gradient_tolerance,
    })
}

/// Relative length of the finite-difference probe: gradients are exact to
/// ~1e-11, so curvature comes out to ~1e-6 relative.
const PROBE: f64 = 1e-5;

/// Curvature `-(g(p + h u) - g(p))'u / h` of `f` along the unit vector `u`
/// of `gf`, if positive (the maximisation is locally concave that way).
fn probe_curvature(
    f: &mut dyn Objective,
    space: &StrategySpace,
    p: &[f64],
    g: &[f64],
    gf: &[f64],
) -> Result<Option<f64>> {
    let scale = crate::strategy::norm2(gf);
    let mut q: Vec<f64> = p
        .iter()
        .zip(gf)
        .map(|(x, v)| x + PROBE * (1.0 + x.abs()) * v / scale)
        .collect();
    space.project(&mut q);
    let s: Vec<f64> = q.iter().zip(p).map(|(a, b)| a - b).collect();
    let ss: f64 = s.iter().map(|v| v * v).sum();
    if ss == 0.0 {
        return Ok(None);
    }
    let gq = match f.value_gradient(&q) {
        Ok((_, gq)) => gq,
        Err(e) if unsolvable(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let c = -gq
        .iter()
        .zip(g)
        .zip(&s)
        .map(|((a, b), v)| (a - b) * v)
        .sum::<f64>()
        / ss;
    Ok((c > 0.0 && c.is_finite()).then_some(c))
}

/// A trial point whose equilibrium the solver cannot find to tolerance (for
/// instance a sector driven towards zero output by strong scale economies) is
/// not a point the player can evaluate: the line search rejects it and
/// shortens the step, the curvature probe falls back to a gradient step.
fn unsolvable(e: &GameError) -> bool {
    matches!(e, GameError::Model(ModelError::NotConverged { .. }))
}

fn identity(d: usize) -> Vec<f64> {
    let mut h = vec![0.0; d * d];
    for k in 0..d {
        h[k * d + k] = 1.0;
    }
    h
}

/// Inverse-Hessian BFGS update `H <- (I - r s y') H (I - r y s') + r s s'`, `r = 1/s'y`.
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64) {
    let d = s.len();
    let r = 1.0 / sy;
    let hy: Vec<f64> = (0..d)
        .map(|a| (0..d).map(|b| h[a * d + b] * y[b]).sum())
        .collect();
    let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
    for a in 0..d {
        for b in 0..d {
            h[a * d + b] += -r * (hy[a] * s[b] + s[a] * hy[b]) + (r * r * yhy + r) * s[a] * s[b];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Granularity;

    /// A concave quadratic with its maximiser partly outside the box.
    struct Quad;
    impl Objective for Quad {
        fn value(&mut self, p: &[f64]) -> Result<f64> {
            Ok(-(p[0] - 0.3).powi(2) - 2.0 * (p[1] - 2.0).powi(2) - (p[0] - 0.3) * (p[1] - 2.0))
        }
        fn value_gradient(&mut self, p: &[f64]) -> Result<(f64, Vec<f64>)> {
            let g = vec![
                -2.0 * (p[0] - 0.3) - (p[1] - 2.0),
                -4.0 * (p[1] - 2.0) - (p[0] - 0.3),
            ];
            Ok((self.value(p)?, g))
        }
    }

    #[test]
    fn finds_the_constrained_maximiser_of_a_quadratic() {
        let space = StrategySpace {
            n: 3,
            j: 1,
            granularity: Granularity::Bilateral,
            t_max: 1.0,
        };
        let br = best_response(
            &mut Quad,
            &space,
            &[0.9, 0.1],
            &ExactConfig::default(),
            &mut |_| Ok(()),
        )
        .unwrap();
        // p1 at the bound 1; then p0 maximises -(p0-.3)^2 + (p0-.3): p0 = 0.8.
        assert!(br.converged);
        assert!((br.params[1] - 1.0).abs() < 1e-12);
        assert!((br.params[0] - 0.8).abs() < 1e-9, "{:?}", br.params);
    }

    /// The quadratic, but the model "has no equilibrium" past p0 = 0.5.
    struct Fragile;
    impl Objective for Fragile {
        fn value(&mut self, p: &[f64]) -> Result<f64> {
            if p[0] > 0.5 {
                return Err(GameError::Model(ModelError::NotConverged {
                    residual: 1e-3,
                    tolerance: 1e-12,
                    iterations: 2000,
                }));
            }
            Quad.value(p)
        }
        fn value_gradient(&mut self, p: &[f64]) -> Result<(f64, Vec<f64>)> {
            self.value(p)?;
            Quad.value_gradient(p)
        }
    }

    #[test]
    fn unsolvable_trial_points_shorten_the_step_instead_of_failing() {
        let space = StrategySpace {
            n: 3,
            j: 1,
            granularity: Granularity::Bilateral,
            t_max: 1.0,
        };
        let br = best_response(
            &mut Fragile,
            &space,
            &[0.0, 0.1],
            &ExactConfig::default(),
            &mut |_| Ok(()),
        )
        .unwrap();
        // It improves on the start and never evaluates past the failure.
        assert!(br.payoff > br.start_payoff);
        assert!(br.params[0] <= 0.5, "{:?}", br.params);
        // Other errors still propagate.
        struct Broken;
        impl Objective for Broken {
            fn value(&mut self, _: &[f64]) -> Result<f64> {
                Err(GameError::config("x", "broken"))
            }
            fn value_gradient(&mut self, _: &[f64]) -> Result<(f64, Vec<f64>)> {
                Ok((0.0, vec![1.0, 1.0]))
            }
        }
        assert!(best_response(
            &mut Broken,
            &space,
            &[0.0, 0.1],
            &ExactConfig::default(),
            &mut |_| Ok(())
        )
        .is_err());
    }
}
