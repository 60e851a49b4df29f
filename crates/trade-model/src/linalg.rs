//! Dense LU factorisation with partial pivoting (row-major), for the small
//! adjoint systems of the implicit-function theorem and Anderson
//! acceleration's least-squares steps. burn 0.21 has no linear solve.

/// An LU factorisation `P A = L U` of a square matrix.
#[derive(Debug, Clone)]
pub struct Lu {
    n: usize,
    lu: Vec<f64>,
    perm: Vec<usize>,
}

impl Lu {
    /// Factorises the row-major `n x n` matrix `a`. Returns `None` when a pivot
    /// is below `1e-300` or not finite (singular to working precision).
    pub fn factor(n: usize, mut a: Vec<f64>) -> Option<Lu> {
        debug_assert_eq!(a.len(), n * n);
        let mut perm: Vec<usize> = (0..n).collect();
        for k in 0..n {
            let (mut p, mut best) = (k, a[k * n + k].abs());
            for r in k + 1..n {
                let v = a[r * n + k].abs();
                if v > best {
                    best = v;
                    p = r;
                }
            }
            if !best.is_finite() || best < 1e-300 {
                return None;
            }
            if p != k {
                for c in 0..n {
                    a.swap(k * n + c, p * n + c);
                }
                perm.swap(k, p);
            }
            let pivot = a[k * n + k];
            for r in k + 1..n {
                let f = a[r * n + k] / pivot;
                if f != 0.0 {
                    a[r * n + k] = f;
                    let (top, bottom) = a.split_at_mut(r * n);
                    let krow = &top[k * n + k + 1..k * n + n];
                    let rrow = &mut bottom[k + 1..n];
                    for (x, &y) in rrow.iter_mut().zip(krow) {
                        *x -= f * y;
                    }
                } else {
                    a[r * n + k] = 0.0;
                }
            }
        }
        Some(Lu { n, lu: a, perm })
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Solves `A x = b`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut x: Vec<f64> = self.perm.iter().map(|&p| b[p]).collect();
        for r in 0..n {
            let s: f64 = (0..r).map(|c| self.lu[r * n + c] * x[c]).sum();
            x[r] -= s;
        }
        for r in (0..n).rev() {
            let s: f64 = (r + 1..n).map(|c| self.lu[r * n + c] * x[c]).sum();
            x[r] = (x[r] - s) / self.lu[r * n + r];
        }
        x
    }

    /// Solves `A' x = b` (the adjoint system).
    pub fn solve_transpose(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        // A' = U' L' P, so solve U' z = b, L' v = z, x = P' v.
        let mut z = b.to_vec();
        for r in 0..n {
            let s: f64 = (0..r).map(|c| self.lu[c * n + r] * z[c]).sum();
            z[r] = (z[r] - s) / self.lu[r * n + r];
        }
        for r in (0..n).rev() {
            let s: f64 = (r + 1..n).map(|c| self.lu[c * n + r] * z[c]).sum();
            z[r] -= s;
        }
        let mut x = vec![0.0; n];
        for (k, &p) in self.perm.iter().enumerate() {
            x[p] = z[k];
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_transposes() {
        let a = vec![2.0, 1.0, 0.5, 1.0, 3.0, 0.2, 4.0, 0.1, 1.0];
        let lu = Lu::factor(3, a.clone()).unwrap();
        let b = [1.0, -2.0, 0.5];
        let x = lu.solve(&b);
        for r in 0..3 {
            let ax: f64 = (0..3).map(|c| a[r * 3 + c] * x[c]).sum();
            assert!((ax - b[r]).abs() < 1e-14);
        }
        let y = lu.solve_transpose(&b);
        for c in 0..3 {
            let aty: f64 = (0..3).map(|r| a[r * 3 + c] * y[r]).sum();
            assert!((aty - b[c]).abs() < 1e-14);
        }
        assert!(Lu::factor(2, vec![1.0, 2.0, 2.0, 4.0]).is_none());
    }
}
