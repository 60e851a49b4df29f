//! Strategy spaces: a player's parameters and its block of import tariffs.
//!
//! Player n sets `t_ni^j` for `i != n`. With granularity `uniform` one
//! parameter sets every entry, `bilateral` one per partner i (all sectors),
//! `bilateral_sectoral` one per (i, j). Parameters live in the box
//! `[0, t_max]`. Since each tariff is a parameter, the chain rule gives the
//! gradient of a parameter as the sum of the sectoral gradients it controls.
//!
//! Projected gradient (Bertsekas, 1999, section 2.3): with the projection
//! `P` onto the box, `g_P(p) = P(p + g) - p`; it vanishes exactly at a
//! first-order (KKT) point of the player's maximisation.

use trade_model::Tariffs;

use crate::config::Granularity;

/// The strategy space of every player in an `n`-region, `j`-sector game.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrategySpace {
    /// Regions (players).
    pub n: usize,
    /// Sectors.
    pub j: usize,
    /// Granularity.
    pub granularity: Granularity,
    /// Upper bound (lower bound is 0).
    pub t_max: f64,
}

impl StrategySpace {
    /// Number of parameters of each player.
    pub fn dim(&self) -> usize {
        match self.granularity {
            Granularity::Uniform => 1,
            Granularity::Bilateral => self.n - 1,
            Granularity::BilateralSectoral => (self.n - 1) * self.j,
        }
    }

    /// The parameter that controls `t[player][exporter][sector]` (`exporter != player`).
    pub fn param_index(&self, player: usize, exporter: usize, sector: usize) -> usize {
        let r = if exporter < player {
            exporter
        } else {
            exporter - 1
        };
        match self.granularity {
            Granularity::Uniform => 0,
            Granularity::Bilateral => r,
            Granularity::BilateralSectoral => r * self.j + sector,
        }
    }

    fn controlled(&self, player: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.n)
            .filter(move |&i| i != player)
            .flat_map(move |i| (0..self.j).map(move |s| (i, s)))
    }

    /// Parameters that best represent `player`'s block of `t`: the mean of the
    /// entries each parameter controls, clipped to the box.
    pub fn params_from(&self, t: &Tariffs, player: usize) -> Vec<f64> {
        let mut sum = vec![0.0; self.dim()];
        let mut count = vec![0usize; self.dim()];
        for (i, s) in self.controlled(player) {
            let k = self.param_index(player, i, s);
            sum[k] += t.get(player, i, s);
            count[k] += 1;
        }
        let mut p: Vec<f64> = sum
            .iter()
            .zip(&count)
            .map(|(s, &c)| s / c.max(1) as f64)
            .collect();
        self.project(&mut p);
        p
    }

    /// Writes `player`'s parameters into its block of `t`.
    pub fn write(&self, params: &[f64], player: usize, t: &mut Tariffs) {
        for (i, s) in self.controlled(player) {
            t.set(player, i, s, params[self.param_index(player, i, s)]);
        }
    }

    /// The profile of all players' parameters.
    pub fn profile(&self, params: &[Vec<f64>]) -> Tariffs {
        let mut t = Tariffs::zeros(self.n, self.j);
        for (m, p) in params.iter().enumerate() {
            self.write(p, m, &mut t);
        }
        t
    }

    /// Parameter gradient from `dW/dt[player][i][j]` (flat `[i * J + j]`;
    /// entries with `i == player` are ignored).
    pub fn reduce_gradient(&self, player: usize, tariff_gradient: &[f64]) -> Vec<f64> {
        let mut g = vec![0.0; self.dim()];
        for (i, s) in self.controlled(player) {
            g[self.param_index(player, i, s)] += tariff_gradient[i * self.j + s];
        }
        g
    }

    /// Clips every parameter to `[0, t_max]`.
    pub fn project(&self, p: &mut [f64]) {
        for v in p.iter_mut() {
            *v = v.clamp(0.0, self.t_max);
        }
    }

    /// The projected gradient `P(p + g) - p` (ascent).
    pub fn projected_gradient(&self, p: &[f64], g: &[f64]) -> Vec<f64> {
        p.iter()
            .zip(g)
            .map(|(&x, &d)| (x + d).clamp(0.0, self.t_max) - x)
            .collect()
    }
}

/// Euclidean norm.
pub fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Largest absolute entry.
pub fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m: f64, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_sum_over_controlled_entries() {
        let sp = StrategySpace {
            n: 3,
            j: 2,
            granularity: Granularity::Bilateral,
            t_max: 1.0,
        };
        // player 1 controls exporters 0 and 2
        let g = sp.reduce_gradient(1, &[1.0, 2.0, 100.0, 100.0, 3.0, 4.0]);
        assert_eq!(g, vec![3.0, 7.0]);
        let sp = StrategySpace {
            granularity: Granularity::Uniform,
            ..sp
        };
        assert_eq!(
            sp.reduce_gradient(1, &[1.0, 2.0, 100.0, 100.0, 3.0, 4.0]),
            vec![10.0]
        );
        let mut t = Tariffs::zeros(3, 2);
        sp.write(&[0.5], 1, &mut t);
        assert_eq!(t.get(1, 0, 1), 0.5);
        assert_eq!(t.get(1, 1, 1), 0.0);
        assert_eq!(sp.params_from(&t, 1), vec![0.5]);
    }

    #[test]
    fn projected_gradient_vanishes_at_active_bounds() {
        let sp = StrategySpace {
            n: 2,
            j: 1,
            granularity: Granularity::Uniform,
            t_max: 1.0,
        };
        assert_eq!(sp.projected_gradient(&[0.0], &[-3.0]), vec![0.0]);
        assert_eq!(sp.projected_gradient(&[1.0], &[3.0]), vec![0.0]);
        assert_eq!(sp.projected_gradient(&[0.5], &[0.25]), vec![0.25]);
    }
}
