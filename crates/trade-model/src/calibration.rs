//! The calibration: baseline data of a multi-sector Eaton-Kortum economy with
//! input-output links (Caliendo and Parro, 2015, "Estimates of the Trade and
//! Welfare Effects of NAFTA", REStud) and sectoral external scale economies
//! (Kucheryavyy, Lyn and Rodriguez-Clare, 2023; Lashkaripour and Lugovskyy, 2023).
//!
//! A [`Calibration`] is plain data, stored as JSON. Index conventions (all
//! zero-based, in the order of `regions` and `sectors`):
//! - `flows[n][i][j]` = Z_ni^j, purchases of importer n from exporter i in
//!   sector j at producer (tariff-exclusive) prices; `flows[n][n][j]` is
//!   domestic absorption of domestic output.
//! - `tariffs[n][i][j]` = t_ni^j, ad-valorem (0.05 = 5%), t_nn^j = 0.
//! - `va_shares[i][j]` = beta_i^j, value added over gross output.
//! - `io_shares[n][s][j]` = gamma_n^{sj}, share of input sector s in the
//!   intermediate bundle of sector j; `sum_s gamma_n^{sj} = 1`.
//! - `final_shares[n][j]` = alpha_n^j, final-expenditure shares; `sum_j = 1`.
//! - `deficits[n]` = D_n = imports - exports at producer prices; `sum_n = 0`.
//! - `theta[j]` trade elasticity (> 1), `psi[j]` scale elasticity, `psi*theta < 1`.
//!
//! [`Calibration::validate`] checks shapes, signs, share sums, names, parameter
//! ranges and the accounting identity
//! `X_n^j = sum_k gamma_n^{jk} (1 - beta_n^k) Y_n^k + alpha_n^j I_n`, with
//! `X_n^j = sum_i (1 + t_ni^j) Z_ni^j`, `Y_i^k = sum_n Z_ni^k`,
//! `I_n = sum_k beta_n^k Y_n^k + R_n + D_n`.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};

/// Tolerance on share sums (`io_shares`, `final_shares`): builders normalise
/// shares, so anything beyond rounding of a JSON round trip is an error.
pub const SHARE_TOLERANCE: f64 = 1e-6;

/// Relative tolerance of the accounting identity and of the deficit identities,
/// relative to the region's total expenditure (or world output for sums).
pub const ACCOUNTING_TOLERANCE: f64 = 1e-6;

/// Baseline data of the economy. See the module docs for index conventions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Free-text description: sources, year, adjustments.
    #[serde(default)]
    pub description: String,
    /// Region (player) names, unique.
    pub regions: Vec<String>,
    /// Sector names, unique.
    pub sectors: Vec<String>,
    /// Z_ni^j: importer x exporter x sector flows at producer prices.
    pub flows: Vec<Vec<Vec<f64>>>,
    /// t_ni^j: importer x exporter x sector applied tariffs (decimal).
    pub tariffs: Vec<Vec<Vec<f64>>>,
    /// beta_i^j: value-added share of gross output, region x sector.
    pub va_shares: Vec<Vec<f64>>,
    /// gamma_n^{sj}: region x input sector x using sector intermediate shares.
    pub io_shares: Vec<Vec<Vec<f64>>>,
    /// alpha_n^j: region x sector final-demand shares.
    pub final_shares: Vec<Vec<f64>>,
    /// D_n: imports minus exports at producer prices, per region.
    pub deficits: Vec<f64>,
    /// theta_j: sectoral trade elasticity (Frechet shape), > 1.
    pub theta: Vec<f64>,
    /// psi_j: sectoral external scale elasticity, >= 0 with psi*theta < 1.
    pub psi: Vec<f64>,
}

fn finite_nonneg(field: String, x: f64) -> Result<()> {
    if !x.is_finite() {
        return Err(ModelError::calib(
            field,
            format!("{x} is not a finite number"),
        ));
    }
    if x < 0.0 {
        return Err(ModelError::calib(field, format!("{x} is negative")));
    }
    Ok(())
}

