//! Projected Adam ascent (Kingma and Ba, 2015, "Adam: A Method for Stochastic
//! Optimization", ICLR) with optional clipping by global norm.
//!
//! With gradient `g_t` of the payoff (after clipping: `g <- g * c / ||g||_2`
//! when `||g||_2 > c`), moments `m_t = b1 m_{t-1} + (1 - b1) g_t`,
//! `v_t = b2 v_{t-1} + (1 - b2) g_t^2`, bias corrections
//! `m^ = m_t / (1 - b1^t)`, `v^ = v_t / (1 - b2^t)`, the step is
//! `p <- P(p + lr m^ / (sqrt(v^) + eps))`, P the projection onto `[0, t_max]`.
//! This is PyTorch's `Adam` (epsilon added after the square root) on `-W`.

use serde::{Deserialize, Serialize};

use crate::config::AdamConfig;
use crate::strategy::norm2;

/// One player's Adam moments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdamState {
    /// First moments.
    pub m: Vec<f64>,
    /// Second moments.
    pub v: Vec<f64>,
    /// Steps taken.
    pub t: u64,
}

impl AdamState {
    /// Zero moments for `dim` parameters.
    pub fn new(dim: usize) -> Self {
        AdamState {
            m: vec![0.0; dim],
            v: vec![0.0; dim],
            t: 0,
        }
    }

    /// Updates the moments with `grad` and returns the ascent step (to add to
    /// the parameters before projecting).
    pub fn step(&mut self, cfg: &AdamConfig, lr: f64, grad: &[f64]) -> Vec<f64> {
        self.t += 1;
        let t = self.t as i32;
        let c1 = 1.0 - cfg.beta1.powi(t);
        let c2 = 1.0 - cfg.beta2.powi(t);
        grad.iter()
            .enumerate()
            .map(|(k, &g)| {
                self.m[k] = cfg.beta1 * self.m[k] + (1.0 - cfg.beta1) * g;
                self.v[k] = cfg.beta2 * self.v[k] + (1.0 - cfg.beta2) * g * g;
                lr * (self.m[k] / c1) / ((self.v[k] / c2).sqrt() + cfg.epsilon)
            })
            .collect()
    }
}

/// Scales `g` to norm `max_norm` if it is longer; returns its norm before
/// clipping and whether it was clipped.
pub fn clip_global_norm(g: &mut [f64], max_norm: f64) -> (f64, bool) {
    let norm = norm2(g);
    if norm > max_norm {
        let s = max_norm / norm;
        g.iter_mut().for_each(|x| *x *= s);
        (norm, true)
    } else {
        (norm, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_is_lr_times_sign() {
        // m^ = g, v^ = g^2 at t = 1: step = lr g / (|g| + eps).
        let cfg = AdamConfig::default();
        let mut s = AdamState::new(2);
        let d = s.step(&cfg, 0.01, &[3.0, -0.5]);
        assert!((d[0] - 0.01 * 3.0 / (3.0 + 1e-8)).abs() < 1e-15);
        assert!((d[1] + 0.01 * 0.5 / (0.5 + 1e-8)).abs() < 1e-15);
    }

    #[test]
    fn clipping_rescales_to_max_norm() {
        let mut g = [3.0, 4.0];
        assert_eq!(clip_global_norm(&mut g, 1.0), (5.0, true));
        assert!((norm2(&g) - 1.0).abs() < 1e-15);
        let mut g = [0.3, 0.4];
        assert_eq!(clip_global_norm(&mut g, 1.0), (0.5, false));
    }
}