fn check_len<T>(field: &str, v: &[T], want: usize, what: &str) -> Result<()> {
    if v.len() != want {
        return Err(ModelError::calib(
            field,
            format!("has length {} but must have {want} ({what})", v.len()),
        ));
    }
    Ok(())
}

fn check_names(field: &str, names: &[String], min: usize) -> Result<()> {
    if names.len() < min {
        return Err(ModelError::calib(
            field,
            format!("needs at least {min} entries, has {}", names.len()),
        ));
    }
    let mut seen = HashSet::new();
    for (k, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(ModelError::calib(format!("{field}[{k}]"), "name is empty"));
        }
        if !seen.insert(name.as_str()) {
            return Err(ModelError::calib(
                format!("{field}[{k}]"),
                format!("duplicate name `{name}`"),
            ));
        }
    }
    Ok(())
}

fn check_cube(field: &str, cube: &[Vec<Vec<f64>>], a: usize, b: usize, c: usize) -> Result<()> {
    check_len(field, cube, a, "first dimension")?;
    for (x, m) in cube.iter().enumerate() {
        check_len(&format!("{field}[{x}]"), m, b, "second dimension")?;
        for (y, v) in m.iter().enumerate() {
            check_len(&format!("{field}[{x}][{y}]"), v, c, "third dimension")?;
            for (z, &val) in v.iter().enumerate() {
                finite_nonneg(format!("{field}[{x}][{y}][{z}]"), val)?;
            }
        }
    }
    Ok(())
}

fn check_matrix(field: &str, m: &[Vec<f64>], a: usize, b: usize) -> Result<()> {
    check_len(field, m, a, "first dimension")?;
    for (x, v) in m.iter().enumerate() {
        check_len(&format!("{field}[{x}]"), v, b, "second dimension")?;
        for (y, &val) in v.iter().enumerate() {
            finite_nonneg(format!("{field}[{x}][{y}]"), val)?;
        }
    }
    Ok(())
}

impl Calibration {
    /// Number of regions N.
    pub fn n_regions(&self) -> usize {
        self.regions.len()
    }

    /// Number of sectors J.
    pub fn n_sectors(&self) -> usize {
        self.sectors.len()
    }

    /// Position of a region by name.
    pub fn region_index(&self, name: &str) -> Option<usize> {
        self.regions.iter().position(|r| r == name)
    }

    /// Position of a sector by name.
    pub fn sector_index(&self, name: &str) -> Option<usize> {
        self.sectors.iter().position(|s| s == name)
    }

    /// Reads a calibration from JSON and validates it.
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json_str(&text).map_err(|e| match e {
            ModelError::Json { source, .. } => ModelError::Json {
                path: path.display().to_string(),
                source,
            },
            other => other,
        })
    }

    /// Parses a calibration from a JSON string and validates it.
    pub fn from_json_str(text: &str) -> Result<Self> {
        let cal: Calibration = serde_json::from_str(text).map_err(|source| ModelError::Json {
            path: "<string>".into(),
            source,
        })?;
        cal.validate()?;
        Ok(cal)
    }

    /// Writes the calibration as pretty JSON.
    pub fn to_json_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = serde_json::to_string_pretty(self).map_err(|source| ModelError::Json {
            path: path.display().to_string(),
            source,
        })?;
        std::fs::write(path, text + "\n").map_err(|source| ModelError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Gross output Y_i^j = sum_n Z_ni^j (region x sector). Call after shape checks.
    pub fn gross_output(&self) -> Vec<Vec<f64>> {
        let (nr, ns) = (self.n_regions(), self.n_sectors());
        let mut y = vec![vec![0.0; ns]; nr];
        for n in 0..nr {
            for (i, yi) in y.iter_mut().enumerate() {
                for (j, yij) in yi.iter_mut().enumerate() {
                    *yij += self.flows[n][i][j];
                }
            }
        }
        y
    }

    /// Expenditure at consumer prices X_n^j = sum_i (1 + t_ni^j) Z_ni^j.
    pub fn expenditure(&self) -> Vec<Vec<f64>> {
        let (nr, ns) = (self.n_regions(), self.n_sectors());
        (0..nr)
            .map(|n| {
                (0..ns)
                    .map(|j| {
                        (0..nr)
                            .map(|i| (1.0 + self.tariffs[n][i][j]) * self.flows[n][i][j])
                            .sum()
                    })
                    .collect()
            })
            .collect()
    }

    /// Tariff revenue R_n = sum_{i,j} t_ni^j Z_ni^j.
    pub fn tariff_revenue(&self) -> Vec<f64> {
        (0..self.n_regions())
            .map(|n| {
                let mut r = 0.0;
                for i in 0..self.n_regions() {
                    for j in 0..self.n_sectors() {
                        r += self.tariffs[n][i][j] * self.flows[n][i][j];
                    }
                }
                r
            })
            .collect()
    }

    /// Value added w_n L_n = sum_j beta_n^j Y_n^j.
    pub fn value_added(&self) -> Vec<f64> {
        let y = self.gross_output();
        (0..self.n_regions())
            .map(|n| {
                (0..self.n_sectors())
                    .map(|j| self.va_shares[n][j] * y[n][j])
                    .sum()
            })
            .collect()
    }

    /// Checks every rule; the error names the field, the index and the problem.
    pub fn validate(&self) -> Result<()> {
        check_names("regions", &self.regions, 2)?;
        check_names("sectors", &self.sectors, 1)?;
        let (nr, ns) = (self.n_regions(), self.n_sectors());
        check_cube("flows", &self.flows, nr, nr, ns)?;
        check_cube("tariffs", &self.tariffs, nr, nr, ns)?;
        for n in 0..nr {
            for j in 0..ns {
                if self.tariffs[n][n][j] != 0.0 {
                    return Err(ModelError::calib(
                        format!("tariffs[{n}][{n}][{j}]"),
                        format!(
                            "a region's tariff on itself must be 0, got {} ({} on {})",
                            self.tariffs[n][n][j], self.regions[n], self.sectors[j]
                        ),
                    ));
                }
            }
        }
        check_matrix("va_shares", &self.va_shares, nr, ns)?;
        for (n, row) in self.va_shares.iter().enumerate() {
            for (j, &b) in row.iter().enumerate() {
                if b <= 0.0 || b > 1.0 {
                    return Err(ModelError::calib(
                        format!("va_shares[{n}][{j}]"),
                        format!("value-added share must lie in (0, 1], got {b}"),
                    ));
                }
            }
        }
        check_cube("io_shares", &self.io_shares, nr, ns, ns)?;
        for n in 0..nr {
            for j in 0..ns {
                let s: f64 = (0..ns).map(|s| self.io_shares[n][s][j]).sum();
                if (s - 1.0).abs() > SHARE_TOLERANCE {
                    return Err(ModelError::calib(
                        format!("io_shares[{n}][*][{j}]"),
                        format!(
                            "intermediate shares of sector {} in {} sum to {s}, not 1 (tolerance {SHARE_TOLERANCE:e})",
                            self.sectors[j], self.regions[n]
                        ),
                    ));
                }
            }
        }
        check_matrix("final_shares", &self.final_shares, nr, ns)?;
        for n in 0..nr {
            let s: f64 = self.final_shares[n].iter().sum();
            if (s - 1.0).abs() > SHARE_TOLERANCE {
                return Err(ModelError::calib(
                    format!("final_shares[{n}]"),
                    format!(
                        "final-demand shares of {} sum to {s}, not 1 (tolerance {SHARE_TOLERANCE:e})",
                        self.regions[n]
                    ),
                ));
            }
        }
        check_len("deficits", &self.deficits, nr, "one per region")?;
        for (n, &d) in self.deficits.iter().enumerate() {
            if !d.is_finite() {
                return Err(ModelError::calib(
                    format!("deficits[{n}]"),
                    format!("{d} is not a finite number"),
                ));
            }
        }
        check_len("theta", &self.theta, ns, "one per sector")?;
        check_len("psi", &self.psi, ns, "one per sector")?;
        for j in 0..ns {
            let (th, ps) = (self.theta[j], self.psi[j]);
            if !th.is_finite() || th <= 1.0 {
                return Err(ModelError::calib(
                    format!("theta[{j}]"),
                    format!(
                        "trade elasticity of {} must be a finite number > 1, got {th}",
                        self.sectors[j]
                    ),
                ));
            }
            finite_nonneg(format!("psi[{j}]"), ps)?;
            if ps * th >= 1.0 {
                return Err(ModelError::calib(
                    format!("psi[{j}]"),
                    format!(
                        "psi*theta = {ps}*{th} = {} must be < 1 for sector {} (scale economies too strong: no stable equilibrium)",
                        ps * th,
                        self.sectors[j]
                    ),
                ));
            }
        }
        self.check_accounting()
    }

    fn check_accounting(&self) -> Result<()> {
        let (nr, ns) = (self.n_regions(), self.n_sectors());
        let y = self.gross_output();
        let x = self.expenditure();
        let r = self.tariff_revenue();
        let va = self.value_added();
        let world: f64 = y.iter().flatten().sum();
        if world <= 0.0 {
            return Err(ModelError::calib("flows", "all flows are zero"));
        }
        for n in 0..nr {
            if va[n] <= 0.0 {
                return Err(ModelError::calib(
                    format!("flows[*][{n}][*]"),
                    format!("region {} has no value added (no output)", self.regions[n]),
                ));
            }
            for j in 0..ns {
                if x[n][j] <= 0.0 {
                    return Err(ModelError::calib(
                        format!("flows[{n}][*][{j}]"),
                        format!(
                            "region {} buys nothing in sector {}: every region needs positive expenditure in every sector",
                            self.regions[n], self.sectors[j]
                        ),
                    ));
                }
            }
        }
        let dsum: f64 = self.deficits.iter().sum();
        if dsum.abs() > ACCOUNTING_TOLERANCE * world {
            return Err(ModelError::calib(
                "deficits",
                format!("deficits sum to {dsum}, not 0 (tolerance {ACCOUNTING_TOLERANCE:e} x world output {world})"),
            ));
        }
        for n in 0..nr {
            let total_x: f64 = x[n].iter().sum();
            let imports: f64 = (0..nr).flat_map(|i| self.flows[n][i].iter()).sum();
            let exports: f64 = (0..nr).flat_map(|m| self.flows[m][n].iter()).sum();
            let d = imports - exports;
            if (d - self.deficits[n]).abs() > ACCOUNTING_TOLERANCE * total_x {
                return Err(ModelError::calib(
                    format!("deficits[{n}]"),
                    format!(
                        "deficit of {} is {} but flows imply imports - exports = {d}",
                        self.regions[n], self.deficits[n]
                    ),
                ));
            }
            let income = va[n] + r[n] + self.deficits[n];
            for j in 0..ns {
                let inter: f64 = (0..ns)
                    .map(|k| self.io_shares[n][j][k] * (1.0 - self.va_shares[n][k]) * y[n][k])
                    .sum();
                let rhs = inter + self.final_shares[n][j] * income;
                if (rhs - x[n][j]).abs() > ACCOUNTING_TOLERANCE * total_x {
                    return Err(ModelError::calib(
                        format!("final_shares[{n}][{j}]"),
                        format!(
                            "accounting identity X = sum_k gamma (1-beta) Y + alpha I fails for {} in {}: expenditure {} vs {} (intermediate {inter} + final {}); tolerance {ACCOUNTING_TOLERANCE:e} x {total_x}",
                            self.regions[n], self.sectors[j], x[n][j], rhs, rhs - inter
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::synthetic::{random_calibration, SyntheticSpec};

    #[test]
    fn synthetic_calibrations_validate() {
        for seed in 0..5 {
            let cal = random_calibration(&SyntheticSpec::full(4, 3), seed);
            cal.validate().unwrap();
        }
    }
}
